//! The service desk's rules (SPEC §4): ticket vocabulary, the complaint workflow of the
//! seed (登记 → 调查 → 处理 → 回访确认 → 关闭, a failed callback reopening it), and SLA
//! deadlines counted in business time by the customer's value class, grade and the
//! ticket's severity.

use crate::classify::{Grade, ValueClass};
use crate::customer::vocabulary;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

vocabulary!(
    /// What the customer wants (咨询 / 投诉 / 索赔 / 建议).
    TicketKind, "ticket_kind", {
        Inquiry => "inquiry",
        Complaint => "complaint",
        Claim => "claim",
        Suggestion => "suggestion",
    }
);

vocabulary!(
    /// Where the ticket came in.
    Channel, "channel", {
        Phone => "phone",
        Email => "email",
        Portal => "portal",
        Wechat => "wechat",
        Visit => "visit",
    }
);

vocabulary!(
    /// How urgent it is.
    Severity, "severity", {
        Critical => "critical",
        High => "high",
        Normal => "normal",
        Low => "low",
    }
);

vocabulary!(
    /// Where the ticket stands in the workflow.
    Status, "ticket_status", {
        Registered => "registered",
        Investigating => "investigating",
        Resolved => "resolved",
        Confirmed => "confirmed",
        Closed => "closed",
    }
);

vocabulary!(
    /// What moves a ticket on.
    Action, "ticket_action", {
        Investigate => "investigate",
        Resolve => "resolve",
        Confirm => "confirm",
        CallbackFailed => "callback_failed",
        Close => "close",
    }
);

vocabulary!(
    /// Root cause, recorded on resolution.
    RootCause, "root_cause", {
        Delay => "delay",
        Damage => "damage",
        Loss => "loss",
        WrongDelivery => "wrong_delivery",
        Billing => "billing",
        StaffConduct => "staff_conduct",
        Information => "information",
        CustomerSide => "customer_side",
        ThirdParty => "third_party",
        Other => "other",
    }
);

impl Status {
    /// Still needs work (the resolution clock runs while registered or investigating).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed)
    }
}

impl Action {
    /// The status an action leads to from `from`, or `None` when the workflow does not
    /// allow it there.
    pub fn apply(self, from: Status) -> Option<Status> {
        use Action::*;
        use Status::*;
        match (from, self) {
            (Registered, Investigate) => Some(Investigating),
            (Investigating, Resolve) => Some(Resolved),
            (Resolved, Confirm) => Some(Confirmed),
            // 回访不满意: back to investigation, the resolution clock running again.
            (Resolved, CallbackFailed) => Some(Investigating),
            (Confirmed, Close) => Some(Closed),
            _ => None,
        }
    }

    /// The actions the workflow allows from `from`, in the order a page offers them.
    pub fn allowed(from: Status) -> Vec<Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(|a| a.apply(from).is_some())
            .collect()
    }

    /// The action must carry a note (what was found, what the customer said).
    pub fn needs_note(self) -> bool {
        matches!(
            self,
            Action::Resolve | Action::Confirm | Action::CallbackFailed
        )
    }
}

/// Business hours and the company's calendar (法定节假日 and 调休 working days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Calendar {
    /// Start of the working day, "HH:MM".
    pub day_start: String,
    /// End of the working day, "HH:MM".
    pub day_end: String,
    /// Working weekdays, 1 = Monday … 7 = Sunday.
    pub workdays: Vec<u8>,
    /// Days off that would otherwise be working days (public holidays).
    pub holidays: Vec<NaiveDate>,
    /// Working days that would otherwise be off (调休 make-up days).
    pub extra_workdays: Vec<NaiveDate>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            day_start: "09:00".into(),
            day_end: "18:00".into(),
            workdays: vec![1, 2, 3, 4, 5],
            holidays: Vec::new(),
            extra_workdays: Vec::new(),
        }
    }
}

/// First-response and resolution targets in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
}

