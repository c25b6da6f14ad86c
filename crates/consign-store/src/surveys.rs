//! Survey storage: the surveys made, their answers, and what they add up to.

use crate::dialect::{shipment_ts, stmt};
use crate::scope::Visibility;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use consign_domain::surveys::{Answer, GapSums};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

pub struct NewSurvey<'a> {
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub kind: &'a str,
    /// `email` when the contact has an address, else `link` (sent by hand).
    pub channel: &'a str,
    pub shipment_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// The waybill or ticket number it asks about (empty: the service in general).
    pub subject: &'a str,
    pub created_by: Option<i64>,
    /// Local day made (YYYYMMDD).
    pub day: i32,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

/// Makes a survey; None when its shipment or ticket has one already.
pub async fn add<C: ConnectionTrait>(conn: &C, s: &NewSurvey<'_>) -> Result<Option<i64>> {
    Ok(Id::find_by_statement(stmt(
        conn.get_database_backend(),
        "INSERT INTO surveys (customer_id, contact_id, kind, channel, day, shipment_id, ticket_id, \
         subject, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT DO NOTHING RETURNING id",
        vec![
            s.customer_id.into(),
            s.contact_id.into(),
            s.kind.into(),
            s.channel.into(),
            s.day.into(),
            s.shipment_id.into(),
            s.ticket_id.into(),
            s.subject.into(),
            s.created_by.into(),
            s.now.into(),
            s.expires_at.into(),
        ],
    ))
    .one(conn)
    .await?
    .map(|r| r.id))
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct SurveyRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub owner_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub kind: String,
    pub channel: String,
    pub shipment_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub emailed_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub lang: Option<String>,
    pub csat: Option<i16>,
    pub nps: Option<i16>,
    pub p_timeliness: Option<i16>,
    pub e_timeliness: Option<i16>,
    pub p_cargo_safety: Option<i16>,
    pub e_cargo_safety: Option<i16>,
    pub p_accuracy: Option<i16>,
    pub e_accuracy: Option<i16>,
    pub p_attitude: Option<i16>,
    pub e_attitude: Option<i16>,
    pub p_price: Option<i16>,
    pub e_price: Option<i16>,
    pub comment: Option<String>,
    pub task_id: Option<i64>,
}

impl SurveyRow {
    /// (perception, expectation) per dimension, in `Dimension::ALL`'s order.
    pub fn dims(&self) -> [(Option<i16>, Option<i16>); 5] {
        [
            (self.p_timeliness, self.e_timeliness),
            (self.p_cargo_safety, self.e_cargo_safety),
            (self.p_accuracy, self.e_accuracy),
            (self.p_attitude, self.e_attitude),
            (self.p_price, self.e_price),
        ]
    }
}

const SELECT: &str =
    "SELECT v.id, v.customer_id, c.code AS customer_code, c.name AS customer_name, \
     c.owner_id, v.contact_id, k.name AS contact_name, v.kind, v.channel, v.shipment_id, \
     v.ticket_id, v.subject, v.created_at, v.expires_at, v.emailed_at, v.answered_at, v.lang, \
     v.csat, v.nps, v.p_timeliness, v.e_timeliness, v.p_cargo_safety, v.e_cargo_safety, \
     v.p_accuracy, v.e_accuracy, v.p_attitude, v.e_attitude, v.p_price, v.e_price, v.comment, \
     v.task_id FROM surveys v JOIN customers c ON c.id = v.customer_id \
     LEFT JOIN contacts k ON k.id = v.contact_id";

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<SurveyRow>> {
    Ok(SurveyRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{SELECT} WHERE v.id = ?"),
        vec![id.into()],
    ))
    .one(conn)
    .await?)
}

/// Stores an answer unless the survey was answered already or has expired; whether it
/// did.
pub async fn answer<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    a: &Answer,
    lang: &str,
    answer_day: i32,
    now: DateTime<Utc>,
) -> Result<bool> {
    let mut values: Vec<Value> = vec![
        now.into(),
        answer_day.into(),
        lang.into(),
        a.csat.into(),
        a.nps.into(),
    ];
    for d in a.dims {
        values.push(d.perception.into());
        values.push(d.expectation.into());
    }
    values.extend([a.comment.clone().into(), id.into(), now.into()]);
    Ok(conn
        .execute(stmt(
            conn.get_database_backend(),
            "UPDATE surveys SET answered_at = ?, answer_day = ?, lang = ?, csat = ?, nps = ?, \
             p_timeliness = ?, e_timeliness = ?, p_cargo_safety = ?, e_cargo_safety = ?, \
             p_accuracy = ?, e_accuracy = ?, p_attitude = ?, e_attitude = ?, p_price = ?, \
             e_price = ?, comment = ? WHERE id = ? AND answered_at IS NULL AND expires_at > ?",
            values,
        ))
        .await?
        .rows_affected()
        == 1)
}

