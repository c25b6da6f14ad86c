//! Invoices and payments.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

/// The invoice and payment routes.
pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/customers/{id}/invoices", get(customer_invoices))
        .route("/customers/{id}/payments", get(customer_payments))
        .route("/invoices", post(write_invoices))
        .route("/invoices/by-number/{no}", get(invoice_by_no))
        .route("/invoices/{id}", get(get_invoice).delete(delete_invoice))
        .route("/payments", post(write_payments))
        .route("/payments/{id}", get(get_payment).delete(delete_payment))
}

records_write!(
    /// One invoice or a batch, created or replaced by invoice number; all or none.
    write_invoices,
    "POST /api/v1/invoices",
    billing::InvoiceInput,
    billing::upsert_invoices,
    invoice
);

records_write!(
    /// One payment or a batch, created or replaced by payment number; all or none.
    write_payments,
    "POST /api/v1/payments",
    billing::PaymentInput,
    billing::upsert_payments,
    payment
);

/// A customer's invoices (paged) with its receivables and their aging.
pub(crate) async fn customer_invoices(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Response> {
    let (page_no, per_page) = paging(q.page, q.per_page, 50, 200, &u)?;
    let (page, receivables) =
        billing::invoices_for_customer(&app, &u.actor, id(&cid, &u)?, page_no, per_page)
            .await
            .or_api(&u)?;
    let mut value = to_json(&page, &u)?;
    value["receivables"] = to_json(&receivables, &u)?;
    Ok(Json(value).into_response())
}

pub(crate) async fn customer_payments(
    State(app): State<App>,
    u: ApiUser,
    Path(cid): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Response> {
    let (page_no, per_page) = paging(q.page, q.per_page, 50, 200, &u)?;
    let page = billing::payments_for_customer(&app, &u.actor, id(&cid, &u)?, page_no, per_page)
        .await
        .or_api(&u)?;
    Ok(Json(page).into_response())
}

by_id!(get_invoice, billing::get_invoice);
by_id!(by_number invoice_by_no, billing::get_invoice_by_no);
by_id!(delete delete_invoice, billing::delete_invoice);
by_id!(get_payment, billing::get_payment);
by_id!(delete delete_payment, billing::delete_payment);
