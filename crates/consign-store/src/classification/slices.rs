//! Slices of a run's verdicts (segment, owners): groups, Pareto curve, months, top customers, customers at risk.

#[allow(unused_imports)]
use super::*;

/// `AND …` conditions with `?` placeholders and their values in order. Shown with
/// `{}` it is its SQL; the values go after those of the SQL before it.
#[derive(Debug, Clone, Default)]
pub struct Cond {
    pub sql: String,
    pub values: Vec<Value>,
}

impl Cond {
    fn bind(&mut self, sql: &str, v: Value) {
        self.sql += sql;
        self.values.push(v);
    }

    pub fn is_empty(&self) -> bool {
        self.sql.is_empty()
    }

    /// `before`, then this condition's values.
    fn after(&self, mut before: Vec<Value>) -> Vec<Value> {
        before.extend(self.values.iter().cloned());
        before
    }
}

impl std::fmt::Display for Cond {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sql)
    }
}

/// Which customers a dashboard counts: conditions on `customers c`.
#[derive(Debug, Clone, Default)]
pub struct Slice {
    pub province: Option<String>,
    pub industry: Option<String>,
    pub service_mode: Option<String>,
    pub owner: Option<crate::customers::OwnerFilter>,
    /// Owners whose customers the viewer may see (and the pool); None: all.
    pub visible_owners: Option<Vec<i64>>,
}

impl Slice {
    /// `AND …` conditions on `c`, empty for the whole company. What a user chose (a
    /// province, an industry, a service mode) is bound, never written into the SQL.
    pub fn sql(&self) -> Cond {
        use crate::customers::OwnerFilter;
        let mut c = Cond::default();
        if let Some(v) = &self.province {
            c.bind(" AND c.province = ?", v.as_str().into());
        }
        if let Some(v) = &self.industry {
            c.bind(" AND c.industry = ?", v.as_str().into());
        }
        if let Some(v) = &self.service_mode {
            let pat = format!("%,{},%", v.replace(['%', '_', '\\'], ""));
            c.bind(" AND c.service_modes LIKE ?", pat.into());
        }
        let w = &mut c.sql;
        match &self.owner {
            Some(OwnerFilter::User(id)) => *w += &format!(" AND c.owner_id = {id}"),
            Some(OwnerFilter::Pool) => *w += " AND c.owner_id IS NULL",
            None => {}
        }
        if let Some(ids) = &self.visible_owners {
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            if list.is_empty() {
                *w += " AND c.owner_id IS NULL";
            } else {
                *w += &format!(
                    " AND (c.owner_id IS NULL OR c.owner_id IN ({}))",
                    list.join(",")
                );
            }
        }
        c
    }

    /// The owners the slice covers (0: the pool), or None for all of them.
    fn owner_set(&self) -> Option<Vec<i64>> {
        use crate::customers::OwnerFilter;
        let mut set: Option<Vec<i64>> = self.visible_owners.as_ref().map(|ids| {
            let mut v = ids.clone();
            v.push(0);
            v
        });
        if let Some(o) = &self.owner {
            let one = match o {
                OwnerFilter::User(id) => *id,
                OwnerFilter::Pool => 0,
            };
            set = Some(match set {
                Some(v) if !v.contains(&one) => Vec::new(),
                _ => vec![one],
            });
        }
        set
    }

    /// When a run's stored sums answer the slice (it is about owners and a service mode
    /// only): the `AND …` conditions on the stored tables. None: it filters by region or
    /// industry, and is computed from the verdicts.
    pub fn stored(&self) -> Option<Cond> {
        if self.province.is_some() || self.industry.is_some() {
            return None;
        }
        let mut cond = Cond {
            sql: owner_cond(&self.owner_set()),
            values: Vec::new(),
        };
        if let Some(v) = &self.service_mode {
            let pat = format!("%,{},%", v.replace(['%', '_', '\\'], ""));
            cond.bind(" AND service_modes LIKE ?", pat.into());
        }
        Some(cond)
    }
}

pub(crate) fn owner_cond(owners: &Option<Vec<i64>>) -> String {
    match owners {
        None => String::new(),
        Some(v) if v.is_empty() => " AND 1 = 0".into(),
        Some(v) => format!(
            " AND owner_id IN ({})",
            v.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// [`groups`] from the run's stored sums, under [`Slice::stored`]'s conditions.
pub async fn stored_groups<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    cond: &Cond,
) -> Result<Vec<GroupRow>> {
    Ok(GroupRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT value_class, grade, lifecycle, NULLIF(rfm_segment, '') AS rfm_segment, at_risk, \
             CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(profit_fen) AS BIGINT) AS profit_fen \
             FROM classification_groups WHERE run_id = ?{cond} \
             GROUP BY value_class, grade, lifecycle, rfm_segment, at_risk"
        ),
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?)
}

