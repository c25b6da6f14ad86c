//! One typed settings struct: defaults → optional TOML file → `CONSIGN_*` environment →
//! command-line flags (applied by the CLI). Secrets are never printed.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://<data_dir>/consign.db` (default) or `postgres://user@host/db`.
    pub database_url: String,
    /// Whether `database_url` was chosen (file, environment, flag); if not, the database
    /// is the SQLite file in `data_dir` wherever `data_dir` is set.
    #[serde(skip)]
    pub database_url_chosen: bool,
    /// Address the server listens on.
    pub listen: String,
    /// Folder for the SQLite file, the key file and backups.
    pub data_dir: PathBuf,
    /// File holding the 32-byte personal-data key (created with mode 0600 on first run).
    pub key_file: Option<PathBuf>,
    /// The key itself, base64; takes precedence over the key file.
    pub master_key: Option<String>,
    /// The company's time zone (day boundaries, reports).
    pub timezone: String,
    /// Public URL, e.g. `https://crm.example.com`; `https` makes cookies Secure.
    pub public_url: Option<String>,
    /// Hours a session lives without activity.
    pub session_hours: i64,
    /// Seconds a request has to produce its answer (uploads are bounded by their pauses
    /// instead, downloads stream).
    pub request_timeout_secs: u64,
    /// Hours a session lives at most, however active (then its user signs in again).
    pub session_max_hours: i64,
    /// Addresses of reverse proxies in front of Consign (nginx, a load balancer): from
    /// these, the client's address is taken from `X-Forwarded-For` (sign-in throttling
    /// and the audit log use it). From any other peer the header is ignored.
    pub trusted_proxies: Vec<String>,
    /// Days without an interaction by the owner before a customer returns to the pool
    /// (the default of the policy an admin can change in the UI).
    pub pool_reclaim_days: i64,
    /// Shipment rows an import commits at a time (fewer: less to redo after a crash and
    /// counts that move more often; more: a faster import).
    pub import_commit_rows: i64,
    /// MiB of the SQLite file the shared connections read through a memory map (0: off).
    /// The command-line import turns it off for its own process, so that what it measures
    /// as its memory is its own.
    pub sqlite_mmap_mib: u64,
    /// Cost of password hashing: `default` (argon2id, 19 MiB) or `test` (fast; tests only).
    pub password_cost: String,
    /// The classification policy (`[classification]` in the file; any field left out
    /// keeps its default). When it differs from the stored policy, it is stored as a new
    /// version at start-up; an admin can change it in the UI as well.
    pub classification: Option<consign_domain::classify::Policy>,
    /// Outgoing mail for reminders and escalations (`[smtp]`); without it they show in
    /// the UI only.
    pub smtp: Option<Smtp>,
    /// Whether webhooks and group bots may reach private and loopback addresses (an
    /// on-premises receiver, tests). Off by default: an endpoint cannot be pointed at the
    /// company's internal network or the machine itself.
    pub webhooks_allow_private: bool,
}

/// An SMTP relay.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    /// Default: 587 with `starttls`, 465 with `tls`, 25 with `none`.
    pub port: Option<u16>,
    /// `starttls` (default), `tls` (implicit TLS) or `none` (a relay on the local network).
    #[serde(default = "default_security")]
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `远达物流 CRM <crm@yuanda-logistics.cn>`.
    pub from: String,
}

fn default_security() -> String {
    "starttls".into()
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("key_file", &self.key_file)
            .field(
                "master_key",
                &self.master_key.as_ref().map(|_| "<redacted>"),
            )
            .field("timezone", &self.timezone)
            .field("public_url", &self.public_url)
            .field("session_hours", &self.session_hours)
            .field("session_max_hours", &self.session_max_hours)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("pool_reclaim_days", &self.pool_reclaim_days)
            .field("import_commit_rows", &self.import_commit_rows)
            .field("sqlite_mmap_mib", &self.sqlite_mmap_mib)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field(
                "smtp",
                &self.smtp.as_ref().map(|m| (&m.host, m.port, &m.from)),
            )
            .finish()
    }
}

