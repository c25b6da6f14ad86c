//! Customer classification (SPEC §3): grade, value class (ABC), lifecycle, churn warning
//! and RFM, as of a date D, from per-customer figures over trailing windows. Pure: the
//! figures come from the rollups, the policy from its stored version.
//!
//! Every threshold is policy. Shares are compared exactly, in integers (basis points), so
//! that a customer exactly at 80% is decided the same way on every machine.

use crate::customer::{vocabulary, CustomerKind, GovLevel};
use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

vocabulary!(
    /// Grade (分级, seed 第五条), by kind of customer.
    Grade, "grade", {
        Frequent => "frequent",
        Occasional => "occasional",
        Large => "large",
        Medium => "medium",
        Small => "small",
        GovA => "gov_a",
        GovB => "gov_b",
        GovC => "gov_c",
    }
);

vocabulary!(
    /// Value class by the 80/20 rule (二八法则).
    ValueClass, "value_class", {
        A => "a",
        B => "b",
        C => "c",
    }
);

vocabulary!(
    /// Lifecycle (过去型 / 现在型 / 未来型).
    Lifecycle, "lifecycle", {
        Prospective => "prospective",
        Current => "current",
        Past => "past",
    }
);

vocabulary!(
    /// Named RFM segments (docs/classification.md), from the R, F and M scores.
    RfmSegment, "rfm", {
        Champions => "champions",
        Loyal => "loyal",
        NewCustomers => "new_customers",
        PotentialLoyalists => "potential_loyalists",
        NeedAttention => "need_attention",
        AboutToSleep => "about_to_sleep",
        CantLose => "cant_lose",
        AtRisk => "at_risk",
        Hibernating => "hibernating",
        Lost => "lost",
    }
);

impl RfmSegment {
    /// First rule that holds, in this order (every combination of scores has one):
    /// champions R≥4 F≥4 M≥4; loyal R≥3 F≥4; new R≥4 F=1; potential loyalists R≥4 F 2–3;
    /// need attention R=3 F 2–3; about to sleep R=3 F=1; can't lose R=1 F≥4; at risk
    /// R≤2 F≥3; hibernating R≤2 F=2; lost R≤2 F=1.
    pub fn of(r: u8, f: u8, m: u8) -> RfmSegment {
        use RfmSegment::*;
        match (r, f) {
            (4.., 4..) if m >= 4 => Champions,
            (3.., 4..) => Loyal,
            (4.., 1) => NewCustomers,
            (4.., _) => PotentialLoyalists,
            (3, 2..) => NeedAttention,
            (3, _) => AboutToSleep,
            (1, 4..) => CantLose,
            (_, 3..) => AtRisk,
            (_, 2) => Hibernating,
            _ => Lost,
        }
    }
}

/// The classification policy (SPEC §3). Money in fen, shares in basis points (1/10,000).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ClassPolicy)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Individuals: `frequent` when shipments in the trailing `frequent_months` months,
    /// divided by `frequent_months`, are at least this many a month.
    pub frequent_per_month: i64,
    pub frequent_months: u32,
    /// Enterprises (and institutions without a level): trailing `revenue_months` months'
    /// revenue at least `large_revenue_fen` is large, at least `medium_revenue_fen` medium.
    pub large_revenue_fen: i64,
    pub medium_revenue_fen: i64,
    pub revenue_months: u32,
    /// Value class: ranked by profit over the trailing `value_months` months; A while the
    /// share held by the customers before is below `a_share_bp`, B below `b_share_bp`.
    pub value_months: u32,
    pub a_share_bp: i64,
    pub b_share_bp: i64,
    /// Lifecycle: current with a shipment in the trailing `current_days` days.
    pub current_days: i64,
    /// Churn warning: the trailing `churn_days` days' shipments at most `churn_ratio_pct`%
    /// of the `churn_days` before.
    pub churn_days: i64,
    pub churn_ratio_pct: i64,
    /// RFM over the trailing `rfm_months` months.
    pub rfm_months: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            frequent_per_month: 3,
            frequent_months: 3,
            large_revenue_fen: 50_000_000,
            medium_revenue_fen: 10_000_000,
            revenue_months: 12,
            value_months: 12,
            a_share_bp: 8_000,
            b_share_bp: 9_500,
            current_days: 90,
            churn_days: 90,
            churn_ratio_pct: 70,
            rfm_months: 12,
        }
    }
}

/// A policy field that does not make sense, by field name and message key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub field: &'static str,
    pub key: &'static str,
}