/// The SLA policy: targets by value class and severity (business minutes), a
/// percentage by grade, severities that run on the clock rather than business hours,
/// and the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SlaPolicy {
    /// value class ("a", "b", "c") → severity → target.
    #[serde(deserialize_with = "crate::objects::nested")]
    pub targets: BTreeMap<String, BTreeMap<String, Target>>,
    /// Grade → percentage of the value class's target (100 = as is, 80 = a fifth sooner).
    pub grade_percent: BTreeMap<String, i64>,
    /// Severities whose deadlines run round the clock (货物丢失 does not wait for Monday).
    pub calendar_severities: Vec<String>,
    /// Value class assumed for a customer not yet classified.
    pub unclassified_as: String,
    #[serde(deserialize_with = "crate::objects::object")]
    pub calendar: Calendar,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        let t = |f, r| Target {
            first_response_minutes: f,
            resolution_minutes: r,
        };
        let row = |c: [Target; 4]| -> BTreeMap<String, Target> {
            Severity::ALL
                .iter()
                .zip(c)
                .map(|(s, t)| (s.as_str().to_string(), t))
                .collect()
        };
        let mut targets = BTreeMap::new();
        targets.insert(
            "a".into(),
            row([t(30, 240), t(60, 480), t(120, 960), t(240, 1440)]),
        );
        targets.insert(
            "b".into(),
            row([t(60, 480), t(120, 960), t(240, 1440), t(480, 2400)]),
        );
        targets.insert(
            "c".into(),
            row([t(120, 960), t(240, 1440), t(480, 2400), t(960, 4320)]),
        );
        let grade_percent = [("large", 80), ("gov_a", 80)]
            .into_iter()
            .map(|(g, p)| (g.to_string(), p))
            .collect();
        SlaPolicy {
            targets,
            grade_percent,
            calendar_severities: vec!["critical".into()],
            unclassified_as: "c".into(),
            calendar: Calendar::default(),
        }
    }
}

/// Why a policy was refused: the field (dotted path) and a message key with its argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub field: String,
    pub key: &'static str,
}

