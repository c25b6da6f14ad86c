//! Imports (files in, runs, bad rows) and exports (lists as files).

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

/// The import and export routes.
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route(
            "/imports",
            get(list_imports)
                .post(upload_import)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/imports/{id}", get(get_import))
        .route("/exports/{kind}", get(export_list))
        .route("/imports/{id}/errors", get(import_errors))
}

#[derive(Deserialize)]
pub(crate) struct ImportQuery {
    pub(crate) kind: Option<String>,
    pub(crate) encoding: Option<String>,
    pub(crate) unknown_customers: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) file_name: Option<String>,
    pub(crate) allow_duplicates: Option<bool>,
}

/// Largest file the API takes.
const MAX_UPLOAD: u64 = 4 * 1024 * 1024 * 1024;

/// A file to import as the request body (CSV or XLSX bytes, streamed to disk), options
/// in the query. Answers `202 Accepted` with the run (poll `GET /imports/{id}`).
pub(crate) async fn upload_import(
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
        Some(name) => imports::load_profile(&app, &u.actor, name)
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
pub(crate) struct ExportQuery {
    pub(crate) format: Option<String>,
    pub(crate) customer_id: Option<String>,
}

/// A list as a CSV or XLSX file: `customers` (with the customer list's filters),
/// `shipments`, `invoices`, `payments` (all, or one customer's with `customer_id`).
pub(crate) async fn export_list(
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

pub(crate) async fn list_imports(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let items = consign_app::imports::runs(&app, &u.actor, u.lang)
        .await
        .or_api(&u)?;
    Ok(Json(json!({ "items": items })).into_response())
}

/// A run: its status and counts, and its first 100 bad rows.
pub(crate) async fn get_import(
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
pub(crate) async fn import_errors(
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
