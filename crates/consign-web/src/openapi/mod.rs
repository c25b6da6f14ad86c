//! The OpenAPI 3.1 document of `/api/v1` and its offline browsable page.
//!
//! Written by hand next to the routes; a test checks that every API route is described.

use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use consign_domain::params;
use serde_json::{json, Value};

mod requests;
mod rules;
pub use rules::BLANK;

fn op(summary: &str, tag: &str, body: Option<&str>, ok: (&str, &str)) -> Value {
    let mut o = json!({
        "summary": summary,
        "tags": [tag],
        "responses": {
            ok.0: {"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", ok.1)}}}},
            "400": {"$ref": "#/components/responses/Problem"},
            "401": {"$ref": "#/components/responses/Problem"},
            "403": {"$ref": "#/components/responses/Problem"},
            "404": {"$ref": "#/components/responses/Problem"},
            "409": {"$ref": "#/components/responses/Problem"},
            "422": {"$ref": "#/components/responses/Problem"},
        }
    });
    if ok.1.is_empty() {
        o["responses"][ok.0] = json!({"description": "Done"});
    }
    if let Some(b) = body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{b}")}}}});
    }
    o
}

fn id_param(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})
}

/// Every path of the API, with its operations (also used by the route coverage test).
pub fn spec() -> Value {
    // Query values as the server reads them: empty is the same as absent.
    let owner = json!({"type": "string", "pattern": "^\\s*(me|pool|[+-]?[0-9]+)?\\s*$"});
    let flag = json!({"type": "string", "enum": params::FLAG_SPELLINGS});
    let list_params = json!([
        {"name": "q", "in": "query", "description": "Chinese substring (2+ characters), full pinyin, pinyin initials, customer code prefix or exact phone", "schema": {"type": "string"}},
        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["individual", "enterprise", "government"]}},
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["prospect", "active", "suspended", "lost"]}},
        {"name": "owner", "in": "query", "description": "user id, `me` or `pool`", "schema": owner.clone()},
        {"name": "province", "in": "query", "schema": {"type": "string"}},
        {"name": "city", "in": "query", "schema": {"type": "string"}},
        {"name": "industry", "in": "query", "schema": {"type": "string"}},
        {"name": "service_mode", "in": "query", "schema": {"type": "string", "enum": ["express", "ltl", "ftl", "warehousing", "cold_chain", "international"]}},
        {"name": "tag", "in": "query", "schema": {"type": "string"}},
        {"name": "data_source", "in": "query", "schema": {"type": "string", "enum": ["internal", "external"]}},
        {"name": "archived", "in": "query", "description": "archived customers instead of live ones", "schema": flag.clone()},
        {"name": "sort", "in": "query", "description": "default -updated_at; with q, -id (newest first)", "schema": {"type": "string", "enum": ["-updated_at", "-id", "-created_at", "code", "name"]}},
    ]);
    let paged = |max: u64| {
        vec![
            json!({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": params::MAX_PAGE}}),
            json!({"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": max}}),
        ]
    };
    let mut paths = serde_json::Map::new();
    let mut add = |path: &str, method: &str, mut o: Value, params: Vec<Value>| {
        if !params.is_empty() {
            o["parameters"] = Value::Array(params);
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[method] = o;
    };
    let cid = || vec![id_param("id")];
    let ckid = || vec![id_param("id"), id_param("cid")];
    let page_params = || paged(200);
    add(
        "/api/v1/customers/{id}/shipments",
        "get",
        op(
            "A customer's shipments, newest order first",
            "shipments",
            None,
            ("200", "ShipmentPage"),
        ),
        [cid(), page_params()].concat(),
    );
    let mut write = op(
        "Create or replace shipments by waybill number: one object, or {\"items\": [...]} (at most 1,000, all or none). 201 when one shipment was created, else 200.",
        "shipments",
        Some("ShipmentWrite"),
        ("200", "ShipmentWritten"),
    );
    write["parameters"] = json!([{
        "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "As for customer creates: a retry with the same key and body within 24 hours gets the first answer again.",
        "schema": {"type": "string", "maxLength": 255}
    }]);
    add("/api/v1/shipments", "post", write, vec![]);
    add(
        "/api/v1/shipments/by-waybill/{no}",
        "get",
        op(
            "A shipment by waybill number",
            "shipments",
            None,
            ("200", "Shipment"),
        ),
        vec![id_param("no")],
    );
    add(
        "/api/v1/shipments/{id}",
        "get",
        op("A shipment", "shipments", None, ("200", "Shipment")),
        cid(),
    );
    add(
        "/api/v1/shipments/{id}",
        "delete",
        op(
            "Delete a shipment (and take it out of the rollups)",
            "shipments",
            None,
            ("204", ""),
        ),
        cid(),
    );
    for (kind, one, key) in [
        ("invoices", "Invoice", "invoice number"),
        ("payments", "Payment", "payment number"),
    ] {
        let idem = json!({"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string"}});
        add(
            &format!("/api/v1/customers/{{id}}/{kind}"),
            "get",
            op(
                &format!("A customer's {kind}, latest first"),
                "billing",
                None,
                ("200", &format!("{one}Page")),
            ),
            [cid(), page_params()].concat(),
        );
        add(
            &format!("/api/v1/{kind}"),
            "post",
            op(
                &format!("Create or replace {kind} by {key}: one object, or {{\"items\": [...]}} (at most 1,000, all or none). 201 when one was created, else 200."),
                "billing",
                Some(&format!("{one}Write")),
                ("200", &format!("{one}Written")),
            ),
            vec![idem],
        );
        add(
            &format!("/api/v1/{kind}/{{id}}"),
            "get",
            op(&format!("One of the {kind}"), "billing", None, ("200", one)),
            cid(),
        );
        add(
            &format!("/api/v1/{kind}/{{id}}"),
            "delete",
            op(
                if kind == "invoices" {
                    "Delete an invoice that no payment names"
                } else {
                    "Delete a payment"
                },
                "billing",
                None,
                ("204", ""),
            ),
            cid(),
        );
    }
    add(
        "/api/v1/imports",
        "post",
        {
            let mut o = op(
                "Import a file (the request body: CSV in UTF-8 or GBK, or XLSX; streamed to disk). 202 with the run; it imports in the background: poll GET /api/v1/imports/{id}.",
                "imports",
                None,
                ("202", "ImportRun"),
            );
            o["requestBody"] = json!({"required": true, "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}
            }});
            o
        },
        vec![
            json!({"name": "kind", "in": "query", "required": true, "schema": {"type": "string", "enum": ["shipments", "tracking", "invoices", "payments", "customers", "contacts"]}}),
            json!({"name": "encoding", "in": "query", "schema": {"type": "string", "enum": ["utf-8", "gbk"]}}),
            json!({"name": "unknown_customers", "in": "query", "schema": {"type": "string", "enum": ["reject", "create"]}}),
            json!({"name": "profile", "in": "query", "schema": {"type": "string"}}),
            json!({"name": "file_name", "in": "query", "schema": {"type": "string"}}),
            json!({"name": "allow_duplicates", "in": "query", "schema": {"type": "boolean"}}),
        ],
    );
    add(
        "/api/v1/imports",
        "get",
        op(
            "The latest import runs you may see",
            "imports",
            None,
            ("200", "ImportRunList"),
        ),
        vec![],
    );
    add(
        "/api/v1/imports/{id}",
        "get",
        op(
            "An import run: status, counts and its first 100 bad rows",
            "imports",
            None,
            ("200", "ImportRun"),
        ),
        cid(),
    );
    add(
        "/api/v1/imports/{id}/errors",
        "get",
        {
            let mut o = op(
                "Every bad row of a run as CSV (row, column, value, reason)",
                "imports",
                None,
                ("200", ""),
            );
            o["responses"]["200"] = json!({"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}});
            o
        },
        cid(),
    );
    add(
        "/api/v1/invoices/by-number/{no}",
        "get",
        op(
            "An invoice by its number",
            "billing",
            None,
            ("200", "Invoice"),
        ),
        vec![id_param("no")],
    );
    add(
        "/api/v1/shipments/{id}/events",
        "get",
        op(
            "A shipment's tracking events, oldest first",
            "shipments",
            None,
            ("200", "TrackingEvents"),
        ),
        cid(),
    );
    add(
        "/api/v1/shipments/{id}/events",
        "post",
        op(
            "Add tracking events (repeats are kept once)",
            "shipments",
            Some("TrackingEventsInput"),
            ("200", "TrackingEvents"),
        ),
        cid(),
    );
    add(
        "/api/v1/me",
        "get",
        op("The caller", "auth", None, ("200", "Me")),
        vec![],
    );
    let mut l = op(
        "List and search customers",
        "customers",
        None,
        ("200", "CustomerPage"),
    );
    l["parameters"] = Value::Array(
        [
            list_params.as_array().cloned().unwrap_or_default(),
            paged(500),
        ]
        .concat(),
    );
    add("/api/v1/customers", "get", l, vec![]);
    let mut create = op(
        "Create a customer (409 with `duplicates` unless confirm_duplicates)",
        "customers",
        Some("NewCustomer"),
        ("201", "CustomerDetail"),
    );
    create["parameters"] = json!([{
        "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "Up to 255 visible ASCII characters, unique per intended create. A retry with the same key and body within 24 hours gets the first answer again (header `Idempotent-Replayed: true`) instead of a second customer; the same key with another body is a 422, and while the first request runs a 409.",
        "schema": {"type": "string", "maxLength": 255}
    }]);
    add("/api/v1/customers", "post", create, vec![]);
    add(
        "/api/v1/customers/duplicates",
        "post",
        op(
            "Find likely duplicates",
            "customers",
            Some("DuplicateCheck"),
            ("200", "DuplicateList"),
        ),
        vec![],
    );
    add(
        "/api/v1/customers/{id}",
        "get",
        op(
            "A customer with contacts and permissions",
            "customers",
            None,
            ("200", "CustomerDetail"),
        ),
        cid(),
    );
    add(
        "/api/v1/customers/{id}",
        "patch",
        op(
            "Change fields (absent fields stay)",
            "customers",
            Some("CustomerInput"),
            ("200", "CustomerDetail"),
        ),
        cid(),
    );
    for (p, s) in [
        ("archive", "Archive"),
        ("restore", "Restore"),
        ("release", "Release to the pool"),
        ("claim", "Claim from the pool"),
    ] {
        add(
            &format!("/api/v1/customers/{{id}}/{p}"),
            "post",
            op(s, "customers", None, ("200", "CustomerDetail")),
            cid(),
        );
    }
    add(
        "/api/v1/customers/{id}/merge",
        "post",
        op(
            "Merge this customer into another",
            "customers",
            Some("Merge"),
            ("200", "CustomerDetail"),
        ),
        cid(),
    );
    add(
        "/api/v1/customers/{id}/reveal",
        "post",
        op(
            "ID number in clear (audited)",
            "personal data",
            None,
            ("200", "Revealed"),
        ),
        cid(),
    );
    add(
        "/api/v1/customers/{id}/timeline",
        "get",
        op(
            "Activity from the audit log",
            "customers",
            None,
            ("200", "AuditPage"),
        ),
        cid(),
    );
    add(
        "/api/v1/customers/{id}/contacts",
        "get",
        op(
            "Contacts (masked)",
            "contacts",
            None,
            ("200", "ContactList"),
        ),
        cid(),
    );
    add(
        "/api/v1/customers/{id}/contacts",
        "post",
        op(
            "Add a contact",
            "contacts",
            Some("ContactInput"),
            ("201", "Contact"),
        ),
        cid(),
    );
    add(
        "/api/v1/customers/{id}/contacts/{cid}",
        "patch",
        op(
            "Change a contact",
            "contacts",
            Some("ContactInput"),
            ("200", "Contact"),
        ),
        ckid(),
    );
    add(
        "/api/v1/customers/{id}/contacts/{cid}",
        "delete",
        op("Delete a contact", "contacts", None, ("204", "")),
        ckid(),
    );
    add(
        "/api/v1/customers/{id}/contacts/{cid}/reveal",
        "post",
        op(
            "Phone and email in clear (audited)",
            "personal data",
            None,
            ("200", "Revealed"),
        ),
        ckid(),
    );
    add(
        "/api/v1/users",
        "get",
        op("Users (admin)", "users", None, ("200", "UserList")),
        vec![],
    );
    add(
        "/api/v1/users",
        "post",
        op(
            "Create a user (admin)",
            "users",
            Some("NewUser"),
            ("201", "User"),
        ),
        vec![],
    );
    add(
        "/api/v1/users/{id}",
        "patch",
        op(
            "Change role, unit, name, password or disable (admin)",
            "users",
            Some("UserPatch"),
            ("200", "User"),
        ),
        cid(),
    );
    add(
        "/api/v1/org-units",
        "get",
        op("Organisation units", "users", None, ("200", "UnitList")),
        vec![],
    );
    add(
        "/api/v1/org-units",
        "post",
        op(
            "Create a branch or team (admin)",
            "users",
            Some("NewUnit"),
            ("201", "Unit"),
        ),
        vec![],
    );
    add(
        "/api/v1/tokens",
        "get",
        op(
            "The caller's API tokens",
            "auth",
            None,
            ("200", "TokenList"),
        ),
        vec![],
    );
    add(
        "/api/v1/tokens",
        "post",
        op(
            "Create an API token (shown once)",
            "auth",
            Some("NewToken"),
            ("201", "NewTokenResult"),
        ),
        vec![],
    );
    add(
        "/api/v1/tokens/{id}",
        "delete",
        op("Revoke an API token", "auth", None, ("204", "")),
        cid(),
    );
    add(
        "/api/v1/audit",
        "get",
        op("Audit log (admin)", "audit", None, ("200", "AuditPage")),
        [
            vec![
                json!({"name": "actor_id", "in": "query", "schema": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}}),
                json!({"name": "action", "in": "query", "schema": {"type": "string"}}),
                json!({"name": "entity_type", "in": "query", "schema": {"type": "string"}}),
                json!({"name": "customer_id", "in": "query", "schema": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}}),
            ],
            paged(500),
        ]
        .concat(),
    );
    add(
        "/api/v1/policies/pool",
        "get",
        op(
            "Customer pool policy",
            "policies",
            None,
            ("200", "PoolPolicy"),
        ),
        vec![],
    );
    add(
        "/api/v1/policies/pool",
        "put",
        op(
            "Change the pool policy (admin)",
            "policies",
            Some("PoolPolicy"),
            ("200", "PoolPolicy"),
        ),
        vec![],
    );

    add(
        "/api/v1/policies/classification",
        "get",
        op(
            "Classification policy in force",
            "classification",
            None,
            ("200", "ClassPolicyVersion"),
        ),
        vec![],
    );
    add(
        "/api/v1/policies/classification",
        "put",
        op(
            "Store a new version of the classification policy (admin) and reclassify",
            "classification",
            Some("ClassPolicyChange"),
            ("200", "ClassPolicySaved"),
        ),
        vec![],
    );
    add(
        "/api/v1/policies/classification/versions",
        "get",
        op(
            "Every version of the classification policy",
            "classification",
            None,
            ("200", "ClassPolicyVersions"),
        ),
        vec![],
    );
    add(
        "/api/v1/classification/runs",
        "get",
        op(
            "Stored classification runs, newest first",
            "classification",
            None,
            ("200", "ClassRuns"),
        ),
        vec![],
    );
    add(
        "/api/v1/classification/runs",
        "post",
        op(
            "Classify every customer as of a day (default today; admins and managers)",
            "classification",
            Some("ClassRecompute"),
            ("201", "ClassRunSummary"),
        ),
        vec![],
    );
    add(
        "/api/v1/customers/{id}/classification",
        "get",
        op(
            "A customer's current classification, explained",
            "classification",
            None,
            ("200", "CustomerClass"),
        ),
        cid(),
    );
    add(
        "/api/v1/customers/{id}/classification/history",
        "get",
        op(
            "A customer's verdicts in every stored run",
            "classification",
            None,
            ("200", "CustomerClassHistory"),
        ),
        cid(),
    );
    add(
        "/api/v1/dashboard",
        "get",
        op(
            "The manager's dashboard figures",
            "classification",
            None,
            ("200", "Dashboard"),
        ),
        vec![
            json!({"name": "province", "in": "query", "schema": {"type": "string"}}),
            json!({"name": "industry", "in": "query", "schema": {"type": "string"}}),
            json!({"name": "service_mode", "in": "query", "schema": {"type": "string", "enum": requests::SERVICE_MODES}}),
            json!({"name": "owner", "in": "query", "description": "user id, `me` or `pool`", "schema": owner}),
        ],
    );

    // ---- service desk ----
    let tid = || vec![id_param("id")];
    let q = |name: &str, desc: &str| json!({"name": name, "in": "query", "description": desc, "schema": {"type": "string"}});
    let qs = |name: &str, desc: &str, schema: Value| json!({"name": name, "in": "query", "description": desc, "schema": schema});
    let days = |default: u32| json!({"type": "integer", "minimum": 1, "maximum": 366, "description": format!("default {default}")});
    let ticket_filters = vec![
        qs(
            "status",
            "registered, investigating, resolved, confirmed, closed (comma-separated)",
            json!({"type": "string", "pattern": "^[\\s,]*((registered|investigating|resolved|confirmed|closed)[\\s,]*)*$"}),
        ),
        qs("open", "yes: not closed", flag.clone()),
        qs(
            "kind",
            "",
            json!({"type": "string", "enum": ["inquiry", "complaint", "claim", "suggestion"]}),
        ),
        qs(
            "severity",
            "",
            json!({"type": "string", "enum": ["critical", "high", "normal", "low"]}),
        ),
        qs(
            "channel",
            "",
            json!({"type": "string", "enum": ["phone", "email", "portal", "wechat", "visit"]}),
        ),
        qs(
            "root_cause",
            "",
            json!({"type": "string", "enum": ["delay", "damage", "loss", "wrong_delivery", "billing", "staff_conduct", "information", "customer_side", "third_party", "other"]}),
        ),
        qs(
            "assignee",
            "user id, `me` or `none`",
            json!({"type": "string", "pattern": "^\\s*(me|none|[+-]?[0-9]+)?\\s*$"}),
        ),
        qs("breached", "yes: past a deadline now", flag.clone()),
        qs(
            "customer_id",
            "one customer's",
            json!({"type": "string", "pattern": "^\\s*([+-]?[0-9]+)?\\s*$"}),
        ),
        qs(
            "from",
            "created on or after this day (company time)",
            json!({"type": "string", "format": "date"}),
        ),
        qs(
            "to",
            "created before this day",
            json!({"type": "string", "format": "date"}),
        ),
        q("q", "ticket number, subject, or waybill number"),
        qs(
            "sort",
            "",
            json!({"type": "string", "enum": ["newest", "oldest", "due"]}),
        ),
    ];
    add(
        "/api/v1/tickets",
        "get",
        op(
            "Tickets of the customers in scope (filtered, sorted, paged)",
            "service",
            None,
            ("200", "TicketPage"),
        ),
        [ticket_filters.clone(), paged(500)].concat(),
    );
    // ---- exports: one path per list, each with the filters it takes ----
    for (kind, what, filters) in [
        (
            "customers",
            "the customer list (with its filters)",
            list_params.as_array().cloned().unwrap_or_default(),
        ),
        (
            "shipments",
            "shipments: all you may see, or one customer's",
            vec![json!({"name": "customer_id", "in": "query", "schema": {"type": "string"}})],
        ),
        (
            "invoices",
            "invoices: all you may see, or one customer's",
            vec![json!({"name": "customer_id", "in": "query", "schema": {"type": "string"}})],
        ),
        (
            "payments",
            "payments: all you may see, or one customer's",
            vec![json!({"name": "customer_id", "in": "query", "schema": {"type": "string"}})],
        ),
        (
            "tickets",
            "the ticket list (with its filters)",
            ticket_filters.clone(),
        ),
    ] {
        let mut o = op(
            &format!("Export {what} as a file with the columns the import takes. Audited."),
            "imports",
            None,
            ("200", ""),
        );
        o["responses"]["200"] = json!({"description": "The file", "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}
        }});
        let format = json!({"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}});
        add(
            &format!("/api/v1/exports/{kind}"),
            "get",
            o,
            [vec![format], filters].concat(),
        );
    }
    add(
        "/api/v1/tickets",
        "post",
        op(
            "Register a ticket (deadlines from the SLA policy)",
            "service",
            Some("TicketInput"),
            ("201", "TicketDetail"),
        ),
        vec![],
    );
    add(
        "/api/v1/tickets/{id}",
        "get",
        op(
            "A ticket with its history, shipments, attachments and allowed steps",
            "service",
            None,
            ("200", "TicketDetail"),
        ),
        tid(),
    );
    add(
        "/api/v1/tickets/by-number/{no}",
        "get",
        op(
            "A ticket by its number (TK…)",
            "service",
            None,
            ("200", "TicketDetail"),
        ),
        vec![id_param("no")],
    );
    add(
        "/api/v1/tickets/{id}/transitions",
        "post",
        op(
            "Take a workflow step (409 when the status does not allow it)",
            "service",
            Some("TicketStep"),
            ("200", "TicketDetail"),
        ),
        tid(),
    );
    add(
        "/api/v1/tickets/{id}/assign",
        "post",
        op(
            "Give the ticket to a user (or to no one)",
            "service",
            Some("TicketAssign"),
            ("200", "TicketDetail"),
        ),
        tid(),
    );
    add(
        "/api/v1/tickets/{id}/comments",
        "post",
        op(
            "Add a note to the ticket's history",
            "service",
            Some("TicketComment"),
            ("200", "TicketDetail"),
        ),
        tid(),
    );
    add(
        "/api/v1/tickets/{id}/attachments",
        "get",
        op(
            "The ticket's attachments",
            "service",
            None,
            ("200", "Attachments"),
        ),
        tid(),
    );
    let mut upload = op(
        "Attach a file: the body is the file, ?filename= its name; JPEG, PNG, GIF, WebP, PDF or Office, at most 10 MB",
        "service",
        None,
        ("201", "Attachments"),
    );
    upload["requestBody"] = json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
    add(
        "/api/v1/tickets/{id}/attachments",
        "post",
        upload,
        vec![id_param("id"), q("filename", "the file's name")],
    );
    add(
        "/api/v1/tickets/{id}/attachments/{aid}",
        "get",
        op(
            "Download an attachment (served as a download, never inline)",
            "service",
            None,
            ("200", ""),
        ),
        vec![id_param("id"), id_param("aid")],
    );
    add(
        "/api/v1/policies/sla",
        "get",
        op("The SLA policy", "service", None, ("200", "SlaPolicy")),
        vec![],
    );
    add(
        "/api/v1/policies/sla",
        "put",
        op(
            "Replace the SLA policy (admins; applies to tickets registered afterwards)",
            "service",
            Some("SlaPolicy"),
            ("200", "SlaPolicy"),
        ),
        vec![],
    );
    add(
        "/api/v1/customers/{id}/interactions",
        "get",
        op(
            "A customer's interactions, newest first (20 a page)",
            "followups",
            None,
            ("200", "InteractionPage"),
        ),
        vec![id_param("id"), paged(20).remove(0)],
    );
    add(
        "/api/v1/customers/{id}/interactions",
        "post",
        op(
            "Log a call, visit, e-mail, meeting or WeChat exchange",
            "followups",
            Some("InteractionInput"),
            ("201", "Interaction"),
        ),
        tid(),
    );
    add(
        "/api/v1/customers/{id}/tasks",
        "get",
        op(
            "A customer's open tasks",
            "followups",
            None,
            ("200", "Tasks"),
        ),
        tid(),
    );
    add(
        "/api/v1/customers/{id}/tasks",
        "post",
        op(
            "Add a task by hand",
            "followups",
            Some("TaskInput"),
            ("201", "Task"),
        ),
        tid(),
    );
    add(
        "/api/v1/tasks",
        "get",
        op(
            "The caller's open tasks: overdue, today, upcoming",
            "followups",
            None,
            ("200", "TaskList"),
        ),
        vec![
            qs("days", "how far ahead upcoming reaches", days(14)),
            qs(
                "group",
                "list only that group, paged (each group lists at most 100 tasks)",
                json!({"type": "string", "enum": ["overdue", "today", "upcoming"]}),
            ),
            qs(
                "page",
                "page of the group (with group)",
                json!({"type": "integer", "minimum": 1, "maximum": params::MAX_PAGE}),
            ),
        ],
    );
    add(
        "/api/v1/tasks/{id}/complete",
        "post",
        op(
            "Complete a task by logging the interaction that did it",
            "followups",
            Some("InteractionInput"),
            ("200", "Task"),
        ),
        tid(),
    );
    add(
        "/api/v1/policies/followup",
        "get",
        op(
            "The follow-up policy",
            "followups",
            None,
            ("200", "FollowUpPolicy"),
        ),
        vec![],
    );
    add(
        "/api/v1/policies/followup",
        "put",
        op(
            "Replace the follow-up policy (admins)",
            "followups",
            Some("FollowUpPolicy"),
            ("200", "FollowUpPolicy"),
        ),
        vec![],
    );
    add(
        "/api/v1/service/dashboard",
        "get",
        op("The service dashboard: open tickets by status and kind, breaches now, response and resolution times, root causes, claims paid, complaints per 1,000 shipments", "service", None, ("200", "ServiceDashboard")),
        vec![qs("days", "the period, days back", days(30))],
    );
    add(
        "/api/v1/notifications",
        "get",
        op(
            "The caller's latest notifications (escalations, assignments)",
            "service",
            None,
            ("200", "Notifications"),
        ),
        vec![],
    );
    add(
        "/api/v1/notifications/read",
        "post",
        op(
            "Mark the caller's notifications read",
            "service",
            None,
            ("200", ""),
        ),
        vec![],
    );

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
                "Me": s(json!({"id": text, "username": text, "display_name": text, "role": text, "org_unit_id": text, "lang": text})),
                "Contact": s(json!({"id": text, "customer_id": text, "name": text, "title": text, "phone": {"type": "string", "description": "masked"}, "email": {"type": "string", "description": "masked"}, "wechat": text, "is_primary": {"type": "boolean"}})),
                "ContactList": s(json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}}, "total": {"type": "integer"}})),
                "Customer": s(json!({"id": text, "code": text, "name": text, "kind": text, "owner_id": text, "owner_name": text, "status": text, "tags": {"type": "array", "items": text}, "primary_contact": {"$ref": "#/components/schemas/Contact"}, "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}})),
                "CustomerPage": s(json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Customer"}}, "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"}})),
                "CustomerDetail": s(json!({"customer": {"$ref": "#/components/schemas/Customer"}, "contacts": {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}}, "permissions": {"type": "object"}})),
                "DuplicateList": s(json!({"total": {"type": "integer"}, "duplicates": {"type": "array", "items": s(json!({"id": text, "code": text, "name": text, "reasons": {"type": "array"}}))}})),
                "Revealed": s(json!({"phone": text, "email": text, "id_number": text})),
                "AuditPage": s(json!({"items": {"type": "array", "items": s(json!({"id": text, "at": text, "actor_name": text, "action": text, "entity_type": text, "entity_id": text, "changes": {"type": "array"}}))}, "total": {"type": "integer"}})),
                "User": s(json!({"id": text, "username": text, "display_name": text, "role": text, "org_unit_id": text, "disabled": {"type": "boolean"}})),
                "UserList": s(json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}, "total": {"type": "integer"}})),
                "Unit": s(json!({"id": text, "parent_id": text, "name": text, "kind": {"type": "string", "enum": ["company", "branch", "team"]}, "path": text})),
                "UnitList": s(json!({"items": {"type": "array", "items": {"$ref": "#/components/schemas/Unit"}}})),
                "TokenList": s(json!({"items": {"type": "array", "items": s(json!({"id": text, "name": text, "prefix": text}))}})),
                "NewTokenResult": s(json!({"id": text, "name": text, "token": text})),
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
    }
    rules::nullable_answers(&mut doc);
    rules::empty_means_absent(&mut doc);
    rules::links(&mut doc);
    doc
}

pub async fn document() -> Json<Value> {
    Json(spec())
}

pub async fn docs_page() -> Response {
    Html(include_str!("../../static/api-docs.html")).into_response()
}
