//! The mapping screen (issue 19): an upload checked before anything is written — each
//! column of the file with the field it fills and how sure the matching is, the values no
//! table knows with a select for each, and a dry run over the whole file. "Check again"
//! stores the choices and reads the file again; "Import" imports it with them, and saves
//! them as a profile when given a name (the next file with the same headers is read the
//! same way without this screen's help).

use crate::extract::UiUser;
use crate::ui::{fail, render, Ctx, UiResult};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use consign_app::imports::{self, DryRun, Staged};
use consign_app::{App, AppError};
use consign_domain::customer::ServiceMode;
use consign_domain::shipment::ShipmentStatus;
use std::collections::{BTreeMap, HashMap};

pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::get;
    axum::Router::new().route("/imports/check/{token}", get(page).post(submit))
}

#[derive(Template)]
#[template(path = "imports/check.html")]
struct CheckTpl {
    ctx: Ctx,
    token: String,
    staged: Staged,
    dry: DryRun,
    /// (field, label) of every field of the kind, for the column selects.
    fields: Vec<(&'static str, String)>,
    /// Per enumerated field, its values (value, label), for the value selects.
    values: HashMap<&'static str, Vec<(String, String)>>,
    may_save: bool,
    /// Why the last submission was refused, if it was.
    problem: Option<String>,
}

impl CheckTpl {
    fn bad_rows(&self) -> &[imports::BadRow] {
        &self.dry.errors
    }
    fn kind_label(&self) -> String {
        self.ctx.t(self.staged.kind.label_key())
    }
    fn confidence_class(&self, c: &imports::Confidence) -> &'static str {
        match c {
            imports::Confidence::Profile | imports::Confidence::High => "badge-green",
            imports::Confidence::Medium => "badge-blue",
            imports::Confidence::Ambiguous => "badge-amber",
            imports::Confidence::None => "badge-gray",
        }
    }
    fn value_options(&self, field: &str) -> &[(String, String)] {
        self.values.get(field).map(Vec::as_slice).unwrap_or(&[])
    }
    /// What the profile maps this value to already ("" when nothing).
    fn mapped(&self, field: &str, text: &str) -> String {
        self.staged
            .profile
            .values
            .get(field)
            .and_then(|m| m.get(text))
            .cloned()
            .unwrap_or_default()
    }
    fn field_label(&self, f: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| *n == f)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| f.to_string())
    }
    fn yuan(&self, fen: &i64) -> String {
        self.ctx.money(consign_domain::ops::Fen(*fen))
    }
    fn ready(&self) -> bool {
        self.dry.missing.is_empty() && self.dry.header_row.is_some()
    }
}