pub async fn set_task<C: ConnectionTrait>(conn: &C, id: i64, task_id: i64) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE surveys SET task_id = ? WHERE id = ?",
        vec![task_id.into(), id.into()],
    ))
    .await?;
    Ok(())
}

pub async fn mark_emailed<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<()> {
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE surveys SET emailed_at = ? WHERE id = ?",
        vec![now.into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// A survey to e-mail: its id, its expiry and the contact's encrypted address.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Unsent {
    pub id: i64,
    pub subject: String,
    pub kind: String,
    pub expires_at: DateTime<Utc>,
    pub contact_name: Option<String>,
    pub email_enc: Option<String>,
}

/// Surveys to e-mail, not yet sent nor expired, oldest first.
pub async fn unsent<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Unsent>> {
    Ok(Unsent::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT v.id, v.subject, v.kind, v.expires_at, k.name AS contact_name, k.email_enc \
             FROM surveys v LEFT JOIN contacts k ON k.id = v.contact_id \
             WHERE v.channel = 'email' AND v.emailed_at IS NULL AND v.answered_at IS NULL \
             AND v.expires_at > ? ORDER BY v.created_at LIMIT {limit}"
        ),
        vec![now.into()],
    ))
    .all(conn)
    .await?)
}

/// A contact a survey may go to.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Contact {
    pub id: i64,
    pub customer_id: i64,
    pub has_email: bool,
    /// When this contact was last asked, if ever.
    pub last_asked: Option<DateTime<Utc>>,
}

/// The contacts a survey may go to, best first per customer: the primary one, else one
/// with an address, else the first; with when each was last asked.
const CONTACTS: &str = "SELECT k.id, k.customer_id, \
     (k.email_enc IS NOT NULL AND k.email_enc <> '') AS has_email, \
     (SELECT MAX(v.created_at) FROM surveys v WHERE v.contact_id = k.id) AS last_asked \
     FROM contacts k";
const BEST_FIRST: &str = "ORDER BY k.customer_id, k.is_primary DESC, has_email DESC, k.id";

/// Each customer's contact to ask (see [`CONTACTS`]).
pub async fn contacts_of<C: ConnectionTrait>(
    conn: &C,
    customer_ids: &[i64],
) -> Result<Vec<Contact>> {
    let mut out = Vec::new();
    for chunk in customer_ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let rows = Contact::find_by_statement(stmt(
            conn.get_database_backend(),
            &format!("{CONTACTS} WHERE k.customer_id IN ({marks}) {BEST_FIRST}"),
            chunk.iter().map(|i| (*i).into()).collect(),
        ))
        .all(conn)
        .await?;
        let mut seen = std::collections::HashSet::new();
        out.extend(rows.into_iter().filter(|r| seen.insert(r.customer_id)));
    }
    Ok(out)
}

/// One customer's contact to ask: `contact_id` if it is one of the customer's, else (None
/// given) the customer's best (see [`CONTACTS`]).
pub async fn contact_of<C: ConnectionTrait>(
    conn: &C,
    customer_id: i64,
    contact_id: Option<i64>,
) -> Result<Option<Contact>> {
    let mut values: Vec<Value> = vec![customer_id.into()];
    let which = match contact_id {
        Some(id) => {
            values.push(id.into());
            " AND k.id = ?"
        }
        None => "",
    };
    Ok(Contact::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{CONTACTS} WHERE k.customer_id = ?{which} {BEST_FIRST} LIMIT 1"),
        values,
    ))
    .one(conn)
    .await?)
}

/// A delivered shipment a survey may ask about.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Delivered {
    pub id: i64,
    pub customer_id: i64,
    pub waybill_no: String,
}

/// Shipments delivered in `[from, to)` that were ordered on or after local day
/// `ordered_from` (the order-day index bounds the read) and have no survey yet.
pub async fn delivered_between<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    ordered_from: i32,
) -> Result<Vec<Delivered>> {
    let backend = conn.get_database_backend();
    Ok(Delivered::find_by_statement(stmt(
        backend,
        "SELECT s.id, s.customer_id, s.waybill_no FROM shipments s \
         WHERE s.order_day >= ? AND s.delivered_at >= ? AND s.delivered_at < ? \
         AND NOT EXISTS (SELECT 1 FROM surveys v WHERE v.shipment_id = s.id) ORDER BY s.id",
        vec![
            ordered_from.into(),
            shipment_ts(backend, Some(from)),
            shipment_ts(backend, Some(to)),
        ],
    ))
    .all(conn)
    .await?)
}

/// Which surveys a list shows.
#[derive(Debug, Clone, Default)]
pub struct SurveyFilter {
    pub customer_id: Option<i64>,
    /// `open` (unanswered, not expired), `answered`, `expired`, `low` (answered low).
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Local days made (answered, for the answered, low and commented), half-open.
    pub from_day: Option<i32>,
    pub to_day: Option<i32>,
    pub page: u64,
    pub per_page: u64,
}

