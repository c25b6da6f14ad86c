//! Follow-ups (SPEC §5): the interaction log's vocabulary, follow-up tasks and the plan
//! that makes them — regular visits by value class (定期回访), a callback after every
//! closed complaint, and a call to every customer the classification flags at risk.

use crate::classify::ValueClass;
use crate::customer::vocabulary;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

vocabulary!(
    /// How the company was in touch with the customer.
    InteractionKind, "interaction", {
        Call => "call",
        Visit => "visit",
        Email => "email",
        Meeting => "meeting",
        Wechat => "wechat",
    }
);

vocabulary!(
    /// Why a task exists.
    TaskKind, "task_kind", {
        FollowUp => "follow_up",
        ComplaintCallback => "complaint_callback",
        AtRisk => "at_risk",
        // A survey answered with a low score (CSAT ≤ 2 or NPS ≤ 6).
        SurveyCallback => "survey_callback",
        // An account manager asked for a change of a customer's credit terms.
        CreditReview => "credit_review",
        // An overdue account to collect (欠账追收).
        Collection => "collection",
        Manual => "manual",
    }
);

vocabulary!(
    TaskStatus, "task_status", {
        Open => "open",
        Done => "done",
        Cancelled => "cancelled",
    }
);

/// How often each value class is visited, and how soon the other follow-ups fall due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FollowUpPolicy {
    /// Days between follow-ups of an A (key) customer.
    pub a_days: i64,
    pub b_days: i64,
    pub c_days: i64,
    /// Days after a complaint is closed that its callback falls due.
    pub after_complaint_days: i64,
    /// Days after a customer is flagged at risk that its call falls due.
    pub at_risk_days: i64,
    /// Who calls customers of the pool (公海) that are flagged at risk: a user's id. None:
    /// the manager of the highest unit that has one (the pool's team lead), else an admin.
    pub pool_assignee: Option<i64>,
}

impl Default for FollowUpPolicy {
    fn default() -> Self {
        FollowUpPolicy {
            a_days: 30,
            b_days: 90,
            c_days: 180,
            after_complaint_days: 7,
            at_risk_days: 3,
            pool_assignee: None,
        }
    }
}

impl FollowUpPolicy {
    /// The fields out of range (1 to 730 days).
    pub fn validate(&self) -> Vec<&'static str> {
        [
            ("a_days", self.a_days),
            ("b_days", self.b_days),
            ("c_days", self.c_days),
            ("after_complaint_days", self.after_complaint_days),
            ("at_risk_days", self.at_risk_days),
        ]
        .into_iter()
        .filter(|(_, d)| !(1..=730).contains(d))
        .map(|(f, _)| f)
        .collect()
    }

    pub fn cadence(&self, vc: ValueClass) -> i64 {
        match vc {
            ValueClass::A => self.a_days,
            ValueClass::B => self.b_days,
            ValueClass::C => self.c_days,
        }
    }

    /// When a customer's next regular follow-up falls due: a cadence after the last
    /// interaction, or today when there never was one or it is already overdue.
    pub fn next_due(&self, vc: ValueClass, last: Option<NaiveDate>, today: NaiveDate) -> NaiveDate {
        match last {
            Some(d) => (d + Duration::days(self.cadence(vc))).max(today),
            None => today,
        }
    }
}

/// Where a task stands on a list as of `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    Overdue,
    Today,
    Upcoming,
}

impl Due {
    pub fn of(due: NaiveDate, today: NaiveDate) -> Due {
        match due.cmp(&today) {
            std::cmp::Ordering::Less => Due::Overdue,
            std::cmp::Ordering::Equal => Due::Today,
            std::cmp::Ordering::Greater => Due::Upcoming,
        }
    }
}

/// How far ahead a task list's "upcoming" reaches when it does not say (days).
pub const UPCOMING_DAYS: i64 = 14;

/// How far ahead "upcoming" reaches: the days asked for, 1 to 366, or the default.
pub fn upcoming_days(days: Option<i64>) -> Result<i64, &'static str> {
    match days {
        None => Ok(UPCOMING_DAYS),
        Some(d) if (1..=366).contains(&d) => Ok(d),
        Some(_) => Err("err.invalid_number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn cadence_by_value_class() {
        let p = FollowUpPolicy::default();
        assert!(p.validate().is_empty());
        let today = d("2026-12-01");
        assert_eq!(
            p.next_due(ValueClass::A, Some(d("2026-11-20")), today),
            d("2026-12-20")
        );
        assert_eq!(
            p.next_due(ValueClass::B, Some(d("2026-11-20")), today),
            d("2027-02-18")
        );
        // Overdue or never: today.
        assert_eq!(
            p.next_due(ValueClass::A, Some(d("2026-09-01")), today),
            today
        );
        assert_eq!(p.next_due(ValueClass::C, None, today), today);
        assert_eq!(Due::of(d("2026-11-30"), today), Due::Overdue);
        assert_eq!(Due::of(today, today), Due::Today);
        let bad = FollowUpPolicy {
            a_days: 0,
            at_risk_days: 1000,
            ..p
        };
        assert_eq!(bad.validate(), ["a_days", "at_risk_days"]);
    }
}
