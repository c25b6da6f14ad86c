//! The audit log: append-only rows written in the same transaction as the change.

use crate::entity::audit_log;
use crate::Result;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

pub async fn insert<C: ConnectionTrait>(conn: &C, am: audit_log::ActiveModel) -> Result<()> {
    insert_many(conn, vec![am]).await
}

/// Audit rows in as few statements as the parameter limit allows, without reading them
/// back.
pub async fn insert_many<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<audit_log::ActiveModel>,
) -> Result<()> {
    // 13 columns a row: 1,000 rows stay under every database's parameter limit.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1000).collect();
        audit_log::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub customer_ids: Option<Vec<i64>>,
    pub page: u64,
    pub per_page: u64,
}

pub async fn list<C: ConnectionTrait>(
    conn: &C,
    f: &AuditFilter,
) -> Result<(Vec<audit_log::Model>, u64)> {
    let mut c = Condition::all();
    if let Some(a) = f.actor_id {
        c = c.add(audit_log::Column::ActorId.eq(a));
    }
    if let Some(a) = &f.action {
        c = c.add(audit_log::Column::Action.eq(a.clone()));
    }
    if let Some(a) = &f.entity_type {
        c = c.add(audit_log::Column::EntityType.eq(a.clone()));
    }
    if let Some(ids) = &f.customer_ids {
        c = c.add(audit_log::Column::CustomerId.is_in(ids.clone()));
    }
    let total = audit_log::Entity::find()
        .filter(c.clone())
        .count(conn)
        .await?;
    let per_page = f.per_page.clamp(1, 500);
    let rows = audit_log::Entity::find()
        .filter(c)
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .offset(consign_domain::params::offset(f.page, per_page))
        .limit(per_page)
        .all(conn)
        .await?;
    Ok((rows, total))
}
