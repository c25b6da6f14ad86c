//! The demo's surveys: the daily samples of the last four months' deliveries drawn as
//! the nightly sweep would have drawn them, and about half of them (and of the closed
//! tickets' surveys) answered a day or two later, through the same code as the answer
//! page. Answers lean on what went wrong: a delayed or damaged shipment scores lower,
//! and a few low scores open the owners' callback tasks.

use crate::demo::Rng;
use crate::surveys::{public::store_answer, sweep};
use crate::{App, Result};
use chrono::{DateTime, Duration, Utc};
use consign_domain::surveys::{Answer, Scored};
use consign_domain::Lang;
use consign_store::surveys::{self as repo, SurveyFilter};

const GOOD: [&str; 6] = [
    "司机很准时，货物完好，继续保持。",
    "客服响应快，问题当天就解决了。",
    "价格合理，时效稳定，会继续合作。",
    "签收单回传及时，对账方便。",
    "Delivery was on time and the driver was polite.",
    "旺季也能按时到货，非常感谢。",
];
const POOR: [&str; 6] = [
    "双11期间晚到两天，影响门店补货。",
    "外包装破损，理赔流程太慢。",
    "电话很难打通，希望增加客服人手。",
    "报价比同行高，时效却不稳定。",
    "到货少了两件，至今没有答复。",
    "Tracking was not updated for three days.",
];

/// The most answers the demo gives.
const MAX_ANSWERS: usize = 3_000;

/// Draws the samples of the `days` days before `now` and answers some of the surveys;
/// returns (made, answered).
pub async fn seed(app: &App, seed: u64, days: i64, now: DateTime<Utc>) -> Result<(usize, usize)> {
    // A tenth of deliveries, each contact at most every two weeks: enough answers for the
    // pages to show trends.
    let policy = consign_domain::surveys::SurveyPolicy {
        delivery_percent: 10.0,
        contact_gap_days: 14,
        ..Default::default()
    };
    crate::surveys::set_policy(app, &crate::auth::Actor::system("demo"), &policy).await?;
    let mut made = 0;
    // One draw every third day covers each day's deliveries once (the sweep looks back
    // three days), oldest first so that the contact gap holds as it would have.
    let mut back = days;
    while back >= 0 {
        made += sweep::sample(app, now - Duration::days(back)).await?;
        back -= sweep::LOOKBACK_DAYS;
    }
    let conn = &app.db.conn;
    let mut rows = Vec::new();
    for page in 1.. {
        let (more, _) = repo::list(
            conn,
            &consign_store::scope::Visibility::All,
            &SurveyFilter {
                page,
                per_page: 500,
                ..Default::default()
            },
            now,
        )
        .await?;
        if more.is_empty() {
            break;
        }
        rows.extend(more);
    }
    let mut r = Rng::new(seed);
    let mut answered = 0;
    // About 55 % answered, spread over the months; a large demo answers fewer.
    let share = 0.55_f64.min(MAX_ANSWERS as f64 / rows.len().max(1) as f64);
    for s in rows.iter().rev() {
        // Enough answers for the pages; a large demo (the benchmark's) stops there.
        if answered >= MAX_ANSWERS {
            break;
        }
        if s.answered_at.is_some() || !r.chance(share) {
            continue;
        }
        let at = s.created_at + Duration::hours(2 + r.below(60) as i64);
        if at >= now || at >= s.expires_at {
            continue;
        }
        // Tickets were raised because something went wrong: they score lower.
        let poor = r.chance(if s.kind == "ticket" { 0.45 } else { 0.18 });
        let a = answer(&mut r, poor);
        let lang = if r.chance(0.85) { Lang::Zh } else { Lang::En };
        if store_answer(app, s, &a, lang, at).await? {
            answered += 1;
        }
    }
    Ok((made, answered))
}

fn answer(r: &mut Rng, poor: bool) -> Answer {
    let mut score = |lo: usize, hi: usize| (lo + r.below(hi - lo + 1)) as i16;
    let (csat, nps) = if poor {
        (score(1, 3), score(0, 7))
    } else {
        (score(4, 5), score(7, 10))
    };
    let mut dims = [Scored::default(); 5];
    for (i, d) in dims.iter_mut().enumerate() {
        if r.chance(0.8) {
            // Price and timeliness fall furthest short of what customers expect.
            let short = if i == 0 || i == 4 { 1 } else { 0 };
            let p = (csat - short + r.below(2) as i16 - 1).clamp(1, 5);
            d.perception = Some(p);
            if r.chance(0.7) {
                d.expectation = Some((4 + r.below(2) as i16).clamp(1, 5));
            }
        }
    }
    let comment = r
        .chance(0.4)
        .then(|| r.pick(if poor { &POOR } else { &GOOD }).to_string());
    Answer {
        csat,
        nps,
        dims,
        comment,
    }
}
