//! Satisfaction surveys (SPEC §6; the seed's 客户满意度): who is asked and when (the
//! sampling policy), what an answer holds and which answers are valid, and what the
//! answers add up to — CSAT, NPS and the SERVQUAL gap (perception − expectation) of each
//! service dimension. docs/surveys.md explains each for the user.

use crate::customer::vocabulary;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// What a survey asks about.
    SurveyTrigger, "survey.trigger", {
        Delivery => "delivery",
        Ticket => "ticket",
        Manual => "manual",
    }
);

vocabulary!(
    /// The service dimensions a survey scores (SERVQUAL, as the seed names them).
    Dimension, "survey.dim", {
        Timeliness => "timeliness",
        CargoSafety => "cargo_safety",
        Accuracy => "accuracy",
        Attitude => "attitude",
        Price => "price",
    }
);

vocabulary!(
    /// Where a survey stands.
    SurveyStatus, "survey.status", {
        // Made; its link can be sent or copied.
        Open => "open",
        Answered => "answered",
        // Past its expiry unanswered.
        Expired => "expired",
    }
);

/// Who is asked, and how long a link stays valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SurveyPolicy {
    /// Percent of delivered shipments sampled for a survey (0 to 100; 0: none).
    pub delivery_percent: f64,
    /// A contact is asked at most once in this many days (1 to 365).
    pub contact_gap_days: i64,
    /// Ask after every closed complaint, claim or other ticket.
    pub after_tickets: bool,
    /// Days a link stays valid (1 to 90).
    pub valid_days: i64,
    /// Days after a low answer (CSAT ≤ 2 or NPS ≤ 6) that the owner's call falls due
    /// (0 to 30).
    pub callback_days: i64,
}

impl Default for SurveyPolicy {
    fn default() -> Self {
        SurveyPolicy {
            delivery_percent: 5.0,
            contact_gap_days: 30,
            after_tickets: true,
            valid_days: 14,
            callback_days: 1,
        }
    }
}

impl SurveyPolicy {
    /// The fields out of range.
    pub fn validate(&self) -> Vec<&'static str> {
        let mut bad = Vec::new();
        if !(0.0..=100.0).contains(&self.delivery_percent) {
            bad.push("delivery_percent");
        }
        if !(1..=365).contains(&self.contact_gap_days) {
            bad.push("contact_gap_days");
        }
        if !(1..=90).contains(&self.valid_days) {
            bad.push("valid_days");
        }
        if !(0..=30).contains(&self.callback_days) {
            bad.push("callback_days");
        }
        bad
    }

    /// Whether a delivered shipment is in the sample: a fixed pseudo-random draw from its
    /// id (the same every time it is asked, so a repeated sweep picks the same ones).
    pub fn samples(&self, shipment_id: i64) -> bool {
        let draw = mix(shipment_id as u64) % 10_000;
        (draw as f64) < self.delivery_percent * 100.0
    }
}

/// SplitMix64's finaliser: spreads consecutive ids evenly over the draw.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One dimension's scores: how the service was (1–5) and, optionally, what was expected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scored {
    pub perception: Option<i16>,
    pub expectation: Option<i16>,
}

/// An answer as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    pub csat: i16,
    pub nps: i16,
    /// In [`Dimension::ALL`]'s order.
    pub dims: [Scored; 5],
    pub comment: Option<String>,
}

impl Answer {
    /// CSAT ≤ 2 or NPS ≤ 6: the owner calls the customer back.
    pub fn is_low(&self) -> bool {
        self.csat <= 2 || self.nps <= 6
    }
}

/// Reads an answer from a form's or a request's fields (`csat`, `nps`,
/// `p_<dimension>`, `e_<dimension>`, `comment`): the answer, or each field that is wrong
/// with its message key.
pub fn read_answer(
    get: impl Fn(&str) -> Option<String>,
) -> Result<Answer, Vec<(String, &'static str)>> {
    let mut bad = Vec::new();
    let mut score =
        |field: String, range: std::ops::RangeInclusive<i16>, required: bool| match get(&field)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            None if required => {
                bad.push((field, "err.survey_required"));
                None
            }
            None => None,
            Some(v) => match v.parse::<i16>() {
                Ok(n) if range.contains(&n) => Some(n),
                _ => {
                    bad.push((field, "err.survey_score"));
                    None
                }
            },
        };
    let csat = score("csat".into(), 1..=5, true);
    let nps = score("nps".into(), 0..=10, true);
    let mut dims = [Scored::default(); 5];
    for (i, d) in Dimension::ALL.iter().enumerate() {
        dims[i].perception = score(format!("p_{}", d.as_str()), 1..=5, false);
        dims[i].expectation = score(format!("e_{}", d.as_str()), 1..=5, false);
    }
    let comment = get("comment")
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
        bad.push(("comment".into(), "err.too_long"));
    }
    match (csat, nps) {
        (Some(csat), Some(nps)) if bad.is_empty() => Ok(Answer {
            csat,
            nps,
            dims,
            comment,
        }),
        _ => Err(bad),
    }
}

