//! Invoices and payments by API and on screen: read within the customer scope, written
//! (single or batch, all or none) by roles that feed operations data. A payment that
//! names an invoice settles that invoice; one that names none is applied to the
//! customer's oldest unpaid invoices first (先到期先核销), as credit staff do.

use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::scope::{self, CustomerRefIn};
use crate::shipments::CustomerRef;
use crate::Page;
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::billing::{
    doc_no, period, standing, Aging, AgingBucket, Invoice, InvoiceState, Payment, PaymentMethod,
};
use consign_domain::customer::CustomerId;
use consign_domain::ops::Fen;
use consign_domain::params;
use consign_domain::FieldErrors;
use consign_store::billing::{self as repo, Doc, PaymentWrite, StoredInvoice, StoredPayment};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Items per batch request at most.
pub const MAX_BATCH: usize = 1_000;

/// Whether a write created the record or changed one.
pub use crate::shipments::Outcome;

pub(crate) fn item_path(single: bool, i: usize) -> String {
    if single {
        String::new()
    } else {
        format!("items[{i}].")
    }
}

pub(crate) fn parse_id(
    s: &Option<String>,
    field: String,
    errs: &mut FieldErrors,
) -> Option<CustomerId> {
    match s.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(v) => errs.check(&field, CustomerId::parse_ref(v)),
    }
}

pub(crate) fn text(
    v: &Option<String>,
    field: String,
    max: usize,
    errs: &mut FieldErrors,
) -> String {
    let t = v.as_deref().unwrap_or("").trim().to_string();
    if t.chars().count() > max {
        errs.add(field, "err.too_long");
    }
    t
}

// ---- invoices ----

/// An invoice as the API takes it: amount in fen, times in ISO 8601, the customer by
/// `customer_code` (or `customer_id`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InvoiceInput {
    #[schema(required = true)]
    pub invoice_no: String,
    /// the customer's code, or else customer_id
    pub customer_code: Option<String>,
    pub customer_id: Option<String>,
    pub amount_fen: Option<Fen>,
    pub issued_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    /// `YYYY-MM` for a monthly statement.
    pub period: Option<String>,
    pub note: Option<String>,
    /// `invoice` (default) or `credit_note` (红字发票: lowers what the customer owes).
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Invoice)]
pub struct InvoiceView {
    pub id: String,
    pub invoice_no: String,
    pub customer: CustomerRef,
    /// `invoice` or `credit_note`.
    pub kind: &'static str,
    pub amount_fen: Fen,
    /// Payments naming this invoice plus unnamed payments applied to it (oldest first).
    pub paid_fen: Fen,
    pub outstanding_fen: Fen,
    pub currency: &'static str,
    pub state: InvoiceState,
    pub days_overdue: i64,
    pub aging: AgingBucket,
    pub issued_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub period: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A customer's receivables on a day (SPEC §8 aging).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Receivables {
    pub outstanding_fen: Fen,
    pub overdue_fen: Fen,
    pub aging: Aging,
    /// Unnamed payments beyond every invoice (a credit balance).
    pub credit_fen: Fen,
    pub oldest_overdue_days: i64,
    pub overdue_invoices: u64,
}

/// Every invoice of a customer with what is applied to it: its own payments, then the
/// unnamed payments spread over the earliest-due invoices still open.
pub(crate) async fn settled(
    app: &App,
    customer_id: CustomerId,
) -> Result<(Vec<(StoredInvoice, Fen)>, Fen)> {
    Ok(repo::settled(&app.db.conn, customer_id).await?)
}