/// Hides a password in a database URL.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((creds, host)) = rest.split_once('@') {
            if let Some((user, _)) = creds.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    url.to_string()
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://data/consign.db".into(),
            database_url_chosen: false,
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            key_file: None,
            master_key: None,
            timezone: "Asia/Shanghai".into(),
            public_url: None,
            session_hours: 12,
            session_max_hours: 24,
            request_timeout_secs: 30,
            trusted_proxies: Vec::new(),
            pool_reclaim_days: 30,
            import_commit_rows: 250_000,
            sqlite_mmap_mib: 2048,
            password_cost: "default".into(),
            classification: None,
            smtp: None,
            webhooks_allow_private: false,
        }
    }
}

impl Settings {
    /// Defaults, then the TOML file (if given, or `consign.toml` when present), then the
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, String> {
        Self::load_with(file, |k| std::env::var(k).ok())
    }

    /// [`Settings::load`] with the environment read through `get`. The database follows
    /// `data_dir` (from the file or `CONSIGN_DATA_DIR`) unless a URL was chosen.
    pub fn load_with(
        file: Option<&Path>,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, String> {
        let mut s = match file {
            Some(p) => Self::from_file(p)?,
            None if Path::new("consign.toml").exists() => {
                Self::from_file(Path::new("consign.toml"))?
            }
            None => Settings::default(),
        };
        s.apply_env(get)?;
        let dir = s.data_dir.clone();
        s.set_data_dir(dir);
        Ok(s)
    }

    fn from_file(p: &Path) -> Result<Settings, String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let mut s: Settings = toml::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
        s.database_url_chosen = text
            .parse::<toml::Table>()
            .is_ok_and(|t| t.contains_key("database_url"));
        Ok(s)
    }

    /// Chooses the database (a command-line flag): it no longer follows `data_dir`.
    pub fn set_database_url(&mut self, url: String) {
        self.database_url = url;
        self.database_url_chosen = true;
    }

