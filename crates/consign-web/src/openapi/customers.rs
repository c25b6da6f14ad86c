//! The customer archive: list, create, duplicates, one customer, merge, reveal, timeline, contacts, the pool's policy.

#[allow(unused_imports)]
use super::*;

pub(crate) fn paths(p: &mut Paths) {
    let mut l = op(
        "List and search customers",
        "customers",
        None,
        ("200", "CustomerPage"),
    );
    l["parameters"] = Value::Array([customer_list_params(), paged(500)].concat());
    p.add("/api/v1/customers", "get", l, vec![]);
    let mut create = op(
        "Create a customer (409 with `duplicates` unless confirm_duplicates)",
        "customers",
        Some("NewCustomer"),
        ("201", "CustomerDetail"),
    );
    create["parameters"] = json!([{
        "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "Up to 255 visible ASCII characters, unique per intended create. A retry with the same key and body within 24 hours gets the first answer again (header `Idempotent-Replayed: true`) instead of a second customer; the same key with another body is a 422, and while the first request runs a 409.",
        "schema": {"type": "string", "maxLength": 255}
    }]);
    p.add("/api/v1/customers", "post", create, vec![]);
    p.add(
        "/api/v1/customers/duplicates",
        "post",
        op(
            "Find likely duplicates",
            "customers",
            Some("DuplicateCheck"),
            ("200", "DuplicateList"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/customers/{id}",
        "get",
        op(
            "A customer with contacts and permissions",
            "customers",
            None,
            ("200", "CustomerDetail"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/customers/{id}",
        "patch",
        op(
            "Change fields (absent fields stay)",
            "customers",
            Some("CustomerInput"),
            ("200", "CustomerDetail"),
        ),
        cid(),
    );
    for (action, s) in [
        ("archive", "Archive"),
        ("restore", "Restore"),
        ("release", "Release to the pool"),
        ("claim", "Claim from the pool"),
    ] {
        p.add(
            &format!("/api/v1/customers/{{id}}/{action}"),
            "post",
            op(s, "customers", None, ("200", "CustomerDetail")),
            cid(),
        );
    }
    p.add(
        "/api/v1/customers/{id}/merge",
        "post",
        op(
            "Merge this customer into another",
            "customers",
            Some("Merge"),
            ("200", "CustomerDetail"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/customers/{id}/reveal",
        "post",
        op(
            "ID number in clear (audited)",
            "personal data",
            None,
            ("200", "Revealed"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/customers/{id}/timeline",
        "get",
        op(
            "Activity from the audit log",
            "customers",
            None,
            ("200", "AuditPage"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/customers/{id}/contacts",
        "get",
        op(
            "Contacts (masked)",
            "contacts",
            None,
            ("200", "ContactList"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/customers/{id}/contacts",
        "post",
        op(
            "Add a contact",
            "contacts",
            Some("ContactInput"),
            ("201", "Contact"),
        ),
        cid(),
    );
    p.add(
        "/api/v1/customers/{id}/contacts/{cid}",
        "patch",
        op(
            "Change a contact",
            "contacts",
            Some("ContactInput"),
            ("200", "Contact"),
        ),
        ckid(),
    );
    p.add(
        "/api/v1/customers/{id}/contacts/{cid}",
        "delete",
        op("Delete a contact", "contacts", None, ("204", "")),
        ckid(),
    );
    p.add(
        "/api/v1/customers/{id}/contacts/{cid}/reveal",
        "post",
        op(
            "Phone and email in clear (audited)",
            "personal data",
            None,
            ("200", "Revealed"),
        ),
        ckid(),
    );
    p.add(
        "/api/v1/policies/pool",
        "get",
        op(
            "Customer pool policy",
            "policies",
            None,
            ("200", "PoolPolicy"),
        ),
        vec![],
    );
    p.add(
        "/api/v1/policies/pool",
        "put",
        op(
            "Change the pool policy (admin)",
            "policies",
            Some("PoolPolicy"),
            ("200", "PoolPolicy"),
        ),
        vec![],
    );
}
