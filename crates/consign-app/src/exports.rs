//! Exports of lists — customers, shipments, invoices, payments — as CSV (UTF-8 with a
//! BOM, so that Excel opens it) or XLSX (written in constant memory), streaming page by
//! page, with the column names the import takes: an exported file imports again
//! unchanged. Every export is written to the audit log.

use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::customers::{self, ListQuery};
use crate::imports::{fields_of, ImportKind};
use crate::{App, AppError, Result};
use chrono::{DateTime, Utc};
use consign_domain::customer::CustomerId;
use consign_domain::i18n::Arg;
use consign_domain::ops::{format_scaled, Fen};
use consign_domain::Lang;
use std::io::Write;

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" | "excel" => Some(Format::Xlsx),
            _ => None,
        }
    }
    /// By a file name's extension (`.xlsx`, else CSV).
    pub fn of_path(p: &std::path::Path) -> Format {
        match p.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("xlsx") => Format::Xlsx,
            _ => Format::Csv,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub enum Export {
    /// Customers matching a list's filters (all pages).
    Customers(Box<ListQuery>),
    /// All shipments, or one customer's.
    Shipments(Option<CustomerId>),
    /// Shipments matching the shipment list's filters (all pages).
    ShipmentList(Box<crate::shipments::ShipmentQuery>),
    Invoices(Option<CustomerId>),
    Payments(Option<CustomerId>),
    /// Tickets matching a list's filters (all pages).
    Tickets(Box<crate::service::TicketQuery>),
    /// The service KPIs, one row per group (headers: the API's field names).
    Kpis(Box<crate::kpis::GroupQuery>),
}

/// A cell: text, or a number Excel should treat as one.
enum Cell {
    Text(String),
    Num(i64, u32),
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

enum Sink<W: Write + Send> {
    Csv(Box<csv::Writer<W>>),
    Xlsx {
        book: Box<rust_xlsxwriter::Workbook>,
        row: u32,
        out: W,
    },
}

fn xerr(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::caused("xlsx", e)
}
fn cerr(e: csv::Error) -> AppError {
    AppError::caused("csv", e)
}

impl<W: Write + Send> Sink<W> {
    fn new(format: Format, mut out: W, dir: &std::path::Path) -> Result<Self> {
        Ok(match format {
            Format::Csv => {
                out.write_all(b"\xEF\xBB\xBF").map_err(AppError::from_err)?;
                Sink::Csv(Box::new(csv::Writer::from_writer(out)))
            }
            Format::Xlsx => {
                let mut book = rust_xlsxwriter::Workbook::new();
                book.set_tempdir(dir).map_err(xerr)?;
                book.add_worksheet_with_constant_memory().map_err(xerr)?;
                Sink::Xlsx {
                    book: Box::new(book),
                    row: 0,
                    out,
                }
            }
        })
    }

    fn row(&mut self, cells: &[Cell]) -> Result<()> {
        match self {
            Sink::Csv(w) => {
                let texts: Vec<String> = cells
                    .iter()
                    .map(|c| match c {
                        Cell::Text(s) => crate::tabular::csv_safe(s),
                        Cell::Num(v, 2) => Fen(*v).yuan(),
                        Cell::Num(v, d) => format_scaled(*v, *d),
                    })
                    .collect();
                w.write_record(&texts).map_err(cerr)
            }
            Sink::Xlsx { book, row, .. } => {
                let sheet = book.worksheet_from_index(0).map_err(xerr)?;
                for (c, cell) in cells.iter().enumerate() {
                    match cell {
                        Cell::Text(s) if s.is_empty() => {}
                        Cell::Text(s) => {
                            sheet.write_string(*row, c as u16, s).map_err(xerr)?;
                        }
                        Cell::Num(v, d) => {
                            let x = *v as f64 / 10f64.powi(*d as i32);
                            sheet.write_number(*row, c as u16, x).map_err(xerr)?;
                        }
                    }
                }
                *row += 1;
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<()> {
        match self {
            Sink::Csv(mut w) => w.flush().map_err(AppError::from_err),
            Sink::Xlsx { mut book, out, .. } => book.save_to_writer(out).map_err(xerr),
        }
    }
}

fn header(kind: ImportKind, extra: &[&str]) -> Vec<Cell> {
    fields_of(kind)
        .into_iter()
        .map(|(_, h, _)| t(h))
        .chain(extra.iter().map(|h| t(*h)))
        .collect()
}

/// Whether the actor may make this export: operations data of all (visible) customers
/// only roles that write it; one customer's records whoever may see that customer; lists
/// whoever may see lists (each row is then within the actor's scope).
pub async fn authorize(app: &App, actor: &Actor, what: &Export) -> Result<()> {
    match what {
        Export::Shipments(None) | Export::Invoices(None) | Export::Payments(None)
            if !actor.role.can_write_operations() =>
        {
            Err(AppError::Forbidden)
        }
        Export::Shipments(Some(c)) | Export::Invoices(Some(c)) | Export::Payments(Some(c)) => {
            customers::visible_customer(app, actor, *c)
                .await
                .map(|_| ())
        }
        // A list's filters are checked now (a bad one is a 422 before the file starts):
        // its first row, read as the export will read it.
        Export::Customers(q) => {
            let mut first = (**q).clone();
            (first.page, first.per_page) = (Some("1".into()), Some("1".into()));
            customers::list(app, actor, &first).await.map(|_| ())
        }
        Export::Tickets(q) => {
            let mut first = (**q).clone();
            (first.page, first.per_page) = (Some("1".into()), Some("1".into()));
            crate::service::list(app, actor, &first).await.map(|_| ())
        }
        // Every customer's shipments are for roles that write them (as `Shipments(None)`);
        // others export one customer's at a time.
        Export::ShipmentList(q)
            if !actor.role.can_write_operations()
                && q.customer_id.as_deref().is_none_or(|c| c.trim().is_empty()) =>
        {
            Err(AppError::Forbidden)
        }
        Export::ShipmentList(q) => {
            let mut first = (**q).clone();
            (first.page, first.per_page, first.totals) = (Some("1".into()), Some("1".into()), None);
            crate::shipments::list(app, actor, &first).await.map(|_| ())
        }
        Export::Kpis(q) => {
            crate::kpis::group_of(q)?;
            crate::kpis::window(app, &q.window_query())?;
            customers::visibility(app, actor).await.map(|_| ())
        }
        _ => customers::visibility(app, actor).await.map(|_| ()),
    }
}

/// Writes an export to `out`; returns the number of records. `dir` holds XLSX's
/// temporary files.
pub async fn export<W: Write + Send>(
    app: &App,
    actor: &Actor,
    what: &Export,
    format: Format,
    out: W,
) -> Result<u64> {
    authorize(app, actor, what).await?;
    let dir = app.settings.data_dir.join("uploads");
    std::fs::create_dir_all(&dir).map_err(AppError::from_err)?;
    let mut sink = Sink::new(format, out, &dir)?;
    let tz = app.tz();
    // A day alone when the time is the day's start (or, for due dates, its end, as the
    // import reads a date alone), else the local time: the file imports back unchanged.
    let at = |d: &DateTime<Utc>, day_end: bool| {
        let l = d.with_timezone(&tz);
        let hms = l.format("%H:%M:%S").to_string();
        if hms == if day_end { "23:59:59" } else { "00:00:00" } {
            l.format("%Y-%m-%d").to_string()
        } else {
            l.format("%Y-%m-%d %H:%M:%S").to_string()
        }
    };
    let date = |d: &DateTime<Utc>| at(d, false);
    let vis = customers::visibility(app, actor).await?;
    // Contacts whose phone and e-mail the file holds in clear: (customer, contact).
    let mut revealed: Vec<(i64, i64)> = Vec::new();
    let mut n = 0u64;
    let (entity, customer) = match what {
        Export::Customers(q) => {
            sink.row(&header(ImportKind::Customers, &[]))?;
            let mut page = 1u64;
            loop {
                let mut query = q.clone();
                query.page = Some(page.to_string());
                query.per_page = Some("500".into());
                let p = customers::list(app, actor, &query).await?;
                for c in &p.items {
                    n += 1;
                    let contact = c.primary_contact.as_ref();
                    // In clear only where this user may unmask this customer (an
                    // account manager: own customers, not the pool); each is audited.
                    let (phone, email) = match contact {
                        Some(k) if customers::may_unmask(actor, c.owner_id) => {
                            let full = customers::contact_in_full(app, c.id, k.id).await?;
                            if full.phone.is_some() || full.email.is_some() {
                                revealed.push((c.id.get(), k.id));
                            }
                            (full.phone, full.email)
                        }
                        Some(k) => (k.phone.clone(), k.email.clone()),
                        None => (None, None),
                    };
                    let label = |key: &str| Lang::Zh.t(key).to_string();
                    let industry = c
                        .industry
                        .as_deref()
                        .map(|i| match consign_domain::customer::Industry::parse(i) {
                            Some(x) => label(x.label_key()),
                            None => i.to_string(),
                        })
                        .unwrap_or_default();
                    sink.row(&[
                        t(c.code.clone()),
                        t(c.name.clone()),
                        t(c.short_name.clone().unwrap_or_default()),
                        t(label(c.kind.label_key())),
                        t(c.gov_level
                            .map(|g| label(g.label_key()))
                            .unwrap_or_default()),
                        t(industry),
                        t(c.province.clone().unwrap_or_default()),
                        t(c.city.clone().unwrap_or_default()),
                        t(c.address.clone().unwrap_or_default()),
                        t(c.goods_types.clone().unwrap_or_default()),
                        t(c.service_modes
                            .iter()
                            .map(|m| label(m.label_key()))
                            .collect::<Vec<_>>()
                            .join("、")),
                        t(label(c.data_source.label_key())),
                        t(c.owner_name.clone().unwrap_or_default()),
                        t(label(c.status.label_key())),
                        t(c.uscc.clone().unwrap_or_default()),
                        t(c.notes.clone().unwrap_or_default()),
                        t(c.tags.join(";")),
                        t(contact.map(|k| k.name.clone()).unwrap_or_default()),
                        t(contact.and_then(|k| k.title.clone()).unwrap_or_default()),
                        t(phone.unwrap_or_default()),
                        t(email.unwrap_or_default()),
                    ])?;
                }
                if page >= p.pages() || p.items.is_empty() {
                    break;
                }
                page += 1;
            }
            ("customer", None)
        }
        Export::Shipments(_) | Export::ShipmentList(_) => {
            // All or one customer's shipments, or those the shipment list's filters match.
            let (customer, filter) = match what {
                Export::ShipmentList(q) => (
                    None,
                    Some(crate::shipments::filter(q, app.tz()).map_err(AppError::Validation)?),
                ),
                Export::Shipments(c) => (*c, None),
                _ => (None, None),
            };
            sink.row(&header(
                ImportKind::Shipments,
                crate::imports::SHIPMENT_EXPORT_ONLY,
            ))?;
            n = crate::imports::shipment_rows(
                app,
                customer.map(CustomerId::get),
                filter.as_ref(),
                &vis,
                |cells| {
                    let row: Vec<Cell> = cells
                        .into_iter()
                        .map(|(v, num)| match num {
                            Some((x, d)) => Cell::Num(x, d),
                            None => Cell::Text(v),
                        })
                        .collect();
                    sink.row(&row)
                },
            )
            .await?;
            ("shipment", customer)
        }
        Export::Invoices(customer) => {
            sink.row(&header(
                ImportKind::Invoices,
                &["已付金额", "未付金额", "账单状态", "逾期天数"],
            ))?;
            let ids = customer_ids(app, &vis, *customer).await?;
            for cid in ids {
                let (page, _) =
                    crate::billing::invoices_for_customer(app, actor, cid, 1, 200).await?;
                let mut views = page.items;
                let mut p = 1;
                while (views.len() as u64) < page.total {
                    p += 1;
                    let (more, _) =
                        crate::billing::invoices_for_customer(app, actor, cid, p, 200).await?;
                    if more.items.is_empty() {
                        break;
                    }
                    views.extend(more.items);
                }
                for i in views.iter().rev() {
                    n += 1;
                    sink.row(&[
                        t(i.invoice_no.clone()),
                        t(i.customer.code.clone()),
                        t(i.customer.name.clone()),
                        // A credit note as a negative amount: it reads back as one.
                        Cell::Num(
                            if i.kind == "credit_note" {
                                -i.amount_fen.get()
                            } else {
                                i.amount_fen.get()
                            },
                            2,
                        ),
                        t(date(&i.issued_at)),
                        t(at(&i.due_at, true)),
                        t(i.period.clone()),
                        t(i.note.clone()),
                        Cell::Num(i.paid_fen.get(), 2),
                        Cell::Num(i.outstanding_fen.get(), 2),
                        t(Lang::Zh.t(i.state.label_key())),
                        Cell::Num(i.days_overdue, 0),
                    ])?;
                }
            }
            ("invoice", *customer)
        }
        Export::Payments(customer) => {
            sink.row(&header(ImportKind::Payments, &[]))?;
            let ids = customer_ids(app, &vis, *customer).await?;
            for cid in ids {
                let mut p = 1;
                loop {
                    let page =
                        crate::billing::payments_for_customer(app, actor, cid, p, 200).await?;
                    for x in page.items.iter().rev() {
                        n += 1;
                        sink.row(&[
                            t(x.payment_no.clone()),
                            t(x.customer.code.clone()),
                            t(x.customer.name.clone()),
                            t(x.invoice_no.clone().unwrap_or_default()),
                            Cell::Num(x.amount_fen.get(), 2),
                            t(date(&x.paid_at)),
                            t(x.method
                                .map(|m| Lang::Zh.t(m.label_key()).to_string())
                                .unwrap_or_default()),
                            t(x.note.clone()),
                        ])?;
                    }
                    if p >= page.pages() {
                        break;
                    }
                    p += 1;
                }
            }
            ("payment", *customer)
        }
        Export::Tickets(q) => {
            sink.row(
                &[
                    "工单号",
                    "客户编号",
                    "客户名称",
                    "类型",
                    "渠道",
                    "紧急程度",
                    "状态",
                    "主题",
                    "处理人",
                    "首次响应时限",
                    "首次响应时间",
                    "处理时限",
                    "处理完成时间",
                    "关闭时间",
                    "是否超时",
                    "根本原因",
                    "索赔金额",
                    "赔付金额",
                    "责任方",
                    "重新处理次数",
                    "创建时间",
                ]
                .map(t),
            )?;
            let label = |key: &str| Lang::Zh.t(key).to_string();
            let opt = |d: &Option<DateTime<Utc>>| d.as_ref().map(date).unwrap_or_default();
            let money = |m: &Option<String>| m.clone().unwrap_or_default();
            let mut page = 1u64;
            loop {
                let mut query = (**q).clone();
                query.page = Some(page.to_string());
                query.per_page = Some("500".into());
                let p = crate::service::list(app, actor, &query).await?;
                for x in &p.items {
                    n += 1;
                    sink.row(&[
                        t(x.number.clone()),
                        t(x.customer_code.clone()),
                        t(x.customer_name.clone()),
                        t(label(x.kind.label_key())),
                        t(label(x.channel.label_key())),
                        t(label(x.severity.label_key())),
                        t(label(x.status.label_key())),
                        t(x.subject.clone()),
                        t(x.assignee_name.clone().unwrap_or_default()),
                        t(date(&x.first_response_due)),
                        t(opt(&x.first_response_at)),
                        t(date(&x.resolution_due)),
                        t(opt(&x.resolved_at)),
                        t(opt(&x.closed_at)),
                        t(label(if x.breached() {
                            "common.yes"
                        } else {
                            "common.no"
                        })),
                        t(x.root_cause
                            .map(|r| label(r.label_key()))
                            .unwrap_or_default()),
                        t(money(&x.claimed)),
                        t(money(&x.settled)),
                        t(x.responsible_party.clone().unwrap_or_default()),
                        Cell::Num(x.reopened, 0),
                        t(date(&x.created_at)),
                    ])?;
                }
                if !p.has_next() || p.items.is_empty() {
                    break;
                }
                page += 1;
            }
            ("ticket", None)
        }
        Export::Kpis(q) => {
            let table = crate::kpis::company_kpis(app, actor, q).await?;
            sink.row(
                &crate::kpis::COLUMNS
                    .iter()
                    .map(|c| t(*c))
                    .collect::<Vec<_>>(),
            )?;
            for r in &table.items {
                n += 1;
                let mut cells = vec![
                    t(r.group.clone().unwrap_or_default()),
                    t(r.label.clone().unwrap_or_default()),
                ];
                cells.extend(
                    crate::kpis::figures(&r.kpis)
                        .into_iter()
                        .map(|(v, d)| match v {
                            Some(v) => Cell::Num(v, d),
                            None => t(""),
                        }),
                );
                sink.row(&cells)?;
            }
            ("kpi", None)
        }
    };
    sink.finish()?;
    let txn = app.db.begin_write().await?;
    let (scope, said) = match &vis {
        consign_store::customers::Visibility::All => (
            "all".to_string(),
            audit::said(
                "audit.summary.export_all",
                vec![Arg::text(n), Arg::text(format.extension())],
            ),
        ),
        consign_store::customers::Visibility::OwnersAndPool(owners) => (
            format!("owners {} + pool", owners.len()),
            audit::said(
                "audit.summary.export_owners",
                vec![
                    Arg::text(n),
                    Arg::text(format.extension()),
                    Arg::text(owners.len()),
                ],
            ),
        ),
    };
    audit::record(
        &txn,
        actor,
        Entry {
            action: match entity {
                "customer" => "customer.export",
                "shipment" => "shipment.export",
                "invoice" => "invoice.export",
                "ticket" => "ticket.export",
                "kpi" => "kpi.export",
                _ => "payment.export",
            },
            entity_type: entity,
            entity_id: String::new(),
            customer_id: customer.map(CustomerId::get),
            summary: None,
            said,
            before: None,
            after: Some(serde_json::json!({
                "rows": n,
                "format": format.extension(),
                "filter": what.filter(),
                "scope": scope,
                "revealed": revealed.len(),
            })),
        },
    )
    .await?;
    // Every phone or e-mail written in clear is a reveal, as on the screen.
    audit::record_many(
        &txn,
        revealed
            .iter()
            .map(|(customer_id, contact_id)| {
                (
                    actor,
                    Entry {
                        action: "pii.reveal",
                        entity_type: "contact",
                        entity_id: contact_id.to_string(),
                        customer_id: Some(*customer_id),
                        summary: None,
                        said: audit::said("audit.summary.reveal_contact_export", vec![]),
                        before: None,
                        after: None,
                    },
                )
            })
            .collect(),
    )
    .await?;
    txn.commit().await?;
    Ok(n)
}

impl Export {
    /// What was asked for, for the audit log: the list's filters as a query string, or
    /// the one customer.
    fn filter(&self) -> String {
        match self {
            Export::Customers(q) => serde_urlencoded::to_string(q.as_ref()).unwrap_or_default(),
            Export::Tickets(q) => serde_urlencoded::to_string(q.as_ref()).unwrap_or_default(),
            Export::Kpis(q) => serde_urlencoded::to_string(q.as_ref()).unwrap_or_default(),
            Export::ShipmentList(q) => serde_urlencoded::to_string(q.as_ref()).unwrap_or_default(),
            Export::Shipments(c) | Export::Invoices(c) | Export::Payments(c) => {
                c.map(|c| format!("customer={c}")).unwrap_or_default()
            }
        }
    }
}

/// The customers whose bills to export: one, or every visible customer with any.
async fn customer_ids(
    app: &App,
    vis: &consign_store::customers::Visibility,
    one: Option<CustomerId>,
) -> Result<Vec<CustomerId>> {
    match one {
        Some(c) => Ok(vec![c]),
        None => Ok(
            consign_store::billing::customers_with_bills(&app.db.conn, vis)
                .await?
                .into_iter()
                .map(CustomerId::trusted)
                .collect(),
        ),
    }
}
