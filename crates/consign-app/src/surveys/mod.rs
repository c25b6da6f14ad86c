//! Satisfaction surveys (SPEC §6): made after sampled deliveries and closed tickets (see
//! [`sweep`]) or by hand, answered through a signed link without signing in (see
//! [`public`]), and read back by staff: the list, the response rate, CSAT and NPS by
//! month, each dimension's SERVQUAL gap, and what customers wrote.

pub mod public;
pub mod sweep;

use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::scope::{visibility, visible_customer};
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use consign_domain::classify::day_num;
use consign_domain::customer::CustomerId;
use consign_domain::surveys::{Dimension, Gap, SurveyPolicy, SurveyStatus, SurveyTrigger};
use consign_domain::validate::optional_day;
use consign_domain::FieldErrors;
use consign_store::surveys::{self as repo, NewSurvey, SurveyFilter, SurveyRow};
use serde::{Deserialize, Serialize};

/// Settings key of the survey policy (JSON); absent: the defaults.
pub const POLICY_SURVEY: &str = "policy.survey";

pub(crate) async fn policy_in_force(app: &App) -> Result<SurveyPolicy> {
    crate::policies::load(app, POLICY_SURVEY).await
}

/// The survey policy, for staff.
pub async fn policy(app: &App, actor: &Actor) -> Result<SurveyPolicy> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    policy_in_force(app).await
}

/// Stores a survey policy (admins), audited.
pub async fn set_policy(app: &App, actor: &Actor, p: &SurveyPolicy) -> Result<SurveyPolicy> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let mut e = FieldErrors::new();
    for f in p.validate() {
        e.add(f, "err.survey_policy");
    }
    e.into_result()?;
    let before = policy_in_force(app).await?;
    crate::policies::store(app, actor, POLICY_SURVEY, &before, p).await?;
    Ok(p.clone())
}

// ---- links ----

fn signed_message(id: i64, created_at: DateTime<Utc>) -> String {
    format!("survey/{id}/{}", created_at.timestamp())
}

/// A survey's token: its id and the signature of its id and creation time.
pub(crate) fn token(app: &App, id: i64, created_at: DateTime<Utc>) -> String {
    format!("{id}.{}", app.vault.sign(&signed_message(id, created_at)))
}

/// The address a respondent opens.
pub fn link(app: &App, token: &str) -> String {
    let base = app
        .settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", app.settings.listen));
    format!("{}/s/{token}", base.trim_end_matches('/'))
}

/// The survey a token names, if its signature holds; None for anything else (a made-up,
/// altered or truncated token looks like one that never existed).
pub(crate) async fn by_token(app: &App, token: &str) -> Result<Option<SurveyRow>> {
    let Some((id, sig)) = token.split_once('.') else {
        return Ok(None);
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let Some(row) = repo::get(&app.db.conn, id).await? else {
        return Ok(None);
    };
    Ok(app
        .vault
        .verify(&signed_message(row.id, row.created_at), sig)
        .then_some(row))
}

// ---- views ----

fn status_of(r: &SurveyRow, now: DateTime<Utc>) -> SurveyStatus {
    if r.answered_at.is_some() {
        SurveyStatus::Answered
    } else if r.expires_at <= now {
        SurveyStatus::Expired
    } else {
        SurveyStatus::Open
    }
}

/// One dimension's scores in an answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DimensionScore {
    pub dimension: Dimension,
    pub perception: Option<i16>,
    pub expectation: Option<i16>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Survey)]