impl Policy {
    pub fn validate(&self) -> Result<(), Vec<PolicyError>> {
        let mut e = Vec::new();
        let mut need = |ok: bool, field: &'static str, key: &'static str| {
            if !ok {
                e.push(PolicyError { field, key });
            }
        };
        need(
            self.frequent_per_month >= 1,
            "frequent_per_month",
            "err.policy_positive",
        );
        for (m, f) in [
            (self.frequent_months, "frequent_months"),
            (self.revenue_months, "revenue_months"),
            (self.value_months, "value_months"),
            (self.rfm_months, "rfm_months"),
        ] {
            need((1..=24).contains(&m), f, "err.policy_months");
        }
        need(
            self.medium_revenue_fen >= 0,
            "medium_revenue_fen",
            "err.policy_positive",
        );
        need(
            self.large_revenue_fen > self.medium_revenue_fen,
            "large_revenue_fen",
            "err.policy_large_above_medium",
        );
        need(
            (1..=10_000).contains(&self.a_share_bp),
            "a_share_bp",
            "err.policy_share",
        );
        need(
            (self.a_share_bp..=10_000).contains(&self.b_share_bp),
            "b_share_bp",
            "err.policy_b_above_a",
        );
        need(
            (1..=366).contains(&self.current_days),
            "current_days",
            "err.policy_days",
        );
        need(
            (1..=366).contains(&self.churn_days),
            "churn_days",
            "err.policy_days",
        );
        need(
            (0..=100).contains(&self.churn_ratio_pct),
            "churn_ratio_pct",
            "err.policy_percent",
        );
        if e.is_empty() {
            Ok(())
        } else {
            Err(e)
        }
    }

    /// The window starts (as `YYYYMMDD` days, inclusive; each window ends before D).
    pub fn windows(&self, as_of: NaiveDate) -> Windows {
        let months = |n: u32| day_num(as_of.checked_sub_months(Months::new(n)).unwrap_or(as_of));
        let days = |n: i64| day_num(as_of - Duration::days(n));
        let w = Windows {
            as_of: day_num(as_of),
            frequent_from: months(self.frequent_months),
            revenue_from: months(self.revenue_months),
            value_from: months(self.value_months),
            rfm_from: months(self.rfm_months),
            current_from: days(self.current_days),
            churn_from: days(self.churn_days),
            churn_prev_from: days(2 * self.churn_days),
            earliest: 0,
        };
        Windows {
            earliest: [
                w.frequent_from,
                w.revenue_from,
                w.value_from,
                w.rfm_from,
                w.current_from,
                w.churn_prev_from,
            ]
            .into_iter()
            .min()
            .unwrap_or(w.as_of),
            ..w
        }
    }
}

/// Where each trailing window starts, as `YYYYMMDD`; every window ends before `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub as_of: i32,
    pub frequent_from: i32,
    pub revenue_from: i32,
    pub value_from: i32,
    pub rfm_from: i32,
    pub current_from: i32,
    pub churn_from: i32,
    /// The churn comparison window is [churn_prev_from, churn_from).
    pub churn_prev_from: i32,
    /// The earliest of them: rollups before it are not needed (but for the last shipment).
    pub earliest: i32,
}

/// A date as `YYYYMMDD`.
pub fn day_num(d: NaiveDate) -> i32 {
    d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32
}

/// The dashboard's revenue trend as of day `as_of` (`YYYYMMDD`): the 24 full months
/// before its month, as `[from, before)` in `YYYYMM`.
pub fn trend_months(as_of: i32) -> (i32, i32) {
    let month = as_of / 100;
    ((month / 100 - 2) * 100 + month % 100, month)
}

/// A `YYYYMMDD` day as a date.
pub fn day_date(n: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(n / 10_000, (n / 100 % 100) as u32, (n % 100) as u32)
}

/// What the rollups say about one customer, per window of the policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub customer_id: i64,
    pub code: String,
    pub kind: Option<CustomerKind>,
    pub gov_level: Option<GovLevel>,
    /// The day of the last shipment ordered before D (`YYYYMMDD`), if any.
    pub last_day: Option<i32>,
    pub frequent_shipments: i64,
    pub grade_revenue_fen: i64,
    pub value_profit_fen: i64,
    pub rfm_shipments: i64,
    pub rfm_revenue_fen: i64,
    pub current_shipments: i64,
    pub churn_shipments: i64,
    pub churn_prev_shipments: i64,
}

