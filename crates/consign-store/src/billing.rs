//! Invoices and payments, keyed by their numbers so that a re-run import or a repeated
//! API call updates instead of duplicating.

use crate::dialect::pieces;
use crate::dialect::stmt;
use crate::Result;
use chrono::{DateTime, Utc};
use consign_domain::billing::{Invoice, Payment, PaymentMethod};
use consign_domain::customer::CustomerId;
use consign_domain::ops::Fen;
use sea_orm::{ConnectionTrait, QueryResult, Value};
use std::collections::HashMap;

fn ts(t: DateTime<Utc>) -> Value {
    Value::ChronoDateTimeUtc(Some(Box::new(t)))
}

/// An invoice as stored, with what its linked payments add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInvoice {
    pub id: i64,
    pub customer_id: i64,
    pub invoice: Invoice,
    /// Sum of the payments that name this invoice.
    pub paid_fen: Fen,
    pub last_paid_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const INVOICE_SELECT: &str = "SELECT d.id, d.customer_id, c.code AS customer_code, d.invoice_no, \
    d.amount_fen, d.issued_at, d.due_at, d.period, d.note, d.kind, d.created_at, d.updated_at, \
    CAST(COALESCE((SELECT SUM(p.amount_fen) FROM payments p WHERE p.invoice_id = d.id), 0) AS BIGINT) AS paid_fen, \
    (SELECT MAX(p.paid_at) FROM payments p WHERE p.invoice_id = d.id) AS last_paid_at \
    FROM invoices d JOIN customers c ON c.id = d.customer_id";

fn invoice_row(r: &QueryResult) -> Result<StoredInvoice> {
    Ok(StoredInvoice {
        id: r.try_get("", "id")?,
        customer_id: r.try_get("", "customer_id")?,
        paid_fen: Fen(r.try_get("", "paid_fen")?),
        last_paid_at: r.try_get("", "last_paid_at")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
        invoice: Invoice {
            invoice_no: r.try_get("", "invoice_no")?,
            customer_code: r.try_get("", "customer_code")?,
            amount_fen: Fen(r.try_get("", "amount_fen")?),
            issued_at: r.try_get("", "issued_at")?,
            due_at: r.try_get("", "due_at")?,
            period: r.try_get("", "period")?,
            note: r.try_get("", "note")?,
            credit_note: r.try_get::<String>("", "kind")? == "credit_note",
        },
    })
}

