//! The import pages: upload a file (any kind, CSV or XLSX, any size — it streams to
//! disk), follow the run while it imports, see the counts and the first bad rows, and
//! download the bad-row report.

use crate::extract::UiUser;
use crate::ui::views::ListViews;
use crate::ui::{fail, listing, opts, parse_id, render, Ctx, Opt, UiResult};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect};
use consign_app::imports::{
    self, BadRow, ImportKind, ImportOptions, RunPage, RunQuery, RunView, UnknownCustomers,
};
use consign_app::tabular::TextEncoding;
use consign_app::{App, AppError};
use consign_domain::views::ListKind;
use std::collections::HashMap;
use tokio::io::AsyncWriteExt;

/// The import screens.
pub(crate) fn routes() -> axum::Router<consign_app::App> {
    use axum::routing::get;
    axum::Router::new()
        .route(
            "/imports",
            get(page)
                .post(upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/imports/{id}", get(result))
        .route("/imports/{id}/errors.csv", get(report))
        .merge(check::routes())
}

mod check;

/// Largest upload accepted (a 10-million-row CSV is about 1.5 GB).
const MAX_UPLOAD: u64 = 4 * 1024 * 1024 * 1024;

#[derive(Template)]
#[template(path = "imports/list.html")]
struct ImportsTpl {
    ctx: Ctx,
    kinds: Vec<(&'static str, String)>,
    profiles: Vec<(String, String)>,
    /// A problem with the upload itself (no file, empty file…).
    problem: Option<String>,
    chosen: String,
    lv: ListViews,
    runs: RunPage,
    q: RunQuery,
    kind_opts: Vec<Opt>,
    status_opts: Vec<Opt>,
    /// Who started runs (empty for a user who sees only its own).
    people: Vec<Opt>,
    filter_errors: String,
}

impl ImportsTpl {
    fn kind_label(&self, k: &ImportKind) -> String {
        self.ctx.t(k.label_key())
    }
    fn status_class(&self, r: &RunView) -> &'static str {
        status_class(r)
    }
    fn pairs(&self) -> listing::Pairs<'static> {
        pairs(&self.q)
    }
    fn page_link(&self, page: u64) -> String {
        let q = listing::query(&self.pairs(), None);
        let sep = if q.is_empty() { "" } else { "&" };
        format!("/imports?{q}{sep}page={page}")
    }
    fn chips(&self) -> Vec<listing::Chip> {
        let t = |k: &str| self.ctx.t(k);
        listing::chips("/imports", &self.pairs(), |k, val| {
            Some(match k {
                "kind" => (
                    t("import.kind"),
                    listing::option_label(&self.kind_opts, val),
                ),
                "status" => (
                    t("import.state"),
                    listing::option_label(&self.status_opts, val),
                ),
                "user_id" => (t("import.by"), listing::option_label(&self.people, val)),
                _ => return None,
            })
        })
    }
    /// The upload panel starts open when there is nothing to list yet or the last
    /// upload had a problem.
    fn upload_open(&self) -> bool {
        self.problem.is_some() || (self.runs.total == 0 && self.filter_errors.is_empty())
    }
}

fn pairs(q: &RunQuery) -> listing::Pairs<'static> {
    let v = |x: &Option<String>| x.clone().unwrap_or_default();
    vec![
        ("kind", v(&q.kind)),
        ("status", v(&q.status)),
        ("user_id", v(&q.user_id)),
    ]
}

/// A run's status badge: green when it read everything, amber when some rows were bad,
/// blue while it runs, red when it stopped.
fn status_class(r: &RunView) -> &'static str {
    match r.status.as_str() {
        "finished" if r.counts.rows_bad == 0 => "badge-green",
        "finished" => "badge-amber",
        "running" => "badge-blue",
        _ => "badge-red",
    }
}

