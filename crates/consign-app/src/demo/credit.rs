//! The demo's credit: the business customers billed monthly get credit accounts through
//! the same code credit staff use — most comfortably within their limits, a few near
//! them, a few over (some under the block policy, with new shipments held) — and an
//! account manager asks for a higher limit for one of theirs.

use crate::auth::Actor;
use crate::credit::{self, TermsInput};
use crate::demo::Rng;
use crate::shipments::ShipmentInput;
use crate::{App, Result};
use chrono::{Duration, Utc};
use consign_domain::credit::RATINGS;
use consign_domain::customer::CustomerId;
use consign_domain::ops::Fen;
use consign_domain::role::Role;
use consign_store::scope::Visibility;

/// Accounts the demo opens at most.
const ACCOUNTS: usize = 60;

/// A limit rounded to ¥1,000 (at least ¥5,000).
fn round_limit(fen: f64) -> Fen {
    Fen(((fen / 100_000.0).round() as i64).max(5) * 100_000)
}

/// Opens the accounts; returns (accounts, held shipments).
pub async fn seed(app: &App, seed: u64) -> Result<(usize, usize)> {
    let system = Actor::system("demo");
    let mut r = Rng::new(seed ^ 0xC4ED);
    let conn = &app.db.conn;
    let ids = consign_store::billing::customers_with_bills(conn, &Visibility::All).await?;
    let mut accounts = Vec::new();
    for id in ids.into_iter().take(ACCOUNTS) {
        let c = credit::get(app, &system, CustomerId::trusted(id)).await?;
        accounts.push((id, c.exposure_fen));
    }
    // The largest exposures first: among them three over their limits (two under the
    // block policy) and four near; the others with room to spare.
    accounts.sort_by_key(|(id, e)| (std::cmp::Reverse(*e), *id));
    let mut opened = 0;
    let mut held = 0;
    let mut requested = false;
    for (i, (id, exposure)) in accounts.into_iter().enumerate() {
        let cid = CustomerId::trusted(id);
        let e = exposure.get().max(1_000_000) as f64;
        let (limit, block) = match i {
            1 | 7 => (round_limit(e * 0.9), true),
            4 => (round_limit(e * 0.9), false),
            2 | 5 | 8 | 11 => (round_limit(e / 0.88), false),
            _ => (round_limit(e * (1.6 + r.below(15) as f64 / 10.0)), false),
        };
        let input = TermsInput {
            monthly_settlement: Some(true),
            limit_fen: Some(Some(limit)),
            term_days: Some(*r.pick(&[30, 30, 45, 60])),
            rating: Some(RATINGS[r.below(3)].to_string()),
            policy: Some(if block { "block" } else { "warn" }.to_string()),
            reason: Some("年度授信 (annual credit review)".to_string()),
        };
        credit::set(app, &system, cid, &input).await?;
        opened += 1;
        if block {
            held += hold_new_shipments(app, &system, id, i).await?;
        }
        // The largest accounts were assessed (5C) and handed in their statements.
        if i < 6 {
            assess_and_file(app, &system, cid, &mut r, exposure).await?;
        }
        if !requested && i > 12 {
            requested = ask_for_more(app, id, limit).await?;
        }
        // The customers near their limits promised to pay down some of it.
        if matches!(i, 2 | 5) {
            let input = crate::credit::PromiseInput {
                amount_fen: Some(Fen(limit.get() / 5 / 100 * 100)),
                promised_on: (app.today() + Duration::days(5)).to_string(),
                note: "财务确认下周一安排付款".into(),
            };
            crate::credit::add_promise(app, &system, cid, &input).await?;
        }
    }
    // Tonight's collection tasks for the overdue accounts.
    crate::credit::sweep(app).await?;
    Ok((opened, held))
}

