//! REST API `/api/v1`: JSON in and out, ids as strings, errors as problem details.

use crate::error::WebError;
use crate::extract::{ApiJson, ApiQuery, ApiUser};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use consign_app::audit::AuditQuery;
use consign_app::billing;
use consign_app::customers::{self, ContactInput, CustomerInput, ListQuery, NewCustomer};
use consign_app::shipments::{self, Outcome, ShipmentInput};
use consign_app::{auth, users, App, AppError};
use consign_domain::params;
use serde::Deserialize;
use serde_json::json;

type ApiResult<T> = Result<T, WebError>;

/// A use case's error as the API's problem response, in the caller's language.
trait OrApi<T> {
    fn or_api(self, u: &ApiUser) -> ApiResult<T>;
}

impl<T> OrApi<T> for Result<T, AppError> {
    fn or_api(self, u: &ApiUser) -> ApiResult<T> {
        self.map_err(|e| WebError::api(e, u.lang))
    }
}

/// A page and its size from the query, each within bounds (1 to `max` rows, pages up to
/// `params::MAX_PAGE`), or a 422 naming the one that is not.
pub(crate) fn paging(
    page: Option<u64>,
    per_page: Option<u64>,
    default: u64,
    max: u64,
    u: &ApiUser,
) -> ApiResult<(u64, u64)> {
    let mut e = consign_domain::FieldErrors::new();
    let p = e.check("page", params::page_no(page));
    let pp = e.check("per_page", params::per_page_no(per_page, default, max));
    e.into_result().map_err(AppError::Validation).or_api(u)?;
    Ok((p.unwrap_or(1), pp.unwrap_or(default)))
}

fn id(s: &str, u: &ApiUser) -> ApiResult<i64> {
    s.parse()
        .map_err(|_| WebError::api(AppError::NotFound, u.lang))
}

