//! Credit management (SPEC §8): a customer's credit account (monthly settlement, limit,
//! term, rating, hold policy), its exposure, the status that exposure gives against the
//! limit, and which shipments go on hold.
//!
//! Exposure = what the customer's invoices still ask for (invoices less payments) plus the
//! revenue of shipments not invoiced yet, never below zero. A shipment counts as invoiced
//! once an invoice covers its order day: a monthly statement (`period` set) covers its
//! whole month, any other invoice the days up to and including its issue day. So each
//! account keeps the first day not billed yet, and the revenue of shipments ordered on or
//! after it.

pub mod assessment;
pub mod ratios;

use crate::ops::Fen;
use serde::{Deserialize, Serialize};

/// What happens to shipments of a customer over its limit.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HoldPolicy {
    /// The customer is flagged; shipments go through.
    #[default]
    Warn,
    /// The shipment that takes exposure over the limit and every new one while it stays
    /// over is stored on hold until a credit officer releases it.
    Block,
}

impl HoldPolicy {
    pub const ALL: &'static [HoldPolicy] = &[HoldPolicy::Warn, HoldPolicy::Block];

    pub fn as_str(self) -> &'static str {
        match self {
            HoldPolicy::Warn => "warn",
            HoldPolicy::Block => "block",
        }
    }

    pub fn parse(s: &str) -> Option<HoldPolicy> {
        HoldPolicy::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            HoldPolicy::Warn => "credit.policy.warn",
            HoldPolicy::Block => "credit.policy.block",
        }
    }
}

/// Where exposure stands against the limit.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CreditStatus {
    /// No limit, or under the warning share of it.
    Ok,
    /// At or over the warning share (80 % by default), not over the limit.
    Warning,
    /// Over the limit.
    Over,
}

impl CreditStatus {
    pub const ALL: &'static [CreditStatus] =
        &[CreditStatus::Ok, CreditStatus::Warning, CreditStatus::Over];

    pub fn as_str(self) -> &'static str {
        match self {
            CreditStatus::Ok => "ok",
            CreditStatus::Warning => "warning",
            CreditStatus::Over => "over",
        }
    }

    pub fn parse(s: &str) -> Option<CreditStatus> {
        CreditStatus::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            CreditStatus::Ok => "credit.status.ok",
            CreditStatus::Warning => "credit.status.warning",
            CreditStatus::Over => "credit.status.over",
        }
    }

    /// 0, 1, 2: what a stored notification level compares against.
    pub fn level(self) -> i32 {
        match self {
            CreditStatus::Ok => 0,
            CreditStatus::Warning => 1,
            CreditStatus::Over => 2,
        }
    }

    /// The status of `exposure` against `limit` (none: no limit) with the warning at
    /// `warn_percent` of it.
    pub fn of(exposure: Fen, limit: Option<Fen>, warn_percent: i64) -> CreditStatus {
        let Some(limit) = limit else {
            return CreditStatus::Ok;
        };
        if exposure > limit {
            CreditStatus::Over
        } else if i128::from(exposure.get()) * 100
            >= i128::from(limit.get()) * i128::from(warn_percent)
            && exposure > Fen::ZERO
        {
            CreditStatus::Warning
        } else {
            CreditStatus::Ok
        }
    }
}

/// The company's credit policy: the warning share and what a new account starts with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CreditPolicy {
    /// Percent of the limit at which the customer is warned and its owner notified
    /// (50 to 100).
    pub warn_percent: i64,
    /// Credit period of a new monthly-settlement account, in days (0 to 365).
    pub default_term_days: i64,
    /// Hold policy of a new account.
    pub default_policy: HoldPolicy,
    /// Days past due of a customer's oldest unpaid invoice at which its owner gets a
    /// collection task (1 to 365).
    pub remind_after_days: i64,
    /// Days past due at which the collection is escalated to the unit's managers (more
    /// than the reminder's, up to 365).
    pub escalate_after_days: i64,
}

impl Default for CreditPolicy {
    fn default() -> Self {
        CreditPolicy {
            warn_percent: 80,
            default_term_days: 30,
            default_policy: HoldPolicy::Warn,
            remind_after_days: 7,
            escalate_after_days: 30,
        }
    }
}

impl CreditPolicy {
    /// The terms a customer without an account stands on: pays per shipment, no limit,
    /// not rated, the policy's credit period and hold policy.
    pub fn default_terms(&self) -> Terms {
        Terms {
            monthly_settlement: false,
            limit_fen: None,
            term_days: self.default_term_days,
            rating: String::new(),
            policy: self.default_policy,
        }
    }

