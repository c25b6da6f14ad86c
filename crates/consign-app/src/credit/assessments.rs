//! Credit assessments (5C, 5P, 6A) and financial statements with their ratios: entered
//! by credit staff, read by whoever sees the customer's credit. An assessment's rating
//! becomes the account's rating; each is kept with its date, author and notes.

use super::may_see;
use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::scope::visible_customer;
use crate::{App, AppError, Result};
use chrono::{DateTime, Datelike, Utc};
use consign_domain::credit::assessment::{assess, AssessmentPolicy, Method};
use consign_domain::credit::ratios::{ratios, Ratio, Statement};
use consign_domain::customer::CustomerId;
use consign_domain::ops::Fen;
use consign_domain::FieldErrors;
use consign_store::credit as repo;
use serde::{Deserialize, Serialize};

/// Where the assessment policy is kept.
pub const ASSESSMENT_POLICY_KEY: &str = "credit_assessment_policy";

pub async fn assessment_policy(app: &App, actor: &Actor) -> Result<AssessmentPolicy> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden);
    }
    crate::policies::load(app, ASSESSMENT_POLICY_KEY).await
}

pub async fn set_assessment_policy(
    app: &App,
    actor: &Actor,
    p: &AssessmentPolicy,
) -> Result<AssessmentPolicy> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    let bad = p.validate();
    if !bad.is_empty() {
        let mut e = FieldErrors::default();
        for f in bad {
            e.add(f, "err.credit_policy");
        }
        return Err(AppError::Validation(e));
    }
    let before: AssessmentPolicy = crate::policies::load(app, ASSESSMENT_POLICY_KEY).await?;
    crate::policies::store(app, actor, ASSESSMENT_POLICY_KEY, &before, p).await?;
    Ok(p.clone())
}

/// An assessment as given: the checklist and one score (1–5) per factor, in the
/// checklist's order.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AssessmentInput {
    /// `five_c` (default), `five_p` or `six_a`.
    pub method: Option<String>,
    /// 5C: character, capacity, capital, collateral, conditions; 5P: personal, purpose,
    /// payment, protection, perspective; 6A: economic, technical, managerial,
    /// organizational, commercial, financial.
    pub scores: Vec<i64>,
    pub notes: Option<String>,
}

/// An assessment as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CreditAssessment)]
pub struct AssessmentView {
    pub id: String,
    pub customer_id: String,
    pub method: Method,
    /// (factor, score), in the checklist's order.
    pub factors: Vec<(String, i64)>,
    /// Out of 100.
    pub score: f64,
    pub rating: String,
    pub suggested_limit_fen: Fen,
    /// The revenue of the twelve months before, which the suggestion is based on.
    pub revenue_12m_fen: Fen,
    pub notes: String,
    pub assessed_by: Option<String>,
    pub assessed_at: DateTime<Utc>,
}

fn view(r: repo::AssessmentRow) -> AssessmentView {
    let method = Method::parse(&r.method).unwrap_or_default();
    let scores: Vec<i64> = serde_json::from_str(&r.scores).unwrap_or_default();
    AssessmentView {
        id: r.id.to_string(),
        customer_id: r.customer_id.to_string(),
        factors: method
            .factors()
            .iter()
            .zip(scores)
            .map(|(f, s)| (f.to_string(), s))
            .collect(),
        method,
        score: r.score,
        rating: r.rating,
        suggested_limit_fen: Fen(r.suggested_limit_fen),
        revenue_12m_fen: Fen(r.revenue_12m_fen),
        notes: r.notes,
        assessed_by: r.created_by_name,
        assessed_at: r.created_at,
    }
}

