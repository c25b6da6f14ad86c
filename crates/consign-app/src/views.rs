//! Saved views and column choices of the lists (issue 18): each user's columns per list,
//! and named views (filters, sort, columns) of its own or shared with its team. Staff
//! only; every change is audited in its transaction.

use crate::actor::Actor;
use crate::audit::{self, Entry};
use crate::{App, AppError, Result};
use chrono::Utc;
use consign_domain::views::{view_name, ListKind};
use consign_domain::FieldErrors;
use consign_store::views::{self as repo, NewView, SavedView};
use consign_store::StoreError;
use serde::Serialize;

/// A saved view as its list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SavedView)]
pub struct ViewItem {
    #[serde(serialize_with = "crate::ser::id")]
    #[schema(value_type = String)]
    pub id: i64,
    pub name: String,
    /// The list's query string (filters and sort).
    pub query: String,
    #[schema(value_type = Vec<String>)]
    pub columns: Vec<&'static str>,
    pub shared: bool,
    /// The actor's own (it may delete it), else a teammate's shared view.
    pub mine: bool,
    pub owner_name: String,
}

fn staff(actor: &Actor) -> Result<i64> {
    match actor.id {
        Some(id) if actor.role.is_staff() => Ok(id),
        _ => Err(AppError::Forbidden),
    }
}

fn item(actor: &Actor, list: ListKind, v: SavedView) -> ViewItem {
    ViewItem {
        id: v.id,
        mine: Some(v.user_id) == actor.id,
        columns: list
            .stored_columns(&v.columns)
            .unwrap_or_else(|| list.default_columns(actor.role)),
        name: v.name,
        query: v.query,
        shared: v.shared,
        owner_name: v.owner_name,
    }
}

/// The actor's columns for a list: its choice, else its role's defaults.
pub async fn columns(app: &App, actor: &Actor, list: ListKind) -> Result<Vec<&'static str>> {
    let user = staff(actor)?;
    let stored = repo::columns(&app.db.conn, user, list.as_str()).await?;
    Ok(stored
        .and_then(|s| list.stored_columns(&s))
        .unwrap_or_else(|| list.default_columns(actor.role)))
}

/// Chooses the columns (shown, in this order) of a list for the actor.
pub async fn set_columns(
    app: &App,
    actor: &Actor,
    list: ListKind,
    keys: &[String],
) -> Result<Vec<&'static str>> {
    let user = staff(actor)?;
    let cols = list
        .parse_columns(keys)
        .map_err(|code| AppError::field("columns", code))?;
    let joined = cols.join(",");
    let txn = app.db.begin_write().await?;
    let before = repo::columns(&txn, user, list.as_str()).await?;
    repo::set_columns(&txn, user, list.as_str(), &joined).await?;
    audit::record(
        &txn,
        actor,
        Entry {
            action: "view.columns",
            entity_type: "list",
            entity_id: list.as_str().to_string(),
            customer_id: None,
            summary: Some(joined.clone()),
            said: None,
            before: before.map(|b| serde_json::json!({ "columns": b })),
            after: Some(serde_json::json!({ "columns": joined })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(cols)
}

/// The views of a list the actor sees: its own, then its team's shared ones.
pub async fn list(app: &App, actor: &Actor, list: ListKind) -> Result<Vec<ViewItem>> {
    let user = staff(actor)?;
    let rows = repo::visible(&app.db.conn, user, actor.unit_id, list.as_str()).await?;
    Ok(rows.into_iter().map(|v| item(actor, list, v)).collect())
}

/// One view the actor sees (its own, or shared with its team); else "not found".
pub async fn get(app: &App, actor: &Actor, list: ListKind, id: i64) -> Result<ViewItem> {
    let user = staff(actor)?;
    match repo::find(&app.db.conn, id).await? {
        Some(v)
            if v.list == list.as_str()
                && (v.user_id == user || (v.shared && v.org_unit_id == actor.unit_id)) =>
        {
            Ok(item(actor, list, v))
        }
        _ => Err(AppError::NotFound),
    }
}

/// What a new view holds: its name, the list's filters and sort as (key, value), its
/// columns, and whether the team sees it.
pub struct ViewInput {
    pub name: String,
    pub filters: Vec<(String, String)>,
    pub columns: Vec<String>,
    pub shared: bool,
}

/// Saves a view of a list for the actor (a name it has not used on that list).
pub async fn save(app: &App, actor: &Actor, list: ListKind, input: &ViewInput) -> Result<ViewItem> {
    let user = staff(actor)?;
    let mut errs = FieldErrors::new();
    let name = errs.check("name", view_name(&input.name));
    let columns = errs.check("columns", list.parse_columns(&input.columns));
    errs.clone().into_result()?;
    let (Some(name), Some(columns)) = (name, columns) else {
        return Err(AppError::Validation(errs));
    };
    let filters = list.view_filters(&input.filters);
    let query = serde_urlencoded::to_string(&filters).map_err(AppError::from_err)?;
    let columns = columns.join(",");
    let txn = app.db.begin_write().await?;
    let id = match repo::insert(
        &txn,
        &NewView {
            user_id: user,
            org_unit_id: actor.unit_id,
            list: list.as_str(),
            name: &name,
            query: &query,
            columns: &columns,
            shared: input.shared,
            now: Utc::now(),
        },
    )
    .await
    {
        Ok(id) => id,
        Err(StoreError::Unique(_)) => {
            return Err(AppError::Conflict {
                field: "name".into(),
                code: "err.duplicate_view_name",
            })
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &txn,
        actor,
        Entry {
            action: "view.save",
            entity_type: "view",
            entity_id: id.to_string(),
            customer_id: None,
            summary: Some(name.clone()),
            said: None,
            before: None,
            after: Some(serde_json::json!({
                "list": list.as_str(), "name": name, "query": query,
                "columns": columns, "shared": input.shared,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    get(app, actor, list, id).await
}

/// Deletes one of the actor's own views (a teammate's shared view is not its to delete).
pub async fn delete(app: &App, actor: &Actor, list: ListKind, id: i64) -> Result<()> {
    let v = get(app, actor, list, id).await?;
    if !v.mine {
        return Err(AppError::Forbidden);
    }
    let txn = app.db.begin_write().await?;
    if !repo::delete(&txn, id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &txn,
        actor,
        Entry::deleted("view.delete", "view", &id.to_string(), None, &v),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