/// Surveys within `vis`, newest first, and how many match.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    f: &SurveyFilter,
    now: DateTime<Utc>,
) -> Result<(Vec<SurveyRow>, u64)> {
    let (scope, mut values) = vis.owner_condition("c.owner_id");
    let mut w = vec![scope];
    if let Some(id) = f.customer_id {
        w.push("v.customer_id = ?".into());
        values.push(id.into());
    }
    match f.status.as_deref() {
        Some("open") => {
            w.push("v.answered_at IS NULL AND v.expires_at > ?".into());
            values.push(now.into());
        }
        Some("expired") => {
            w.push("v.answered_at IS NULL AND v.expires_at <= ?".into());
            values.push(now.into());
        }
        Some("answered") => w.push("v.answered_at IS NOT NULL".into()),
        Some("low") => w.push("v.answered_at IS NOT NULL AND (v.csat <= 2 OR v.nps <= 6)".into()),
        Some("commented") => w.push("v.answered_at IS NOT NULL AND v.comment IS NOT NULL".into()),
        _ => {}
    }
    if let Some(k) = &f.kind {
        w.push("v.kind = ?".into());
        values.push(k.clone().into());
    }
    // Answers are dated by the day given, the rest by the day made.
    let day = match f.status.as_deref() {
        Some("answered" | "low" | "commented") => "v.answer_day",
        _ => "v.day",
    };
    if let Some(d) = f.from_day {
        w.push(format!("{day} >= ?"));
        values.push(d.into());
    }
    if let Some(d) = f.to_day {
        w.push(format!("{day} < ?"));
        values.push(d.into());
    }
    crate::paged::page(
        conn,
        SELECT,
        &w.join(" AND "),
        "v.created_at DESC, v.id DESC",
        values,
        f.page,
        f.per_page,
    )
    .await
}

/// Surveys made and answered per local month made (YYYYMM), within `vis`, over local
/// days `[from_day, to_day)`: the response rate's figures.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Responses {
    pub month: i32,
    pub made: i64,
    pub answered: i64,
}

pub async fn responses<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    from_day: i32,
    to_day: i32,
) -> Result<Vec<Responses>> {
    let (scope, scope_values) = vis.owner_condition("c.owner_id");
    let mut values: Vec<Value> = vec![from_day.into(), to_day.into()];
    values.extend(scope_values);
    Ok(Responses::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT CAST(v.day / 100 AS INTEGER) AS month, CAST(COUNT(*) AS BIGINT) AS made, \
             CAST(COUNT(v.answered_at) AS BIGINT) AS answered \
             FROM surveys v JOIN customers c ON c.id = v.customer_id \
             WHERE v.day >= ? AND v.day < ? AND {scope} GROUP BY v.day / 100 ORDER BY 1"
        ),
        values,
    ))
    .all(conn)
    .await?)
}

/// Each dimension's score sums over the answers given in local days `[from_day, to_day)`
/// within `vis` (or of customer `one`), in `Dimension::ALL`'s order.
pub async fn gaps<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    one: Option<i64>,
    from_day: i32,
    to_day: i32,
) -> Result<[GapSums; 5]> {
    let dims = [
        "timeliness",
        "cargo_safety",
        "accuracy",
        "attitude",
        "price",
    ];
    let cols = dims
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "CAST(COUNT(v.p_{d}) AS BIGINT) AS n{i}, CAST(SUM(v.p_{d}) AS BIGINT) AS p{i}, \
                 CAST(COUNT(v.e_{d}) AS BIGINT) AS m{i}, CAST(SUM(v.e_{d}) AS BIGINT) AS e{i}, \
                 CAST(COUNT(v.p_{d} - v.e_{d}) AS BIGINT) AS k{i}, \
                 CAST(SUM(v.p_{d} - v.e_{d}) AS BIGINT) AS g{i}"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let (mut scope, scope_values) = vis.owner_condition("c.owner_id");
    let mut values: Vec<Value> = vec![from_day.into(), to_day.into()];
    values.extend(scope_values);
    if let Some(id) = one {
        scope += " AND v.customer_id = ?";
        values.push(id.into());
    }
    let row = conn
        .query_one(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT {cols} FROM surveys v JOIN customers c ON c.id = v.customer_id \
                 WHERE v.answer_day >= ? AND v.answer_day < ? AND {scope}"
            ),
            values,
        ))
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut out = [GapSums::default(); 5];
    for (i, o) in out.iter_mut().enumerate() {
        let get = |p: &str| -> Result<i64> {
            Ok(row
                .try_get::<Option<i64>>("", &format!("{p}{i}"))?
                .unwrap_or(0))
        };
        *o = GapSums {
            perceived: get("n")?,
            perception_sum: get("p")?,
            expected: get("m")?,
            expectation_sum: get("e")?,
            paired: get("k")?,
            gap_sum: get("g")?,
        };
    }
    Ok(out)
}
