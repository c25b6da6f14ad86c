//! The OpenAPI 3.1 document of `/api/v1` and its offline browsable page.
//!
//! Derived from the code, not written apart: each handler declares its operation next to
//! it (`#[utoipa::path]`), naming the request and response types it reads and answers,
//! and the router registers it with that declaration (`routes!`), so a route cannot exist
//! without its operation. The schemas are derived from those same types
//! (`#[derive(ToSchema)]`, following their serde attributes); what serde cannot say (a
//! field's enum of spellings, a pattern, a bound) is an attribute on the field. Rules
//! that hold for every operation are applied once to the whole document (rules.rs). An
//! answer's field may be null exactly when its type is an `Option`.

use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

#[cfg(test)]
mod request_schemas;
mod rules;
pub use rules::BLANK;

/// The document, built once.
static SPEC: std::sync::LazyLock<Value> = std::sync::LazyLock::new(build);

/// Per operation (method, path as the document writes it), the query parameters it
/// takes, from the document.
static QUERY_NAMES: std::sync::LazyLock<
    std::collections::HashMap<(String, String), std::collections::HashSet<String>>,
> = std::sync::LazyLock::new(|| {
    let mut out = std::collections::HashMap::new();
    let doc = spec();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, ops) in paths {
        let Some(ops) = ops.as_object() else { continue };
        for (method, op) in ops {
            let names = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "query")
                        .filter_map(|p| p["name"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            out.insert((method.to_ascii_uppercase(), path.clone()), names);
        }
    }
    out
});

/// Refuses (400, in the caller's language) a query parameter the operation does not
/// take, even sent empty: the document lists each operation's parameters and allows no
/// others, so a misspelt filter is an error, not a silently wider list.
pub async fn known_query(
    matched: axum::extract::MatchedPath,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let key = (
        req.method().as_str().to_string(),
        matched.as_str().to_string(),
    );
    if let (Some(names), Some(query)) = (QUERY_NAMES.get(&key), req.uri().query()) {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        if let Some((unknown, _)) = pairs.iter().find(|(k, _)| !names.contains(k)) {
            let lang = crate::extract::request_lang(req.headers(), None);
            let detail = format!("{}: {unknown}", lang.t("err.unknown_query_parameter"));
            return crate::error::WebError::bad_request(crate::error::Surface::Api, lang, &detail)
                .into_response();
        }
    }
    next.run(req).await
}

/// The whole document (also read by the tests).
pub fn spec() -> Value {
    SPEC.clone()
}

fn build() -> Value {
    use utoipa::{PartialSchema, ToSchema};
    let mut api = utoipa_axum::router::OpenApiRouter::<consign_app::App>::default()
        .nest("/api/v1", crate::api::routes())
        .into_openapi();
    api.info = utoipa::openapi::InfoBuilder::new()
        .title("Consign API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Consign logistics CRM. Authenticate with `Authorization: Bearer <token>` (create \
             tokens under Account or POST /api/v1/tokens). Ids are strings; money is integer \
             fen; times are ISO 8601 UTC. Errors are RFC 9457 problem details, localized by \
             Accept-Language (zh-CN, en).",
        ))
        .build();
    let components = api
        .components
        .get_or_insert_with(utoipa::openapi::Components::new);
    let mut problems = Vec::new();
    crate::error::Problem::schemas(&mut problems);
    problems.push((
        crate::error::Problem::name().into(),
        crate::error::Problem::schema(),
    ));
    components.schemas.extend(problems);
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    doc["components"]["securitySchemes"] = json!({"bearer": {"type": "http", "scheme": "bearer"}});
    doc["components"]["responses"] = json!({"Problem": {"description": "Problem details",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}});
    doc["security"] = json!([{"bearer": []}]);
    rules::public(&mut doc, &[("/api/v1/track", "get")]);
    rules::problems(&mut doc);
    rules::no_defaults(&mut doc);
    rules::integer_bounds(&mut doc);
    rules::query_values_not_null(&mut doc);
    rules::empty_means_absent(&mut doc);
    rules::links(&mut doc);
    doc
}

pub async fn document() -> Json<&'static Value> {
    Json(&SPEC)
}

pub async fn docs_page() -> Response {
    Html(include_str!("../../static/api-docs.html")).into_response()
}
