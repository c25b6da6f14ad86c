//! Shipment pages: the waybill search and one shipment.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

/// The shipment screens.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::get;
    axum::Router::new()
        .route("/shipments", get(shipments_page))
        .route("/shipments/{id}", get(shipment_show))
}

#[derive(Template)]
#[template(path = "shipments/detail.html")]
pub(crate) struct ShipmentTpl {
    pub(crate) ctx: Ctx,
    pub(crate) s: ShipmentView,
    pub(crate) events: Vec<shipments::EventView>,
}

#[derive(Template)]
#[template(path = "shipments/list.html")]
pub(crate) struct ShipmentSearchTpl {
    pub(crate) ctx: Ctx,
    pub(crate) waybill: String,
    pub(crate) not_found: bool,
}

#[derive(serde::Deserialize)]
pub(crate) struct WaybillQ {
    pub(crate) waybill: Option<String>,
}

/// Find a shipment by its waybill number: found, go to it; else say so.
pub(crate) async fn shipments_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<WaybillQ>,
) -> UiResult {
    let waybill = q.waybill.unwrap_or_default().trim().to_string();
    let mut not_found = false;
    if !waybill.is_empty() {
        match shipments::get_by_waybill(&app, &u.actor, &waybill).await {
            Ok(s) => return Ok(Redirect::to(&format!("/shipments/{}", s.id)).into_response()),
            Err(AppError::NotFound) => not_found = true,
            Err(e) => return Err(fail(e, u.lang)),
        }
    }
    let ctx = Ctx::new(&app, &u, "/shipments", "shipments");
    Ok(render(&ShipmentSearchTpl {
        ctx,
        waybill,
        not_found,
    }))
}

pub(crate) async fn shipment_show(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
) -> UiResult {
    let id = parse_id(&id, u.lang)?;
    let s = shipments::get(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, u.lang))?;
    let events = shipments::events(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, u.lang))?;
    let ctx = Ctx::new(&app, &u, &format!("/shipments/{id}"), "shipments");
    Ok(render(&ShipmentTpl { ctx, s, events }))
}
