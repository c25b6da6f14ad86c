//! Classification: its policy and versions, runs, a customer's verdict and history, the manager's dashboard.

#[allow(unused_imports)]
use super::*;

pub(crate) fn paths(p: &mut Paths) {
    p.add(
        "/api/v1/policies/classification",
        "get",
        op(
            "Classification policy in force",
            "classification",
            None,
            ("200", "ClassPolicyVersion"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/policies/classification",
        "put",
        op(
            "Store a new version of the classification policy (admin) and reclassify",
            "classification",
            Some("ClassPolicyChange"),
            ("200", "ClassPolicySaved"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/policies/classification/versions",
        "get",
        op(
            "Every version of the classification policy",
            "classification",
            None,
            ("200", "ClassPolicyVersions"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/classification/runs",
        "get",
        op(
            "Stored classification runs, newest first",
            "classification",
            None,
            ("200", "ClassRuns"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/classification/runs",
        "post",
        op(
            "Classify every customer as of a day (default today; admins and managers)",
            "classification",
            Some("ClassRecompute"),
            ("201", "ClassRunSummary"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/customers/{id}/classification",
        "get",
        op(
            "A customer's current classification, explained",
            "classification",
            None,
            ("200", "CustomerClass"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/customers/{id}/classification/history",
        "get",
        op(
            "A customer's verdicts in every stored run",
            "classification",
            None,
            ("200", "CustomerClassHistory"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/dashboard",
        "get",
        op(
            "The manager's dashboard figures",
            "classification",
            None,
            ("200", "Dashboard"),
        ),
        vec![
            json!({"name": "province", "in": "query", "schema": {"type": "string"}}),
            json!({"name": "industry", "in": "query", "schema": {"type": "string"}}),
            json!({"name": "service_mode", "in": "query", "schema": {"type": "string", "enum": requests::SERVICE_MODES}}),
            json!({"name": "owner", "in": "query", "description": "user id, `me` or `pool`", "schema": owner()}),
        ],
    );
}
