//! The demo's service desk: an SLA policy with the 2026 public holidays and make-up
//! days, and two months of tickets raised from real exceptions in the demo's shipments
//! (complaints about delays, claims for damage and shortage, inquiries, suggestions),
//! registered and worked through the same use cases as the UI, at their own times, so
//! that some are closed, some open, some past their deadlines and escalated.

use crate::auth::Actor;
use crate::demo::Rng;
use crate::service::{self, StepInput, TicketInput};
use crate::{App, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use consign_domain::ops::Fen;
use consign_domain::role::Role;
use consign_domain::service::SlaPolicy;
use consign_domain::shipment::Exception;

/// 2026's public holidays and make-up working days as the State Council announced them
/// (国务院办公厅关于2026年部分节假日安排的通知); a company keeps its own list on the
/// SLA page.
fn calendar_2026() -> (Vec<NaiveDate>, Vec<NaiveDate>) {
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day);
    let range = |m, a, b| (a..=b).filter_map(move |x| d(m, x));
    let holidays = range(1, 1, 3)
        .chain(range(2, 15, 23))
        .chain(range(4, 4, 6))
        .chain(range(5, 1, 5))
        .chain(range(6, 19, 21))
        .chain(range(9, 25, 27))
        .chain(range(10, 1, 7))
        .collect();
    let extra = [d(1, 4), d(2, 14), d(2, 28), d(5, 9), d(9, 20), d(10, 10)]
        .into_iter()
        .flatten()
        .collect();
    (holidays, extra)
}

fn user_actor(u: &consign_store::entity::user::Model) -> Actor {
    Actor {
        id: Some(u.id),
        username: u.username.clone(),
        name: u.display_name.clone(),
        role: Role::parse(&u.role).unwrap_or(Role::ServiceAgent),
        unit_id: u.org_unit_id,
        unit_path: "/".into(),
        lang: None,
        ip: None,
    }
}

