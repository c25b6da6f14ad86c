//! Customer classification (SPEC §3) as use cases: the policy and its versions, a
//! recompute as of a day (from the rollups), the verdicts with their explanations, and a
//! customer's history of classes.

use crate::auth::Actor;
use crate::{audit, App, AppError, Result};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use consign_domain::classify::{self, day_date, day_num, Grade, Lifecycle, Policy, RfmSegment};
use consign_domain::i18n::Arg;
use consign_domain::ops::Fen;
use consign_domain::{FieldErrors, Lang};
use consign_store::classification::{self as repo};
/// What the classification use cases answer: a stored run and a stored verdict.
pub use consign_store::classification::{RunRow, VerdictRow};
use serde::Serialize;
use std::time::Instant;

/// A stored version of the policy.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ClassPolicyVersion)]
pub struct PolicyVersion {
    pub version: i64,
    pub policy: Policy,
    /// The reason for the change as written (a note the system wrote: in Chinese).
    pub note: String,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    /// A note the system wrote, as a message key (policy.note.*), to show it in the
    /// reader's language; null for a note a person wrote.
    pub note_key: Option<String>,
    /// An author that is no user, as a message key (policy.by.*); null for a user.
    pub author_key: Option<String>,
}

impl PolicyVersion {
    /// The note in `lang`.
    pub fn note_in(&self, lang: Lang) -> String {
        match &self.note_key {
            Some(k) => lang.t(k).to_string(),
            None => self.note.clone(),
        }
    }

    /// Who made the version, in `lang`.
    pub fn author_in(&self, lang: Lang) -> String {
        match &self.author_key {
            Some(k) => lang.t(k).to_string(),
            None => self.created_by_name.clone(),
        }
    }
}

/// A note and author the system writes (message keys), stored with their Chinese text.
struct Generated {
    note: &'static str,
    author: &'static str,
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
        note_key: row.note_key,
        author_key: row.author_key,
    })
}

/// The policy in force, for those who analyse (admins and managers).
pub async fn current_policy(app: &App, actor: &Actor) -> Result<PolicyVersion> {
    if !actor.role.can_analyse() {
        return Err(AppError::Forbidden);
    }
    policy_in_force(app).await
}

