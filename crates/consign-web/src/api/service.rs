//! REST API of the service desk: tickets, their workflow steps, assignment, notes and
//! attachments; the SLA policy; the caller's notifications.

use crate::extract::{ApiJson, ApiQuery, ApiUser};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use consign_app::service::{self, AssignInput, StepInput, TicketInput, TicketQuery};
use consign_app::{App, AppError};
use consign_domain::service::SlaPolicy;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use super::{id, ApiResult, IdPath, NoPath, OrApi};

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(list, create))
        .routes(routes!(by_number))
        .routes(routes!(show))
        .routes(routes!(step))
        .routes(routes!(assign))
        .routes(routes!(comment))
        .routes(
            routes!(attachments, attach).layer(axum::extract::DefaultBodyLimit::max(
                service::MAX_ATTACHMENT_BYTES + 1024,
            )),
        )
        .routes(routes!(attachment))
        .routes(routes!(get_policy, put_policy))
        .routes(routes!(interactions, log_interaction))
        .routes(routes!(customer_tasks, add_task))
        .routes(routes!(my_tasks))
        .routes(routes!(complete_task))
        .routes(routes!(get_followup_policy, put_followup_policy))
        .routes(routes!(service_dashboard))
        .routes(routes!(notifications))
        .routes(routes!(read_notifications))
}

/// Tickets of the customers in scope (filtered, sorted, paged)
#[utoipa::path(get, path = "/tickets", tag = "service", params(TicketQuery),
    responses((status = 200, body = service::TicketPage)))]
async fn list(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> ApiResult<Response> {
    let page = service::list(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(page).into_response())
}

/// Register a ticket (deadlines from the SLA policy)
#[utoipa::path(post, path = "/tickets", tag = "service", request_body = TicketInput,
    responses((status = 201, body = service::TicketDetail)))]
async fn create(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(input): ApiJson<TicketInput>,
) -> ApiResult<Response> {
    let d = service::create(&app, &u.actor, &input).await.or_api(&u)?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

/// A ticket with its history, shipments, attachments and allowed steps
#[utoipa::path(get, path = "/tickets/{id}", tag = "service", params(IdPath),
    responses((status = 200, body = service::TicketDetail)))]
async fn show(State(app): State<App>, u: ApiUser, Path(tid): Path<String>) -> ApiResult<Response> {
    let tid = id(&tid, &u)?;
    let d = service::get(&app, &u.actor, tid).await.or_api(&u)?;
    Ok(Json(d).into_response())
}

/// A ticket by its number (TK…)
#[utoipa::path(get, path = "/tickets/by-number/{no}", tag = "service", params(NoPath),
    responses((status = 200, body = service::TicketDetail)))]
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

/// Take a workflow step (409 when the status does not allow it)
#[utoipa::path(post, path = "/tickets/{id}/transitions", tag = "service", params(IdPath),
    request_body = StepInput, responses((status = 200, body = service::TicketDetail)))]
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

/// Give the ticket to a user (or to no one)
#[utoipa::path(post, path = "/tickets/{id}/assign", tag = "service", params(IdPath),
    request_body = AssignInput, responses((status = 200, body = service::TicketDetail)))]
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TicketComment)]
pub(crate) struct CommentIn {
    #[schema(min_length = 1, pattern = r"\S")]
    note: String,
}

/// Add a note to the ticket's history
#[utoipa::path(post, path = "/tickets/{id}/comments", tag = "service", params(IdPath),
    request_body = CommentIn, responses((status = 200, body = service::TicketDetail)))]
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

/// A ticket's attachments.
#[derive(Serialize, ToSchema)]
struct Attachments {
    items: Vec<consign_app::service::AttachmentRow>,
}

/// The ticket's attachments
#[utoipa::path(get, path = "/tickets/{id}/attachments", tag = "service", params(IdPath),
    responses((status = 200, body = Attachments)))]
async fn attachments(
    State(app): State<App>,
    u: ApiUser,
    Path(tid): Path<String>,
) -> ApiResult<Response> {
    let tid = id(&tid, &u)?;
    let d = service::get(&app, &u.actor, tid).await.or_api(&u)?;
    let items = d.attachments;
    Ok(Json(Attachments { items }).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AttachQ {
    /// the file's name
    filename: Option<String>,
}

/// Attach a file: the body is the file, ?filename= its name; JPEG, PNG, GIF, WebP, PDF or Office, at most 10 MB
#[utoipa::path(post, path = "/tickets/{id}/attachments", tag = "service", params(IdPath, AttachQ),
    request_body(content = super::imports::FileBytes, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachments)))]
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
    let items = d.attachments;
    Ok((StatusCode::CREATED, Json(Attachments { items })).into_response())
}

/// A ticket's `{id}` and one of its attachments' `{aid}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct AttachmentPath {
    id: String,
    aid: String,
}

/// Download an attachment (served as a download, never inline)
#[utoipa::path(get, path = "/tickets/{id}/attachments/{aid}", tag = "service", params(AttachmentPath),
    responses((status = 200, description = "The file", content_type = "application/octet-stream",
        body = super::imports::FileBytes)))]
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

