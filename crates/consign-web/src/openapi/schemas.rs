//! The document around the paths: info, security, problem details, and the schemas of
//! every answer (request bodies: requests.rs).

#[allow(unused_imports)]
use super::*;

/// The whole document with these paths.
pub(crate) fn document(
    paths: serde_json::Map<String, Value>,
    derived: serde_json::Map<String, Value>,
) -> Value {
    let s = |props: Value| json!({"type": "object", "properties": props});
    let text = json!({"type": "string"});
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Consign API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Consign logistics CRM. Authenticate with `Authorization: Bearer <token>` (create tokens under Account or POST /api/v1/tokens). Ids are strings; money is integer fen; times are ISO 8601 UTC. Errors are RFC 9457 problem details, localized by Accept-Language (zh-CN, en)."
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {"Problem": {"description": "Problem details", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
            "schemas": {
                "Problem": s(json!({"type": text, "title": text, "status": {"type": "integer"}, "detail": text,
                    "errors": {"type": "array", "items": s(json!({"field": text, "code": text, "message": text}))}})),
                "Contact": s(json!({"id": text, "customer_id": text, "name": text, "title": text, "phone": {"type": "string", "description": "masked"}, "email": {"type": "string", "description": "masked"}, "wechat": text, "is_primary": {"type": "boolean"}})),
                "ContactList": s(json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}}, "total": {"type": "integer"}})),
                "Customer": s(json!({"id": text, "code": text, "name": text, "kind": text, "owner_id": text, "owner_name": text, "status": text, "tags": {"type": "array", "items": text}, "primary_contact": {"$ref": "#/components/schemas/Contact"}, "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}})),
                "CustomerPage": s(json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Customer"}}, "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}})),
                "CustomerDetail": s(json!({"customer": {"$ref": "#/components/schemas/Customer"}, "contacts": {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}}, "permissions": {"type": "object"}})),
                "DuplicateList": s(json!({"total": {"type": "integer"}, "duplicates": {"type": "array", "items": s(json!({"id": text, "code": text, "name": text, "reasons": {"type": "array"}}))}})),
                "Revealed": s(json!({"phone": text, "email": text, "id_number": text})),
                "AuditPage": s(json!({"items": {"type": "array", "items": s(json!({"id": text, "at": text, "actor_name": text, "action": text, "entity_type": text, "entity_id": text, "changes": {"type": "array"}}))}, "total": {"type": "integer"}})),
            }
        },
        "security": [{"bearer": []}],
        "paths": Value::Object(paths),
    });
    let schemas = &mut doc["components"]["schemas"];
    let int = json!({"type": "integer"});
    schemas["ClassPolicyVersion"] = s(
        json!({"version": int, "policy": {"$ref": "#/components/schemas/ClassPolicy"}, "note": text, "created_by_name": text, "created_at": {"type": "string", "format": "date-time"}}),
    );
    schemas["ClassPolicyVersions"] = s(
        json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/ClassPolicyVersion"}}}),
    );
    schemas["ClassRunSummary"] = s(
        json!({"run_id": int, "as_of": {"type": "string", "format": "date"}, "policy_version": int, "customers": int, "a": int, "b": int, "c": int, "at_risk": int, "seconds": {"type": "number"}}),
    );
    schemas["ClassPolicySaved"] =
        s(json!({"version": int, "run": {"$ref": "#/components/schemas/ClassRunSummary"}}));
    schemas["ClassRuns"] = s(json!({"items": {"type": "array", "items": {"type": "object"}}}));
    schemas["CustomerClass"] = s(
        json!({"as_of": {"type": "string", "format": "date"}, "policy_version": int, "row": {"type": "object"}, "reasons": {"type": "array", "items": s(json!({"topic": text, "verdict": text, "because": text}))}, "changes": {"type": "array", "items": s(json!({"as_of": text, "text": text}))}}),
    );
    schemas["CustomerClassHistory"] = s(
        json!({"items": {"type": "array", "items": s(json!({"as_of": text, "policy_version": int, "verdict": {"type": "object"}}))}}),
    );
    schemas["Dashboard"] = s(
        json!({"as_of": text, "policy_version": int, "customers": int, "at_risk": int, "by_value_class": {"type": "array"}, "by_grade": {"type": "array"}, "by_lifecycle": {"type": "array"}, "by_rfm": {"type": "array"}, "pareto": {"type": "array"}, "months": {"type": "array"}, "top": {"type": "array"}, "at_risk_list": {"type": "array"}}),
    );
    let time = json!({"type": "string", "format": "date-time"});
    schemas["Ticket"] = s(json!({
        "id": text, "number": text, "kind": text, "channel": text, "severity": text,
        "status": {"type": "string", "enum": ["registered", "investigating", "resolved", "confirmed", "closed"]},
        "customer_id": text, "customer_code": text, "customer_name": text, "contact_id": text, "contact_name": text,
        "assignee_id": text, "assignee_name": text, "subject": text, "description": text,
        "value_class": text, "grade": text, "claimed": text, "settled": text, "responsible_party": text,
        "root_cause": text, "resolution": text, "first_response_due": time, "resolution_due": time,
        "first_response_at": time, "resolved_at": time, "closed_at": time,
        "response_breached": {"type": "boolean"}, "resolution_breached": {"type": "boolean"},
        "escalated": {"type": "boolean"}, "reopened": int, "created_at": time, "updated_at": time}));
    schemas["TicketPage"] = s(
        json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Ticket"}}, "total": int,
            "total_capped": {"type": "boolean", "description": "the count stopped at total (10,000, or the requested page's end if further): more tickets match; page on while pages are full"},
            "page": int, "per_page": int}),
    );
    schemas["TicketDetail"] = s(json!({
        "ticket": {"$ref": "#/components/schemas/Ticket"},
        "events": {"type": "array", "items": s(json!({"action": text, "from_status": text, "to_status": text, "note": text, "detail": {"type": "object"}, "actor_name": text, "at": time}))},
        "shipments": {"type": "array", "items": s(json!({"waybill_no": text, "shipment_id": int, "status": text, "ordered_at": time}))},
        "attachments": {"type": "array", "items": {"type": "object"}},
        "actions": {"type": "array", "items": {"type": "string", "enum": ["investigate", "resolve", "confirm", "callback_failed", "close"]}},
        "can_work": {"type": "boolean"}}));
    schemas["Attachments"] = s(
        json!({"items": {"type": "array", "items": s(json!({"id": int, "filename": text, "content_type": text, "size_bytes": int, "sha256": text, "created_at": time}))}}),
    );
    schemas["Interaction"] = s(
        json!({"id": text, "kind": text, "at": time, "contact_name": text, "user_name": text, "summary": text, "next_step": text, "task_id": text}),
    );
    schemas["InteractionPage"] = s(
        json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Interaction"}}, "total": int, "page": int, "per_page": int}),
    );
    schemas["Task"] = s(
        json!({"id": text, "customer_id": text, "customer_code": text, "customer_name": text, "assignee_name": text,
        "kind": {"type": "string", "enum": ["follow_up", "complaint_callback", "at_risk", "manual"]}, "title": text,
        "title_key": {"type": "string", "description": "a generated title's message key (task.title.*); null for a title a person wrote"},
        "title_args": {"type": "array", "items": text, "description": "the generated title's parameters"},
        "due_on": {"type": "string", "format": "date"}, "due": {"type": "string", "enum": ["overdue", "today", "upcoming"]},
        "status": {"type": "string", "enum": ["open", "done", "cancelled"]}, "ticket_id": text, "done_at": time}),
    );
    schemas["Tasks"] =
        s(json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}}));
    let tasks = json!({"type": "array", "items": {"$ref": "#/components/schemas/Task"}});
    schemas["TaskList"] = s(
        json!({"overdue": tasks, "today": tasks, "upcoming": tasks, "today_date": {"type": "string", "format": "date"},
            "overdue_total": int, "today_total": int, "upcoming_total": int,
            "group": {"type": "string", "enum": ["overdue", "today", "upcoming"]}, "page": int, "per_page": int}),
    );
    schemas["ServiceDashboard"] = s(
        json!({"days": int, "from": {"type": "string", "format": "date"}, "open": {"type": "array"}, "open_total": int, "breached_now": int, "registered": int, "complaints": int, "avg_response_minutes": {"type": "number"}, "avg_resolution_minutes": {"type": "number"}, "responded_late": int, "resolved_late": int, "claims_settled": int, "claims_settled_fen": int, "claims_claimed_fen": int, "causes": {"type": "array"}, "rates": {"type": "array"}, "rate_days": int, "complainers": {"type": "array"}}),
    );
    schemas["Notifications"] = s(
        json!({"unread": int, "items": {"type": "array", "items": s(json!({"id": text, "kind": text, "text": text, "href": text, "created_at": time, "read": {"type": "boolean"}}))}}),
    );
    schemas["Shipment"] = s(json!({
                    "id": text, "waybill_no": text,
                    "customer": s(json!({"id": text, "code": text, "name": text})),
                    "service_mode": text, "origin_city": text, "destination_city": text, "goods_type": text,
                    "pieces": {"type": "integer"}, "weight_g": {"type": "integer"}, "volume_cm3": {"type": "integer"},
                    "revenue_fen": {"type": "integer"}, "cost_fen": {"type": "integer"}, "currency": text,
                    "ordered_at": text, "promised_at": text, "shipped_at": text, "delivered_at": text,
                    "status": text, "exceptions": {"type": "array", "items": text}, "note": text,
                    "created_at": text, "updated_at": text,
                    "outcome": {"type": "string", "enum": ["created", "updated", "unchanged"]}}));
    schemas["ShipmentWritten"] = s(
        json!({"outcome": {"type": "string", "enum": ["created", "updated", "unchanged"]},
                    "created": {"type": "integer"}, "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Shipment"}}}),
    );
    schemas["ShipmentPage"] = s(
        json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Shipment"}}, "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}}),
    );
    let int = json!({"type": "integer"});
    let time = json!({"type": "string", "format": "date-time"});
    let outcome = json!({"type": "string", "enum": ["created", "updated", "unchanged"]});
    let customer = s(json!({"id": text, "code": text, "name": text}));
    schemas["Invoice"] = s(json!({
        "id": text, "invoice_no": text, "customer": customer, "amount_fen": int, "paid_fen": int,
        "outstanding_fen": int, "currency": text,
        "state": {"type": "string", "enum": ["open", "paid", "overdue"]}, "days_overdue": int,
        "aging": {"type": "string", "enum": ["not_due", "d1_to30", "d31_to60", "d61_to90", "over90"]},
        "issued_at": time, "due_at": time, "period": text, "note": text, "outcome": outcome,
        "created_at": time, "updated_at": time}));
    schemas["Payment"] = s(json!({
        "id": text, "payment_no": text, "customer": customer, "invoice_id": text, "invoice_no": text,
        "amount_fen": int, "currency": text, "paid_at": time, "method": text, "days_late": int,
        "note": text, "outcome": outcome, "created_at": time, "updated_at": time}));
    for one in ["Invoice", "Payment"] {
        schemas[format!("{one}Written")] = json!({"anyOf": [
            {"$ref": format!("#/components/schemas/{one}")},
            s(json!({"created": int, "updated": int, "unchanged": int, "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{one}")}}}))
        ]});
    }
    schemas["InvoicePage"] = s(json!({
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Invoice"}},
        "total": int, "page": int, "per_page": int,
        "receivables": s(json!({"outstanding_fen": int, "overdue_fen": int, "credit_fen": int,
            "oldest_overdue_days": int, "overdue_invoices": int,
            "aging": s(json!({"not_due": int, "d1_30": int, "d31_60": int, "d61_90": int, "over_90": int}))}))}));
    schemas["PaymentPage"] = s(json!({
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Payment"}},
        "total": int, "page": int, "per_page": int}));
    schemas["ImportRun"] = s(json!({
        "id": text, "kind": text, "file_name": text, "user_name": text,
        "status": {"type": "string", "enum": ["running", "finished", "failed", "interrupted"]},
        "counts": s(json!({"rows_read": int, "rows_new": int, "rows_updated": int, "rows_unchanged": int, "rows_bad": int, "prospects_created": int})),
        "problem": text, "started_at": time, "finished_at": time,
        "errors": {"type": "array", "items": s(json!({"row": int, "column": text, "value": text, "reason": text}))}}));
    schemas["ImportRunList"] =
        s(json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/ImportRun"}}}));
    schemas["TrackingEvents"] = s(
        json!({"added": {"type": "integer"}, "items": {"type": "array", "items": s(json!({"at": {"type": "string", "format": "date-time"}, "place": text, "status_text": text}))}}),
    );
    if let Some(all) = doc["components"]["schemas"].as_object_mut() {
        requests::add(all);
        all.extend(derived);
    }
    rules::problems(&mut doc);
    rules::no_defaults(&mut doc);
    rules::integer_bounds(&mut doc);
    rules::query_values_not_null(&mut doc);
    rules::nullable_answers(&mut doc);
    rules::empty_means_absent(&mut doc);
    rules::links(&mut doc);
    doc
}
