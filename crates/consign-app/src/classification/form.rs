//! The policy as a form: its fields, their values, and a policy from what was submitted.

#[allow(unused_imports)]
use super::*;

/// The policy's fields as a form shows them: money in yuan, shares and ratios in percent.
pub const FORM_FIELDS: &[(&str, &str)] = &[
    ("frequent_per_month", "policy.frequent_per_month"),
    ("frequent_months", "policy.frequent_months"),
    ("large_revenue_yuan", "policy.large_revenue_yuan"),
    ("medium_revenue_yuan", "policy.medium_revenue_yuan"),
    ("revenue_months", "policy.revenue_months"),
    ("value_months", "policy.value_months"),
    ("a_share_pct", "policy.a_share_pct"),
    ("b_share_pct", "policy.b_share_pct"),
    ("current_days", "policy.current_days"),
    ("churn_days", "policy.churn_days"),
    ("churn_ratio_pct", "policy.churn_ratio_pct"),
    ("rfm_months", "policy.rfm_months"),
];

/// A policy as form values (see [`FORM_FIELDS`]).
pub fn form_values(p: &Policy) -> std::collections::HashMap<String, String> {
    use consign_domain::ops::{format_scaled, Fen};
    [
        ("frequent_per_month", p.frequent_per_month.to_string()),
        ("frequent_months", p.frequent_months.to_string()),
        ("large_revenue_yuan", Fen(p.large_revenue_fen).yuan()),
        ("medium_revenue_yuan", Fen(p.medium_revenue_fen).yuan()),
        ("revenue_months", p.revenue_months.to_string()),
        ("value_months", p.value_months.to_string()),
        ("a_share_pct", format_scaled(p.a_share_bp, 2)),
        ("b_share_pct", format_scaled(p.b_share_bp, 2)),
        ("current_days", p.current_days.to_string()),
        ("churn_days", p.churn_days.to_string()),
        ("churn_ratio_pct", p.churn_ratio_pct.to_string()),
        ("rfm_months", p.rfm_months.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Reads a policy from form values; every field is required. Errors name the form field.
pub fn policy_from_form(get: &dyn Fn(&str) -> String) -> Result<Policy> {
    use consign_domain::ops::{parse_scaled, Fen};
    let mut e = FieldErrors::new();
    let mut int = |f: &str| -> i64 {
        match get(f).trim().parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                e.add(f, "err.invalid_number");
                0
            }
        }
    };
    let frequent_per_month = int("frequent_per_month");
    let frequent_months = int("frequent_months");
    let revenue_months = int("revenue_months");
    let value_months = int("value_months");
    let current_days = int("current_days");
    let churn_days = int("churn_days");
    let churn_ratio_pct = int("churn_ratio_pct");
    let rfm_months = int("rfm_months");
    let mut money = |f: &str| match Fen::parse(&get(f)) {
        Ok(v) => v.get(),
        Err(code) => {
            e.add(f, code);
            0
        }
    };
    let large_revenue_fen = money("large_revenue_yuan");
    let medium_revenue_fen = money("medium_revenue_yuan");
    let mut share = |f: &str| match parse_scaled(get(f).trim().trim_end_matches('%'), 2) {
        Ok(v) => v,
        Err(_) => {
            e.add(f, "err.invalid_number");
            0
        }
    };
    let a_share_bp = share("a_share_pct");
    let b_share_bp = share("b_share_pct");
    let month = |v: i64| u32::try_from(v).unwrap_or(0);
    let p = Policy {
        frequent_per_month,
        frequent_months: month(frequent_months),
        large_revenue_fen,
        medium_revenue_fen,
        revenue_months: month(revenue_months),
        value_months: month(value_months),
        a_share_bp,
        b_share_bp,
        current_days,
        churn_days,
        churn_ratio_pct,
        rfm_months: month(rfm_months),
    };
    if e.is_empty() {
        if let Err(errs) = p.validate() {
            // The domain names its fields; the form's money and shares differ in name.
            for x in errs {
                let f = match x.field {
                    "large_revenue_fen" => "large_revenue_yuan",
                    "medium_revenue_fen" => "medium_revenue_yuan",
                    "a_share_bp" => "a_share_pct",
                    "b_share_bp" => "b_share_pct",
                    other => other,
                };
                e.add(f, x.key);
            }
        }
    }
    e.into_result()?;
    Ok(p)
}