pub struct SurveyView {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    #[schema(value_type = String)]
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub customer_name: String,
    pub contact_name: Option<String>,
    pub kind: SurveyTrigger,
    /// `email`: e-mailed to the contact; `link`: to be sent by hand.
    pub channel: String,
    /// The waybill or ticket number asked about.
    pub subject: String,
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
    pub ticket_id: Option<i64>,
    pub status: SurveyStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub emailed_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub csat: Option<i16>,
    pub nps: Option<i16>,
    pub dimensions: Vec<DimensionScore>,
    pub comment: Option<String>,
    /// CSAT ≤ 2 or NPS ≤ 6.
    pub low: bool,
    /// The follow-up task a low score opened.
    #[serde(serialize_with = "crate::ser::opt_id")]
    #[schema(value_type = Option<String>)]
    pub task_id: Option<i64>,
    /// The link to send, while the survey is open, for those who may send it.
    pub link: Option<String>,
}

impl SurveyView {
    /// The message key of how it is sent.
    pub fn channel_key(&self) -> String {
        format!("survey.channel.{}", self.channel)
    }
}

fn view(app: &App, r: SurveyRow, now: DateTime<Utc>, with_link: bool) -> Result<SurveyView> {
    let status = status_of(&r, now);
    let link = (with_link && status == SurveyStatus::Open)
        .then(|| link(app, &token(app, r.id, r.created_at)));
    let dimensions = Dimension::ALL
        .iter()
        .zip(r.dims())
        .filter(|(_, (p, e))| p.is_some() || e.is_some())
        .map(|(d, (p, e))| DimensionScore {
            dimension: *d,
            perception: p,
            expectation: e,
        })
        .collect();
    Ok(SurveyView {
        id: r.id,
        customer_id: CustomerId::trusted(r.customer_id),
        customer_code: r.customer_code,
        customer_name: r.customer_name,
        contact_name: r.contact_name,
        kind: AppError::stored("surveys.kind", &r.kind, SurveyTrigger::parse(&r.kind))?,
        channel: r.channel,
        subject: r.subject,
        ticket_id: r.ticket_id,
        status,
        created_at: r.created_at,
        expires_at: r.expires_at,
        emailed_at: r.emailed_at,
        answered_at: r.answered_at,
        low: r.csat.is_some_and(|c| c <= 2) || r.nps.is_some_and(|n| n <= 6),
        csat: r.csat,
        nps: r.nps,
        dimensions,
        comment: r.comment,
        task_id: r.task_id,
        link,
    })
}

/// Which surveys to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurveyQuery {
    /// open, answered, expired or low (answered with CSAT ≤ 2 or NPS ≤ 6).
    pub status: Option<String>,
    /// delivery, ticket or manual.
    pub kind: Option<String>,
    /// Made on or after this local day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Made before this local day (YYYY-MM-DD).
    pub to: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// A page of surveys.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyPage {
    pub items: Vec<SurveyView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl SurveyPage {
    pub fn pages(&self) -> u64 {
        consign_domain::params::pages(self.total, self.per_page)
    }
}

/// Surveys within the actor's scope (or of one customer it may see), newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    customer: Option<CustomerId>,
    q: &SurveyQuery,
) -> Result<SurveyPage> {
    let vis = visibility(app, actor).await?;
    let customer_id = match customer {
        Some(id) => Some(visible_customer(app, actor, id).await?.id),
        None => None,
    };
    let mut e = FieldErrors::new();
    let status = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if status.is_some_and(|s| !["open", "answered", "expired", "low"].contains(&s)) {
        e.add("status", "err.invalid_choice");
    }
    let kind = q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if kind.is_some_and(|k| SurveyTrigger::parse(k).is_none()) {
        e.add("kind", "err.invalid_choice");
    }
    let day = |s: &Option<String>| optional_day(s.as_deref().unwrap_or(""));
    let from_day = e.check("from", day(&q.from)).flatten().map(day_num);
    let to_day = e.check("to", day(&q.to)).flatten().map(day_num);
    e.into_result()?;
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).max(1);
    let now = Utc::now();
    let (rows, total) = repo::list(
        &app.db.conn,
        &vis,
        &SurveyFilter {
            customer_id,
            status: status.map(str::to_string),
            kind: kind.map(str::to_string),
            from_day,
            to_day,
            page,
            per_page,
        },
        now,
    )
    .await?;
    let with_link = actor.role.handles_tickets();
    Ok(SurveyPage {
        items: rows
            .into_iter()
            .map(|r| view(app, r, now, with_link))
            .collect::<Result<_>>()?,
        total,
        page,
        per_page,
    })
}

