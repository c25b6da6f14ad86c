//! The respondent's side: a survey opened and answered through its signed link, without
//! signing in. The link shows what the survey asks about (a waybill or ticket number and
//! the company's name) and nothing else; it takes one answer, before it expires.

use super::{by_token, policy_in_force, status_of};
use crate::audit::{self, Entry};
use crate::auth::Actor;
use crate::followups::{generated_title, pool_lead};
use crate::{App, AppError, Result};
use chrono::{DateTime, Duration, Utc};
use consign_domain::classify::day_num;
use consign_domain::followup::TaskKind;
use consign_domain::surveys::{read_answer, SurveyStatus, SurveyTrigger};
use consign_domain::{FieldErrors, Lang};
use consign_store::followups::NewTask;
use consign_store::surveys as repo;

/// What the answer page shows.
#[derive(Debug, Clone)]
pub struct OpenSurvey {
    pub kind: SurveyTrigger,
    /// The waybill or ticket number asked about (empty: the service in general).
    pub subject: String,
    pub status: SurveyStatus,
    pub expires_at: DateTime<Utc>,
}

/// The survey behind a link; NotFound for a link that is not one of ours.
pub async fn open(app: &App, token: &str) -> Result<OpenSurvey> {
    let r = by_token(app, token).await?.ok_or(AppError::NotFound)?;
    Ok(OpenSurvey {
        kind: AppError::stored("surveys.kind", &r.kind, SurveyTrigger::parse(&r.kind))?,
        status: status_of(&r, Utc::now()),
        subject: r.subject,
        expires_at: r.expires_at,
    })
}

/// Stores the answer given through a link (`get` reads the form's fields) in the
/// respondent's language; whether the answer was low. An answered or expired survey is a conflict; a low score
/// (CSAT ≤ 2 or NPS ≤ 6) opens a follow-up task for the customer's owner in the same
/// transaction.
pub async fn answer(
    app: &App,
    token: &str,
    lang: Lang,
    get: impl Fn(&str) -> Option<String>,
) -> Result<bool> {
    let r = by_token(app, token).await?.ok_or(AppError::NotFound)?;
    let now = Utc::now();
    match status_of(&r, now) {
        SurveyStatus::Answered => return Err(conflict("err.survey_answered")),
        SurveyStatus::Expired => return Err(conflict("err.survey_expired")),
        SurveyStatus::Open => {}
    }
    let a = read_answer(get).map_err(|bad| {
        let mut e = FieldErrors::new();
        for (f, k) in bad {
            e.add(&f, k);
        }
        AppError::Validation(e)
    })?;
    if !store_answer(app, &r, &a, lang, now).await? {
        // Answered (or expired) a moment ago, through another tab.
        return Err(conflict("err.survey_answered"));
    }
    Ok(a.is_low())
}

/// Stores an answer given at `now` and, for a low one, the owner's callback task, in one
/// transaction; false when the survey was answered or had expired by then.
pub(crate) async fn store_answer(
    app: &App,
    r: &consign_store::surveys::SurveyRow,
    a: &consign_domain::surveys::Answer,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<bool> {
    let tz = app.tz();
    let today = now.with_timezone(&tz).date_naive();
    let actor = Actor::system("survey");
    let txn = app.db.begin_write().await?;
    if !repo::answer(&txn, r.id, a, lang.code(), day_num(today), now).await? {
        return Ok(false);
    }
    audit::record(
        &txn,
        &actor,
        Entry {
            action: "survey.answer",
            entity_type: "survey",
            entity_id: r.id.to_string(),
            customer_id: Some(r.customer_id),
            summary: (!r.subject.is_empty()).then(|| r.subject.clone()),
            said: None,
            before: None,
            after: Some(serde_json::json!({"csat": a.csat, "nps": a.nps})),
        },
    )
    .await?;
    if a.is_low() {
        let p = policy_in_force(app).await?;
        let who = match r.owner_id {
            Some(o) => Some(o),
            None => pool_lead(app, &crate::followups::policy_in_force(app).await?).await?,
        };
        let key = "task.title.survey_low";
        let args = vec![a.csat.to_string(), a.nps.to_string()];
        let title = generated_title(Lang::Zh, key, &args);
        let args = serde_json::to_string(&args).map_err(AppError::from_err)?;
        let task = consign_store::followups::add_task(
            &txn,
            &NewTask {
                customer_id: r.customer_id,
                assignee_id: who,
                kind: TaskKind::SurveyCallback.as_str(),
                title: &title,
                title_key: Some(key),
                title_args: Some(&args),
                due_on: day_num(today + Duration::days(p.callback_days)),
                ticket_id: r.ticket_id,
                created_by: None,
                now,
            },
        )
        .await?;
        repo::set_task(&txn, r.id, task).await?;
    }
    txn.commit().await?;
    Ok(true)
}

fn conflict(code: &'static str) -> AppError {
    AppError::Conflict {
        field: "survey".into(),
        code,
    }
}