/// The policy in force: the latest version (the defaults of SPEC §3 are stored as version
/// 1 the first time one is needed).
pub(crate) async fn policy_in_force(app: &App) -> Result<PolicyVersion> {
    if let Some(row) = repo::latest_policy(&app.db.conn).await? {
        return version_of(row);
    }
    let txn = app.db.begin_write().await?;
    // Another writer may have stored it meanwhile.
    if repo::latest_policy(&txn).await?.is_none() {
        let json = serde_json::to_string(&Policy::default()).map_err(AppError::from_err)?;
        let (note, author) = ("policy.note.defaults", "policy.by.system");
        repo::insert_policy(
            &txn,
            &json,
            Lang::Zh.t(note),
            None,
            Lang::Zh.t(author),
            Utc::now(),
            (Some(note), Some(author)),
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

/// Every version of the policy, for those who analyse.
pub async fn policy_versions(app: &App, actor: &Actor) -> Result<Vec<PolicyVersion>> {
    if !actor.role.can_analyse() {
        return Err(AppError::Forbidden);
    }
    policy_in_force(app).await?;
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
    store_version(app, actor.id, &actor.display(), actor, policy, note, None).await
}

async fn store_version(
    app: &App,
    user: Option<i64>,
    name: &str,
    actor: &Actor,
    policy: Policy,
    note: &str,
    generated: Option<Generated>,
) -> Result<i64> {
    let current = policy_in_force(app).await?;
    if current.policy == policy {
        return Ok(current.version);
    }
    let json = serde_json::to_string(&policy).map_err(AppError::from_err)?;
    let txn = app.db.begin_write().await?;
    let keys = match &generated {
        Some(g) => (Some(g.note), Some(g.author)),
        None => (None, None),
    };
    let v = repo::insert_policy(&txn, &json, note.trim(), user, name, Utc::now(), keys).await?;
    audit::record(
        &txn,
        actor,
        audit::Entry {
            action: "classification.policy",
            entity_type: "classification_policy",
            entity_id: v.to_string(),
            customer_id: None,
            summary: Some(format!("v{} → v{v} {}", current.version, note.trim())),
            said: None,
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
    let g = Generated {
        note: "policy.note.config_file",
        author: "policy.by.config",
    };
    let (note, author) = (Lang::Zh.t(g.note), Lang::Zh.t(g.author));
    store_version(app, None, author, &actor, p, note, Some(g)).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ClassRunSummary)]
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
    recompute(app, actor, as_of, "manual").await
}

/// Classifies every customer in use as of `as_of` (default today) under the policy in
/// force, and stores the run (admins and managers; jobs and the CLI as the system).
/// `cause`: manual, policy, import, nightly, demo.
pub async fn recompute(
    app: &App,
    actor: &Actor,
    as_of: Option<NaiveDate>,
    cause: &str,
) -> Result<RunSummary> {
    if !actor.role.can_classify() {
        return Err(AppError::Forbidden);
    }
    run(app, actor, as_of, cause).await
}

/// Saves a new version of the policy (admins) and, when `reclassify`, classifies every
/// customer as of today under it: the version and the run.
pub async fn change_policy(
    app: &App,
    actor: &Actor,
    policy: Policy,
    note: &str,
    reclassify: bool,
) -> Result<(i64, Option<RunSummary>)> {
    let version = save_policy(app, actor, policy, note).await?;
    let run = if reclassify {
        Some(recompute(app, actor, None, "policy").await?)
    } else {
        None
    };
    Ok((version, run))
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
    let as_of = as_of.unwrap_or_else(|| app.today());
    let pv = policy_in_force(app).await?;
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
    // The recent sums per customer carry the classes of the run in force: what the
    // company's KPIs by value class and grade read.
    if repo::current_run(&txn, day_num(app.today()))
        .await?
        .is_some_and(|r| r.id == run_id)
    {
        consign_store::kpis::recent::keep_classes(&txn, run_id).await?;
    }
    tell_changes(app, &txn, run_id, w.as_of).await?;
    crate::audit::record(
        &txn,
        actor,
        crate::audit::Entry {
            action: "classification.recompute",
            entity_type: "classification_run",
            entity_id: run_id.to_string(),
            customer_id: None,
            summary: None,
            said: crate::audit::said(
                "audit.summary.classification_run",
                vec![
                    Arg::text(run.customers),
                    Arg::key(format!("classification.cause.{cause}")),
                    Arg::text(w.as_of),
                ],
            ),
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
    Ok(repo::current_run(&app.db.conn, day_num(app.today())).await?)
}

/// Every stored run, newest first, for those who analyse.
pub async fn runs(app: &App, actor: &Actor) -> Result<Vec<RunRow>> {
    if !actor.role.can_analyse() {
        return Err(AppError::Forbidden);
    }
    Ok(repo::runs(&app.db.conn).await?)
}

mod explain;
pub use explain::*;
mod form;
pub use form::*;

/// Tells integrations of each customer whose value class, lifecycle or churn warning the
/// run changed (`classification.changed`), and each team's robot of its customers newly
/// flagged at risk (one message a team).
async fn tell_changes<C: consign_store::ConnectionTrait>(
    app: &App,
    conn: &C,
    run_id: i64,
    as_of: impl std::fmt::Display,
) -> Result<()> {
    use crate::webhooks::{bots, emit_many, Event};
    let changed = repo::changed_in_run(conn, run_id).await?;
    if changed.is_empty() {
        return Ok(());
    }
    let day = as_of.to_string();
    emit_many(
        conn,
        changed
            .iter()
            .map(|c| {
                Event::customer(
                    "classification.changed",
                    c.customer_id,
                    serde_json::json!({
                        "customer_id": c.customer_id, "customer_code": c.code,
                        "customer_name": c.name, "owner_id": c.owner_id, "as_of": day,
                        "run_id": run_id,
                        "before": {"grade": c.before.0, "value_class": c.before.1,
                            "lifecycle": c.before.2, "at_risk": c.before.3},
                        "after": {"grade": c.grade, "value_class": c.value_class,
                            "lifecycle": c.lifecycle, "at_risk": c.at_risk},
                    }),
                )
            })
            .collect(),
    )
    .await?;
    let flagged: Vec<_> = changed
        .iter()
        .filter(|c| c.at_risk && !c.before.3)
        .collect();
    if flagged.is_empty() {
        return Ok(());
    }
    // Each owner's team and name.
    let mut owners: Vec<i64> = flagged.iter().filter_map(|c| c.owner_id).collect();
    owners.sort_unstable();
    owners.dedup();
    let users = consign_store::users::users_by_ids(conn, &owners).await?;
    let units = consign_store::users::units(conn).await?;
    let who: std::collections::HashMap<i64, (String, Option<String>)> = users
        .iter()
        .map(|u| {
            let path = units
                .iter()
                .find(|x| x.id == u.org_unit_id)
                .map(|x| x.path.clone());
            (u.id, (u.display_name.clone(), path))
        })
        .collect();
    bots::post_each(
        conn,
        "customer.at_risk",
        &format!("run:{run_id}"),
        |team, lang| {
            let list: Vec<(i64, String, String)> = flagged
                .iter()
                .filter_map(|c| {
                    let (owner, path) = c
                        .owner_id
                        .and_then(|o| who.get(&o))
                        .map(|(n, p)| (n.clone(), p.as_deref()))
                        .unwrap_or_else(|| (lang.t("customer.in_pool").to_string(), None));
                    bots::reaches(team, path).then(|| (c.customer_id, c.name.clone(), owner))
                })
                .collect();
            (!list.is_empty()).then(|| bots::at_risk(app, lang, &day, &list))
        },
    )
    .await?;
    Ok(())
}
