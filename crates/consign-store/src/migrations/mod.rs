//! One forward-only migration set for both databases, embedded in the binary.
//!
//! DDL is written once in portable SQL; the only differences between SQLite and
//! PostgreSQL are spelled as placeholders: `{id}` (auto-increment key), `{ts}`
//! (timestamp in UTC), `{bool}`, `{blob}` (bytes), `{bin}` (byte-order collation) and `{without_rowid}`
//! (SQLite tables clustered on their primary key). Never edit a released migration: add one.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

mod m0019;

pub struct Migrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(Sql {
                name: "m0001_foundation",
                sql: M0001,
            }),
            Box::new(Sql {
                name: "m0002_list_indexes",
                sql: M0002,
            }),
            Box::new(Sql {
                name: "m0003_idempotency_keys",
                sql: M0003,
            }),
            Box::new(Sql {
                name: "m0004_jobs",
                sql: M0004,
            }),
            Box::new(Sql {
                name: "m0005_operations",
                sql: M0005,
            }),
            // PostgreSQL already has what it brings.
            Box::new(Scripts {
                name: "m0006_shipment_times_as_integers",
                sqlite: M0006_SQLITE,
                postgres: "",
            }),
            Box::new(Sql {
                name: "m0007_rollups_without_period_indexes",
                sql: M0007,
            }),
            Box::new(Sql {
                name: "m0008_classification",
                sql: M0008,
            }),
            Box::new(Sql {
                name: "m0009_service_desk",
                sql: M0009,
            }),
            Box::new(Scripts {
                name: "m0010_ticket_owners",
                sqlite: M0010_SQLITE,
                postgres: M0010_POSTGRES,
            }),
            Box::new(Sql {
                name: "m0011_run_sums_by_service_mode",
                sql: M0011,
            }),
            Box::new(Scripts {
                name: "m0012_bulk_customer_checks",
                sqlite: "",
                postgres: M0012_POSTGRES,
            }),
            Box::new(Sql {
                name: "m0013_token_expiry",
                sql: M0013,
            }),
            Box::new(Sql {
                name: "m0014_classification_changes",
                sql: M0014,
            }),
            Box::new(Sql {
                name: "m0015_saved_views",
                sql: M0015,
            }),
            Box::new(Sql {
                name: "m0016_task_titles",
                sql: M0016,
            }),
            Box::new(Sql {
                name: "m0017_policy_note_keys",
                sql: M0017,
            }),
            Box::new(Sql {
                name: "m0018_shipment_list",
                sql: M0018,
            }),
            Box::new(m0019::M0019),
            Box::new(Sql {
                name: "m0020_carrier_products",
                sql: M0020,
            }),
            Box::new(Sql {
                name: "m0021_open_shipments",
                sql: M0021,
            }),
            Box::new(Sql {
                name: "m0022_flagged_shipments",
                sql: M0022,
            }),
            Box::new(Sql {
                name: "m0023_refused_customers",
                sql: M0023,
            }),
            Box::new(Scripts {
                name: "m0024_search_keys_clustered",
                sqlite: M0024_SQLITE,
                postgres: M0024_POSTGRES,
            }),
            Box::new(Scripts {
                name: "m0025_cycle_seconds",
                sqlite: M0025_SQLITE,
                postgres: M0025_POSTGRES,
            }),
            Box::new(Sql {
                name: "m0026_company_rollups",
                sql: M0026,
            }),
            Box::new(Sql {
                name: "m0027_surveys",
                sql: M0027,
            }),
            Box::new(Sql {
                name: "m0028_improvements",
                sql: M0028,
            }),
            Box::new(Scripts {
                name: "m0029_customer_recent",
                sqlite: M0029_SQLITE,
                postgres: M0029_POSTGRES,
            }),
            Box::new(Sql {
                name: "m0030_credit",
                sql: M0030,
            }),
            Box::new(Sql {
                name: "m0031_credit_assessments",
                sql: M0031,
            }),
            Box::new(Sql {
                name: "m0032_collections",
                sql: M0032,
            }),
            Box::new(Sql {
                name: "m0033_credit_utilization",
                sql: M0033,
            }),
            Box::new(Sql {
                name: "m0034_webhooks",
                sql: M0034,
            }),
            Box::new(Sql {
                name: "m0035_portal",
                sql: M0035,
            }),
            Box::new(Sql {
                name: "m0036_tracking",
                sql: M0036,
            }),
            Box::new(Scripts {
                name: "m0037_recent_segments",
                sqlite: M0037_SQLITE,
                postgres: M0037_POSTGRES,
            }),
        ]
    }
}

struct Sql {
    name: &'static str,
    sql: &'static str,
}

