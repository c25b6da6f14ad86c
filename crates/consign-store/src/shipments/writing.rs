//! Writing shipments: one batch in a transaction, and the bulk path (multi-row statements or COPY) with the rollup deltas it sums.

#[allow(unused_imports)]
use super::*;

/// Writes shipments (insert, or replace the one with the same waybill number) and changes
/// the rollups by what changed. `old` holds the stored rows these replace, as returned
/// by [`existing`]. Call inside a transaction.
pub async fn write_batch<C: ConnectionTrait>(
    conn: &C,
    rows: &[ShipmentWrite],
    old: &HashMap<String, StoredShipment>,
    import_run_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut deltas = HashMap::new();
    add_deltas(&mut deltas, rows, old);
    // New rows go in with a plain INSERT (cheaper than an upsert); rows that replace a
    // stored shipment with an upsert on the waybill number.
    let (fresh, replacing): (Vec<&ShipmentWrite>, Vec<&ShipmentWrite>) = rows
        .iter()
        .partition(|w| !old.contains_key(w.shipment.waybill_no.as_str()));
    for (part, upsert) in [(fresh, false), (replacing, true)] {
        for chunk in pieces(&part) {
            insert_rows(conn, chunk, upsert, import_run_id, now).await?;
        }
    }
    apply_rollup_deltas(conn, deltas).await
}

/// Adds to `deltas` what writing `rows` over the stored `old` ones changes in the
/// rollups (new minus old, per customer and day).
pub fn add_deltas(
    deltas: &mut HashMap<(i64, i32), DayFigures>,
    rows: &[ShipmentWrite],
    old: &HashMap<String, StoredShipment>,
) {
    for w in rows {
        if let Some(o) = old.get(w.shipment.waybill_no.as_str()) {
            deltas
                .entry((o.customer_id, o.order_day))
                .or_default()
                .add(&DayFigures::of(&o.shipment), -1);
        }
        deltas
            .entry((w.customer_id, w.order_day))
            .or_default()
            .add(&DayFigures::of(&w.shipment), 1);
    }
}

/// The changes that change something, in key order (the keys alone are sorted: a bulk
/// import holds a few hundred thousand changes, and no second copy of the figures). A
/// fixed order keeps concurrent writers from deadlocking on PostgreSQL and walks
/// SQLite's B-tree in order.
pub(crate) fn sorted_changes(
    deltas: &HashMap<(i64, i32), DayFigures>,
) -> Vec<((i64, i32), &DayFigures)> {
    let mut rows: Vec<((i64, i32), &DayFigures)> = deltas
        .iter()
        .filter(|(_, f)| !f.is_zero())
        .map(|(k, f)| (*k, f))
        .collect();
    rows.sort_unstable_by_key(|(k, _)| *k);
    rows
}

pub(crate) async fn insert_rows<C: ConnectionTrait>(
    conn: &C,
    chunk: &[&ShipmentWrite],
    upsert: bool,
    import_run_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let backend = conn.get_database_backend();
    {
        let mut sql = insert_sql(
            backend,
            "shipments",
            COLUMNS,
            N_COLUMNS,
            &constants(import_run_id, now),
            chunk.len(),
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * N_COLUMNS);
        for w in chunk {
            let s = &w.shipment;
            values.extend([
                Value::from(s.waybill_no.as_str()),
                w.customer_id.into(),
                Value::String(s.service_mode.map(|m| Box::new(m.as_str().to_string()))),
                s.origin_city.as_str().into(),
                s.destination_city.as_str().into(),
                s.goods_type.as_str().into(),
                s.pieces.into(),
                s.weight_g.into(),
                s.volume_cm3.into(),
                s.revenue_fen.get().into(),
                s.cost_fen.map(Fen::get).into(),
                shipment_ts(backend, Some(s.ordered_at)),
                w.order_day.into(),
                shipment_ts(backend, s.promised_at),
                shipment_ts(backend, s.shipped_at),
                shipment_ts(backend, s.delivered_at),
                s.status.as_str().into(),
                s.exceptions.0.into(),
                s.note.as_str().into(),
                s.product.as_str().into(),
                s.shipper_phone_last4.as_str().into(),
                s.consignee_phone_last4.as_str().into(),
                w.held_at.is_some().into(),
                if w.held_at.is_some() {
                    HOLD_OVER_LIMIT
                } else {
                    ""
                }
                .into(),
                Value::ChronoDateTimeUtc(w.held_at.map(Box::new)),
            ]);
        }
        if upsert {
            sql.push_str(
                " ON CONFLICT (waybill_no) DO UPDATE SET customer_id = excluded.customer_id, \
             service_mode = excluded.service_mode, origin_city = excluded.origin_city, \
             destination_city = excluded.destination_city, goods_type = excluded.goods_type, \
             pieces = excluded.pieces, weight_g = excluded.weight_g, \
             volume_cm3 = excluded.volume_cm3, revenue_fen = excluded.revenue_fen, \
             cost_fen = excluded.cost_fen, ordered_at = excluded.ordered_at, \
             order_day = excluded.order_day, promised_at = excluded.promised_at, \
             shipped_at = excluded.shipped_at, delivered_at = excluded.delivered_at, \
             status = excluded.status, exceptions = excluded.exceptions, note = excluded.note, \
             product = excluded.product, \
             shipper_phone_last4 = excluded.shipper_phone_last4, \
             consignee_phone_last4 = excluded.consignee_phone_last4, import_run_id = excluded.import_run_id, updated_at = excluded.updated_at, \
             on_hold = CASE WHEN excluded.on_hold THEN TRUE ELSE shipments.on_hold END, \
             hold_reason = CASE WHEN excluded.on_hold THEN excluded.hold_reason ELSE shipments.hold_reason END, \
             held_at = CASE WHEN excluded.on_hold THEN excluded.held_at ELSE shipments.held_at END",
            );
        }
        conn.execute(stmt(backend, &sql, values)).await?;
    }
    Ok(())
}
