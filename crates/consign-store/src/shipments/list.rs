//! The shipment list: every shipment of the customers a user may see, filtered, newest
//! order first, one page at a time, counted up to a cap.

use super::{parse_row, shipment_ts, StoredShipment, SELECT};
use crate::capped::{count_to as count, Counted};
use crate::dialect::stmt;
use crate::scope::Visibility;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, Value};

/// The order of the list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ShipmentSort {
    /// Newest order first.
    #[default]
    Newest,
    Oldest,
    /// Highest revenue first.
    Revenue,
    /// Lowest revenue first.
    RevenueAsc,
}

impl ShipmentSort {
    fn order_by(self) -> &'static str {
        match self {
            ShipmentSort::Newest => "s.ordered_at DESC, s.id DESC",
            ShipmentSort::Oldest => "s.ordered_at, s.id",
            ShipmentSort::Revenue => "s.revenue_fen DESC, s.id DESC",
            ShipmentSort::RevenueAsc => "s.revenue_fen, s.id",
        }
    }
}

/// The sums of the filtered shipments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShipmentTotals {
    pub shipments: i64,
    pub revenue_fen: i64,
    /// Of the shipments whose cost is known.
    pub cost_fen: i64,
    /// Revenue − cost where the cost is known, else revenue (SPEC §3).
    pub profit_fen: i64,
}

/// The filters of the shipment list, checked by the caller.
#[derive(Debug, Clone, Default)]
pub struct ShipmentFilter {
    /// Waybill numbers starting with this (upper-case, letters, digits and `-`).
    pub waybill_prefix: Option<String>,
    pub status: Option<String>,
    pub service_mode: Option<String>,
    /// Shipments with this exception flag (its bit).
    pub exception_bit: Option<i32>,
    /// Ordered at or after this instant (a local day's start)…
    pub from_at: Option<DateTime<Utc>>,
    /// … and before this one.
    pub to_at: Option<DateTime<Utc>>,
    /// The same range as local days (`YYYYMMDD`, the end excluded): what the sums and the
    /// revenue order read by (the day index reads a month's rows in the order they were
    /// written; the time index, twice as slowly at 10 million).
    pub from_day: Option<i32>,
    pub to_day: Option<i32>,
    pub customer_id: Option<i64>,
    pub origin_city: Option<String>,
    pub destination_city: Option<String>,
    /// Customers of this account manager.
    pub owner_id: Option<i64>,
    /// Not yet delivered (created or in transit) with a promised time before this.
    pub overdue_at: Option<DateTime<Utc>>,
    pub sort: ShipmentSort,
}

/// One page of the list: the shipments with their customer's name, and how many match
/// (counted by [`crate::capped::count`]).
pub struct ShipmentRows {
    pub rows: Vec<(StoredShipment, String)>,
    pub counted: Counted,
}

/// The statuses of a shipment still under way, and the term of the partial index on them
/// (m0021), written as the index declares it.
const OPEN_STATUSES: [&str; 2] = ["created", "in_transit"];
const OPEN: &str = "s.status IN ('created', 'in_transit')";
const FLAGGED: &str = "s.exceptions <> 0";

/// Where the shipment list's count stops: it reads the matches newest first, so a filter
/// that one shipment in a hundred meets reads 100,000 rows to count 1,000 (about 60 ms
/// at 10 million shipments), where 10,000 took 0.6 s.
pub const SHIPMENT_COUNT_CAP: u64 = 1_000;

/// How a date range is read: as instants of the order time (a page newest or oldest
/// first: the index serves the range and the order), or as days (everything in it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Range {
    Instants,
    Days,
}

