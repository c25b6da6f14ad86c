//! The sums behind the service KPIs (`consign_domain::kpis`): shipments from the daily
//! rollups, overdue shipments from the open ones, tickets from the service desk, CSAT and
//! NPS from the survey answers.

use crate::dialect::{shipment_ts, stmt};
use crate::scope::Visibility;
use crate::Result;
use chrono::{DateTime, Utc};
use consign_domain::customer::ServiceMode;
use consign_domain::kpis::{cover, KpiSums};
use consign_domain::shipment::local_day;
use consign_domain::surveys::SurveySums;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use std::collections::BTreeMap;

pub mod recent;
pub mod worst;

/// A window: local days `[from_day, to_day)` (YYYYMMDD) and the same as UTC instants;
/// `overdue_before` is the window's end, or now when that is earlier.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from_day: i32,
    pub to_day: i32,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub overdue_before: DateTime<Utc>,
    /// The company's time zone (the local month of a ticket's opening).
    pub tz: chrono_tz::Tz,
}

#[derive(FromQueryResult)]
struct Rolled {
    g: Option<String>,
    label: Option<String>,
    cid: Option<i64>,
    shipments: Option<i64>,
    delivered: Option<i64>,
    cycle_seconds: Option<i64>,
    cycle_seconds_sq: Option<f64>,
    delayed: Option<i64>,
    damaged: Option<i64>,
    short: Option<i64>,
    stockout: Option<i64>,
    substituted: Option<i64>,
    route_changed: Option<i64>,
    returned: Option<i64>,
    invoice_error: Option<i64>,
}

#[derive(FromQueryResult)]
struct Ticketed {
    g: Option<String>,
    complaints: Option<i64>,
    claims: Option<i64>,
    responded: Option<i64>,
    response_sum: Option<i64>,
    resolved: Option<i64>,
    resolution_sum: Option<i64>,
}

#[derive(FromQueryResult)]
struct Surveyed {
    g: Option<String>,
    answers: i64,
    csat_sum: Option<i64>,
    promoters: Option<i64>,
    detractors: Option<i64>,
}

#[derive(FromQueryResult)]
struct Count {
    g: Option<String>,
    n: i64,
}

/// How figures are grouped: the customer's segment, or the local month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One row per customer (`g`: its code, the label its name).
    Customer,
    /// By the customer's value class / grade in this classification run (none: `g` null).
    ValueClass(Option<i64>),
    Grade(Option<i64>),
    Province,
    Industry,
    /// By each service mode the customer uses (a customer in two modes counts in both).
    ServiceMode,
    /// By owner id (`g` null: the pool).
    Owner,
    /// By local month of the order or ticket (`g`: YYYYMM).
    Month,
    /// One row for everything in scope (`g` null).
    All,
    /// One row per customer, keyed by its id, without its name or code (nothing of the
    /// customers is read unless the scope needs it).
    CustomerId,
}

impl Grouping {
    /// The group expression, given the month and customer expressions of the source;
    /// `recent`: the segment is read from the recent row `r` (else from the customer `c`
    /// and its classification `cl`).
    fn key(&self, month: &str, customer: &str, recent: bool) -> String {
        let (c, cl) = if recent { ("r", "r") } else { ("c", "cl") };
        match self {
            Grouping::Customer => "c.code".into(),
            Grouping::ValueClass(_) => format!("{cl}.value_class"),
            Grouping::Grade(_) => format!("{cl}.grade"),
            Grouping::Province => format!("{c}.province"),
            Grouping::Industry => format!("{c}.industry"),
            // The recent rows are grouped by their modes as written (`,ltl,express,`),
            // each group then counted in each of its modes: one pass, not one per mode.
            Grouping::ServiceMode if recent => "r.service_modes".into(),
            Grouping::ServiceMode => "m.column1".into(),
            Grouping::Owner => format!("CAST({c}.owner_id AS TEXT)"),
            Grouping::Month => format!("CAST({month} AS TEXT)"),
            Grouping::All => "CAST(NULL AS TEXT)".into(),
            Grouping::CustomerId => format!("CAST({customer} AS TEXT)"),
        }
    }

    /// Whether the recent rows carry the key: every segment but the customer's code and
    /// the month; its value class and grade of the run `class_run` only.
    fn on_recent(&self, class_run: Option<i64>) -> bool {
        match self {
            Grouping::ValueClass(run) | Grouping::Grade(run) => *run == class_run,
            Grouping::Customer | Grouping::Month => false,
            _ => true,
        }
    }

