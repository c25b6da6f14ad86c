//! Service desk storage: tickets, the shipments they name, their workflow events and
//! attachments, and the notifications the escalation job and reminders leave for users.

use crate::dialect::stmt;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use consign_domain::ops::WaybillNo;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct TicketRow {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub channel: String,
    pub severity: String,
    pub status: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub owner_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub subject: String,
    pub description: String,
    pub value_class: Option<String>,
    pub grade: Option<String>,
    pub claimed_fen: Option<i64>,
    pub settled_fen: Option<i64>,
    pub responsible_party: Option<String>,
    pub root_cause: Option<String>,
    pub resolution: Option<String>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub response_escalated_at: Option<DateTime<Utc>>,
    pub resolution_escalated_at: Option<DateTime<Utc>>,
    pub reopened: i32,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const TICKET_SELECT: &str = "SELECT t.id, t.number, t.kind, t.channel, t.severity, t.status, \
    t.customer_id, c.code AS customer_code, c.name AS customer_name, c.owner_id, \
    t.contact_id, k.name AS contact_name, t.assignee_id, u.display_name AS assignee_name, \
    t.subject, t.description, t.value_class, t.grade, t.claimed_fen, t.settled_fen, \
    t.responsible_party, t.root_cause, t.resolution, t.first_response_due, t.resolution_due, \
    t.first_response_at, t.resolved_at, t.closed_at, t.response_escalated_at, \
    t.resolution_escalated_at, t.reopened, t.created_by, t.created_at, t.updated_at \
    FROM tickets t CROSS JOIN customers c \
    LEFT JOIN contacts k ON k.id = t.contact_id \
    LEFT JOIN users u ON u.id = t.assignee_id";

/// A ticket to store; the number is given out from its id.
pub struct NewTicket<'a> {
    pub kind: &'a str,
    pub channel: &'a str,
    pub severity: &'a str,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub subject: &'a str,
    pub description: &'a str,
    pub value_class: Option<&'a str>,
    pub grade: Option<&'a str>,
    pub claimed_fen: Option<i64>,
    pub responsible_party: Option<&'a str>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub created_by: Option<i64>,
    /// The local date the number carries (YYYYMMDD).
    pub local_day: &'a str,
    pub now: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

/// Inserts a ticket and gives it its number: `TK` + local date + `-` + its id.
pub async fn insert<C: ConnectionTrait>(conn: &C, t: &NewTicket<'_>) -> Result<(i64, String)> {
    let backend = conn.get_database_backend();
    let provisional = format!(
        "new-{}-{}",
        t.now.timestamp_nanos_opt().unwrap_or(0),
        t.customer_id
    );
    let id = Id::find_by_statement(stmt(
        backend,
        "INSERT INTO tickets (number, kind, channel, severity, status, customer_id, contact_id, \
         assignee_id, subject, description, value_class, grade, claimed_fen, responsible_party, \
         first_response_due, resolution_due, created_by, created_at, updated_at, owner_id) \
         VALUES (?, ?, ?, ?, 'registered', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
         (SELECT owner_id FROM customers WHERE id = ?)) RETURNING id",
        vec![
            provisional.into(),
            t.kind.into(),
            t.channel.into(),
            t.severity.into(),
            t.customer_id.into(),
            t.contact_id.into(),
            t.assignee_id.into(),
            t.subject.into(),
            t.description.into(),
            t.value_class.into(),
            t.grade.into(),
            t.claimed_fen.into(),
            t.responsible_party.into(),
            t.first_response_due.into(),
            t.resolution_due.into(),
            t.created_by.into(),
            t.now.into(),
            t.now.into(),
            t.customer_id.into(),
        ],
    ))
    .one(conn)
    .await?
    .ok_or(StoreError::NotFound)?
    .id;
    let number = format!("TK{}-{:06}", t.local_day, id);
    conn.execute(stmt(
        backend,
        "UPDATE tickets SET number = ? WHERE id = ?",
        vec![number.clone().into(), id.into()],
    ))
    .await?;
    Ok((id, number))
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<TicketRow>> {
    Ok(TicketRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{TICKET_SELECT} WHERE c.id = t.customer_id AND t.id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?)
}

pub async fn id_by_number<C: ConnectionTrait>(conn: &C, number: &str) -> Result<Option<i64>> {
    Ok(Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id FROM tickets WHERE number = ?",
        vec![number.trim().to_ascii_uppercase().into()],
    ))
    .one(conn)
    .await?
    .map(|r| r.id))
}