fn condition(
    backend: DatabaseBackend,
    vis: &Visibility,
    f: &ShipmentFilter,
    range: Range,
) -> (String, Vec<Value>) {
    let (scope, mut values) = vis.owner_condition("c.owner_id");
    let mut parts = vec![scope];
    let mut add = |sql: &str, v: Vec<Value>| {
        parts.push(sql.to_string());
        values.extend(v);
    };
    if let Some(p) = &f.waybill_prefix {
        // Waybill numbers hold capitals, digits and `-` only, stored in byte order: the
        // numbers starting with `p` are a range of the unique index (`~` sorts after them).
        add("s.waybill_no >= ?", vec![p.clone().into()]);
        add("s.waybill_no < ?", vec![format!("{p}~").into()]);
    }
    if let Some(x) = &f.status {
        // The shipments still under way have an index of their own (m0021): the term it
        // is declared with lets the planner use it.
        if OPEN_STATUSES.contains(&x.as_str()) {
            add(OPEN, vec![]);
        }
        add("s.status = ?", vec![x.clone().into()]);
    }
    if let Some(x) = &f.service_mode {
        add("s.service_mode = ?", vec![x.clone().into()]);
    }
    if let Some(bit) = f.exception_bit {
        // The shipments with any flag (a few in a hundred) have a partial index (m0022),
        // declared with this term.
        add(FLAGGED, vec![]);
        add("(s.exceptions & ?) <> 0", vec![bit.into()]);
    }
    if range == Range::Instants {
        if let Some(at) = f.from_at {
            add("s.ordered_at >= ?", vec![shipment_ts(backend, Some(at))]);
        }
        if let Some(at) = f.to_at {
            add("s.ordered_at < ?", vec![shipment_ts(backend, Some(at))]);
        }
    } else {
        if let Some(d) = f.from_day {
            add("s.order_day >= ?", vec![d.into()]);
        }
        if let Some(d) = f.to_day {
            add("s.order_day < ?", vec![d.into()]);
        }
    }
    if let Some(c) = f.customer_id {
        add("s.customer_id = ?", vec![c.into()]);
    }
    if let Some(x) = &f.origin_city {
        add("s.origin_city = ?", vec![x.clone().into()]);
    }
    if let Some(x) = &f.destination_city {
        add("s.destination_city = ?", vec![x.clone().into()]);
    }
    if let Some(o) = f.owner_id {
        add("c.owner_id = ?", vec![o.into()]);
    }
    if let Some(at) = f.overdue_at {
        add(OPEN, vec![]);
        add("s.promised_at < ?", vec![shipment_ts(backend, Some(at))]);
    }
    (parts.join(" AND "), values)
}

/// What the shipments are read from: joined to their customers only when a term of `vis`
/// or `f` reads them (the caller's scope, an account manager's customers); `lead`: the
/// shipments lead the join (`+` keeps SQLite from walking every shipment of the scope's
/// customers when the shipments' own terms select fewer).
fn source(vis: &Visibility, f: &ShipmentFilter, lead: bool) -> &'static str {
    if matches!(vis, Visibility::All) && f.owner_id.is_none() {
        "shipments s"
    } else if lead {
        "shipments s JOIN customers c ON c.id = +s.customer_id"
    } else {
        "shipments s JOIN customers c ON c.id = s.customer_id"
    }
}

/// Whether `f` has no term on the shipments themselves (only on their customers), its
/// order dates left out when `but_dates`.
fn customers_only(f: &ShipmentFilter, but_dates: bool) -> bool {
    let ShipmentFilter {
        waybill_prefix,
        status,
        service_mode,
        exception_bit,
        from_at,
        to_at,
        from_day,
        to_day,
        customer_id: _,
        origin_city,
        destination_city,
        owner_id: _,
        overdue_at,
        sort: _,
    } = f;
    let dates = from_at.is_none() && to_at.is_none() && from_day.is_none() && to_day.is_none();
    waybill_prefix.is_none()
        && status.is_none()
        && service_mode.is_none()
        && exception_bit.is_none()
        && (but_dates || dates)
        && origin_city.is_none()
        && destination_city.is_none()
        && overdue_at.is_none()
}

