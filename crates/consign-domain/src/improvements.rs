//! Improvement actions (SPEC §6, PDCA: plan, do, check, act): what an action targets (a
//! service figure of a customer, a segment or the company, and its value when the action
//! was opened), the stages it moves through, and whether the figure since the action
//! started is better than that baseline.

use crate::customer::vocabulary;
use crate::kpis::Kpis;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// Where an action stands (Deming's cycle).
    Stage, "improvement.stage", {
        Plan => "plan",
        Do => "do",
        Check => "check",
        Act => "act",
        Closed => "closed",
    }
);

impl Stage {
    /// The stages an action may move to from this one: on through the cycle, from
    /// "act" back to "plan" for another round, and closed from any open stage.
    pub fn next(self) -> &'static [Stage] {
        match self {
            Stage::Plan => &[Stage::Do, Stage::Closed],
            Stage::Do => &[Stage::Check, Stage::Closed],
            Stage::Check => &[Stage::Act, Stage::Do, Stage::Closed],
            Stage::Act => &[Stage::Closed, Stage::Plan],
            Stage::Closed => &[],
        }
    }

    pub fn is_open(self) -> bool {
        self != Stage::Closed
    }
}

vocabulary!(
    /// What an action was opened from.
    Source, "improvement.source", {
        Kpi => "kpi",
        Gap => "gap",
        Survey => "survey",
        Manual => "manual",
    }
);

/// Whether a larger value of a figure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

/// A figure an action can target: its key (the KPI's field name, or `gap.<dimension>`
/// for a SERVQUAL gap), its label key, and which way is better.
#[derive(Clone, Copy)]
pub struct Metric {
    pub key: &'static str,
    pub label: &'static str,
    pub better: Better,
    /// The figure out of a window's KPIs (None for a gap, read from the answers).
    pub of: Option<fn(&Kpis) -> Option<f64>>,
}

/// The service figures an action can target (and each dimension's gap, see [`metric`]).
pub const METRICS: [Metric; 17] = [
    m("on_time_rate", "kpi.on_time_rate", Better::Higher, |k| {
        k.on_time_rate
    }),
    m("delay_rate", "kpi.delay_rate", Better::Lower, |k| {
        k.delay_rate
    }),
    m("avg_cycle_hours", "kpi.avg_cycle", Better::Lower, |k| {
        k.avg_cycle_hours
    }),
    m("std_cycle_hours", "kpi.std_cycle", Better::Lower, |k| {
        k.std_cycle_hours
    }),
    m("damage_rate", "kpi.damage_rate", Better::Lower, |k| {
        k.damage_rate
    }),
    m("short_rate", "kpi.short_rate", Better::Lower, |k| {
        k.short_rate
    }),
    m(
        "in_stock_ratio",
        "kpi.in_stock_ratio",
        Better::Higher,
        |k| k.in_stock_ratio,
    ),
    m(
        "substitution_rate",
        "kpi.substitution_rate",
        Better::Lower,
        |k| k.substitution_rate,
    ),
    m(
        "route_change_rate",
        "kpi.route_change_rate",
        Better::Lower,
        |k| k.route_change_rate,
    ),
    m("return_rate", "kpi.return_rate", Better::Lower, |k| {
        k.return_rate
    }),
    m(
        "invoice_error_rate",
        "kpi.invoice_error_rate",
        Better::Lower,
        |k| k.invoice_error_rate,
    ),
    m(
        "complaints_per_1000",
        "kpi.complaints_per_1000",
        Better::Lower,
        |k| k.complaints_per_1000,
    ),
    m("claim_ratio", "kpi.claim_ratio", Better::Lower, |k| {
        k.claim_ratio
    }),
    m(
        "avg_first_response_hours",
        "kpi.first_response",
        Better::Lower,
        |k| k.avg_first_response_hours,
    ),
    m(
        "avg_resolution_hours",
        "kpi.resolution",
        Better::Lower,
        |k| k.avg_resolution_hours,
    ),
    m("csat", "kpi.csat", Better::Higher, |k| k.csat),
    m("nps", "kpi.nps", Better::Higher, |k| k.nps),
];

const fn m(
    key: &'static str,
    label: &'static str,
    better: Better,
    of: fn(&Kpis) -> Option<f64>,
) -> Metric {
    Metric {
        key,
        label,
        better,
        of: Some(of),
    }
}

/// The metric with this key; the SERVQUAL gap of any of the five dimensions counts
/// (`gap.cargo_safety` reads like `gap.timeliness`).
pub fn metric(key: &str) -> Option<Metric> {
    if let Some(m) = METRICS.iter().find(|m| m.key == key) {
        return Some(*m);
    }
    let d = crate::surveys::Dimension::parse(key.strip_prefix("gap.")?)?;
    GAPS.iter().find(|m| m.label == d.label_key()).copied()
}

/// Each dimension's SERVQUAL gap (perception − expectation: higher is better).
pub const GAPS: [Metric; 5] = [
    gap("gap.timeliness", "survey.dim.timeliness"),
    gap("gap.cargo_safety", "survey.dim.cargo_safety"),
    gap("gap.accuracy", "survey.dim.accuracy"),
    gap("gap.attitude", "survey.dim.attitude"),
    gap("gap.price", "survey.dim.price"),
];

const fn gap(key: &'static str, label: &'static str) -> Metric {
    Metric {
        key,
        label,
        better: Better::Higher,
        of: None,
    }
}

/// How the figure since the start compares with the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Better,
    Same,
    Worse,
    /// Nothing to compare (no baseline, or nothing measured since).
    Unknown,
}

/// The outcome of `now` against `baseline` for a figure where `better` holds; a change
/// within `1e-9` is the same.
pub fn outcome(better: Better, baseline: Option<f64>, now: Option<f64>) -> Outcome {
    match (baseline, now) {
        (Some(b), Some(n)) if (n - b).abs() < 1e-9 => Outcome::Same,
        (Some(b), Some(n)) => match (better, n > b) {
            (Better::Higher, true) | (Better::Lower, false) => Outcome::Better,
            _ => Outcome::Worse,
        },
        _ => Outcome::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cycle_moves_on_and_round_again() {
        assert_eq!(Stage::Plan.next(), [Stage::Do, Stage::Closed]);
        assert!(Stage::Check.next().contains(&Stage::Do));
        assert!(Stage::Act.next().contains(&Stage::Plan));
        assert!(Stage::Closed.next().is_empty());
        assert!(
            !Stage::Plan.next().contains(&Stage::Check),
            "no skipping 'do'"
        );
    }

    #[test]
    fn better_is_the_metrics_way() {
        let on_time = metric("on_time_rate").expect("metric");
        assert_eq!(
            outcome(on_time.better, Some(0.9), Some(0.95)),
            Outcome::Better
        );
        let damage = metric("damage_rate").expect("metric");
        assert_eq!(
            outcome(damage.better, Some(0.02), Some(0.03)),
            Outcome::Worse
        );
        assert_eq!(
            outcome(damage.better, Some(0.02), Some(0.02)),
            Outcome::Same
        );
        assert_eq!(outcome(damage.better, None, Some(0.02)), Outcome::Unknown);
        let g = metric("gap.cargo_safety").expect("any dimension's gap");
        assert_eq!(g.label, "survey.dim.cargo_safety");
        assert!(g.of.is_none());
        // A gap closing (−1.5 → −0.5) is better.
        assert_eq!(outcome(g.better, Some(-1.5), Some(-0.5)), Outcome::Better);
        assert!(metric("revenue").is_none());
        assert!(metric("gap.speed").is_none());
    }
}
