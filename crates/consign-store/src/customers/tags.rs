//! Customer tags.

#[allow(unused_imports)]
use super::*;

pub async fn tags_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = customer_tag::Entity::find()
        .filter(customer_tag::Column::CustomerId.is_in(ids.to_vec()))
        .order_by_asc(customer_tag::Column::Tag)
        .all(conn)
        .await?;
    for r in rows {
        out.entry(r.customer_id).or_default().push(r.tag);
    }
    Ok(out)
}

pub async fn set_tags<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
    tags: &[String],
) -> Result<()> {
    customer_tag::Entity::delete_many()
        .filter(customer_tag::Column::CustomerId.eq(customer_id.get()))
        .exec(conn)
        .await?;
    add_tags(conn, customer_id, tags).await
}

/// Adds tags to a customer that has none of them yet.
pub async fn add_tags<C: ConnectionTrait>(
    conn: &C,
    customer_id: CustomerId,
    tags: &[String],
) -> Result<()> {
    let customer_id = customer_id.get();
    if tags.is_empty() {
        return Ok(());
    }
    let models = tags.iter().map(|t| customer_tag::ActiveModel {
        customer_id: sea_orm::Set(customer_id),
        tag: sea_orm::Set(t.clone()),
    });
    customer_tag::Entity::insert_many(models).exec(conn).await?;
    Ok(())
}

/// All tags in use with their counts, most used first (for the filter panel).
pub async fn all_tags<C: ConnectionTrait>(conn: &C) -> Result<Vec<(String, i64)>> {
    #[derive(FromQueryResult)]
    struct Row {
        tag: String,
        n: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT tag, COUNT(*) AS n FROM customer_tags GROUP BY tag ORDER BY n DESC, tag LIMIT 200",
        vec![],
    ))
    .all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.tag, r.n)).collect())
}

/// Tags of several new customers in one statement.
pub async fn add_tags_many<C: ConnectionTrait>(conn: &C, rows: &[(i64, &[String])]) -> Result<()> {
    let models: Vec<customer_tag::ActiveModel> = rows
        .iter()
        .flat_map(|(id, tags)| {
            tags.iter().map(move |t| customer_tag::ActiveModel {
                customer_id: sea_orm::Set(*id),
                tag: sea_orm::Set(t.clone()),
            })
        })
        .collect();
    // Two columns a row: 5,000 rows stay under every database's parameter limit.
    let mut rows = models.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(5000).collect();
        customer_tag::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}