/// The changes a workflow step or an edit writes; `None` leaves a column as it is.
#[derive(Default)]
pub struct TicketChange {
    pub status: Option<String>,
    pub assignee_id: Option<Option<i64>>,
    pub severity: Option<String>,
    pub root_cause: Option<Option<String>>,
    pub resolution: Option<Option<String>>,
    pub settled_fen: Option<Option<i64>>,
    pub responsible_party: Option<Option<String>>,
    pub first_response_at: Option<DateTime<Utc>>,
    /// Business minutes from registration to the first response / the resolution.
    pub response_minutes: Option<i64>,
    pub resolution_minutes: Option<Option<i64>>,
    pub resolved_at: Option<Option<DateTime<Utc>>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub response_escalated_at: Option<DateTime<Utc>>,
    pub resolution_escalated_at: Option<DateTime<Utc>>,
    pub reopened: bool,
}

/// Writes a change, provided the ticket is still in `expect_status` (so two agents
/// acting at once cannot both move it). Returns whether it was written.
pub async fn update<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    expect_status: &str,
    ch: TicketChange,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut sets: Vec<&str> = vec!["updated_at = ?"];
    let mut vals: Vec<Value> = vec![now.into()];
    macro_rules! set {
        ($field:expr, $col:literal) => {
            if let Some(v) = $field {
                sets.push(concat!($col, " = ?"));
                vals.push(v.into());
            }
        };
    }
    set!(ch.status, "status");
    set!(ch.assignee_id, "assignee_id");
    set!(ch.severity, "severity");
    set!(ch.root_cause, "root_cause");
    set!(ch.resolution, "resolution");
    set!(ch.settled_fen, "settled_fen");
    set!(ch.responsible_party, "responsible_party");
    set!(ch.resolved_at, "resolved_at");
    set!(ch.resolution_minutes, "resolution_minutes");
    set!(ch.closed_at, "closed_at");
    set!(ch.response_escalated_at, "response_escalated_at");
    set!(ch.resolution_escalated_at, "resolution_escalated_at");
    if let Some(at) = ch.first_response_at {
        sets.push("first_response_at = COALESCE(first_response_at, ?)");
        vals.push(at.into());
    }
    if let Some(m) = ch.response_minutes {
        sets.push("response_minutes = COALESCE(response_minutes, ?)");
        vals.push(m.into());
    }
    if ch.reopened {
        sets.push("reopened = reopened + 1");
    }
    vals.push(id.into());
    vals.push(expect_status.into());
    let r = conn
        .execute(stmt(
            conn.get_database_backend(),
            &format!(
                "UPDATE tickets SET {} WHERE id = ? AND status = ?",
                sets.join(", ")
            ),
            vals,
        ))
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A shipment named by a ticket: its waybill number, and the shipment while it exists.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct TicketShipment {
    pub waybill_no: String,
    pub shipment_id: Option<i64>,
    pub status: Option<String>,
    pub ordered_at: Option<DateTime<Utc>>,
}

pub async fn add_shipments<C: ConnectionTrait>(
    conn: &C,
    ticket_id: i64,
    shipments: &[(WaybillNo, Option<i64>)],
) -> Result<()> {
    for (waybill, id) in shipments {
        conn.execute(stmt(
            conn.get_database_backend(),
            "INSERT INTO ticket_shipments (ticket_id, waybill_no, shipment_id) VALUES (?, ?, ?) \
             ON CONFLICT (ticket_id, waybill_no) DO NOTHING",
            vec![ticket_id.into(), waybill.as_str().into(), (*id).into()],
        ))
        .await?;
    }
    Ok(())
}

pub async fn shipments_of<C: ConnectionTrait>(
    conn: &C,
    ticket_id: i64,
) -> Result<Vec<TicketShipment>> {
    // A shipment's times read the same from both databases (Unix seconds on SQLite).
    Ok(TicketShipment::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT ts.waybill_no, s.id AS shipment_id, s.status, s.ordered_at \
         FROM ticket_shipments ts LEFT JOIN shipments s ON s.id = ts.shipment_id \
         WHERE ts.ticket_id = ? ORDER BY ts.waybill_no",
        vec![ticket_id.into()],
    ))
    .all(conn)
    .await?)
}

