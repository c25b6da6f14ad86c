//! The manager's dashboard (SPEC §12, issue 4): customers by grade, value class,
//! lifecycle and RFM segment, the Pareto curve of profit, the monthly revenue trend, top
//! customers and customers at risk, for the current classification run, filtered by
//! region, industry, service mode and owner. Read from the run's verdicts and the
//! monthly rollups only.

use crate::auth::Actor;
use crate::customers::visibility;
use crate::{App, AppError, Result};
use chrono::NaiveDate;
use consign_domain::classify::{day_date, Grade, Lifecycle, RfmSegment, ValueClass};
use consign_domain::customer::{Industry, ServiceMode};
use consign_store::classification::{self as repo, ListedCustomer, Slice};
use consign_store::customers::{OwnerFilter, Visibility};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The dashboard's filters (the same names as the customer list's, so every number
/// links to the list behind it).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashQuery {
    pub province: Option<String>,
    pub industry: Option<String>,
    #[param(inline, value_type = Option<consign_domain::customer::ServiceMode>)]
    pub service_mode: Option<String>,
    /// user id, `me` or `pool`
    #[param(pattern = r"^\s*(me|pool|[+-]?[0-9]+)?\s*$")]
    pub owner: Option<String>,
}

/// One bar of a distribution: the value's key, how many customers, their profit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bucket {
    pub key: String,
    pub label_key: &'static str,
    pub customers: i64,
    pub profit_fen: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MonthPoint {
    /// `YYYYMM`.
    pub month: i32,
    pub shipments: i64,
    pub revenue_fen: i64,
    pub profit_fen: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub as_of: NaiveDate,
    pub policy_version: i64,
    pub customers: i64,
    pub at_risk: i64,
    pub by_value_class: Vec<Bucket>,
    pub by_grade: Vec<Bucket>,
    pub by_lifecycle: Vec<Bucket>,
    pub by_rfm: Vec<Bucket>,
    /// Cumulative (share of ranked customers, share of positive profit), both 0..=1,
    /// starting at (0, 0).
    #[schema(value_type = Vec<Vec<f64>>)]
    pub pareto: Vec<(f64, f64)>,
    /// Customers with positive profit, and the shares of them in A and in A or B.
    pub ranked: i64,
    pub a_share_of_customers: f64,
    pub ab_share_of_customers: f64,
    /// The policy's cuts (0..=1).
    pub a_cut: f64,
    pub b_cut: f64,
    pub months: Vec<MonthPoint>,
    pub top: Vec<ListedCustomer>,
    pub at_risk_list: Vec<ListedCustomer>,
}