/// A page of the shipments `vis` may see that match `f`, newest order first, and their
/// count.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    f: &ShipmentFilter,
    offset: u64,
    limit: u64,
) -> Result<ShipmentRows> {
    let backend = conn.get_database_backend();
    let range = match f.sort {
        ShipmentSort::Newest | ShipmentSort::Oldest => Range::Instants,
        ShipmentSort::Revenue | ShipmentSort::RevenueAsc => Range::Days,
    };
    let (cond, values) = condition(backend, vis, f, range);
    let from = format!("{} WHERE {cond}", source(vis, f, false));
    // Counted newest first: the scan meets the recent matches first and stops at the cap
    // (in no order, SQLite read the table from its oldest rows: 20 s for one account
    // manager's shipments in transit). A waybill prefix reads its range of the waybill
    // index instead, and a range of days (the revenue orders) its range of the day index
    // (4 ms where SQLite chose to sort the range by time: 3 s); terms on the customers
    // alone (an account manager's, one customer's, the caller's scope) are counted in no
    // order, from the customers' index to their shipments' (4 ms where the newest-first
    // scan took 120 ms).
    let days_only = range == Range::Days && customers_only(f, true);
    let order = if f.waybill_prefix.is_some() || customers_only(f, false) || days_only {
        ""
    } else {
        " ORDER BY s.ordered_at DESC"
    };
    let counted = count(
        conn,
        &format!("{from}{order}"),
        values.clone(),
        offset + limit,
        SHIPMENT_COUNT_CAP,
    )
    .await?;
    if counted.total <= offset {
        return Ok(ShipmentRows {
            rows: Vec::new(),
            counted,
        });
    }
    // The shipment columns and the customer's name.
    let select = SELECT.replacen(
        " FROM shipments s",
        ", c.name AS customer_name FROM shipments s",
        1,
    );
    // With a waybill prefix, the time orders are waybill orders (numbers are given out in
    // time order): a page is then the end of the prefix's index range, where sorting a
    // month's 400,000 numbers by time took 145 ms at 10 million shipments.
    let order = match (f.waybill_prefix.is_some(), f.sort) {
        (true, ShipmentSort::Newest) => "s.waybill_no DESC",
        (true, ShipmentSort::Oldest) => "s.waybill_no",
        (_, sort) => sort.order_by(),
    };
    let revenue = matches!(f.sort, ShipmentSort::Revenue | ShipmentSort::RevenueAsc);
    let sql = if revenue {
        // The revenue orders read every matching shipment: sorted first, and only the
        // page's rows joined to their customers (a month at 10 million: 434 → 86 ms in
        // the `sqlite3` shell). When a term reads the customers (an account manager's
        // scope), the shipments of the range lead (`+` keeps SQLite from walking every
        // shipment of the scope's customers instead: 6.5 s → 0.17 s).
        let inner = source(vis, f, true);
        format!(
            "{select} WHERE s.id IN (SELECT s.id FROM {inner} WHERE {cond} \
             ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}"
        )
    } else {
        format!("{select} WHERE {cond} ORDER BY {order} LIMIT ? OFFSET ?")
    };
    let mut page_values = values;
    page_values.push((limit as i64).into());
    page_values.push((offset as i64).into());
    let found = conn.query_all(stmt(backend, &sql, page_values)).await?;
    let mut rows = Vec::with_capacity(found.len());
    for r in &found {
        rows.push((parse_row(r)?, r.try_get::<String>("", "customer_name")?));
    }
    Ok(ShipmentRows { rows, counted })
}

/// The count and sums of the shipments `vis` may see that match `f` (every one of them:
/// a scan of the matching rows).
pub async fn totals<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    f: &ShipmentFilter,
) -> Result<ShipmentTotals> {
    let backend = conn.get_database_backend();
    let (cond, values) = condition(backend, vis, f, Range::Days);
    // Every shipment is the customers' when no term is on them: the sums skip the join.
    let from = source(vis, f, false);
    let sql = format!(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(s.revenue_fen), 0) AS BIGINT) AS revenue, \
         CAST(COALESCE(SUM(s.cost_fen), 0) AS BIGINT) AS cost, \
         CAST(COALESCE(SUM(s.revenue_fen - COALESCE(s.cost_fen, 0)), 0) AS BIGINT) AS profit \
         FROM {from} WHERE {cond}"
    );
    let Some(r) = conn.query_one(stmt(backend, &sql, values)).await? else {
        return Ok(ShipmentTotals::default());
    };
    let int = |k: &str| r.try_get::<i64>("", k);
    Ok(ShipmentTotals {
        shipments: int("n")?,
        revenue_fen: int("revenue")?,
        cost_fen: int("cost")?,
        profit_fen: int("profit")?,
    })
}

/// The shipments `vis` may see that match `f` after id `after`, in id order (an
/// export's pages).
pub async fn matching_after<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    f: &ShipmentFilter,
    after: i64,
    limit: u64,
) -> Result<Vec<(StoredShipment, String)>> {
    let backend = conn.get_database_backend();
    let (cond, mut values) = condition(backend, vis, f, Range::Days);
    let select = SELECT.replacen(
        " FROM shipments s",
        ", c.name AS customer_name FROM shipments s",
        1,
    );
    let sql = format!("{select} WHERE {cond} AND s.id > ? ORDER BY s.id LIMIT ?");
    values.push(after.into());
    values.push((limit as i64).into());
    let found = conn.query_all(stmt(backend, &sql, values)).await?;
    let mut rows = Vec::with_capacity(found.len());
    for r in &found {
        rows.push((parse_row(r)?, r.try_get::<String>("", "customer_name")?));
    }
    Ok(rows)
}
