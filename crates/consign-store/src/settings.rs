//! Key-value settings (policies such as the pool reclaim period).

use crate::entity::setting;
use crate::Result;
use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

pub async fn get<C: ConnectionTrait>(conn: &C, key: &str) -> Result<Option<String>> {
    Ok(setting::Entity::find_by_id(key.to_string())
        .one(conn)
        .await?
        .map(|s| s.value))
}

pub async fn set<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    value: &str,
    by: Option<i64>,
) -> Result<()> {
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.to_string()),
        value: Set(value.to_string()),
        updated_at: Set(Utc::now()),
        updated_by: Set(by),
    })
    .on_conflict(
        OnConflict::column(setting::Column::Key)
            .update_columns([
                setting::Column::Value,
                setting::Column::UpdatedAt,
                setting::Column::UpdatedBy,
            ])
            .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}