/// Survey answers summed (what the KPIs and the survey page read).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SurveySums {
    pub answers: i64,
    pub csat_sum: i64,
    /// NPS answers scoring 9–10 and 0–6.
    pub promoters: i64,
    pub detractors: i64,
}

impl SurveySums {
    pub fn add(&mut self, o: &SurveySums) {
        self.answers += o.answers;
        self.csat_sum += o.csat_sum;
        self.promoters += o.promoters;
        self.detractors += o.detractors;
    }

    /// Mean CSAT (1–5); None without answers.
    pub fn csat(&self) -> Option<f64> {
        (self.answers > 0).then(|| self.csat_sum as f64 / self.answers as f64)
    }

    /// Net promoter score: % promoters − % detractors (−100 to 100); None without answers.
    pub fn nps(&self) -> Option<f64> {
        (self.answers > 0)
            .then(|| (self.promoters - self.detractors) as f64 * 100.0 / self.answers as f64)
    }
}

/// One dimension's means over the answers that scored it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    pub dimension: Dimension,
    /// Answers with a perception score, and their mean.
    pub perceived: i64,
    pub perception: Option<f64>,
    /// Answers with an expectation score, and their mean.
    pub expected: i64,
    pub expectation: Option<f64>,
    /// Mean of (perception − expectation) over the answers that gave both: negative
    /// where the service falls short of what customers expect.
    pub paired: i64,
    pub gap: Option<f64>,
}

/// Sums of one dimension's scores.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GapSums {
    pub perceived: i64,
    pub perception_sum: i64,
    pub expected: i64,
    pub expectation_sum: i64,
    pub paired: i64,
    pub gap_sum: i64,
}

impl GapSums {
    pub fn gap(&self, dimension: Dimension) -> Gap {
        let mean = |s: i64, n: i64| (n > 0).then(|| s as f64 / n as f64);
        Gap {
            dimension,
            perceived: self.perceived,
            perception: mean(self.perception_sum, self.perceived),
            expected: self.expected,
            expectation: mean(self.expectation_sum, self.expected),
            paired: self.paired,
            gap: mean(self.gap_sum, self.paired),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn form(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn answers_are_checked_field_by_field() {
        let a = read_answer(form(&[
            ("csat", "4"),
            ("nps", "9"),
            ("p_timeliness", "3"),
            ("e_timeliness", "5"),
            ("comment", "  司机很准时  "),
        ]))
        .expect("valid");
        assert_eq!((a.csat, a.nps), (4, 9));
        assert_eq!(
            a.dims[0],
            Scored {
                perception: Some(3),
                expectation: Some(5)
            }
        );
        assert_eq!(a.dims[4], Scored::default());
        assert_eq!(a.comment.as_deref(), Some("司机很准时"));
        assert!(!a.is_low());
        let bad = read_answer(form(&[("csat", "6"), ("p_price", "x"), ("e_price", "0")]))
            .expect_err("invalid");
        assert_eq!(
            bad,
            vec![
                ("csat".to_string(), "err.survey_score"),
                ("nps".to_string(), "err.survey_required"),
                ("p_price".to_string(), "err.survey_score"),
                ("e_price".to_string(), "err.survey_score"),
            ]
        );
        let low = read_answer(form(&[("csat", "5"), ("nps", "6")])).expect("valid");
        assert!(low.is_low());
        let low = read_answer(form(&[("csat", "2"), ("nps", "10")])).expect("valid");
        assert!(low.is_low());
    }

    #[test]
    fn csat_nps_and_gaps() {
        // Answers: csat 5/nps 10, csat 4/nps 7, csat 1/nps 3.
        let s = SurveySums {
            answers: 3,
            csat_sum: 10,
            promoters: 1,
            detractors: 1,
        };
        assert!((s.csat().expect("csat") - 10.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.nps(), Some(0.0));
        assert_eq!(SurveySums::default().nps(), None);
        let g = GapSums {
            perceived: 3,
            perception_sum: 9,
            expected: 2,
            expectation_sum: 10,
            paired: 2,
            gap_sum: -3,
        }
        .gap(Dimension::Price);
        assert_eq!(g.perception, Some(3.0));
        assert_eq!(g.expectation, Some(5.0));
        assert_eq!(g.gap, Some(-1.5));
    }

    #[test]
    fn sampling_takes_about_the_share_asked() {
        let p = SurveyPolicy {
            delivery_percent: 5.0,
            ..SurveyPolicy::default()
        };
        let n = (1..=100_000).filter(|id| p.samples(*id)).count();
        assert!((4_700..5_300).contains(&n), "{n}");
        let none = SurveyPolicy {
            delivery_percent: 0.0,
            ..p.clone()
        };
        assert!(!(1..=10_000).any(|id| none.samples(id)));
        let all = SurveyPolicy {
            delivery_percent: 100.0,
            ..p
        };
        assert!((1..=10_000).all(|id| all.samples(id)));
        assert_eq!(
            SurveyPolicy {
                delivery_percent: 101.0,
                contact_gap_days: 0,
                valid_days: 91,
                after_tickets: true,
                callback_days: 1,
            }
            .validate(),
            ["delivery_percent", "contact_gap_days", "valid_days"]
        );
    }
}