/// Assesses a customer (credit staff): its score, rating and suggested limit are kept;
/// the rating becomes its account's (when it has one), audited.
pub async fn add_assessment(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    input: &AssessmentInput,
) -> Result<AssessmentView> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    visible_customer(app, actor, customer_id).await?;
    let mut e = FieldErrors::default();
    let method = match input.method.as_deref().filter(|m| !m.trim().is_empty()) {
        None => Method::FiveC,
        Some(m) => Method::parse(m).unwrap_or_else(|| {
            e.add("method", "err.credit_method");
            Method::FiveC
        }),
    };
    let notes = input.notes.as_deref().unwrap_or("").trim().to_string();
    if notes.chars().count() > 2000 {
        e.add("notes", "err.too_long");
    }
    if !e.is_empty() {
        return Err(AppError::Validation(e));
    }
    let id = customer_id.get();
    let today = app.today();
    let first = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(11)))
        .unwrap_or(today);
    let revenue =
        repo::revenue_since(&app.db.conn, id, first.year() * 100 + first.month() as i32).await?;
    let policy: AssessmentPolicy = crate::policies::load(app, ASSESSMENT_POLICY_KEY).await?;
    let out = assess(method, &input.scores, &policy, Fen(revenue)).map_err(|bad| {
        let mut e = FieldErrors::default();
        for f in bad {
            e.add(format!("scores.{f}"), "err.credit_score");
        }
        AppError::Validation(e)
    })?;
    let now = Utc::now();
    let scores = serde_json::to_string(&input.scores).map_err(AppError::from_err)?;
    let txn = app.db.begin_write().await?;
    let aid = repo::add_assessment(
        &txn,
        &repo::NewAssessment {
            customer_id: id,
            method: method.as_str(),
            scores: &scores,
            score: out.score,
            rating: &out.rating,
            suggested_limit_fen: out.suggested_limit_fen.get(),
            revenue_12m_fen: revenue,
            notes: &notes,
            created_by: actor.id,
            now,
        },
    )
    .await?;
    repo::set_rating(&txn, id, &out.rating).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "credit.assess",
            entity_type: "customer",
            entity_id: id.to_string(),
            customer_id: Some(id),
            summary: Some(format!(
                "{} {:.1} → {} · ¥{}",
                method.as_str(),
                out.score,
                out.rating,
                out.suggested_limit_fen.yuan()
            )),
            said: None,
            before: None,
            after: serde_json::to_value(&out).ok(),
        },
    )
    .await?;
    txn.commit().await?;
    repo::assessments_of(&app.db.conn, id)
        .await?
        .into_iter()
        .find(|r| r.id == aid)
        .map(view)
        .ok_or(AppError::NotFound)
}

/// A customer's assessments, latest first.
pub async fn assessments(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
) -> Result<Vec<AssessmentView>> {
    may_see(actor)?;
    visible_customer(app, actor, customer_id).await?;
    Ok(repo::assessments_of(&app.db.conn, customer_id.get())
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// A statement as given: its period and items.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementInput {
    /// `2025` (a year), `2025-H1`, `2025-Q3` or `2025-09`.
    pub period: String,
    /// The balance-sheet and income items, in fen.
    pub items: Statement,
}

/// A period's statement with its ratios.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CreditStatement)]
pub struct StatementView {
    pub period: String,
    pub items: Statement,
    pub ratios: Vec<Ratio>,
    pub updated_at: DateTime<Utc>,
}

/// A period as statements name it, or None.
pub fn statement_period(s: &str) -> Option<String> {
    let t = s.trim().to_uppercase();
    // Not split inside a character: a period that does not start with four ASCII digits
    // is simply not one.
    let (y, rest) = t.split_at_checked(t.len().min(4))?;
    let year: i32 = y.parse().ok()?;
    if !(1990..=2999).contains(&year) {
        return None;
    }
    let ok = match rest {
        "" => true,
        "-H1" | "-H2" | "-Q1" | "-Q2" | "-Q3" | "-Q4" => true,
        r => r
            .strip_prefix('-')
            .and_then(|m| m.parse::<u32>().ok())
            .is_some_and(|m| (1..=12).contains(&m) && r.len() == 3),
    };
    ok.then_some(t)
}

/// Stores a customer's statement of a period (credit staff; replacing the period's),
/// audited; returns every period's ratios.
pub async fn put_statement(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    input: &StatementInput,
) -> Result<Vec<StatementView>> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    visible_customer(app, actor, customer_id).await?;
    let mut e = FieldErrors::default();
    let period = statement_period(&input.period);
    if period.is_none() {
        e.add("period", "err.statement_period");
    }
    for (f, k) in input.items.check() {
        e.add(f, k);
    }
    let Some(period) = period.filter(|_| e.is_empty()) else {
        return Err(AppError::Validation(e));
    };
    let items = serde_json::to_string(&input.items).map_err(AppError::from_err)?;
    let id = customer_id.get();
    let txn = app.db.begin_write().await?;
    let new = repo::put_statement(&txn, id, &period, &items, actor.id, Utc::now()).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: if new {
                "credit.statement_add"
            } else {
                "credit.statement_update"
            },
            entity_type: "customer",
            entity_id: id.to_string(),
            customer_id: Some(id),
            summary: Some(period.clone()),
            said: None,
            before: None,
            after: serde_json::to_value(&input.items).ok(),
        },
    )
    .await?;
    txn.commit().await?;
    statements(app, actor, customer_id).await
}