    /// Joins the key needs besides the customer (`c`); none besides the recent row `r`
    /// that carries the segment (`recent`).
    fn joins(&self, recent: bool) -> String {
        match self {
            Grouping::ValueClass(run) | Grouping::Grade(run) if !recent => format!(
                " LEFT JOIN classifications cl ON cl.run_id = {} AND cl.customer_id = c.id",
                run.unwrap_or(0)
            ),
            Grouping::ServiceMode if !recent => format!(
                " JOIN (VALUES {}) m ON c.service_modes LIKE '%,' || m.column1 || ',%'",
                ServiceMode::ALL
                    .iter()
                    .map(|m| format!("('{}')", m.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => String::new(),
        }
    }
}

/// The rollup rows covering a window (whole months from the monthly rollup, the edge
/// days from the daily one) as a subquery's text `… AS r(customer_id, month, …)`, with its
/// values. `of`: `customer` (a row per customer) or `company` (every customer's summed);
/// `only`: those customers' rows only.
fn covered(w: &Window, of: &str, only: Option<&[i64]>) -> (String, Vec<Value>) {
    let cols = rolled_columns().collect::<Vec<_>>().join(", ");
    let (days, months) = cover(w.from_day, w.to_day);
    let who = match only {
        Some(ids) => format!("customer_id IN ({}) AND ", vec!["?"; ids.len()].join(",")),
        None => String::new(),
    };
    let ids = || only.unwrap_or_default().iter().map(|i| Value::from(*i));
    let mut parts = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if !days.is_empty() {
        let cond = vec!["(day >= ? AND day < ?)"; days.len()].join(" OR ");
        parts.push(format!(
            "SELECT customer_id, day / 100 AS month, {cols} FROM {of}_days WHERE {who}({cond})"
        ));
        values.extend(ids());
        for (a, b) in days {
            values.push(a.into());
            values.push(b.into());
        }
    }
    if let Some((a, b)) = months {
        parts.push(format!(
            "SELECT customer_id, month, {cols} FROM {of}_months WHERE {who}month >= ? AND month < ?"
        ));
        values.extend(ids());
        values.push(a.into());
        values.push(b.into());
    }
    (parts.join(" UNION ALL "), values)
}

/// Each customer's sums over a window as a query's source `r` (a row per customer, the
/// rollup columns), with its values.
struct PerCustomer {
    source: String,
    values: Vec<Value>,
    /// The window is the recent months exactly (this month and the eleven before, by
    /// default): the source is the sums kept already, `customer_recent`, whose rows
    /// carry each customer's segment and its classes in this run.
    kept: Option<Option<i64>>,
}

async fn per_customer_sums<C: ConnectionTrait>(conn: &C, w: &Window) -> Result<PerCustomer> {
    let recent = match cover(w.from_day, w.to_day) {
        (days, Some((first, last))) if days.is_empty() => recent::covers(conn, first, last).await?,
        _ => false,
    };
    if recent {
        return Ok(PerCustomer {
            source: "customer_recent r".into(),
            values: Vec::new(),
            kept: Some(recent::class_run(conn).await?),
        });
    }
    let (rolled, values) = covered(w, "customer", None);
    Ok(PerCustomer {
        source: format!(
            "(SELECT customer_id, {} FROM ({rolled}) x GROUP BY customer_id) r",
            summed_columns("")
        ),
        values,
        kept: None,
    })
}

/// The sums of the rollup columns over `r`, each as the row reader takes it (the squared
/// cycles as a float: a company's year of them passes i64).
fn summed_columns(r: &str) -> String {
    rolled_columns()
        .map(|c| {
            if c == "cycle_seconds_sq" {
                format!("SUM(CAST({r}{c} AS DOUBLE PRECISION)) AS {c}")
            } else {
                format!("CAST(SUM({r}{c}) AS BIGINT) AS {c}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rollup columns the KPIs read: all but the money.
fn rolled_columns() -> impl Iterator<Item = &'static str> {
    consign_domain::shipment::DayFigures::COLUMNS
        .into_iter()
        .filter(|c| !c.ends_with("_fen"))
}

/// One group's sums, with the customer's name and id when grouping by customer.
#[derive(Debug, Clone, Default)]
pub struct Grouped {
    pub label: Option<String>,
    pub customer_id: Option<i64>,
    pub sums: KpiSums,
}

impl Grouped {
    fn of(sums: KpiSums) -> Grouped {
        Grouped {
            sums,
            ..Default::default()
        }
    }
}

/// Sums per group over a window, of the customers within `vis` (or of the customers
/// `only`, which the caller has checked it may see): group key → its sums (with the
/// customer's name and id when grouping by customer).
pub async fn sums_by<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    only: Option<&[i64]>,
    group: Grouping,
    w: &Window,
) -> Result<BTreeMap<Option<String>, Grouped>> {
    let backend = conn.get_database_backend();
    // Figures by month or in total need nothing of the customers unless the scope does:
    // the rollups, the shipments and the tickets are then read alone (every customer's
    // from the company's rollups, one customer's by its id).
    let with_customers = !matches!(vis, Visibility::All)
        || !matches!(
            group,
            Grouping::Month | Grouping::All | Grouping::CustomerId
        );
    let (scope, scope_values) = vis.owner_condition("c.owner_id");
    let joins = group.joins(false);
    let (label, cid) = if group == Grouping::Customer {
        ("MIN(c.name)", "MIN(c.id)")
    } else {
        ("CAST(NULL AS TEXT)", "CAST(NULL AS BIGINT)")
    };
    // The join to the customers of rows whose customer column is `col`, and the
    // condition (with its values) every source's rows meet.
    let join = |col: &str| {
        if with_customers {
            format!(" JOIN customers c ON c.id = {col}{joins}")
        } else {
            String::new()
        }
    };
    let cond = |col: &str| {
        let mut sql = if with_customers {
            scope.clone()
        } else {
            "1=1".to_string()
        };
        let mut values = if with_customers {
            scope_values.clone()
        } else {
            Vec::new()
        };
        if let Some(ids) = only {
            sql += &format!(" AND {col} IN ({})", vec!["?"; ids.len()].join(","));
            values.extend(ids.iter().map(|i| Value::from(*i)));
        }
        (sql, values)
    };
    let by_customer = with_customers || group == Grouping::CustomerId;
    let of = if only.is_none() && !by_customer {
        "company"
    } else {
        "customer"
    };
    let per_customer = by_customer && only.is_none() && group != Grouping::Month;
    // By a customer's segment: each customer's rows summed first, so that the customer
    // (and its classification) is looked up once per customer, not once per month. Over
    // the recent months the kept rows carry the segment and the owner: no join at all.
    let (rolled, mut values, recent) = if per_customer {
        let s = per_customer_sums(conn, w).await?;
        let recent = s.kept.is_some_and(|run| group.on_recent(run));
        (s.source, s.values, recent)
    } else {
        let (rolled, values) = covered(w, of, only);
        (format!("({rolled}) r"), values, false)
    };
    let sums = summed_columns("r.");
    // The rollups are filtered to `only` inside `covered` (and `only` is never asked of
    // the sums per customer).
    let (where_, cond_values) = if recent {
        vis.owner_condition("r.owner_id")
    } else {
        cond("r.customer_id")
    };
    let key = group.key("r.month", "r.customer_id", recent);
    let joined = if recent {
        group.joins(true)
    } else {
        join("r.customer_id")
    };
    values.extend(cond_values);
    // The four sources are read at once, each on a connection of its own, then added up
    // per group.
    let rollups = async {
        let mut part = Vec::new();
        for r in Rolled::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT {key} AS g, {label} AS label, {cid} AS cid, {sums} FROM {rolled} \
                 {joined} WHERE {where_} GROUP BY {key}"
            ),
            values,
        ))
        .all(conn)
        .await?
        {
            let s = KpiSums {
                shipments: r.shipments.unwrap_or(0),
                delivered: r.delivered.unwrap_or(0),
                cycle_seconds: r.cycle_seconds.unwrap_or(0),
                cycle_seconds_sq: r.cycle_seconds_sq.unwrap_or(0.0),
                delayed: r.delayed.unwrap_or(0),
                damaged: r.damaged.unwrap_or(0),
                short: r.short.unwrap_or(0),
                stockout: r.stockout.unwrap_or(0),
                substituted: r.substituted.unwrap_or(0),
                route_changed: r.route_changed.unwrap_or(0),
                returned: r.returned.unwrap_or(0),
                invoice_error: r.invoice_error.unwrap_or(0),
                ..Default::default()
            };
            if recent && group == Grouping::ServiceMode {
                // `,ltl,express,`: counted in each mode it names.
                let modes = r.g.unwrap_or_default();
                for m in ServiceMode::ALL {
                    if modes.contains(&format!(",{},", m.as_str())) {
                        part.push((Some(m.as_str().to_string()), Grouped::of(s.clone())));
                    }
                }
                continue;
            }
            let label = r.label;
            let customer_id = r.cid;
            part.push((
                r.g,
                Grouped {
                    label,
                    customer_id,
                    sums: s,
                },
            ));
        }
        Ok::<_, crate::StoreError>(part)
    };
    // Open shipments past their promise.
    let overdue = async {
        let key = group.key("s.order_day / 100", "s.customer_id", false);
        let (where_, cond_values) = cond("s.customer_id");
        let mut values = vec![
            shipment_ts(backend, Some(w.from)),
            shipment_ts(backend, Some(w.to)),
            shipment_ts(backend, Some(w.overdue_before)),
        ];
        values.extend(cond_values);
        let rows = Count::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT {key} AS g, COUNT(*) AS n FROM shipments s \
                 {} \
                 WHERE s.ordered_at >= ? AND s.ordered_at < ? AND s.status IN ('created', 'in_transit') \
                 AND s.delivered_at IS NULL AND s.promised_at < ? AND {where_} GROUP BY {key}",
                join("s.customer_id")
            ),
            values,
        ))
        .all(conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let sums = KpiSums {
                    overdue_in_transit: r.n,
                    ..Default::default()
                };
                (r.g, Grouped::of(sums))
            })
            .collect::<Vec<_>>())
    };
    let source = Source {
        group,
        join: &join,
        cond: &cond,
        w,
    };
    let (rolled, overdue, tickets, surveys) = tokio::try_join!(
        rollups,
        overdue,
        ticket_sums(conn, &source),
        survey_sums(conn, &source),
    )?;
    let mut out: BTreeMap<Option<String>, Grouped> = BTreeMap::new();
    for (g, part) in rolled
        .into_iter()
        .chain(overdue)
        .chain(tickets)
        .chain(surveys)
    {
        let e = out.entry(g).or_default();
        if part.label.is_some() {
            e.label = part.label;
        }
        if part.customer_id.is_some() {
            e.customer_id = part.customer_id;
        }
        e.sums.add(&part.sums);
    }
    Ok(out)
}

