//! The customers doing worst on a figure, ranked in the database: only their ids leave
//! it (the company page names a few of some seventy thousand).

use super::{covered, recent, summed_columns, Window};
use crate::dialect::stmt;
use crate::scope::Visibility;
use crate::Result;
use consign_domain::kpis::cover;
use sea_orm::{ConnectionTrait, FromQueryResult};

/// A figure the worst customers are ranked on: `numerator / denominator` of a customer's
/// sums over the window (a rate), times `scale`; only customers with `denominator` at
/// least `min_volume` and a numerator above 0 are ranked.
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    /// A rollup column, or `complaints` (the window's complaint tickets).
    pub numerator: &'static str,
    /// `shipments` or `delivered`.
    pub denominator: &'static str,
    pub min_volume: i64,
    /// How the rate is shown (1000 for per mille, 1/3600 for seconds as hours), so that
    /// ties fall exactly as the shown figures tie.
    pub scale: Scale,
}

#[derive(Debug, Clone, Copy)]
pub enum Scale {
    One,
    Times(i64),
    Per(i64),
}

/// The ids of the `n` customers within `vis` doing worst on `r` over the window, worst
/// first; equal figures by id.
pub async fn worst<C: ConnectionTrait>(
    conn: &C,
    vis: &Visibility,
    w: &Window,
    r: Ranked,
    n: u64,
) -> Result<Vec<i64>> {
    let backend = conn.get_database_backend();
    // Each customer's sums over the window: kept already for the recent whole months.
    let recent = match cover(w.from_day, w.to_day) {
        (days, Some((first, last))) if days.is_empty() => recent::covers(conn, first, last).await?,
        _ => false,
    };
    let (source, mut values) = if recent {
        ("customer_recent r".to_string(), Vec::new())
    } else {
        let (rolled, values) = covered(w, "customer", None);
        (
            format!(
                "(SELECT customer_id, {} FROM ({rolled}) x GROUP BY customer_id) r",
                summed_columns("")
            ),
            values,
        )
    };
    let complaints = r.numerator == "complaints";
    let tickets = if complaints {
        values.push(w.from.into());
        values.push(w.to.into());
        " JOIN (SELECT customer_id, COUNT(*) AS complaints FROM tickets \
         WHERE kind = 'complaint' AND created_at >= ? AND created_at < ? GROUP BY customer_id) t \
         ON t.customer_id = r.customer_id"
    } else {
        ""
    };
    let (scope, scope_values) = vis.owner_condition("c.owner_id");
    let customers = if matches!(vis, Visibility::All) {
        ""
    } else {
        " JOIN customers c ON c.id = r.customer_id"
    };
    values.extend(scope_values);
    values.push(r.min_volume.into());
    values.push((n as i64).into());
    let num = if complaints {
        "t.complaints".to_string()
    } else {
        format!("r.{}", r.numerator)
    };
    let den = format!("r.{}", r.denominator);
    let rate = match r.scale {
        Scale::One => format!("CAST({num} AS DOUBLE PRECISION) / {den}"),
        Scale::Times(k) => format!("CAST({num} * {k} AS DOUBLE PRECISION) / {den}"),
        Scale::Per(k) => format!("CAST({num} AS DOUBLE PRECISION) / {den} / {k}.0"),
    };
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let sql = format!(
        "SELECT r.customer_id AS id FROM {source}{tickets}{customers} \
         WHERE {scope} AND {den} >= ? AND {num} > 0 ORDER BY {rate} DESC, r.customer_id LIMIT ?"
    );
    Ok(Id::find_by_statement(stmt(backend, &sql, values))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect())
}
