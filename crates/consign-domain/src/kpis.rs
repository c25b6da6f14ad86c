//! Logistics service KPIs (SPEC §6; the seed's 客户服务衡量指标): what a window of shipments
//! (ordered in it, by the company's local days) and of tickets (opened in it) says about
//! the service a customer, a segment or the company got. Every figure is computed here
//! from sums the rollups keep, so that a customer's year costs twelve rows, not its
//! shipments; docs/kpis.md gives each definition with its denominator.

use crate::surveys::SurveySums;
use serde::Serialize;

/// What the figures are computed from, summed over a window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KpiSums {
    /// Shipments ordered in the window.
    pub shipments: i64,
    /// Of those, delivered (`delivered_at` set): the denominator of the cycle, delay,
    /// damage and short figures.
    pub delivered: i64,
    /// Σ (delivered_at − ordered_at) in seconds over the delivered ones.
    pub cycle_seconds: i64,
    /// Σ of the squares, in seconds² (as a float: a company's year of them passes i64).
    pub cycle_seconds_sq: f64,
    pub delayed: i64,
    pub damaged: i64,
    pub short: i64,
    pub stockout: i64,
    pub substituted: i64,
    pub route_changed: i64,
    pub returned: i64,
    pub invoice_error: i64,
    /// Ordered in the window, still open (created or in transit, not delivered), and
    /// promised before the window's end (or before now, when the window has not ended):
    /// shown apart, in no rate.
    pub overdue_in_transit: i64,
    /// Complaint and claim tickets opened in the window.
    pub complaints: i64,
    pub claims: i64,
    /// Tickets opened in the window that were answered / resolved: how many, and their
    /// business minutes (the service desk's SLA clock) summed.
    pub responded: i64,
    pub response_minutes: i64,
    pub resolved: i64,
    pub resolution_minutes: i64,
    /// Survey answers given in the window (by the local day of the answer).
    pub surveys: SurveySums,
}

impl KpiSums {
    /// Adds another group's sums (e.g. a month's to the window's).
    pub fn add(&mut self, o: &KpiSums) {
        self.shipments += o.shipments;
        self.delivered += o.delivered;
        self.cycle_seconds += o.cycle_seconds;
        self.cycle_seconds_sq += o.cycle_seconds_sq;
        self.delayed += o.delayed;
        self.damaged += o.damaged;
        self.short += o.short;
        self.stockout += o.stockout;
        self.substituted += o.substituted;
        self.route_changed += o.route_changed;
        self.returned += o.returned;
        self.invoice_error += o.invoice_error;
        self.overdue_in_transit += o.overdue_in_transit;
        self.complaints += o.complaints;
        self.claims += o.claims;
        self.responded += o.responded;
        self.response_minutes += o.response_minutes;
        self.resolved += o.resolved;
        self.resolution_minutes += o.resolution_minutes;
        self.surveys.add(&o.surveys);
    }
}