/// [`pareto`] from the run's stored buckets (global rank percentiles), under
/// [`Slice::stored`]'s conditions.
pub async fn stored_pareto<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    cond: &Cond,
) -> Result<Vec<(i64, i64, i64)>> {
    #[derive(FromQueryResult)]
    struct Row {
        b: i64,
        n: i64,
        p: i64,
    }
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT CAST(bucket AS BIGINT) AS b, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(profit_fen) AS BIGINT) AS p \
             FROM classification_pareto WHERE run_id = ?{cond} GROUP BY bucket ORDER BY bucket"
        ),
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| (r.b, r.n, r.p))
    .collect())
}

/// Customers and profit per combination of verdicts in a run.
#[derive(Debug, Clone, FromQueryResult)]
pub struct GroupRow {
    pub value_class: String,
    pub grade: String,
    pub lifecycle: String,
    pub rfm_segment: Option<String>,
    pub at_risk: bool,
    pub n: i64,
    pub profit_fen: i64,
}

pub async fn groups<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
) -> Result<Vec<GroupRow>> {
    let (from, cond) = from_slice(slice);
    Ok(GroupRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT k.value_class, k.grade, k.lifecycle, k.rfm_segment, k.at_risk, COUNT(*) AS n, \
             CAST(COALESCE(SUM(k.profit_fen), 0) AS BIGINT) AS profit_fen FROM {from} WHERE k.run_id = ?{cond} \
             GROUP BY k.value_class, k.grade, k.lifecycle, k.rfm_segment, k.at_risk"
        ),
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?)
}

/// The verdicts of a slice: `FROM` and the `AND …` conditions after `k.run_id = ?`. A
/// slice by region, industry or owner starts from the customers' index on it and looks
/// up each one's verdict by key (measured at 100,000 customers, 广东's 10,992: 14 ms a
/// query instead of 30 ms over every verdict); one by service mode alone has no index
/// to start from, and reads the run's verdicts in order.
pub(crate) fn from_slice(slice: &Slice) -> (&'static str, Cond) {
    let cond = slice.sql();
    if cond.is_empty() {
        ("classifications k", cond)
    } else if slice.province.is_some() || slice.industry.is_some() || slice.owner.is_some() {
        (
            "customers c CROSS JOIN classifications k",
            Cond {
                sql: format!(" AND k.customer_id = c.id{cond}"),
                values: cond.values,
            },
        )
    } else {
        (
            "classifications k JOIN customers c ON c.id = k.customer_id",
            cond,
        )
    }
}

/// The Pareto curve of profit: customers with positive profit in rank order, cut into
/// `buckets` equal groups; per group its customers and profit.
pub async fn pareto<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
    buckets: i64,
) -> Result<Vec<(i64, i64, i64)>> {
    #[derive(FromQueryResult)]
    struct Row {
        b: i64,
        n: i64,
        p: i64,
    }
    let (from, cond) = from_slice(slice);
    let sql = format!(
        "SELECT (r.rn - 1) * {buckets} / r.total AS b, COUNT(*) AS n, CAST(SUM(r.profit_fen) AS BIGINT) AS p FROM \
         (SELECT k.profit_fen, ROW_NUMBER() OVER (ORDER BY k.value_rank) AS rn, COUNT(*) OVER () AS total \
          FROM {from} WHERE k.run_id = ? AND k.value_rank IS NOT NULL{cond}) r \
         GROUP BY (r.rn - 1) * {buckets} / r.total ORDER BY 1"
    );
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &sql,
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| (r.b, r.n, r.p))
    .collect())
}

