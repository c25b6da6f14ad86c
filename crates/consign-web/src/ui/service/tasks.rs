//! Follow-up tasks and logging interactions.

#[allow(unused_imports)]
use super::*;

#[derive(Template)]
#[template(path = "service/tasks.html")]
pub(crate) struct TasksTpl {
    pub(crate) ctx: Ctx,
    pub(crate) l: consign_app::followups::TaskList,
    pub(crate) kinds: Vec<Opt>,
    pub(crate) error: String,
}

/// One group of the task list as shown: title, rows, id, whole count.
pub(crate) type TaskGroup<'a> = (
    String,
    &'a Vec<consign_app::followups::TaskView>,
    &'static str,
    u64,
);

impl TasksTpl {
    fn groups(&self) -> Vec<TaskGroup<'_>> {
        let l = &self.l;
        [
            ("followup.overdue", &l.overdue, "overdue", l.overdue_total),
            ("followup.today", &l.today, "today", l.today_total),
            (
                "followup.upcoming",
                &l.upcoming,
                "upcoming",
                l.upcoming_total,
            ),
        ]
        .into_iter()
        .filter(|g| l.group.is_none_or(|x| x == g.2))
        .map(|(k, rows, id, n)| (self.ctx.t(k), rows, id, n))
        .collect()
    }
    /// "Showing 1–100 of 12,600", when a group lists only part of its tasks.
    fn shown(&self, rows: &[consign_app::followups::TaskView], total: &u64) -> String {
        if rows.len() as u64 >= *total {
            return String::new();
        }
        let from = (self.l.page - 1) * self.l.per_page + 1;
        let to = from + rows.len() as u64 - 1;
        self.ctx.tf3("followup.shown", &from, &to, total)
    }
    fn has_next(&self, total: &u64) -> bool {
        self.l.page * self.l.per_page < *total
    }
}

#[derive(Default, serde::Deserialize)]
pub(crate) struct TasksQ {
    pub(crate) ok: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) page: Option<u64>,
}

pub(crate) async fn tasks_render(
    app: &App,
    u: &UiUser,
    q: &TasksQ,
    flash: Option<&str>,
    error: String,
) -> UiResult {
    let lang = u.lang;
    let l = consign_app::followups::my_tasks(
        app,
        &u.actor,
        14,
        q.group.as_deref(),
        q.page.unwrap_or(1),
    )
    .await
    .map_err(|e| fail(e, lang))?;
    let mut ctx = Ctx::new(app, u, "/tasks", "tasks");
    if flash == Some("followup.completed") {
        ctx.flash = Some(lang.t("followup.completed").to_string());
    }
    use consign_domain::followup::InteractionKind;
    Ok(render(&TasksTpl {
        ctx,
        l,
        kinds: vocab(
            lang,
            InteractionKind::ALL,
            InteractionKind::as_str,
            InteractionKind::label_key,
            "call",
        ),
        error,
    }))
}

pub(crate) async fn tasks_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<TasksQ>,
) -> UiResult {
    tasks_render(&app, &u, &q, q.ok.as_deref(), String::new()).await
}

pub(crate) async fn task_complete(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let input = consign_app::followups::InteractionInput {
        kind: p.form.text("kind"),
        summary: p.form.text("summary"),
        next_step: p.form.text("next_step"),
        ..Default::default()
    };
    match consign_app::followups::complete(&app, &p.user.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to("/tasks?ok=followup.completed").into_response()),
        Err(AppError::Validation(errs)) => {
            let msg = errs
                .0
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        lang.t(&format!("followup.{}", f.field)),
                        lang.t(f.code)
                    )
                })
                .collect::<Vec<_>>()
                .join("；");
            let mut r = tasks_render(&app, &p.user, &TasksQ::default(), None, msg).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}