fn parse_hm(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

impl SlaPolicy {
    /// Every problem, so a form can mark each field.
    pub fn validate(&self) -> Vec<PolicyError> {
        let mut out = Vec::new();
        let mut err = |field: String, key: &'static str| out.push(PolicyError { field, key });
        for vc in ValueClass::ALL {
            for sev in Severity::ALL {
                let field = format!("targets.{}.{}", vc.as_str(), sev.as_str());
                match self
                    .targets
                    .get(vc.as_str())
                    .and_then(|r| r.get(sev.as_str()))
                {
                    None => err(field, "err.sla.missing_target"),
                    Some(t) => {
                        if !(1..=60 * 24 * 60).contains(&t.first_response_minutes) {
                            err(format!("{field}.first_response_minutes"), "err.sla.minutes");
                        }
                        if !(1..=60 * 24 * 60).contains(&t.resolution_minutes) {
                            err(format!("{field}.resolution_minutes"), "err.sla.minutes");
                        } else if t.resolution_minutes < t.first_response_minutes {
                            err(
                                format!("{field}.resolution_minutes"),
                                "err.sla.resolution_before_response",
                            );
                        }
                    }
                }
            }
        }
        for k in self.targets.keys() {
            if ValueClass::parse(k).is_none() {
                err(format!("targets.{k}"), "err.sla.unknown_value_class");
            }
        }
        for (g, p) in &self.grade_percent {
            if Grade::parse(g).is_none() {
                err(format!("grade_percent.{g}"), "err.sla.unknown_grade");
            } else if !(10..=500).contains(p) {
                err(format!("grade_percent.{g}"), "err.sla.percent");
            }
        }
        for s in &self.calendar_severities {
            if Severity::parse(s).is_none() {
                err("calendar_severities".into(), "err.sla.unknown_severity");
            }
        }
        if ValueClass::parse(&self.unclassified_as).is_none() {
            err("unclassified_as".into(), "err.sla.unknown_value_class");
        }
        let c = &self.calendar;
        match (parse_hm(&c.day_start), parse_hm(&c.day_end)) {
            (None, _) => err("calendar.day_start".into(), "err.sla.time"),
            (_, None) => err("calendar.day_end".into(), "err.sla.time"),
            (Some(a), Some(b)) if b <= a => err("calendar.day_end".into(), "err.sla.day_order"),
            _ => {}
        }
        if c.workdays.is_empty() || c.workdays.iter().any(|d| !(1..=7).contains(d)) {
            err("calendar.workdays".into(), "err.sla.workdays");
        }
        out
    }

    /// The target for a customer of value class `vc` (None: not yet classified) and
    /// grade `grade`, for a ticket of severity `sev`, after the grade's percentage.
    pub fn target(&self, vc: Option<ValueClass>, grade: Option<Grade>, sev: Severity) -> Target {
        let vc = vc
            .map(|v| v.as_str().to_string())
            .unwrap_or_else(|| self.unclassified_as.clone());
        let base = self
            .targets
            .get(&vc)
            .and_then(|r| r.get(sev.as_str()))
            .copied()
            .unwrap_or(Target {
                first_response_minutes: 480,
                resolution_minutes: 2400,
            });
        let pct = grade
            .and_then(|g| self.grade_percent.get(g.as_str()))
            .copied()
            .unwrap_or(100);
        let scale = |m: i64| (m * pct + 50) / 100;
        Target {
            first_response_minutes: scale(base.first_response_minutes).max(1),
            resolution_minutes: scale(base.resolution_minutes).max(1),
        }
    }

    pub fn runs_on_clock(&self, sev: Severity) -> bool {
        self.calendar_severities.iter().any(|s| s == sev.as_str())
    }

    /// The deadline `minutes` after `start` (local wall time): business minutes, or
    /// plain minutes for severities that run on the clock.
    pub fn deadline(&self, sev: Severity, start: NaiveDateTime, minutes: i64) -> NaiveDateTime {
        if self.runs_on_clock(sev) {
            start + Duration::minutes(minutes)
        } else {
            self.calendar.add_business_minutes(start, minutes)
        }
    }
}

impl Calendar {
    fn hours(&self) -> (NaiveTime, NaiveTime) {
        let a = parse_hm(&self.day_start).unwrap_or(NaiveTime::MIN);
        let b = parse_hm(&self.day_end)
            .filter(|b| *b > a)
            .unwrap_or_else(|| NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN));
        (a, b)
    }

    /// A working day: a listed weekday that is not a holiday, or a make-up working day.
    pub fn is_workday(&self, d: NaiveDate) -> bool {
        if self.extra_workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        let wd = d.weekday().number_from_monday() as u8;
        self.workdays.contains(&wd)
    }

    /// `minutes` of working time after `start`: time outside business hours or on days
    /// off does not count. A start outside hours counts from the next opening.
    pub fn add_business_minutes(&self, start: NaiveDateTime, minutes: i64) -> NaiveDateTime {
        let (open, close) = self.hours();
        let mut left = minutes.max(0);
        let mut day = start.date();
        let mut at = start.time();
        let holidays: BTreeSet<NaiveDate> = self.holidays.iter().copied().collect();
        // A calendar with no working day at all would never end; the policy check
        // refuses it, and this bound keeps a bad one from hanging.
        for _ in 0..3660 {
            let working = self.extra_workdays.contains(&day)
                || (!holidays.contains(&day)
                    && self
                        .workdays
                        .contains(&(day.weekday().number_from_monday() as u8)));
            if working && at < close {
                let from = at.max(open);
                let avail = (close - from).num_minutes();
                if left <= avail {
                    return day.and_time(from) + Duration::minutes(left);
                }
                left -= avail;
            }
            day = day.succ_opt().unwrap_or(day);
            at = NaiveTime::MIN;
        }
        start + Duration::minutes(minutes)
    }

    /// Business minutes between two instants (0 when `to` is before `from`): how long a
    /// ticket took in working time.
    pub fn business_minutes_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        if to <= from {
            return 0;
        }
        let (open, close) = self.hours();
        let mut total = 0;
        let mut day = from.date();
        while day <= to.date() {
            if self.is_workday(day) {
                let a = if day == from.date() {
                    from.time().max(open)
                } else {
                    open
                };
                let b = if day == to.date() {
                    to.time().min(close)
                } else {
                    close
                };
                if b > a {
                    total += (b - a).num_minutes();
                }
            }
            match day.succ_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
        total
    }
}