/// The KPIs of one window. Rates are in [0, 1]; a figure whose denominator is 0 is
/// `None` (`null` in JSON), never 0.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Kpis {
    /// Shipments ordered in the window.
    pub shipments: i64,
    /// Of those, delivered.
    pub delivered: i64,
    /// Ordered in the window, undelivered, past their promised time.
    pub overdue_in_transit: i64,
    /// Mean order cycle (delivered_at − ordered_at) of the delivered ones, in hours.
    pub avg_cycle_hours: Option<f64>,
    /// Population standard deviation σ of the order cycle, in hours.
    pub std_cycle_hours: Option<f64>,
    /// Delivered after the promised time ÷ delivered.
    pub delay_rate: Option<f64>,
    /// 1 − delay rate.
    pub on_time_rate: Option<f64>,
    /// Damaged ÷ delivered.
    pub damage_rate: Option<f64>,
    /// Short-shipped or short-landed ÷ delivered.
    pub short_rate: Option<f64>,
    /// Stockouts ÷ shipments.
    pub stockout_rate: Option<f64>,
    /// Shipments with a stockout.
    pub stockout_count: i64,
    /// 1 − stockouts ÷ shipments.
    pub in_stock_ratio: Option<f64>,
    /// Substituted ÷ shipments.
    pub substitution_rate: Option<f64>,
    /// Route changed ÷ shipments.
    pub route_change_rate: Option<f64>,
    /// Returned ÷ shipments.
    pub return_rate: Option<f64>,
    /// Invoice errors ÷ shipments.
    pub invoice_error_rate: Option<f64>,
    /// Complaint tickets opened in the window per 1,000 shipments.
    pub complaints_per_1000: Option<f64>,
    /// Claim tickets opened in the window ÷ shipments.
    pub claim_ratio: Option<f64>,
    /// Mean first-response time of the window's tickets, business hours.
    pub avg_first_response_hours: Option<f64>,
    /// Mean resolution time of the window's tickets, business hours.
    pub avg_resolution_hours: Option<f64>,
    /// Mean satisfaction score (1–5) of the window's survey answers.
    pub csat: Option<f64>,
    /// Net promoter score (−100 to 100) of the window's survey answers.
    pub nps: Option<f64>,
}

fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

impl Kpis {
    /// The KPIs of summed figures.
    pub fn of(s: &KpiSums) -> Kpis {
        let d = s.delivered;
        let mean = ratio(s.cycle_seconds, d);
        let std = mean.map(|m| {
            let var = s.cycle_seconds_sq / d as f64 - m * m;
            var.max(0.0).sqrt()
        });
        let delay = ratio(s.delayed, d);
        let stockout = ratio(s.stockout, s.shipments);
        Kpis {
            shipments: s.shipments,
            delivered: d,
            overdue_in_transit: s.overdue_in_transit,
            avg_cycle_hours: mean.map(|m| m / 3600.0),
            std_cycle_hours: std.map(|x| x / 3600.0),
            delay_rate: delay,
            on_time_rate: delay.map(|r| 1.0 - r),
            damage_rate: ratio(s.damaged, d),
            short_rate: ratio(s.short, d),
            stockout_rate: stockout,
            stockout_count: s.stockout,
            in_stock_ratio: stockout.map(|r| 1.0 - r),
            substitution_rate: ratio(s.substituted, s.shipments),
            route_change_rate: ratio(s.route_changed, s.shipments),
            return_rate: ratio(s.returned, s.shipments),
            invoice_error_rate: ratio(s.invoice_error, s.shipments),
            complaints_per_1000: ratio(s.complaints * 1000, s.shipments),
            claim_ratio: ratio(s.claims, s.shipments),
            avg_first_response_hours: ratio(s.response_minutes, s.responded).map(|m| m / 60.0),
            avg_resolution_hours: ratio(s.resolution_minutes, s.resolved).map(|m| m / 60.0),
            csat: s.surveys.csat(),
            nps: s.surveys.nps(),
        }
    }
}

/// A half-open range of local days (YYYYMMDD) or months (YYYYMM).
pub type Span = (i32, i32);

