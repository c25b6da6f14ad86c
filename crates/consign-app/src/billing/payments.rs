//! Payments: reading, checking and writing them by payment number.

use super::*;
#[allow(unused_imports)]
use consign_domain::customer::CustomerId;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PaymentInput {
    #[schema(required = true)]
    pub payment_no: String,
    /// the customer's code, or else customer_id
    pub customer_code: Option<String>,
    pub customer_id: Option<String>,
    /// The invoice it settles (of the same customer), if any.
    pub invoice_no: Option<String>,
    pub amount_fen: Option<Fen>,
    pub paid_at: Option<DateTime<Utc>>,
    /// `bank_transfer`, `cash`, `wechat`, `alipay`, `cheque`, `acceptance`, `offset`.
    #[schema(value_type = Option<consign_domain::billing::PaymentMethod>)]
    pub method: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Payment)]
pub struct PaymentView {
    pub id: String,
    pub payment_no: String,
    pub customer: CustomerRef,
    pub invoice_id: Option<String>,
    pub invoice_no: Option<String>,
    pub amount_fen: Fen,
    pub currency: &'static str,
    pub paid_at: DateTime<Utc>,
    pub method: Option<PaymentMethod>,
    /// Whole days after the named invoice fell due (0 when on time or no invoice).
    pub days_late: i64,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) fn payment_view(s: &StoredPayment, name: &str) -> PaymentView {
    let p = &s.payment;
    PaymentView {
        id: s.id.to_string(),
        payment_no: p.payment_no.clone(),
        customer: CustomerRef {
            id: s.customer_id.to_string(),
            code: p.customer_code.clone(),
            name: name.to_string(),
        },
        invoice_id: s.invoice_id.map(|i| i.to_string()),
        invoice_no: p.invoice_no.clone(),
        amount_fen: p.amount_fen,
        currency: "CNY",
        paid_at: p.paid_at,
        method: p.method,
        days_late: s
            .invoice_due_at
            .map_or(0, |d| (p.paid_at - d).num_days().max(0)),
        note: p.note.clone(),
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

pub async fn payments_for_customer(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    page: u64,
    per_page: u64,
) -> Result<Page<PaymentView>> {
    let c = scope::visible_customer(app, actor, customer_id).await?;
    let per_page = per_page.clamp(1, 200);
    let page = page.max(1);
    let (rows, total) = repo::of_customer::<_, StoredPayment>(
        &app.db.conn,
        customer_id,
        params::offset(page, per_page),
        per_page,
    )
    .await?;
    Ok(Page {
        items: rows.iter().map(|s| payment_view(s, &c.name)).collect(),
        total,
        page,
        per_page,
    })
}

pub async fn get_payment(app: &App, actor: &Actor, id: i64) -> Result<PaymentView> {
    let s = repo::find::<_, StoredPayment>(&app.db.conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = scope::visible_customer(app, actor, CustomerId::trusted(s.customer_id)).await?;
    Ok(payment_view(&s, &c.name))
}

pub(crate) fn check_payment(
    input: &PaymentInput,
    path: &str,
    errs: &mut FieldErrors,
) -> Option<Payment> {
    let f = |name: &str| format!("{path}{name}");
    let before = errs.0.len();
    let no = errs.check(&f("payment_no"), doc_no(&input.payment_no));
    let invoice_no = match input.invoice_no.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(v) => errs.check(&f("invoice_no"), doc_no(v)).map(Some),
    };
    let method = match input.method.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(m) => match PaymentMethod::parse(m) {
            Some(m) => Some(Some(m)),
            None => {
                errs.add(f("method"), "err.unknown_payment_method");
                None
            }
        },
    };
    if input.amount_fen.is_none() {
        errs.add(f("amount_fen"), "err.required");
    }
    if input.paid_at.is_none() {
        errs.add(f("paid_at"), "err.required");
    }
    let note = text(&input.note, f("note"), 1000, errs);
    let (Some(payment_no), Some(invoice_no), Some(method), Some(amount_fen), Some(paid_at)) =
        (no, invoice_no, method, input.amount_fen, input.paid_at)
    else {
        return None;
    };
    let p = Payment {
        payment_no,
        customer_code: input
            .customer_code
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_string(),
        invoice_no,
        amount_fen,
        paid_at,
        method,
        note,
    };
    if let Err(broken) = p.check() {
        for (_, key) in broken {
            errs.add(f("amount_fen"), key);
        }
    }
    (errs.0.len() == before).then_some(p)
}

#[derive(Debug, Clone, Serialize)]
pub struct WrittenPayment {
    pub outcome: Outcome,
    pub payment: PaymentView,
}

/// The invoices named by payments, by number → (id, customer id).
pub(crate) async fn invoice_ids<C: consign_store::ConnectionTrait>(
    conn: &C,
    nos: &[&str],
) -> Result<HashMap<String, (i64, i64)>> {
    Ok(repo::by_no::<_, StoredInvoice>(conn, nos)
        .await?
        .into_iter()
        .map(|(k, v)| (k, (v.id, v.customer_id)))
        .collect())
}

/// Creates or replaces payments by number, all or none.
pub async fn upsert_payments(
    app: &App,
    actor: &Actor,
    inputs: &[PaymentInput],
) -> Result<Vec<WrittenPayment>> {
    let mut errs = FieldErrors::new();
    let single = inputs.len() == 1;
    let resolved = check_batch(app, actor, inputs, &mut errs, check_payment).await?;
    let inv_nos: Vec<&str> = resolved
        .iter()
        .filter_map(|r| r.record.invoice_no.as_deref())
        .collect();
    let invoices = invoice_ids(&app.db.conn, &inv_nos).await?;
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut rows: Vec<PaymentWrite> = Vec::new();
    for r in resolved {
        let path = item_path(single, r.index);
        let (cid, p) = (r.customer_id, r.record);
        let invoice_id = match &p.invoice_no {
            None => None,
            Some(no) => match invoices.get(no) {
                Some((iid, icid)) if *icid == cid => Some(*iid),
                _ => {
                    errs.add(format!("{path}invoice_no"), "err.unknown_invoice");
                    continue;
                }
            },
        };
        names.insert(cid, r.customer_name);
        rows.push(PaymentWrite {
            customer_id: cid,
            invoice_id,
            payment: p,
        });
    }
    if !errs.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let nos: Vec<&str> = rows.iter().map(|w| w.payment.payment_no.as_str()).collect();
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let old: HashMap<String, StoredPayment> = repo::by_no(&txn, &nos).await?;
    scope::refuse_numbers_out_of_scope(
        app,
        actor,
        &txn,
        rows.iter()
            .map(|w| old.get(&w.payment.payment_no).map(|o| o.customer_id)),
        single,
        "payment_no",
    )
    .await?;
    let (outcomes, writes) = plan_writes(
        &rows,
        |w| w.payment.payment_no.as_str(),
        |w| {
            old.get(&w.payment.payment_no).map(|o| {
                o.customer_id == w.customer_id
                    && o.invoice_id == w.invoice_id
                    && o.payment == w.payment
            })
        },
    );
    let touched = repo::upsert_payments(&txn, &writes, now, app.tz()).await?;
    crate::credit::notify_crossings(app, &txn, Some(&touched)).await?;
    let written: Vec<&str> = writes
        .iter()
        .map(|w| w.payment.payment_no.as_str())
        .collect();
    let customer = writes.first().map(|w| w.customer_id);
    audit_writes(&txn, actor, Doc::Payment, &written, customer).await?;
    txn.commit().await?;
    let fresh: HashMap<String, StoredPayment> = repo::by_no(&app.db.conn, &nos).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (w, outcome) in rows.iter().zip(outcomes) {
        let s = fresh.get(&w.payment.payment_no).ok_or(AppError::NotFound)?;
        let name = names.get(&w.customer_id).map(String::as_str).unwrap_or("");
        out.push(WrittenPayment {
            outcome,
            payment: payment_view(s, name),
        });
    }
    Ok(out)
}

/// Deletes a payment, audited.
pub async fn delete_payment(app: &App, actor: &Actor, id: i64) -> Result<()> {
    if !actor.role.can_write_operations() {
        return Err(AppError::Forbidden);
    }
    let v = get_payment(app, actor, id).await?;
    let customer = v.customer.id.parse().ok();
    delete_doc(app, actor, Doc::Payment, id, &v.payment_no, customer, &v).await
}
