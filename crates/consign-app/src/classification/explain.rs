//! A verdict explained with the figures and rules behind it, and the changes between runs, in the viewer's language; a customer's classification for its page.

use super::*;
#[allow(unused_imports)]
use consign_domain::customer::CustomerId;

/// One line of an explanation: what was decided, and the figures and rule behind it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ClassReason)]
pub struct Reason {
    pub topic: &'static str,
    pub verdict: String,
    pub because: String,
}

/// A customer's classification as the customer page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerClass {
    pub as_of: NaiveDate,
    pub policy_version: i64,
    pub row: VerdictRow,
    pub reasons: Vec<Reason>,
    /// Changes over the stored runs, newest first: (as of, what changed).
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ClassChange)]
pub struct Change {
    pub as_of: NaiveDate,
    pub text: String,
}

pub(crate) fn label(lang: Lang, key: &str) -> String {
    lang.t(key).to_string()
}

pub(crate) fn pct(bp: i64) -> String {
    let s = format!("{}.{:02}", bp / 100, bp % 100);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The reasons for a stored verdict under the policy of its run.
pub fn explain(lang: Lang, p: &Policy, run: &RunRow, k: &VerdictRow) -> Result<Vec<Reason>> {
    let mut out = Vec::new();
    let as_of = day_date(run.as_of).unwrap_or_default();
    // Grade: the rule that decided, with the integers it compared.
    let grade = Some(AppError::stored(
        "classifications.grade",
        &k.grade,
        Grade::parse(&k.grade),
    )?);
    let basis = k
        .grade_basis
        .as_deref()
        .and_then(classify::GradeBasis::parse)
        .or_else(|| grade.and_then(classify::GradeBasis::assumed));
    let because = match (grade, basis) {
        (Some(g), Some(b)) => {
            match classify::GradeReason::of(p, b, g, k.frequent_shipments, k.grade_revenue_fen) {
                classify::GradeReason::Frequency {
                    months,
                    shipments,
                    per_month,
                    needed,
                } => lang.tf(
                    "explain.grade_individual",
                    &[&months, &shipments, &needed, &per_month, &months],
                ),
                classify::GradeReason::Revenue {
                    months,
                    revenue_fen,
                    large_fen,
                    medium_fen,
                    government,
                } => lang.tf(
                    if government {
                        "explain.grade_government_revenue"
                    } else {
                        "explain.grade_revenue"
                    },
                    &[
                        &months,
                        &Fen(revenue_fen).to_string(),
                        &Fen(large_fen).to_string(),
                        &Fen(medium_fen).to_string(),
                    ],
                ),
                classify::GradeReason::Level(level) => lang.tf(
                    "explain.grade_level",
                    &[&lang.t(level.label_key()), &label(lang, g.label_key())],
                ),
            }
        }
        // A government grade of a run made before grades kept their rule.
        _ => lang.tf(
            "explain.grade_government",
            &[
                &p.revenue_months,
                &Fen(k.grade_revenue_fen).to_string(),
                &Fen(p.large_revenue_fen).to_string(),
                &Fen(p.medium_revenue_fen).to_string(),
            ],
        ),
    };
    out.push(Reason {
        topic: "classify.grade",
        verdict: label(lang, grade.map(|g| g.label_key()).unwrap_or("grade.small")),
        because,
    });
    // Value class.
    let class = AppError::stored(
        "classifications.value_class",
        &k.value_class,
        classify::ValueClass::parse(&k.value_class),
    )?;
    let because =
        match classify::ValueReason::of(p, k.value_rank, k.profit_before_fen, run.profit_total_fen)
        {
            classify::ValueReason::Ranked {
                rank,
                before_share_bp,
                a_share_bp,
                b_share_bp,
            } => {
                let rule = match class {
                    classify::ValueClass::A => lang.tf("explain.value_rule_a", &[&pct(a_share_bp)]),
                    classify::ValueClass::B => lang.tf(
                        "explain.value_rule_b",
                        &[&pct(a_share_bp), &pct(b_share_bp)],
                    ),
                    classify::ValueClass::C => lang.tf("explain.value_rule_c", &[&pct(b_share_bp)]),
                };
                format!(
                    "{}{}",
                    lang.tf(
                        "explain.value",
                        &[
                            &p.value_months,
                            &Fen(k.profit_fen).to_string(),
                            &rank,
                            &run.value_ranked,
                            &pct(before_share_bp),
                        ],
                    ),
                    rule
                )
            }
            classify::ValueReason::Unranked => lang.tf(
                "explain.value_none",
                &[&p.value_months, &Fen(k.profit_fen).to_string()],
            ),
        };
    out.push(Reason {
        topic: "classify.value_class",
        verdict: label(lang, class.label_key()),
        because,
    });
    // Lifecycle.
    let life = AppError::stored(
        "classifications.lifecycle",
        &k.lifecycle,
        Lifecycle::parse(&k.lifecycle),
    )?;
    let because = match life {
        Lifecycle::Prospective => lang.tf("explain.life_prospective", &[&as_of]),
        Lifecycle::Current => lang.tf(
            "explain.life_current",
            &[&p.current_days, &k.current_shipments],
        ),
        Lifecycle::Past => lang.tf(
            "explain.life_past",
            &[
                &k.last_day
                    .and_then(day_date)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                &p.current_days,
            ],
        ),
    };
    out.push(Reason {
        topic: "classify.lifecycle",
        verdict: label(lang, life.label_key()),
        because,
    });
    // Churn warning: the same comparison as the rule, in whole percent rounded up.
    let because =
        match classify::ChurnReason::of(p, life, k.churn_shipments, k.churn_prev_shipments) {
            classify::ChurnReason::NotCurrent => lang.t("explain.churn_not_current").to_string(),
            classify::ChurnReason::NoBase { days } => lang.tf("explain.churn_no_base", &[&days]),
            classify::ChurnReason::Compared {
                days,
                shipments,
                prev_shipments,
                pct_of_prev,
                ratio_pct,
            } => lang.tf(
                "explain.churn",
                &[
                    &days,
                    &shipments,
                    &days,
                    &prev_shipments,
                    &pct_of_prev,
                    &ratio_pct,
                ],
            ),
        };
    out.push(Reason {
        topic: "classify.churn",
        verdict: label(
            lang,
            if k.at_risk {
                "classify.at_risk"
            } else {
                "classify.not_at_risk"
            },
        ),
        because,
    });
    // RFM.
    let (verdict, because) = match (k.r_score, k.f_score, k.m_score) {
        (Some(r), Some(f), Some(m)) => (
            format!(
                "R{r} F{f} M{m} · {}",
                lang.t(k
                    .rfm_segment
                    .as_deref()
                    .and_then(RfmSegment::parse)
                    .map(|s| s.label_key())
                    .unwrap_or(""))
            ),
            lang.tf(
                "explain.rfm",
                &[
                    &k.recency_days.unwrap_or(0),
                    &r,
                    &p.rfm_months,
                    &k.frequency.unwrap_or(0),
                    &f,
                    &Fen(k.monetary_fen.unwrap_or(0)).to_string(),
                    &m,
                    &run.rfm_n,
                ],
            ),
        ),
        _ => (
            lang.t("common.none").to_string(),
            lang.tf("explain.rfm_none", &[&p.rfm_months]),
        ),
    };
    out.push(Reason {
        topic: "classify.rfm",
        verdict,
        because,
    });
    Ok(out)
}

/// What changed between two verdicts of a customer, in words; None when nothing did.
pub(crate) fn change_text(lang: Lang, before: &VerdictRow, after: &VerdictRow) -> Option<String> {
    let mut parts = Vec::new();
    let mut cmp = |topic: &str, a: String, b: String| {
        if a != b {
            parts.push(format!("{}: {} → {}", lang.t(topic), a, b));
        }
    };
    let g = |v: &VerdictRow| {
        Grade::parse(&v.grade)
            .map(|x| lang.t(x.label_key()).to_string())
            .unwrap_or_default()
    };
    cmp("classify.grade", g(before), g(after));
    let c = |v: &VerdictRow| {
        classify::ValueClass::parse(&v.value_class)
            .map(|x| lang.t(x.label_key()).to_string())
            .unwrap_or_default()
    };
    cmp("classify.value_class", c(before), c(after));
    let l = |v: &VerdictRow| {
        Lifecycle::parse(&v.lifecycle)
            .map(|x| lang.t(x.label_key()).to_string())
            .unwrap_or_default()
    };
    cmp("classify.lifecycle", l(before), l(after));
    let r = |v: &VerdictRow| {
        lang.t(if v.at_risk {
            "classify.at_risk"
        } else {
            "classify.not_at_risk"
        })
        .to_string()
    };
    cmp("classify.churn", r(before), r(after));
    let s = |v: &VerdictRow| {
        v.rfm_segment
            .as_deref()
            .and_then(RfmSegment::parse)
            .map(|x| lang.t(x.label_key()).to_string())
            .unwrap_or_else(|| lang.t("common.none").to_string())
    };
    cmp("classify.rfm", s(before), s(after));
    (!parts.is_empty()).then(|| parts.join("；"))
}

/// The customer page's classification: the current verdict explained, and the changes
/// over the stored runs. None before the first run. A customer outside the actor's scope
/// is "not found".
pub async fn of_customer(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
    lang: Lang,
) -> Result<Option<CustomerClass>> {
    crate::scope::visible_customer(app, actor, customer_id).await?;
    let Some(run) = current_run(app).await? else {
        return Ok(None);
    };
    let Some(row) = repo::verdict(&app.db.conn, run.id, customer_id).await? else {
        return Ok(None);
    };
    let pv = policy_version(app, run.policy_version).await?;
    let reasons = explain(lang, &pv.policy, &run, &row)?;
    let history = repo::history(&app.db.conn, customer_id).await?;
    let mut changes = Vec::new();
    for pair in history.windows(2) {
        if let Some(text) = change_text(lang, &pair[0].2, &pair[1].2) {
            changes.push(Change {
                as_of: day_date(pair[1].0).unwrap_or_default(),
                text,
            });
        }
    }
    if let Some((first, _, v)) = history.first() {
        changes.push(Change {
            as_of: day_date(*first).unwrap_or_default(),
            text: lang.tf(
                "classify.first",
                &[
                    &lang.t(classify::ValueClass::parse(&v.value_class)
                        .map(|c| c.label_key())
                        .unwrap_or("")),
                    &lang.t(Lifecycle::parse(&v.lifecycle)
                        .map(|c| c.label_key())
                        .unwrap_or("")),
                ],
            ),
        });
    }
    changes.reverse();
    Ok(Some(CustomerClass {
        as_of: day_date(run.as_of).unwrap_or_default(),
        policy_version: run.policy_version,
        row,
        reasons,
        changes,
    }))
}

/// A customer's stored verdicts over the runs (API), oldest first. A customer outside the
/// actor's scope is "not found".
pub async fn history(
    app: &App,
    actor: &Actor,
    customer_id: CustomerId,
) -> Result<Vec<(NaiveDate, i64, VerdictRow)>> {
    crate::scope::visible_customer(app, actor, customer_id).await?;
    Ok(repo::history(&app.db.conn, customer_id)
        .await?
        .into_iter()
        .map(|(as_of, pv, v)| (day_date(as_of).unwrap_or_default(), pv, v))
        .collect())
}