/// A 5C assessment a year ago and one now, and two years' statements sized on the
/// customer's exposure.
async fn assess_and_file(
    app: &App,
    system: &Actor,
    cid: CustomerId,
    r: &mut Rng,
    exposure: Fen,
) -> Result<()> {
    use crate::credit::{AssessmentInput, StatementInput};
    use consign_domain::credit::ratios::Statement;
    for notes in ["上年度评估：回款基本准时", "年度复评：经营稳定，担保不足"]
    {
        let scores = (0..5).map(|_| 2 + r.below(4) as i64).collect();
        let input = AssessmentInput {
            method: Some("five_c".into()),
            scores,
            notes: Some(notes.into()),
        };
        credit::add_assessment(app, system, cid, &input).await?;
    }
    // A customer's business is some fifty times its exposure to us.
    let base = exposure.get().max(2_000_000) * 50;
    let y = |k: f64| Fen((base as f64 * k) as i64 / 100 * 100);
    for (period, grow) in [("2024", 1.0), ("2025", 1.0 + r.below(20) as f64 / 100.0)] {
        let items = Statement {
            cash_fen: y(0.06 * grow),
            cash_equivalents_fen: y(0.02),
            receivables_fen: y(0.18 * grow),
            inventory_fen: y(0.08),
            current_assets_fen: y(0.36 * grow),
            total_assets_fen: y(1.0 * grow),
            current_liabilities_fen: y(0.22),
            total_liabilities_fen: y(0.55),
            sales_fen: y(1.8 * grow),
            credit_sales_fen: Some(y(1.5 * grow)),
            cost_of_sales_fen: y(1.4 * grow),
            costs_and_expenses_fen: y(1.7 * grow),
            profit_fen: y(0.08 * grow),
            ..Statement::default()
        };
        let input = StatementInput {
            period: period.into(),
            items,
        };
        credit::put_statement(app, system, cid, &input).await?;
    }
    Ok(())
}

/// Two new shipments of a customer over its limit under the block policy: both held.
async fn hold_new_shipments(app: &App, system: &Actor, id: i64, i: usize) -> Result<usize> {
    let at = Utc::now() - Duration::hours(3);
    let inputs: Vec<ShipmentInput> = (0..2)
        .map(|n| ShipmentInput {
            waybill_no: format!("HOLD{id:06}{i:02}{n}"),
            customer_id: Some(id.to_string()),
            service_mode: Some("ltl".into()),
            origin_city: Some("上海".into()),
            destination_city: Some(["北京", "成都"][n].into()),
            goods_type: Some("日用品".into()),
            pieces: Some(12),
            weight_g: Some(480_000),
            revenue_fen: Some(Fen(186_000 + 24_000 * n as i64)),
            ordered_at: Some(at + Duration::minutes(20 * n as i64)),
            ..Default::default()
        })
        .collect();
    let written = crate::shipments::upsert(app, system, &inputs).await?;
    Ok(written.iter().filter(|w| w.shipment.on_hold).count())
}

/// The owner of a customer (an account manager) asks for a higher limit.
async fn ask_for_more(app: &App, id: i64, limit: Fen) -> Result<bool> {
    let conn = &app.db.conn;
    let Some(c) = consign_store::customers::find(conn, CustomerId::trusted(id)).await? else {
        return Ok(false);
    };
    let Some(owner) = c.owner_id else {
        return Ok(false);
    };
    let Some(u) = consign_store::users::user(conn, owner).await? else {
        return Ok(false);
    };
    if Role::parse(&u.role) != Some(Role::AccountManager) {
        return Ok(false);
    }
    let actor = crate::auth::actor_for(app, &u, None).await?;
    let input = TermsInput {
        limit_fen: Some(Some(Fen(limit.get() / 2 * 3))),
        reason: Some("客户旺季发货量增加，申请临时提额 50%".to_string()),
        ..Default::default()
    };
    credit::request(app, &actor, CustomerId::trusted(id), &input).await?;
    Ok(true)
}
