//! The demo's improvement actions, opened and moved on at their own past days through
//! the same use cases as the pages: one on the company's on-time rate under way with its
//! check date reached, one on the price gap still in plan and past its due date, one on a
//! customer's CSAT after a low answer (at the check), one on the key customers' damage
//! rate closed with its result.

use crate::auth::{actor_for, Actor};
use crate::improvements::{create_at, move_at, ImprovementInput, StageInput};
use crate::{App, Result};
use chrono::{DateTime, Duration, Utc};

async fn actor(app: &App, username: &str) -> Result<Option<Actor>> {
    match consign_store::users::all_users(&app.db.conn)
        .await?
        .into_iter()
        .find(|u| u.username == username)
    {
        Some(u) => Ok(Some(actor_for(app, &u, None).await?)),
        None => Ok(None),
    }
}

struct Step(&'static str, i64, &'static str);

/// Opens an action `opened` days before `now` and moves it through `steps` (stage, days
/// before now, note).
async fn one(
    app: &App,
    who: &Actor,
    input: ImprovementInput,
    opened: i64,
    steps: &[Step],
    now: DateTime<Utc>,
) -> Result<()> {
    let day = |back: i64| {
        (now - Duration::days(back))
            .with_timezone(&app.tz())
            .date_naive()
    };
    let v = create_at(app, who, &input, day(opened), now - Duration::days(opened)).await?;
    for Step(stage, back, note) in steps {
        let input = StageInput {
            stage: stage.to_string(),
            note: note.to_string(),
        };
        move_at(
            app,
            who,
            v.id,
            &input,
            day(*back),
            now - Duration::days(*back),
        )
        .await?;
    }
    Ok(())
}

/// Seeds the actions; returns how many.
pub async fn seed(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let Some(manager) = actor(app, "wangjl").await? else {
        return Ok(0);
    };
    let day = |back: i64| {
        (now - Duration::days(back))
            .with_timezone(&app.tz())
            .date_naive()
            .to_string()
    };
    let input =
        |title: &str, metric: &str, scope: &str, source: &str, plan: &str, due: i64, check: i64| {
            ImprovementInput {
                title: title.into(),
                metric: metric.into(),
                scope: scope.into(),
                source: source.into(),
                plan: plan.into(),
                due_on: day(due),
                check_on: day(check),
                ..Default::default()
            }
        };
    let mut made = 0;
    one(
        app,
        &manager,
        input(
            "华东干线准时率提升",
            "on_time_rate",
            "company",
            "kpi",
            "1. 上海—杭州、上海—南京干线增开夜班车；\n2. 分拨中心卸车时限从 2 小时压缩到 1 小时；\n3. 每周复盘延误前 20 票的原因。",
            -15,
            5,
        ),
        45,
        &[Step("do", 44, "夜班车已于本周一开通，分拨中心排班已调整。")],
        now,
    )
    .await?;
    made += 1;
    one(
        app,
        &manager,
        input(
            "零担报价透明化",
            "gap.price",
            "company",
            "gap",
            "梳理零担报价表，向大客户发送分区价格说明，客服统一报价口径。",
            5,
            -40,
        ),
        20,
        &[],
        now,
    )
    .await?;
    made += 1;
    one(
        app,
        &manager,
        input(
            "A 类客户破损率专项",
            "damage_rate",
            "value_class:a",
            "kpi",
            "易碎品加固包装、装车前拍照留证、破损理赔 48 小时内定责。",
            40,
            35,
        ),
        100,
        &[
            Step("do", 98, "包装规范已下发各网点。"),
            Step("check", 35, "破损率较基线下降，抽查 50 票包装合格。"),
            Step("act", 33, "将加固包装写入 A 类客户操作标准。"),
            Step("closed", 30, "破损率下降，已纳入标准作业流程。"),
        ],
        now,
    )
    .await?;
    made += 1;
    // A customer who answered a survey low: its owner's action on its satisfaction.
    let low = crate::surveys::list(
        app,
        &Actor::system("demo"),
        None,
        &crate::surveys::SurveyQuery {
            status: Some("low".into()),
            per_page: Some(20),
            ..Default::default()
        },
    )
    .await?;
    for s in &low.items {
        let c = consign_store::customers::find(&app.db.conn, s.customer_id).await?;
        let Some(owner) = c.and_then(|c| c.owner_id) else {
            continue;
        };
        let Some(u) = consign_store::users::user(&app.db.conn, owner).await? else {
            continue;
        };
        let who = actor_for(app, &u, None).await?;
        let mut i = input(
            "重点客户满意度回访与整改",
            "csat",
            &format!("customer:{}", s.customer_id),
            "survey",
            "上门拜访客户物流负责人，逐票复盘近期延误与破损，约定每周通报运单异常。",
            20,
            -1,
        );
        i.survey_id = s.id.to_string();
        one(
            app,
            &who,
            i,
            30,
            &[
                Step("do", 29, "已上门拜访，客户同意每周通报机制。"),
                Step("check", 0, "回访后客户评分回升，继续观察一个月。"),
            ],
            now,
        )
        .await?;
        made += 1;
        break;
    }
    Ok(made)
}