/// A survey someone makes by hand for a customer's contact (to send its link over
/// WeChat, or to ask again).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyInput {
    /// A contact of the customer (its id); empty: the customer's primary contact.
    #[serde(default)]
    pub contact_id: String,
}

/// Makes a survey for one of a customer's contacts; its link is in the answer.
pub async fn create(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    input: &SurveyInput,
) -> Result<SurveyView> {
    if !actor.role.handles_tickets() {
        return Err(AppError::Forbidden);
    }
    let c = visible_customer(app, actor, customer_id).await?;
    let conn = &app.db.conn;
    let contact = match input.contact_id.trim() {
        "" => repo::contact_of(conn, c.id, None).await?,
        id => match id.parse::<i64>() {
            Ok(id) => Some(
                repo::contact_of(conn, c.id, Some(id))
                    .await?
                    .ok_or_else(|| AppError::field("contact_id", "err.invalid_choice"))?,
            ),
            Err(_) => return Err(AppError::field("contact_id", "err.invalid_choice")),
        },
    };
    let p = policy_in_force(app).await?;
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let id = make(
        app,
        &txn,
        Made {
            customer_id: c.id,
            contact: contact.as_ref(),
            kind: SurveyTrigger::Manual,
            shipment_id: None,
            ticket_id: None,
            subject: "",
            created_by: actor.id,
        },
        &p,
        actor,
        now,
    )
    .await?
    .ok_or_else(|| AppError::internal("manual survey not made"))?;
    txn.commit().await?;
    let r = repo::get(conn, id).await?.ok_or(AppError::NotFound)?;
    view(app, r, now, true)
}

/// What a survey is made for.
pub(crate) struct Made<'a> {
    pub customer_id: i64,
    pub contact: Option<&'a repo::Contact>,
    pub kind: SurveyTrigger,
    pub shipment_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub subject: &'a str,
    pub created_by: Option<i64>,
}

/// Makes a survey in `conn`'s transaction, audited; None when its shipment or ticket has
/// one already.
pub(crate) async fn make<C: consign_store::ConnectionTrait>(
    app: &App,
    conn: &C,
    m: Made<'_>,
    p: &SurveyPolicy,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let channel = if m.contact.is_some_and(|k| k.has_email) {
        "email"
    } else {
        "link"
    };
    let id = repo::add(
        conn,
        &NewSurvey {
            customer_id: m.customer_id,
            contact_id: m.contact.map(|k| k.id),
            kind: m.kind.as_str(),
            channel,
            shipment_id: m.shipment_id,
            ticket_id: m.ticket_id,
            subject: m.subject,
            created_by: m.created_by,
            day: day_num(now.with_timezone(&app.tz()).date_naive()),
            now,
            expires_at: now + Duration::days(p.valid_days),
        },
    )
    .await?;
    if let Some(id) = id {
        audit::record(
            conn,
            actor,
            Entry {
                action: "survey.create",
                entity_type: "survey",
                entity_id: id.to_string(),
                customer_id: Some(m.customer_id),
                summary: (!m.subject.is_empty()).then(|| m.subject.to_string()),
                said: None,
                before: None,
                after: Some(serde_json::json!({
                    "kind": m.kind.as_str(), "channel": channel, "contact_id": m.contact.map(|k| k.id),
                })),
            },
        )
        .await?;
    }
    Ok(id)
}

// ---- what the answers say ----

/// One month's surveys: made, answered, and the answers' CSAT and NPS.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyMonth {
    /// YYYY-MM.
    pub month: String,
    /// Surveys made in the month, and of those answered (at any time).
    pub made: i64,
    pub answered: i64,
    pub response_rate: Option<f64>,
    /// Answers given in the month.
    pub answers: i64,
    pub csat: Option<f64>,
    pub nps: Option<f64>,
}

