//! REST API of the service desk: tickets, their workflow steps, assignment, notes and
//! attachments; the SLA policy; the caller's notifications.

use crate::extract::{ApiJson, ApiQuery, ApiUser};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use consign_app::service::{self, AssignInput, StepInput, TicketInput, TicketQuery};
use consign_app::{App, AppError};
use consign_domain::service::SlaPolicy;
use serde::Deserialize;
use serde_json::json;

use super::{id, ApiResult, OrApi};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/tickets", get(list).post(create))
        .route("/tickets/by-number/{no}", get(by_number))
        .route("/tickets/{id}", get(show))
        .route("/tickets/{id}/transitions", post(step))
        .route("/tickets/{id}/assign", post(assign))
        .route("/tickets/{id}/comments", post(comment))
        .route(
            "/tickets/{id}/attachments",
            get(attachments)
                .post(attach)
                .layer(axum::extract::DefaultBodyLimit::max(
                    service::MAX_ATTACHMENT_BYTES + 1024,
                )),
        )
        .route("/tickets/{id}/attachments/{aid}", get(attachment))
        .route("/policies/sla", get(get_policy).put(put_policy))
        .route(
            "/customers/{id}/interactions",
            get(interactions).post(log_interaction),
        )
        .route("/customers/{id}/tasks", get(customer_tasks).post(add_task))
        .route("/tasks", get(my_tasks))
        .route("/tasks/{id}/complete", post(complete_task))
        .route(
            "/policies/followup",
            get(get_followup_policy).put(put_followup_policy),
        )
        .route("/service/dashboard", get(service_dashboard))
        .route("/notifications", get(notifications))
        .route("/notifications/read", post(read_notifications))
}

