//! Import runs as the web UI and the API show them.

#[allow(unused_imports)]
use super::*;
use consign_domain::params;
use consign_domain::FieldErrors;
use serde::Deserialize;

/// An import run as the UI and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ImportRun)]
pub struct RunView {
    pub id: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub user_name: Option<String>,
    /// `running`, `finished`, `failed` or `interrupted`.
    #[schema(value_type = RunStatus)]
    pub status: String,
    pub counts: Counts,
    /// Why the file could not be read to its end (localized), if it could not.
    pub problem: Option<String>,
    pub started_at: chrono::DateTime<Utc>,
    pub finished_at: Option<chrono::DateTime<Utc>>,
    /// What the run noticed but did not refuse.
    pub notes: RunNotes,
    /// The notes as sentences in the caller's language.
    pub warnings: Vec<String>,
}

/// What a run noticed but did not refuse: the file's own total against the rows, and
/// the product names no table knows (imported with the mode `other`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RunNotes {
    /// The file's 合计 row of revenue and what the imported rows sum to, in fen.
    pub total_check: Option<TotalCheck>,
    pub unknown_products: Vec<UnknownProduct>,
    /// Customers refused as likely duplicates of existing ones: first the rows refused
    /// (`rule` empty), then per rule (`customer.duplicate_reason.*`) the rows it matched.
    pub likely_duplicates: Vec<DuplicateRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DuplicateRule {
    pub rule: String,
    pub rows: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TotalCheck {
    pub file_fen: i64,
    pub rows_fen: i64,
}

/// A product name the service column held that no value map, table or keyword places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UnknownProduct {
    pub name: String,
    pub rows: i64,
}

impl RunNotes {
    /// One sentence per note, in `lang`.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let yuan = |f: i64| {
            let sign = if f < 0 { "-" } else { "" };
            format!("{sign}{}.{:02}", (f / 100).abs(), (f % 100).abs())
        };
        let mut out = Vec::new();
        if let Some(t) = self.total_check {
            out.push(if t.file_fen == t.rows_fen {
                lang.tf("import.note.total_ok", &[&yuan(t.file_fen)])
            } else {
                lang.tf(
                    "import.note.total_off",
                    &[
                        &yuan(t.file_fen),
                        &yuan(t.rows_fen),
                        &yuan(t.file_fen - t.rows_fen),
                    ],
                )
            });
        }
        for p in &self.unknown_products {
            out.push(lang.tf("import.note.unknown_product", &[&p.name, &p.rows]));
        }
        if let Some((all, rules)) = self.likely_duplicates.split_first() {
            let sep = if lang == Lang::Zh { "、" } else { ", " };
            let by: Vec<String> = rules
                .iter()
                .map(|r| lang.tf("import.note.rule_rows", &[&lang.t(&r.rule), &r.rows]))
                .collect();
            out.push(lang.tf("import.note.duplicates", &[&all.rows, &by.join(sep)]));
        }
        out
    }
}

impl RunView {
    pub fn running(&self) -> bool {
        self.status == "running"
    }
}

/// Where an import run is (`RunView::status`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum RunStatus {
    Running,
    Finished,
    Failed,
    Interrupted,
}

/// One bad row as shown on the result page (the first 100 of a run).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BadRow {
    /// 0 for a problem with the whole file.
    pub row: i64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

pub(crate) fn may_see(actor: &Actor, run: &repo::ImportRun) -> bool {
    actor.role.is_admin()
        || actor.role.can_write_operations()
        || (run.user_id.is_some() && run.user_id == actor.id)
}

pub(crate) async fn run_view(app: &App, run: repo::ImportRun, lang: Lang) -> Result<RunView> {
    let user_name = match run.user_id {
        Some(id) => consign_store::users::user(&app.db.conn, id)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    view_of(run, user_name, lang)
}

fn view_of(run: repo::ImportRun, user_name: Option<String>, lang: Lang) -> Result<RunView> {
    let problem = run
        .message
        .split_once('|')
        .and_then(|(key, arg)| key.starts_with("err.").then(|| lang.tf(key, &[&arg])));
    // Notes written by an older version, or none: nothing to say.
    let notes: RunNotes = serde_json::from_str(&run.notes).unwrap_or_default();
    Ok(RunView {
        id: run.id.to_string(),
        kind: AppError::stored("import_runs.kind", &run.kind, ImportKind::parse(&run.kind))?,
        file_name: run.file_name,
        user_name,
        status: run.status,
        counts: run.counts,
        problem,
        started_at: run.started_at,
        finished_at: run.finished_at,
        warnings: notes.lines(lang),
        notes,
    })
}

/// The list of runs' query as the UI and the API send it (all text, all optional).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    #[param(inline, value_type = Option<ImportKind>)]
    pub kind: Option<String>,
    #[param(inline, value_type = Option<RunStatus>)]
    pub status: Option<String>,
    /// the runs one user started
    #[param(pattern = r"^\s*([+-]?[0-9]+)?\s*$")]
    pub user_id: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 200)]
    pub per_page: Option<String>,
}

