//! Consign storage: one code path over SQLite and PostgreSQL (SeaORM), one migration set.

pub mod audit;
pub mod billing;
pub mod capped;
pub mod classification;
pub mod credit;
pub mod customers;
pub mod demo;
pub mod dialect;
pub mod entity;
pub mod followups;
pub mod idempotency;
pub mod imports;
pub mod improvements;
pub mod jobs;
pub mod kpis;
pub mod migrations;
pub mod paged;
pub mod portal;
pub mod scope;
pub mod service;
pub mod settings;
pub mod shipments;
pub mod surveys;
pub mod tracking;
pub mod users;
pub mod views;
pub mod webhooks;

pub use dialect::bulk::{self as bulk, BulkTxn};
pub use dialect::db::{self, Backend, Db, WriteTxn};
pub use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait,
};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("not found")]
    NotFound,
    #[error("invalid database URL: {0}")]
    BadUrl(String),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    /// Maps a unique-constraint failure to [`StoreError::Unique`], keeping the rest.
    /// A unique violation is recognised by the database's error code (SQLite 2067 and
    /// 1555, PostgreSQL 23505, as SeaORM reads them), not by the message's wording.
    pub fn from_db(e: DbErr) -> StoreError {
        match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(m)) => StoreError::Unique(m),
            _ => StoreError::Db(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
