//! The SLA policy form (admins).

#[allow(unused_imports)]
use super::*;

#[derive(Template)]
#[template(path = "service/sla.html")]
pub(crate) struct SlaTpl {
    pub(crate) ctx: Ctx,
    pub(crate) form: FormView,
    pub(crate) classes: &'static [consign_domain::classify::ValueClass],
    pub(crate) severities: &'static [Severity],
    pub(crate) grades: &'static [consign_domain::classify::Grade],
    pub(crate) weekdays: Vec<(u8, &'static str)>,
}

impl SlaTpl {
    fn field(
        &self,
        vc: &consign_domain::classify::ValueClass,
        s: &Severity,
        first: bool,
    ) -> String {
        service::target_field(*vc, *s, first)
    }
    fn clock_field(&self, s: &Severity) -> String {
        format!("clock_{}", s.as_str())
    }
    fn grade_field(&self, g: &consign_domain::classify::Grade) -> String {
        format!("g_{}", g.as_str())
    }
    fn wd_field(&self, d: &u8) -> String {
        format!("wd_{d}")
    }
}

pub(crate) fn sla_render(app: &App, u: &UiUser, form: FormView, flash: Option<&str>) -> Response {
    let mut ctx = Ctx::new(app, u, "/admin/sla", "settings");
    if flash == Some("common.saved") {
        ctx.flash = Some(u.lang.t("common.saved").to_string());
    }
    render(&SlaTpl {
        ctx,
        form,
        classes: consign_domain::classify::ValueClass::ALL,
        severities: Severity::ALL,
        grades: consign_domain::classify::Grade::ALL,
        weekdays: (1..=7u8)
            .map(|d| {
                (
                    d,
                    ["wd.1", "wd.2", "wd.3", "wd.4", "wd.5", "wd.6", "wd.7"][d as usize - 1],
                )
            })
            .collect(),
    })
}

pub(crate) async fn sla_page(State(app): State<App>, u: UiUser, Query(ok): Query<OkQ>) -> UiResult {
    let lang = u.lang;
    if !u.actor.role.is_admin() {
        return Err(fail(AppError::Forbidden, lang));
    }
    let p = service::sla_policy(&app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let form = FormView::new(lang, service::sla_form_values(&p), FieldErrors::new());
    Ok(sla_render(&app, &u, form, ok.ok.as_deref()))
}

pub(crate) async fn sla_save(State(app): State<App>, p: UiPost) -> UiResult {
    let lang = p.user.lang;
    if !p.user.actor.role.is_admin() {
        return Err(fail(AppError::Forbidden, lang));
    }
    let get = |f: &str| p.form.text(f);
    let result = match service::sla_from_form(&get) {
        Ok(policy) => service::set_sla_policy(&app, &p.user.actor, &policy)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/sla?ok=common.saved").into_response()),
        Err(AppError::Validation(errs)) => {
            let values = p.form.0.iter().cloned().collect();
            let mut r = sla_render(&app, &p.user, FormView::new(lang, values, errs), None);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}