/// Where a run is, as the list filters by it.
pub const RUN_STATUSES: [&str; 4] = ["running", "finished", "failed", "interrupted"];

/// One page of runs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ImportRunList)]
pub struct RunPage {
    pub items: Vec<RunView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl RunPage {
    pub fn pages(&self) -> u64 {
        params::pages(self.total, self.per_page)
    }
    pub fn has_next(&self) -> bool {
        let (p, n) = (self.page, self.per_page);
        params::has_next(p, n, self.total, false, self.items.len())
    }
}

/// The runs the actor may see, newest first: everyone's for roles that import operations
/// data, else its own (a filter on someone else's then lists nothing).
pub async fn runs(app: &App, actor: &Actor, lang: Lang, q: &RunQuery) -> Result<RunPage> {
    let mut errs = FieldErrors::new();
    let given = |s: &Option<String>| params::given(s.as_deref()).map(str::to_string);
    let kind = given(&q.kind);
    if kind
        .as_deref()
        .is_some_and(|k| ImportKind::parse(k).is_none())
    {
        errs.add("kind", "err.invalid_choice");
    }
    let status = given(&q.status);
    if status
        .as_deref()
        .is_some_and(|s| !RUN_STATUSES.contains(&s))
    {
        errs.add("status", "err.invalid_choice");
    }
    let mut user_id = None;
    if let Some(s) = given(&q.user_id) {
        match s.strip_prefix('+').unwrap_or(&s).parse::<i64>() {
            Ok(u) => user_id = Some(u),
            Err(_) => errs.add("user_id", "err.invalid_choice"),
        }
    }
    let page = errs
        .check("page", params::page(q.page.as_deref()))
        .unwrap_or(1);
    let per_page = errs
        .check("per_page", params::per_page(q.per_page.as_deref(), 50, 200))
        .unwrap_or(50);
    errs.into_result()?;
    let everyone = actor.role.is_admin() || actor.role.can_write_operations();
    if !everyone {
        match (actor.id, user_id) {
            (Some(me), Some(u)) if u != me => {
                return Ok(RunPage {
                    items: Vec::new(),
                    total: 0,
                    page,
                    per_page,
                })
            }
            (me, _) => user_id = Some(me.unwrap_or(-1)),
        }
    }
    let (rows, total) = repo::list(
        &app.db.conn,
        &repo::RunFilter {
            kind,
            status,
            user_id,
            offset: params::offset(page, per_page),
            limit: per_page,
        },
    )
    .await?;
    Ok(RunPage {
        items: rows
            .into_iter()
            .map(|(run, name)| view_of(run, name, lang))
            .collect::<Result<_>>()?,
        total,
        page,
        per_page,
    })
}

/// One run with its first bad rows, in `lang`.
pub async fn run_detail(
    app: &App,
    actor: &Actor,
    id: i64,
    lang: Lang,
) -> Result<(RunView, Vec<BadRow>)> {
    let run = repo::get(&app.db.conn, id)
        .await?
        .filter(|r| may_see(actor, r))
        .ok_or(AppError::NotFound)?;
    let rows = repo::errors(&app.db.conn, id, 0, 100)
        .await?
        .into_iter()
        .map(|(_, e)| BadRow {
            row: e.row_no,
            column: e.column.clone(),
            value: e.cell.clone(),
            reason: reason(lang, &e),
        })
        .collect();
    Ok((run_view(app, run, lang).await?, rows))
}

/// A run's bad-row report, for a user who may see the run.
pub async fn run_report(
    app: &App,
    actor: &Actor,
    id: i64,
    lang: Lang,
    out: &mut impl std::io::Write,
) -> Result<u64> {
    repo::get(&app.db.conn, id)
        .await?
        .filter(|r| may_see(actor, r))
        .ok_or(AppError::NotFound)?;
    error_report(app, id, lang, out).await
}

/// Starts importing an uploaded file in the background and returns the run's id at
/// once; the file is removed when the run ends.
pub async fn start_upload(
    app: &App,
    actor: &Actor,
    file: tempfile::TempPath,
    mut opts: ImportOptions,
) -> Result<i64> {
    // A file with the headers a saved profile was made from is read with it.
    apply_recognised(app, &file, &mut opts).await?;
    let run_id = start_run(app, actor, &opts).await?;
    let (app, actor) = (app.clone(), actor.clone());
    tokio::spawn(async move {
        let progress = Arc::new(ImportProgress::default());
        match run_import(&app, &actor, run_id, &file, opts, progress).await {
            Ok(r) => tracing::info!(run_id, rows = r.counts.rows_read, "upload imported"),
            Err(e) => {
                tracing::warn!(run_id, error = %e, "upload import failed");
                let _ =
                    repo::finish(&app.db.conn, run_id, "failed", &e.to_string(), Utc::now()).await;
            }
        }
        drop(file);
    });
    Ok(run_id)
}

/// A new file for an upload, in the data directory's `uploads/` (removed when dropped).
pub fn new_upload(app: &App) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = app.settings.data_dir.join("uploads");
    std::fs::create_dir_all(&dir)?;
    tempfile::NamedTempFile::new_in(dir)
}