/// Seeds the policy and about `n` tickets over the 60 days before `now`.
pub async fn seed(app: &App, seed: u64, n: usize, now: DateTime<Utc>) -> Result<usize> {
    let (holidays, extra) = calendar_2026();
    let mut policy = SlaPolicy::default();
    policy.calendar.holidays = holidays;
    policy.calendar.extra_workdays = extra;
    let admin = Actor::system("demo");
    service::set_sla_policy(app, &admin, &policy).await?;

    let conn = &app.db.conn;
    let users = consign_store::users::all_users(conn).await?;
    let units = consign_store::users::units(conn).await?;
    let agents: Vec<Actor> = users
        .iter()
        .filter(|u| u.role == Role::ServiceAgent.as_str())
        .map(|u| {
            let mut a = user_actor(u);
            a.unit_path = units
                .iter()
                .find(|x| x.id == u.org_unit_id)
                .map(|x| x.path.clone())
                .unwrap_or_else(|| "/".into());
            a
        })
        .collect();
    if agents.is_empty() {
        return Ok(0);
    }
    // Each ticket goes to an agent of the branch that owns the customer (any agent for
    // the pool's customers).
    let unit_path_of = |user: i64| {
        users
            .iter()
            .find(|u| u.id == user)
            .and_then(|u| units.iter().find(|x| x.id == u.org_unit_id))
            .map(|x| x.path.clone())
    };
    // Shipments of the last 60 days that went wrong: the reasons customers call.
    let candidates =
        consign_store::demo::went_wrong_since(&app.db.conn, now - Duration::days(60), n * 4)
            .await?;
    let mut r = Rng::new(seed);
    let mut made = 0;
    let notes_delay = [
        "客户来电反映货物未按承诺时效送达，影响其门店补货。",
        "收货方投诉晚到两天，要求说明原因。",
        "客户称双11期间多票延误，要求给出改进措施。",
    ];
    let notes_damage = [
        "收货时外包装破损，内件有磕碰，客户拍照留证。",
        "签收时发现货物受潮，客户要求理赔。",
        "到货短少 2 件，收货人已在签收单上注明。",
    ];
    for c in &candidates {
        if made >= n || !r.chance(0.25) {
            continue;
        }
        let owner_path = c.owner_id.and_then(unit_path_of);
        let fitting: Vec<&Actor> = agents
            .iter()
            .filter(|a| {
                owner_path
                    .as_ref()
                    .is_none_or(|p| p.starts_with(&a.unit_path))
            })
            .collect();
        if fitting.is_empty() {
            continue;
        }
        let agent = (*r.pick(&fitting)).clone();
        let x = consign_domain::shipment::Exceptions(c.exceptions);
        let damaged = x.has(Exception::Damaged) || x.has(Exception::Short);
        let (kind, subject, description, severity) = if damaged && r.chance(0.6) {
            (
                "claim",
                if x.has(Exception::Short) {
                    "货物短少索赔"
                } else {
                    "货物破损索赔"
                },
                r.pick(&notes_damage).to_string(),
                if r.chance(0.3) { "critical" } else { "high" },
            )
        } else if x.has(Exception::Delayed) || damaged {
            (
                "complaint",
                if damaged {
                    "货损投诉"
                } else {
                    "时效延误投诉"
                },
                r.pick(&notes_delay).to_string(),
                *r.pick(&["high", "normal", "normal", "low"]),
            )
        } else if r.chance(0.5) {
            (
                "inquiry",
                "运单状态查询",
                "客户询问改址和预计送达时间。".to_string(),
                "low",
            )
        } else {
            (
                "suggestion",
                "服务建议",
                "客户建议增加送货前电话预约。".to_string(),
                "low",
            )
        };
        let at = now - Duration::minutes(60 + r.below(60 * 24 * 58) as i64);
        let claimed = if kind == "claim" {
            Fen(c.revenue_fen.max(5_000) * (2 + r.below(8) as i64)).yuan()
        } else {
            String::new()
        };
        let input = TicketInput {
            kind: kind.into(),
            channel: r
                .pick(&["phone", "phone", "wechat", "email", "portal", "visit"])
                .to_string(),
            severity: severity.into(),
            customer_id: c.customer_id.to_string(),
            subject: subject.into(),
            description,
            waybills: c.waybill_no.clone(),
            claimed,
            responsible_party: if kind == "claim" {
                r.pick(&["干线承运商 顺达运输", "末端网点", "仓库作业"])
                    .to_string()
            } else {
                String::new()
            },
            ..Default::default()
        };
        let d = match service::create_at(app, &agent, &input, at).await {
            Ok(d) => d,
            Err(e) => {
                tracing::debug!(error = %e, "demo ticket skipped");
                continue;
            }
        };
        made += 1;
        let id = d.ticket.id;
        // How far it got: most are finished, some are still being worked.
        let mut t = at;
        let hop = |r: &mut Rng, t: DateTime<Utc>, max_h: usize| {
            t + Duration::minutes(20 + r.below(60 * max_h) as i64)
        };
        let stage = r.below(10);
        let steps: &[(&str, &str)] = &[
            ("investigate", "已联系承运网点核实情况。"),
            ("resolve", "已与客户协商处理方案并落实。"),
            ("confirm", "回访客户，对处理结果表示满意。"),
            ("close", ""),
        ];
        let reach = match stage {
            0 => 0,
            1 => 1,
            2 => 2,
            _ => 4,
        };
        for (i, (action, note)) in steps.iter().take(reach).enumerate() {
            t = hop(&mut r, t, if i == 0 { 6 } else { 30 });
            if t >= now {
                break;
            }
            // One in eight callbacks finds the customer unhappy: the ticket reopens and
            // is resolved again.
            if *action == "confirm" && r.chance(0.125) {
                let _ = service::step_at(
                    app,
                    &agent,
                    id,
                    &StepInput {
                        action: "callback_failed".into(),
                        note: "回访时客户表示赔付金额偏低，要求重新核定。".into(),
                        ..Default::default()
                    },
                    t,
                )
                .await;
                t = hop(&mut r, t, 24);
                let _ = service::step_at(
                    app,
                    &agent,
                    id,
                    &resolve_input(
                        &mut r,
                        kind,
                        c.revenue_fen,
                        "重新核定后按合同条款补足赔付。",
                    ),
                    t,
                )
                .await;
                t = hop(&mut r, t, 24);
            }
            let input = if *action == "resolve" {
                resolve_input(&mut r, kind, c.revenue_fen, note)
            } else {
                StepInput {
                    action: action.to_string(),
                    note: note.to_string(),
                    ..Default::default()
                }
            };
            if service::step_at(app, &agent, id, &input, t).await.is_err() {
                break;
            }
        }
    }
    service::escalate_due(app, now).await?;
    Ok(made)
}

fn resolve_input(r: &mut Rng, kind: &str, revenue_fen: i64, note: &str) -> StepInput {
    let cause = match kind {
        "claim" => *r.pick(&["damage", "damage", "loss", "third_party"]),
        "complaint" => *r.pick(&[
            "delay",
            "delay",
            "third_party",
            "staff_conduct",
            "information",
        ]),
        _ => "other",
    };
    StepInput {
        action: "resolve".into(),
        note: note.to_string(),
        root_cause: cause.into(),
        settled: if kind == "claim" {
            Fen(revenue_fen.max(5_000) * (1 + r.below(4) as i64)).yuan()
        } else {
            String::new()
        },
        responsible_party: String::new(),
    }
}
