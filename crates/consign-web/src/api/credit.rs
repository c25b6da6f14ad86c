//! Credit management (issue 21): a customer's credit (terms, exposure, status), its
//! history and requested changes, the credit list, the hold list and releasing holds,
//! and the company's credit policy.

#[allow(unused_imports)]
use super::*;
use consign_app::credit::{self, AssessmentInput, CreditQuery, StatementInput, TermsInput};
use consign_domain::credit::assessment::AssessmentPolicy;
use consign_domain::credit::CreditPolicy;
use consign_domain::customer::CustomerId;

/// The credit routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(get_credit, put_credit))
        .routes(routes!(history))
        .routes(routes!(request_change))
        .routes(routes!(pending))
        .routes(routes!(decide))
        .routes(routes!(list))
        .routes(routes!(holds))
        .routes(routes!(release_hold))
        .routes(routes!(release_all))
        .routes(routes!(get_policy, put_policy))
        .routes(routes!(assessments, assess))
        .routes(routes!(statements, put_statement))
        .routes(routes!(ratios))
        .routes(routes!(get_assessment_policy, put_assessment_policy))
        .routes(routes!(ar_aging))
        .routes(routes!(promises, add_promise))
        .routes(routes!(import_statement))
}

/// A customer's credit: its terms (monthly settlement, limit, credit period, rating, hold
/// policy), its exposure (unpaid invoices plus revenue not invoiced yet), the share of the
/// limit used, its status and how many of its shipments are on hold
#[utoipa::path(get, path = "/customers/{id}/credit", tag = "credit", params(IdPath),
    responses((status = 200, body = credit::CreditView)))]
async fn get_credit(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::get(&app, &u.actor, cid).await.or_api(&u)?;
    Ok(Json(v).into_response())
}

/// Set a customer's credit terms (credit officers, managers, admins): fields left out
/// keep their value, `limit_fen: null` removes the limit; kept in the history, audited
#[utoipa::path(put, path = "/customers/{id}/credit", tag = "credit", params(IdPath),
    request_body = TermsInput, responses((status = 200, body = credit::CreditView)))]
async fn put_credit(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<TermsInput>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::set(&app, &u.actor, cid, &input).await.or_api(&u)?;
    Ok(Json(v).into_response())
}

/// A customer's history of credit terms: set, requested, approved, rejected; latest first
#[utoipa::path(get, path = "/customers/{id}/credit/history", tag = "credit", params(IdPath),
    responses((status = 200, body = Vec<credit::ChangeView>)))]
async fn history(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::history(&app, &u.actor, cid).await.or_api(&u)?;
    Ok(Json(v).into_response())
}

/// Ask for a change of a customer's credit terms, with a reason (account managers): a
/// credit officer gets a task and a notification, and decides
#[utoipa::path(post, path = "/customers/{id}/credit/requests", tag = "credit", params(IdPath),
    request_body = TermsInput, responses((status = 201, body = credit::ChangeView)))]
async fn request_change(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<TermsInput>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::request(&app, &u.actor, cid, &input)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Requested changes waiting for a decision, oldest first (credit staff)
#[utoipa::path(get, path = "/credit/requests", tag = "credit",
    responses((status = 200, body = Vec<credit::ChangeView>)))]
async fn pending(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let v = credit::pending(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(v).into_response())
}

/// A decision on a requested change.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Decision {
    pub approve: bool,
    /// Why (required to reject).
    #[serde(default)]
    pub note: String,
}

/// Approve (the terms take effect) or reject, with a reason, a requested change (credit
/// staff); the requester is notified
#[utoipa::path(post, path = "/credit/requests/{id}/decision", tag = "credit", params(IdPath),
    request_body = Decision, responses((status = 200, body = credit::ChangeView)))]
async fn decide(
    State(app): State<App>,
    u: ApiUser,
    Path(rid): Path<String>,
    ApiJson(d): ApiJson<Decision>,
) -> ApiResult<Response> {
    let rid: i64 = id(&rid, &u)?;
    let v = credit::decide(&app, &u.actor, rid, d.approve, &d.note)
        .await
        .or_api(&u)?;
    Ok(Json(v).into_response())
}

/// Credit accounts of the customers you may see, most of the limit used first
#[utoipa::path(get, path = "/credit", tag = "credit", params(CreditQuery),
    responses((status = 200, body = Page<credit::CreditRow>)))]