async fn count<C: ConnectionTrait>(conn: &C, table: &str, customer_id: i64) -> Result<u64> {
    let backend = conn.get_database_backend();
    let n = conn
        .query_one(stmt(
            backend,
            &format!("SELECT COUNT(*) AS n FROM {table} WHERE customer_id = ?"),
            vec![customer_id.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    Ok(n.max(0) as u64)
}

/// The customers the documents with these numbers belong to now.
async fn holders<C: ConnectionTrait>(conn: &C, doc: Doc, nos: &[&str]) -> Result<Vec<i64>> {
    let backend = conn.get_database_backend();
    let col = match doc {
        Doc::Invoice => "invoice_no",
        Doc::Payment => "payment_no",
    };
    let mut out = Vec::new();
    for chunk in pieces(nos) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!(
            "SELECT DISTINCT customer_id FROM {} WHERE {col} IN ({marks})",
            doc.table()
        );
        let values = chunk.iter().map(|n| Value::from(*n)).collect();
        for r in conn.query_all(stmt(backend, &sql, values)).await? {
            out.push(r.try_get_by_index::<i64>(0)?);
        }
    }
    Ok(out)
}

/// Inserts invoices or replaces the ones with the same number: (customer id, invoice).
/// The credit accounts of the customers they belonged to and belong to now follow;
/// returns those customers.
pub async fn upsert_invoices<C: ConnectionTrait>(
    conn: &C,
    rows: &[(i64, Invoice)],
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Vec<i64>> {
    let nos: Vec<&str> = rows.iter().map(|(_, i)| i.invoice_no.as_str()).collect();
    let mut touched = holders(conn, Doc::Invoice, &nos).await?;
    touched.extend(rows.iter().map(|(c, _)| *c));
    let backend = conn.get_database_backend();
    for chunk in pieces(rows) {
        let mut sql = String::from(
            "INSERT INTO invoices (invoice_no, customer_id, amount_fen, issued_at, due_at, period, \
             note, kind, created_at, updated_at) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 9);
        for (i, (cid, inv)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?,?,?,?,?,?,?)");
            values.extend([
                inv.invoice_no.as_str().into(),
                (*cid).into(),
                inv.amount_fen.get().into(),
                ts(inv.issued_at),
                ts(inv.due_at),
                inv.period.as_str().into(),
                inv.note.as_str().into(),
                if inv.credit_note {
                    "credit_note"
                } else {
                    "invoice"
                }
                .into(),
                ts(now),
                ts(now),
            ]);
        }
        sql.push_str(
            " ON CONFLICT (invoice_no) DO UPDATE SET customer_id = excluded.customer_id, \
             amount_fen = excluded.amount_fen, issued_at = excluded.issued_at, \
             due_at = excluded.due_at, period = excluded.period, note = excluded.note, \
             kind = excluded.kind, updated_at = excluded.updated_at",
        );
        conn.execute(stmt(backend, &sql, values)).await?;
    }
    touched.sort_unstable();
    touched.dedup();
    crate::credit::recompute(conn, &touched, tz).await?;
    Ok(touched)
}

/// How many payments name this invoice.
pub async fn payments_of_invoice<C: ConnectionTrait>(conn: &C, invoice_id: i64) -> Result<u64> {
    let backend = conn.get_database_backend();
    let n = conn
        .query_one(stmt(
            backend,
            "SELECT COUNT(*) AS n FROM payments WHERE invoice_id = ?",
            vec![invoice_id.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    Ok(n.max(0) as u64)
}

/// The two kinds of billing document: both are kept by number per customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Invoice,
    Payment,
}

impl Doc {
    fn table(self) -> &'static str {
        match self {
            Doc::Invoice => "invoices",
            Doc::Payment => "payments",
        }
    }
}

/// A stored document of one kind: how it is selected and read back.
pub trait StoredDoc: Sized {
    const DOC: Doc;
    /// The SELECT with its joins; the document's table is aliased `d`.
    const SELECT: &'static str;
    /// Its number's column, and a customer's documents' order (latest first).
    const NO: &'static str;
    const LATEST_FIRST: &'static str;
    fn read(r: &QueryResult) -> Result<Self>;
    fn no(&self) -> &str;
}

impl StoredDoc for StoredInvoice {
    const DOC: Doc = Doc::Invoice;
    const SELECT: &'static str = INVOICE_SELECT;
    const NO: &'static str = "d.invoice_no";
    const LATEST_FIRST: &'static str = "d.issued_at DESC, d.id DESC";
    fn read(r: &QueryResult) -> Result<Self> {
        invoice_row(r)
    }
    fn no(&self) -> &str {
        &self.invoice.invoice_no
    }
}

impl StoredDoc for StoredPayment {
    const DOC: Doc = Doc::Payment;
    const SELECT: &'static str = PAYMENT_SELECT;
    const NO: &'static str = "d.payment_no";
    const LATEST_FIRST: &'static str = "d.paid_at DESC, d.id DESC";
    fn read(r: &QueryResult) -> Result<Self> {
        payment_row(r)
    }
    fn no(&self) -> &str {
        &self.payment.payment_no
    }
}

/// The stored documents among these numbers, by number.
pub async fn by_no<C: ConnectionTrait, D: StoredDoc>(
    conn: &C,
    nos: &[&str],
) -> Result<HashMap<String, D>> {
    let backend = conn.get_database_backend();
    let mut out = HashMap::new();
    for chunk in pieces(nos) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!("{} WHERE {} IN ({marks})", D::SELECT, D::NO);
        let values = chunk.iter().map(|w| Value::from(*w)).collect();
        for r in conn.query_all(stmt(backend, &sql, values)).await? {
            let s = D::read(&r)?;
            out.insert(s.no().to_string(), s);
        }
    }
    Ok(out)
}

/// One document by id.
pub async fn find<C: ConnectionTrait, D: StoredDoc>(conn: &C, id: i64) -> Result<Option<D>> {
    let sql = format!("{} WHERE d.id = ?", D::SELECT);
    conn.query_one(stmt(conn.get_database_backend(), &sql, vec![id.into()]))
        .await?
        .map(|r| D::read(&r))
        .transpose()
}

/// A customer's documents, latest first, and how many it has; `limit` 0 means all.
pub async fn of_customer<C: ConnectionTrait, D: StoredDoc>(
    conn: &C,
    customer_id: CustomerId,
    offset: u64,
    limit: u64,
) -> Result<(Vec<D>, u64)> {
    let customer_id = customer_id.get();
    let backend = conn.get_database_backend();
    let limit = if limit == 0 { i64::MAX } else { limit as i64 };
    let sql = format!(
        "{} WHERE d.customer_id = ? ORDER BY {} LIMIT ? OFFSET ?",
        D::SELECT,
        D::LATEST_FIRST
    );
    let rows = conn
        .query_all(stmt(
            backend,
            &sql,
            vec![customer_id.into(), limit.into(), (offset as i64).into()],
        ))
        .await?;
    let total = count(conn, D::DOC.table(), customer_id).await?;
    Ok((rows.iter().map(D::read).collect::<Result<Vec<_>>>()?, total))
}

/// Deletes one document (its customer's credit account follows); false when it was not
/// there.
pub async fn delete_doc<C: ConnectionTrait>(
    conn: &C,
    doc: Doc,
    id: i64,
    tz: chrono_tz::Tz,
) -> Result<bool> {
    let backend = conn.get_database_backend();
    let owner = conn
        .query_one(stmt(
            backend,
            &format!("SELECT customer_id FROM {} WHERE id = ?", doc.table()),
            vec![id.into()],
        ))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?;
    let sql = format!("DELETE FROM {} WHERE id = ?", doc.table());
    let gone = conn
        .execute(stmt(backend, &sql, vec![id.into()]))
        .await?
        .rows_affected()
        > 0;
    if let Some(c) = owner {
        crate::credit::recompute(conn, &[c], tz).await?;
    }
    Ok(gone)
}

/// A payment as stored, with the invoice it names (number and due date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPayment {
    pub id: i64,
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub invoice_due_at: Option<DateTime<Utc>>,
    pub payment: Payment,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const PAYMENT_SELECT: &str = "SELECT d.id, d.customer_id, c.code AS customer_code, d.payment_no, \
    d.invoice_id, i.invoice_no, i.due_at AS invoice_due_at, d.amount_fen, d.paid_at, d.method, \
    d.note, d.created_at, d.updated_at \
    FROM payments d JOIN customers c ON c.id = d.customer_id LEFT JOIN invoices i ON i.id = d.invoice_id";

fn payment_row(r: &QueryResult) -> Result<StoredPayment> {
    let method: String = r.try_get("", "method")?;
    Ok(StoredPayment {
        id: r.try_get("", "id")?,
        customer_id: r.try_get("", "customer_id")?,
        invoice_id: r.try_get("", "invoice_id")?,
        invoice_due_at: r.try_get("", "invoice_due_at")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
        payment: Payment {
            payment_no: r.try_get("", "payment_no")?,
            customer_code: r.try_get("", "customer_code")?,
            invoice_no: r.try_get("", "invoice_no")?,
            amount_fen: Fen(r.try_get("", "amount_fen")?),
            paid_at: r.try_get("", "paid_at")?,
            method: PaymentMethod::parse(&method),
            note: r.try_get("", "note")?,
        },
    })
}

/// Sum of a customer's payments that name no invoice (applied to the oldest invoices).
pub async fn unapplied_of<C: ConnectionTrait>(conn: &C, customer_id: CustomerId) -> Result<Fen> {
    let customer_id = customer_id.get();
    let backend = conn.get_database_backend();
    Ok(conn
        .query_one(stmt(
            backend,
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS s FROM payments \
             WHERE customer_id = ? AND invoice_id IS NULL",
            vec![customer_id.into()],
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "s"))
        .transpose()?
        .map_or(Fen::ZERO, Fen))
}

/// A payment to write: its customer and the id of the invoice it names.
#[derive(Debug, Clone)]
pub struct PaymentWrite {
    pub customer_id: i64,
    pub invoice_id: Option<i64>,
    pub payment: Payment,
}

/// Inserts payments or replaces the ones with the same number; the credit accounts of the
/// customers they belonged to and belong to now follow; returns those customers.
pub async fn upsert_payments<C: ConnectionTrait>(
    conn: &C,
    rows: &[PaymentWrite],
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> Result<Vec<i64>> {
    let nos: Vec<&str> = rows.iter().map(|w| w.payment.payment_no.as_str()).collect();
    let mut touched = holders(conn, Doc::Payment, &nos).await?;
    touched.extend(rows.iter().map(|w| w.customer_id));
    let backend = conn.get_database_backend();
    for chunk in pieces(rows) {
        let mut sql = String::from(
            "INSERT INTO payments (payment_no, customer_id, invoice_id, amount_fen, paid_at, \
             method, note, created_at, updated_at) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 9);
        for (i, w) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?,?,?,?,?,?)");
            let p = &w.payment;
            values.extend([
                p.payment_no.as_str().into(),
                w.customer_id.into(),
                w.invoice_id.into(),
                p.amount_fen.get().into(),
                ts(p.paid_at),
                p.method.map(|m| m.as_str()).unwrap_or("").into(),
                p.note.as_str().into(),
                ts(now),
                ts(now),
            ]);
        }
        sql.push_str(
            " ON CONFLICT (payment_no) DO UPDATE SET customer_id = excluded.customer_id, \
             invoice_id = excluded.invoice_id, amount_fen = excluded.amount_fen, \
             paid_at = excluded.paid_at, method = excluded.method, note = excluded.note, \
             updated_at = excluded.updated_at",
        );
        conn.execute(stmt(backend, &sql, values)).await?;
    }
    touched.sort_unstable();
    touched.dedup();
    crate::credit::recompute(conn, &touched, tz).await?;
    Ok(touched)
}

/// Every customer with an invoice or a payment, by id.
pub async fn customers_with_bills<C: ConnectionTrait>(
    conn: &C,
    vis: &crate::scope::Visibility,
) -> Result<Vec<i64>> {
    let backend = conn.get_database_backend();
    let (cond, values) = vis.owner_condition("c.owner_id");
    let sql = format!(
        "SELECT b.customer_id FROM (SELECT customer_id FROM invoices UNION \
         SELECT customer_id FROM payments) b JOIN customers c ON c.id = b.customer_id \
         WHERE {cond} ORDER BY 1"
    );
    conn.query_all(stmt(backend, &sql, values))
        .await?
        .iter()
        .map(|r| Ok(r.try_get_by_index::<i64>(0)?))
        .collect()
}

/// Every invoice of a customer with what is applied to it, in due order: its own
/// payments, then the payments naming no invoice spread over the earliest-due invoices
/// still open; and what is left of those (a credit balance).
pub async fn settled<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
) -> Result<(Vec<(StoredInvoice, Fen)>, Fen)> {
    let (all, _) = of_customer::<_, StoredInvoice>(conn, customer_id, 0, 0).await?;
    // Credit notes join the unnamed payments; each stands settled by itself.
    let (notes, mut all): (Vec<StoredInvoice>, Vec<StoredInvoice>) =
        all.into_iter().partition(|i| i.invoice.credit_note);
    let pool = unapplied_of(conn, customer_id).await?
        + notes
            .iter()
            .map(|n| n.invoice.amount_fen)
            .fold(Fen::ZERO, |a, b| a + b);
    all.sort_by_key(|i| (i.invoice.due_at, i.id));
    let pairs: Vec<(Fen, Fen)> = all
        .iter()
        .map(|i| (i.invoice.amount_fen, i.paid_fen))
        .collect();
    let (paid, pool) = consign_domain::billing::apply_unnamed(&pairs, pool);
    let mut out: Vec<(StoredInvoice, Fen)> = all.into_iter().zip(paid).collect();
    out.extend(notes.into_iter().map(|n| {
        let amount = n.invoice.amount_fen;
        (n, amount)
    }));
    Ok((out, pool))
}
