//! Invoices and payments.

#[allow(unused_imports)]
use super::*;
#[allow(unused_imports)]
use consign_app::{billing, customers, shipments, users};

/// The invoice and payment routes.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::default()
        .routes(routes!(customer_invoices))
        .routes(routes!(customer_payments))
        .routes(routes!(write_invoices))
        .routes(routes!(invoice_by_no))
        .routes(routes!(get_invoice, delete_invoice))
        .routes(routes!(write_payments))
        .routes(routes!(get_payment, delete_payment))
}

write_docs!(
    InvoiceWrite,
    InvoiceBatch,
    billing::InvoiceInput,
    InvoiceWritten,
    InvoiceWrittenOne,
    InvoiceWrittenBatch,
    billing::InvoiceView
);
write_docs!(
    PaymentWrite,
    PaymentBatch,
    billing::PaymentInput,
    PaymentWritten,
    PaymentWrittenOne,
    PaymentWrittenBatch,
    billing::PaymentView
);

records_write!(
    /// Create or replace invoices by invoice number
    ///
    /// One object, or {"items": [...]} (at most 1,000, all or none). 201 when one was
    /// created, else 200.
    #[utoipa::path(post, path = "/invoices", tag = "billing", request_body = InvoiceWrite,
        params(("Idempotency-Key" = Option<String>, Header, max_length = 255,
            description = "As for customer creates: a retry with the same key and body within 24 hours gets the first answer again.")),
        responses((status = 200, body = InvoiceWritten), (status = 201, body = InvoiceWritten)))]
    write_invoices,
    "POST /api/v1/invoices",
    billing::InvoiceInput,
    billing::upsert_invoices,
    invoice
);

records_write!(
    /// Create or replace payments by payment number
    ///
    /// One object, or {"items": [...]} (at most 1,000, all or none). 201 when one was
    /// created, else 200.
    #[utoipa::path(post, path = "/payments", tag = "billing", request_body = PaymentWrite,
        params(("Idempotency-Key" = Option<String>, Header, max_length = 255,
            description = "As for customer creates: a retry with the same key and body within 24 hours gets the first answer again.")),
        responses((status = 200, body = PaymentWritten), (status = 201, body = PaymentWritten)))]
    write_payments,
    "POST /api/v1/payments",
    billing::PaymentInput,
    billing::upsert_payments,
    payment
);

/// A customer's invoices with its receivables.
#[derive(Serialize, ToSchema)]
pub(crate) struct InvoicePage {
    #[serde(flatten)]
    page: Page<billing::InvoiceView>,
    receivables: billing::Receivables,
}

/// A customer's invoices, latest first
///
/// With its receivables and their aging.
#[utoipa::path(get, path = "/customers/{id}/invoices", tag = "billing", params(IdPath, PageQuery),
    responses((status = 200, body = InvoicePage)))]
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
    Ok(Json(InvoicePage { page, receivables }).into_response())
}

/// A customer's payments, latest first
#[utoipa::path(get, path = "/customers/{id}/payments", tag = "billing", params(IdPath, PageQuery),
    responses((status = 200, body = Page<billing::PaymentView>)))]
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

by_id!(
    /// One of the invoices
    #[utoipa::path(get, path = "/invoices/{id}", tag = "billing", params(IdPath),
        responses((status = 200, body = billing::InvoiceView)))]
    get_invoice, billing::get_invoice);
by_id!(
    /// An invoice by its number
    #[utoipa::path(get, path = "/invoices/by-number/{no}", tag = "billing", params(NoPath),
        responses((status = 200, body = billing::InvoiceView)))]
    by_number invoice_by_no, billing::get_invoice_by_no);
by_id!(
    /// Delete an invoice that no payment names
    #[utoipa::path(delete, path = "/invoices/{id}", tag = "billing", params(IdPath),
        responses((status = 204, description = "Done")))]
    delete delete_invoice, billing::delete_invoice);
by_id!(
    /// One of the payments
    #[utoipa::path(get, path = "/payments/{id}", tag = "billing", params(IdPath),
        responses((status = 200, body = billing::PaymentView)))]
    get_payment, billing::get_payment);
by_id!(
    /// Delete a payment
    #[utoipa::path(delete, path = "/payments/{id}", tag = "billing", params(IdPath),
        responses((status = 204, description = "Done")))]
    delete delete_payment, billing::delete_payment);