async fn list(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<CreditQuery>,
) -> ApiResult<Response> {
    let p = credit::list(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// Which held shipments to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HoldQuery {
    pub customer_id: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// Shipments on credit hold of the customers you may see, latest held first
#[utoipa::path(get, path = "/credit/holds", tag = "credit", params(HoldQuery),
    responses((status = 200, body = Page<credit::HeldView>)))]
async fn holds(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<HoldQuery>,
) -> ApiResult<Response> {
    let (page_no, per_page) = paging(q.page, q.per_page, 50, 200, &u)?;
    let cid: Option<CustomerId> = match q.customer_id.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(id(s, &u)?),
        None => None,
    };
    let (items, total) = credit::held(&app, &u.actor, cid, page_no, per_page)
        .await
        .or_api(&u)?;
    Ok(Json(Page {
        items,
        total,
        page: page_no,
        per_page,
    })
    .into_response())
}

/// Why a hold is released.
#[derive(Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct ReleaseInput {
    pub note: String,
}

/// Release a shipment held for credit (credit officers, managers, admins), audited
#[utoipa::path(post, path = "/shipments/{id}/release-hold", tag = "credit", params(IdPath),
    request_body = ReleaseInput, responses((status = 204, description = "Released")))]
async fn release_hold(
    State(app): State<App>,
    u: ApiUser,
    Path(sid): Path<String>,
    ApiJson(body): ApiJson<ReleaseInput>,
) -> ApiResult<Response> {
    let sid: i64 = id(&sid, &u)?;
    let note = body.note;
    credit::release(&app, &u.actor, sid, &note)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// How many were released.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Released {
    pub released: u64,
}

/// Release every held shipment of a customer (credit officers, managers, admins), audited
#[utoipa::path(post, path = "/customers/{id}/credit/release-holds", tag = "credit", params(IdPath),
    request_body = ReleaseInput, responses((status = 200, body = Released)))]
async fn release_all(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(body): ApiJson<ReleaseInput>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let note = body.note;
    let released = credit::release_all(&app, &u.actor, cid, &note)
        .await
        .or_api(&u)?;
    Ok(Json(Released { released }).into_response())
}

/// The credit policy: the share of the limit that warns, a new account's credit period
/// and hold policy
#[utoipa::path(get, path = "/policies/credit", tag = "credit",
    responses((status = 200, body = CreditPolicy)))]
async fn get_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let p = credit::policy(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// Change the credit policy (credit officers, managers, admins), audited
#[utoipa::path(put, path = "/policies/credit", tag = "credit", request_body = CreditPolicy,
    responses((status = 200, body = CreditPolicy)))]
async fn put_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(p): ApiJson<CreditPolicy>,
) -> ApiResult<Response> {
    let p = credit::set_policy(&app, &u.actor, &p).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// A customer's credit assessments (5C, 5P or 6A), latest first
#[utoipa::path(get, path = "/customers/{id}/credit/assessments", tag = "credit", params(IdPath),
    responses((status = 200, body = Vec<credit::AssessmentView>)))]
async fn assessments(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::assessments(&app, &u.actor, cid).await.or_api(&u)?;
    Ok(Json(v).into_response())
}

/// Assess a customer's credit (credit staff): one score 1–5 per factor of the checklist
/// give the weighted score out of 100, the rating (which becomes the account's) and a
/// limit suggested from the score and the last twelve months' revenue
#[utoipa::path(post, path = "/customers/{id}/credit/assessments", tag = "credit", params(IdPath),
    request_body = AssessmentInput, responses((status = 201, body = credit::AssessmentView)))]
async fn assess(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::add_assessment(&app, &u.actor, cid, &input)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// A customer's financial statements with every ratio of each period, oldest first
#[utoipa::path(get, path = "/customers/{id}/financials", tag = "credit", params(IdPath),
    responses((status = 200, body = Vec<credit::StatementView>)))]
async fn statements(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::statements(&app, &u.actor, cid).await.or_api(&u)?;
    Ok(Json(v).into_response())
}

/// Enter a customer's financial statement of a period (credit staff; it replaces that
/// period's); answers every period's statement and ratios
#[utoipa::path(post, path = "/customers/{id}/financials", tag = "credit", params(IdPath),
    request_body = StatementInput, responses((status = 201, body = Vec<credit::StatementView>)))]
