//! The caller, users, organisation units, API tokens, the audit log.

#[allow(unused_imports)]
use super::*;

pub(crate) fn paths(p: &mut Paths) {
    p.add(
        "/api/v1/me",
        "get",
        op("The caller", "auth", None, ("200", "Me")),
        vec![],
    );
    p.add(
        "/api/v1/users",
        "get",
        op("Users (admin)", "users", None, ("200", "UserList")),
        vec![],
    );
    p.add(
        "/api/v1/users",
        "post",
        op(
            "Create a user (admin)",
            "users",
            Some("NewUser"),
            ("201", "User"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/users/{id}",
        "patch",
        op(
            "Change role, unit, name, password or disable (admin)",
            "users",
            Some("UserPatch"),
            ("200", "User"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/org-units",
        "get",
        op("Organisation units", "users", None, ("200", "UnitList")),
        vec![],
    );
    p.add(
        "/api/v1/org-units",
        "post",
        op(
            "Create a branch or team (admin)",
            "users",
            Some("NewUnit"),
            ("201", "Unit"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/tokens",
        "get",
        op(
            "The caller's API tokens",
            "auth",
            None,
            ("200", "TokenList"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/tokens",
        "post",
        op(
            "Create an API token (shown once)",
            "auth",
            Some("NewToken"),
            ("201", "NewTokenResult"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/tokens/{id}",
        "delete",
        op("Revoke an API token", "auth", None, ("204", "")),
        cid(),
    );
    p.add(
        "/api/v1/audit",
        "get",
        op("Audit log (admin)", "audit", None, ("200", "AuditPage")),
        [
            vec![
                json!({"name": "actor_id", "in": "query", "schema": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}}),
                json!({"name": "action", "in": "query", "schema": {"type": "string"}}),
                json!({"name": "entity_type", "in": "query", "schema": {"type": "string"}}),
                json!({"name": "customer_id", "in": "query", "schema": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}}),
            ],
            paged(500),
        ]
        .concat(),
    );
}