    /// Applies `CONSIGN_*` variables through `get` (a function so tests need no process env).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        if let Some(v) = get("CONSIGN_DATABASE_URL") {
            self.set_database_url(v);
        }
        if let Some(v) = get("CONSIGN_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("CONSIGN_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("CONSIGN_KEY_FILE") {
            self.key_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("CONSIGN_MASTER_KEY") {
            self.master_key = Some(v);
        }
        if let Some(v) = get("CONSIGN_TIMEZONE") {
            self.timezone = v;
        }
        if let Some(v) = get("CONSIGN_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        if let Some(v) = get("CONSIGN_SESSION_HOURS") {
            self.session_hours = v
                .parse()
                .map_err(|_| format!("CONSIGN_SESSION_HOURS: not a number: {v}"))?;
        }
        if let Some(v) = get("CONSIGN_SESSION_MAX_HOURS") {
            self.session_max_hours =
                v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("CONSIGN_SESSION_MAX_HOURS: not a positive number: {v}")
                })?;
        }
        if let Some(v) = get("CONSIGN_REQUEST_TIMEOUT_SECS") {
            self.request_timeout_secs = v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                format!("CONSIGN_REQUEST_TIMEOUT_SECS: not a positive number: {v}")
            })?;
        }
        if let Some(v) = get("CONSIGN_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(v) = get("CONSIGN_POOL_RECLAIM_DAYS") {
            self.pool_reclaim_days = v
                .parse()
                .map_err(|_| format!("CONSIGN_POOL_RECLAIM_DAYS: not a number: {v}"))?;
        }
        if let Some(v) = get("CONSIGN_IMPORT_COMMIT_ROWS") {
            self.import_commit_rows =
                v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("CONSIGN_IMPORT_COMMIT_ROWS: not a positive number: {v}")
                })?;
        }
        if let Some(v) = get("CONSIGN_SQLITE_MMAP_MIB") {
            self.sqlite_mmap_mib = v
                .parse()
                .map_err(|_| format!("CONSIGN_SQLITE_MMAP_MIB: not a number: {v}"))?;
        }
        if let Some(v) = get("CONSIGN_WEBHOOKS_ALLOW_PRIVATE") {
            self.webhooks_allow_private = match v.trim() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" | "" => false,
                _ => {
                    return Err(format!(
                        "CONSIGN_WEBHOOKS_ALLOW_PRIVATE: not true or false: {v}"
                    ))
                }
            };
        }
        Ok(())
    }

    /// Sets the data folder and, unless a database URL was chosen, the SQLite file in it.
    pub fn set_data_dir(&mut self, dir: PathBuf) {
        if !self.database_url_chosen {
            self.database_url = format!("sqlite://{}", dir.join("consign.db").display());
        }
        self.data_dir = dir;
    }

    pub fn key_path(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("consign.key"))
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The data folder moves the SQLite file with it however it is set (the file, the
    /// environment, the flag), unless a database URL was chosen.
    #[test]
    fn the_database_follows_the_data_folder() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("consign.toml");
        let no_env = |_: &str| None;
        // In the file.
        std::fs::write(&file, "data_dir = \"/srv/consign\"\n").expect("write");
        let s = Settings::load_with(Some(&file), no_env).expect("load");
        assert_eq!(s.database_url, "sqlite:///srv/consign/consign.db");
        assert_eq!(s.key_path(), PathBuf::from("/srv/consign/consign.key"));
        // Then the flag moves both again.
        let mut flagged = s.clone();
        flagged.set_data_dir(PathBuf::from("/mnt/data"));
        assert_eq!(flagged.database_url, "sqlite:///mnt/data/consign.db");
        // In the environment.
        std::fs::write(&file, "listen = \"127.0.0.1:8080\"\n").expect("write");
        let env = |k: &str| (k == "CONSIGN_DATA_DIR").then(|| "/var/lib/consign".to_string());
        let s = Settings::load_with(Some(&file), env).expect("load");
        assert_eq!(s.database_url, "sqlite:///var/lib/consign/consign.db");
        assert_eq!(s.key_path(), PathBuf::from("/var/lib/consign/consign.key"));
        // Nowhere: ./data as before.
        let s = Settings::load_with(Some(&file), no_env).expect("load");
        assert_eq!(s.database_url, "sqlite://data/consign.db");
        // A chosen URL stays where it was put, in the file or the environment.
        std::fs::write(
            &file,
            "data_dir = \"/srv/consign\"\ndatabase_url = \"postgres://crm@db/consign\"\n",
        )
        .expect("write");
        let mut s = Settings::load_with(Some(&file), no_env).expect("load");
        assert_eq!(s.database_url, "postgres://crm@db/consign");
        s.set_data_dir(PathBuf::from("/mnt/data"));
        assert_eq!(s.database_url, "postgres://crm@db/consign");
        std::fs::write(&file, "data_dir = \"/srv/consign\"\n").expect("write");
        let env = |k: &str| (k == "CONSIGN_DATABASE_URL").then(|| "sqlite:///tmp/x.db".to_string());
        let s = Settings::load_with(Some(&file), env).expect("load");
        assert_eq!(s.database_url, "sqlite:///tmp/x.db");
    }

    #[test]
    fn layering() {
        let mut s: Settings =
            toml::from_str("listen = \"0.0.0.0:9000\"\ntimezone = \"Asia/Urumqi\"").expect("toml");
        assert_eq!(s.listen, "0.0.0.0:9000");
        s.apply_env(|k| (k == "CONSIGN_LISTEN").then(|| "127.0.0.1:1".to_string()))
            .expect("env");
        assert_eq!(s.listen, "127.0.0.1:1");
        assert_eq!(s.timezone, "Asia/Urumqi");
        assert!(toml::from_str::<Settings>("nonsense = 1").is_err());
        let c: Settings = toml::from_str("[classification]\na_share_bp = 7500").expect("toml");
        let p = c.classification.expect("policy");
        assert_eq!(p.a_share_bp, 7500);
        assert_eq!(p.b_share_bp, 9500);
        assert!(toml::from_str::<Settings>("[classification]\na_share = 1").is_err());
        assert!(s
            .apply_env(|k| (k == "CONSIGN_SESSION_HOURS").then(|| "x".into()))
            .is_err());
    }

    #[test]
    fn secrets_not_printed() {
        let s = Settings {
            database_url: "postgres://app:hunter2@db/consign".into(),
            master_key: Some("c2VjcmV0".into()),
            ..Settings::default()
        };
        let printed = format!("{s:?}");
        assert!(!printed.contains("hunter2"));
        assert!(!printed.contains("c2VjcmV0"));
    }
}
