//! Creating and editing customers and their contacts.

#[allow(unused_imports)]
use super::super::*;
#[allow(unused_imports)]
use consign_app::customers;
#[allow(unused_imports)]
use consign_app::shipments;
use consign_domain::customer::CustomerId;

// ---- create / edit ----

#[derive(Template)]
#[template(path = "customers/form.html")]
pub(crate) struct FormTpl {
    pub(crate) ctx: Ctx,
    pub(crate) editing: Option<CustomerId>,
    pub(crate) modes_checked: Vec<String>,
    pub(crate) form: FormView,
    pub(crate) duplicates: Vec<DuplicateView>,
    pub(crate) kinds: Vec<Opt>,
    pub(crate) levels: Vec<Opt>,
    pub(crate) statuses: Vec<Opt>,
    pub(crate) sources: Vec<Opt>,
    pub(crate) industries: Vec<Opt>,
    pub(crate) provinces: Vec<Opt>,
    pub(crate) owners: Vec<Opt>,
    pub(crate) modes: Vec<Opt>,
    pub(crate) can_assign: bool,
    pub(crate) conflict: String,
}

pub struct DuplicateView {
    /// None when outside the user's scope (not linked, not named).
    pub id: Option<CustomerId>,
    pub code: String,
    pub name: String,
    pub owner: String,
    pub reasons: String,
}

impl FormTpl {
    fn mode_checked(&self, m: &str) -> bool {
        self.modes_checked.iter().any(|x| x == m)
    }
}

pub(crate) struct FormState {
    pub(crate) editing: Option<CustomerId>,
    pub(crate) values: HashMap<String, String>,
    pub(crate) modes: Vec<String>,
    pub(crate) errors: FieldErrors,
    pub(crate) duplicates: Vec<DuplicateHit>,
    pub(crate) conflict: String,
}