/// One customer's verdicts with what decided them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub customer_id: i64,
    pub grade: Grade,
    pub grade_basis: GradeBasis,
    pub value_class: ValueClass,
    /// 1-based rank by profit among customers with positive profit; None otherwise.
    pub value_rank: Option<i64>,
    /// How many customers have positive profit (the ranked ones).
    pub value_ranked: i64,
    /// Profit held by the customers ranked before, and the total positive profit.
    pub profit_before_fen: i64,
    pub profit_total_fen: i64,
    pub lifecycle: Lifecycle,
    pub at_risk: bool,
    /// RFM, for customers with a shipment in the RFM window.
    pub rfm: Option<Rfm>,
    pub figures_last_day: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rfm {
    /// Whole days from the last shipment's day to D.
    pub recency_days: i64,
    pub frequency: i64,
    pub monetary_fen: i64,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    /// How many customers were scored.
    pub n: i64,
    pub segment: RfmSegment,
}

impl Verdict {
    /// The share (basis points, rounded down) of total positive profit held by the
    /// customers ranked before this one.
    pub fn share_before_bp(&self) -> i64 {
        if self.profit_total_fen <= 0 {
            return 0;
        }
        ((self.profit_before_fen as i128 * 10_000) / self.profit_total_fen as i128) as i64
    }
}

vocabulary!(
    /// Which rule decided a grade (stored with the verdict, so that its explanation names
    /// it even after the customer's record changes).
    GradeBasis, "grade_basis", {
        Frequency => "frequency",
        Revenue => "revenue",
        National => "level_national",
        Provincial => "level_provincial",
        Municipal => "level_municipal",
    }
);

impl GradeBasis {
    /// The level that decided, for the level rules.
    pub fn level(self) -> Option<GovLevel> {
        match self {
            GradeBasis::National => Some(GovLevel::National),
            GradeBasis::Provincial => Some(GovLevel::Provincial),
            GradeBasis::Municipal => Some(GovLevel::Municipal),
            _ => None,
        }
    }

    /// The basis of a verdict stored before bases were (a government grade's rule is
    /// then unknown: None).
    pub fn assumed(grade: Grade) -> Option<GradeBasis> {
        match grade {
            Grade::Frequent | Grade::Occasional => Some(GradeBasis::Frequency),
            Grade::Large | Grade::Medium | Grade::Small => Some(GradeBasis::Revenue),
            _ => None,
        }
    }
}

/// The grade of one customer.
pub fn grade(p: &Policy, f: &Figures) -> Grade {
    grade_decided(p, f).0
}

/// The grade of one customer and the rule that decided it.
pub fn grade_decided(p: &Policy, f: &Figures) -> (Grade, GradeBasis) {
    let by_revenue = |large, medium, small| {
        let g = if f.grade_revenue_fen >= p.large_revenue_fen {
            large
        } else if f.grade_revenue_fen >= p.medium_revenue_fen {
            medium
        } else {
            small
        };
        (g, GradeBasis::Revenue)
    };
    match f.kind.unwrap_or(CustomerKind::Enterprise) {
        CustomerKind::Individual => {
            // shipments ÷ months ≥ per_month, in integers.
            let g = if f.frequent_shipments >= frequent_needed(p) {
                Grade::Frequent
            } else {
                Grade::Occasional
            };
            (g, GradeBasis::Frequency)
        }
        CustomerKind::Enterprise => by_revenue(Grade::Large, Grade::Medium, Grade::Small),
        CustomerKind::Government => match f.gov_level {
            Some(GovLevel::National) => (Grade::GovA, GradeBasis::National),
            Some(GovLevel::Provincial) => (Grade::GovB, GradeBasis::Provincial),
            Some(GovLevel::Municipal) => (Grade::GovC, GradeBasis::Municipal),
            None => by_revenue(Grade::GovA, Grade::GovB, Grade::GovC),
        },
    }
}

/// Shipments over the frequency window that make an individual frequent.
pub fn frequent_needed(p: &Policy) -> i64 {
    p.frequent_per_month * p.frequent_months as i64
}

/// What decided a grade: the rule and the integers it compared, so that an explanation
/// can never disagree with the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradeReason {
    /// Individuals: `shipments` over `months` against `needed` (= per month × months).
    Frequency {
        months: u32,
        shipments: i64,
        per_month: i64,
        needed: i64,
    },
    /// Enterprises, and government bodies without a recorded level: revenue over
    /// `months` against the two cuts.
    Revenue {
        months: u32,
        revenue_fen: i64,
        large_fen: i64,
        medium_fen: i64,
        government: bool,
    },
    /// Government bodies: their recorded level.
    Level(GovLevel),
}

