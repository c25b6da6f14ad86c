//! REST API `/api/v1`: JSON in and out, ids as strings, errors as problem details.

use crate::error::WebError;
use crate::extract::{ApiJson, ApiQuery, ApiUser};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use consign_app::audit::AuditQuery;
use consign_app::customers::{ContactInput, CustomerInput, ListQuery, NewCustomer};
use consign_app::shipments::{Outcome, ShipmentInput};
use consign_app::Page;
use consign_app::{auth, App, AppError};
use consign_domain::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

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

/// A page number alone (lists whose page size is fixed), or a 422 naming `page`.
pub(crate) fn page(p: Option<u64>, u: &ApiUser) -> ApiResult<u64> {
    params::page_no(p)
        .map_err(|k| AppError::field("page", k))
        .or_api(u)
}

/// A path's id (a customer's: `CustomerId`; a ticket's, a contact's: a number); one that
/// does not parse is "not found", like an id that does not exist.
fn id<T: std::str::FromStr>(s: &str, u: &ApiUser) -> ApiResult<T> {
    s.parse()
        .map_err(|_| WebError::api(AppError::NotFound, u.lang))
}

/// Every API route, each with its OpenAPI operation (`#[utoipa::path]` on the handler):
/// each capability's module owns its own.
pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .merge(customers::routes())
        .merge(kpis::routes())
        .merge(surveys::routes())
        .merge(improvements::routes())
        .merge(credit::routes())
        .merge(shipments::routes())
        .merge(billing::routes())
        .merge(imports::routes())
        .merge(users::routes())
        .merge(classification::routes())
        .merge(service::routes())
        .merge(views::routes())
        .merge(webhooks::routes())
        .merge(portal::routes())
        .merge(tracking::routes())
        .fallback(api_not_found)
}

async fn api_not_found(crate::extract::ReqLang(lang): crate::extract::ReqLang) -> WebError {
    WebError::api(AppError::NotFound, lang)
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

/// A whole list and its length.
#[derive(Serialize, ToSchema)]
pub(crate) struct Listed<T> {
    items: Vec<T>,
    total: usize,
}

impl<T> From<Vec<T>> for Listed<T> {
    fn from(items: Vec<T>) -> Self {
        Listed {
            total: items.len(),
            items,
        }
    }
}

/// A page of a list and its size (at most 200 rows).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    #[param(minimum = 1, maximum = 100000)]
    pub(crate) page: Option<u64>,
    #[param(minimum = 1, maximum = 200)]
    pub(crate) per_page: Option<u64>,
}

/// The path's `{id}` (a customer's, a shipment's, a ticket's …).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct IdPath {
    id: String,
}

/// The path's `{no}`: a waybill or document number.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct NoPath {
    no: String,
}

/// The documents of a records write (`records_write!`): the request, one record or a batch
/// `{"items": [...]}` of at most 1,000, and the answer, the record with its `outcome` or
/// the batch's counts and records.
macro_rules! write_docs {
    ($write:ident, $batch:ident, $input:ty, $written:ident, $one:ident, $many:ident, $view:ty) => {
        #[derive(Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        pub(crate) struct $batch {
            #[schema(max_items = 1000)]
            items: Vec<$input>,
        }

        /// One record, or a batch of at most 1,000 (all or none).
        #[derive(Deserialize, ToSchema)]
        #[serde(untagged)]
        #[allow(dead_code, clippy::large_enum_variant)]
        pub(crate) enum $write {
            One($input),
            Batch($batch),
        }

        #[derive(Serialize, ToSchema)]
        #[allow(dead_code)]
        pub(crate) struct $one {
            #[serde(flatten)]
            record: $view,
            outcome: consign_app::shipments::Outcome,
        }

        #[derive(Serialize, ToSchema)]
        #[allow(dead_code)]
        pub(crate) struct $many {
            created: usize,
            updated: usize,
            unchanged: usize,
            items: Vec<$one>,
        }

        /// The record written with its outcome, or a batch's counts and records.
        #[derive(Serialize, ToSchema)]
        #[serde(untagged)]
        #[allow(dead_code, clippy::large_enum_variant)]
        pub(crate) enum $written {
            One($one),
            Batch($many),
        }
    };
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

/// The handler of a write of records by natural key (shipments, invoices, payments) that a
/// client may retry: one object or a batch, all or none, each record answered with its
/// `outcome` (see [`idempotent`], [`one_or_batch`], [`written_answer`]). `$record` names
/// the written record in the use case's answer.
macro_rules! records_write {
    ($(#[$doc:meta])* $name:ident, $operation:literal, $input:ty, $upsert:path, $record:ident) => {
        $(#[$doc])*
        pub(crate) async fn $name(
            State(app): State<App>,
            u: ApiUser,
            headers: axum::http::HeaderMap,
            ApiJson(body): ApiJson<serde_json::Value>,
        ) -> ApiResult<Response> {
            idempotent(&app, &u, &headers, $operation, body, |body| {
                let (app, u) = (app.clone(), &u);
                async move {
                    let (batch, inputs) = one_or_batch::<$input>(body, u)?;
                    let written = $upsert(&app, &u.actor, &inputs).await.or_api(u)?;
                    let written = written
                        .iter()
                        .map(|w| Ok((w.outcome, to_json(&w.$record, u)?)))
                        .collect::<ApiResult<Vec<_>>>()?;
                    written_answer(batch, written, u)
                }
            })
            .await
        }
    };
}

// The operations, one module per capability.
/// A handler that reads one thing by the path's `{id}` (or a number, with `by_number`)
/// and answers it as JSON; `delete` answers 204.
macro_rules! by_id {
    ($(#[$m:meta])* $name:ident, $f:path) => {
        $(#[$m])*
        pub(crate) async fn $name(
            State(app): State<App>,
            u: ApiUser,
            Path(raw): Path<String>,
        ) -> ApiResult<Response> {
            let v = $f(&app, &u.actor, id(&raw, &u)?).await.or_api(&u)?;
            Ok(Json(v).into_response())
        }
    };
    ($(#[$m:meta])* by_number $name:ident, $f:path) => {
        $(#[$m])*
        pub(crate) async fn $name(
            State(app): State<App>,
            u: ApiUser,
            Path(no): Path<String>,
        ) -> ApiResult<Response> {
            let v = $f(&app, &u.actor, &no).await.or_api(&u)?;
            Ok(Json(v).into_response())
        }
    };
    ($(#[$m:meta])* delete $name:ident, $f:path) => {
        $(#[$m])*
        pub(crate) async fn $name(
            State(app): State<App>,
            u: ApiUser,
            Path(raw): Path<String>,
        ) -> ApiResult<Response> {
            $f(&app, &u.actor, id(&raw, &u)?).await.or_api(&u)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
    };
}

pub(crate) mod billing;
pub(crate) mod classification;
pub(crate) mod credit;
pub(crate) mod customers;
pub(crate) mod imports;
pub(crate) mod improvements;
pub(crate) mod kpis;
pub(crate) mod portal;
pub(crate) mod service;
pub(crate) mod shipments;
pub(crate) mod surveys;
pub(crate) mod tracking;
pub(crate) mod users;
pub(crate) mod views;
pub(crate) mod webhooks;
#[allow(unused_imports)]
use self::billing::*;
#[allow(unused_imports)]
use self::classification::*;
#[allow(unused_imports)]
use self::customers::*;
#[allow(unused_imports)]
use self::imports::*;
#[allow(unused_imports)]
use self::shipments::*;
#[allow(unused_imports)]
use self::users::*;