pub(crate) async fn form_page(app: &App, u: &UiUser, s: FormState) -> UiResult {
    let lang = u.lang;
    let path = match s.editing {
        Some(id) => format!("/customers/{id}/edit"),
        None => "/customers/new".into(),
    };
    let ctx = Ctx::new(app, u, &path, "customers");
    let owners_list = consign_app::users::assignable_owners(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let mut owner_items = vec![(String::new(), lang.t("customer.no_owner").to_string())];
    owner_items.extend(owners_list.iter().map(|o| {
        (
            o.id.to_string(),
            format!("{} · {}", o.display_name, o.org_unit),
        )
    }));
    let v = |k: &str| s.values.get(k).cloned().unwrap_or_default();
    let t = FormTpl {
        kinds: vocab_opts!(CustomerKind, lang, &v("kind")),
        levels: vocab_opts!(GovLevel, lang, &v("gov_level")),
        statuses: vocab_opts!(CustomerStatus, lang, &v("status")),
        sources: vocab_opts!(DataSource, lang, &v("data_source")),
        industries: vocab_opts!(Industry, lang, &v("industry")),
        provinces: province_opts(&v("province")),
        owners: opts(owner_items, &v("owner_id")),
        modes: vocab_opts!(ServiceMode, lang, ""),
        can_assign: u.actor.role.can_assign_owner(),
        duplicates: s
            .duplicates
            .iter()
            .map(|h| DuplicateView {
                id: h.id,
                code: if h.id.is_none() {
                    "—".into()
                } else {
                    h.code.clone()
                },
                name: if h.id.is_none() {
                    lang.t("customer.duplicate_hidden").to_string()
                } else {
                    h.name.clone()
                },
                owner: match (&h.owner_name, h.id.is_none()) {
                    (_, true) => "—".to_string(),
                    (Some(o), false) => o.clone(),
                    (None, false) => lang.t("customer.no_owner").to_string(),
                },
                reasons: h
                    .reasons
                    .iter()
                    .map(|r| lang.t(r))
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect(),
        editing: s.editing,
        form: FormView::new(lang, s.values, s.errors),
        modes_checked: s.modes,
        conflict: s.conflict,
        ctx,
    };
    let status = if t.form.errors.is_empty() && t.duplicates.is_empty() && t.conflict.is_empty() {
        StatusCode::OK
    } else if !t.conflict.is_empty() || !t.duplicates.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(&t);
    *r.status_mut() = status;
    Ok(r)
}

pub(crate) async fn customer_new(State(app): State<App>, u: UiUser) -> UiResult {
    let mut values = HashMap::new();
    values.insert("kind".into(), "enterprise".into());
    values.insert("status".into(), "prospect".into());
    values.insert("data_source".into(), "internal".into());
    if let Some(id) = u.actor.id {
        if matches!(u.actor.role, Role::AccountManager | Role::Manager) {
            values.insert("owner_id".into(), id.to_string());
        }
    }
    form_page(
        &app,
        &u,
        FormState {
            editing: None,
            values,
            modes: vec![],
            errors: FieldErrors::new(),
            duplicates: vec![],
            conflict: String::new(),
        },
    )
    .await
}

/// "name=value" lines → custom fields; a malformed line is a field error.
pub(crate) fn parse_custom_fields(text: &str) -> Result<BTreeMap<String, String>, &'static str> {
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once('=').or_else(|| line.split_once('＝')) {
            Some((k, v)) if !k.trim().is_empty() => {
                out.insert(k.trim().to_string(), v.trim().to_string());
            }
            _ => return Err("err.custom_field_format"),
        }
    }
    Ok(out)
}

pub(crate) fn customer_input(
    f: &FormData,
    can_assign: bool,
) -> (CustomerInput, Option<&'static str>) {
    let (custom, custom_err) = match parse_custom_fields(&f.text("custom_fields")) {
        Ok(m) => (Some(m), None),
        Err(e) => (None, Some(e)),
    };
    let owner_id = if can_assign {
        match f.get("owner_id").map(str::trim) {
            Some("") => Some(None),
            Some(s) => s.parse().ok().map(Some),
            None => None,
        }
    } else {
        None
    };
    let input = CustomerInput {
        code: Some(f.text("code")),
        name: Some(f.text("name")),
        short_name: Some(f.text("short_name")),
        kind: Some(f.text("kind")),
        gov_level: Some(f.text("gov_level")),
        industry: Some(f.text("industry")),
        province: Some(f.text("province")),
        city: Some(f.text("city")),
        address: Some(f.text("address")),
        goods_types: Some(f.text("goods_types")),
        service_modes: Some(f.all("service_modes")),
        data_source: Some(f.text("data_source")),
        owner_id,
        status: Some(f.text("status")),
        uscc: Some(f.text("uscc")),
        // An empty ID field on edit keeps the stored (encrypted) number.
        id_number: f
            .get("id_number")
            .filter(|s| !s.trim().is_empty())
            .map(String::from),
        notes: Some(f.text("notes")),
        tags: Some(
            f.text("tags")
                .split([',', '，', ';', '；'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        custom_fields: custom,
        confirm_duplicates: f.checked("confirm_duplicates"),
    };
    (input, custom_err)
}

pub(crate) async fn save_form(app: &App, p: UiPost, editing: Option<CustomerId>) -> UiResult {
    let lang = p.user.lang;
    let can_assign = p.user.actor.role.can_assign_owner();
    let (input, custom_err) = customer_input(&p.form, can_assign);
    let values: HashMap<String, String> = p
        .form
        .0
        .iter()
        .filter(|(k, _)| k != "service_modes")
        .cloned()
        .collect();
    let modes = p.form.all("service_modes");
    let again = |errors: FieldErrors, duplicates: Vec<DuplicateHit>, conflict: String| FormState {
        editing,
        values: values.clone(),
        modes: modes.clone(),
        errors,
        duplicates,
        conflict,
    };
    if let Some(code) = custom_err {
        let mut e = FieldErrors::new();
        e.add("custom_fields", code);
        return form_page(app, &p.user, again(e, vec![], String::new())).await;
    }
    let r = match editing {
        Some(id) => customers::update(app, &p.user.actor, id, &input).await,
        None => {
            let mut contacts = Vec::new();
            if !p.form.text("contact_name").trim().is_empty()
                || !p.form.text("contact_phone").trim().is_empty()
            {
                contacts.push(ContactInput {
                    name: Some(p.form.text("contact_name")),
                    title: Some(p.form.text("contact_title")),
                    phone: Some(p.form.text("contact_phone")),
                    email: Some(p.form.text("contact_email")),
                    wechat: None,
                    is_primary: Some(true),
                });
            }
            customers::create(
                app,
                &p.user.actor,
                &NewCustomer {
                    customer: input,
                    contacts,
                },
            )
            .await
        }
    };
    match r {
        Ok(d) => {
            let ok = if editing.is_some() {
                "customer.updated"
            } else {
                "customer.created"
            };
            Ok(Redirect::to(&format!("/customers/{}?ok={ok}", d.customer.id)).into_response())
        }
        Err(AppError::Validation(mut errs)) => {
            // Contact fields of the create form are named contact_*.
            for e in errs.0.iter_mut() {
                if let Some(rest) = e.field.strip_prefix("contacts[0].") {
                    e.field = format!("contact_{rest}");
                }
            }
            form_page(app, &p.user, again(errs, vec![], String::new())).await
        }
        Err(AppError::Duplicates(hits)) => {
            form_page(app, &p.user, again(FieldErrors::new(), hits, String::new())).await
        }
        Err(AppError::Conflict { field, code }) => {
            let mut e = FieldErrors::new();
            e.add(field, code);
            form_page(app, &p.user, again(e, vec![], lang.t(code).to_string())).await
        }
        Err(e) => Err(fail(e, lang)),
    }
}

pub(crate) async fn customer_create(State(app): State<App>, p: UiPost) -> UiResult {
    save_form(&app, p, None).await
}

pub(crate) async fn customer_edit(
    State(app): State<App>,
    u: UiUser,
    Path(id): Path<String>,
) -> UiResult {
    let lang = u.lang;
    let id = parse_id(&id, lang)?;
    let d = customers::get(&app, &u.actor, id)
        .await
        .map_err(|e| fail(e, lang))?;
    if !d.permissions.edit {
        return Err(fail(AppError::Forbidden, lang));
    }
    let c = d.customer;
    let mut values = HashMap::new();
    let mut put = |k: &str, v: Option<String>| {
        values.insert(k.to_string(), v.unwrap_or_default());
    };
    put("code", Some(c.code));
    put("name", Some(c.name));
    put("short_name", c.short_name);
    put("kind", Some(c.kind.as_str().into()));
    put("gov_level", c.gov_level.map(|g| g.as_str().into()));
    put("industry", c.industry);
    put("province", c.province);
    put("city", c.city);
    put("address", c.address);
    put("goods_types", c.goods_types);
    put("data_source", Some(c.data_source.as_str().into()));
    put("owner_id", c.owner_id.map(|o| o.to_string()));
    put("status", Some(c.status.as_str().into()));
    put("uscc", c.uscc);
    put("notes", c.notes);
    put("tags", Some(c.tags.join(", ")));
    put(
        "custom_fields",
        Some(
            c.custom_fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    );
    put("id_number_masked", c.id_number);
    let modes = c
        .service_modes
        .iter()
        .map(|m| m.as_str().to_string())
        .collect();
    form_page(
        &app,
        &u,
        FormState {
            editing: Some(id),
            values,
            modes,
            errors: FieldErrors::new(),
            duplicates: vec![],
            conflict: String::new(),
        },
    )
    .await
}

pub(crate) async fn customer_update(
    State(app): State<App>,
    Path(id): Path<String>,
    p: UiPost,
) -> UiResult {
    let id = parse_id(&id, p.user.lang)?;
    save_form(&app, p, Some(id)).await
}