pub fn routes() -> Router<App> {
    Router::new()
        .route("/me", get(me))
        .route("/customers", get(list_customers).post(create_customer))
        .route("/customers/duplicates", post(check_duplicates))
        .route("/customers/{id}", get(get_customer).patch(update_customer))
        .route("/customers/{id}/archive", post(archive))
        .route("/customers/{id}/restore", post(restore))
        .route("/customers/{id}/release", post(release))
        .route("/customers/{id}/claim", post(claim))
        .route("/customers/{id}/merge", post(merge))
        .route("/customers/{id}/reveal", post(reveal_customer))
        .route("/customers/{id}/timeline", get(timeline))
        .route("/customers/{id}/shipments", get(customer_shipments))
        .route("/shipments", post(write_shipments))
        .route("/customers/{id}/invoices", get(customer_invoices))
        .route("/customers/{id}/payments", get(customer_payments))
        .route("/invoices", post(write_invoices))
        .route("/invoices/by-number/{no}", get(invoice_by_no))
        .route("/invoices/{id}", get(get_invoice).delete(delete_invoice))
        .route(
            "/imports",
            get(list_imports)
                .post(upload_import)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/imports/{id}", get(get_import))
        .route("/exports/{kind}", get(export_list))
        .route("/imports/{id}/errors", get(import_errors))
        .route("/payments", post(write_payments))
        .route("/payments/{id}", get(get_payment).delete(delete_payment))
        .route("/shipments/by-waybill/{no}", get(shipment_by_waybill))
        .route("/shipments/{id}", get(get_shipment).delete(delete_shipment))
        .route(
            "/shipments/{id}/events",
            get(shipment_events).post(add_shipment_events),
        )
        .route(
            "/customers/{id}/contacts",
            get(list_contacts).post(add_contact),
        )
        .route(
            "/customers/{id}/contacts/{cid}",
            axum::routing::patch(update_contact).delete(delete_contact),
        )
        .route(
            "/customers/{id}/contacts/{cid}/reveal",
            post(reveal_contact),
        )
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", axum::routing::patch(update_user))
        .route("/org-units", get(list_units).post(create_unit))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/audit", get(audit_log))
        .route("/policies/pool", get(get_pool_policy).put(set_pool_policy))
        .route(
            "/policies/classification",
            get(get_class_policy).put(set_class_policy),
        )
        .route(
            "/policies/classification/versions",
            get(class_policy_versions),
        )
        .route(
            "/classification/runs",
            get(class_runs).post(class_recompute),
        )
        .route("/customers/{id}/classification", get(customer_class))
        .route(
            "/customers/{id}/classification/history",
            get(customer_class_history),
        )
        .route("/dashboard", get(dashboard))
        .fallback(api_not_found)
}

async fn api_not_found(crate::extract::ReqLang(lang): crate::extract::ReqLang) -> WebError {
    WebError::api(AppError::NotFound, lang)
}

async fn me(u: ApiUser) -> Json<serde_json::Value> {
    Json(json!({
        "id": u.actor.id.map(|i| i.to_string()),
        "username": u.actor.username,
        "display_name": u.actor.name,
        "role": u.actor.role,
        "org_unit_id": u.actor.unit_id.to_string(),
        "lang": u.lang.code(),
    }))
}

async fn list_customers(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let page = customers::list(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(page).into_response())
}

async fn create_customer(
    State(app): State<App>,
    u: ApiUser,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    idempotent(&app, &u, &headers, "POST /api/v1/customers", body, |body| {
        let (app, u) = (app.clone(), &u);
        async move {
            let mut body = body;
            // The customer's fields and its `contacts`, each checked with exact field paths.
            let contacts = match body.as_object_mut().and_then(|o| o.remove("contacts")) {
                Some(v) => crate::extract::from_value::<Vec<ContactInput>>(v, "contacts", u.lang)?,
                None => Vec::new(),
            };
            let customer: CustomerInput = crate::extract::from_value(body, "", u.lang)?;
            let input = NewCustomer { customer, contacts };
            let d = customers::create(&app, &u.actor, &input).await.or_api(u)?;
            let value = serde_json::to_value(d)
                .map_err(AppError::from_err)
                .or_api(u)?;
            Ok((StatusCode::CREATED, value))
        }
    })
    .await
}

/// Runs a write that a client may retry. With an `Idempotency-Key` header, the first
/// request's answer is kept and a retry with the same key and body gets it again (with
/// `Idempotent-Replayed: true`) instead of writing twice; a failed request frees its key.
/// A `201` answer carries the new resource's `Location` (from its `id` or `customer.id`).
async fn idempotent<F, Fut>(
    app: &App,
    u: &ApiUser,
    headers: &axum::http::HeaderMap,
    operation: &str,
    body: serde_json::Value,
    write: F,
) -> ApiResult<Response>
where
    F: FnOnce(serde_json::Value) -> Fut,
    Fut: std::future::Future<Output = ApiResult<(StatusCode, serde_json::Value)>>,
{
    use consign_app::idempotency::{self, Begin};
    let respond = |status: StatusCode, value: serde_json::Value, replayed: bool| {
        let id = value["id"]
            .as_str()
            .or_else(|| value["customer"]["id"].as_str())
            .map(str::to_string);
        let mut r = (status, Json(value)).into_response();
        if status == StatusCode::CREATED {
            if let Some(loc) = id
                .map(|id| format!("{}/{id}", operation.trim_start_matches("POST ")))
                .and_then(|l| axum::http::HeaderValue::from_str(&l).ok())
            {
                r.headers_mut().insert(axum::http::header::LOCATION, loc);
            }
        }
        if replayed {
            r.headers_mut().insert(
                "Idempotent-Replayed",
                axum::http::HeaderValue::from_static("true"),
            );
        }
        r
    };
    let key = match headers.get(idempotency::HEADER) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| {
                    consign_app::AppError::field(idempotency::HEADER, "err.idempotency_key_invalid")
                })
                .or_api(u)?
                .to_string(),
        ),
    };
    let Some(key) = key else {
        let (status, value) = write(body).await?;
        return Ok(respond(status, value, false));
    };
    match idempotency::begin(app, &u.actor, &key, operation, &body)
        .await
        .or_api(u)?
    {
        Begin::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let value = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
            Ok(respond(status, value, true))
        }
        Begin::Proceed => match write(body).await {
            Ok((status, value)) => {
                idempotency::finish(app, &u.actor, &key, status.as_u16(), &value.to_string())
                    .await
                    .or_api(u)?;
                Ok(respond(status, value, false))
            }
            Err(e) => {
                // The failure is the answer; freeing the key must not hide it.
                if let Err(free) = idempotency::abandon(app, &u.actor, &key).await {
                    tracing::warn!(error = %free, "could not free an idempotency key");
                }
                Err(e)
            }
        },
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DuplicateCheck {
    name: String,
    #[serde(default)]
    uscc: Option<String>,
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    exclude_id: Option<String>,
}

