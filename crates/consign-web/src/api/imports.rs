//! Imports (files in, runs, bad rows) and exports (lists as files).

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

use utoipa_axum::router::UtoipaMethodRouterExt;

/// The import and export routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(
            routes!(list_imports, upload_import).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .routes(routes!(get_import))
        .routes(routes!(import_errors))
        .routes(routes!(export_customers))
        .routes(routes!(export_shipments))
        .routes(routes!(export_invoices))
        .routes(routes!(export_payments))
        .routes(routes!(export_tickets))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportQuery {
    #[param(required = true, inline, value_type = consign_app::imports::ImportKind)]
    pub(crate) kind: Option<String>,
    #[param(inline, value_type = Option<consign_app::tabular::TextEncoding>)]
    pub(crate) encoding: Option<String>,
    #[param(inline, value_type = Option<consign_app::imports::UnknownCustomers>)]
    pub(crate) unknown_customers: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) file_name: Option<String>,
    pub(crate) allow_duplicates: Option<bool>,
}

/// A file as the request body: its bytes.
pub(crate) struct FileBytes;

impl utoipa::PartialSchema for FileBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for FileBytes {}

/// Largest file the API takes.
const MAX_UPLOAD: u64 = 4 * 1024 * 1024 * 1024;

/// Import a file
///
/// The request body: CSV in UTF-8 or GBK, or XLSX; streamed to disk. 202 with the run; it
/// imports in the background: poll GET /api/v1/imports/{id}.
#[utoipa::path(post, path = "/imports", tag = "imports", params(ImportQuery),
    request_body(content(
        (FileBytes = "text/csv"),
        (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 202, body = consign_app::imports::RunView)))]
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

/// The file format of an export.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    #[param(inline, value_type = Option<FileFormat>)]
    pub(crate) format: Option<String>,
}

/// CSV (the default) or XLSX.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub(crate) enum FileFormat {
    Csv,
    Xlsx,
}

/// A list's filters as an export reads them: every page, so without `page` and `per_page`.
pub(crate) struct AllPages<T>(std::marker::PhantomData<T>);

impl<T: IntoParams> IntoParams for AllPages<T> {
    fn into_params(
        parameter_in: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        let mut all = T::into_params(parameter_in);
        // A file has every row, and no totals line.
        all.retain(|p| !matches!(p.name.as_str(), "page" | "per_page" | "totals"));
        all
    }
}

/// All the caller may see, or one customer's.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OfCustomer {
    pub(crate) customer_id: Option<String>,
}

/// The file an export answers.
pub(crate) struct ExportFile;

impl utoipa::IntoResponses for ExportFile {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        use utoipa::openapi::{content::Content, response::ResponseBuilder};
        use utoipa::PartialSchema;
        let file = ResponseBuilder::new()
            .description("The file")
            .content("text/csv", Content::new(Some(String::schema())))
            .content(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                Content::new(Some(FileBytes::schema())),
            )
            .build();
        [("200".to_string(), file.into())].into()
    }
}

/// Export the customer list (with its filters) as a file with the columns the import takes. Audited.
#[utoipa::path(get, path = "/exports/customers", tag = "imports", params(FormatQuery, AllPages<ListQuery>),
    responses(ExportFile))]
pub(crate) async fn export_customers(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
    ApiQuery(filters): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let what = consign_app::exports::Export::Customers(Box::new(filters));
    export(&app, &u, q, what, "customers").await
}

/// An export of a list that is all the caller may see, or one customer's.
macro_rules! export_of_customer {
    ($name:ident, $path:literal, $variant:ident, $kind:literal, $summary:literal) => {
        #[doc = $summary]
        #[utoipa::path(get, path = $path, tag = "imports", params(FormatQuery, OfCustomer), responses(ExportFile))]
        pub(crate) async fn $name(
            State(app): State<App>,
            u: ApiUser,
            ApiQuery(q): ApiQuery<FormatQuery>,
            ApiQuery(c): ApiQuery<OfCustomer>,
        ) -> ApiResult<Response> {
            let what = consign_app::exports::Export::$variant(customer(&c, &u)?);
            export(&app, &u, q, what, $kind).await
        }
    };
}