/// A customer's statements with their ratios, oldest period first (each period's
/// opening figures, when not given, are the previous statement's closing ones).
pub async fn statements(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
) -> Result<Vec<StatementView>> {
    may_see(actor)?;
    visible_customer(app, actor, customer_id).await?;
    let rows = repo::statements_of(&app.db.conn, customer_id.get()).await?;
    let mut out: Vec<StatementView> = Vec::with_capacity(rows.len());
    for r in rows {
        let items: Statement =
            serde_json::from_str(&r.items).map_err(|e| AppError::caused("stored statement", e))?;
        let ratios = ratios(&items, out.last().map(|p| &p.items));
        out.push(StatementView {
            period: r.period,
            items,
            ratios,
            updated_at: r.updated_at,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::statement_period;

    #[test]
    fn periods() {
        assert_eq!(statement_period("2025").as_deref(), Some("2025"));
        assert_eq!(statement_period("2025-h1").as_deref(), Some("2025-H1"));
        assert_eq!(statement_period("2025-09").as_deref(), Some("2025-09"));
        assert_eq!(statement_period("2025-13"), None);
        assert_eq!(statement_period("25"), None);
        assert_eq!(statement_period("2025年"), None);
        // A multi-byte character across the fourth byte (found by schemathesis).
        assert_eq!(statement_period("l\u{7cecf}\u{1028e3}"), None);
        assert_eq!(statement_period("年度2025"), None);
    }
}

/// What importing a statement file did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatementImport {
    pub period: String,
    /// The items read, the fields no row gave, the unit.
    pub file: super::statement_file::StatementFile,
    /// Every period's statement and ratios, with this one.
    pub statements: Vec<StatementView>,
}

/// Reads a statement file (see [`super::statement_file`]) and stores it as the
/// customer's statement of `period` (credit staff). A cell that cannot be read refuses
/// the file, naming it (`B7`) — nothing is stored.
pub async fn import_statement(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    period: &str,
    bytes: &[u8],
) -> Result<StatementImport> {
    if !actor.role.can_set_credit() {
        return Err(AppError::Forbidden);
    }
    visible_customer(app, actor, customer_id).await?;
    let file = super::statement_file::read(bytes).map_err(|f| AppError::field("file", f.key))?;
    if !file.errors.is_empty() {
        let mut e = FieldErrors::default();
        for c in file.errors.iter().take(50) {
            let key: &'static str = match c.reason.as_str() {
                "err.money_format" => "err.money_format",
                _ => "err.statement_cell",
            };
            e.add(format!("{}{}", c.column, c.row), key);
        }
        return Err(AppError::Validation(e));
    }
    let input = StatementInput {
        period: period.to_string(),
        items: file.items.clone(),
    };
    let statements = put_statement(app, actor, customer_id, &input).await?;
    Ok(StatementImport {
        period: statement_period(period).unwrap_or_default(),
        file,
        statements,
    })
}
