//! Merging one customer into another.

#[allow(unused_imports)]
use super::super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

// ---- merge ----

#[derive(Template)]
#[template(path = "customers/merge.html")]
pub(crate) struct MergeTpl {
    pub(crate) ctx: Ctx,
    pub(crate) source: CustomerView,
    pub(crate) q: String,
    pub(crate) candidates: Vec<Row>,
    pub(crate) error: String,
}

#[derive(serde::Deserialize)]
pub(crate) struct QQ {
    pub(crate) q: Option<String>,
}

pub(crate) async fn merge_render(
    app: &App,
    u: &UiUser,
    id: CustomerId,
    q: String,
    error: String,
) -> UiResult {
    let lang = u.lang;
    let d = customers::get(app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    if !d.permissions.merge {
        return Err(fail(AppError::Forbidden, lang));
    }
    let ctx = Ctx::new(app, u, &format!("/customers/{id}/merge"), "customers");
    let candidates = if q.trim().is_empty() {
        // Without a query, offer the likely duplicates of this customer.
        let hits = customers::find_duplicates(
            app,
            &u.actor,
            &d.customer.name,
            d.customer.uscc.as_deref(),
            d.customer.city.as_deref(),
            &[],
            Some(id),
        )
        .await
        .map_err(|e| fail(e, lang))?;
        let mut rows = Vec::new();
        for h in hits {
            let Some(hid) = h.id else { continue };
            if let Ok(x) = customers::get(app, &u.actor, hid).await {
                rows.push(row(&ctx, &x.customer));
            }
        }
        rows
    } else {
        let page = customers::list(
            app,
            &u.actor,
            &ListQuery {
                q: Some(q.clone()),
                per_page: Some("20".into()),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| fail(e, lang))?;
        page.items
            .iter()
            .filter(|c| c.id != id)
            .map(|c| row(&ctx, c))
            .collect()
    };
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&MergeTpl {
        ctx,
        source: d.customer,
        q,
        candidates,
        error,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(crate) async fn merge_page(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
    Query(q): Query<QQ>,
) -> UiResult {
    let id = parse_id(&id, u.lang)?;
    merge_render(&app, &u, id, q.q.unwrap_or_default(), String::new()).await
}

pub(crate) async fn merge_submit(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let into = CustomerId::parse(&p.form.text("into_id")).ok();
    let r = match into {
        Some(into) => customers::merge(&app, &p.user.actor, id, into).await,
        None => Err(AppError::field("into_id", "err.merge_target_missing")),
    };
    match r {
        Ok(d) => Ok(
            Redirect::to(&format!("/customers/{}?ok=common.saved", d.customer.id)).into_response(),
        ),
        Err(AppError::Validation(errs)) => {
            let msg = errs
                .0
                .iter()
                .map(|e| lang.t(e.code))
                .collect::<Vec<_>>()
                .join("；");
            merge_render(&app, &p.user, id, p.form.text("q"), msg).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}
