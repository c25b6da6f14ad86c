//! Shipments: a customer's, one by waybill, writes, deletes, tracking events.

#[allow(unused_imports)]
use super::*;

pub(crate) fn paths(p: &mut Paths) {
    p.add(
        "/api/v1/customers/{id}/shipments",
        "get",
        op(
            "A customer's shipments, newest order first",
            "shipments",
            None,
            ("200", "ShipmentPage"),
        ),
        [cid(), page_params()].concat(),
    );
    let mut write = op(
        "Create or replace shipments by waybill number: one object, or {\"items\": [...]} (at most 1,000, all or none). 201 when one shipment was created, else 200.",
        "shipments",
        Some("ShipmentWrite"),
        ("200", "ShipmentWritten"),
    );
    write["parameters"] = json!([{
        "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "As for customer creates: a retry with the same key and body within 24 hours gets the first answer again.",
        "schema": {"type": "string", "maxLength": 255}
    }]);
    p.add("/api/v1/shipments", "post", write, vec![]);
    p.add(
        "/api/v1/shipments/by-waybill/{no}",
        "get",
        op(
            "A shipment by waybill number",
            "shipments",
            None,
            ("200", "Shipment"),
        ),
        vec![id_param("no")],
    );
    p.add(
        "/api/v1/shipments/{id}",
        "get",
        op("A shipment", "shipments", None, ("200", "Shipment")),
        cid(),
    );
    p.add(
        "/api/v1/shipments/{id}",
        "delete",
        op(
            "Delete a shipment (and take it out of the rollups)",
            "shipments",
            None,
            ("204", ""),
        ),
        cid(),
    );
    p.add(
        "/api/v1/shipments/{id}/events",
        "get",
        op(
            "A shipment's tracking events, oldest first",
            "shipments",
            None,
            ("200", "TrackingEvents"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/shipments/{id}/events",
        "post",
        op(
            "Add tracking events (repeats are kept once)",
            "shipments",
            Some("TrackingEventsInput"),
            ("200", "TrackingEvents"),
        ),
        cid(),
    );
}
