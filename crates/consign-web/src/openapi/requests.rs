//! The request bodies of the API, as the server reads them: a field the server requires
//! is `required`; a field it reads as optional (`Option`) may also be null; fields of a
//! plain type with a default may be left out but not sent as null; unknown fields are
//! refused (`additionalProperties: false`), as the server refuses them. Rules a schema
//! cannot state (check characters, a customer that must exist, one threshold above
//! another) answer 422 with the field named; the descriptions say what they are.

use serde_json::{json, Map, Value};

/// An object schema that refuses unknown fields.
fn obj(props: Value, required: &[&str]) -> Value {
    let mut o = json!({"type": "object", "properties": props, "additionalProperties": false});
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

/// A field of type `t` the server also reads as null (absent).
fn or_null(mut v: Value) -> Value {
    if let Some(t) = v.get("type").and_then(Value::as_str).map(str::to_string) {
        v["type"] = json!([t, "null"]);
    }
    if let Some(e) = v.get_mut("enum").and_then(Value::as_array_mut) {
        e.push(Value::Null);
    }
    v
}

fn described(mut v: Value, d: &str) -> Value {
    v["description"] = json!(d);
    v
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub const SERVICE_MODES: [&str; 6] = [
    "express",
    "ltl",
    "ftl",
    "warehousing",
    "cold_chain",
    "international",
];

/// Adds every request body schema to `schemas`.
pub fn add(schemas: &mut Map<String, Value>) {
    let text = json!({"type": "string"});
    // Required text: at least one character that is not a space.
    let name = json!({"type": "string", "minLength": 1, "pattern": "\\S"});
    let opt = || or_null(json!({"type": "string"}));
    let i64_ = json!({"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX});
    let u32_ = json!({"type": "integer", "minimum": 0, "maximum": u32::MAX});
    let boolean = json!({"type": "boolean"});
    let time = or_null(json!({"type": "string", "format": "date-time"}));
    let e = |v: &[&str]| json!({"type": "string", "enum": v});
    let modes = e(&SERVICE_MODES);

    let customer = json!({
        "code": described(opt(), "客户编号: 2–32 of A–Z, 0–9, - and _ (stored upper-case); absent or empty on create: the next number"),
        "name": described(opt(), "required on create; at most 100 characters"),
        "short_name": opt(),
        "kind": or_null(e(&["individual", "enterprise", "government"])),
        "gov_level": described(or_null(e(&["national", "provincial", "municipal"])), "government customers only"),
        "industry": opt(), "province": opt(), "city": opt(), "address": opt(), "goods_types": opt(),
        "service_modes": or_null(json!({"type": "array", "items": modes})),
        "data_source": or_null(e(&["internal", "external"])),
        "owner_id": {"type": ["integer", "string", "null"], "minimum": i64::MIN, "maximum": i64::MAX,
            "pattern": "^\\s*([+-]?[0-9]{1,18})?\\s*$",
            "description": "a user's id; null or empty puts the customer in the pool"},
        "status": or_null(e(&["prospect", "active", "suspended", "lost"])),
        "uscc": described(opt(), "统一社会信用代码: 18 characters with its check character"),
        "id_number": described(opt(), "resident ID (individuals), 18 characters with its check character; stored encrypted"),
        "notes": opt(),
        "tags": or_null(json!({"type": "array", "items": text})),
        "custom_fields": or_null(json!({"type": "object", "additionalProperties": text})),
        "confirm_duplicates": described(boolean.clone(), "create even though likely duplicates exist"),
    });
    schemas.insert("CustomerInput".into(), obj(customer.clone(), &[]));
    let mut new_customer = customer;
    new_customer["contacts"] = json!({"type": "array", "items": r("ContactInput")});
    schemas.insert("NewCustomer".into(), obj(new_customer, &[]));
    schemas.insert(
        "ContactInput".into(),
        obj(
            json!({"name": described(opt(), "required; at most 40 characters"), "title": opt(),
                "phone": described(opt(), "mainland mobile (11 digits) or landline with area code; +86 and separators allowed"),
                "email": opt(), "wechat": opt(), "is_primary": or_null(boolean.clone())}),
            &[],
        ),
    );
    schemas.insert(
        "DuplicateCheck".into(),
        obj(
            json!({"name": text, "uscc": opt(), "phones": {"type": "array", "items": text}, "exclude_id": opt()}),
            &["name"],
        ),
    );
    schemas.insert(
        "Merge".into(),
        obj(
            json!({"into_id": described(text.clone(), "the customer that stays")}),
            &["into_id"],
        ),
    );
    schemas.insert(
        "PoolPolicy".into(),
        obj(json!({"reclaim_days": described(i64_.clone(), "days without a shipment or interaction before a customer returns to the pool")}), &["reclaim_days"]),
    );
    schemas.insert(
        "ClassPolicy".into(),
        obj(
            json!({
                "frequent_per_month": i64_, "frequent_months": u32_, "large_revenue_fen": i64_,
                "medium_revenue_fen": i64_, "revenue_months": u32_, "value_months": u32_,
                "a_share_bp": described(i64_.clone(), "basis points: 8000 = 80%"),
                "b_share_bp": i64_, "current_days": i64_, "churn_days": i64_, "churn_ratio_pct": i64_,
                "rfm_months": u32_,
            }),
            &[],
        ),
    );
    schemas.insert(
        "ClassPolicyChange".into(),
        obj(
            json!({"policy": r("ClassPolicy"), "note": text, "recompute": described(or_null(boolean.clone()), "reclassify as of today (default true)")}),
            &["policy"],
        ),
    );
    schemas.insert(
        "ClassRecompute".into(),
        obj(
            json!({"as_of": described(or_null(json!({"type": "string", "format": "date"})), "YYYY-MM-DD; absent or null: today")}),
            &[],
        ),
    );
    schemas.insert(
        "TicketInput".into(),
        obj(
            json!({
                "kind": e(&["inquiry", "complaint", "claim", "suggestion"]),
                "channel": e(&["phone", "email", "portal", "wechat", "visit"]),
                "severity": described(e(&["", "critical", "high", "normal", "low"]), "empty: normal"),
                "customer_id": described(text.clone(), "the customer's id, or else customer_code"),
                "customer_code": text, "contact_id": text,
                "assignee_id": described(text.clone(), "a user's id; empty: the caller"),
                "subject": name, "description": text,
                "waybills": described(text.clone(), "waybill numbers of the customer, separated by commas or spaces"),
                "claimed": described(text.clone(), "claims: the amount claimed in yuan"),
                "responsible_party": text}),
            &["kind", "channel", "subject"],
        ),
    );
    let actions = e(&[
        "investigate",
        "resolve",
        "confirm",
        "callback_failed",
        "close",
    ]);
    schemas.insert(
        "TicketStep".into(),
        obj(
            json!({"action": actions,
                "note": described(text.clone(), "required to resolve, confirm or record a failed callback"),
                "root_cause": described(text.clone(), "required to resolve"),
                "settled": described(text.clone(), "claims: required to resolve (yuan)"),
                "responsible_party": text}),
            &["action"],
        ),
    );
    schemas.insert(
        "TicketAssign".into(),
        obj(
            json!({"assignee_id": described(text.clone(), "a user's id; empty: no one"), "note": text}),
            &[],
        ),
    );
    schemas.insert(
        "TicketComment".into(),
        obj(json!({"note": name}), &["note"]),
    );
    let target = obj(
        json!({"first_response_minutes": i64_, "resolution_minutes": i64_}),
        &["first_response_minutes", "resolution_minutes"],
    );
    let day = json!({"type": "string", "format": "date"});
    schemas.insert(
        "SlaPolicy".into(),
        obj(
            json!({
                "targets": {"type": "object", "description": "value class (a, b, c) → severity (critical, high, normal, low) → target, in business minutes; every pair is required",
                    "additionalProperties": {"type": "object", "additionalProperties": target}},
                "grade_percent": {"type": "object", "description": "grade → percentage of the class's target", "additionalProperties": i64_},
                "calendar_severities": {"type": "array", "items": text, "description": "severities timed round the clock"},
                "unclassified_as": text,
                "calendar": obj(json!({"day_start": described(text.clone(), "HH:MM"), "day_end": described(text.clone(), "HH:MM"),
                    "workdays": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}, "description": "1 = Monday … 7 = Sunday"},
                    "holidays": {"type": "array", "items": day},
                    "extra_workdays": {"type": "array", "items": day}}), &[])}),
            &[],
        ),
    );
    schemas.insert(
        "InteractionInput".into(),
        obj(
            json!({
                "kind": e(&["call", "visit", "email", "meeting", "wechat"]),
                "at": described(text.clone(), "company time, e.g. 2026-12-01 14:30; empty: now"),
                "contact_id": text, "summary": name, "next_step": text}),
            &["kind", "summary"],
        ),
    );
    schemas.insert(
        "TaskInput".into(),
        obj(
            json!({"title": name, "due_on": {"type": "string", "format": "date"},
                "assignee_id": described(text.clone(), "a user's id; empty: the caller")}),
            &["title", "due_on"],
        ),
    );
    schemas.insert(
        "FollowUpPolicy".into(),
        obj(
            json!({"a_days": i64_, "b_days": i64_, "c_days": i64_, "after_complaint_days": i64_, "at_risk_days": i64_,
                "pool_assignee": described(or_null(i64_.clone()), "User id who calls pool customers at risk; null: the pool's team lead")}),
            &[],
        ),
    );
    let customer_ref = json!({
        "customer_code": described(opt(), "the customer's code, or else customer_id"),
        "customer_id": opt(),
    });
    let with = |mut a: Value, b: &Value| {
        if let (Some(a), Some(b)) = (a.as_object_mut(), b.as_object()) {
            a.extend(b.clone());
        }
        a
    };
    let i = || or_null(i64_.clone());
    schemas.insert(
        "ShipmentInput".into(),
        obj(
            with(
                json!({
                    "waybill_no": described(text.clone(), "4–40 letters, digits or hyphens"),
                    "service_mode": or_null(modes.clone()),
                    "origin_city": opt(), "destination_city": opt(), "goods_type": opt(),
                    "pieces": i(), "weight_g": i(), "volume_cm3": i(), "revenue_fen": i(), "cost_fen": i(),
                    "ordered_at": time, "promised_at": time, "shipped_at": time, "delivered_at": time,
                    "status": or_null(e(&["created", "in_transit", "delivered", "returned", "cancelled"])),
                    "exceptions": {"type": "array", "items": e(&["damaged", "short", "stockout", "substituted", "route_changed", "returned", "invoice_error", "delayed"])},
                    "note": opt()}),
                &customer_ref,
            ),
            &["waybill_no"],
        ),
    );
    schemas.insert(
        "InvoiceInput".into(),
        obj(
            with(
                json!({"invoice_no": text, "amount_fen": i(), "issued_at": time, "due_at": time,
                    "period": described(opt(), "YYYY-MM"), "note": opt()}),
                &customer_ref,
            ),
            &["invoice_no"],
        ),
    );
    schemas.insert(
        "PaymentInput".into(),
        obj(
            with(
                json!({"payment_no": text, "invoice_no": described(opt(), "the invoice it settles, of the same customer"),
                    "amount_fen": i(), "paid_at": time,
                    "method": or_null(e(&["bank_transfer", "cash", "wechat", "alipay", "cheque", "acceptance", "offset"])),
                    "note": opt()}),
                &customer_ref,
            ),
            &["payment_no"],
        ),
    );
    for one in ["Shipment", "Invoice", "Payment"] {
        schemas.insert(
            format!("{one}Write"),
            json!({"oneOf": [
                r(&format!("{one}Input")),
                obj(json!({"items": {"type": "array", "maxItems": 1000, "items": r(&format!("{one}Input"))}}), &["items"])
            ]}),
        );
    }
    schemas.insert(
        "TrackingEventsInput".into(),
        obj(
            json!({"items": {"type": "array", "items": obj(json!({"at": time, "place": opt(), "status_text": opt()}), &[])}}),
            &["items"],
        ),
    );
}
