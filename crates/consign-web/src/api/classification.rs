//! Classification: its policy, runs, verdicts and the dashboard.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

/// The classification routes.
pub(crate) fn routes() -> Router<App> {
    Router::new()
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
}

pub(crate) async fn get_class_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    if !u.actor.role.can_analyse() {
        return Err(WebError::api(AppError::Forbidden, u.lang));
    }
    let pv = consign_app::classification::current_policy(&app, &u.actor)
        .await
        .or_api(&u)?;
    Ok(Json(pv).into_response())
}

pub(crate) async fn class_policy_versions(
    State(app): State<App>,
    u: ApiUser,
) -> ApiResult<Response> {
    if !u.actor.role.can_analyse() {
        return Err(WebError::api(AppError::Forbidden, u.lang));
    }
    let v = consign_app::classification::policy_versions(&app, &u.actor)
        .await
        .or_api(&u)?;
    Ok(Json(json!({ "items": v })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyChange {
    pub(crate) policy: consign_domain::classify::Policy,
    #[serde(default)]
    pub(crate) note: String,
    /// Reclassify as of today under the new version (default true).
    #[serde(default)]
    pub(crate) recompute: Option<bool>,
}

pub(crate) async fn set_class_policy(
    State(app): State<App>,
    u: ApiUser,
    ApiJson(b): ApiJson<PolicyChange>,
) -> ApiResult<Response> {
    let (version, run) = consign_app::classification::change_policy(
        &app,
        &u.actor,
        b.policy,
        &b.note,
        b.recompute.unwrap_or(true),
    )
    .await
    .or_api(&u)?;
    Ok(Json(json!({ "version": version, "run": run })).into_response())
}

pub(crate) async fn class_runs(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    if !u.actor.role.can_analyse() {
        return Err(WebError::api(AppError::Forbidden, u.lang));
    }
    let runs = consign_app::classification::runs(&app, &u.actor)
        .await
        .or_api(&u)?;
    Ok(Json(json!({ "items": runs })).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct Recompute {
    /// YYYY-MM-DD; absent or null: today.
    #[serde(default)]
    pub(crate) as_of: Option<String>,
}

pub(crate) async fn class_recompute(
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

pub(crate) async fn customer_class(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    let c = consign_app::classification::of_customer(&app, &u.actor, cid, u.lang)
        .await
        .or_api(&u)?
        .ok_or_else(|| WebError::api(AppError::NotFound, u.lang))?;
    Ok(Json(c).into_response())
}

pub(crate) async fn customer_class_history(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    let h = consign_app::classification::history(&app, &u.actor, cid)
        .await
        .or_api(&u)?;
    let items: Vec<serde_json::Value> = h
        .into_iter()
        .map(|(as_of, version, v)| json!({ "as_of": as_of, "policy_version": version, "verdict": v }))
        .collect();
    Ok(Json(json!({ "items": items })).into_response())
}

pub(crate) async fn dashboard(
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
