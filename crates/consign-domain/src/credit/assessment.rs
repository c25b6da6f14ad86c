//! Credit assessments (SPEC §8): the 5C checklist (品格, 能力, 资本, 担保, 状况) — or the
//! 5P and 6A ones the seed names as alternatives — each factor scored 1 to 5, weighted
//! by the policy into a score out of 100, a rating (A to D by the policy's thresholds)
//! and a suggested limit from the score and the customer's trailing-12-month revenue.

use crate::ops::Fen;
use serde::{Deserialize, Serialize};

/// Which checklist an assessment follows.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 品格, 能力, 资本, 担保, 状况.
    #[default]
    FiveC,
    /// 个人因素, 目的因素, 偿付因素, 保障因素, 展望因素.
    FiveP,
    /// 经济, 技术, 管理, 组织, 商业, 财务因素.
    SixA,
}

impl Method {
    pub const ALL: &'static [Method] = &[Method::FiveC, Method::FiveP, Method::SixA];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::FiveC => "five_c",
            Method::FiveP => "five_p",
            Method::SixA => "six_a",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.iter().copied().find(|m| m.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Method::FiveC => "credit.method.five_c",
            Method::FiveP => "credit.method.five_p",
            Method::SixA => "credit.method.six_a",
        }
    }

    /// The factors scored, in order (their label keys are `credit.factor.<name>`).
    pub fn factors(self) -> &'static [&'static str] {
        match self {
            Method::FiveC => &[
                "character",
                "capacity",
                "capital",
                "collateral",
                "conditions",
            ],
            Method::FiveP => &[
                "personal",
                "purpose",
                "payment",
                "protection",
                "perspective",
            ],
            Method::SixA => &[
                "economic",
                "technical",
                "managerial",
                "organizational",
                "commercial",
                "financial",
            ],
        }
    }
}

/// How assessments are weighed and what they suggest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AssessmentPolicy {
    /// Weights of the 5C factors in their order (character, capacity, capital,
    /// collateral, conditions); 5P and 6A weigh their factors equally.
    pub five_c_weights: Vec<u32>,
    /// Lowest scores (out of 100) for ratings A, B and C; below C's: D.
    pub rating_a: f64,
    pub rating_b: f64,
    pub rating_c: f64,
    /// Months of average revenue a full score (100) would be allowed on credit; the
    /// suggested limit is that many months × score / 100 (none for a D).
    pub cover_months: f64,
}

impl Default for AssessmentPolicy {
    fn default() -> Self {
        AssessmentPolicy {
            five_c_weights: vec![30, 25, 20, 10, 15],
            rating_a: 80.0,
            rating_b: 65.0,
            rating_c: 50.0,
            cover_months: 2.0,
        }
    }
}

impl AssessmentPolicy {
    pub fn validate(&self) -> Vec<&'static str> {
        let mut bad = Vec::new();
        if self.five_c_weights.len() != 5
            || self.five_c_weights.iter().any(|w| *w > 1_000)
            || self.five_c_weights.iter().all(|w| *w == 0)
        {
            bad.push("five_c_weights");
        }
        let ok = |x: f64| (0.0..=100.0).contains(&x);
        if !(ok(self.rating_a)
            && ok(self.rating_b)
            && ok(self.rating_c)
            && self.rating_a >= self.rating_b
            && self.rating_b >= self.rating_c)
        {
            bad.push("rating_a");
        }
        if !(0.0..=24.0).contains(&self.cover_months) {
            bad.push("cover_months");
        }
        bad
    }

    fn weights(&self, m: Method) -> Vec<u32> {
        match m {
            Method::FiveC => self.five_c_weights.clone(),
            _ => vec![1; m.factors().len()],
        }
    }
}

/// An assessment's result.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    /// Out of 100 (every factor 1: 0; every factor 5: 100).
    pub score: f64,
    /// A, B, C or D.
    pub rating: String,
    pub suggested_limit_fen: Fen,
}

/// Scores `scores` (one per factor of `method`, each 1 to 5) under `policy`, with the
/// customer's revenue over the last twelve months; the broken factors otherwise.
pub fn assess(
    method: Method,
    scores: &[i64],
    policy: &AssessmentPolicy,
    revenue_12m: Fen,
) -> Result<Outcome, Vec<&'static str>> {
    let factors = method.factors();
    let mut bad: Vec<&'static str> = factors
        .iter()
        .enumerate()
        .filter(|(i, _)| !scores.get(*i).is_some_and(|s| (1..=5).contains(s)))
        .map(|(_, f)| *f)
        .collect();
    if scores.len() > factors.len() {
        bad.push("scores");
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    let w = policy.weights(method);
    let total: u32 = w.iter().sum::<u32>().max(1);
    let mean = scores
        .iter()
        .zip(&w)
        .map(|(s, w)| *s as f64 * f64::from(*w))
        .sum::<f64>()
        / f64::from(total);
    let score = ((mean - 1.0) / 4.0 * 1000.0).round() / 10.0;
    let rating = if score >= policy.rating_a {
        "A"
    } else if score >= policy.rating_b {
        "B"
    } else if score >= policy.rating_c {
        "C"
    } else {
        "D"
    };
    let suggested = if rating == "D" {
        Fen::ZERO
    } else {
        let raw = revenue_12m.get().max(0) as f64 / 12.0 * policy.cover_months * score / 100.0;
        // Down to ¥1,000.
        Fen((raw / 100_000.0).floor() as i64 * 100_000)
    };
    Ok(Outcome {
        score,
        rating: rating.to_string(),
        suggested_limit_fen: suggested,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_c_weighs_by_policy() {
        let p = AssessmentPolicy::default();
        // All 5: 100, A; all 1: 0, D and no credit.
        let top = assess(Method::FiveC, &[5, 5, 5, 5, 5], &p, Fen(120_000_000)).expect("ok");
        assert_eq!((top.score, top.rating.as_str()), (100.0, "A"));
        // ¥1,200,000 a year = ¥100,000 a month × 2 months × 100 %.
        assert_eq!(top.suggested_limit_fen, Fen(20_000_000));
        let low = assess(Method::FiveC, &[1, 1, 1, 1, 1], &p, Fen(120_000_000)).expect("ok");
        assert_eq!(
            (low.score, low.rating.as_str(), low.suggested_limit_fen),
            (0.0, "D", Fen(0))
        );
        // (4×30 + 4×25 + 3×20 + 2×10 + 4×15) / 100 = 3.6 → (3.6 − 1) / 4 = 65 → B.
        let mid = assess(Method::FiveC, &[4, 4, 3, 2, 4], &p, Fen(120_000_000)).expect("ok");
        assert_eq!((mid.score, mid.rating.as_str()), (65.0, "B"));
        // ¥100,000 × 2 × 0.65 = ¥130,000.
        assert_eq!(mid.suggested_limit_fen, Fen(13_000_000));
    }

    #[test]
    fn six_a_weighs_equally_and_checks_every_factor() {
        let p = AssessmentPolicy::default();
        let r = assess(Method::SixA, &[3, 3, 3, 3, 3, 3], &p, Fen(0)).expect("ok");
        assert_eq!((r.score, r.rating.as_str()), (50.0, "C"));
        assert_eq!(
            assess(Method::FiveP, &[3, 0, 6, 3], &p, Fen(0)),
            Err(vec!["purpose", "payment", "perspective"])
        );
    }
}