async fn show(app: &App, u: &UiUser, token: &str, problem: Option<String>) -> UiResult {
    let lang = u.lang;
    let (staged, path) = imports::staged(app, &u.actor, token).map_err(|e| fail(e, lang))?;
    let mut dry = imports::dry_run(app, &u.actor, &path, &staged.options(), lang)
        .await
        .map_err(|e| fail(e, lang))?;
    dry.profile = staged.profile_name.clone();
    let fields = imports::fields_of_all(staged.kind)
        .into_iter()
        .map(|(name, header, _)| {
            let label = match lang {
                consign_domain::Lang::Zh => format!("{header} · {name}"),
                _ => format!("{name} · {header}"),
            };
            (name, label)
        })
        .collect();
    let mut values = HashMap::new();
    values.insert(
        "service_mode",
        ServiceMode::ALL
            .iter()
            .map(|m| (m.as_str().to_string(), lang.t(m.label_key()).to_string()))
            .collect(),
    );
    values.insert(
        "status",
        ShipmentStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), lang.t(s.label_key()).to_string()))
            .collect(),
    );
    let status = if problem.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut r = render(&CheckTpl {
        ctx: Ctx::new(app, u, &format!("/imports/check/{token}"), "imports"),
        token: token.to_string(),
        may_save: u.actor.role.can_write_operations(),
        staged,
        dry,
        fields,
        values,
        problem,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn page(State(app): State<App>, u: UiUser, Path(token): Path<String>) -> UiResult {
    show(&app, &u, &token, None).await
}

/// The form: `col.N` (the field of column N, "" for none), `vf.K`/`vt.K`/`vv.K` (field,
/// text and chosen value of the K-th unknown value), `create_prospects`, `profile_name`,
/// and `action` (`check` or `import`).
pub async fn submit(
    State(app): State<App>,
    u: UiUser,
    Path(token): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> UiResult {
    let lang = u.lang;
    let form: BTreeMap<String, String> = form.into_iter().collect();
    if form.get("_csrf").map(String::as_str) != Some(u.csrf.as_str()) {
        return Err(crate::error::WebError::csrf(crate::error::Surface::Ui, lang).into_response());
    }
    let (mut staged, path) = imports::staged(&app, &u.actor, &token).map_err(|e| fail(e, lang))?;
    let header = imports::header_of(&path, &staged.options(), app.tz())
        .await
        .map_err(|e| fail(e, lang))?
        .unwrap_or_default();
    let fields = imports::fields_of_all(staged.kind);
    let matched = imports::matched_fields(staged.kind, &header);
    // The columns as chosen where they differ from what the matching finds on its own
    // (a column left unread is written as ""): the rest keeps its confidence, and the
    // profile reads this file and the next with the same headers exactly as shown.
    let mut columns = BTreeMap::new();
    let mut taken: HashMap<&str, &str> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if h.trim().is_empty() {
            continue;
        }
        let Some(f) = form.get(&format!("col.{i}")) else {
            continue;
        };
        let f = f.trim();
        if !f.is_empty() {
            if !fields.iter().any(|(n, _, _)| *n == f) {
                return show(
                    &app,
                    &u,
                    &token,
                    Some(lang.t("import.check.bad_field").into()),
                )
                .await;
            }
            if let Some(other) = taken.insert(f, h.as_str()) {
                let msg = lang.tf("import.check.field_twice", &[&f, &other, &h]);
                return show(&app, &u, &token, Some(msg)).await;
            }
        }
        if matched.get(i).copied().flatten().unwrap_or("") != f {
            columns.insert(h.trim().to_string(), f.to_string());
        }
    }
    staged.profile.columns = columns;
    for (k, field) in form.iter().filter(|(k, _)| k.starts_with("vf.")) {
        let n = &k[3..];
        let (Some(text), Some(to)) = (form.get(&format!("vt.{n}")), form.get(&format!("vv.{n}")))
        else {
            continue;
        };
        let ok = match field.as_str() {
            "service_mode" => to.is_empty() || ServiceMode::parse(to).is_some(),
            "status" => to.is_empty() || ShipmentStatus::parse(to).is_some(),
            _ => false,
        };
        if !ok {
            return show(
                &app,
                &u,
                &token,
                Some(lang.t("import.check.bad_field").into()),
            )
            .await;
        }
        let map = staged.profile.values.entry(field.clone()).or_default();
        if to.is_empty() {
            map.remove(text);
        } else {
            map.insert(text.clone(), to.clone());
        }
    }
    staged.profile.values.retain(|_, m| !m.is_empty());
    staged.create_prospects = form.contains_key("create_prospects");
    imports::restage(&app, &u.actor, &token, &staged).map_err(|e| fail(e, lang))?;
    if form.get("action").map(String::as_str) != Some("import") {
        return Ok(Redirect::to(&format!("/imports/check/{token}")).into_response());
    }
    // Import: with every required field found, saved as a profile when named.
    let dry = imports::dry_run(&app, &u.actor, &path, &staged.options(), lang)
        .await
        .map_err(|e| fail(e, lang))?;
    if !dry.missing.is_empty() || dry.header_row.is_none() {
        return show(
            &app,
            &u,
            &token,
            Some(lang.t("import.check.not_ready").into()),
        )
        .await;
    }
    let name = form.get("profile_name").map(|s| s.trim()).unwrap_or("");
    if !name.is_empty() {
        let mut profile = staged.profile.clone();
        profile.headers = header.clone();
        match imports::save_profile(&app, &u.actor, name, staged.kind.as_str(), &profile).await {
            Ok(()) => {}
            Err(AppError::Validation(e)) => {
                let msg = crate::error::errors_text(lang, &e);
                return show(&app, &u, &token, Some(msg)).await;
            }
            Err(e) => return Err(fail(e, lang)),
        }
    }
    match imports::import_staged(&app, &u.actor, &token).await {
        Ok(id) => Ok(Redirect::to(&format!("/imports/{id}")).into_response()),
        Err(e) => Err(fail(e, lang)),
    }
}