/// Export the shipments the shipment list's filters match (every page; `customer_id` for
/// one customer's, which whoever may see that customer may export; every customer's only
/// for roles that write operations data), with the columns the import takes. Audited.
#[utoipa::path(get, path = "/exports/shipments", tag = "imports",
    params(FormatQuery, AllPages<consign_app::shipments::ShipmentQuery>), responses(ExportFile))]
pub(crate) async fn export_shipments(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
    ApiQuery(list): ApiQuery<consign_app::shipments::ShipmentQuery>,
) -> ApiResult<Response> {
    let what = consign_app::exports::Export::ShipmentList(Box::new(list));
    export(&app, &u, q, what, "shipments").await
}

export_of_customer!(
    export_invoices,
    "/exports/invoices",
    Invoices,
    "invoices",
    "Export invoices: all you may see, or one customer's as a file with the columns the import takes. Audited."
);
export_of_customer!(
    export_payments,
    "/exports/payments",
    Payments,
    "payments",
    "Export payments: all you may see, or one customer's as a file with the columns the import takes. Audited."
);

/// Export the ticket list (with its filters) as a file with the columns the import takes. Audited.
#[utoipa::path(get, path = "/exports/tickets", tag = "imports",
    params(FormatQuery, AllPages<consign_app::service::TicketQuery>), responses(ExportFile))]
pub(crate) async fn export_tickets(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<FormatQuery>,
    ApiQuery(tickets): ApiQuery<consign_app::service::TicketQuery>,
) -> ApiResult<Response> {
    let what = consign_app::exports::Export::Tickets(Box::new(tickets));
    export(&app, &u, q, what, "tickets").await
}

/// The customer an export is limited to, if any.
fn customer(
    c: &OfCustomer,
    u: &ApiUser,
) -> ApiResult<Option<consign_domain::customer::CustomerId>> {
    match c.customer_id.as_deref() {
        None | Some("") => Ok(None),
        Some(c) => Ok(Some(id(c, u)?)),
    }
}

/// A list as a CSV or XLSX file, named after `kind`.
async fn export(
    app: &App,
    u: &ApiUser,
    q: FormatQuery,
    what: consign_app::exports::Export,
    kind: &str,
) -> ApiResult<Response> {
    use consign_app::exports::Format;
    let format = match q.format.as_deref() {
        None | Some("") => Format::Csv,
        Some(f) => Format::parse(f).ok_or_else(|| {
            WebError::api(AppError::field("format", "err.invalid_choice"), u.lang)
        })?,
    };
    crate::downloads::download(app, &u.actor, what, format, kind)
        .await
        .or_api(u)
}

/// The import runs you may see, newest first: by kind, status and who started them
#[utoipa::path(get, path = "/imports", tag = "imports", params(consign_app::imports::RunQuery),
    responses((status = 200, body = consign_app::imports::RunPage)))]
pub(crate) async fn list_imports(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<consign_app::imports::RunQuery>,
) -> ApiResult<Response> {
    let page = consign_app::imports::runs(&app, &u.actor, u.lang, &q)
        .await
        .or_api(&u)?;
    Ok(Json(page).into_response())
}

/// A run with its first 100 bad rows.
#[derive(Serialize, ToSchema)]
pub(crate) struct ImportRunDetail {
    #[serde(flatten)]
    run: consign_app::imports::RunView,
    errors: Vec<consign_app::imports::BadRow>,
}

/// An import run: status, counts and its first 100 bad rows
#[utoipa::path(get, path = "/imports/{id}", tag = "imports", params(IdPath),
    responses((status = 200, body = ImportRunDetail)))]
pub(crate) async fn get_import(
    State(app): State<App>,
    u: ApiUser,
    Path(rid): Path<String>,
) -> ApiResult<Response> {
    let (run, bad) = consign_app::imports::run_detail(&app, &u.actor, id(&rid, &u)?, u.lang)
        .await
        .or_api(&u)?;
    Ok(Json(ImportRunDetail { run, errors: bad }).into_response())
}

/// Every bad row of a run as CSV (row, column, value, reason)
#[utoipa::path(get, path = "/imports/{id}/errors", tag = "imports", params(IdPath),
    responses((status = 200, description = "CSV", content_type = "text/csv", body = String)))]
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
