//! The OpenAPI 3.1 document of `/api/v1` and its offline browsable page.
//!
//! Derived from the handlers: each declares its operation (`#[utoipa::path]`) next to its
//! code, naming the request and response types it reads and answers, whose schemas are
//! derived from those types (`#[derive(ToSchema)]`). The capabilities not yet moved there
//! are still written by hand below. Rules that hold for the whole document (rules.rs) are
//! applied after: problem answers, integer bounds, empty query values, nullable answers,
//! links.

use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use consign_domain::params;
use serde_json::{json, Value};

mod classification;
mod exports;
mod followups;
mod imports;
#[cfg(test)]
mod request_schemas;
mod requests;
mod rules;
mod schemas;
mod service;
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

/// The operations the handlers declare, with the schemas of the types they name.
fn derived() -> Value {
    let api = utoipa_axum::router::OpenApiRouter::<consign_app::App>::default()
        .nest("/api/v1", crate::api::routes())
        .into_openapi();
    serde_json::to_value(api).unwrap_or_default()
}

/// The document, built once.
static SPEC: std::sync::LazyLock<Value> = std::sync::LazyLock::new(build);

/// Every path of the API, with its operations (also used by the route coverage test).
pub fn spec() -> Value {
    SPEC.clone()
}

fn build() -> Value {
    let mut p = Paths::default();
    let derived = derived();
    for (path, ops) in derived["paths"].as_object().into_iter().flatten() {
        for (method, o) in ops.as_object().into_iter().flatten() {
            p.add(path, method, o.clone(), vec![]);
        }
    }
    imports::paths(&mut p);
    classification::paths(&mut p);
    service::paths(&mut p);
    followups::paths(&mut p);
    exports::paths(&mut p);
    let schemas = derived["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    schemas::document(p.0, schemas)
}

/// The document's paths, filled by each capability's module.
#[derive(Default)]
pub(crate) struct Paths(serde_json::Map<String, Value>);

impl Paths {
    pub(crate) fn add(&mut self, path: &str, method: &str, mut o: Value, params: Vec<Value>) {
        if !params.is_empty() {
            o["parameters"] = Value::Array(params);
        }
        let entry = self.0.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[method] = o;
    }
}

// Query values as the server reads them: empty is the same as absent.

/// An owner filter: a user id, `me` or `pool`.
fn owner() -> Value {
    json!({"type": "string", "pattern": "^\\s*(me|pool|[+-]?[0-9]+)?\\s*$"})
}

/// A yes/no filter.
fn flag() -> Value {
    json!({"type": "string", "enum": params::FLAG_SPELLINGS})
}

/// The customer list's filters.
fn customer_list_params() -> Vec<Value> {
    json!([
        {"name": "q", "in": "query", "description": "Chinese substring (2+ characters), full pinyin, pinyin initials, customer code prefix or exact phone", "schema": {"type": "string"}},
        {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["individual", "enterprise", "government"]}},
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["prospect", "active", "suspended", "lost"]}},
        {"name": "owner", "in": "query", "description": "user id, `me` or `pool`", "schema": owner()},
        {"name": "province", "in": "query", "schema": {"type": "string"}},
        {"name": "city", "in": "query", "schema": {"type": "string"}},
        {"name": "industry", "in": "query", "schema": {"type": "string"}},
        {"name": "service_mode", "in": "query", "schema": {"type": "string", "enum": ["express", "ltl", "ftl", "warehousing", "cold_chain", "international"]}},
        {"name": "tag", "in": "query", "schema": {"type": "string"}},
        {"name": "data_source", "in": "query", "schema": {"type": "string", "enum": ["internal", "external"]}},
        {"name": "archived", "in": "query", "description": "archived customers instead of live ones", "schema": flag()},
        {"name": "sort", "in": "query", "description": "default -updated_at; with q, -id (newest first)", "schema": {"type": "string", "enum": ["-updated_at", "-id", "-created_at", "code", "name"]}},
    ])
    .as_array()
    .cloned()
    .unwrap_or_default()
}

/// Page and page size, the size at most `max`.
fn paged(max: u64) -> Vec<Value> {
    vec![
        json!({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": params::MAX_PAGE}}),
        json!({"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": max}}),
    ]
}

/// The path's `{id}`.
fn cid() -> Vec<Value> {
    vec![id_param("id")]
}

/// A ticket's `{id}`.
fn tid() -> Vec<Value> {
    vec![id_param("id")]
}

/// A text query parameter.
fn q(name: &str, desc: &str) -> Value {
    json!({"name": name, "in": "query", "description": desc, "schema": {"type": "string"}})
}

/// A query parameter with its schema.
fn qs(name: &str, desc: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "description": desc, "schema": schema})
}

/// A number of days back, 1 to 366.
fn days(default: u32) -> Value {
    json!({"type": "integer", "minimum": 1, "maximum": 366, "description": format!("default {default}")})
}

/// The ticket list's filters.
fn ticket_filters() -> Vec<Value> {
    vec![
        qs(
            "status",
            "registered, investigating, resolved, confirmed, closed (comma-separated)",
            json!({"type": "string", "pattern": "^[\\s,]*((registered|investigating|resolved|confirmed|closed)[\\s,]*)*$"}),
        ),
        qs("open", "yes: not closed", flag()),
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
        qs("breached", "yes: past a deadline now", flag()),
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
    ]
}

pub async fn document() -> Json<&'static Value> {
    Json(&SPEC)
}

pub async fn docs_page() -> Response {
    Html(include_str!("../../static/api-docs.html")).into_response()
}