async fn check_duplicates(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<DuplicateCheck>,
) -> ApiResult<Response> {
    let phones: Vec<String> = b
        .phones
        .iter()
        .filter_map(|p| consign_domain::validate::phone(p).ok())
        .collect();
    let uscc = b
        .uscc
        .as_deref()
        .and_then(|s| consign_domain::validate::uscc(s).ok());
    let exclude = b.exclude_id.and_then(|s| s.parse().ok());
    let hits =
        customers::find_duplicates(&app, &u.actor, &b.name, uscc.as_deref(), &phones, exclude)
            .await
            .or_api(&u)?;
    // Only customers the caller may see are named; the count tells the rest.
    let total = hits.len();
    let mut shown = Vec::new();
    for h in hits {
        if !h.hidden {
            shown.push(json!({
                "id": h.id.to_string(), "code": h.code, "name": h.name, "owner_name": h.owner_name,
                "reasons": h.reasons.iter().map(|r| json!({"code": r, "message": u.lang.t(r)})).collect::<Vec<_>>(),
            }));
        }
    }
    Ok(Json(json!({"total": total, "duplicates": shown})).into_response())
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn customer_shipments(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Response> {
    let (page_no, per_page) = paging(q.page, q.per_page, 50, 200, &u)?;
    let page = shipments::for_customer(&app, &u.actor, id(&cid, &u)?, page_no, per_page)
        .await
        .or_api(&u)?;
    Ok(Json(page).into_response())
}

async fn get_shipment(
    State(app): State<App>,
    u: ApiUser,
    Path(sid): Path<String>,
) -> ApiResult<Response> {
    let s = shipments::get(&app, &u.actor, id(&sid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(s).into_response())
}

async fn shipment_by_waybill(
    State(app): State<App>,
    u: ApiUser,
    Path(no): Path<String>,
) -> ApiResult<Response> {
    let s = shipments::get_by_waybill(&app, &u.actor, &no)
        .await
        .or_api(&u)?;
    Ok(Json(s).into_response())
}

async fn shipment_events(
    State(app): State<App>,
    u: ApiUser,
    Path(sid): Path<String>,
) -> ApiResult<Response> {
    let items = shipments::events(&app, &u.actor, id(&sid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(json!({ "items": items })).into_response())
}

/// Tracking events, `{"items": [{"at", "place", "status_text"}]}`; repeats are kept once.
async fn add_shipment_events(
    State(app): State<App>,
    u: ApiUser,
    Path(sid): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Events {
        items: Vec<shipments::EventInput>,
    }
    let events: Events = crate::extract::from_value(body, "", u.lang)?;
    let sid = id(&sid, &u)?;
    let added = shipments::add_events(&app, &u.actor, sid, &events.items)
        .await
        .or_api(&u)?;
    let items = shipments::events(&app, &u.actor, sid).await.or_api(&u)?;
    Ok(Json(json!({ "added": added, "items": items })).into_response())
}

async fn delete_shipment(
    State(app): State<App>,
    u: ApiUser,
    Path(sid): Path<String>,
) -> ApiResult<Response> {
    shipments::delete(&app, &u.actor, id(&sid, &u)?)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct ImportQuery {
    kind: Option<String>,
    encoding: Option<String>,
    unknown_customers: Option<String>,
    profile: Option<String>,
    file_name: Option<String>,
    allow_duplicates: Option<bool>,
}

/// Largest file the API takes.
const MAX_UPLOAD: u64 = 4 * 1024 * 1024 * 1024;

/// A file to import as the request body (CSV or XLSX bytes, streamed to disk), options
/// in the query. Answers `202 Accepted` with the run (poll `GET /imports/{id}`).
async fn upload_import(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: axum::body::Body,
) -> ApiResult<Response> {
    use consign_app::imports::{self, ImportKind, ImportOptions, UnknownCustomers};
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    let field = |f: &str, code: &'static str| WebError::api(AppError::field(f, code), u.lang);
    let kind = ImportKind::parse(q.kind.as_deref().unwrap_or(""))
        .ok_or_else(|| field("kind", "err.invalid_choice"))?;
    let encoding = match q.encoding.as_deref().filter(|e| !e.is_empty()) {
        Some(e) => Some(
            consign_app::tabular::TextEncoding::parse(e)
                .ok_or_else(|| field("encoding", "err.invalid_choice"))?,
        ),
        None => None,
    };
    let unknown_customers = match q.unknown_customers.as_deref().filter(|e| !e.is_empty()) {
        Some(v) => Some(
            UnknownCustomers::parse(v)
                .ok_or_else(|| field("unknown_customers", "err.invalid_choice"))?,
        ),
        None => None,
    };
    let profile = match q.profile.as_deref().filter(|p| !p.is_empty()) {
        Some(name) => imports::load_profile(&app, name)
            .await
            .or_api(&u)?
            .ok_or_else(|| field("profile", "err.invalid_choice"))?,
        None => Default::default(),
    };
    // Who may import this kind is known before a byte of the body is read.
    imports::authorize(&u.actor, kind).or_api(&u)?;
    let internal = |e: std::io::Error| WebError::api(AppError::from_err(e), u.lang);
    let tmp = imports::new_upload(&app).map_err(internal)?;
    let mut out = tokio::fs::File::from_std(tmp.reopen().map_err(internal)?);
    let mut stream = body.into_data_stream();
    let mut size = 0u64;
    loop {
        let chunk = match tokio::time::timeout(crate::limits::UPLOAD_IDLE, stream.next()).await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(_) => {
                return Err(WebError::bad_request(
                    crate::error::Surface::Api,
                    u.lang,
                    "the upload stalled",
                ))
            }
        };
        let chunk = chunk.map_err(|e| {
            WebError::bad_request(crate::error::Surface::Api, u.lang, &e.to_string())
        })?;
        size += chunk.len() as u64;
        if size > MAX_UPLOAD {
            return Err(field("file", "err.file_too_large"));
        }
        out.write_all(&chunk).await.map_err(internal)?;
    }
    out.flush().await.map_err(internal)?;
    if size == 0 {
        return Err(field("file", "err.required"));
    }
    let opts = ImportOptions {
        kind: Some(kind),
        encoding,
        unknown_customers,
        profile,
        file_name: q
            .file_name
            .unwrap_or_else(|| format!("{}.upload", kind.as_str())),
        allow_duplicates: q.allow_duplicates.unwrap_or(false),
    };
    let id = imports::start_upload(&app, &u.actor, tmp.into_temp_path(), opts)
        .await
        .or_api(&u)?;
    let (run, _) = imports::run_detail(&app, &u.actor, id, u.lang)
        .await
        .or_api(&u)?;
    let mut r = (StatusCode::ACCEPTED, Json(run)).into_response();
    if let Ok(loc) = axum::http::HeaderValue::from_str(&format!("/api/v1/imports/{id}")) {
        r.headers_mut().insert(axum::http::header::LOCATION, loc);
    }
    Ok(r)
}

#[derive(Deserialize)]
struct ExportQuery {
    format: Option<String>,
    customer_id: Option<String>,
}

/// A list as a CSV or XLSX file: `customers` (with the customer list's filters),
/// `shipments`, `invoices`, `payments` (all, or one customer's with `customer_id`).
async fn export_list(
    State(app): State<App>,
    u: ApiUser,
    Path(kind): Path<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
    ApiQuery(filters): ApiQuery<ListQuery>,
    ApiQuery(tickets): ApiQuery<consign_app::service::TicketQuery>,
) -> ApiResult<Response> {
    use consign_app::exports::{Export, Format};
    let format = match q.format.as_deref() {
        None | Some("") => Format::Csv,
        Some(f) => Format::parse(f).ok_or_else(|| {
            WebError::api(AppError::field("format", "err.invalid_choice"), u.lang)
        })?,
    };
    let customer = match q.customer_id.as_deref() {
        None | Some("") => None,
        Some(c) => Some(id(c, &u)?),
    };
    let what = match kind.as_str() {
        "customers" => Export::Customers(Box::new(filters)),
        "shipments" => Export::Shipments(customer),
        "invoices" => Export::Invoices(customer),
        "payments" => Export::Payments(customer),
        "tickets" => Export::Tickets(Box::new(tickets)),
        _ => return Err(WebError::api(AppError::NotFound, u.lang)),
    };
    crate::downloads::download(&app, &u.actor, what, format, &kind)
        .await
        .or_api(&u)
}

async fn list_imports(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let items = consign_app::imports::runs(&app, &u.actor, u.lang)
        .await
        .or_api(&u)?;
    Ok(Json(json!({ "items": items })).into_response())
}

/// A run: its status and counts, and its first 100 bad rows.
async fn get_import(
    State(app): State<App>,
    u: ApiUser,
    Path(rid): Path<String>,
) -> ApiResult<Response> {
    let (run, bad) = consign_app::imports::run_detail(&app, &u.actor, id(&rid, &u)?, u.lang)
        .await
        .or_api(&u)?;
    let mut value = to_json(&run, &u)?;
    value["errors"] = to_json(&bad, &u)?;
    Ok(Json(value).into_response())
}

/// Every bad row of a run as CSV (row, column, value, reason in the caller's language).
async fn import_errors(
    State(app): State<App>,
    u: ApiUser,
    Path(rid): Path<String>,
) -> ApiResult<Response> {
    let mut out = Vec::new();
    consign_app::imports::run_report(&app, &u.actor, id(&rid, &u)?, u.lang, &mut out)
        .await
        .or_api(&u)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        out,
    )
        .into_response())
}

/// The items of a write: one object, or a batch `{"items": [...]}`; true for a batch.
fn one_or_batch<T: serde::de::DeserializeOwned>(
    body: serde_json::Value,
    u: &ApiUser,
) -> ApiResult<(bool, Vec<T>)> {
    if body.get("items").is_some() {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Batch<T> {
            items: Vec<T>,
        }
        Ok((
            true,
            crate::extract::from_value::<Batch<T>>(body, "", u.lang)?.items,
        ))
    } else {
        Ok((
            false,
            vec![crate::extract::from_value::<T>(body, "", u.lang)?],
        ))
    }
}

/// The answer to a write: for a batch the counts and every item; for one item the record
/// with its `outcome`, `201 Created` when it is new.
fn written_answer(
    batch: bool,
    written: Vec<(Outcome, serde_json::Value)>,
    u: &ApiUser,
) -> ApiResult<(StatusCode, serde_json::Value)> {
    if batch {
        let count = |o: Outcome| written.iter().filter(|w| w.0 == o).count();
        let value = json!({
            "created": count(Outcome::Created),
            "updated": count(Outcome::Updated),
            "unchanged": count(Outcome::Unchanged),
            "items": written.iter().map(|(o, v)| {
                let mut v = v.clone();
                v["outcome"] = json!(o);
                v
            }).collect::<Vec<_>>(),
        });
        return Ok((StatusCode::OK, value));
    }
    let (outcome, mut value) = written
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
        .or_api(u)?;
    value["outcome"] = json!(outcome);
    let status = if outcome == Outcome::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, value))
}

