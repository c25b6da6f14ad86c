//! The credit policy page: the warning share, a new account's terms and the collection
//! thresholds.

#[allow(unused_imports)]
use super::*;

#[derive(Template)]
#[template(path = "credit/policy.html")]
struct PolicyTpl {
    ctx: Ctx,
    form: FormView,
    policies: Vec<Opt>,
    can_set: bool,
    saved: bool,
}

async fn policy_view(
    app: &App,
    u: &UiUser,
    values: HashMap<String, String>,
    errors: FieldErrors,
    saved: bool,
) -> UiResult {
    let lang = u.lang;
    let cur = values.get("default_policy").cloned().unwrap_or_default();
    let mut r = render(&PolicyTpl {
        ctx: Ctx::new(app, u, "/credit/policy", "credit"),
        policies: opts(
            HoldPolicy::ALL
                .iter()
                .map(|p| (p.as_str().to_string(), lang.t(p.label_key()).to_string())),
            &cur,
        ),
        can_set: u.actor.role.can_set_credit(),
        form: FormView::new(lang, values, errors.clone()),
        saved,
    });
    if !errors.is_empty() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

pub(super) async fn policy_page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<OkQ>,
) -> UiResult {
    let p = credit::policy(&app, &u.actor)
        .await
        .map_err(|e| fail(e, u.lang))?;
    let values = HashMap::from([
        ("warn_percent".to_string(), p.warn_percent.to_string()),
        (
            "default_term_days".to_string(),
            p.default_term_days.to_string(),
        ),
        (
            "default_policy".to_string(),
            p.default_policy.as_str().to_string(),
        ),
        (
            "remind_after_days".to_string(),
            p.remind_after_days.to_string(),
        ),
        (
            "escalate_after_days".to_string(),
            p.escalate_after_days.to_string(),
        ),
    ]);
    policy_view(&app, &u, values, FieldErrors::default(), q.ok.is_some()).await
}

pub(super) async fn policy_save(State(app): State<App>, p: UiPost) -> UiResult {
    let values: HashMap<String, String> = p.form.0.iter().cloned().collect();
    let mut e = FieldErrors::default();
    let num = |k: &str, e: &mut FieldErrors| match p.form.text(k).trim().parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            e.add(k, "err.credit_policy");
            0
        }
    };
    let policy = CreditPolicy {
        warn_percent: num("warn_percent", &mut e),
        default_term_days: num("default_term_days", &mut e),
        default_policy: HoldPolicy::parse(&p.form.text("default_policy")).unwrap_or_default(),
        remind_after_days: num("remind_after_days", &mut e),
        escalate_after_days: num("escalate_after_days", &mut e),
    };
    if !e.is_empty() {
        return policy_view(&app, &p.user, values, e, false).await;
    }
    match credit::set_policy(&app, &p.user.actor, &policy).await {
        Ok(_) => Ok(Redirect::to("/credit/policy?ok=1").into_response()),
        Err(AppError::Validation(e)) => policy_view(&app, &p.user, values, e, false).await,
        Err(e) => Err(fail(e, p.user.lang)),
    }
}
