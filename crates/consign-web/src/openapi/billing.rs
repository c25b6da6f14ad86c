//! Invoices and payments of a customer, one invoice by number.

#[allow(unused_imports)]
use super::*;

pub(crate) fn paths(p: &mut Paths) {
    for (kind, one, key) in [
        ("invoices", "Invoice", "invoice number"),
        ("payments", "Payment", "payment number"),
    ] {
        let idem = json!({"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string"}});
        p.add(
            &format!("/api/v1/customers/{{id}}/{kind}"),
            "get",
            op(
                &format!("A customer's {kind}, latest first"),
                "billing",
                None,
                ("200", &format!("{one}Page")),
            ),
            [cid(), page_params()].concat(),
        );
        p.add(
            &format!("/api/v1/{kind}"),
            "post",
            op(
                &format!("Create or replace {kind} by {key}: one object, or {{\"items\": [...]}} (at most 1,000, all or none). 201 when one was created, else 200."),
                "billing",
                Some(&format!("{one}Write")),
                ("200", &format!("{one}Written")),
            ),
            vec![idem],
        );
        p.add(
            &format!("/api/v1/{kind}/{{id}}"),
            "get",
            op(&format!("One of the {kind}"), "billing", None, ("200", one)),
            cid(),
        );
        p.add(
            &format!("/api/v1/{kind}/{{id}}"),
            "delete",
            op(
                if kind == "invoices" {
                    "Delete an invoice that no payment names"
                } else {
                    "Delete a payment"
                },
                "billing",
                None,
                ("204", ""),
            ),
            cid(),
        );
    }
    p.add(
        "/api/v1/invoices/by-number/{no}",
        "get",
        op(
            "An invoice by its number",
            "billing",
            None,
            ("200", "Invoice"),
        ),
        vec![id_param("no")],
    );
}
