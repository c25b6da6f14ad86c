//! Customer classification (SPEC §3) as use cases: the policy and its versions, a
//! recompute as of a day (from the rollups), the verdicts with their explanations, and a
//! customer's history of classes.

use crate::auth::Actor;
use crate::{audit, App, AppError, Result};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use consign_domain::classify::{self, day_date, day_num, Grade, Lifecycle, Policy, RfmSegment};
use consign_domain::ops::format_fen;
use consign_domain::{FieldErrors, Lang};
use consign_store::classification::{self as repo, RunRow, VerdictRow};
use serde::Serialize;
use std::time::Instant;

/// A stored version of the policy.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyVersion {
    pub version: i64,
    pub policy: Policy,
    pub note: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
}

fn version_of(row: repo::PolicyRow) -> Result<PolicyVersion> {
    let policy: Policy = serde_json::from_str(&row.policy)
        .map_err(|e| AppError::caused(format!("stored policy {}", row.version), e))?;
    Ok(PolicyVersion {
        version: row.version,
        policy,
        note: row.note,
        created_by_name: row.created_by_name,
        created_at: row.created_at,
    })
}

/// The policy in force: the latest version (the defaults of SPEC §3 are stored as version
/// 1 the first time one is needed).
pub async fn current_policy(app: &App) -> Result<PolicyVersion> {
    if let Some(row) = repo::latest_policy(&app.db.conn).await? {
        return version_of(row);
    }
    let txn = app.db.begin_write().await?;
    // Another writer may have stored it meanwhile.
    if repo::latest_policy(&txn).await?.is_none() {
        let json = serde_json::to_string(&Policy::default()).map_err(AppError::from_err)?;
        repo::insert_policy(
            &txn,
            &json,
            "默认策略 / defaults (SPEC §3)",
            None,
            "系统 / system",
            Utc::now(),
        )
        .await?;
    }
    txn.commit().await?;
    let row = repo::latest_policy(&app.db.conn)
        .await?
        .ok_or_else(|| AppError::internal("no classification policy"))?;
    version_of(row)
}

pub async fn policy_version(app: &App, version: i64) -> Result<PolicyVersion> {
    version_of(
        repo::policy_version(&app.db.conn, version)
            .await?
            .ok_or(AppError::NotFound)?,
    )
}

pub async fn policy_versions(app: &App) -> Result<Vec<PolicyVersion>> {
    current_policy(app).await?;
    repo::policy_versions(&app.db.conn)
        .await?
        .into_iter()
        .map(version_of)
        .collect()
}

/// Stores a new version of the policy (admins only); unchanged policies store nothing.
/// Returns the version in force afterwards.
pub async fn save_policy(app: &App, actor: &Actor, policy: Policy, note: &str) -> Result<i64> {
    if !actor.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    if let Err(errs) = policy.validate() {
        let mut fe = FieldErrors::new();
        for e in errs {
            fe.add(e.field, e.key);
        }
        return Err(AppError::Validation(fe));
    }
    store_version(app, actor.id, &actor.display(), actor, policy, note).await
}

