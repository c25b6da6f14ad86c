//! Service KPIs (issue 20): a customer's logistics service figures over a window.

#[allow(unused_imports)]
use super::*;
use consign_app::kpis::{self, KpiQuery};
use consign_domain::customer::CustomerId;

/// The service KPIs' routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default().routes(routes!(customer_kpis))
}

/// A customer's service KPIs over local days `[from, to)` (rates in [0, 1], null when
/// their denominator is 0)
#[utoipa::path(get, path = "/customers/{id}/kpis", tag = "kpis", params(IdPath, KpiQuery),
    responses((status = 200, body = kpis::CustomerKpis)))]
pub(crate) async fn customer_kpis(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<KpiQuery>,
) -> ApiResult<Response> {
    let cid: CustomerId = id(&cid, &u)?;
    let k = kpis::customer_kpis(&app, &u.actor, cid, &q)
        .await
        .or_api(&u)?;
    Ok(Json(k).into_response())
}
