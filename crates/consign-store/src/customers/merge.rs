//! Merging: moving what a customer owns to another.

#[allow(unused_imports)]
use super::*;

// ---- merge ----

/// Tables whose rows belong to a customer and move on a merge. Every capability that
/// adds such a table adds it here, so a merge keeps moving everything.
pub const CUSTOMER_OWNED_TABLES: &[&str] = &[
    "contacts",
    "shipments",
    "invoices",
    "payments",
    "tickets",
    "interactions",
    "tasks",
    "credit_changes",
    "credit_assessments",
    "collection_promises",
];

/// Moves every record of `from` to `into`. Tags are united.
pub async fn move_records<C: ConnectionTrait>(
    conn: &C,
    from: CustomerId,
    into: CustomerId,
) -> Result<()> {
    let (from, into) = (from.get(), into.get());
    let backend = conn.get_database_backend();
    for table in CUSTOMER_OWNED_TABLES {
        let sql = format!("UPDATE {table} SET customer_id = ? WHERE customer_id = ?");
        conn.execute(stmt(backend, &sql, vec![into.into(), from.into()]))
            .await?;
    }
    // The moved tickets take their new customer's owner (the lists' scopes read it).
    conn.execute(stmt(
        backend,
        "UPDATE tickets SET owner_id = (SELECT owner_id FROM customers WHERE id = ?) WHERE customer_id = ?",
        vec![into.into(), into.into()],
    ))
    .await?;
    crate::shipments::merge_rollups(conn, from, into).await?;
    conn.execute(stmt(
        backend,
        "INSERT INTO customer_tags (customer_id, tag) SELECT ?, tag FROM customer_tags WHERE customer_id = ? ON CONFLICT DO NOTHING",
        vec![into.into(), from.into()],
    ))
    .await?;
    conn.execute(stmt(
        backend,
        "DELETE FROM customer_tags WHERE customer_id = ?",
        vec![from.into()],
    ))
    .await?;
    // The merged customer keeps only one primary contact: the target's, if it has one.
    conn.execute(stmt(
        backend,
        "UPDATE contacts SET is_primary = FALSE WHERE customer_id = ? AND is_primary = TRUE \
         AND id <> (SELECT MIN(id) FROM contacts WHERE customer_id = ? AND is_primary = TRUE)",
        vec![into.into(), into.into()],
    ))
    .await?;
    Ok(())
}

/// Ids of customers merged into `id` (their history shows on its timeline).
pub async fn merged_into<C: ConnectionTrait>(conn: &C, id: CustomerId) -> Result<Vec<CustomerId>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id FROM customers WHERE merged_into_id = ?",
        vec![id.get().into()],
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CustomerId::trusted(r.id))
        .collect())
}
