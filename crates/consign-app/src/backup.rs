//! Backup and restore (SPEC §13): a consistent online copy of the SQLite database and
//! the key file; for PostgreSQL, pg_dump/pg_restore (see docs/operations.md).

use crate::{App, AppError, Result, Settings};
use chrono::Utc;
use std::path::{Path, PathBuf};

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupFiles {
    pub database: PathBuf,
    pub key: Option<PathBuf>,
}

/// Copies the database (SQLite: `VACUUM INTO`, consistent while the server runs;
/// PostgreSQL: `pg_dump --format=custom`) and the key file into `dir`.
pub async fn backup(app: &App, dir: &Path) -> Result<BackupFiles> {
    std::fs::create_dir_all(dir).map_err(|e| AppError::caused(format!("{}", dir.display()), e))?;
    let stamp = Utc::now().format("%Y%m%d-%H%M%S");
    let database = app
        .db
        .dump_into(&app.settings.database_url, dir, &stamp.to_string())
        .await?;
    let key = if app.settings.master_key.is_none() && app.settings.key_path().exists() {
        let k = dir.join(format!("consign-{stamp}.key"));
        std::fs::copy(app.settings.key_path(), &k)
            .map_err(|e| AppError::caused(format!("{}", k.display()), e))?;
        restrict(&k)?;
        Some(k)
    } else {
        None
    };
    Ok(BackupFiles { database, key })
}

fn restrict(p: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| AppError::caused(format!("{}", p.display()), e))?;
    }
    Ok(())
}

/// Restores an SQLite backup (and its key file) over the configured database, after
/// checking the copy opens, passes `PRAGMA integrity_check` and matches the key.
/// Refuses to overwrite an existing database unless `force`.
pub async fn restore_sqlite(
    settings: &Settings,
    db_file: &Path,
    key_file: Option<&Path>,
    force: bool,
) -> Result<PathBuf> {
    let Some(target) =
        consign_store::dialect::sqlite_file(&settings.database_url).map(PathBuf::from)
    else {
        return Err(AppError::Config(
            "restore of PostgreSQL backups uses pg_restore; see docs/operations.md".into(),
        ));
    };
    if target.exists() && !force {
        return Err(AppError::Config(format!(
            "{} exists; stop the server and pass --force to replace it",
            target.display()
        )));
    }
    // Verify the copy before touching anything.
    let mut check = settings.clone();
    let staging = target.with_extension("restore-tmp");
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(db_file, &staging)
        .map_err(|e| AppError::caused(format!("{}", db_file.display()), e))?;
    check.database_url = format!("sqlite://{}", staging.display());
    if let Some(k) = key_file {
        check.key_file = Some(k.to_path_buf());
        check.master_key = None;
    }
    {
        let db = consign_store::Db::connect(&check.database_url, None).await?;
        let ok = db.integrity_check().await?;
        if ok != "ok" {
            return Err(AppError::internal(format!(
                "backup fails the integrity check: {ok}"
            )));
        }
        if db
            .applied_migrations()
            .await
            .map(|m| m.is_empty())
            .unwrap_or(true)
        {
            return Err(AppError::internal("not a Consign database"));
        }
        if !check.key_path().exists() && check.master_key.is_none() {
            return Err(AppError::Config(format!(
                "key file {} missing",
                check.key_path().display()
            )));
        }
        let vault = crate::vault::Vault::load(&check).map_err(AppError::Config)?;
        crate::vault::check_key(&db, &vault).await?;
        db.conn.close().await?;
    }
    for ext in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(target.with_extension(ext));
    }
    std::fs::rename(&staging, &target)
        .map_err(|e| AppError::caused(format!("{}", target.display()), e))?;
    let _ = std::fs::remove_file(staging.with_extension("restore-tmp-wal"));
    if let Some(k) = key_file {
        let dest = settings.key_path();
        if settings.master_key.is_none() && k != dest {
            std::fs::copy(k, &dest)
                .map_err(|e| AppError::caused(format!("{}", dest.display()), e))?;
            restrict(&dest)?;
        }
    }
    Ok(target)
}
