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
    /// A failure of the system, not of the request: what was being done, and the error
    /// that stopped it (its chain goes to the log; the user sees a generic message).
    #[error("{context}")]
    Internal {
        context: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
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
    /// An internal failure described by `context` alone.
    pub fn internal(context: impl Into<String>) -> AppError {
        AppError::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// An internal failure while doing `context`, keeping the error that caused it.
    pub fn caused(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> AppError {
        AppError::Internal {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }

    /// An internal failure that is the error itself.
    pub fn from_err(source: impl std::error::Error + Send + Sync + 'static) -> AppError {
        AppError::Internal {
            context: source.to_string(),
            source: Some(Box::new(source)),
        }
    }

    /// A value read back from the database that this code does not know (damaged data,
    /// or written by a newer version): an internal error, never a silent default.
    pub fn stored<T>(column: &str, value: &str, parsed: Option<T>) -> Result<T> {
        parsed.ok_or_else(|| AppError::internal(format!("stored {column} {value:?} is not known")))
    }

    /// The error and every error that caused it, joined by ": " (for logs).
    pub fn chain(&self) -> String {
        let mut out = self.to_string();
        let mut next = std::error::Error::source(self);
        while let Some(e) = next {
            let t = e.to_string();
            if !out.ends_with(&t) {
                out.push_str(": ");
                out.push_str(&t);
            }
            next = e.source();
        }
        out
    }

    pub fn field(field: &str, code: &'static str) -> AppError {
        let mut e = FieldErrors::new();
        e.add(field, code);
        AppError::Validation(e)
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_keep_their_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = AppError::caused("pg_dump", io);
        assert_eq!(e.to_string(), "pg_dump");
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(e.chain(), "pg_dump: no such file");
        // An error that is its own context is not repeated.
        let e = AppError::from_err(std::io::Error::other("disk full"));
        assert_eq!(e.chain(), "disk full");
        assert_eq!(AppError::internal("no policy").chain(), "no policy");
        // A stored value this code does not know is an error, not a default.
        let r: Result<u8> = AppError::stored("users.role", "owner", None);
        assert_eq!(
            r.map_err(|e| e.chain()),
            Err("stored users.role \"owner\" is not known".to_string())
        );
    }
}
