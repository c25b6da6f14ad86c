//! Contacts of a customer.

#[allow(unused_imports)]
use super::*;

// ---- contacts ----

pub async fn contacts_of<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
) -> Result<Vec<contact::Model>> {
    let customer_id = customer_id.get();
    Ok(contact::Entity::find()
        .filter(contact::Column::CustomerId.eq(customer_id))
        .order_by_desc(contact::Column::IsPrimary)
        .order_by_asc(contact::Column::Id)
        .all(conn)
        .await?)
}

pub async fn find_contact<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<contact::Model>> {
    Ok(contact::Entity::find_by_id(id).one(conn).await?)
}

pub async fn insert_contact<C: ConnectionTrait>(
    conn: &C,
    am: contact::ActiveModel,
) -> Result<contact::Model> {
    Ok(am.insert(conn).await?)
}

pub async fn update_contact<C: ConnectionTrait>(
    conn: &C,
    am: contact::ActiveModel,
) -> Result<contact::Model> {
    Ok(am.update(conn).await?)
}

pub async fn delete_contact<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    contact::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// Clears the primary flag of every other contact of the customer.
pub async fn clear_primary<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
    except: i64,
) -> Result<()> {
    let customer_id = customer_id.get();
    conn.execute(stmt(
        conn.get_database_backend(),
        "UPDATE contacts SET is_primary = FALSE WHERE customer_id = ? AND id <> ?",
        vec![customer_id.into(), except.into()],
    ))
    .await?;
    Ok(())
}

/// Contacts of several new customers in one statement (without reading them back).
pub async fn insert_contacts_many<C: ConnectionTrait>(
    conn: &C,
    models: Vec<contact::ActiveModel>,
) -> Result<()> {
    // 11 columns a row: 1,000 rows stay under every database's parameter limit.
    let mut rows = models.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(1000).collect();
        contact::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}
