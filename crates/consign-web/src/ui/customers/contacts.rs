//! A customer's contacts: add, edit (a reveal to edit is a POST), delete, reveal.

#[allow(unused_imports)]
use super::super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;

pub(crate) async fn contact_reveal(
    State(app): State<App>,
    Path((id, cid)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let (id, cid) = (parse_id(&id, lang)?, parse_id(&cid, lang)?);
    let r = customers::reveal(&app, &p.user.actor, id, Some(cid))
        .await
        .map_err(|e| fail(e, lang))?;
    detail_page(
        &app,
        &p.user,
        id,
        DetailExtras {
            revealed: Some((cid, r)),
            flash: Some("contact.revealed".into()),
            ..Default::default()
        },
    )
    .await
}

pub(crate) fn contact_input(f: &FormData) -> ContactInput {
    ContactInput {
        name: Some(f.text("name")),
        title: Some(f.text("title")),
        phone: Some(f.text("phone")),
        email: Some(f.text("email")),
        wechat: Some(f.text("wechat")),
        is_primary: Some(f.checked("is_primary")),
    }
}

pub(crate) async fn contact_add(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let id = parse_id(&id, lang)?;
    let r = customers::add_contact(&app, &p.user.actor, id, &contact_input(&p.form)).await;
    after_form(&app, &p, id, r, "common.saved#contacts", FormSlot::Contact).await
}

pub(crate) async fn contact_delete(
    State(app): State<App>,
    Path((id, cid)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let (id, cid) = (parse_id(&id, lang)?, parse_id(&cid, lang)?);
    customers::delete_contact(&app, &p.user.actor, id, cid)
        .await
        .map_err(|e| fail(e, lang))?;
    Ok(Redirect::to(&format!("/customers/{id}?ok=common.saved#contacts")).into_response())
}

#[derive(Template)]
#[template(path = "customers/contact_form.html")]
pub(crate) struct ContactFormTpl {
    pub(crate) ctx: Ctx,
    pub(crate) customer_id: CustomerId,
    pub(crate) customer_name: String,
    pub(crate) contact_id: i64,
    pub(crate) form: FormView,
    /// The phone and e-mail are not shown (only their masked forms, as placeholders):
    /// left empty they stay as they are; revealing them to edit is a POST, audited.
    pub(crate) masked: Option<(String, String)>,
    pub(crate) can_reveal: bool,
}

/// The contact form. Opening it reveals nothing: the phone and e-mail show masked, and
/// stay unchanged unless typed anew or revealed (POST `…/edit/reveal`, audited).
pub(crate) async fn contact_edit(
    State(app): State<App>,
    u: UiUser,
    Path((id, cid)): Path<(String, String)>,
) -> UiResult {
    contact_form(&app, &u, id, cid, false).await
}

pub(crate) async fn contact_reveal_to_edit(
    State(app): State<App>,
    Path((id, cid)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    contact_form(&app, &p.user, id, cid, true).await
}

pub(crate) async fn contact_form(
    app: &App,
    u: &UiUser,
    id: String,
    cid: String,
    reveal: bool,
) -> UiResult {
    let lang = u.lang;
    let (id, cid) = (parse_id(&id, lang)?, parse_id(&cid, lang)?);
    let d = customers::get(app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    if !d.permissions.edit_contacts {
        return Err(fail(AppError::Forbidden, lang));
    }
    let k = d
        .contacts
        .iter()
        .find(|k| k.id == cid)
        .ok_or_else(|| fail(AppError::NotFound, lang))?;
    let mut values = HashMap::new();
    let masked = if reveal {
        let r = customers::reveal(app, &u.actor, id, Some(cid))
            .await
            .map_err(|e| fail(e, lang))?;
        values.insert("phone".into(), r.phone.unwrap_or_default());
        values.insert("email".into(), r.email.unwrap_or_default());
        None
    } else {
        Some((
            k.phone.clone().unwrap_or_default(),
            k.email.clone().unwrap_or_default(),
        ))
    };
    values.insert("name".into(), k.name.clone());
    values.insert("title".into(), k.title.clone().unwrap_or_default());
    values.insert("wechat".into(), k.wechat.clone().unwrap_or_default());
    if k.is_primary {
        values.insert("is_primary".into(), "on".into());
    }
    let ctx = Ctx::new(
        app,
        u,
        &format!("/customers/{id}/contacts/{cid}/edit"),
        "customers",
    );
    Ok(render(&ContactFormTpl {
        ctx,
        customer_id: id,
        customer_name: d.customer.name.clone(),
        contact_id: cid,
        form: FormView::new(lang, values, FieldErrors::new()),
        masked,
        can_reveal: d.permissions.unmask,
    }))
}

pub(crate) async fn contact_update(
    State(app): State<App>,
    Path((id, cid)): Path<(String, String)>,
    p: UiPost,
) -> UiResult {
    let lang = p.user.lang;
    let (id, cid) = (parse_id(&id, lang)?, parse_id(&cid, lang)?);
    let mut input = contact_input(&p.form);
    // Masked fields left empty keep their values.
    let masked = p.form.get("masked") == Some("1");
    if masked {
        input.phone = input.phone.filter(|v| !v.trim().is_empty());
        input.email = input.email.filter(|v| !v.trim().is_empty());
    }
    match customers::update_contact(&app, &p.user.actor, id, cid, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/customers/{id}?ok=common.saved#contacts")).into_response())
        }
        Err(AppError::Validation(errors)) => {
            let d = customers::get(&app, &p.user.actor, id)
                .await
                .map_err(|e| fail(e, lang))?;
            let ctx = Ctx::new(
                &app,
                &p.user,
                &format!("/customers/{id}/contacts/{cid}/edit"),
                "customers",
            );
            let k = d.contacts.iter().find(|k| k.id == cid);
            let mut r = render(&ContactFormTpl {
                ctx,
                customer_id: id,
                customer_name: d.customer.name,
                contact_id: cid,
                form: FormView::new(lang, p.form.0.into_iter().collect(), errors),
                masked: masked.then(|| {
                    (
                        k.and_then(|k| k.phone.clone()).unwrap_or_default(),
                        k.and_then(|k| k.email.clone()).unwrap_or_default(),
                    )
                }),
                can_reveal: d.permissions.unmask,
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(fail(e, lang)),
    }
}