#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
pub struct EventRow {
    pub id: i64,
    pub ticket_id: i64,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
    pub detail: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

pub struct NewEvent<'a> {
    pub ticket_id: i64,
    pub action: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub note: &'a str,
    pub detail: serde_json::Value,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn add_event<C: ConnectionTrait>(conn: &C, e: &NewEvent<'_>) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "INSERT INTO ticket_events (ticket_id, action, from_status, to_status, note, detail, \
         actor_id, actor_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            e.ticket_id.into(),
            e.action.into(),
            e.from_status.into(),
            e.to_status.into(),
            e.note.into(),
            e.detail.to_string().into(),
            e.actor_id.into(),
            e.actor_name.into(),
            e.at.into(),
        ],
    ))
    .await?;
    Ok(())
}

pub async fn events_of<C: ConnectionTrait>(conn: &C, ticket_id: i64) -> Result<Vec<EventRow>> {
    Ok(EventRow::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id, ticket_id, action, from_status, to_status, note, detail, actor_id, \
         actor_name, at FROM ticket_events WHERE ticket_id = ? ORDER BY id",
        vec![ticket_id.into()],
    ))
    .all(conn)
    .await?)
}

/// The list's filters; owners: `None` for everything, else the customers owned by these
/// users, and the pool when `pool` is set.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub owners: Option<Vec<i64>>,
    pub pool: bool,
    pub customer_id: Option<i64>,
    pub status: Vec<String>,
    pub open_only: bool,
    pub kind: Option<String>,
    pub severity: Option<String>,
    pub channel: Option<String>,
    pub assignee_id: Option<i64>,
    pub unassigned: bool,
    /// Past a deadline now: first response not given, or resolution not reached.
    pub breached_at: Option<DateTime<Utc>>,
    pub root_cause: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    /// Number, subject or waybill number.
    pub q: Option<String>,
    pub sort: TicketSort,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TicketSort {
    #[default]
    Newest,
    Oldest,
    /// The nearest resolution deadline first.
    Due,
}

impl TicketFilter {
    /// The same scope (owners and pool) without any other filter.
    pub fn scope_only(&self) -> TicketFilter {
        TicketFilter {
            owners: self.owners.clone(),
            pool: self.pool,
            ..Default::default()
        }
    }

    /// The conditions over the tickets alone (the owner is the ticket's copy of its
    /// customer's).
    fn where_clause(&self) -> (String, Vec<Value>) {
        self.where_clause_on("t.owner_id")
    }

    fn where_clause_on(&self, owner_col: &str) -> (String, Vec<Value>) {
        let mut w: Vec<String> = Vec::new();
        let mut v: Vec<Value> = Vec::new();
        if let Some(owners) = &self.owners {
            let mut any = Vec::new();
            if !owners.is_empty() {
                any.push(format!(
                    "{owner_col} IN ({})",
                    owners
                        .iter()
                        .map(|o| o.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                ));
            }
            if self.pool {
                any.push(format!("{owner_col} IS NULL"));
            }
            if any.is_empty() {
                any.push("1 = 0".into());
            }
            w.push(format!("({})", any.join(" OR ")));
        }
        if let Some(c) = self.customer_id {
            w.push("t.customer_id = ?".into());
            v.push(c.into());
        }
        if !self.status.is_empty() {
            w.push(format!(
                "t.status IN ({})",
                vec!["?"; self.status.len()].join(",")
            ));
            v.extend(self.status.iter().map(|s| Value::from(s.clone())));
        } else if self.open_only {
            // Spelled as the open statuses (not `<> 'closed'`) so the status indexes serve.
            w.push("t.status IN ('registered', 'investigating', 'resolved', 'confirmed')".into());
        }
        for (col, val) in [
            ("t.kind", &self.kind),
            ("t.severity", &self.severity),
            ("t.channel", &self.channel),
            ("t.root_cause", &self.root_cause),
        ] {
            if let Some(x) = val {
                w.push(format!("{col} = ?"));
                v.push(x.clone().into());
            }
        }
        if let Some(a) = self.assignee_id {
            w.push("t.assignee_id = ?".into());
            v.push(a.into());
        } else if self.unassigned {
            w.push("t.assignee_id IS NULL".into());
        }
        if let Some(now) = self.breached_at {
            w.push(
                "((t.first_response_at IS NULL AND t.status <> 'closed' AND t.first_response_due < ?) \
                 OR (t.resolved_at IS NULL AND t.closed_at IS NULL AND t.resolution_due < ?))"
                    .into(),
            );
            v.push(now.into());
            v.push(now.into());
        }
        if let Some(f) = self.created_from {
            w.push("t.created_at >= ?".into());
            v.push(f.into());
        }
        if let Some(b) = self.created_before {
            w.push("t.created_at < ?".into());
            v.push(b.into());
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let upper = q.to_ascii_uppercase();
            let code_like =
                q.len() >= 6 && q.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if upper.starts_with("TK") && code_like {
                // A ticket number: its key.
                w.push("t.number = ?".into());
                v.push(upper.into());
            } else if code_like {
                // A waybill number (or a ticket number typed without its prefix).
                w.push(
                    "(t.number = ? OR t.id IN (SELECT ticket_id FROM ticket_shipments WHERE waybill_no = ?))"
                        .into(),
                );
                v.push(upper.clone().into());
                v.push(upper.into());
            } else {
                // Words of the subject: a scan, narrowed by the other filters.
                let like = format!("%{}%", q.replace(['%', '_'], ""));
                w.push("t.subject LIKE ?".into());
                v.push(like.into());
            }
        }
        let sql = if w.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", w.join(" AND "))
        };
        (sql, v)
    }
}