async fn list(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> ApiResult<Response> {
    let page = service::list(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(page).into_response())
}

async fn create(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(input): ApiJson<TicketInput>,
) -> ApiResult<Response> {
    let d = service::create(&app, &u.actor, &input).await.or_api(&u)?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

async fn show(State(app): State<App>, u: ApiUser, Path(tid): Path<String>) -> ApiResult<Response> {
    let tid = id(&tid, &u)?;
    let d = service::get(&app, &u.actor, tid).await.or_api(&u)?;
    Ok(Json(d).into_response())
}

async fn by_number(
    State(app): State<App>,
    u: ApiUser,
    Path(no): Path<String>,
) -> ApiResult<Response> {
    let d = service::get_by_number(&app, &u.actor, &no)
        .await
        .or_api(&u)?;
    Ok(Json(d).into_response())
}

async fn step(
    State(app): State<App>,
    u: ApiUser,
    Path(tid): Path<String>,
    ApiJson(input): ApiJson<StepInput>,
) -> ApiResult<Response> {
    let tid = id(&tid, &u)?;
    let d = service::step(&app, &u.actor, tid, &input)
        .await
        .or_api(&u)?;
    Ok(Json(d).into_response())
}

async fn assign(
    State(app): State<App>,
    u: ApiUser,
    Path(tid): Path<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Response> {
    let tid = id(&tid, &u)?;
    let d = service::assign(&app, &u.actor, tid, &input)
        .await
        .or_api(&u)?;
    Ok(Json(d).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommentIn {
    note: String,
}

async fn comment(
    State(app): State<App>,
    u: ApiUser,
    Path(tid): Path<String>,
    ApiJson(c): ApiJson<CommentIn>,
) -> ApiResult<Response> {
    let tid = id(&tid, &u)?;
    let d = service::comment(&app, &u.actor, tid, &c.note)
        .await
        .or_api(&u)?;
    Ok(Json(d).into_response())
}

async fn attachments(
    State(app): State<App>,
    u: ApiUser,
    Path(tid): Path<String>,
) -> ApiResult<Response> {
    let tid = id(&tid, &u)?;
    let d = service::get(&app, &u.actor, tid).await.or_api(&u)?;
    Ok(Json(json!({ "items": d.attachments })).into_response())
}

#[derive(Deserialize)]
struct AttachQ {
    filename: Option<String>,
}

/// The file is the request body; its name is `?filename=`.
async fn attach(
    State(app): State<App>,
    u: ApiUser,
    Path(tid): Path<String>,
    ApiQuery(q): ApiQuery<AttachQ>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let tid = id(&tid, &u)?;
    let name = q.filename.unwrap_or_else(|| "attachment".into());
    let d = service::attach(&app, &u.actor, tid, &name, body.to_vec())
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(json!({ "items": d.attachments }))).into_response())
}

async fn attachment(
    State(app): State<App>,
    u: ApiUser,
    Path((tid, aid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (tid, aid) = (id(&tid, &u)?, id(&aid, &u)?);
    let (row, data) = service::attachment(&app, &u.actor, tid, aid)
        .await
        .or_api(&u)?;
    Ok(crate::ui::service::attachment_response(&row, data))
}

async fn get_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let p = service::sla_policy(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

async fn put_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(p): ApiJson<SlaPolicy>,
) -> ApiResult<Response> {
    let p = service::set_sla_policy(&app, &u.actor, &p)
        .await
        .or_api(&u)?;
    Ok(Json(p).into_response())
}

async fn notifications(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let n = service::notifications(&app, &u.actor, u.lang)
        .await
        .or_api(&u)?;
    Ok(Json(n).into_response())
}

async fn read_notifications(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let n = service::mark_read(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(json!({ "marked": n })).into_response())
}

// ---- follow-ups ----

use consign_app::followups::{self, InteractionInput, TaskInput};

#[derive(Deserialize)]
struct PageQ {
    page: Option<u64>,
}

async fn interactions(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<PageQ>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    let page = crate::api::page(q.page, &u)?;
    let p = followups::interactions(&app, &u.actor, cid, page)
        .await
        .or_api(&u)?;
    Ok(Json(p).into_response())
}

async fn log_interaction(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<InteractionInput>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    let v = followups::log(&app, &u.actor, cid, &input)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

async fn customer_tasks(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    let items = followups::tasks_of_customer(&app, &u.actor, cid)
        .await
        .or_api(&u)?;
    Ok(Json(json!({ "items": items })).into_response())
}

async fn add_task(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<TaskInput>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    let v = followups::add(&app, &u.actor, cid, &input)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[derive(Deserialize)]
struct TasksQ {
    days: Option<i64>,
    group: Option<String>,
    page: Option<u64>,
}

async fn my_tasks(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<TasksQ>,
) -> ApiResult<Response> {
    let page = crate::api::page(q.page, &u)?;
    let days = match q.days {
        None => 14,
        Some(d) if (1..=366).contains(&d) => d,
        Some(_) => return Err(AppError::field("days", "err.invalid_number")).or_api(&u),
    };
    let l = followups::my_tasks(&app, &u.actor, days, q.group.as_deref(), page)
        .await
        .or_api(&u)?;
    Ok(Json(l).into_response())
}

async fn complete_task(
    State(app): State<App>,
    u: ApiUser,
    Path(tid): Path<String>,
    ApiJson(input): ApiJson<InteractionInput>,
) -> ApiResult<Response> {
    let tid = id(&tid, &u)?;
    let v = followups::complete(&app, &u.actor, tid, &input)
        .await
        .or_api(&u)?;
    Ok(Json(v).into_response())
}

async fn get_followup_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let p = followups::policy(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

async fn put_followup_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(p): ApiJson<consign_domain::followup::FollowUpPolicy>,
) -> ApiResult<Response> {
    let p = followups::set_policy(&app, &u.actor, &p).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

async fn service_dashboard(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<service::ServiceDashQuery>,
) -> ApiResult<Response> {
    let d = service::dashboard(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(d).into_response())
}
