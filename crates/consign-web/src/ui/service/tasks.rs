//! Follow-up tasks and logging interactions.

#[allow(unused_imports)]
use super::*;

#[derive(Template)]
#[template(path = "service/tasks.html")]
pub(crate) struct TasksTpl {
    pub(crate) ctx: Ctx,
    pub(crate) lv: crate::ui::views::ListViews,
    pub(crate) l: consign_app::followups::TaskList,
    pub(crate) q: TasksQ,
    pub(crate) days: i64,
    pub(crate) kinds: Vec<Opt>,
    pub(crate) groups_opts: Vec<Opt>,
    pub(crate) days_opts: Vec<Opt>,
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
        let upcoming = self.ctx.lang.tf("followup.upcoming", &[&self.days]);
        [
            (
                self.ctx.t("followup.overdue"),
                &l.overdue,
                "overdue",
                l.overdue_total,
            ),
            (
                self.ctx.t("followup.today"),
                &l.today,
                "today",
                l.today_total,
            ),
            (upcoming, &l.upcoming, "upcoming", l.upcoming_total),
        ]
        .into_iter()
        .filter(|g| l.group.is_none_or(|x| x == g.2))
        .collect()
    }
    /// "Showing 1–100 of 12,600", when a group lists only part of its tasks.
    fn shown(&self, rows: &[consign_app::followups::TaskView], total: &u64) -> String {
        if rows.len() as u64 >= *total {
            return String::new();
        }
        let from = (self.l.page - 1) * self.l.per_page + 1;
        let to = from + rows.len() as u64 - 1;
        let c = |n: &u64| self.ctx.count(n);
        self.ctx
            .tf3("followup.shown", &c(&from), &c(&to), &c(total))
    }
    fn has_next(&self, total: &u64) -> bool {
        self.l.page * self.l.per_page < *total
    }
    /// The list's address for one group's page, keeping the horizon.
    fn group_link(&self, group: &str, page: u64) -> String {
        let mut pairs = self.q.pairs();
        pairs.retain(|(k, _)| *k != "group");
        pairs.push(("group", group.to_string()));
        let page = if page > 0 {
            format!("&page={page}")
        } else {
            String::new()
        };
        format!("/tasks?{}{page}", listing::query(&pairs, None))
    }
    fn chips(&self) -> Vec<listing::Chip> {
        let lang = self.ctx.lang;
        listing::chips("/tasks", &self.q.pairs(), |k, val| {
            Some(match k {
                "group" => (
                    lang.t("followup.group").to_string(),
                    listing::option_label(&self.groups_opts, val),
                ),
                "days" => (
                    lang.t("followup.days").to_string(),
                    listing::option_label(&self.days_opts, val),
                ),
                _ => return None,
            })
        })
    }
}

#[derive(Default, Clone, serde::Deserialize)]
pub(crate) struct TasksQ {
    pub(crate) ok: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) days: Option<String>,
    pub(crate) page: Option<u64>,
}

impl TasksQ {
    fn pairs(&self) -> listing::Pairs<'static> {
        let v = |x: &Option<String>| x.clone().unwrap_or_default();
        vec![("group", v(&self.group)), ("days", v(&self.days))]
    }
}

pub(crate) async fn tasks_render(
    app: &App,
    u: &UiUser,
    q: &TasksQ,
    view: Option<&str>,
    flash: Option<&str>,
    error: String,
) -> UiResult {
    let lang = u.lang;
    let mut error = error;
    // A horizon that is no number, or out of range, is named; the list keeps the default.
    let asked = consign_domain::params::given(q.days.as_deref()).map(|s| s.parse::<i64>());
    let days = match asked {
        None => consign_domain::followup::upcoming_days(None),
        Some(Ok(d)) => consign_domain::followup::upcoming_days(Some(d)),
        Some(Err(_)) => Err("err.invalid_number"),
    };
    let days = days.unwrap_or_else(|k| {
        error = format!("{}: {}", lang.t("followup.days"), lang.t(k));
        consign_domain::followup::UPCOMING_DAYS
    });
    let l = consign_app::followups::my_tasks(
        app,
        &u.actor,
        days,
        q.group.as_deref().map(str::trim).filter(|g| !g.is_empty()),
        q.page.unwrap_or(1),
    )
    .await
    .map_err(|e| fail(e, lang))?;
    let mut ctx = Ctx::new(app, u, "/tasks", "tasks");
    if flash == Some("followup.completed") {
        ctx.flash = Some(lang.t("followup.completed").to_string());
    }
    let lv = crate::ui::views::for_page(
        app,
        u,
        consign_domain::views::ListKind::Tasks,
        view,
        listing::query(&q.pairs(), None),
    )
    .await?;
    use consign_domain::followup::InteractionKind;
    let cur = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
    let groups_opts = opts(
        [
            ("overdue", "followup.overdue"),
            ("today", "followup.today"),
            ("upcoming", "followup.upcoming"),
        ]
        .into_iter()
        .map(|(v, k)| (v.to_string(), lang.tf(k, &[&days]))),
        &cur(&q.group),
    );
    let days_opts = opts(
        [7u32, 14, 30, 90]
            .into_iter()
            .map(|d| (d.to_string(), lang.tf("followup.days_n", &[&d]))),
        &cur(&q.days),
    );
    Ok(render(&TasksTpl {
        ctx,
        lv,
        l,
        q: q.clone(),
        days,
        kinds: vocab(
            lang,
            InteractionKind::ALL,
            InteractionKind::as_str,
            InteractionKind::label_key,
            "call",
        ),
        groups_opts,
        days_opts,
        error,
    }))
}

pub(crate) async fn tasks_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<TasksQ>,
    Query(v): Query<crate::ui::views::ViewQ>,
) -> UiResult {
    let error = crate::ui::views::view_error(u.lang, v.view_error.as_deref()).unwrap_or_default();
    tasks_render(&app, &u, &q, v.view.as_deref(), q.ok.as_deref(), error).await
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
            let mut r = tasks_render(&app, &p.user, &TasksQ::default(), None, None, msg).await?;
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}