/// May see the dashboard: admins, managers and read-only staff (their scope's customers).
pub async fn dashboard(app: &App, actor: &Actor, q: &DashQuery) -> Result<Option<Dashboard>> {
    if !actor.role.can_analyse() {
        return Err(AppError::Forbidden);
    }
    let Some(run) = crate::classification::current_run(app).await? else {
        return Ok(None);
    };
    let slice = slice_of(app, actor, q).await?;
    let conn = &app.db.conn;
    // Scope, owner and service-mode filters are answered from the run's stored sums;
    // region and industry from its verdicts.
    // Runs before the stored sums by service mode have none: from their verdicts.
    let stored = if run.sums >= repo::SUMS_BY_OWNER_AND_MODES {
        slice.stored()
    } else {
        None
    };
    // The five reads are independent: they run at once, each on a connection of its own
    // (a page's time is then its slowest read, not their sum).
    let groups_f = async {
        match &stored {
            Some(cond) => repo::stored_groups(conn, run.id, cond).await,
            None => repo::groups(conn, run.id, &slice).await,
        }
    };
    let pareto_f = async {
        match &stored {
            Some(cond) => repo::stored_pareto(conn, run.id, cond).await,
            None => repo::pareto(conn, run.id, &slice, 50).await,
        }
    };
    let (from, month) = consign_domain::classify::trend_months(run.as_of);
    let (groups, buckets, month_rows, top, at_risk_list) = tokio::try_join!(
        groups_f,
        pareto_f,
        repo::months(conn, run.id, &slice, stored.as_ref(), from, month),
        repo::top(conn, run.id, &slice, 10),
        repo::at_risk(conn, run.id, &slice, 15),
    )?;
    let pv = crate::classification::policy_version(app, run.policy_version).await?;
    let mut value: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut grade: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut life: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut rfm: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let (mut customers, mut at_risk) = (0, 0);
    for g in &groups {
        customers += g.n;
        if g.at_risk {
            at_risk += g.n;
        }
        let add = |e: &mut (i64, i64)| {
            e.0 += g.n;
            e.1 += g.profit_fen;
        };
        let vk = match g.value_class.as_str() {
            "a" => "a",
            "b" => "b",
            _ => "c",
        };
        add(value.entry(vk).or_default());
        add(grade.entry(g.grade.clone()).or_default());
        add(life.entry(g.lifecycle.clone()).or_default());
        if let Some(s) = &g.rfm_segment {
            add(rfm.entry(s.clone()).or_default());
        }
    }
    let by_value_class = ValueClass::ALL
        .iter()
        .map(|v| bucket(v.as_str(), v.label_key(), value.get(v.as_str())))
        .collect();
    let by_grade = Grade::ALL
        .iter()
        .filter(|v| grade.contains_key(v.as_str()))
        .map(|v| bucket(v.as_str(), v.label_key(), grade.get(v.as_str())))
        .collect();
    let by_lifecycle = Lifecycle::ALL
        .iter()
        .map(|v| bucket(v.as_str(), v.label_key(), life.get(v.as_str())))
        .collect();
    let by_rfm = RfmSegment::ALL
        .iter()
        .map(|v| bucket(v.as_str(), v.label_key(), rfm.get(v.as_str())))
        .collect();
    // Pareto: cumulative shares at the end of each group of ranked customers (100 groups
    // by rank over the whole company when stored; 50 of the slice's own otherwise).
    let ranked: i64 = buckets.iter().map(|b| b.1).sum();
    let total: i64 = buckets.iter().map(|b| b.2).sum();
    let mut pareto = vec![(0.0, 0.0)];
    let (mut n, mut p) = (0i64, 0i64);
    for (_, bn, bp) in &buckets {
        n += bn;
        p += bp;
        pareto.push((
            n as f64 / ranked.max(1) as f64,
            p as f64 / total.max(1) as f64,
        ));
    }
    let class_n = |k: &str| value.get(k).map(|e| e.0).unwrap_or(0) as f64;
    let months = month_rows
        .into_iter()
        .map(|(month, shipments, revenue_fen, profit_fen)| MonthPoint {
            month,
            shipments,
            revenue_fen,
            profit_fen,
        })
        .collect();
    Ok(Some(Dashboard {
        as_of: day_date(run.as_of).unwrap_or_default(),
        policy_version: run.policy_version,
        customers,
        at_risk,
        by_value_class,
        by_grade,
        by_lifecycle,
        by_rfm,
        pareto,
        ranked,
        a_share_of_customers: class_n("a") / ranked.max(1) as f64,
        ab_share_of_customers: (class_n("a") + class_n("b")) / ranked.max(1) as f64,
        a_cut: pv.policy.a_share_bp as f64 / 10_000.0,
        b_cut: pv.policy.b_share_bp as f64 / 10_000.0,
        months,
        top,
        at_risk_list,
    }))
}

fn bucket(key: &str, label_key: &'static str, v: Option<&(i64, i64)>) -> Bucket {
    let (customers, profit_fen) = v.copied().unwrap_or((0, 0));
    Bucket {
        key: key.to_string(),
        label_key,
        customers,
        profit_fen,
    }
}

async fn slice_of(app: &App, actor: &Actor, q: &DashQuery) -> Result<Slice> {
    let mut errs = consign_domain::FieldErrors::new();
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let mut s = Slice {
        province: nonempty(&q.province),
        ..Default::default()
    };
    if let Some(v) = nonempty(&q.industry) {
        // Known industries by key; free text as written.
        s.industry = Some(
            Industry::parse(&v)
                .map(|i| i.as_str().to_string())
                .unwrap_or(v),
        );
    }
    if let Some(v) = nonempty(&q.service_mode) {
        match ServiceMode::parse(&v) {
            Some(m) => s.service_mode = Some(m.as_str().to_string()),
            None => errs.add("service_mode", "err.invalid_choice"),
        }
    }
    match nonempty(&q.owner).as_deref() {
        None => {}
        Some("pool") => s.owner = Some(OwnerFilter::Pool),
        Some("me") => s.owner = Some(OwnerFilter::User(actor.user_id())),
        Some(o) => match o.parse() {
            Ok(id) => s.owner = Some(OwnerFilter::User(id)),
            Err(_) => errs.add("owner", "err.invalid_choice"),
        },
    }
    errs.into_result()?;
    if let Visibility::OwnersAndPool(ids) = visibility(app, actor).await? {
        s.visible_owners = Some(ids);
    }
    Ok(s)
}