fn to_json<T: serde::Serialize>(v: &T, u: &ApiUser) -> ApiResult<serde_json::Value> {
    serde_json::to_value(v)
        .map_err(AppError::from_err)
        .or_api(u)
}

/// One shipment (an object) or a batch (`{"items": [...]}`, at most 1,000), created or
/// replaced by waybill number; all or none.
async fn write_shipments(
    State(app): State<App>,
    u: ApiUser,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    idempotent(&app, &u, &headers, "POST /api/v1/shipments", body, |body| {
        let (app, u) = (app.clone(), &u);
        async move {
            let (batch, inputs) = one_or_batch::<ShipmentInput>(body, u)?;
            let written = shipments::upsert(&app, &u.actor, &inputs).await.or_api(u)?;
            let written = written
                .iter()
                .map(|w| Ok((w.outcome, to_json(&w.shipment, u)?)))
                .collect::<ApiResult<Vec<_>>>()?;
            written_answer(batch, written, u)
        }
    })
    .await
}

/// One invoice or a batch, created or replaced by invoice number; all or none.
async fn write_invoices(
    State(app): State<App>,
    u: ApiUser,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    idempotent(&app, &u, &headers, "POST /api/v1/invoices", body, |body| {
        let (app, u) = (app.clone(), &u);
        async move {
            let (batch, inputs) = one_or_batch::<billing::InvoiceInput>(body, u)?;
            let written = billing::upsert_invoices(&app, &u.actor, &inputs)
                .await
                .or_api(u)?;
            let written = written
                .iter()
                .map(|w| Ok((w.outcome, to_json(&w.invoice, u)?)))
                .collect::<ApiResult<Vec<_>>>()?;
            written_answer(batch, written, u)
        }
    })
    .await
}