    /// The fields out of range.
    pub fn validate(&self) -> Vec<&'static str> {
        let mut bad = Vec::new();
        if !(50..=100).contains(&self.warn_percent) {
            bad.push("warn_percent");
        }
        if !(0..=365).contains(&self.default_term_days) {
            bad.push("default_term_days");
        }
        if !(1..=365).contains(&self.remind_after_days) {
            bad.push("remind_after_days");
        }
        if !(1..=365).contains(&self.escalate_after_days)
            || self.escalate_after_days <= self.remind_after_days
        {
            bad.push("escalate_after_days");
        }
        bad
    }
}

/// The largest limit taken: ¥1,000,000,000,000 (sums and shares of it stay exact).
pub const MAX_LIMIT: Fen = Fen(100_000_000_000_000);

/// A credit rating: A (best) to D.
pub const RATINGS: &[&str] = &["A", "B", "C", "D"];

/// The terms set on an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub monthly_settlement: bool,
    /// None: no limit (exposure is still kept).
    pub limit_fen: Option<Fen>,
    pub term_days: i64,
    /// One of [`RATINGS`], or empty when not rated.
    pub rating: String,
    pub policy: HoldPolicy,
}

impl Terms {
    /// The broken fields and why.
    pub fn check(&self) -> Vec<(&'static str, &'static str)> {
        let mut bad = Vec::new();
        if self
            .limit_fen
            .is_some_and(|l| l < Fen::ZERO || l > MAX_LIMIT)
        {
            bad.push(("limit_fen", "err.credit_limit"));
        }
        if !(0..=365).contains(&self.term_days) {
            bad.push(("term_days", "err.credit_term"));
        }
        if !self.rating.is_empty() && !RATINGS.contains(&self.rating.as_str()) {
            bad.push(("rating", "err.credit_rating"));
        }
        bad
    }
}

/// The sums exposure is made of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sums {
    /// Invoices less credit notes.
    pub invoiced: Fen,
    pub paid: Fen,
    /// Revenue of shipments ordered on or after the first day not billed.
    pub uninvoiced: Fen,
}

impl Sums {
    /// Invoices not paid yet (none when payments cover them).
    pub fn unpaid(&self) -> Fen {
        (self.invoiced - self.paid).max(Fen::ZERO)
    }
    /// Payments beyond every invoice (a credit balance: it offsets uninvoiced revenue).
    pub fn prepaid(&self) -> Fen {
        (self.paid - self.invoiced).max(Fen::ZERO)
    }
    pub fn exposure(&self) -> Fen {
        (self.invoiced - self.paid + self.uninvoiced).max(Fen::ZERO)
    }
}

/// Exposure as a share of the limit (1.0 = at the limit); none without a limit, and
/// none for a zero limit with no exposure.
pub fn utilization(exposure: Fen, limit: Option<Fen>) -> Option<f64> {
    let limit = limit?;
    if limit == Fen::ZERO {
        return (exposure > Fen::ZERO)
            .then_some(f64::INFINITY)
            .or(Some(0.0));
    }
    Some(exposure.get() as f64 / limit.get() as f64)
}

/// The first day (`YYYYMMDD`) an invoice leaves unbilled: the first of the month after
/// its period, or the day after its local issue day.
pub fn billed_from(period: &str, issue_day: i32) -> i32 {
    if let Some((y, m)) = period
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<i32>().ok()?)))
    {
        let (y, m) = if m >= 12 { (y + 1, 1) } else { (y, m + 1) };
        return y * 10_000 + m * 100 + 1;
    }
    next_day(issue_day)
}

fn next_day(day: i32) -> i32 {
    let (y, m, d) = (day / 10_000, (day / 100) % 100, day % 100);
    chrono::NaiveDate::from_ymd_opt(y, m as u32, d as u32)
        .and_then(|x| x.succ_opt())
        .map(|n| {
            use chrono::Datelike;
            n.year() * 10_000 + n.month() as i32 * 100 + n.day() as i32
        })
        .unwrap_or(day + 1)
}

/// What deciding holds needs of an account: its limit, policy, exposure so far and its
/// first unbilled day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    pub limit: Option<Fen>,
    pub policy: HoldPolicy,
    pub sums: Sums,
    pub billed_from: i32,
}

impl Guard {
    /// What a shipment ordered on `day` for `revenue` adds to uninvoiced revenue.
    pub fn uninvoiced(&self, day: i32, revenue: Fen) -> Fen {
        if day >= self.billed_from {
            revenue
        } else {
            Fen::ZERO
        }
    }

