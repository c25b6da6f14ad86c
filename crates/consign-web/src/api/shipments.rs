//! Shipments and their tracking events.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

/// The shipment routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(customer_shipments))
        .routes(routes!(list_shipments, write_shipments))
        .routes(routes!(shipment_by_waybill))
        .routes(routes!(get_shipment, delete_shipment))
        .routes(routes!(shipment_events, add_shipment_events))
}

write_docs!(
    ShipmentWrite,
    ShipmentBatch,
    ShipmentInput,
    ShipmentWritten,
    ShipmentWrittenOne,
    ShipmentWrittenBatch,
    shipments::ShipmentView
);

/// Shipments of the customers in scope, newest order first
///
/// Filtered by waybill prefix, status, service mode, exception, order days, customer and
/// route; the count stops at 10,000 (`total_capped`: more match; page on while pages are
/// full).
#[utoipa::path(get, path = "/shipments", tag = "shipments", params(shipments::ShipmentQuery),
    responses((status = 200, body = shipments::ShipmentPage)))]
pub(crate) async fn list_shipments(
    State(app): State<App>,
    u: ApiUser,
    ApiQuery(q): ApiQuery<shipments::ShipmentQuery>,
) -> ApiResult<Response> {
    let page = shipments::list(&app, &u.actor, &q).await.or_api(&u)?;
    Ok(Json(page).into_response())
}

/// A customer's shipments, newest order first
#[utoipa::path(get, path = "/customers/{id}/shipments", tag = "shipments", params(IdPath, PageQuery),
    responses((status = 200, body = Page<shipments::ShipmentView>)))]
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

by_id!(
    /// A shipment
    #[utoipa::path(get, path = "/shipments/{id}", tag = "shipments", params(IdPath),
        responses((status = 200, body = shipments::ShipmentView)))]
    get_shipment, shipments::get);
by_id!(
    /// A shipment by waybill number
    #[utoipa::path(get, path = "/shipments/by-waybill/{no}", tag = "shipments", params(NoPath),
        responses((status = 200, body = shipments::ShipmentView)))]
    by_number shipment_by_waybill, shipments::get_by_waybill);

/// A shipment's tracking events, oldest first (and, after an add, how many were new).
#[derive(Serialize, ToSchema)]
pub(crate) struct TrackingEvents {
    #[serde(skip_serializing_if = "Option::is_none")]
    added: Option<u64>,
    items: Vec<shipments::EventView>,
}

/// A shipment's tracking events, oldest first
#[utoipa::path(get, path = "/shipments/{id}/events", tag = "shipments", params(IdPath),
    responses((status = 200, body = TrackingEvents)))]
pub(crate) async fn shipment_events(
    State(app): State<App>,
    u: ApiUser,
    Path(sid): Path<String>,
) -> ApiResult<Response> {
    let items = shipments::events(&app, &u.actor, id(&sid, &u)?)
        .await
        .or_api(&u)?;
    let answer = TrackingEvents { added: None, items };
    Ok(Json(answer).into_response())
}

/// Tracking events to add to a shipment, `{"items": [{"at", "place", "status_text"}]}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TrackingEventsInput)]
pub(crate) struct Events {
    pub(crate) items: Vec<shipments::EventInput>,
}

/// Add tracking events (repeats are kept once)
#[utoipa::path(post, path = "/shipments/{id}/events", tag = "shipments", params(IdPath),
    request_body = Events, responses((status = 200, body = TrackingEvents)))]
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
    let answer = TrackingEvents {
        added: Some(added),
        items,
    };
    Ok(Json(answer).into_response())
}

/// Delete a shipment (and take it out of the rollups)
#[utoipa::path(delete, path = "/shipments/{id}", tag = "shipments", params(IdPath),
    responses((status = 204, description = "Done")))]
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
    /// Create or replace shipments by waybill number
    ///
    /// One object, or {"items": [...]} (at most 1,000, all or none). 201 when one shipment
    /// was created, else 200.
    #[utoipa::path(post, path = "/shipments", tag = "shipments", request_body = ShipmentWrite,
        params(("Idempotency-Key" = Option<String>, Header, max_length = 255,
            description = "As for customer creates: a retry with the same key and body within 24 hours gets the first answer again.")),
        responses((status = 200, body = ShipmentWritten), (status = 201, body = ShipmentWritten)))]
    write_shipments,
    "POST /api/v1/shipments",
    ShipmentInput,
    shipments::upsert,
    shipment
);