/// Shipments, revenue and profit per month over [from, before) (`YYYYMM`): the run's
/// stored totals under `stored` ([`Slice::stored`], when the run has them), or summed
/// over the slice's customers.
pub async fn months<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
    stored: Option<&Cond>,
    from: i32,
    before: i32,
) -> Result<Vec<(i32, i64, i64, i64)>> {
    #[derive(FromQueryResult)]
    struct Row {
        month: i32,
        shipments: i64,
        revenue_fen: i64,
        profit_fen: i64,
    }
    let whole = slice.sql();
    let (sql, values): (String, Vec<Value>) = match stored {
        Some(cond) => (
            format!(
                "SELECT month, CAST(SUM(shipments) AS BIGINT) AS shipments, \
                 CAST(SUM(revenue_fen) AS BIGINT) AS revenue_fen, \
                 CAST(SUM(profit_fen) AS BIGINT) AS profit_fen FROM classification_months \
                 WHERE run_id = ? AND month >= ? AND month < ?{cond} GROUP BY month ORDER BY month"
            ),
            cond.after(vec![run_id.into(), from.into(), before.into()]),
        ),
        None => (
            format!(
                "SELECT m.month, CAST(SUM(m.shipments) AS BIGINT) AS shipments, \
                 CAST(SUM(m.revenue_fen) AS BIGINT) AS revenue_fen, \
                 CAST(SUM(m.profit_fen) AS BIGINT) AS profit_fen FROM customers c JOIN customer_months m \
                 ON m.customer_id = c.id AND m.month >= ? AND m.month < ? WHERE 1 = 1{} \
                 GROUP BY m.month ORDER BY m.month",
                whole
            ),
            whole.after(vec![from.into(), before.into()]),
        ),
    };
    Ok(
        Row::find_by_statement(stmt(conn.get_database_backend(), &sql, values))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| (r.month, r.shipments, r.revenue_fen, r.profit_fen))
            .collect(),
    )
}

/// A customer in a dashboard list.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize, utoipa::ToSchema)]
pub struct ListedCustomer {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub owner_name: Option<String>,
    pub value_class: String,
    pub value_rank: Option<i64>,
    pub profit_fen: i64,
    pub grade_revenue_fen: i64,
    pub churn_shipments: i64,
    pub churn_prev_shipments: i64,
}

pub(crate) const LISTED: &str =
    "k.customer_id, c.code, c.name, u.display_name AS owner_name, k.value_class, \
    k.value_rank, k.profit_fen, k.grade_revenue_fen, k.churn_shipments, k.churn_prev_shipments";

/// The best customers by value rank.
pub async fn top<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
    limit: u64,
) -> Result<Vec<ListedCustomer>> {
    let (from, cond) = from_listed(slice);
    Ok(ListedCustomer::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT {LISTED} FROM {from} \
             LEFT JOIN users u ON u.id = c.owner_id \
             WHERE k.run_id = ? AND k.value_rank IS NOT NULL{cond} ORDER BY k.value_rank LIMIT {limit}"
        ),
        cond.after(vec![run_id.into()]),
    ))
    .all(conn)
    .await?)
}

/// As [`from_slice`], always with the customers (the lists show their names).
pub(crate) fn from_listed(slice: &Slice) -> (&'static str, Cond) {
    match from_slice(slice) {
        ("classifications k", cond) => (
            "classifications k JOIN customers c ON c.id = k.customer_id",
            cond,
        ),
        other => other,
    }
}

/// Customers flagged at risk, the largest fall in shipments first.
pub async fn at_risk<C: ConnectionTrait>(
    conn: &C,
    run_id: i64,
    slice: &Slice,
    limit: u64,
) -> Result<Vec<ListedCustomer>> {
    let (from, cond) = from_listed(slice);
    Ok(ListedCustomer::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT {LISTED} FROM {from} \
             LEFT JOIN users u ON u.id = c.owner_id \
             WHERE k.run_id = ? AND k.at_risk = ?{cond} \
             ORDER BY k.churn_prev_shipments - k.churn_shipments DESC, c.code LIMIT {limit}"
        ),
        cond.after(vec![run_id.into(), true.into()]),
    ))
    .all(conn)
    .await?)
}

#[cfg(test)]
mod slice_tests {
    use super::*;

    /// What a user chose is bound, never part of the SQL text (issue 16).
    #[test]
    fn a_slice_binds_what_the_user_chose() {
        let slice = Slice {
            province: Some("广东' OR '1'='1".into()),
            industry: Some("医药".into()),
            service_mode: Some("cold_chain".into()),
            owner: None,
            visible_owners: Some(vec![3, 7]),
        };
        let c = slice.sql();
        assert!(
            !c.sql.contains("广东") && !c.sql.contains("医药") && !c.sql.contains("cold_chain"),
            "{}",
            c.sql
        );
        assert_eq!(c.sql.matches('?').count(), c.values.len());
        assert_eq!(c.values.len(), 3);
        let stored = Slice {
            province: None,
            industry: None,
            ..slice
        }
        .stored()
        .expect("stored");
        assert!(!stored.sql.contains("cold_chain"), "{}", stored.sql);
        assert_eq!(stored.values.len(), 1);
    }
}