/// Weekday names for the policy page, Monday first.
pub const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(d: &str, t: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{d} {t}"), "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn workflow_follows_the_seed() {
        use Action::*;
        use Status::*;
        assert_eq!(Investigate.apply(Registered), Some(Investigating));
        assert_eq!(Resolve.apply(Investigating), Some(Resolved));
        assert_eq!(CallbackFailed.apply(Resolved), Some(Investigating));
        assert_eq!(Confirm.apply(Resolved), Some(Confirmed));
        assert_eq!(Close.apply(Confirmed), Some(Closed));
        // No shortcuts: a ticket is not closed before the customer confirms it.
        assert_eq!(Close.apply(Resolved), None);
        assert_eq!(Resolve.apply(Registered), None);
        assert_eq!(Confirm.apply(Investigating), None);
        for a in Action::ALL {
            assert_eq!(a.apply(Closed), None, "{a} from closed");
        }
        assert_eq!(Action::allowed(Resolved), vec![Confirm, CallbackFailed]);
    }

    #[test]
    fn business_minutes_skip_nights_weekends_holidays() {
        let mut c = Calendar::default();
        // Friday 17:00 + 120 min → Monday 10:00.
        assert_eq!(
            c.add_business_minutes(at("2026-12-04", "17:00"), 120),
            at("2026-12-07", "10:00")
        );
        // Before opening counts from 09:00.
        assert_eq!(
            c.add_business_minutes(at("2026-12-01", "06:30"), 30),
            at("2026-12-01", "09:30")
        );
        // After closing counts from the next morning.
        assert_eq!(
            c.add_business_minutes(at("2026-12-01", "20:00"), 60),
            at("2026-12-02", "10:00")
        );
        // Exactly a working day.
        assert_eq!(
            c.add_business_minutes(at("2026-12-01", "09:00"), 540),
            at("2026-12-01", "18:00")
        );
        // National Day week off, with a make-up Saturday (调休).
        c.holidays = (1..=7)
            .map(|d| NaiveDate::from_ymd_opt(2026, 10, d).expect("date"))
            .collect();
        c.extra_workdays = vec![NaiveDate::from_ymd_opt(2026, 10, 10).expect("date")];
        assert_eq!(
            c.add_business_minutes(at("2026-09-30", "17:30"), 60),
            at("2026-10-08", "09:30")
        );
        assert!(c.is_workday(NaiveDate::from_ymd_opt(2026, 10, 10).expect("date")));
        assert_eq!(
            c.add_business_minutes(at("2026-10-09", "17:00"), 120),
            at("2026-10-10", "10:00")
        );
    }

    #[test]
    fn targets_by_class_grade_severity() {
        let p = SlaPolicy::default();
        assert!(p.validate().is_empty(), "{:?}", p.validate());
        let a = p.target(Some(ValueClass::A), None, Severity::High);
        let c = p.target(Some(ValueClass::C), None, Severity::High);
        assert!(a.first_response_minutes < c.first_response_minutes);
        assert_eq!(
            p.target(None, None, Severity::Low),
            p.target(Some(ValueClass::C), None, Severity::Low)
        );
        // A large enterprise gets 80% of its class's time.
        let l = p.target(Some(ValueClass::B), Some(Grade::Large), Severity::Normal);
        assert_eq!(l.first_response_minutes, 192);
        assert_eq!(l.resolution_minutes, 1152);
        // Critical runs on the clock: Saturday 10:00 + 30 min.
        assert_eq!(
            p.deadline(Severity::Critical, at("2026-12-05", "10:00"), 30),
            at("2026-12-05", "10:30")
        );
        assert_eq!(
            p.deadline(Severity::High, at("2026-12-05", "10:00"), 30),
            at("2026-12-07", "09:30")
        );
    }

    #[test]
    fn bad_policies_are_refused_field_by_field() {
        let mut p = SlaPolicy::default();
        p.calendar.day_end = "08:00".into();
        p.calendar.workdays = vec![];
        p.grade_percent.insert("huge".into(), 50);
        if let Some(r) = p.targets.get_mut("a") {
            r.insert(
                "high".into(),
                Target {
                    first_response_minutes: 100,
                    resolution_minutes: 50,
                },
            );
        }
        let fields: Vec<String> = p.validate().into_iter().map(|e| e.field).collect();
        assert!(
            fields.contains(&"calendar.day_end".to_string()),
            "{fields:?}"
        );
        assert!(fields.contains(&"calendar.workdays".to_string()));
        assert!(fields.contains(&"grade_percent.huge".to_string()));
        assert!(fields.contains(&"targets.a.high.resolution_minutes".to_string()));
    }

    proptest! {
        /// Adding business minutes and measuring them back agree, and the deadline
        /// always falls inside business hours on a working day.
        #[test]
        fn add_and_measure_agree(day in 0i64..400, minute in 0i64..1440, add in 1i64..20_000) {
            let c = Calendar {
                holidays: vec![NaiveDate::from_ymd_opt(2026, 5, 1).expect("date")],
                extra_workdays: vec![NaiveDate::from_ymd_opt(2026, 5, 9).expect("date")],
                ..Default::default()
            };
            let start = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date").and_time(NaiveTime::MIN)
                + Duration::days(day) + Duration::minutes(minute);
            let end = c.add_business_minutes(start, add);
            prop_assert_eq!(c.business_minutes_between(start, end), add);
            prop_assert!(c.is_workday(end.date()));
            let (open, close) = c.hours();
            prop_assert!(end.time() > open && end.time() <= close);
        }
    }
}
