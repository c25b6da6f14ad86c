//! Demo operations data: 24 months of shipments for the demo customers, written through
//! the same rollup-keeping store path as imports. Volumes are Pareto-distributed across
//! customers, with seasonality (the 双11 peak in November, the Spring Festival dip), delays
//! and exceptions at rates typical of each service mode, some customers declining and
//! the lost ones stopping, and tracking events for the last two weeks.

use crate::demo::{Rng, CITIES};
use crate::{App, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use consign_domain::customer::{split_modes, ServiceMode};
use consign_domain::ops::{Fen, WaybillNo};
use consign_domain::shipment::{local_day, Exception, Exceptions, Shipment, ShipmentStatus};
use consign_store::shipments::{self as repo, ShipmentWrite, TrackingEvent};
use std::collections::HashMap;

/// Shipments at scale 1.
pub const DEMO_SHIPMENTS: usize = 500_000;
const BATCH: usize = 25_000;

struct Shipper {
    id: i64,
    code: String,
    modes: Vec<ServiceMode>,
    city: usize,
    /// Share of all shipments (before trends): Pareto by rank, scaled by kind.
    weight: f64,
    /// Lost customers stop on this day; declining ones fade over the last nine months.
    stops: Option<NaiveDate>,
    declining: bool,
}

/// Seasonal factor of a day: 双11 (1–15 November) and the run-up to 618, the Spring
/// Festival weeks (late January to mid February), weekends.
fn season(d: NaiveDate) -> f64 {
    let (m, day) = (d.month(), d.day());
    let mut f = match (m, day) {
        (11, 1..=15) => 1.9,
        (11, _) | (12, _) => 1.25,
        (6, 1..=18) => 1.3,
        (1, 20..=31) | (2, 1..=15) => 0.45,
        (2, _) => 0.8,
        _ => 1.0,
    };
    if d.weekday().number_from_monday() >= 6 {
        f *= 0.7;
    }
    f
}

/// Promised hours, typical actual hours, delay rate, base price per kg in fen.
fn mode_profile(m: ServiceMode) -> (i64, i64, f64, i64) {
    match m {
        ServiceMode::Express => (48, 30, 0.05, 1_200),
        ServiceMode::Ltl => (96, 70, 0.08, 180),
        ServiceMode::Ftl => (72, 50, 0.06, 90),
        ServiceMode::Warehousing => (24, 16, 0.03, 300),
        ServiceMode::ColdChain => (48, 34, 0.04, 900),
        ServiceMode::International => (240, 180, 0.12, 2_500),
        ServiceMode::Other => (72, 50, 0.06, 300),
    }
}

/// Writes about `total` shipments over the 24 months before `today` for the customers in
/// the database (prospects have none). Returns how many were written.
pub async fn seed_shipments(app: &App, total: usize, seed: u64, today: NaiveDate) -> Result<u64> {
    let tz = app.tz();
    let mut r = Rng::new(seed);
    let start = today - Duration::days(730);
    let rows = consign_store::customers::ops_targets(&app.db.conn).await?;
    let mut shippers: Vec<Shipper> = Vec::new();
    for (id, code, kind, status, modes, city) in rows {
        if status == "prospect" {
            continue;
        }
        let mut modes = split_modes(&modes);
        if modes.is_empty() {
            modes.push(ServiceMode::Express);
        }
        let stops = (status == "lost").then(|| today - Duration::days(90 + r.below(150) as i64));
        // Companies ship far more than people; public bodies in between.
        let scale = match kind.as_str() {
            "individual" => 0.01,
            "government" => 0.3,
            _ => 1.0,
        };
        shippers.push(Shipper {
            id,
            code,
            modes,
            city: CITIES.iter().position(|c| c.1 == city).unwrap_or(0),
            weight: scale,
            stops,
            declining: status == "suspended" || r.chance(0.12),
        });
    }
    if shippers.is_empty() || total == 0 {
        return Ok(0);
    }
    // Pareto: the customer at rank k weighs 1/(k+1)^1.2 (in a shuffled order).
    let n = shippers.len();
    for i in (1..n).rev() {
        let j = r.below(i + 1);
        shippers.swap(i, j);
    }
    for (k, s) in shippers.iter_mut().enumerate() {
        s.weight *= 1.0 / ((k + 1) as f64).powf(1.2);
    }
    let mut cumulative = Vec::with_capacity(n);
    let mut acc = 0.0;
    for s in &shippers {
        acc += s.weight;
        cumulative.push(acc);
    }
    let days: Vec<NaiveDate> = (0..730).map(|i| start + Duration::days(i)).collect();
    let day_sum: f64 = days.iter().map(|d| season(*d)).sum();
    let bulk = app.db.bulk().await?;
    let now = Utc::now();
    let mut written = 0u64;
    let mut seq = 0u64;
    let mut batch: Vec<ShipmentWrite> = Vec::with_capacity(BATCH);
    let mut recent: HashMap<String, Vec<TrackingEvent>> = HashMap::new();
    for d in &days {
        let count = ((total as f64) * season(*d) / day_sum).round() as usize;
        for _ in 0..count {
            let x = (r.next_u64() % 1_000_000_000) as f64 / 1_000_000_000.0 * acc;
            let k = cumulative.partition_point(|c| *c < x).min(n - 1);
            let s = &shippers[k];
            if s.stops.is_some_and(|stop| *d >= stop) {
                continue;
            }
            if s.declining {
                let months_left = (today - *d).num_days() as f64 / 30.0;
                if months_left < 9.0 && r.chance((9.0 - months_left) / 10.0) {
                    continue;
                }
            }
            seq += 1;
            let mode = *r.pick(&s.modes);
            let (promise_h, typical_h, delay_rate, per_kg) = mode_profile(mode);
            let minute = r.below(14 * 60) as i64 + 7 * 60;
            let Some(local) = d
                .and_hms_opt(0, 0, 0)
                .map(|t| t + Duration::minutes(minute))
            else {
                continue;
            };
            let Some(ordered_at) = tz.from_local_datetime(&local).earliest() else {
                continue;
            };
            let ordered_at = ordered_at.with_timezone(&Utc);
            let weight_g = match mode {
                ServiceMode::Ftl => 2_000_000 + r.below(20_000_000) as i64,
                ServiceMode::Ltl => 50_000 + r.below(2_000_000) as i64,
                _ => 300 + r.below(30_000) as i64,
            };
            let revenue_fen = (weight_g * per_kg / 1000).max(800) + r.below(500) as i64;
            let cost_fen = revenue_fen * (68 + r.below(20) as i64) / 100;
            let promised_at = ordered_at + Duration::hours(promise_h);
            let delayed = r.chance(delay_rate);
            let actual_h = if delayed {
                promise_h + 2 + r.below(48) as i64
            } else {
                (typical_h / 2 + r.below(typical_h as usize) as i64).min(promise_h - 1)
            };
            let delivered = ordered_at + Duration::hours(actual_h);
            let mut x = Exceptions::default();
            x.set(Exception::Damaged, r.chance(0.008));
            x.set(Exception::Short, r.chance(0.004));
            x.set(Exception::RouteChanged, r.chance(0.01));
            x.set(Exception::InvoiceError, r.chance(0.003));
            if mode == ServiceMode::Warehousing {
                x.set(Exception::Stockout, r.chance(0.02));
                x.set(Exception::Substituted, r.chance(0.01));
            }
            let returned = r.chance(0.01);
            let in_transit = delivered > now;
            let (status, delivered_at) = if in_transit {
                (ShipmentStatus::InTransit, None)
            } else if returned {
                (ShipmentStatus::Returned, Some(delivered))
            } else {
                (ShipmentStatus::Delivered, Some(delivered))
            };
            let dest = r.below(CITIES.len());
            let mut shipment = Shipment {
                waybill_no: WaybillNo::trusted(format!("YD{}{seq:09}", d.format("%y%m%d"))),
                customer_code: s.code.clone(),
                service_mode: Some(mode),
                product: product_of(mode).to_string(),
                origin_city: CITIES[s.city].1.to_string(),
                destination_city: CITIES[dest].1.to_string(),
                goods_type: String::new(),
                pieces: 1 + r.below(if mode == ServiceMode::Express { 3 } else { 40 }) as i64,
                weight_g,
                volume_cm3: weight_g * 4,
                revenue_fen: Fen(revenue_fen),
                cost_fen: Some(Fen(cost_fen)),
                ordered_at,
                promised_at: Some(promised_at),
                shipped_at: Some(ordered_at + Duration::hours(2 + r.below(6) as i64)),
                delivered_at,
                status,
                exceptions: x,
                note: if x.has(Exception::Damaged) {
                    "外包装破损".into()
                } else {
                    String::new()
                },
                // Phone digits from the sequence (not the generator: the demo's figures
                // stay what they were).
                shipper_phone_last4: format!("{:04}", (seq * 7_919 + 1_234) % 10_000),
                consignee_phone_last4: format!("{:04}", (seq * 4_637 + 5_678) % 10_000),
            };
            if shipment.normalize().is_err() {
                continue;
            }
            if (today - *d).num_days() <= 14 {
                recent.insert(shipment.waybill_no.to_string(), tracking(&shipment, &mut r));
            }
            batch.push(ShipmentWrite {
                customer_id: s.id,
                order_day: local_day(shipment.ordered_at, tz),
                shipment,
                held_at: None,
            });
            if batch.len() >= BATCH {
                written += flush(&bulk, &mut batch, &mut recent, now).await?;
            }
        }
    }
    written += flush(&bulk, &mut batch, &mut recent, now).await?;
    bulk.checkpoint().await?;
    Ok(written)
}

fn tracking(s: &Shipment, r: &mut Rng) -> Vec<TrackingEvent> {
    let mut out = vec![TrackingEvent {
        at: s.ordered_at + Duration::minutes(30 + r.below(90) as i64),
        place: format!("{}营业部", s.origin_city),
        status_text: "已揽收".into(),
    }];
    let shipped: DateTime<Utc> = s.shipped_at.unwrap_or(s.ordered_at);
    out.push(TrackingEvent {
        at: shipped,
        place: format!("{}转运中心", s.origin_city),
        status_text: "已发出，运输中".into(),
    });
    if let Some(d) = s.delivered_at {
        out.push(TrackingEvent {
            at: d - Duration::hours(3),
            place: format!("{}分拨中心", s.destination_city),
            status_text: "派送中".into(),
        });
        out.push(TrackingEvent {
            at: d,
            place: s.destination_city.clone(),
            status_text: if s.status == ShipmentStatus::Returned {
                "收件人拒收，已退回".into()
            } else {
                "已签收".into()
            },
        });
    }
    out
}

async fn flush(
    bulk: &consign_store::Db,
    batch: &mut Vec<ShipmentWrite>,
    recent: &mut HashMap<String, Vec<TrackingEvent>>,
    now: DateTime<Utc>,
) -> Result<u64> {
    if batch.is_empty() {
        return Ok(0);
    }
    let txn = bulk.begin_write().await?;
    repo::write_batch(&txn, batch, &HashMap::new(), None, now).await?;
    if !recent.is_empty() {
        let waybills: Vec<&str> = recent.keys().map(String::as_str).collect();
        let ids = repo::existing(&txn, &waybills).await?;
        let mut events = Vec::new();
        for (w, evs) in recent.drain() {
            if let Some(s) = ids.get(&w) {
                events.extend(evs.into_iter().map(|e| (s.id, e)));
            }
        }
        repo::add_events_many(&txn, &events).await?;
    }
    txn.commit().await?;
    let n = batch.len() as u64;
    batch.clear();
    Ok(n)
}

/// How a monthly-settlement customer pays its statements.
#[derive(Clone, Copy)]
enum Payer {
    /// Before or on the due day.
    Punctual,
    /// 3 to 40 days late.
    Late,
    /// 45 to 120 days late, often in two instalments.
    VeryLate,
    /// Paid until about half a year ago, nothing since.
    Stopped,
}

/// Monthly statements (月结账单) for the companies and public bodies that ship every
/// month, from their monthly rollups (each complete month with at least ¥500 of revenue),
/// issued on the 3rd of the next month and due 30 or 60 days later; payments follow
/// each customer's habit: most pay on time, some late, a few very late in instalments,
/// and a few stopped paying half a year ago. Returns (invoices, payments) written.
pub async fn seed_billing(app: &App, seed: u64, today: NaiveDate) -> Result<(u64, u64)> {
    use consign_domain::billing::{Invoice, Payment, PaymentMethod};
    use consign_store::billing::{self as bills, PaymentWrite};
    let tz = app.tz();
    let mut r = Rng::new(seed ^ 0xB111);
    let targets = consign_store::customers::ops_targets(&app.db.conn).await?;
    let kinds: HashMap<i64, (String, String)> = targets
        .into_iter()
        .filter(|t| t.2 != "individual")
        .map(|(id, code, kind, ..)| (id, (code, kind)))
        .collect();
    let months = repo::rollup(&app.db.conn, true).await?;
    let this_month = today.year() * 100 + today.month() as i32;
    let at = |d: NaiveDate, h: u32| -> DateTime<Utc> {
        tz.from_local_datetime(&d.and_hms_opt(h, 0, 0).unwrap_or_default())
            .earliest()
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
    };
    let mut habits: HashMap<i64, (Payer, i64)> = HashMap::new();
    let mut invoices: Vec<(i64, Invoice)> = Vec::new();
    let mut payments: Vec<(i64, String, Payment)> = Vec::new();
    for ((cid, month), f) in &months {
        let Some((code, kind)) = kinds.get(cid) else {
            continue;
        };
        if *month >= this_month || f.revenue_fen < 50_000 {
            continue;
        }
        let &mut (habit, days) = habits.entry(*cid).or_insert_with(|| {
            let h = match r.below(100) {
                0..=69 => Payer::Punctual,
                70..=89 => Payer::Late,
                90..=96 => Payer::VeryLate,
                _ => Payer::Stopped,
            };
            (
                h,
                if kind == "government" || r.chance(0.3) {
                    60
                } else {
                    30
                },
            )
        });
        let (y, m) = (month / 100, (month % 100) as u32);
        let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let Some(issued) = NaiveDate::from_ymd_opt(next.0, next.1, 3) else {
            continue;
        };
        if issued > today {
            continue;
        }
        let due = issued + Duration::days(days);
        let invoice_no = format!("ZD{month}-{code}");
        invoices.push((
            *cid,
            Invoice {
                invoice_no: invoice_no.clone(),
                customer_code: code.clone(),
                amount_fen: Fen(f.revenue_fen),
                issued_at: at(issued, 10),
                due_at: at(due, 23),
                period: format!("{y:04}-{m:02}"),
                note: String::new(),
                credit_note: false,
            },
        ));
        let method = match r.below(10) {
            0 => PaymentMethod::Acceptance,
            1 => PaymentMethod::Wechat,
            _ => PaymentMethod::BankTransfer,
        };
        let mut pay = |no: String, amount: i64, day: NaiveDate| {
            if day <= today && amount > 0 {
                payments.push((
                    *cid,
                    invoice_no.clone(),
                    Payment {
                        payment_no: no,
                        customer_code: code.clone(),
                        invoice_no: Some(invoice_no.clone()),
                        amount_fen: Fen(amount),
                        paid_at: at(day, 15),
                        method: Some(method),
                        note: String::new(),
                    },
                ));
            }
        };
        let base = format!("SK{month}-{code}");
        match habit {
            Payer::Punctual => pay(
                base,
                f.revenue_fen,
                due - Duration::days(r.below(12) as i64),
            ),
            Payer::Late => pay(
                base,
                f.revenue_fen,
                due + Duration::days(3 + r.below(38) as i64),
            ),
            Payer::VeryLate => {
                let first = f.revenue_fen / 2;
                pay(
                    format!("{base}-1"),
                    first,
                    due + Duration::days(45 + r.below(30) as i64),
                );
                pay(
                    format!("{base}-2"),
                    f.revenue_fen - first,
                    due + Duration::days(80 + r.below(40) as i64),
                );
            }
            Payer::Stopped => {
                if issued < today - Duration::days(180) {
                    pay(
                        base,
                        f.revenue_fen,
                        due + Duration::days(r.below(20) as i64),
                    );
                }
            }
        }
    }
    let now = Utc::now();
    let bulk = app.db.bulk().await?;
    for chunk in invoices.chunks(BATCH) {
        let txn = bulk.begin_write().await?;
        bills::upsert_invoices(&txn, chunk, now, app.tz()).await?;
        txn.commit().await?;
    }
    for chunk in payments.chunks(BATCH) {
        let txn = bulk.begin_write().await?;
        let nos: Vec<&str> = chunk.iter().map(|(_, no, _)| no.as_str()).collect();
        let ids = crate::billing::invoice_ids(&txn, &nos).await?;
        let writes: Vec<PaymentWrite> = chunk
            .iter()
            .map(|(cid, no, p)| PaymentWrite {
                customer_id: *cid,
                invoice_id: ids.get(no).map(|(id, _)| *id),
                payment: p.clone(),
            })
            .collect();
        bills::upsert_payments(&txn, &writes, now, app.tz()).await?;
        txn.commit().await?;
    }
    if bulk.sqlite_path.is_some() {
        bulk.checkpoint().await?;
        let _ = bulk.conn.close().await;
    }
    Ok((invoices.len() as u64, payments.len() as u64))
}

/// The demo carrier's product names, one per service mode.
fn product_of(mode: ServiceMode) -> &'static str {
    match mode {
        ServiceMode::Express => "标准快递",
        ServiceMode::Ltl => "精准汽运",
        ServiceMode::Ftl => "整车直达",
        ServiceMode::Warehousing => "仓配一体",
        ServiceMode::ColdChain => "冷链专线",
        ServiceMode::International => "国际空运",
        ServiceMode::Other => "",
    }
}
