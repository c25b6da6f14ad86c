//! Consign use cases. Handlers and the CLI call these; business rules and row-level
//! scope are enforced here, so the API, the web UI and the CLI agree.

pub mod actor;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod billing;
pub mod classification;
pub mod config;
pub mod credit;
pub mod customers;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod exports;
pub mod followups;
pub mod idempotency;
pub mod imports;
pub mod improvements;
pub mod jobs;
pub mod kpis;
pub mod mail;
pub mod policies;
pub mod portal;
pub mod scope;
pub mod ser;
pub mod service;
pub mod shipments;
pub mod surveys;
pub mod tabular;
pub mod tracking;
pub mod users;
pub mod vault;
pub mod views;
pub mod webhooks;

pub use config::Settings;
pub use error::{AppError, Result};

use consign_store::Db;
use std::sync::Arc;

/// Everything a use case needs: the database, the personal-data vault and the settings.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub vault: Arc<vault::Vault>,
    pub settings: Arc<Settings>,
    /// New customers waiting for the next group commit.
    pub creates: Arc<customers::CreateQueue>,
    /// Recently checked sessions and API tokens.
    pub callers: Arc<auth::CallerCache>,
    /// The company's KPIs the customer pages compare against, recently computed.
    pub kpi_cache: Arc<kpis::KpiCache>,
    /// The HTTP client webhooks and group bots send with (internal addresses refused).
    pub outgoing: Arc<webhooks::send::Outgoing>,
}

/// One page of a list and the total matching.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        consign_domain::params::pages(self.total, self.per_page)
    }
}

impl App {
    /// Today in the company's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz()).date_naive()
    }

    /// The instant of a wall time in the company's zone (a time skipped by a clock change
    /// reads as the same instant's neighbour an hour on).
    pub fn utc(&self, t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        self.tz()
            .from_local_datetime(&t)
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|| chrono::Utc.from_utc_datetime(&t))
    }

    /// The instant a local day starts.
    pub fn midnight(&self, d: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
        self.utc(d.and_time(chrono::NaiveTime::MIN))
    }

    /// The company's time zone (day boundaries of rollups and reports).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.settings
            .timezone
            .parse()
            .unwrap_or(chrono_tz::Asia::Shanghai)
    }

    /// Connects, migrates and opens the vault (creating the key file on first run).
    pub async fn open(settings: Settings) -> Result<App> {
        Self::open_with_schema(settings, None).await
    }

    /// As [`App::open`], in a given PostgreSQL schema (tests use one per test).
    pub async fn open_with_schema(settings: Settings, schema: Option<&str>) -> Result<App> {
        let db = Db::connect_mapped(
            &settings.database_url,
            schema,
            settings.sqlite_mmap_mib.saturating_mul(1 << 20),
        )
        .await?;
        db.migrate().await?;
        let vault = vault::Vault::load(&settings).map_err(AppError::Config)?;
        let settings_allow = settings.webhooks_allow_private;
        vault::check_key(&db, &vault).await?;
        let app = App {
            db,
            vault: Arc::new(vault),
            settings: Arc::new(settings),
            creates: Arc::default(),
            callers: Arc::default(),
            kpi_cache: Arc::default(),
            outgoing: Arc::new(webhooks::send::Outgoing::new(settings_allow)?),
        };
        let n = customers::reindex_if_needed(&app).await?;
        if n > 0 {
            tracing::info!(
                customers = n,
                "search keys rebuilt for the current key scheme"
            );
        }
        shipments::rollups_follow_timezone(&app).await?;
        classification::sync_configured_policy(&app).await?;
        Ok(app)
    }
}
