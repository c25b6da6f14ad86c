//! Shipments and their rollups in a bulk writer's transaction (an import): new rows
//! through [`BulkTxn::insert_new`], rollup changes summed over a segment through
//! [`BulkTxn::add_to_rollup`], stored rows looked up through [`BulkTxn::select_any`]. How
//! each backend takes them is the dialect's ([`crate::dialect::bulk`]).

#[allow(unused_imports)]
use super::*;
use crate::dialect::bulk::RowOut;

/// A shipment's bound values for a bulk insert, in the order of [`COLUMNS`].
fn encode<'q>(w: &'q ShipmentWrite, out: &mut RowOut<'q, '_>) {
    let s = &w.shipment;
    out.text(&s.waybill_no);
    out.int8(w.customer_id);
    out.opt_text(s.service_mode.map(|m| m.as_str()));
    out.text(&s.origin_city);
    out.text(&s.destination_city);
    out.text(&s.goods_type);
    out.int8(s.pieces);
    out.int8(s.weight_g);
    out.int8(s.volume_cm3);
    out.int8(s.revenue_fen.get());
    out.opt_int8(s.cost_fen.map(Fen::get));
    out.time(s.ordered_at);
    out.int4(w.order_day);
    out.opt_time(s.promised_at);
    out.opt_time(s.shipped_at);
    out.opt_time(s.delivered_at);
    out.text(s.status.as_str());
    out.int4(s.exceptions.0);
    out.text(&s.note);
    out.text(&s.product);
    out.text(&s.shipper_phone_last4);
    out.text(&s.consignee_phone_last4);
    out.boolean(w.held_at.is_some());
    out.text(if w.held_at.is_some() {
        HOLD_OVER_LIMIT
    } else {
        ""
    });
    out.opt_stamp(w.held_at);
}

/// Writes shipments in a bulk writer's transaction without touching the rollups: the
/// writer sums what [`add_deltas`] collects over several batches and applies it with
/// [`apply_rollup_deltas_bulk`] before it commits. Rows that replace stored ones go in as
/// upserts.
pub async fn write_rows_bulk(
    txn: &BulkTxn,
    rows: &[ShipmentWrite],
    old: &HashMap<String, StoredShipment>,
    import_run_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (fresh, replacing): (Vec<&ShipmentWrite>, Vec<&ShipmentWrite>) = rows
        .iter()
        .partition(|w| !old.contains_key(w.shipment.waybill_no.as_str()));
    for chunk in pieces(&replacing) {
        insert_rows(txn, chunk, true, import_run_id, now).await?;
    }
    txn.insert_new(
        "shipments",
        COLUMNS,
        N_COLUMNS,
        &constants(import_run_id, now),
        &fresh,
        encode,
    )
    .await
}

/// [`apply_rollup_deltas`] in a bulk writer's transaction: multi-row upserts with values
/// bound directly (SQLite), or `COPY` into a temporary table and one upsert from it
/// (PostgreSQL).
pub async fn apply_rollup_deltas_bulk(
    txn: &BulkTxn,
    days: &HashMap<(i64, i32), DayFigures>,
) -> Result<()> {
    let t0 = std::time::Instant::now();
    let mut months: HashMap<(i64, i32), DayFigures> = HashMap::new();
    for ((c, d), f) in days {
        months.entry((*c, month_of(*d))).or_default().add(f, 1);
    }
    let mut emptied: Vec<(&str, &str, i64, i32)> = Vec::new();
    {
        let (company_days, company_months) = (
            super::rollups::company(days),
            super::rollups::company(&months),
        );
        for (table, key, deltas) in [
            ("customer_days", "day", days),
            ("customer_months", "month", &months),
            ("company_days", "day", &company_days),
            ("company_months", "month", &company_months),
        ] {
            let rows = sorted_changes(deltas);
            emptied.extend(
                rows.iter()
                    .filter(|(_, f)| f.shipments < 0)
                    .map(|((c, k), _)| (table, key, *c, *k)),
            );
            txn.add_to_rollup(table, key, &rows).await?;
        }
    }
    crate::credit::apply_day_deltas(txn, days).await?;
    let backend = txn.get_database_backend();
    for (table, key, c, k) in emptied {
        txn.execute(stmt(
            backend,
            &format!("DELETE FROM {table} WHERE customer_id = ? AND {key} = ? AND shipments = 0"),
            vec![c.into(), k.into()],
        ))
        .await?;
    }
    tracing::debug!(rollup_ms = t0.elapsed().as_millis() as u64, "rollups");
    Ok(())
}

/// [`existing`] in a bulk writer's transaction: on PostgreSQL one statement for all the
/// numbers instead of one per 500.
pub async fn existing_bulk(
    txn: &BulkTxn,
    waybills: &[&str],
) -> Result<HashMap<String, StoredShipment>> {
    if waybills.is_empty() {
        return existing(txn, waybills).await;
    }
    let Some(rows) = txn.select_any(SELECT, "s.waybill_no", waybills).await? else {
        return existing(txn, waybills).await;
    };
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        let s = parse_row(&r)?;
        out.insert(s.shipment.waybill_no.to_string(), s);
    }
    Ok(out)
}