/// The survey page's figures over a window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub made: i64,
    pub answered: i64,
    pub response_rate: Option<f64>,
    pub answers: i64,
    pub csat: Option<f64>,
    pub nps: Option<f64>,
    pub months: Vec<SurveyMonth>,
    /// Perception, expectation and gap per dimension, over the window's answers.
    pub gaps: Vec<Gap>,
    /// The latest answers with a comment (at most 30).
    pub verbatims: Vec<SurveyView>,
}

/// Response rate, CSAT and NPS by month, SERVQUAL gaps and verbatims within the actor's
/// scope over local days `[from, to)` (default: the last twelve whole months and this
/// one).
pub async fn stats(app: &App, actor: &Actor, q: &crate::kpis::KpiQuery) -> Result<SurveyStats> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    let vis = visibility(app, actor).await?;
    let mut q = q.clone();
    if q.from.as_deref().is_none_or(|s| s.trim().is_empty()) {
        q.from = crate::kpis::month_start(app.today(), 11).map(|d| d.to_string());
    }
    let (from, to, w) = crate::kpis::window(app, &q)?;
    let conn = &app.db.conn;
    let by_month =
        consign_store::kpis::sums_by(conn, &vis, None, consign_store::kpis::Grouping::Month, &w)
            .await?;
    let responses = repo::responses(conn, &vis, w.from_day, w.to_day).await?;
    let mut months: std::collections::BTreeMap<i32, SurveyMonth> = Default::default();
    let label = |m: i32| format!("{:04}-{:02}", m / 100, m % 100);
    for r in &responses {
        let e = months
            .entry(r.month)
            .or_insert_with(|| empty_month(label(r.month)));
        e.made = r.made;
        e.answered = r.answered;
        e.response_rate = (r.made > 0).then(|| r.answered as f64 / r.made as f64);
    }
    let mut total = consign_domain::surveys::SurveySums::default();
    for (g, s) in &by_month {
        let Some(m) = g.as_deref().and_then(|g| g.parse::<i32>().ok()) else {
            continue;
        };
        if s.sums.surveys.answers == 0 {
            continue;
        }
        total.add(&s.sums.surveys);
        let e = months.entry(m).or_insert_with(|| empty_month(label(m)));
        e.answers = s.sums.surveys.answers;
        e.csat = s.sums.surveys.csat();
        e.nps = s.sums.surveys.nps();
    }
    let made: i64 = responses.iter().map(|r| r.made).sum();
    let answered: i64 = responses.iter().map(|r| r.answered).sum();
    let gaps = repo::gaps(conn, &vis, None, w.from_day, w.to_day).await?;
    let now = Utc::now();
    let (rows, _) = repo::list(
        conn,
        &vis,
        &SurveyFilter {
            status: Some("commented".into()),
            from_day: Some(w.from_day),
            to_day: Some(w.to_day),
            page: 1,
            per_page: 30,
            ..Default::default()
        },
        now,
    )
    .await?;
    let verbatims = rows
        .into_iter()
        .map(|r| view(app, r, now, false))
        .collect::<Result<_>>()?;
    Ok(SurveyStats {
        from,
        to,
        made,
        answered,
        response_rate: (made > 0).then(|| answered as f64 / made as f64),
        answers: total.answers,
        csat: total.csat(),
        nps: total.nps(),
        months: months.into_values().collect(),
        gaps: Dimension::ALL
            .iter()
            .zip(gaps)
            .map(|(d, g)| g.gap(*d))
            .collect(),
        verbatims,
    })
}

fn empty_month(month: String) -> SurveyMonth {
    SurveyMonth {
        month,
        made: 0,
        answered: 0,
        response_rate: None,
        answers: 0,
        csat: None,
        nps: None,
    }
}
