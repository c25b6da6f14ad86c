//! The service desk: tickets, their workflow, attachments, the SLA policy, the service dashboard, notifications.

#[allow(unused_imports)]
use super::*;

pub(crate) fn paths(p: &mut Paths) {
    p.add(
        "/api/v1/tickets",
        "get",
        op(
            "Tickets of the customers in scope (filtered, sorted, paged)",
            "service",
            None,
            ("200", "TicketPage"),
        ),
        [ticket_filters(), paged(500)].concat(),
    );
    let mut upload = op(
        "Attach a file: the body is the file, ?filename= its name; JPEG, PNG, GIF, WebP, PDF or Office, at most 10 MB",
        "service",
        None,
        ("201", "Attachments"),
    );
    upload["requestBody"] = json!({"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
    p.add(
        "/api/v1/tickets/{id}/attachments",
        "post",
        upload,
        vec![id_param("id"), q("filename", "the file's name")],
    );
    p.add(
        "/api/v1/tickets/{id}/attachments/{aid}",
        "get",
        op(
            "Download an attachment (served as a download, never inline)",
            "service",
            None,
            ("200", ""),
        ),
        vec![id_param("id"), id_param("aid")],
    );
    p.add(
        "/api/v1/policies/sla",
        "get",
        op("The SLA policy", "service", None, ("200", "SlaPolicy")),
        vec![],
    );
    p.add(
        "/api/v1/policies/sla",
        "put",
        op(
            "Replace the SLA policy (admins; applies to tickets registered afterwards)",
            "service",
            Some("SlaPolicy"),
            ("200", "SlaPolicy"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/service/dashboard",
        "get",
        op("The service dashboard: open tickets by status and kind, breaches now, response and resolution times, root causes, claims paid, complaints per 1,000 shipments", "service", None, ("200", "ServiceDashboard")),
        vec![qs("days", "the period, days back", days(30))],
    );
    p.add(
        "/api/v1/notifications",
        "get",
        op(
            "The caller's latest notifications (escalations, assignments)",
            "service",
            None,
            ("200", "Notifications"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/notifications/read",
        "post",
        op(
            "Mark the caller's notifications read",
            "service",
            None,
            ("200", ""),
        ),
        vec![],
    );
}