pub(crate) fn invoice_view(
    s: &StoredInvoice,
    paid: Fen,
    name: &str,
    now: DateTime<Utc>,
) -> InvoiceView {
    let i = &s.invoice;
    let (state, left, days) = standing(i.amount_fen, paid, i.due_at, now);
    InvoiceView {
        id: s.id.to_string(),
        invoice_no: i.invoice_no.clone(),
        customer: CustomerRef {
            id: s.customer_id.to_string(),
            code: i.customer_code.clone(),
            name: name.to_string(),
        },
        amount_fen: i.amount_fen,
        paid_fen: paid,
        outstanding_fen: left,
        currency: "CNY",
        state,
        days_overdue: days,
        aging: AgingBucket::of_days(days),
        issued_at: i.issued_at,
        due_at: i.due_at,
        period: i.period.clone(),
        kind: if i.credit_note {
            "credit_note"
        } else {
            "invoice"
        },
        note: i.note.clone(),
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

/// A customer's invoices, latest issued first, with the receivables summary.
pub async fn invoices_for_customer(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    page: u64,
    per_page: u64,
) -> Result<(Page<InvoiceView>, Receivables)> {
    let c = scope::visible_customer(app, actor, customer_id).await?;
    let per_page = per_page.clamp(1, 200);
    let page = page.max(1);
    let now = Utc::now();
    let (mut all, credit) = settled(app, customer_id).await?;
    let mut r = Receivables {
        credit_fen: credit,
        ..Receivables::default()
    };
    let views: Vec<InvoiceView> = all
        .iter()
        .map(|(s, paid)| invoice_view(s, *paid, &c.name, now))
        .collect();
    for v in &views {
        r.aging.add(v.aging, v.outstanding_fen);
        if v.state == InvoiceState::Overdue {
            r.overdue_invoices += 1;
            r.oldest_overdue_days = r.oldest_overdue_days.max(v.days_overdue);
        }
    }
    r.outstanding_fen = r.aging.outstanding();
    r.overdue_fen = r.aging.overdue();
    all.clear();
    let mut views = views;
    views.sort_by(|a, b| (b.issued_at, &b.id).cmp(&(a.issued_at, &a.id)));
    let total = views.len() as u64;
    let items = views
        .into_iter()
        .skip(params::offset(page, per_page) as usize)
        .take(per_page as usize)
        .collect();
    Ok((
        Page {
            items,
            total,
            page,
            per_page,
        },
        r,
    ))
}

pub(crate) async fn invoice_of(app: &App, actor: &Actor, s: &StoredInvoice) -> Result<InvoiceView> {
    let c = scope::visible_customer(app, actor, CustomerId::trusted(s.customer_id)).await?;
    let (all, _) = settled(app, CustomerId::trusted(s.customer_id)).await?;
    let paid = all
        .iter()
        .find(|(x, _)| x.id == s.id)
        .map_or(s.paid_fen, |(_, p)| *p);
    Ok(invoice_view(s, paid, &c.name, Utc::now()))
}

pub async fn get_invoice(app: &App, actor: &Actor, id: i64) -> Result<InvoiceView> {
    let s = repo::find::<_, StoredInvoice>(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    invoice_of(app, actor, &s).await
}

pub async fn get_invoice_by_no(app: &App, actor: &Actor, no: &str) -> Result<InvoiceView> {
    let no = doc_no(no).map_err(|_| AppError::NotFound)?;
    let s = repo::by_no::<_, StoredInvoice>(&app.db.conn, &[no.as_str()])
        .await?
        .remove(&no)
        .ok_or(AppError::NotFound)?;
    invoice_of(app, actor, &s).await
}

/// Checks one invoice input (without its customer); `path` prefixes field names.
pub(crate) fn check_invoice(
    input: &InvoiceInput,
    path: &str,
    errs: &mut FieldErrors,
) -> Option<Invoice> {
    let f = |name: &str| format!("{path}{name}");
    let before = errs.0.len();
    let no = errs.check(&f("invoice_no"), doc_no(&input.invoice_no));
    let per = errs.check(
        &f("period"),
        period(input.period.as_deref().unwrap_or_default()),
    );
    for (v, name) in [
        (input.amount_fen.is_none(), "amount_fen"),
        (input.issued_at.is_none(), "issued_at"),
        (input.due_at.is_none(), "due_at"),
    ] {
        if v {
            errs.add(f(name), "err.required");
        }
    }
    let note = text(&input.note, f("note"), 1000, errs);
    let (Some(invoice_no), Some(period), Some(amount_fen), Some(issued_at), Some(due_at)) =
        (no, per, input.amount_fen, input.issued_at, input.due_at)
    else {
        return None;
    };
    let inv = Invoice {
        invoice_no,
        customer_code: input
            .customer_code
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_string(),
        amount_fen,
        issued_at,
        due_at,
        period,
        note,
        credit_note: false,
    };
    let mut inv = inv;
    match input.kind.as_deref().map(str::trim) {
        None | Some("") | Some("invoice") => {}
        Some("credit_note") => inv.credit_note = true,
        Some(_) => errs.add(f("kind"), "err.invoice_kind"),
    }
    if let Err(broken) = inv.check() {
        for (field, key) in broken {
            errs.add(
                f(if field == "amount" {
                    "amount_fen"
                } else {
                    field
                }),
                key,
            );
        }
    }
    (errs.0.len() == before).then_some(inv)
}

#[derive(Debug, Clone, Serialize)]
pub struct WrittenInvoice {
    pub outcome: Outcome,
    pub invoice: InvoiceView,
}

/// An input naming its customer by id or code.
pub(crate) trait NamesCustomer {
    fn customer(&self) -> (&Option<String>, &Option<String>);
}
impl NamesCustomer for InvoiceInput {
    fn customer(&self) -> (&Option<String>, &Option<String>) {
        (&self.customer_id, &self.customer_code)
    }
}
impl NamesCustomer for PaymentInput {
    fn customer(&self) -> (&Option<String>, &Option<String>) {
        (&self.customer_id, &self.customer_code)
    }
}

/// A record carrying its customer's code.
pub(crate) trait OfCustomer {
    fn code(&self) -> &str;
    fn set_code(&mut self, code: String);
}
impl OfCustomer for Invoice {
    fn code(&self) -> &str {
        &self.customer_code
    }
    fn set_code(&mut self, code: String) {
        self.customer_code = code;
    }
}
impl OfCustomer for Payment {
    fn code(&self) -> &str {
        &self.customer_code
    }
    fn set_code(&mut self, code: String) {
        self.customer_code = code;
    }
}

/// A checked batch item: its index, its customer (id, code, name) and the record.
pub(crate) struct Resolved<T> {
    index: usize,
    customer_id: i64,
    customer_name: String,
    record: T,
}

/// What invoices and payments share on the way in: the role, the batch size, each item
/// checked (`check` gives the record with the customer code as written), the customer by
/// id or code within the caller's scope (`set_code` stores the customer's own code).
/// Errors are collected in `errs` with their `items[i].` paths; the caller adds its own
/// and refuses the whole batch if there are any.
pub(crate) async fn check_batch<I: NamesCustomer, T: OfCustomer>(
    app: &App,
    actor: &Actor,
    inputs: &[I],
    errs: &mut FieldErrors,
    check: impl Fn(&I, &str, &mut FieldErrors) -> Option<T>,
) -> Result<Vec<Resolved<T>>> {
    if !actor.role.can_write_operations() {
        return Err(AppError::Forbidden);
    }
    if inputs.len() > MAX_BATCH {
        errs.add("items", "err.batch_too_large");
        return Err(AppError::Validation(errs.clone()));
    }
    let single = inputs.len() == 1;
    let mut checked = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let path = item_path(single, i);
        let (id_s, code_s) = input.customer();
        let id = parse_id(id_s, format!("{path}customer_id"), errs);
        let named_by_id = id_s.as_deref().is_some_and(|s| !s.trim().is_empty());
        if !named_by_id && code_s.as_deref().unwrap_or("").trim().is_empty() {
            errs.add(format!("{path}customer_code"), "err.required");
        }
        if let Some(r) = check(input, &path, errs) {
            checked.push((i, id, r));
        }
    }
    let refs: Vec<CustomerRefIn> = checked
        .iter()
        .map(|(_, id, r)| CustomerRefIn {
            id: *id,
            code: r.code(),
        })
        .collect();
    let found = scope::resolve_refs(app, actor, &refs).await?;
    let mut out = Vec::with_capacity(checked.len());
    for ((i, id, mut r), found) in checked.into_iter().zip(found) {
        match found {
            Some((cid, code, name)) => {
                r.set_code(code);
                out.push(Resolved {
                    index: i,
                    customer_id: cid,
                    customer_name: name,
                    record: r,
                });
            }
            None => errs.add(
                format!(
                    "{}{}",
                    item_path(single, i),
                    if id.is_some() {
                        "customer_id"
                    } else {
                        "customer_code"
                    }
                ),
                "err.unknown_customer",
            ),
        }
    }
    Ok(out)
}

/// Creates or replaces invoices by number, all or none: any invalid item makes the whole
/// request a 422 naming `items[i].field`.
pub async fn upsert_invoices(
    app: &App,
    actor: &Actor,
    inputs: &[InvoiceInput],
) -> Result<Vec<WrittenInvoice>> {
    let mut errs = FieldErrors::new();
    let rows: Vec<(i64, Invoice)> = check_batch(app, actor, inputs, &mut errs, check_invoice)
        .await?
        .into_iter()
        .map(|r| (r.customer_id, r.record))
        .collect();
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let nos: Vec<&str> = rows.iter().map(|(_, i)| i.invoice_no.as_str()).collect();
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let old: HashMap<String, StoredInvoice> = repo::by_no(&txn, &nos).await?;
    scope::refuse_numbers_out_of_scope(
        app,
        actor,
        &txn,
        rows.iter()
            .map(|(_, inv)| old.get(&inv.invoice_no).map(|o| o.customer_id)),
        inputs.len() == 1,
        "invoice_no",
    )
    .await?;
    let (outcomes, writes) = plan_writes(
        &rows,
        |(_, inv)| inv.invoice_no.as_str(),
        |(cid, inv)| {
            old.get(&inv.invoice_no)
                .map(|o| o.customer_id == *cid && o.invoice == *inv)
        },
    );
    let touched = repo::upsert_invoices(&txn, &writes, now, app.tz()).await?;
    crate::credit::notify_crossings(app, &txn, Some(&touched)).await?;
    let written: Vec<&str> = writes.iter().map(|(_, i)| i.invoice_no.as_str()).collect();
    let customer = writes.first().map(|(cid, _)| *cid);
    audit_writes(&txn, actor, Doc::Invoice, &written, customer).await?;
    txn.commit().await?;
    let fresh: HashMap<String, StoredInvoice> = repo::by_no(&app.db.conn, &nos).await?;
    let mut out = Vec::with_capacity(rows.len());
    for ((_, inv), outcome) in rows.iter().zip(outcomes) {
        let s = fresh.get(&inv.invoice_no).ok_or(AppError::NotFound)?;
        out.push(WrittenInvoice {
            outcome,
            invoice: invoice_of(app, actor, s).await?,
        });
    }
    Ok(out)
}

pub(crate) fn summary<'a>(nos: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = nos.collect();
    format!(
        "{} ({})",
        all.iter().take(5).copied().collect::<Vec<_>>().join(", "),
        all.len()
    )
}

/// Deletes an invoice that no payment names, audited.
pub async fn delete_invoice(app: &App, actor: &Actor, id: i64) -> Result<()> {
    if !actor.role.can_write_operations() {
        return Err(AppError::Forbidden);
    }
    let v = get_invoice(app, actor, id).await?;
    let customer = v.customer.id.parse().ok();
    delete_doc(app, actor, Doc::Invoice, id, &v.invoice_no, customer, &v).await
}

// ---- what invoices and payments share ----

/// Deletes a document for an actor that may write operations data and has read it (so
/// it is in scope), audited in the same transaction; an invoice that a payment names
/// stays.
pub(crate) async fn delete_doc(
    app: &App,
    actor: &Actor,
    doc: Doc,
    id: i64,
    no: &str,
    customer_id: Option<i64>,
    view: &impl Serialize,
) -> Result<()> {
    let txn = app.db.begin_write().await?;
    if doc == Doc::Invoice && repo::payments_of_invoice(&txn, id).await? > 0 {
        return Err(AppError::field("invoice", "err.invoice_has_payments"));
    }
    if !repo::delete_doc(&txn, doc, id, app.tz()).await? {
        return Err(AppError::NotFound);
    }
    let (action, entity) = match doc {
        Doc::Invoice => ("invoice.delete", "invoice"),
        Doc::Payment => ("payment.delete", "payment"),
    };
    audit::record(
        &txn,
        actor,
        Entry::deleted(action, entity, no, customer_id, view),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Each row's outcome against what is stored under its number (`stored`: None when the
/// number is new, else whether the row changes nothing), and the rows to write: of each
/// number, its last row, unless that changes nothing.
pub(crate) fn plan_writes<R: Clone>(
    rows: &[R],
    no: impl Fn(&R) -> &str,
    stored: impl Fn(&R) -> Option<bool>,
) -> (Vec<Outcome>, Vec<R>) {
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        last.insert(no(r), i);
        outcomes.push(match stored(r) {
            Some(true) => Outcome::Unchanged,
            Some(false) => Outcome::Updated,
            None => Outcome::Created,
        });
    }
    let writes = rows
        .iter()
        .enumerate()
        .filter(|(i, r)| outcomes[*i] != Outcome::Unchanged && last.get(no(r)) == Some(i))
        .map(|(_, r)| r.clone())
        .collect();
    (outcomes, writes)
}

/// Audits a batch of written documents (`nos`, with the customer when there is one
/// write) in the transaction that wrote them; nothing when nothing was written.
pub(crate) async fn audit_writes<C: consign_store::ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    doc: Doc,
    nos: &[&str],
    customer_id: Option<i64>,
) -> Result<()> {
    let Some(first) = nos.first() else {
        return Ok(());
    };
    let (action, entity) = match doc {
        Doc::Invoice => ("invoice.write", "invoice"),
        Doc::Payment => ("payment.write", "payment"),
    };
    audit::record(
        txn,
        actor,
        Entry {
            action,
            entity_type: entity,
            entity_id: first.to_string(),
            customer_id: customer_id.filter(|_| nos.len() == 1),
            summary: Some(summary(nos.iter().copied())),
            said: None,
            before: None,
            after: None,
        },
    )
    .await
}

mod payments;
pub use payments::*;
