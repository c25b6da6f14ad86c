//! Public tracking in the API (issue 22): no token; the waybill number and the last four
//! digits of the shipper's or consignee's phone are the check, and lookups are counted.

#[allow(unused_imports)]
use super::*;
use crate::extract::{ClientIp, ReqLang};
use consign_app::tracking;

pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default().routes(routes!(track))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TrackQuery {
    /// the waybill number (required)
    pub waybill_no: Option<String>,
    /// the last four digits of the shipper's or the consignee's phone (required)
    pub phone_last4: Option<String>,
}

/// Track a shipment without an account: its status and tracking events, for whoever has
/// its waybill number and the last four digits of the shipper's or consignee's phone.
/// Needs no token. A wrong number and wrong digits are the same 404; after 10 failed
/// lookups from one address in 15 minutes, 60 lookups of any kind, or 10 wrong digits
/// for one waybill number in an hour, a 429
#[utoipa::path(get, path = "/track", tag = "tracking", params(TrackQuery),
    responses((status = 200, body = tracking::Tracked)))]
async fn track(
    State(app): State<App>,
    ReqLang(lang): ReqLang,
    ClientIp(ip): ClientIp,
    ApiQuery(q): ApiQuery<TrackQuery>,
) -> ApiResult<Response> {
    let t = tracking::track(
        &app,
        q.waybill_no.as_deref().unwrap_or(""),
        q.phone_last4.as_deref().unwrap_or(""),
        &ip,
    )
    .await
    .map_err(|e| WebError::api(e, lang))?;
    Ok(Json(t).into_response())
}
