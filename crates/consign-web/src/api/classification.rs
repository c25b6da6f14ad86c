//! Classification: its policy, runs, verdicts and the dashboard.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

/// The classification routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(get_class_policy, set_class_policy))
        .routes(routes!(class_policy_versions))
        .routes(routes!(class_runs, class_recompute))
        .routes(routes!(customer_class))
        .routes(routes!(customer_class_history))
        .routes(routes!(dashboard))
}

use consign_app::classification::{CustomerClass, PolicyVersion, RunSummary};

/// Classification policy in force
#[utoipa::path(get, path = "/policies/classification", tag = "classification",
    responses((status = 200, body = PolicyVersion)))]
pub(crate) async fn get_class_policy(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    if !u.actor.role.can_analyse() {
        return Err(WebError::api(AppError::Forbidden, u.lang));
    }
    let pv = consign_app::classification::current_policy(&app, &u.actor)
        .await
        .or_api(&u)?;
    Ok(Json(pv).into_response())
}

/// Policy versions.
#[derive(Serialize, ToSchema)]
#[schema(as = ClassPolicyVersions)]
pub(crate) struct PolicyVersions {
    items: Vec<PolicyVersion>,
}

/// Every version of the classification policy
#[utoipa::path(get, path = "/policies/classification/versions", tag = "classification",
    responses((status = 200, body = PolicyVersions)))]
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
    Ok(Json(PolicyVersions { items: v }).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ClassPolicyChange)]
pub(crate) struct PolicyChange {
    #[serde(deserialize_with = "consign_domain::objects::object")]
    pub(crate) policy: consign_domain::classify::Policy,
    #[serde(default)]
    pub(crate) note: String,
    /// reclassify as of today (default true)
    #[serde(default)]
    pub(crate) recompute: Option<bool>,
}

/// The new version, and the run that reclassified under it (unless `recompute` was false).
#[derive(Serialize, ToSchema)]
#[schema(as = ClassPolicySaved)]
pub(crate) struct PolicySaved {
    version: i64,
    run: Option<RunSummary>,
}

/// Store a new version of the classification policy (admin) and reclassify
#[utoipa::path(put, path = "/policies/classification", tag = "classification",
    request_body = PolicyChange, responses((status = 200, body = PolicySaved)))]
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
    Ok(Json(PolicySaved { version, run }).into_response())
}

/// Stored runs.
#[derive(Serialize, ToSchema)]
#[schema(as = ClassRuns)]
pub(crate) struct Runs {
    items: Vec<consign_app::classification::RunRow>,
}

/// Stored classification runs, newest first
#[utoipa::path(get, path = "/classification/runs", tag = "classification",
    responses((status = 200, body = Runs)))]
pub(crate) async fn class_runs(State(app): State<App>, u: ApiUser) -> ApiResult<Response> {
    if !u.actor.role.can_analyse() {
        return Err(WebError::api(AppError::Forbidden, u.lang));
    }
    let runs = consign_app::classification::runs(&app, &u.actor)
        .await
        .or_api(&u)?;
    Ok(Json(Runs { items: runs }).into_response())
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ClassRecompute)]
pub(crate) struct Recompute {
    /// YYYY-MM-DD; absent or null: today
    #[serde(default)]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    pub(crate) as_of: Option<String>,
}

/// Classify every customer as of a day (default today; admins and managers)
#[utoipa::path(post, path = "/classification/runs", tag = "classification",
    request_body = Recompute, responses((status = 201, body = RunSummary)))]
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

/// A customer's current classification, explained
#[utoipa::path(get, path = "/customers/{id}/classification", tag = "classification",
    params(IdPath), responses((status = 200, body = CustomerClass)))]
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

/// A verdict of one stored run.
#[derive(Serialize, ToSchema)]
pub(crate) struct PastVerdict {
    as_of: chrono::NaiveDate,
    policy_version: i64,
    verdict: consign_app::classification::VerdictRow,
}

/// A customer's verdicts.
#[derive(Serialize, ToSchema)]
#[schema(as = CustomerClassHistory)]
pub(crate) struct ClassHistory {
    items: Vec<PastVerdict>,
}

/// A customer's verdicts in every stored run
#[utoipa::path(get, path = "/customers/{id}/classification/history", tag = "classification",
    params(IdPath), responses((status = 200, body = ClassHistory)))]
pub(crate) async fn customer_class_history(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
) -> ApiResult<Response> {
    let cid = id(&cid, &u)?;
    let h = consign_app::classification::history(&app, &u.actor, cid)
        .await
        .or_api(&u)?;
    let items = h
        .into_iter()
        .map(|(as_of, policy_version, verdict)| PastVerdict {
            as_of,
            policy_version,
            verdict,
        });
    let items = items.collect();
    Ok(Json(ClassHistory { items }).into_response())
}

/// The manager's dashboard figures
#[utoipa::path(get, path = "/dashboard", tag = "classification",
    params(consign_app::dashboard::DashQuery),
    responses((status = 200, body = consign_app::dashboard::Dashboard)))]
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