async fn store_version(
    app: &App,
    user: Option<i64>,
    name: &str,
    actor: &Actor,
    policy: Policy,
    note: &str,
) -> Result<i64> {
    let current = current_policy(app).await?;
    if current.policy == policy {
        return Ok(current.version);
    }
    let json = serde_json::to_string(&policy).map_err(AppError::from_err)?;
    let txn = app.db.begin_write().await?;
    let v = repo::insert_policy(&txn, &json, note.trim(), user, name, Utc::now()).await?;
    audit::record(
        &txn,
        actor,
        audit::Entry {
            action: "classification.policy",
            entity_type: "classification_policy",
            entity_id: v.to_string(),
            customer_id: None,
            summary: Some(format!("v{} → v{v} {}", current.version, note.trim())),
            before: serde_json::to_value(&current.policy).ok(),
            after: serde_json::to_value(&policy).ok(),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(v)
}

/// At start-up: a `[classification]` policy in the configuration that differs from the
/// stored one becomes a new version.
pub async fn sync_configured_policy(app: &App) -> Result<()> {
    let Some(p) = app.settings.classification.clone() else {
        return Ok(());
    };
    if let Err(errs) = p.validate() {
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        return Err(AppError::Config(format!(
            "[classification]: invalid {}",
            fields.join(", ")
        )));
    }
    let actor = Actor::system("configuration");
    store_version(
        app,
        None,
        "配置文件 / configuration",
        &actor,
        p,
        "配置文件 / configuration file",
    )
    .await?;
    Ok(())
}

/// Today in the company's time zone.
pub fn today(app: &App) -> NaiveDate {
    Utc::now().with_timezone(&app.tz()).date_naive()
}

#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub policy_version: i64,
    pub customers: i64,
    pub a: i64,
    pub b: i64,
    pub c: i64,
    pub at_risk: i64,
    pub seconds: f64,
}

impl RunSummary {
    pub fn text(&self, lang: Lang) -> String {
        lang.tf(
            "classify.summary",
            &[
                &self.as_of,
                &self.customers,
                &self.a,
                &self.b,
                &self.c,
                &self.at_risk,
                &self.policy_version,
                &format!("{:.2}", self.seconds),
            ],
        )
    }
}

/// Recompute for an actor (admins and managers).
pub async fn recompute_by(
    app: &App,
    actor: &Actor,
    as_of: Option<NaiveDate>,
) -> Result<RunSummary> {
    if !actor.role.can_classify() {
        return Err(AppError::Forbidden);
    }
    run(app, actor, as_of, "manual").await
}

/// Classifies every customer in use as of `as_of` (default today) under the policy in
/// force, and stores the run. `cause`: manual, import, nightly.
pub async fn recompute(app: &App, as_of: Option<NaiveDate>, cause: &str) -> Result<RunSummary> {
    run(app, &Actor::system(cause), as_of, cause).await
}

/// A recompute, on behalf of `actor` (the audit row names who asked).
async fn run(
    app: &App,
    actor: &Actor,
    as_of: Option<NaiveDate>,
    cause: &str,
) -> Result<RunSummary> {
    let started = Instant::now();
    let started_at = Utc::now();
    let as_of = as_of.unwrap_or_else(|| today(app));
    let pv = current_policy(app).await?;
    let w = pv.policy.windows(as_of);
    let conn = &app.db.conn;
    let (mut figures, owners) = repo::live_customers(conn, w.as_of).await?;
    let t_customers = started.elapsed();
    repo::add_window_sums(conn, &w, &mut figures).await?;
    let t_read = started.elapsed();
    let verdicts = classify::classify(&pv.policy, &w, &figures);
    let t_rules = started.elapsed();
    let count =
        |f: &dyn Fn(&classify::Verdict) -> bool| verdicts.iter().filter(|v| f(v)).count() as i64;
    let run = repo::NewRun {
        as_of: w.as_of,
        policy_version: pv.version,
        cause,
        // As of the first of a month: the snapshot of the month that just ended.
        keep: as_of.day() == 1,
        customers: verdicts.len() as i64,
        value_ranked: verdicts.first().map(|v| v.value_ranked).unwrap_or(0),
        profit_total_fen: verdicts.first().map(|v| v.profit_total_fen).unwrap_or(0),
        rfm_n: verdicts
            .iter()
            .find_map(|v| v.rfm.map(|r| r.n))
            .unwrap_or(0),
        started_at,
    };
    let txn = app.db.begin_write().await?;
    let run_id = repo::save_run(&txn, &run, &verdicts, &figures, &owners, Utc::now()).await?;
    crate::audit::record(
        &txn,
        actor,
        crate::audit::Entry {
            action: "classification.recompute",
            entity_type: "classification_run",
            entity_id: run_id.to_string(),
            customer_id: None,
            summary: Some(format!("{} ({cause}, {})", run.customers, w.as_of)),
            before: None,
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    // A customer flagged at risk gets its call at once, not only after the nightly job.
    if let Err(e) = crate::followups::plan_at_risk(app, Utc::now()).await {
        tracing::warn!(error = %e, "at-risk follow-ups after the classification failed");
    }
    let summary = RunSummary {
        run_id,
        as_of,
        policy_version: pv.version,
        customers: run.customers,
        a: count(&|v| v.value_class == classify::ValueClass::A),
        b: count(&|v| v.value_class == classify::ValueClass::B),
        c: count(&|v| v.value_class == classify::ValueClass::C),
        at_risk: count(&|v| v.at_risk),
        seconds: started.elapsed().as_secs_f64(),
    };
    tracing::info!(
        run = run_id,
        as_of = %as_of,
        customers = summary.customers,
        customers_ms = t_customers.as_millis() as u64,
        read_ms = t_read.as_millis() as u64,
        rules_ms = (t_rules - t_read).as_millis() as u64,
        write_ms = (started.elapsed() - t_rules).as_millis() as u64,
        cause,
        "classification"
    );
    Ok(summary)
}

/// The run lists and pages show (the latest as of today or before).
pub async fn current_run(app: &App) -> Result<Option<RunRow>> {
    Ok(repo::current_run(&app.db.conn, day_num(today(app))).await?)
}

/// One line of an explanation: what was decided, and the figures and rule behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    pub topic: &'static str,
    pub verdict: String,
    pub because: String,
}

/// A customer's classification as the customer page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerClass {
    pub as_of: NaiveDate,
    pub policy_version: i64,
    pub row: VerdictRow,
    pub reasons: Vec<Reason>,
    /// Changes over the stored runs, newest first: (as of, what changed).
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub as_of: NaiveDate,
    pub text: String,
}

fn label(lang: Lang, key: &str) -> String {
    lang.t(key).to_string()
}

fn pct(bp: i64) -> String {
    let s = format!("{}.{:02}", bp / 100, bp % 100);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The reasons for a stored verdict under the policy of its run.
pub fn explain(lang: Lang, p: &Policy, run: &RunRow, k: &VerdictRow) -> Vec<Reason> {
    let mut out = Vec::new();
    let as_of = day_date(run.as_of).unwrap_or_default();
    // Grade: the rule that decided, with the integers it compared.
    let grade = Grade::parse(&k.grade);
    let basis = k
        .grade_basis
        .as_deref()
        .and_then(classify::GradeBasis::parse)
        .or_else(|| grade.and_then(classify::GradeBasis::assumed));
    let because = match (grade, basis) {
        (Some(g), Some(b)) => {
            match classify::GradeReason::of(p, b, g, k.frequent_shipments, k.grade_revenue_fen) {
                classify::GradeReason::Frequency {
                    months,
                    shipments,
                    per_month,
                    needed,
                } => lang.tf(
                    "explain.grade_individual",
                    &[&months, &shipments, &needed, &per_month, &months],
                ),
                classify::GradeReason::Revenue {
                    months,
                    revenue_fen,
                    large_fen,
                    medium_fen,
                    government,
                } => lang.tf(
                    if government {
                        "explain.grade_government_revenue"
                    } else {
                        "explain.grade_revenue"
                    },
                    &[
                        &months,
                        &format_fen(revenue_fen),
                        &format_fen(large_fen),
                        &format_fen(medium_fen),
                    ],
                ),
                classify::GradeReason::Level(level) => lang.tf(
                    "explain.grade_level",
                    &[&lang.t(level.label_key()), &label(lang, g.label_key())],
                ),
            }
        }
        // A government grade of a run made before grades kept their rule.
        _ => lang.tf(
            "explain.grade_government",
            &[
                &p.revenue_months,
                &format_fen(k.grade_revenue_fen),
                &format_fen(p.large_revenue_fen),
                &format_fen(p.medium_revenue_fen),
            ],
        ),
    };
    out.push(Reason {
        topic: "classify.grade",
        verdict: label(lang, grade.map(|g| g.label_key()).unwrap_or("grade.small")),
        because,
    });
    // Value class.
    let class = classify::ValueClass::parse(&k.value_class).unwrap_or(classify::ValueClass::C);
    let because = match k.value_rank {
        Some(rank) => {
            let share = if run.profit_total_fen > 0 {
                (k.profit_before_fen as i128 * 10_000 / run.profit_total_fen as i128) as i64
            } else {
                0
            };
            let rule = match class {
                classify::ValueClass::A => lang.tf("explain.value_rule_a", &[&pct(p.a_share_bp)]),
                classify::ValueClass::B => lang.tf(
                    "explain.value_rule_b",
                    &[&pct(p.a_share_bp), &pct(p.b_share_bp)],
                ),
                classify::ValueClass::C => lang.tf("explain.value_rule_c", &[&pct(p.b_share_bp)]),
            };
            format!(
                "{}{}",
                lang.tf(
                    "explain.value",
                    &[
                        &p.value_months,
                        &format_fen(k.profit_fen),
                        &rank,
                        &run.value_ranked,
                        &pct(share),
                    ],
                ),
                rule
            )
        }
        None => lang.tf(
            "explain.value_none",
            &[&p.value_months, &format_fen(k.profit_fen)],
        ),
    };
    out.push(Reason {
        topic: "classify.value_class",
        verdict: label(lang, class.label_key()),
        because,
    });
    // Lifecycle.
    let life = Lifecycle::parse(&k.lifecycle).unwrap_or(Lifecycle::Prospective);
    let because = match life {
        Lifecycle::Prospective => lang.tf("explain.life_prospective", &[&as_of]),
        Lifecycle::Current => lang.tf(
            "explain.life_current",
            &[&p.current_days, &k.current_shipments],
        ),
        Lifecycle::Past => lang.tf(
            "explain.life_past",
            &[
                &k.last_day
                    .and_then(day_date)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                &p.current_days,
            ],
        ),
    };
    out.push(Reason {
        topic: "classify.lifecycle",
        verdict: label(lang, life.label_key()),
        because,
    });
    // Churn warning: the same comparison as the rule, in whole percent rounded up.
    let because =
        match classify::ChurnReason::of(p, life, k.churn_shipments, k.churn_prev_shipments) {
            classify::ChurnReason::NotCurrent => lang.t("explain.churn_not_current").to_string(),
            classify::ChurnReason::NoBase { days } => lang.tf("explain.churn_no_base", &[&days]),
            classify::ChurnReason::Compared {
                days,
                shipments,
                prev_shipments,
                pct_of_prev,
                ratio_pct,
            } => lang.tf(
                "explain.churn",
                &[
                    &days,
                    &shipments,
                    &days,
                    &prev_shipments,
                    &pct_of_prev,
                    &ratio_pct,
                ],
            ),
        };
    out.push(Reason {
        topic: "classify.churn",
        verdict: label(
            lang,
            if k.at_risk {
                "classify.at_risk"
            } else {
                "classify.not_at_risk"
            },
        ),
        because,
    });
    // RFM.
    let (verdict, because) = match (k.r_score, k.f_score, k.m_score) {
        (Some(r), Some(f), Some(m)) => (
            format!(
                "R{r} F{f} M{m} · {}",
                lang.t(k
                    .rfm_segment
                    .as_deref()
                    .and_then(RfmSegment::parse)
                    .map(|s| s.label_key())
                    .unwrap_or(""))
            ),
            lang.tf(
                "explain.rfm",
                &[
                    &k.recency_days.unwrap_or(0),
                    &r,
                    &p.rfm_months,
                    &k.frequency.unwrap_or(0),
                    &f,
                    &format_fen(k.monetary_fen.unwrap_or(0)),
                    &m,
                    &run.rfm_n,
                ],
            ),
        ),
        _ => (
            lang.t("common.none").to_string(),
            lang.tf("explain.rfm_none", &[&p.rfm_months]),
        ),
    };
    out.push(Reason {
        topic: "classify.rfm",
        verdict,
        because,
    });
    out
}

/// What changed between two verdicts of a customer, in words; None when nothing did.
fn change_text(lang: Lang, before: &VerdictRow, after: &VerdictRow) -> Option<String> {
    let mut parts = Vec::new();
    let mut cmp = |topic: &str, a: String, b: String| {
        if a != b {
            parts.push(format!("{}: {} → {}", lang.t(topic), a, b));
        }
    };
    let g = |v: &VerdictRow| {
        Grade::parse(&v.grade)
            .map(|x| lang.t(x.label_key()).to_string())
            .unwrap_or_default()
    };
    cmp("classify.grade", g(before), g(after));
    let c = |v: &VerdictRow| {
        classify::ValueClass::parse(&v.value_class)
            .map(|x| lang.t(x.label_key()).to_string())
            .unwrap_or_default()
    };
    cmp("classify.value_class", c(before), c(after));
    let l = |v: &VerdictRow| {
        Lifecycle::parse(&v.lifecycle)
            .map(|x| lang.t(x.label_key()).to_string())
            .unwrap_or_default()
    };
    cmp("classify.lifecycle", l(before), l(after));
    let r = |v: &VerdictRow| {
        lang.t(if v.at_risk {
            "classify.at_risk"
        } else {
            "classify.not_at_risk"
        })
        .to_string()
    };
    cmp("classify.churn", r(before), r(after));
    let s = |v: &VerdictRow| {
        v.rfm_segment
            .as_deref()
            .and_then(RfmSegment::parse)
            .map(|x| lang.t(x.label_key()).to_string())
            .unwrap_or_else(|| lang.t("common.none").to_string())
    };
    cmp("classify.rfm", s(before), s(after));
    (!parts.is_empty()).then(|| parts.join("；"))
}

/// The customer page's classification: the current verdict explained, and the changes
/// over the stored runs. None before the first run. The caller has checked the customer
/// is in the actor's scope.
pub async fn of_customer(app: &App, customer_id: i64, lang: Lang) -> Result<Option<CustomerClass>> {
    let Some(run) = current_run(app).await? else {
        return Ok(None);
    };
    let Some(row) = repo::verdict(&app.db.conn, run.id, customer_id).await? else {
        return Ok(None);
    };
    let pv = policy_version(app, run.policy_version).await?;
    let reasons = explain(lang, &pv.policy, &run, &row);
    let history = repo::history(&app.db.conn, customer_id).await?;
    let mut changes = Vec::new();
    for pair in history.windows(2) {
        if let Some(text) = change_text(lang, &pair[0].2, &pair[1].2) {
            changes.push(Change {
                as_of: day_date(pair[1].0).unwrap_or_default(),
                text,
            });
        }
    }
    if let Some((first, _, v)) = history.first() {
        changes.push(Change {
            as_of: day_date(*first).unwrap_or_default(),
            text: lang.tf(
                "classify.first",
                &[
                    &lang.t(classify::ValueClass::parse(&v.value_class)
                        .map(|c| c.label_key())
                        .unwrap_or("")),
                    &lang.t(Lifecycle::parse(&v.lifecycle)
                        .map(|c| c.label_key())
                        .unwrap_or("")),
                ],
            ),
        });
    }
    changes.reverse();
    Ok(Some(CustomerClass {
        as_of: day_date(run.as_of).unwrap_or_default(),
        policy_version: run.policy_version,
        row,
        reasons,
        changes,
    }))
}

/// A customer's stored verdicts over the runs (API), oldest first.
pub async fn history(app: &App, customer_id: i64) -> Result<Vec<(NaiveDate, i64, VerdictRow)>> {
    Ok(repo::history(&app.db.conn, customer_id)
        .await?
        .into_iter()
        .map(|(as_of, pv, v)| (day_date(as_of).unwrap_or_default(), pv, v))
        .collect())
}

/// The policy's fields as a form shows them: money in yuan, shares and ratios in percent.
pub const FORM_FIELDS: &[(&str, &str)] = &[
    ("frequent_per_month", "policy.frequent_per_month"),
    ("frequent_months", "policy.frequent_months"),
    ("large_revenue_yuan", "policy.large_revenue_yuan"),
    ("medium_revenue_yuan", "policy.medium_revenue_yuan"),
    ("revenue_months", "policy.revenue_months"),
    ("value_months", "policy.value_months"),
    ("a_share_pct", "policy.a_share_pct"),
    ("b_share_pct", "policy.b_share_pct"),
    ("current_days", "policy.current_days"),
    ("churn_days", "policy.churn_days"),
    ("churn_ratio_pct", "policy.churn_ratio_pct"),
    ("rfm_months", "policy.rfm_months"),
];

/// A policy as form values (see [`FORM_FIELDS`]).
pub fn form_values(p: &Policy) -> std::collections::HashMap<String, String> {
    use consign_domain::ops::{format_scaled, format_yuan};
    [
        ("frequent_per_month", p.frequent_per_month.to_string()),
        ("frequent_months", p.frequent_months.to_string()),
        ("large_revenue_yuan", format_yuan(p.large_revenue_fen)),
        ("medium_revenue_yuan", format_yuan(p.medium_revenue_fen)),
        ("revenue_months", p.revenue_months.to_string()),
        ("value_months", p.value_months.to_string()),
        ("a_share_pct", format_scaled(p.a_share_bp, 2)),
        ("b_share_pct", format_scaled(p.b_share_bp, 2)),
        ("current_days", p.current_days.to_string()),
        ("churn_days", p.churn_days.to_string()),
        ("churn_ratio_pct", p.churn_ratio_pct.to_string()),
        ("rfm_months", p.rfm_months.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Reads a policy from form values; every field is required. Errors name the form field.
pub fn policy_from_form(get: &dyn Fn(&str) -> String) -> Result<Policy> {
    use consign_domain::ops::{parse_fen, parse_scaled};
    let mut e = FieldErrors::new();
    let mut int = |f: &str| -> i64 {
        match get(f).trim().parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                e.add(f, "err.invalid_number");
                0
            }
        }
    };
    let frequent_per_month = int("frequent_per_month");
    let frequent_months = int("frequent_months");
    let revenue_months = int("revenue_months");
    let value_months = int("value_months");
    let current_days = int("current_days");
    let churn_days = int("churn_days");
    let churn_ratio_pct = int("churn_ratio_pct");
    let rfm_months = int("rfm_months");
    let mut money = |f: &str| match parse_fen(&get(f)) {
        Ok(v) => v,
        Err(code) => {
            e.add(f, code);
            0
        }
    };
    let large_revenue_fen = money("large_revenue_yuan");
    let medium_revenue_fen = money("medium_revenue_yuan");
    let mut share = |f: &str| match parse_scaled(get(f).trim().trim_end_matches('%'), 2) {
        Ok(v) => v,
        Err(_) => {
            e.add(f, "err.invalid_number");
            0
        }
    };
    let a_share_bp = share("a_share_pct");
    let b_share_bp = share("b_share_pct");
    let month = |v: i64| u32::try_from(v).unwrap_or(0);
    let p = Policy {
        frequent_per_month,
        frequent_months: month(frequent_months),
        large_revenue_fen,
        medium_revenue_fen,
        revenue_months: month(revenue_months),
        value_months: month(value_months),
        a_share_bp,
        b_share_bp,
        current_days,
        churn_days,
        churn_ratio_pct,
        rfm_months: month(rfm_months),
    };
    if e.is_empty() {
        if let Err(errs) = p.validate() {
            // The domain names its fields; the form's money and shares differ in name.
            for x in errs {
                let f = match x.field {
                    "large_revenue_fen" => "large_revenue_yuan",
                    "medium_revenue_fen" => "medium_revenue_yuan",
                    "a_share_bp" => "a_share_pct",
                    "b_share_bp" => "b_share_pct",
                    other => other,
                };
                e.add(f, x.key);
            }
        }
    }
    e.into_result()?;
    Ok(p)
}

/// Every stored run, newest first (API).
pub async fn runs(app: &App) -> Result<Vec<RunRow>> {
    Ok(repo::runs(&app.db.conn).await?)
}