/// A group's sums from one source, per group (a group may come more than once).
type Parts = Vec<(Option<String>, Grouped)>;

/// What a source of sums is read by: the grouping, the join to the customers and the
/// condition on rows whose customer column is given, and the window.
#[derive(Clone, Copy)]
struct Source<'a> {
    group: Grouping,
    join: &'a (dyn Fn(&str) -> String + Sync),
    cond: &'a (dyn Fn(&str) -> (String, Vec<Value>) + Sync),
    w: &'a Window,
}

/// Tickets opened in the window (by month: the local month of their opening, which the
/// ticket does not store, so it is read per ticket and counted here).
async fn ticket_sums<C: ConnectionTrait>(conn: &C, src: &Source<'_>) -> Result<Parts> {
    let Source {
        group,
        join,
        cond,
        w,
    } = *src;
    let backend = conn.get_database_backend();
    let (where_, cond_values) = cond("t.customer_id");
    let tickets = if group == Grouping::Month {
        ticket_months(conn, &join("t.customer_id"), &where_, &cond_values, w).await?
    } else {
        let key = group.key("", "t.customer_id", false);
        let mut values: Vec<Value> = vec![w.from.into(), w.to.into()];
        values.extend(cond_values);
        Ticketed::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT {key} AS g, {TICKET_SUMS} FROM tickets t \
                 {} \
                 WHERE t.created_at >= ? AND t.created_at < ? AND {where_} GROUP BY {key}",
                join("t.customer_id")
            ),
            values,
        ))
        .all(conn)
        .await?
    };
    Ok(tickets
        .into_iter()
        .map(|t| {
            let sums = KpiSums {
                complaints: t.complaints.unwrap_or(0),
                claims: t.claims.unwrap_or(0),
                responded: t.responded.unwrap_or(0),
                response_minutes: t.response_sum.unwrap_or(0),
                resolved: t.resolved.unwrap_or(0),
                resolution_minutes: t.resolution_sum.unwrap_or(0),
                ..Default::default()
            };
            (t.g, Grouped::of(sums))
        })
        .collect())
}

