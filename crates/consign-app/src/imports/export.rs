//! The file of bad rows and the column headers an export writes.

#[allow(unused_imports)]
use super::*;
use consign_domain::customer::CustomerId;

/// Calls `row` with every shipment (of one customer, all, or those a list's filter
/// matches) in id order as the cells of
/// an import file: money in yuan, weight in kg, volume in m³, times in the company's time
/// zone, status, service mode and exception flags in Chinese. Each cell is its text and,
/// for numbers, the scaled integer and its decimals. Pages of 10,000.
pub(crate) async fn shipment_rows(
    app: &App,
    customer: Option<i64>,
    filter: Option<&ship_repo::ShipmentFilter>,
    vis: &consign_store::customers::Visibility,
    mut row: impl FnMut(Vec<(String, Option<(i64, u32)>)>) -> Result<()>,
) -> Result<u64> {
    let tz = app.tz();
    let local = |t: &Option<chrono::DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default()
    };
    let num = |v: i64, d: u32| (consign_domain::ops::format_scaled(v, d), Some((v, d)));
    let text = |s: String| (s, None);
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut after = 0;
    let mut n = 0u64;
    loop {
        // The list's filter (every matching row, in id order), or all / one customer's.
        let page = match filter {
            Some(f) => {
                let rows = ship_repo::matching_after(&app.db.conn, vis, f, after, 10_000).await?;
                for (st, name) in &rows {
                    names.entry(st.customer_id).or_insert_with(|| name.clone());
                }
                rows.into_iter().map(|(st, _)| st).collect()
            }
            None => ship_repo::page_after(&app.db.conn, customer, vis, after, 10_000).await?,
        };
        if page.is_empty() {
            break;
        }
        let missing: Vec<i64> = page
            .iter()
            .map(|s| s.customer_id)
            .filter(|id| !names.contains_key(id))
            .collect();
        for id in missing {
            if let Some(c) =
                consign_store::customers::find(&app.db.conn, CustomerId::trusted(id)).await?
            {
                names.insert(id, c.name);
            }
        }
        for st in &page {
            after = st.id;
            n += 1;
            let s = &st.shipment;
            let flag = |e: Exception| if s.exceptions.has(e) { "是" } else { "否" }.to_string();
            let held = [
                text(if st.on_hold { "是" } else { "否" }.to_string()),
                text(if st.hold_reason.is_empty() {
                    String::new()
                } else {
                    Lang::Zh
                        .t(&format!("credit.hold_reason.{}", st.hold_reason))
                        .to_string()
                }),
            ];
            let cells = SHIPMENT_FIELDS
                .iter()
                .filter(|f| !READ_ONLY_FIELDS.contains(&f.name))
                .map(|f| match f.name {
                    "waybill_no" => text(s.waybill_no.to_string()),
                    "customer_code" => text(s.customer_code.clone()),
                    "customer_name" => {
                        text(names.get(&st.customer_id).cloned().unwrap_or_default())
                    }
                    // The carrier's product name when the shipment has one: it reads
                    // back to the same mode and product.
                    "service_mode" if !s.product.is_empty() => text(s.product.clone()),
                    "service_mode" => text(
                        s.service_mode
                            .map(|m| Lang::Zh.t(m.label_key()).to_string())
                            .unwrap_or_default(),
                    ),
                    "origin_city" => text(s.origin_city.clone()),
                    "destination_city" => text(s.destination_city.clone()),
                    "goods_type" => text(s.goods_type.clone()),
                    "pieces" => num(s.pieces, 0),
                    "weight_kg" => num(s.weight_g, 3),
                    "volume_m3" => num(s.volume_cm3, 6),
                    "revenue" => num(s.revenue_fen.get(), 2),
                    "cost" => match s.cost_fen {
                        Some(c) => num(c.get(), 2),
                        None => text(String::new()),
                    },
                    "ordered_at" => text(local(&Some(s.ordered_at))),
                    "promised_at" => text(local(&s.promised_at)),
                    "shipped_at" => text(local(&s.shipped_at)),
                    "delivered_at" => text(local(&s.delivered_at)),
                    "status" => text(Lang::Zh.t(s.status.label_key()).to_string()),
                    "note" => text(s.note.clone()),
                    "shipper_phone" => text(s.shipper_phone_last4.clone()),
                    "consignee_phone" => text(s.consignee_phone_last4.clone()),
                    other => text(match Exception::parse(other) {
                        Some(e) => flag(e),
                        None => String::new(),
                    }),
                })
                .chain(held)
                .collect();
            row(cells)?;
        }
    }
    Ok(n)
}
