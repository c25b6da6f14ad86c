//! Follow-ups: interactions, tasks, the follow-up policy.

#[allow(unused_imports)]
use super::*;

pub(crate) fn paths(p: &mut Paths) {
    p.add(
        "/api/v1/customers/{id}/interactions",
        "get",
        op(
            "A customer's interactions, newest first (20 a page)",
            "followups",
            None,
            ("200", "InteractionPage"),
        ),
        vec![id_param("id"), paged(20).remove(0)],
    );
    p.add(
        "/api/v1/customers/{id}/interactions",
        "post",
        op(
            "Log a call, visit, e-mail, meeting or WeChat exchange",
            "followups",
            Some("InteractionInput"),
            ("201", "Interaction"),
        ),
        tid(),
    );
    p.add(
        "/api/v1/customers/{id}/tasks",
        "get",
        op(
            "A customer's open tasks",
            "followups",
            None,
            ("200", "Tasks"),
        ),
        tid(),
    );
    p.add(
        "/api/v1/customers/{id}/tasks",
        "post",
        op(
            "Add a task by hand",
            "followups",
            Some("TaskInput"),
            ("201", "Task"),
        ),
        tid(),
    );
    p.add(
        "/api/v1/tasks",
        "get",
        op(
            "The caller's open tasks: overdue, today, upcoming",
            "followups",
            None,
            ("200", "TaskList"),
        ),
        vec![
            qs("days", "how far ahead upcoming reaches", days(14)),
            qs(
                "group",
                "list only that group, paged (each group lists at most 100 tasks)",
                json!({"type": "string", "enum": ["overdue", "today", "upcoming"]}),
            ),
            qs(
                "page",
                "page of the group (with group)",
                json!({"type": "integer", "minimum": 1, "maximum": params::MAX_PAGE}),
            ),
        ],
    );
    p.add(
        "/api/v1/tasks/{id}/complete",
        "post",
        op(
            "Complete a task by logging the interaction that did it",
            "followups",
            Some("InteractionInput"),
            ("200", "Task"),
        ),
        tid(),
    );
    p.add(
        "/api/v1/policies/followup",
        "get",
        op(
            "The follow-up policy",
            "followups",
            None,
            ("200", "FollowUpPolicy"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/policies/followup",
        "put",
        op(
            "Replace the follow-up policy (admins)",
            "followups",
            Some("FollowUpPolicy"),
            ("200", "FollowUpPolicy"),
        ),
        vec![],
    );
}