/// One payment or a batch, created or replaced by payment number; all or none.
async fn write_payments(
    State(app): State<App>,
    u: ApiUser,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    idempotent(&app, &u, &headers, "POST /api/v1/payments", body, |body| {
        let (app, u) = (app.clone(), &u);
        async move {
            let (batch, inputs) = one_or_batch::<billing::PaymentInput>(body, u)?;
            let written = billing::upsert_payments(&app, &u.actor, &inputs)
                .await
                .or_api(u)?;
            let written = written
                .iter()
                .map(|w| Ok((w.outcome, to_json(&w.payment, u)?)))
                .collect::<ApiResult<Vec<_>>>()?;
            written_answer(batch, written, u)
        }
    })
    .await
}

/// A customer's invoices (paged) with its receivables and their aging.
async fn customer_invoices(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Response> {
    let (page_no, per_page) = paging(q.page, q.per_page, 50, 200, &u)?;
    let (page, receivables) =
        billing::invoices_for_customer(&app, &u.actor, id(&cid, &u)?, page_no, per_page)
            .await
            .or_api(&u)?;
    let mut value = to_json(&page, &u)?;
    value["receivables"] = to_json(&receivables, &u)?;
    Ok(Json(value).into_response())
}

async fn customer_payments(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Response> {
    let (page_no, per_page) = paging(q.page, q.per_page, 50, 200, &u)?;
    let page = billing::payments_for_customer(&app, &u.actor, id(&cid, &u)?, page_no, per_page)
        .await
        .or_api(&u)?;
    Ok(Json(page).into_response())
}

async fn get_invoice(
    State(app): State<App>,
    u: ApiUser,
    Path(iid): Path<String>,
) -> ApiResult<Response> {
    let v = billing::get_invoice(&app, &u.actor, id(&iid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(v).into_response())
}

async fn invoice_by_no(
    State(app): State<App>,
    u: ApiUser,
    Path(no): Path<String>,
) -> ApiResult<Response> {
    let v = billing::get_invoice_by_no(&app, &u.actor, &no)
        .await
        .or_api(&u)?;
    Ok(Json(v).into_response())
}

async fn delete_invoice(
    State(app): State<App>,
    u: ApiUser,
    Path(iid): Path<String>,
) -> ApiResult<Response> {
    billing::delete_invoice(&app, &u.actor, id(&iid, &u)?)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn get_payment(
    State(app): State<App>,
    u: ApiUser,
    Path(pid): Path<String>,
) -> ApiResult<Response> {
    let v = billing::get_payment(&app, &u.actor, id(&pid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(v).into_response())
}

async fn delete_payment(
    State(app): State<App>,
    u: ApiUser,
    Path(pid): Path<String>,
) -> ApiResult<Response> {
    billing::delete_payment(&app, &u.actor, id(&pid, &u)?)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn get_customer(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let d = customers::get(&app, &u.actor, id(&cid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(d).into_response())
}

async fn update_customer(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<CustomerInput>,
) -> ApiResult<Response> {
    let d = customers::update(&app, &u.actor, id(&cid, &u)?, &input)
        .await
        .or_api(&u)?;
    Ok(Json(d).into_response())
}

macro_rules! transition {
    ($name:ident, $f:path) => {
        async fn $name(
            State(app): State<App>,
            u: ApiUser,
            Path(cid): Path<String>,
        ) -> ApiResult<Response> {
            let d = $f(&app, &u.actor, id(&cid, &u)?).await.or_api(&u)?;
            Ok(Json(d).into_response())
        }
    };
}
transition!(archive, customers::archive);
transition!(restore, customers::restore);
transition!(release, customers::release);
transition!(claim, customers::claim);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    into_id: String,
}

async fn merge(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult<Response> {
    let into = b.into_id.trim().parse().map_err(|_| {
        WebError::api(
            AppError::field("into_id", "err.merge_target_missing"),
            u.lang,
        )
    })?;
    let d = customers::merge(&app, &u.actor, id(&cid, &u)?, into)
        .await
        .or_api(&u)?;
    Ok(Json(d).into_response())
}

async fn reveal_customer(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let r = customers::reveal(&app, &u.actor, id(&cid, &u)?, None)
        .await
        .or_api(&u)?;
    Ok(Json(r).into_response())
}

#[derive(Deserialize)]
struct PageQ {
    page: Option<u64>,
}

async fn timeline(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(p): ApiQuery<PageQ>,
) -> ApiResult<Response> {
    let (items, total) = customers::timeline(&app, &u.actor, id(&cid, &u)?, p.page.unwrap_or(1))
        .await
        .or_api(&u)?;
    Ok(
        Json(json!({"items": items, "total": total, "page": p.page.unwrap_or(1), "per_page": 30}))
            .into_response(),
    )
}

async fn list_contacts(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let d = customers::get(&app, &u.actor, id(&cid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(json!({"items": d.contacts, "total": d.contacts.len()})).into_response())
}

async fn add_contact(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(b): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    let k = customers::add_contact(&app, &u.actor, id(&cid, &u)?, &b)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(k)).into_response())
}

async fn update_contact(
    State(app): State<App>,
    u: ApiUser,
    Path((cid, kid)): Path<(String, String)>,
    ApiJson(b): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    let k = customers::update_contact(&app, &u.actor, id(&cid, &u)?, id(&kid, &u)?, &b)
        .await
        .or_api(&u)?;
    Ok(Json(k).into_response())
}

async fn delete_contact(
    State(app): State<App>,
    u: ApiUser,
    Path((cid, kid)): Path<(String, String)>,
) -> ApiResult<Response> {
    customers::delete_contact(&app, &u.actor, id(&cid, &u)?, id(&kid, &u)?)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn reveal_contact(
    State(app): State<App>,
    u: ApiUser,
    Path((cid, kid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let r = customers::reveal(&app, &u.actor, id(&cid, &u)?, Some(id(&kid, &u)?))
        .await
        .or_api(&u)?;
    Ok(Json(r).into_response())
}

async fn list_users(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let list = users::list(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(json!({"items": list, "total": list.len()})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserBody {
    username: String,
    display_name: String,
    #[serde(default)]
    email: Option<String>,
    role: String,
    #[serde(default)]
    org_unit_id: Option<String>,
    password: String,
}

async fn create_user(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<NewUserBody>,
) -> ApiResult<Response> {
    let org_unit_id = match b
        .org_unit_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(s.parse().map_err(|_| {
            WebError::api(AppError::field("org_unit_id", "err.unknown_unit"), u.lang)
        })?),
        None => None,
    };
    let n = users::NewUser {
        username: b.username,
        display_name: b.display_name,
        email: b.email,
        role: b.role,
        org_unit_id,
        password: b.password,
    };
    let v = users::create(&app, &u.actor, &n).await.or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserPatch {
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    org_unit_id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    disabled: Option<bool>,
    #[serde(default)]
    password: Option<String>,
}

async fn update_user(
    State(app): State<App>,
    u: ApiUser,
    Path(uid): Path<String>,
    ApiJson(b): ApiJson<UserPatch>,
) -> ApiResult<Response> {
    let uid = id(&uid, &u)?;
    let e = |e| WebError::api(e, u.lang);
    let unit = match b.org_unit_id.as_deref() {
        Some(s) => Some(
            s.trim()
                .parse()
                .map_err(|_| e(AppError::field("org_unit_id", "err.unknown_unit")))?,
        ),
        None => None,
    };
    let mut v = users::update(
        &app,
        &u.actor,
        uid,
        b.role.as_deref(),
        unit,
        b.display_name.as_deref(),
    )
    .await
    .map_err(e)?;
    if let Some(d) = b.disabled {
        users::set_disabled(&app, &u.actor, &v.username, d)
            .await
            .map_err(e)?;
        v.disabled = d;
    }
    if let Some(p) = b.password {
        users::set_password(&app, &u.actor, &v.username, &p)
            .await
            .map_err(e)?;
        // The user's sessions end and its API tokens are revoked with the old password.
    }
    Ok(Json(v).into_response())
}

async fn list_units(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let list = users::units(&app).await.or_api(&u)?;
    let items: Vec<_> = list
        .iter()
        .map(|x| json!({"id": x.id.to_string(), "parent_id": x.parent_id.map(|p| p.to_string()), "name": x.name, "kind": x.kind, "path": x.path}))
        .collect();
    Ok(Json(json!({"items": items, "total": items.len()})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUnit {
    parent_id: String,
    name: String,
    kind: String,
}

async fn create_unit(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<NewUnit>,
) -> ApiResult<Response> {
    let parent = b
        .parent_id
        .trim()
        .parse()
        .map_err(|_| WebError::api(AppError::field("parent_id", "err.unknown_unit"), u.lang))?;
    let x = users::create_unit(&app, &u.actor, parent, &b.name, &b.kind)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(json!({"id": x.id.to_string(), "parent_id": x.parent_id.map(|p| p.to_string()), "name": x.name, "kind": x.kind, "path": x.path}))).into_response())
}

async fn list_tokens(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let list = users::tokens(&app, &u.actor, u.actor.user_id())
        .await
        .or_api(&u)?;
    let items: Vec<_> = list
        .iter()
        .map(|t| json!({"id": t.id.to_string(), "name": t.name, "prefix": t.prefix, "created_at": t.created_at, "last_used_at": t.last_used_at, "revoked_at": t.revoked_at, "expires_at": t.expires_at}))
        .collect();
    Ok(Json(json!({"items": items, "total": items.len()})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    name: String,
    /// Days the token is valid (1–3650); without it, until revoked.
    #[serde(default)]
    expires_days: Option<i64>,
}

async fn create_token(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<NewToken>,
) -> ApiResult<Response> {
    let (t, raw) = auth::create_token(&app, &u.actor, u.actor.user_id(), &b.name, b.expires_days)
        .await
        .or_api(&u)?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": t.id.to_string(), "name": t.name, "token": raw, "prefix": t.prefix, "expires_at": t.expires_at}),
        ),
    )
        .into_response())
}

async fn revoke_token(
    State(app): State<App>,
    u: ApiUser,
    Path(tid): Path<String>,
) -> ApiResult<Response> {
    auth::revoke_token(&app, &u.actor, u.actor.user_id(), id(&tid, &u)?)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct AuditQ {
    actor_id: Option<i64>,
    action: Option<String>,
    entity_type: Option<String>,
    customer_id: Option<i64>,
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn audit_log(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<AuditQ>,
) -> ApiResult<Response> {
    let (page_no, per_page) = paging(q.page, q.per_page, 50, 500, &u)?;
    let aq = AuditQuery {
        actor_id: q.actor_id,
        action: q.action,
        entity_type: q.entity_type,
        customer_id: q.customer_id,
        page: page_no,
        per_page,
    };
    let (items, total) = consign_app::audit::list(&app, &u.actor, &aq)
        .await
        .or_api(&u)?;
    Ok(
        Json(json!({"items": items, "total": total, "page": aq.page, "per_page": aq.per_page}))
            .into_response(),
    )
}

async fn get_pool_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let d = customers::reclaim_days(&app).await.or_api(&u)?;
    Ok(Json(json!({"reclaim_days": d})).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolPolicy {
    reclaim_days: i64,
}

async fn set_pool_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<PoolPolicy>,
) -> ApiResult<Response> {
    let d = customers::set_reclaim_days(&app, &u.actor, &b.reclaim_days.to_string())
        .await
        .or_api(&u)?;
    Ok(Json(json!({"reclaim_days": d})).into_response())
}

async fn get_class_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    if !u.actor.role.can_analyse() {
        return Err(WebError::api(AppError::Forbidden, u.lang));
    }
    let pv = consign_app::classification::current_policy(&app)
        .await
        .or_api(&u)?;
    Ok(Json(pv).into_response())
}

async fn class_policy_versions(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    if !u.actor.role.can_analyse() {
        return Err(WebError::api(AppError::Forbidden, u.lang));
    }
    let v = consign_app::classification::policy_versions(&app)
        .await
        .or_api(&u)?;
    Ok(Json(json!({ "items": v })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyChange {
    policy: consign_domain::classify::Policy,
    #[serde(default)]
    note: String,
    /// Reclassify as of today under the new version (default true).
    #[serde(default)]
    recompute: Option<bool>,
}

async fn set_class_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<PolicyChange>,
) -> ApiResult<Response> {
    let version = consign_app::classification::save_policy(&app, &u.actor, b.policy, &b.note)
        .await
        .or_api(&u)?;
    let run = if b.recompute.unwrap_or(true) {
        Some(
            consign_app::classification::recompute(&app, None, "policy")
                .await
                .or_api(&u)?,
        )
    } else {
        None
    };
    Ok(Json(json!({ "version": version, "run": run })).into_response())
}

async fn class_runs(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    if !u.actor.role.can_analyse() {
        return Err(WebError::api(AppError::Forbidden, u.lang));
    }
    let runs = consign_app::classification::runs(&app).await.or_api(&u)?;
    Ok(Json(json!({ "items": runs })).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Recompute {
    /// YYYY-MM-DD; absent or null: today.
    #[serde(default)]
    as_of: Option<String>,
}

async fn class_recompute(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<Recompute>,
) -> ApiResult<Response> {
    // Absent or null: today. Anything else must be a day (an empty text is not one).
    let as_of = match b.as_of.as_deref() {
        Some(s) => Some(
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                let mut e = consign_domain::FieldErrors::new();
                e.add("as_of", "err.date_format");
                WebError::api(AppError::Validation(e), u.lang)
            })?,
        ),
        None => None,
    };
    let s = consign_app::classification::recompute_by(&app, &u.actor, as_of)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(s)).into_response())
}

async fn customer_class(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    customers::visible_customer(&app, &u.actor, cid)
        .await
        .or_api(&u)?;
    let c = consign_app::classification::of_customer(&app, cid, u.lang)
        .await
        .or_api(&u)?
        .ok_or_else(|| WebError::api(AppError::NotFound, u.lang))?;
    Ok(Json(c).into_response())
}

async fn customer_class_history(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    customers::visible_customer(&app, &u.actor, cid)
        .await
        .or_api(&u)?;
    let h = consign_app::classification::history(&app, cid)
        .await
        .or_api(&u)?;
    let items: Vec<serde_json::Value> = h
        .into_iter()
        .map(|(as_of, version, v)| json!({ "as_of": as_of, "policy_version": version, "verdict": v }))
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}

async fn dashboard(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<consign_app::dashboard::DashQuery>,
) -> ApiResult<Response> {
    let d = consign_app::dashboard::dashboard(&app, &u.actor, &q)
        .await
        .or_api(&u)?
        .ok_or_else(|| WebError::api(AppError::NotFound, u.lang))?;
    Ok(Json(d).into_response())
}
