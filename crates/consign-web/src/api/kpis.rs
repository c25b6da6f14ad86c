//! Service KPIs (issue 20): a customer's logistics service figures over a window.

#[allow(unused_imports)]
use super::*;
use consign_app::exports::{Export, Format};
use consign_app::kpis::{self, GroupQuery, KpiQuery};
use consign_domain::customer::CustomerId;

/// The service KPIs' routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(customer_kpis))
        .routes(routes!(company_kpis))
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

/// The service KPIs of the customers you may see over local days `[from, to)`, one row
/// per group (`group=customer|value_class|grade|province|industry|service_mode|owner|month`),
/// as JSON or a CSV/XLSX file (`format`; files are audited)
#[utoipa::path(get, path = "/kpis", tag = "kpis", params(GroupQuery),
    responses((status = 200, description = "One row per group: JSON, or a file (`format=csv|xlsx`)",
        content((kpis::KpiTable = "application/json"), (String = "text/csv"),
            (super::imports::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub(crate) async fn company_kpis(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<GroupQuery>,
) -> ApiResult<Response> {
    let format = match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => None,
        Some(f) => Some(Format::parse(f).ok_or_else(|| {
            WebError::api(AppError::field("format", "err.invalid_choice"), u.lang)
        })?),
    };
    match format {
        None => {
            let table = kpis::company_kpis(&app, &u.actor, &q).await.or_api(&u)?;
            Ok(Json(table).into_response())
        }
        Some(format) => {
            crate::downloads::download(&app, &u.actor, Export::Kpis(Box::new(q)), format, "kpis")
                .await
                .or_api(&u)
        }
    }
}