/// Survey answers given in the window (by the local day of the answer).
async fn survey_sums<C: ConnectionTrait>(conn: &C, src: &Source<'_>) -> Result<Parts> {
    let Source {
        group,
        join,
        cond,
        w,
    } = *src;
    let backend = conn.get_database_backend();
    let key = group.key("(v.answer_day / 100)", "v.customer_id", false);
    let (where_, cond_values) = cond("v.customer_id");
    let mut values: Vec<Value> = vec![w.from_day.into(), w.to_day.into()];
    values.extend(cond_values);
    Ok(Surveyed::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT {key} AS g, CAST(COUNT(*) AS BIGINT) AS answers, \
             CAST(SUM(v.csat) AS BIGINT) AS csat_sum, \
             CAST(SUM(CASE WHEN v.nps >= 9 THEN 1 ELSE 0 END) AS BIGINT) AS promoters, \
             CAST(SUM(CASE WHEN v.nps <= 6 THEN 1 ELSE 0 END) AS BIGINT) AS detractors \
             FROM surveys v {} \
             WHERE v.answer_day >= ? AND v.answer_day < ? AND {where_} GROUP BY {key}",
            join("v.customer_id")
        ),
        values,
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| {
        let mut sums = KpiSums::default();
        sums.surveys.add(&SurveySums {
            answers: r.answers,
            csat_sum: r.csat_sum.unwrap_or(0),
            promoters: r.promoters.unwrap_or(0),
            detractors: r.detractors.unwrap_or(0),
        });
        (r.g, Grouped::of(sums))
    })
    .collect())
}