    /// Takes a written shipment into the exposure (`delta`: what it adds to uninvoiced
    /// revenue, negative when it lowers it) and says whether it goes on hold: under the
    /// block policy, a new shipment while exposure is over the limit after it, or a
    /// changed one that raises exposure over it.
    pub fn admit(&mut self, delta: Fen, new: bool) -> bool {
        self.sums.uninvoiced += delta;
        let Some(limit) = self.limit else {
            return false;
        };
        self.policy == HoldPolicy::Block
            && self.sums.exposure() > limit
            && (new || delta > Fen::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_against_the_limit() {
        let l = Some(Fen(10_000));
        assert_eq!(CreditStatus::of(Fen(7_999), l, 80), CreditStatus::Ok);
        assert_eq!(CreditStatus::of(Fen(8_000), l, 80), CreditStatus::Warning);
        assert_eq!(CreditStatus::of(Fen(10_000), l, 80), CreditStatus::Warning);
        assert_eq!(CreditStatus::of(Fen(10_001), l, 80), CreditStatus::Over);
        assert_eq!(CreditStatus::of(Fen(99_999), None, 80), CreditStatus::Ok);
        assert_eq!(CreditStatus::of(Fen(0), Some(Fen(0)), 80), CreditStatus::Ok);
        assert_eq!(
            CreditStatus::of(Fen(1), Some(Fen(0)), 80),
            CreditStatus::Over
        );
    }

    #[test]
    fn exposure_offsets_prepayments() {
        let s = Sums {
            invoiced: Fen(5_000),
            paid: Fen(2_000),
            uninvoiced: Fen(1_000),
        };
        assert_eq!(
            (s.unpaid(), s.prepaid(), s.exposure()),
            (Fen(3_000), Fen(0), Fen(4_000))
        );
        let s = Sums {
            invoiced: Fen(5_000),
            paid: Fen(6_500),
            uninvoiced: Fen(1_000),
        };
        assert_eq!(
            (s.unpaid(), s.prepaid(), s.exposure()),
            (Fen(0), Fen(1_500), Fen(0))
        );
        assert_eq!(utilization(Fen(5), None), None);
        assert_eq!(utilization(Fen(5), Some(Fen(10))), Some(0.5));
        assert_eq!(utilization(Fen(0), Some(Fen(0))), Some(0.0));
        assert_eq!(utilization(Fen(1), Some(Fen(0))), Some(f64::INFINITY));
    }

    #[test]
    fn what_an_invoice_covers() {
        assert_eq!(billed_from("2026-10", 20261105), 20261101);
        assert_eq!(billed_from("2026-12", 20270105), 20270101);
        assert_eq!(billed_from("", 20261031), 20261101);
        assert_eq!(billed_from("", 20261231), 20270101);
        assert_eq!(billed_from("", 20240228), 20240229);
    }

    #[test]
    fn holds_from_the_shipment_that_crosses() {
        let mut g = Guard {
            limit: Some(Fen(1_000)),
            policy: HoldPolicy::Block,
            sums: Sums {
                invoiced: Fen(500),
                paid: Fen(0),
                uninvoiced: Fen(0),
            },
            billed_from: 20261101,
        };
        assert_eq!(g.uninvoiced(20261031, Fen(300)), Fen(0));
        assert!(!g.admit(g.uninvoiced(20261102, Fen(400)), true));
        assert!(g.admit(g.uninvoiced(20261102, Fen(200)), true), "crosses");
        assert!(g.admit(Fen(0), true), "still over: a new one is held");
        assert!(!g.admit(Fen(-50), false), "a lowered one is not");
        g.sums.paid = Fen(600);
        assert!(!g.admit(Fen(100), true), "paid down");
        g.policy = HoldPolicy::Warn;
        assert!(!g.admit(Fen(10_000), true));
    }

    #[test]
    fn policies_out_of_range_are_named_not_overflowed() {
        let p = CreditPolicy {
            remind_after_days: i64::MAX,
            escalate_after_days: 0,
            warn_percent: 0,
            ..CreditPolicy::default()
        };
        assert_eq!(
            p.validate(),
            vec!["warn_percent", "remind_after_days", "escalate_after_days"]
        );
        assert!(CreditPolicy::default().validate().is_empty());
    }

    #[test]
    fn terms_are_checked() {
        let t = Terms {
            monthly_settlement: true,
            limit_fen: Some(Fen(-1)),
            term_days: 400,
            rating: "E".into(),
            policy: HoldPolicy::Block,
        };
        assert_eq!(
            t.check(),
            vec![
                ("limit_fen", "err.credit_limit"),
                ("term_days", "err.credit_term"),
                ("rating", "err.credit_rating")
            ]
        );
    }
}