async fn page_with(
    app: &App,
    u: &UiUser,
    problem: Option<String>,
    chosen: &str,
    q: RunQuery,
    view: Option<&str>,
) -> UiResult {
    let lang = u.lang;
    let (runs, filter_errors) = match imports::runs(app, &u.actor, lang, &q).await {
        Ok(p) => (p, String::new()),
        Err(AppError::Validation(e)) => (
            imports::runs(app, &u.actor, lang, &RunQuery::default())
                .await
                .map_err(|e| fail(e, lang))?,
            crate::error::errors_text(lang, &e),
        ),
        Err(e) => return Err(fail(e, lang)),
    };
    let profiles = imports::list_profiles(app, &u.actor)
        .await
        .map_err(|e| fail(e, lang))?;
    let role = u.actor.role;
    let kinds = ImportKind::ALL
        .iter()
        .filter(|k| match k {
            ImportKind::Customers | ImportKind::Contacts => role.can_edit_customers(),
            _ => role.can_write_operations(),
        })
        .map(|k| (k.as_str(), lang.t(k.label_key()).to_string()))
        .collect::<Vec<_>>();
    if kinds.is_empty() {
        return Err(fail(AppError::Forbidden, lang));
    }
    let chosen_of = |x: &Option<String>| x.as_deref().unwrap_or("").trim().to_string();
    // The kinds the user imports: the runs it may see are of those (or anyone's, for a
    // role that imports every kind).
    let kind_opts = opts(
        kinds
            .iter()
            .map(|(k, label)| (k.to_string(), label.clone())),
        &chosen_of(&q.kind),
    );
    let status_opts = opts(
        imports::RUN_STATUSES.iter().map(|s| {
            (
                s.to_string(),
                lang.t(&format!("import.status.{s}")).to_string(),
            )
        }),
        &chosen_of(&q.status),
    );
    let people = crate::ui::people_opts(app, u, &chosen_of(&q.user_id)).await?;
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let lv = super::views::for_page(
        app,
        u,
        ListKind::Imports,
        view,
        listing::query(&pairs(&q), None),
    )
    .await?;
    let mut r = render(&ImportsTpl {
        ctx: Ctx::new(app, u, "/imports", "imports"),
        kinds,
        profiles,
        problem,
        chosen: chosen.to_string(),
        lv,
        runs,
        q,
        kind_opts,
        status_opts,
        people,
        filter_errors,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub async fn page(
    State(app): State<App>,
    u: UiUser,
    Query(q): Query<RunQuery>,
    Query(v): Query<super::views::ViewQ>,
) -> UiResult {
    page_with(&app, &u, None, "shipments", q, v.view.as_deref()).await
}

/// The upload page again, saying what was wrong with the upload.
async fn refused(app: &App, u: &UiUser, problem: &str, chosen: &str) -> UiResult {
    let p = u.lang.t(problem).to_string();
    page_with(app, u, Some(p), chosen, RunQuery::default(), None).await
}

/// The upload form (multipart): the file goes to disk chunk by chunk, then the import
/// starts in the background and the browser is sent to the run's page.
pub async fn upload(State(app): State<App>, u: UiUser, mut form: Multipart) -> UiResult {
    let lang = u.lang;
    // A role that may import nothing is refused before the body is read.
    if !ImportKind::ALL
        .iter()
        .any(|k| imports::authorize(&u.actor, *k).is_ok())
    {
        return Err(fail(AppError::Forbidden, lang));
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file = None;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                tracing::info!(error = %e, "upload broken off");
                return refused(&app, &u, "import.upload_broken", "").await;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name != "file" {
            // Form fields are small; a large one is not a form of ours.
            let text = match field.bytes().await {
                Ok(b) if b.len() <= 64 * 1024 => String::from_utf8_lossy(&b).into_owned(),
                _ => return refused(&app, &u, "import.upload_broken", "").await,
            };
            fields.insert(name, text);
            continue;
        }
        // The form sends its token and kind before the file: both are checked before a
        // byte of the file is stored.
        if fields.get("_csrf").map(String::as_str) != Some(u.csrf.as_str()) {
            return Err(
                crate::error::WebError::csrf(crate::error::Surface::Ui, lang).into_response(),
            );
        }
        if let Some(kind) = fields.get("kind").and_then(|k| ImportKind::parse(k)) {
            imports::authorize(&u.actor, kind).map_err(|e| fail(e, lang))?;
        }
        let file_name = field.file_name().unwrap_or("upload").to_string();
        let tmp = imports::new_upload(&app).map_err(|e| fail(AppError::from_err(e), lang))?;
        let std_file = tmp
            .reopen()
            .map_err(|e| fail(AppError::from_err(e), lang))?;
        let mut out = tokio::fs::File::from_std(std_file);
        let mut size: u64 = 0;
        loop {
            let next = tokio::time::timeout(crate::limits::UPLOAD_IDLE, field.chunk()).await;
            let Ok(next) = next else {
                return refused(&app, &u, "import.upload_broken", "").await;
            };
            match next {
                Ok(Some(chunk)) => {
                    size += chunk.len() as u64;
                    if size > MAX_UPLOAD {
                        return refused(&app, &u, "import.upload_too_large", "").await;
                    }
                    out.write_all(&chunk)
                        .await
                        .map_err(|e| fail(AppError::from_err(e), lang))?;
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::info!(error = %e, "upload broken off");
                    return refused(&app, &u, "import.upload_broken", "").await;
                }
            }
        }
        out.flush()
            .await
            .map_err(|e| fail(AppError::from_err(e), lang))?;
        file = Some((tmp.into_temp_path(), file_name, size));
    }
    if fields.get("_csrf").map(String::as_str) != Some(u.csrf.as_str()) {
        return Err(crate::error::WebError::csrf(crate::error::Surface::Ui, lang).into_response());
    }
    let kind_s = fields.get("kind").cloned().unwrap_or_default();
    let Some(kind) = ImportKind::parse(&kind_s) else {
        return refused(&app, &u, "import.choose_kind", "").await;
    };
    let Some((path, file_name, size)) = file.filter(|(_, n, s)| !n.is_empty() && *s > 0) else {
        return refused(&app, &u, "import.choose_file", &kind_s).await;
    };
    let profile = match fields
        .get("profile")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        Some(name) => match imports::load_profile(&app, &u.actor, name).await {
            Ok(Some(p)) => p,
            Ok(None) => Default::default(),
            Err(e) => return Err(fail(e, lang)),
        },
        None => Default::default(),
    };
    let opts = ImportOptions {
        kind: Some(kind),
        encoding: fields.get("encoding").and_then(|e| TextEncoding::parse(e)),
        unknown_customers: fields
            .get("unknown_customers")
            .filter(|v| v.as_str() == "create")
            .and(Some(UnknownCustomers::Create)),
        profile,
        file_name,
        allow_duplicates: fields.contains_key("allow_duplicates"),
    };
    tracing::info!(kind = kind.as_str(), size, "upload received");
    if fields.get("then").map(String::as_str) == Some("check") {
        let chosen = fields
            .get("profile")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        return match imports::stage(&app, &u.actor, path, &opts, chosen).await {
            Ok(token) => Ok(Redirect::to(&format!("/imports/check/{token}")).into_response()),
            Err(e) => Err(fail(e, lang)),
        };
    }
    match imports::start_upload(&app, &u.actor, path, opts).await {
        Ok(id) => Ok(Redirect::to(&format!("/imports/{id}")).into_response()),
        Err(e) => Err(fail(e, lang)),
    }
}

#[derive(Template)]
#[template(path = "imports/run.html")]
struct RunTpl {
    ctx: Ctx,
    run: RunView,
    bad: Vec<BadRow>,
}

impl RunTpl {
    fn bad_rows(&self) -> &[BadRow] {
        &self.bad
    }
    fn status_label(&self) -> String {
        self.ctx.t(&format!("import.status.{}", self.run.status))
    }
    fn status_class(&self) -> &'static str {
        status_class(&self.run)
    }
    fn kind_label(&self) -> String {
        self.ctx.t(self.run.kind.label_key())
    }
}

pub async fn result(State(app): State<App>, u: UiUser, Path(id): Path<String>) -> UiResult {
    let id = parse_id(&id, u.lang)?;
    let (run, bad) = imports::run_detail(&app, &u.actor, id, u.lang)
        .await
        .map_err(|e| fail(e, u.lang))?;
    Ok(render(&RunTpl {
        ctx: Ctx::new(&app, &u, &format!("/imports/{id}"), "imports"),
        run,
        bad,
    }))
}

/// The bad-row report as a CSV download (UTF-8 with BOM, in the user's language).
pub async fn report(State(app): State<App>, u: UiUser, Path(id): Path<String>) -> UiResult {
    let id = parse_id(&id, u.lang)?;
    let mut out = Vec::new();
    imports::run_report(&app, &u.actor, id, u.lang, &mut out)
        .await
        .map_err(|e| fail(e, u.lang))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{id}-errors.csv\""),
            ),
        ],
        out,
    )
        .into_response())
}