impl GradeReason {
    /// The reason of a stored verdict: its basis, the figures it stored and the policy of
    /// its run.
    pub fn of(
        p: &Policy,
        basis: GradeBasis,
        grade: Grade,
        shipments: i64,
        revenue_fen: i64,
    ) -> Self {
        match basis {
            GradeBasis::Frequency => GradeReason::Frequency {
                months: p.frequent_months,
                shipments,
                per_month: p.frequent_per_month,
                needed: frequent_needed(p),
            },
            GradeBasis::Revenue => GradeReason::Revenue {
                months: p.revenue_months,
                revenue_fen,
                large_fen: p.large_revenue_fen,
                medium_fen: p.medium_revenue_fen,
                government: matches!(grade, Grade::GovA | Grade::GovB | Grade::GovC),
            },
            b => GradeReason::Level(b.level().unwrap_or(GovLevel::Municipal)),
        }
    }
}

/// Why a customer has its value class: its rank by profit in the value window and the
/// share of the ranked customers' total profit held by those ranked before it, against
/// the policy's shares. The share is in basis points rounded down; with whole-number
/// thresholds `share < threshold` is then exactly the rule's comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueReason {
    /// No positive profit in the value window: not ranked, class C.
    Unranked,
    Ranked {
        rank: i64,
        before_share_bp: i64,
        a_share_bp: i64,
        b_share_bp: i64,
    },
}

impl ValueReason {
    /// The reason for a verdict's `value_rank` and `profit_before_fen`, out of the run's
    /// `total_fen` (the profit of every ranked customer).
    pub fn of(p: &Policy, rank: Option<i64>, profit_before_fen: i64, total_fen: i64) -> Self {
        match rank {
            None => ValueReason::Unranked,
            Some(rank) => ValueReason::Ranked {
                rank,
                before_share_bp: if total_fen > 0 {
                    (profit_before_fen as i128 * 10_000 / total_fen as i128) as i64
                } else {
                    0
                },
                a_share_bp: p.a_share_bp,
                b_share_bp: p.b_share_bp,
            },
        }
    }

    /// The class this reason gives (the same as [`classify`]'s).
    pub fn class(&self) -> ValueClass {
        match *self {
            ValueReason::Unranked => ValueClass::C,
            ValueReason::Ranked {
                before_share_bp,
                a_share_bp,
                ..
            } if before_share_bp < a_share_bp => ValueClass::A,
            ValueReason::Ranked {
                before_share_bp,
                b_share_bp,
                ..
            } if before_share_bp < b_share_bp => ValueClass::B,
            ValueReason::Ranked { .. } => ValueClass::C,
        }
    }
}

/// Why a customer is, or is not, warned about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChurnReason {
    /// Only current customers are warned about.
    NotCurrent,
    /// No shipments in the comparison window before.
    NoBase { days: i64 },
    /// `shipments` in the last `days` are `pct_of_prev` percent (rounded up) of
    /// `prev_shipments` in the `days` before; at or below `ratio_pct` is a warning.
    /// Rounded up, `pct_of_prev ≤ ratio_pct` exactly when the rule warns.
    Compared {
        days: i64,
        shipments: i64,
        prev_shipments: i64,
        pct_of_prev: i64,
        ratio_pct: i64,
    },
}

impl ChurnReason {
    pub fn of(p: &Policy, life: Lifecycle, shipments: i64, prev_shipments: i64) -> Self {
        if life != Lifecycle::Current {
            ChurnReason::NotCurrent
        } else if prev_shipments <= 0 {
            ChurnReason::NoBase { days: p.churn_days }
        } else {
            ChurnReason::Compared {
                days: p.churn_days,
                shipments,
                prev_shipments,
                pct_of_prev: (shipments * 100 + prev_shipments - 1) / prev_shipments,
                ratio_pct: p.churn_ratio_pct,
            }
        }
    }

    /// Whether this reason warns (the same answer as [`lifecycle`]).
    pub fn warns(&self) -> bool {
        matches!(self, ChurnReason::Compared { pct_of_prev, ratio_pct, .. } if pct_of_prev <= ratio_pct)
    }
}