async fn put_statement(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<StatementInput>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::put_statement(&app, &u.actor, cid, &input)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// One period's ratios.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct PeriodRatios {
    pub period: String,
    pub ratios: Vec<consign_domain::credit::ratios::Ratio>,
}

/// Every ratio of each of a customer's periods (debt, current, quick, cash, AR and
/// inventory turnover, return on assets, profit margin, cost-expense profit ratio,
/// liquidity), each flagged against its range; a zero denominator gives null
#[utoipa::path(get, path = "/customers/{id}/financials/ratios", tag = "credit", params(IdPath),
    responses((status = 200, body = Vec<PeriodRatios>)))]
async fn ratios(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v: Vec<PeriodRatios> = credit::statements(&app, &u.actor, cid)
        .await
        .or_api(&u)?
        .into_iter()
        .map(|s| PeriodRatios {
            period: s.period,
            ratios: s.ratios,
        })
        .collect();
    Ok(Json(v).into_response())
}

/// The assessment policy: the 5C weights, the scores for ratings A, B and C, and the
/// months of revenue a full score may have on credit
#[utoipa::path(get, path = "/policies/credit-assessment", tag = "credit",
    responses((status = 200, body = AssessmentPolicy)))]
async fn get_assessment_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    let p = credit::assessment_policy(&app, &u.actor).await.or_api(&u)?;
    Ok(Json(p).into_response())
}

/// Change the assessment policy (credit officers, managers, admins), audited
#[utoipa::path(put, path = "/policies/credit-assessment", tag = "credit",
    request_body = AssessmentPolicy, responses((status = 200, body = AssessmentPolicy)))]
async fn put_assessment_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(p): ApiJson<AssessmentPolicy>,
) -> ApiResult<Response> {
    let p = credit::set_assessment_policy(&app, &u.actor, &p)
        .await
        .or_api(&u)?;
    Ok(Json(p).into_response())
}

/// Receivables aging of the customers you may see (not due, 1–30, 31–60, 61–90, over 90
/// days past due), grouped by account manager (`owner`, default), `unit` or `customer`,
/// with the ten customers most overdue and DSO for the last twelve months
#[utoipa::path(get, path = "/ar/aging", tag = "credit", params(consign_app::credit::AgingQuery),
    responses((status = 200, body = credit::AgingReport)))]
async fn ar_aging(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<consign_app::credit::AgingQuery>,
) -> ApiResult<Response> {
    let r = credit::aging(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(r).into_response())
}

/// A customer's promises to pay (latest first) with what was paid since each, and how
/// many were kept and broken
#[utoipa::path(get, path = "/customers/{id}/credit/promises", tag = "credit", params(IdPath),
    responses((status = 200, body = credit::Promises)))]
async fn promises(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::promises(&app, &u.actor, cid).await.or_api(&u)?;
    Ok(Json(v).into_response())
}

/// Log a customer's promise to pay (account managers and credit staff): kept when its
/// payments from now reach the amount by the date, broken otherwise
#[utoipa::path(post, path = "/customers/{id}/credit/promises", tag = "credit", params(IdPath),
    request_body = credit::PromiseInput, responses((status = 201, body = credit::Promises)))]
async fn add_promise(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiJson(input): ApiJson<credit::PromiseInput>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let v = credit::add_promise(&app, &u.actor, cid, &input)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// The period a statement file is for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PeriodQ {
    /// `2025`, `2025-H1`, `2025-Q3` or `2025-09` (required: without it, a 422 naming it)
    pub period: Option<String>,
}

/// Import a customer's statement of a period from the file its finance department sent
/// (credit staff): the body is the CSV (UTF-8 or GBK) or XLSX file, at most 2 MB — a
/// balance sheet and income statement with one item a row and closing/opening amount
/// columns. A cell that cannot be read refuses the file, named by its cell (`B7`); the
/// answer lists the items the file did not have
#[utoipa::path(post, path = "/customers/{id}/financials/import", tag = "credit", params(IdPath, PeriodQ),
    request_body(content = super::imports::FileBytes, content_type = "application/octet-stream"),
    responses((status = 201, body = credit::StatementImport)))]
async fn import_statement(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<PeriodQ>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let period = q.period.unwrap_or_default();
    let v = credit::import_statement(&app, &u.actor, cid, &period, &body)
        .await
        .or_api(&u)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}