/// A where clause with the tickets' join to their customers. The queries join with
/// `CROSS JOIN` and this condition so that SQLite takes the tickets first, through their
/// own indexes (status, owner, assignee, deadlines), and looks each customer up by its
/// key; left to itself it scans the customers and seeks their tickets, 50–100 times
/// slower at a million tickets. PostgreSQL plans both spellings alike.
fn joined(w: &str) -> String {
    if w.is_empty() {
        " WHERE c.id = t.customer_id".into()
    } else {
        format!("{w} AND c.id = t.customer_id")
    }
}

/// A page of tickets.
#[derive(Debug, Clone)]
pub struct TicketPage {
    pub rows: Vec<TicketRow>,
    /// The tickets matching; when `capped`, the count stopped here and there are more.
    pub total: u64,
    pub capped: bool,
}

/// One page of tickets and the total (counted by [`crate::capped::count`]). Both are found over the tickets alone (every filter is a column of theirs), the
/// page as its ids; only the page's tickets then look up their customers, contacts and
/// assignees.
pub async fn list<C: ConnectionTrait>(conn: &C, f: &TicketFilter) -> Result<TicketPage> {
    let backend = conn.get_database_backend();
    let (w, vals) = f.where_clause();
    let per = f.per_page.clamp(1, 10_000);
    let offset = consign_domain::params::offset(f.page, per);
    let counted =
        crate::capped::count(conn, &format!("tickets t{w}"), vals.clone(), offset + per).await?;
    let n = counted.total;
    let page = |rows| TicketPage {
        rows,
        total: counted.total,
        capped: counted.capped,
    };
    let order = match f.sort {
        TicketSort::Newest => "t.created_at DESC, t.id DESC",
        TicketSort::Oldest => "t.created_at ASC, t.id ASC",
        TicketSort::Due => "t.resolution_due ASC, t.id ASC",
    };
    if n == 0 || offset >= n {
        return Ok(page(Vec::new()));
    }
    let ids = Id::find_by_statement(stmt(
        backend,
        &format!("SELECT t.id FROM tickets t{w} ORDER BY {order} LIMIT {per} OFFSET {offset}"),
        vals,
    ))
    .all(conn)
    .await?;
    if ids.is_empty() {
        return Ok(page(Vec::new()));
    }
    let list = ids
        .iter()
        .map(|i| i.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let rows = TicketRow::find_by_statement(stmt(
        backend,
        &format!(
            "{TICKET_SELECT}{} ORDER BY {order}",
            joined(&format!(" WHERE t.id IN ({list})"))
        ),
        vec![],
    ))
    .all(conn)
    .await?;
    Ok(page(rows))
}

/// Open tickets whose deadline passed and that were not escalated for it yet:
/// (id, which: "response" or "resolution").
pub async fn due_escalations<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<(i64, &'static str)>> {
    let backend = conn.get_database_backend();
    let response = Id::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT id FROM tickets WHERE first_response_at IS NULL AND first_response_due < ? \
             AND response_escalated_at IS NULL AND status <> 'closed' ORDER BY first_response_due LIMIT {limit}"
        ),
        vec![now.into()],
    ))
    .all(conn)
    .await?;
    let resolution = Id::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT id FROM tickets WHERE resolved_at IS NULL AND closed_at IS NULL \
             AND resolution_due < ? AND resolution_escalated_at IS NULL ORDER BY resolution_due LIMIT {limit}"
        ),
        vec![now.into()],
    ))
    .all(conn)
    .await?;
    Ok(response
        .into_iter()
        .map(|r| (r.id, "response"))
        .chain(resolution.into_iter().map(|r| (r.id, "resolution")))
        .collect())
}

mod attachments;
pub use attachments::*;
mod notifications;
pub use notifications::*;
mod stats;
pub use stats::*;
