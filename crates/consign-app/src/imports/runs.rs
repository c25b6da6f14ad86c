//! Import runs as the web UI and the API show them.

#[allow(unused_imports)]
use super::*;

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
    let problem = run
        .message
        .split_once('|')
        .and_then(|(key, arg)| key.starts_with("err.").then(|| lang.tf(key, &[&arg])));
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
    })
}

/// The latest runs the actor may see: everyone's for roles that import operations
/// data, else its own.
pub async fn runs(app: &App, actor: &Actor, lang: Lang) -> Result<Vec<RunView>> {
    let mut out = Vec::new();
    for run in repo::recent(&app.db.conn, 200).await? {
        if may_see(actor, &run) && out.len() < 50 {
            out.push(run_view(app, run, lang).await?);
        }
    }
    Ok(out)
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
    opts: ImportOptions,
) -> Result<i64> {
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
