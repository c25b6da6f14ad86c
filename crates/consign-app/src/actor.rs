//! Who is acting on a use case.

use consign_domain::{role::Role, Lang};
use serde::Serialize;

/// Who is acting: a signed-in user, a token's user, or the system (CLI, jobs).
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub id: Option<i64>,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub unit_id: i64,
    pub unit_path: String,
    /// The account's language when read from the store; the request's language (its
    /// cookie, the account's, its Accept-Language) once a web request carries it, so that
    /// generated texts read in it.
    pub lang: Option<Lang>,
    pub ip: Option<String>,
}

impl Actor {
    /// The system itself (CLI commands, background jobs): full scope.
    pub fn system(what: &str) -> Actor {
        Actor {
            id: None,
            username: format!("system:{what}"),
            name: format!("system:{what}"),
            role: Role::Admin,
            unit_id: 0,
            unit_path: "/".into(),
            lang: None,
            ip: None,
        }
    }

    pub fn display(&self) -> String {
        if self.name == self.username {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.username)
        }
    }

    pub fn user_id(&self) -> i64 {
        self.id.unwrap_or(0)
    }
}