/// Lifecycle and churn warning of one customer.
pub fn lifecycle(p: &Policy, f: &Figures) -> (Lifecycle, bool) {
    let life = if f.last_day.is_none() {
        Lifecycle::Prospective
    } else if f.current_shipments > 0 {
        Lifecycle::Current
    } else {
        Lifecycle::Past
    };
    let at_risk = life == Lifecycle::Current
        && f.churn_prev_shipments > 0
        && f.churn_shipments * 100 <= p.churn_ratio_pct * f.churn_prev_shipments;
    (life, at_risk)
}

/// Score of the customer at 0-based position `i` of `n`, sorted worst to best.
pub fn score(i: usize, n: usize) -> u8 {
    (5 * i / n.max(1) + 1) as u8
}

/// Whole days from day `last` to day `as_of` (both `YYYYMMDD`).
pub fn days_between(last: i32, as_of: i32) -> i64 {
    match (day_date(last), day_date(as_of)) {
        (Some(a), Some(b)) => (b - a).num_days(),
        _ => 0,
    }
}

/// Classifies every customer as of `w.as_of`. The order of `all` does not matter.
pub fn classify(p: &Policy, w: &Windows, all: &[Figures]) -> Vec<Verdict> {
    let n = all.len();
    // Value class: rank by profit desc, code asc, over customers with positive profit.
    let mut ranked: Vec<usize> = (0..n).filter(|&i| all[i].value_profit_fen > 0).collect();
    ranked.sort_by(|&a, &b| {
        all[b]
            .value_profit_fen
            .cmp(&all[a].value_profit_fen)
            .then_with(|| all[a].code.cmp(&all[b].code))
    });
    let total: i64 = ranked.iter().map(|&i| all[i].value_profit_fen).sum();
    let mut value = vec![(ValueClass::C, None, 0i64); n];
    let mut before: i64 = 0;
    for (pos, &i) in ranked.iter().enumerate() {
        // S < threshold ⟺ before × 10,000 < threshold × total (exact).
        let lhs = before as i128 * 10_000;
        let class = if lhs < p.a_share_bp as i128 * total as i128 {
            ValueClass::A
        } else if lhs < p.b_share_bp as i128 * total as i128 {
            ValueClass::B
        } else {
            ValueClass::C
        };
        value[i] = (class, Some(pos as i64 + 1), before);
        before += all[i].value_profit_fen;
    }
    // RFM over customers with a shipment in the RFM window.
    let scored: Vec<usize> = (0..n)
        .filter(|&i| all[i].rfm_shipments > 0 && all[i].last_day.is_some())
        .collect();
    let m = scored.len();
    let recency = |i: usize| days_between(all[i].last_day.unwrap_or(w.as_of), w.as_of);
    let mut scores = vec![(0u8, 0u8, 0u8); n];
    let by_code = |a: usize, b: usize| all[a].code.cmp(&all[b].code);
    let mut order = scored.clone();
    // R: most days first.
    order.sort_by(|&a, &b| recency(b).cmp(&recency(a)).then_with(|| by_code(a, b)));
    for (pos, &i) in order.iter().enumerate() {
        scores[i].0 = score(pos, m);
    }
    let mut rank_by = |key: &dyn Fn(usize) -> i64, slot: usize| {
        let mut order = scored.clone();
        order.sort_by(|&a, &b| match key(a).cmp(&key(b)) {
            Ordering::Equal => by_code(a, b),
            o => o,
        });
        for (pos, &i) in order.iter().enumerate() {
            let s = score(pos, m);
            if slot == 1 {
                scores[i].1 = s;
            } else {
                scores[i].2 = s;
            }
        }
    };
    rank_by(&|i| all[i].rfm_shipments, 1);
    rank_by(&|i| all[i].rfm_revenue_fen, 2);
    let mut is_scored = vec![false; n];
    for &i in &scored {
        is_scored[i] = true;
    }
    (0..n)
        .map(|i| {
            let f = &all[i];
            let (life, at_risk) = lifecycle(p, f);
            let (class, rank, before) = value[i];
            let rfm = is_scored[i].then(|| {
                let (r, fs, ms) = scores[i];
                Rfm {
                    recency_days: recency(i),
                    frequency: f.rfm_shipments,
                    monetary_fen: f.rfm_revenue_fen,
                    r,
                    f: fs,
                    m: ms,
                    n: m as i64,
                    segment: RfmSegment::of(r, fs, ms),
                }
            });
            Verdict {
                customer_id: f.customer_id,
                grade: grade_decided(p, f).0,
                grade_basis: grade_decided(p, f).1,
                value_class: class,
                value_rank: rank,
                value_ranked: ranked.len() as i64,
                profit_before_fen: before,
                profit_total_fen: total,
                lifecycle: life,
                at_risk,
                rfm,
                figures_last_day: f.last_day,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {

    /// The reasons an explanation is built from agree with the verdicts, case by case.
    #[test]
    fn typed_reasons_agree_with_the_rules() {
        for ratio in [0, 1, 29, 30, 31, 50, 99, 100] {
            let p = Policy {
                churn_ratio_pct: ratio,
                ..Policy::default()
            };
            for prev in 1..60 {
                for now in 0..130 {
                    let f = Figures {
                        last_day: Some(20260101),
                        current_shipments: 1,
                        churn_shipments: now,
                        churn_prev_shipments: prev,
                        ..Figures::default()
                    };
                    let (life, at_risk) = lifecycle(&p, &f);
                    let r = ChurnReason::of(&p, life, now, prev);
                    assert_eq!(r.warns(), at_risk, "ratio {ratio}, {now} vs {prev}: {r:?}");
                }
            }
        }
        let p = Policy::default();
        for shipments in 0..(3 * frequent_needed(&p)) {
            let f = Figures {
                kind: Some(CustomerKind::Individual),
                frequent_shipments: shipments,
                ..Figures::default()
            };
            let (g, basis) = grade_decided(&p, &f);
            match GradeReason::of(&p, basis, g, shipments, 0) {
                GradeReason::Frequency {
                    shipments, needed, ..
                } => {
                    assert_eq!(g == Grade::Frequent, shipments >= needed)
                }
                other => panic!("{other:?}"),
            }
        }
        for (level, grade) in [
            (GovLevel::National, Grade::GovA),
            (GovLevel::Provincial, Grade::GovB),
            (GovLevel::Municipal, Grade::GovC),
        ] {
            let f = Figures {
                kind: Some(CustomerKind::Government),
                gov_level: Some(level),
                grade_revenue_fen: 10 * p.large_revenue_fen,
                ..Figures::default()
            };
            let (g, basis) = grade_decided(&p, &f);
            assert_eq!(g, grade);
            assert_eq!(
                GradeReason::of(&p, basis, g, 0, 0),
                GradeReason::Level(level)
            );
        }
        let f = Figures {
            kind: Some(CustomerKind::Government),
            grade_revenue_fen: p.large_revenue_fen,
            ..Figures::default()
        };
        let (g, basis) = grade_decided(&p, &f);
        assert_eq!((g, basis), (Grade::GovA, GradeBasis::Revenue));
        assert!(matches!(
            GradeReason::of(&p, basis, g, 0, f.grade_revenue_fen),
            GradeReason::Revenue {
                government: true,
                ..
            }
        ));
    }

    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("present")
    }

    fn fig(code: &str, profit: i64) -> Figures {
        Figures {
            customer_id: code.trim_start_matches('C').parse().unwrap_or(0),
            code: code.into(),
            kind: Some(CustomerKind::Enterprise),
            last_day: Some(20251130),
            value_profit_fen: profit,
            rfm_shipments: 1,
            rfm_revenue_fen: profit.max(0),
            ..Default::default()
        }
    }

    #[test]
    fn windows_clamp_to_month_end_and_count_days() {
        let w = Policy::default().windows(d(2025, 5, 31));
        assert_eq!(w.as_of, 20250531);
        assert_eq!(w.frequent_from, 20250228); // 31 May − 3 months
        assert_eq!(w.value_from, 20240531);
        assert_eq!(w.current_from, 20250302); // 90 days before
        assert_eq!(w.churn_prev_from, 20241202); // 180 days before
        assert_eq!(w.earliest, 20240531);
        let leap = Policy::default().windows(d(2024, 5, 31));
        assert_eq!(leap.frequent_from, 20240229);
        let year_start = Policy::default().windows(d(2026, 1, 1));
        assert_eq!(year_start.value_from, 20250101);
        assert_eq!(year_start.frequent_from, 20251001);
    }

    #[test]
    fn trend_is_the_24_full_months_before() {
        assert_eq!(trend_months(20261201), (202412, 202612));
        assert_eq!(trend_months(20260115), (202401, 202601));
    }

    #[test]
    fn value_class_hand_computed() {
        // Profits 50, 30, 10, 5, 5, 0, −3: total positive 100.
        // C1 before 0% → A; C2 before 50% → A; C3 before 80% → B (not below 80%);
        // C4 before 90% → B; C5 before 95% → C; C6 zero → C; C7 negative → C.
        let all = vec![
            fig("C3", 10),
            fig("C1", 50),
            fig("C7", -3),
            fig("C2", 30),
            fig("C5", 5),
            fig("C4", 5),
            fig("C6", 0),
        ];
        let w = Policy::default().windows(d(2025, 12, 1));
        let v = classify(&Policy::default(), &w, &all);
        let class = |code: &str| {
            let i = all.iter().position(|f| f.code == code).expect("present");
            (v[i].value_class, v[i].value_rank, v[i].share_before_bp())
        };
        assert_eq!(class("C1"), (ValueClass::A, Some(1), 0));
        assert_eq!(class("C2"), (ValueClass::A, Some(2), 5_000));
        assert_eq!(class("C3"), (ValueClass::B, Some(3), 8_000));
        // Tie at 5: C4 before C5 by code.
        assert_eq!(class("C4"), (ValueClass::B, Some(4), 9_000));
        assert_eq!(class("C5"), (ValueClass::C, Some(5), 9_500));
        assert_eq!(class("C6"), (ValueClass::C, None, 0));
        assert_eq!(class("C7"), (ValueClass::C, None, 0));
    }

    #[test]
    fn grades_by_kind() {
        let p = Policy::default();
        let mut f = Figures {
            kind: Some(CustomerKind::Individual),
            frequent_shipments: 9,
            ..Default::default()
        };
        assert_eq!(grade(&p, &f), Grade::Frequent);
        f.frequent_shipments = 8;
        assert_eq!(grade(&p, &f), Grade::Occasional);
        f.kind = Some(CustomerKind::Enterprise);
        f.grade_revenue_fen = 50_000_000;
        assert_eq!(grade(&p, &f), Grade::Large);
        f.grade_revenue_fen = 49_999_999;
        assert_eq!(grade(&p, &f), Grade::Medium);
        f.grade_revenue_fen = 9_999_999;
        assert_eq!(grade(&p, &f), Grade::Small);
        f.kind = Some(CustomerKind::Government);
        assert_eq!(grade(&p, &f), Grade::GovC);
        f.gov_level = Some(GovLevel::National);
        assert_eq!(grade(&p, &f), Grade::GovA);
        f.gov_level = Some(GovLevel::Provincial);
        assert_eq!(grade(&p, &f), Grade::GovB);
    }

    #[test]
    fn lifecycle_and_churn() {
        let p = Policy::default();
        let mut f = Figures::default();
        assert_eq!(lifecycle(&p, &f), (Lifecycle::Prospective, false));
        f.last_day = Some(20240101);
        assert_eq!(lifecycle(&p, &f), (Lifecycle::Past, false));
        f.current_shipments = 7;
        f.churn_shipments = 7;
        f.churn_prev_shipments = 10;
        assert_eq!(lifecycle(&p, &f), (Lifecycle::Current, true)); // exactly 70%
        f.churn_shipments = 8;
        assert_eq!(lifecycle(&p, &f), (Lifecycle::Current, false));
        f.churn_prev_shipments = 0;
        f.churn_shipments = 0;
        assert_eq!(lifecycle(&p, &f), (Lifecycle::Current, false)); // never at risk
    }

    #[test]
    fn rfm_scores_with_n_not_divisible_by_five() {
        // 7 customers: positions 0..6 score floor(5i/7)+1 = 1,1,2,3,3,4,5.
        let got: Vec<u8> = (0..7).map(|i| score(i, 7)).collect();
        assert_eq!(got, vec![1, 1, 2, 3, 3, 4, 5]);
        let mut all: Vec<Figures> = (1..=7).map(|i| fig(&format!("C{i}"), i * 10)).collect();
        for (i, f) in all.iter_mut().enumerate() {
            f.rfm_shipments = 1 + i as i64;
            // C1 shipped longest ago.
            f.last_day = Some(20251101 + i as i32);
        }
        let w = Policy::default().windows(d(2025, 12, 1));
        let v = classify(&Policy::default(), &w, &all);
        let r: Vec<u8> = v.iter().map(|x| x.rfm.expect("present").r).collect();
        assert_eq!(r, vec![1, 1, 2, 3, 3, 4, 5]);
        assert_eq!(v[0].rfm.expect("present").recency_days, 30);
        assert_eq!(v[6].rfm.expect("present").segment, RfmSegment::Champions);
        assert_eq!(v[0].rfm.expect("present").segment, RfmSegment::Lost);
    }

    #[test]
    fn every_score_combination_has_a_segment() {
        let mut seen = std::collections::HashSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    seen.insert(RfmSegment::of(r, f, m));
                }
            }
        }
        assert_eq!(seen.len(), RfmSegment::ALL.len());
    }

    #[test]
    fn default_policy_is_valid_and_bad_ones_are_named() {
        assert!(Policy::default().validate().is_ok());
        let bad = Policy {
            a_share_bp: 9_000,
            b_share_bp: 8_000,
            medium_revenue_fen: 60_000_000,
            ..Policy::default()
        };
        let e = bad.validate().expect_err("invalid");
        let fields: Vec<&str> = e.iter().map(|x| x.field).collect();
        assert_eq!(fields, vec!["large_revenue_fen", "b_share_bp"]);
    }

    fn figures() -> impl Strategy<Value = Vec<Figures>> {
        prop::collection::vec((-50i64..200, 0i64..6, 0i64..40), 1..60).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (profit, ships, age))| Figures {
                    customer_id: i as i64,
                    code: format!("C{:03}", (i * 37) % 101),
                    kind: Some(CustomerKind::Enterprise),
                    last_day: (ships > 0).then_some(20251130 - age as i32 % 28),
                    value_profit_fen: profit,
                    rfm_shipments: ships,
                    rfm_revenue_fen: profit.max(0) * 3,
                    ..Default::default()
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn value_classes_follow_the_shares(all in figures()) {
            let p = Policy::default();
            let w = p.windows(d(2025, 12, 1));
            let v = classify(&p, &w, &all);
            let total: i64 = all.iter().map(|f| f.value_profit_fen.max(0)).sum();
            for (f, x) in all.iter().zip(&v) {
                if f.value_profit_fen <= 0 {
                    prop_assert_eq!(x.value_class, ValueClass::C);
                    prop_assert_eq!(x.value_rank, None);
                    continue;
                }
                // Before = profit of those strictly ahead (higher profit, or equal and a
                // smaller code).
                let before: i64 = all.iter().filter(|g| g.value_profit_fen > 0 && (
                    g.value_profit_fen > f.value_profit_fen
                    || (g.value_profit_fen == f.value_profit_fen && g.code < f.code)
                )).map(|g| g.value_profit_fen).sum();
                prop_assert_eq!(x.profit_before_fen, before);
                let s = before as f64 / total as f64;
                let want = if before * 10 < total * 8 { ValueClass::A }
                    else if before * 100 < total * 95 { ValueClass::B } else { ValueClass::C };
                prop_assert_eq!(x.value_class, want, "share {}", s);
                // The explanation's reason gives the same class from the same integers.
                let reason = ValueReason::of(&p, x.value_rank, x.profit_before_fen, total);
                prop_assert_eq!(reason.class(), want, "{:?}", reason);
            }
            // Ranks are 1..=k without gaps.
            let mut ranks: Vec<i64> = v.iter().filter_map(|x| x.value_rank).collect();
            ranks.sort_unstable();
            prop_assert!(ranks.iter().enumerate().all(|(i, r)| *r == i as i64 + 1));
        }

        #[test]
        fn rfm_scores_are_balanced_and_monotone(all in figures()) {
            let p = Policy::default();
            let w = p.windows(d(2025, 12, 1));
            let v = classify(&p, &w, &all);
            let scored: Vec<(&Figures, Rfm)> = all.iter().zip(&v)
                .filter_map(|(f, x)| x.rfm.map(|r| (f, r))).collect();
            let n = scored.len();
            prop_assert_eq!(n, all.iter().filter(|f| f.rfm_shipments > 0).count());
            for k in 1..=5u8 {
                // Each score holds the positions i with floor(5i/n)+1 = k.
                let want = (0..n).filter(|&i| score(i, n) == k).count();
                prop_assert_eq!(scored.iter().filter(|(_, r)| r.f == k).count(), want);
                prop_assert_eq!(scored.iter().filter(|(_, r)| r.m == k).count(), want);
                prop_assert_eq!(scored.iter().filter(|(_, r)| r.r == k).count(), want);
            }
            for (a, ra) in &scored {
                for (b, rb) in &scored {
                    if a.rfm_shipments < b.rfm_shipments { prop_assert!(ra.f <= rb.f); }
                    if ra.recency_days > rb.recency_days { prop_assert!(ra.r <= rb.r); }
                    if a.rfm_revenue_fen < b.rfm_revenue_fen { prop_assert!(ra.m <= rb.m); }
                }
            }
        }
    }
}