const TICKET_SUMS: &str =
    "CAST(SUM(CASE WHEN t.kind = 'complaint' THEN 1 ELSE 0 END) AS BIGINT) AS complaints, \
     CAST(SUM(CASE WHEN t.kind = 'claim' THEN 1 ELSE 0 END) AS BIGINT) AS claims, \
     CAST(COUNT(t.response_minutes) AS BIGINT) AS responded, \
     CAST(SUM(t.response_minutes) AS BIGINT) AS response_sum, \
     CAST(COUNT(t.resolution_minutes) AS BIGINT) AS resolved, \
     CAST(SUM(t.resolution_minutes) AS BIGINT) AS resolution_sum";

/// The window's tickets summed per local month of their opening (`g`: YYYYMM); `joins`:
/// the join to the customers (and what the grouping needs), or nothing.
async fn ticket_months<C: ConnectionTrait>(
    conn: &C,
    joins: &str,
    where_: &str,
    cond_values: &[Value],
    w: &Window,
) -> Result<Vec<Ticketed>> {
    #[derive(FromQueryResult)]
    struct One {
        created_at: DateTime<Utc>,
        kind: String,
        response_minutes: Option<i64>,
        resolution_minutes: Option<i64>,
    }
    let backend = conn.get_database_backend();
    let mut values: Vec<Value> = vec![w.from.into(), w.to.into()];
    values.extend(cond_values.iter().cloned());
    let mut by: BTreeMap<i32, Ticketed> = BTreeMap::new();
    for t in One::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT t.created_at, t.kind, t.response_minutes, t.resolution_minutes FROM tickets t \
             {joins} WHERE t.created_at >= ? AND t.created_at < ? AND {where_}"
        ),
        values,
    ))
    .all(conn)
    .await?
    {
        let month = local_day(t.created_at, w.tz) / 100;
        let e = by.entry(month).or_insert_with(|| Ticketed {
            g: Some(month.to_string()),
            complaints: Some(0),
            claims: Some(0),
            responded: Some(0),
            response_sum: Some(0),
            resolved: Some(0),
            resolution_sum: Some(0),
        });
        let add = |x: &mut Option<i64>, v: i64| *x = Some(x.unwrap_or(0) + v);
        add(&mut e.complaints, i64::from(t.kind == "complaint"));
        add(&mut e.claims, i64::from(t.kind == "claim"));
        if let Some(m) = t.response_minutes {
            add(&mut e.responded, 1);
            add(&mut e.response_sum, m);
        }
        if let Some(m) = t.resolution_minutes {
            add(&mut e.resolved, 1);
            add(&mut e.resolution_sum, m);
        }
    }
    Ok(by.into_values().collect())
}

/// One customer's sums over a window (the caller has checked the customer is visible).
pub async fn customer_sums<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    w: &Window,
) -> Result<KpiSums> {
    total(conn, &Visibility::All, Some(customer_id), w).await
}

/// The sums of everything within `vis` (or of customer `one`) over a window, ungrouped.
pub async fn total<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    one: Option<i64>,
    w: &Window,
) -> Result<KpiSums> {
    let only = one.as_ref().map(std::slice::from_ref);
    let mut by = sums_by(conn, vis, only, Grouping::All, w).await?;
    Ok(by.remove(&None).map(|g| g.sums).unwrap_or_default())
}

/// The codes and names of a few customers, by id (those a page names).
pub async fn labels<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, (String, String)>> {
    #[derive(FromQueryResult)]
    struct L {
        id: i64,
        code: String,
        name: String,
    }
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        for l in L::find_by_statement(stmt(
            conn.get_database_backend(),
            &format!("SELECT id, code, name FROM customers WHERE id IN ({marks})"),
            chunk.iter().map(|i| (*i).into()).collect(),
        ))
        .all(conn)
        .await?
        {
            out.insert(l.id, (l.code, l.name));
        }
    }
    Ok(out)
}
