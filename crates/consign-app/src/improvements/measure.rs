//! What an action targets (a customer, a segment, the company) and its figure over a
//! window, from the same rollups and answers as the KPI pages.

use crate::kpis::GroupBy;
use crate::{App, AppError, Result};
use chrono::NaiveDate;
use consign_domain::improvements::metric;
use consign_domain::kpis::Kpis;
use consign_store::scope::Visibility;

/// Whose figure an action targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Company,
    Customer(i64),
    /// A segment of the KPI pages and its key (an owner by user name).
    Segment(GroupBy, String),
}

impl Scope {
    /// `company`, `customer:<id>` or `<segment>:<key>`.
    pub fn parse(s: &str) -> Result<Scope> {
        let bad = || AppError::field("scope", "err.invalid_choice");
        if s == "company" {
            return Ok(Scope::Company);
        }
        let (kind, key) = s.split_once(':').ok_or_else(bad)?;
        let key = key.trim();
        if key.is_empty() || key.chars().count() > 100 {
            return Err(bad());
        }
        if kind == "customer" {
            return key.parse::<i64>().map(Scope::Customer).map_err(|_| bad());
        }
        match GroupBy::parse(kind) {
            // Value classes are stored as a, b, c (shown A, B, C).
            Some(GroupBy::ValueClass) => {
                Ok(Scope::Segment(GroupBy::ValueClass, key.to_lowercase()))
            }
            Some(g) if GroupBy::SEGMENTS.contains(&g) => Ok(Scope::Segment(g, key.to_string())),
            _ => Err(bad()),
        }
    }

    /// The stored kind and key.
    pub fn parts(&self) -> (&'static str, Option<String>) {
        match self {
            Scope::Company => ("company", None),
            Scope::Customer(id) => ("customer", Some(id.to_string())),
            Scope::Segment(g, k) => (g.as_str(), Some(k.clone())),
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.parts() {
            (kind, Some(k)) => write!(f, "{kind}:{k}"),
            (kind, None) => f.write_str(kind),
        }
    }
}

/// The figure `metric_key` of `scope` over local days `[from, to)`; None when there is
/// nothing to measure (no shipments, no answers). Segments and the company are measured
/// company-wide, whoever asks.
pub(crate) async fn value(
    app: &App,
    metric_key: &str,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<f64>> {
    let m = metric(metric_key).ok_or_else(|| AppError::field("metric", "err.invalid_choice"))?;
    let (_, _, w) = crate::kpis::window(
        app,
        &crate::kpis::KpiQuery {
            from: Some(from.to_string()),
            to: Some(to.to_string()),
        },
    )?;
    let conn = &app.db.conn;
    let Some(of) = m.of else {
        // A SERVQUAL gap: from the answers of the customer, or of everyone.
        let one = match scope {
            Scope::Customer(id) => Some(*id),
            Scope::Company => None,
            Scope::Segment(..) => {
                return Err(AppError::field("scope", "err.improvement_gap_scope"))
            }
        };
        let gaps =
            consign_store::surveys::gaps(conn, &Visibility::All, one, w.from_day, w.to_day).await?;
        let i = consign_domain::surveys::Dimension::ALL
            .iter()
            .position(|d| d.label_key() == m.label)
            .ok_or_else(|| AppError::internal("gap dimension"))?;
        return Ok(gaps[i].gap(consign_domain::surveys::Dimension::ALL[i]).gap);
    };
    let kpis = match scope {
        Scope::Company => {
            Kpis::of(&consign_store::kpis::total(conn, &Visibility::All, None, &w).await?)
        }
        Scope::Customer(id) => Kpis::of(&consign_store::kpis::customer_sums(conn, *id, &w).await?),
        Scope::Segment(g, key) => {
            match crate::kpis::rows(app, &Visibility::All, *g, &w)
                .await?
                .into_iter()
                .find(|r| r.group.as_deref() == Some(key.as_str()))
            {
                Some(r) => r.kpis,
                None => return Ok(None),
            }
        }
    };
    Ok(of(&kpis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_as_written() {
        for s in [
            "company",
            "customer:42",
            "value_class:a",
            "owner:lixy",
            "province:浙江省",
        ] {
            assert_eq!(Scope::parse(s).expect(s).to_string(), s);
        }
        assert_eq!(
            Scope::parse("value_class:A")
                .expect("upper case")
                .to_string(),
            "value_class:a"
        );
        for bad in ["", "customer:x", "month:202601", "value_class:", "everyone"] {
            assert!(Scope::parse(bad).is_err(), "{bad}");
        }
    }
}
