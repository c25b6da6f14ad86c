//! What differs between SQLite and PostgreSQL, reached through methods on [`Db`] so that
//! no code above the store branches on the backend (scripts/layout-check.sh keeps it so).

use crate::db::{Backend, Db};
use crate::{Result, StoreError};
use std::path::{Path, PathBuf};

/// The file of an SQLite database URL (`sqlite://path?mode=rwc`, `sqlite:path`, or a
/// plain path); None for PostgreSQL.
pub fn sqlite_file(url: &str) -> Option<&str> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return None;
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    Some(path.split('?').next().unwrap_or(path))
}

impl Db {
    /// Whether write transactions can commit side by side: on PostgreSQL each has a
    /// connection of its own; SQLite has one writer.
    pub fn parallel_writers(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// A consistent copy of the live database in `dir`, named after `stamp`: SQLite
    /// `VACUUM INTO` (`.db`); PostgreSQL `pg_dump --format=custom` of `url` (`.pgdump`,
    /// the client must be installed).
    pub async fn dump_into(&self, url: &str, dir: &Path, stamp: &str) -> Result<PathBuf> {
        match self.backend {
            Backend::Postgres => {
                let out = dir.join(format!("consign-{stamp}.pgdump"));
                let status = tokio::process::Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--no-owner")
                    .arg(format!("--file={}", out.display()))
                    .arg(url)
                    .status()
                    .await
                    .map_err(|e| {
                        StoreError::Other(format!(
                            "pg_dump: {e} (is the PostgreSQL client installed?)"
                        ))
                    })?;
                if !status.success() {
                    return Err(StoreError::Other(format!("pg_dump failed: {status}")));
                }
                Ok(out)
            }
            Backend::Sqlite => {
                let out = dir.join(format!("consign-{stamp}.db"));
                if out.exists() {
                    return Err(StoreError::Other(format!("{} exists", out.display())));
                }
                self.sqlite_backup_to(&out).await?;
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_of_urls() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/consign/consign.db?mode=rwc"),
            Some("/var/lib/consign/consign.db")
        );
        assert_eq!(sqlite_file("sqlite:data/c.db"), Some("data/c.db"));
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
        assert_eq!(sqlite_file("postgresql://u@h/db"), None);
    }
}
