//! Shipments and their tracking events.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

/// The shipment routes.
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/customers/{id}/shipments", get(customer_shipments))
        .route("/shipments", post(write_shipments))
        .route("/shipments/by-waybill/{no}", get(shipment_by_waybill))
        .route("/shipments/{id}", get(get_shipment).delete(delete_shipment))
        .route(
            "/shipments/{id}/events",
            get(shipment_events).post(add_shipment_events),
        )
}

pub(crate) async fn customer_shipments(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Response> {
    let (page_no, per_page) = paging(q.page, q.per_page, 50, 200, &u)?;
    let page = shipments::for_customer(&app, &u.actor, id(&cid, &u)?, page_no, per_page)
        .await
        .or_api(&u)?;
    Ok(Json(page).into_response())
}

by_id!(get_shipment, shipments::get);
by_id!(by_number shipment_by_waybill, shipments::get_by_waybill);

pub(crate) async fn shipment_events(
    State(app): State<App>,
    u: ApiUser,
    Path(sid): Path<String>,
) -> ApiResult<Response> {
    let items = shipments::events(&app, &u.actor, id(&sid, &u)?)
        .await
        .or_api(&u)?;
    Ok(Json(json!({ "items": items })).into_response())
}

/// Tracking events, `{"items": [{"at", "place", "status_text"}]}`; repeats are kept once.
/// Tracking events to add to a shipment.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Events {
    pub(crate) items: Vec<shipments::EventInput>,
}

pub(crate) async fn add_shipment_events(
    State(app): State<App>,
    u: ApiUser,
    Path(sid): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    let events: Events = crate::extract::from_value(body, "", u.lang)?;
    let sid = id(&sid, &u)?;
    let added = shipments::add_events(&app, &u.actor, sid, &events.items)
        .await
        .or_api(&u)?;
    let items = shipments::events(&app, &u.actor, sid).await.or_api(&u)?;
    Ok(Json(json!({ "added": added, "items": items })).into_response())
}

pub(crate) async fn delete_shipment(
    State(app): State<App>,
    u: ApiUser,
    Path(sid): Path<String>,
) -> ApiResult<Response> {
    shipments::delete(&app, &u.actor, id(&sid, &u)?)
        .await
        .or_api(&u)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

records_write!(
    /// One shipment (an object) or a batch (`{"items": [...]}`, at most 1,000), created or
    /// replaced by waybill number; all or none.
    write_shipments,
    "POST /api/v1/shipments",
    ShipmentInput,
    shipments::upsert,
    shipment
);