/// The SLA policy
#[utoipa::path(get, path = "/policies/sla", tag = "service",
    responses((status = 200, body = SlaPolicy)))]
async fn get_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let p = service::sla_policy(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// Replace the SLA policy (admins; applies to tickets registered afterwards)
#[utoipa::path(put, path = "/policies/sla", tag = "service", request_body = SlaPolicy,
    responses((status = 200, body = SlaPolicy)))]
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

/// The caller's latest notifications (escalations, assignments)
#[utoipa::path(get, path = "/notifications", tag = "service",
    responses((status = 200, body = service::Notifications)))]
async fn notifications(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let n = service::notifications(&app, &u.actor, u.lang)
        .await
        .or_api(&u)?;
    Ok(Json(n).into_response())
}

/// How many notifications were marked read.
#[derive(Serialize, ToSchema)]
struct Marked {
    marked: u64,
}

/// Mark the caller's notifications read
#[utoipa::path(post, path = "/notifications/read", tag = "service",
    responses((status = 200, body = Marked)))]
async fn read_notifications(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let marked = service::mark_read(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(Marked { marked }).into_response())
}

// ---- follow-ups ----

use consign_app::followups::{self, InteractionInput, TaskInput};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQ {
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u64>,
}

/// A customer's interactions, newest first (20 a page)
#[utoipa::path(get, path = "/customers/{id}/interactions", tag = "followups", params(IdPath, PageQ),
    responses((status = 200, body = consign_app::Page<followups::InteractionView>)))]
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

/// Log a call, visit, e-mail, meeting or WeChat exchange
#[utoipa::path(post, path = "/customers/{id}/interactions", tag = "followups", params(IdPath),
    request_body = InteractionInput, responses((status = 201, body = followups::InteractionView)))]
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

/// Tasks.
#[derive(Serialize, ToSchema)]
struct Tasks {
    items: Vec<followups::TaskView>,
}

/// A customer's open tasks
#[utoipa::path(get, path = "/customers/{id}/tasks", tag = "followups", params(IdPath),
    responses((status = 200, body = Tasks)))]
async fn customer_tasks(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    let items = followups::tasks_of_customer(&app, &u.actor, cid)
        .await
        .or_api(&u)?;
    Ok(Json(Tasks { items }).into_response())
}

/// Add a task by hand
#[utoipa::path(post, path = "/customers/{id}/tasks", tag = "followups", params(IdPath),
    request_body = TaskInput, responses((status = 201, body = followups::TaskView)))]
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TasksQ {
    /// how far ahead upcoming reaches (default 14)
    #[param(minimum = 1, maximum = 366)]
    days: Option<i64>,
    /// list only that group, paged (each group lists at most 100 tasks)
    #[param(inline, value_type = Option<consign_domain::followup::Due>)]
    group: Option<String>,
    /// page of the group (with group)
    #[param(minimum = 1, maximum = 100000)]
    page: Option<u64>,
}

/// The caller's open tasks: overdue, today, upcoming
#[utoipa::path(get, path = "/tasks", tag = "followups", params(TasksQ),
    responses((status = 200, body = followups::TaskList)))]
async fn my_tasks(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<TasksQ>,
) -> ApiResult<Response> {
    let page = crate::api::page(q.page, &u)?;
    let days = consign_domain::followup::upcoming_days(q.days)
        .map_err(|k| AppError::field("days", k))
        .or_api(&u)?;
    let l = followups::my_tasks(&app, &u.actor, days, q.group.as_deref(), page)
        .await
        .or_api(&u)?;
    Ok(Json(l).into_response())
}

/// Complete a task by logging the interaction that did it
#[utoipa::path(post, path = "/tasks/{id}/complete", tag = "followups", params(IdPath),
    request_body = InteractionInput, responses((status = 200, body = followups::TaskView)))]
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

/// The follow-up policy
#[utoipa::path(get, path = "/policies/followup", tag = "followups",
    responses((status = 200, body = consign_domain::followup::FollowUpPolicy)))]
async fn get_followup_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let p = followups::policy(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// Replace the follow-up policy (admins)
#[utoipa::path(put, path = "/policies/followup", tag = "followups",
    request_body = consign_domain::followup::FollowUpPolicy,
    responses((status = 200, body = consign_domain::followup::FollowUpPolicy)))]
async fn put_followup_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(p): ApiJson<consign_domain::followup::FollowUpPolicy>,
) -> ApiResult<Response> {
    let p = followups::set_policy(&app, &u.actor, &p).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// The service dashboard: open tickets by status and kind, breaches now, response and resolution times, root causes, claims paid, complaints per 1,000 shipments
#[utoipa::path(get, path = "/service/dashboard", tag = "service", params(service::ServiceDashQuery),
    responses((status = 200, body = service::ServiceDashboard)))]
async fn service_dashboard(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<service::ServiceDashQuery>,
) -> ApiResult<Response> {
    let d = service::dashboard(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(d).into_response())
}
