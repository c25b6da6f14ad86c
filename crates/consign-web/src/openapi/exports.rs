//! Exports: one path per list, each with the filters that list takes.

#[allow(unused_imports)]
use super::*;

pub(crate) fn paths(p: &mut Paths) {
    // ---- exports: one path per list, each with the filters it takes ----
    for (kind, what, filters) in [
        (
            "customers",
            "the customer list (with its filters)",
            customer_list_params(),
        ),
        (
            "shipments",
            "shipments: all you may see, or one customer's",
            vec![json!({"name": "customer_id", "in": "query", "schema": {"type": "string"}})],
        ),
        (
            "invoices",
            "invoices: all you may see, or one customer's",
            vec![json!({"name": "customer_id", "in": "query", "schema": {"type": "string"}})],
        ),
        (
            "payments",
            "payments: all you may see, or one customer's",
            vec![json!({"name": "customer_id", "in": "query", "schema": {"type": "string"}})],
        ),
        (
            "tickets",
            "the ticket list (with its filters)",
            ticket_filters(),
        ),
    ] {
        let mut o = op(
            &format!("Export {what} as a file with the columns the import takes. Audited."),
            "imports",
            None,
            ("200", ""),
        );
        o["responses"]["200"] = json!({"description": "The file", "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}
        }});
        let format = json!({"name": "format", "in": "query", "schema": {"type": "string", "enum": ["csv", "xlsx"]}});
        p.add(
            &format!("/api/v1/exports/{kind}"),
            "get",
            o,
            [vec![format], filters].concat(),
        );
    }
    p.add(
        "/api/v1/tickets",
        "post",
        op(
            "Register a ticket (deadlines from the SLA policy)",
            "service",
            Some("TicketInput"),
            ("201", "TicketDetail"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/tickets/{id}",
        "get",
        op(
            "A ticket with its history, shipments, attachments and allowed steps",
            "service",
            None,
            ("200", "TicketDetail"),
        ),
        tid(),
    );
    p.add(
        "/api/v1/tickets/by-number/{no}",
        "get",
        op(
            "A ticket by its number (TK…)",
            "service",
            None,
            ("200", "TicketDetail"),
        ),
        vec![id_param("no")],
    );
    p.add(
        "/api/v1/tickets/{id}/transitions",
        "post",
        op(
            "Take a workflow step (409 when the status does not allow it)",
            "service",
            Some("TicketStep"),
            ("200", "TicketDetail"),
        ),
        tid(),
    );
    p.add(
        "/api/v1/tickets/{id}/assign",
        "post",
        op(
            "Give the ticket to a user (or to no one)",
            "service",
            Some("TicketAssign"),
            ("200", "TicketDetail"),
        ),
        tid(),
    );
    p.add(
        "/api/v1/tickets/{id}/comments",
        "post",
        op(
            "Add a note to the ticket's history",
            "service",
            Some("TicketComment"),
            ("200", "TicketDetail"),
        ),
        tid(),
    );
    p.add(
        "/api/v1/tickets/{id}/attachments",
        "get",
        op(
            "The ticket's attachments",
            "service",
            None,
            ("200", "Attachments"),
        ),
        tid(),
    );
}
