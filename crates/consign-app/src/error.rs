//! The use cases' one error type. The web layer maps it to problem details or a page.

use consign_domain::FieldErrors;
use consign_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Invalid input: each field with a message key.
    #[error("invalid input: {0:?}")]
    Validation(FieldErrors),
    /// Not signed in, or a bad token.
    #[error("unauthorized")]
    Unauthorized,
    /// Signed in but the role or scope forbids it.
    #[error("forbidden")]
    Forbidden,
    /// Missing, or outside the user's scope (indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    /// Conflicts with existing data; the field and message key say which.
    #[error("conflict on {field}: {code}")]
    Conflict { field: String, code: &'static str },
    /// A business rule refuses the request in the record's present state (e.g. a
    /// workflow step not allowed from the ticket's status): a message key whose `{}`
    /// are filled with the localized `args` (message keys themselves).
    #[error("refused: {code} {args:?}")]
    Refused {
        code: &'static str,
        args: Vec<&'static str>,
    },
    /// A new customer looks like existing ones; resend with confirmation to create anyway.
    #[error("possible duplicates: {0:?}")]
    Duplicates(Vec<crate::customers::DuplicateHit>),
    /// Too many failed sign-ins.
    #[error("throttled")]
    Throttled,
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::Store(StoreError::from_db(e))
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Validation(e)
    }
}

impl AppError {
    pub fn field(field: &str, code: &'static str) -> AppError {
        let mut e = FieldErrors::new();
        e.add(field, code);
        AppError::Validation(e)
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