impl MigrationName for Sql {
    fn name(&self) -> &str {
        self.name
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Sql {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let sql = crate::dialect::schema_sql(self.sql, conn.get_database_backend());
        for stmt in statements(&sql) {
            conn.execute_unprepared(&stmt).await?;
        }
        Ok(())
    }
}

/// A portable migration's statements: split at `;`, with its `--` comment lines left out
/// first (a comment may hold a semicolon). A statement that needs a semicolon of its own
/// (a trigger body, a string) belongs in a [`Scripts`] migration.
fn statements(sql: &str) -> Vec<String> {
    let code: Vec<&str> = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect();
    code.join("\n")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A migration written once per database, each run as one script on one connection (so
/// that it can hold statements with semicolons of their own, such as trigger bodies, and
/// an SQLite table rebuild can turn foreign keys off around its own transaction). An
/// empty script: nothing to do on that database.
struct Scripts {
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

impl MigrationName for Scripts {
    fn name(&self) -> &str {
        self.name
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Scripts {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let sql = crate::dialect::script(conn.get_database_backend(), self.sqlite, self.postgres);
        if !sql.trim().is_empty() {
            conn.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}

const M0001: &str = include_str!("m0001_foundation.sql");

/// Covering indexes for the customer list's usual filters: with the filter columns, the
/// archived marker and the sort key in one index, a filtered page is read in order and
/// counted without touching the table (100,000 customers: 21 → hundreds of pages/s).
const M0002: &str = include_str!("m0002_list_indexes.sql");

/// Responses to writes sent with an `Idempotency-Key`, so that a retried request gets the
/// first answer instead of doing the write twice. `status` is NULL while in progress.
const M0003: &str = include_str!("m0003_idempotency_keys.sql");

/// Background jobs as rows (ARCHITECTURE rule 11): claimed atomically with a lease, so
/// that several server instances share them and a job whose server stopped is taken up
/// again when its lease runs out; retried with backoff. `dedupe_key` makes scheduling
/// idempotent (one housekeeping run per slot, whichever instance schedules it first).
const M0004: &str = include_str!("m0004_jobs.sql");

/// Operations data (SPEC §2): shipments with their tracking events, invoices and payments,
/// keyed by their natural numbers so that a re-run import updates instead of duplicating.
/// `order_day` is the order's day in the company's time zone (YYYYMMDD). The rollups
/// `customer_days` / `customer_months` hold per-customer sums (see `DayFigures`), kept in
/// the same transaction as every shipment write, so that classification and KPIs never
/// scan raw shipments. Import runs record their progress and every bad row.
const M0005: &str = include_str!("m0005_operations.sql");

/// SQLite stores a shipment's times as Unix seconds (INTEGER) instead of RFC 3339 text:
/// 6 bytes instead of 25–35 for each of six times a row, so a shipment row and the
/// customer index shrink by a third and bulk imports write that much less. (PostgreSQL's
/// TIMESTAMPTZ is 8 bytes already.) The table is rebuilt as SQLite requires for a change
/// of column type: foreign keys off, new table, copy, drop, rename, indexes.
const M0006_SQLITE: &str = include_str!("m0006_shipment_times_as_integers.sqlite.sql");

/// The rollups are read by customer (a customer's days or months: their primary key) or
/// whole (classification sums every customer's window in one pass over the table, in key
/// order); an index by day or month alone served neither and cost every import a second
/// B-tree insert per customer-day.
const M0007: &str = include_str!("m0007_rollups_without_period_indexes.sql");

/// Classification (SPEC §3): the policy's versions, runs (one per computation as of a
/// day) and each run's verdict per customer. Runs as of the first of a month are the
/// month-end snapshots and are kept; of the others only the latest stays. Per run and
/// owner (0: the pool), the dashboard's sums: customers per combination of verdicts, the
/// Pareto buckets of profit, and monthly totals.
const M0008: &str = include_str!("m0008_classification.sql");

/// The service desk (SPEC §4): tickets with their shipments, workflow events and
/// attachments; the SLA policy's deadlines are stored on each ticket. Notifications are
/// what the UI's inbox and the reminder e-mails show. Follow-ups (SPEC §5): the
/// interaction log and follow-up tasks (due on a company day, YYYYMMDD).
const M0009: &str = include_str!("m0009_service_desk.sql");

/// Each ticket carries its customer's owner, so that the lists' scopes (an account
/// manager's customers, a unit's owners and the pool) are served by the tickets' own
/// indexes and their counts never visit the customers. A trigger keeps it equal to the
/// customer's owner whenever that changes (assignment, transfer, pool reclaim, import);
/// a ticket takes it when it is registered and when its customer is merged into another.
const M0010_SQLITE: &str = include_str!("m0010_ticket_owners.sqlite.sql");

const M0010_POSTGRES: &str = include_str!("m0010_ticket_owners.postgres.sql");

/// Every change of a customer's verdict, as of the run that made it (issue 16): runs
/// other than month-end snapshots are replaced by the next, and their changes with them;
/// a customer's history keeps them here. A row holds the verdict the change led to.
/// Verdicts also keep the rule that decided their grade (`grade_basis`; NULL before).
const M0014: &str = include_str!("m0014_classification_changes.sql");
const M0015: &str = include_str!("m0015_saved_views.sql");
const M0016: &str = include_str!("m0016_task_titles.sql");
/// Generated notes and authors of classification policy versions as message keys.
const M0017: &str = include_str!("m0017_policy_note_keys.sql");
/// An index for the shipment list, newest order first.
const M0018: &str = include_str!("m0018_shipment_list.sql");
/// Carriers' product names on shipments; what an import run noticed.
const M0020: &str = include_str!("m0020_carrier_products.sql");
/// A partial index of the shipments still under way, for the shipment list.
const M0021: &str = include_str!("m0021_open_shipments.sql");
/// A partial index of the shipments with an exception flag, for the shipment list.
const M0022: &str = include_str!("m0022_flagged_shipments.sql");
/// Customers imports' duplicate refusals by customer code, for the shipments naming them.
const M0023: &str = include_str!("m0023_refused_customers.sql");
/// The search keys in one b-tree each: SQLite's clustered on the key, PostgreSQL's without
/// the index by customer (a customer's keys are made from its name).
const M0024_SQLITE: &str = include_str!("m0024_search_keys_clustered.sqlite.sql");
const M0024_POSTGRES: &str = include_str!("m0024_search_keys_clustered.postgres.sql");
/// Order cycles in the rollups to the second, recomputed from the shipments (issue 20).
const M0025_SQLITE: &str = include_str!("m0025_cycle_seconds.sqlite.sql");
const M0025_POSTGRES: &str = include_str!("m0025_cycle_seconds.postgres.sql");
/// The company's rollups, every customer's summed per day and month (issue 20).
const M0026: &str = include_str!("m0026_company_rollups.sql");
const M0027: &str = include_str!("m0027_surveys.sql");
const M0028: &str = include_str!("m0028_improvements.sql");
const M0030: &str = include_str!("m0030_credit.sql");
const M0031: &str = include_str!("m0031_credit_assessments.sql");
const M0032: &str = include_str!("m0032_collections.sql");
const M0033: &str = include_str!("m0033_credit_utilization.sql");
/// Outgoing webhooks, group bots and their deliveries (issue 22).
const M0034: &str = include_str!("m0034_webhooks.sql");
/// Portal accounts and their invitations (issue 22).
const M0035: &str = include_str!("m0035_portal.sql");
/// Phone digits on shipments and counted lookups for public tracking (issue 22).
const M0036: &str = include_str!("m0036_tracking.sql");
const M0037_SQLITE: &str = include_str!("m0037_recent_segments.sqlite.sql");
const M0037_POSTGRES: &str = include_str!("m0037_recent_segments.postgres.sql");
const M0029_SQLITE: &str = include_str!("m0029_customer_recent.sqlite.sql");
const M0029_POSTGRES: &str = include_str!("m0029_customer_recent.postgres.sql");

/// API tokens may carry an expiry (issue 16); old ones have none.
const M0013: &str = include_str!("m0013_token_expiry.sql");

/// A run's stored sums (groups of verdicts, Pareto buckets, monthly totals) per owner
/// and per combination of service modes, so that a dashboard sliced by a service mode is
/// answered from them too. The sums of earlier runs are dropped with their tables: such a
/// run (`sums` 0) is answered from its verdicts until the next run.
const M0011: &str = include_str!("m0011_run_sums_by_service_mode.sql");

/// PostgreSQL: the shipments' and the search keys' reference to their customer is checked
/// once per statement over the statement's new rows (a trigger with a transition table)
/// instead of once per row by a foreign key: an import writes a million shipments with
/// `COPY`, and the per-row check was 6 of the 13 seconds the server spent on them. A
/// customer is never deleted while rows name it (customers are archived or merged, not
/// deleted; a delete that would orphan a row is refused the same way). SQLite keeps its
/// foreign keys (its bulk writer does not check them; the importer resolves every code).
const M0012_POSTGRES: &str = include_str!("m0012_bulk_customer_checks.postgres.sql");

impl crate::Db {
    /// Applies every pending migration.
    pub async fn migrate(&self) -> crate::Result<()> {
        Migrator::up(&self.conn, None).await?;
        self.optimize().await
    }

    /// Names of the migrations applied, oldest first.
    pub async fn applied_migrations(&self) -> crate::Result<Vec<String>> {
        let applied = Migrator::get_applied_migrations(&self.conn).await?;
        Ok(applied.iter().map(|m| m.name().to_string()).collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn comments_may_hold_semicolons() {
        let sql = "-- a view; shared\nCREATE TABLE a (x INT);\n  -- more; here\nCREATE INDEX b ON a (x);\n";
        assert_eq!(
            super::statements(sql),
            vec!["CREATE TABLE a (x INT)", "CREATE INDEX b ON a (x)"]
        );
    }
}