/// The rollup rows that cover local days `[from_day, to_day)` (YYYYMMDD): whole months
/// from the monthly rollup, the days before the first and after the last whole month
/// from the daily one. Returns (day ranges, month range), each half-open.
pub fn cover(from_day: i32, to_day: i32) -> (Vec<Span>, Option<Span>) {
    let next_month = |m: i32| {
        if m % 100 == 12 {
            (m / 100 + 1) * 100 + 1
        } else {
            m + 1
        }
    };
    let first = if from_day % 100 == 1 {
        from_day / 100
    } else {
        next_month(from_day / 100)
    };
    let last = to_day / 100; // months before this one may be whole
    if first >= last {
        return (vec![(from_day, to_day)], None);
    }
    let mut days = Vec::new();
    if from_day < first * 100 + 1 {
        days.push((from_day, first * 100 + 1));
    }
    if to_day > last * 100 + 1 {
        days.push((last * 100 + 1, to_day));
    }
    (days, Some((first, last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn an_empty_window_has_no_rates() {
        let k = Kpis::of(&KpiSums::default());
        assert_eq!(k.shipments, 0);
        assert_eq!(k.avg_cycle_hours, None);
        assert_eq!(k.std_cycle_hours, None);
        assert_eq!(k.delay_rate, None);
        assert_eq!(k.on_time_rate, None);
        assert_eq!(k.in_stock_ratio, None);
        assert_eq!(k.complaints_per_1000, None);
        assert_eq!(k.stockout_count, 0);
    }

    #[test]
    fn hand_computed_window() {
        // Four shipments, three delivered after 24 h, 48 h and 30 h 30 s; one delayed,
        // one damaged; one stockout and one return among all four; one complaint.
        let cycles = [86_400i64, 172_800, 108_030];
        let s = KpiSums {
            shipments: 4,
            delivered: 3,
            cycle_seconds: cycles.iter().sum(),
            cycle_seconds_sq: cycles.iter().map(|c| (c * c) as f64).sum(),
            delayed: 1,
            damaged: 1,
            stockout: 1,
            returned: 1,
            complaints: 1,
            responded: 2,
            response_minutes: 90,
            ..KpiSums::default()
        };
        let k = Kpis::of(&s);
        let mean = (86_400.0 + 172_800.0 + 108_030.0) / 3.0;
        assert!(close(k.avg_cycle_hours, mean / 3600.0));
        let var = cycles
            .iter()
            .map(|c| (*c as f64 - mean).powi(2))
            .sum::<f64>()
            / 3.0;
        assert!(close(k.std_cycle_hours, var.sqrt() / 3600.0));
        assert!(close(k.delay_rate, 1.0 / 3.0));
        assert!(close(k.on_time_rate, 2.0 / 3.0));
        assert!(close(k.damage_rate, 1.0 / 3.0));
        assert!(close(k.short_rate, 0.0));
        assert!(close(k.stockout_rate, 0.25));
        assert!(close(k.in_stock_ratio, 0.75));
        assert!(close(k.return_rate, 0.25));
        assert!(close(k.complaints_per_1000, 250.0));
        assert!(close(k.claim_ratio, 0.0));
        assert!(close(k.avg_first_response_hours, 0.75));
        assert_eq!(k.avg_resolution_hours, None);
    }

    #[test]
    fn windows_are_covered_by_months_and_edge_days() {
        // Whole months only.
        assert_eq!(cover(20250101, 20260101), (vec![], Some((202501, 202601))));
        // Edges on both sides, across a year's end.
        assert_eq!(
            cover(20251215, 20260310),
            (
                vec![(20251215, 20260101), (20260301, 20260310)],
                Some((202601, 202603))
            )
        );
        // Inside one month, or spanning a month's end without a whole month: days.
        assert_eq!(
            cover(20251003, 20251020),
            (vec![(20251003, 20251020)], None)
        );
        assert_eq!(
            cover(20251020, 20251110),
            (vec![(20251020, 20251110)], None)
        );
        // One whole month.
        assert_eq!(cover(20251001, 20251101), (vec![], Some((202510, 202511))));
        assert_eq!(
            cover(20251001, 20251102),
            (vec![(20251101, 20251102)], Some((202510, 202511)))
        );
    }

    #[test]
    fn one_cycle_has_no_spread() {
        let s = KpiSums {
            shipments: 1,
            delivered: 1,
            cycle_seconds: 3_601,
            cycle_seconds_sq: 3_601.0 * 3_601.0,
            ..KpiSums::default()
        };
        let k = Kpis::of(&s);
        assert!(close(k.avg_cycle_hours, 3_601.0 / 3600.0));
        assert!(close(k.std_cycle_hours, 0.0));
    }
}
