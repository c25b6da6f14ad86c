//! Shipments (运单) and what the CRM learns from them (SPEC §2, §6): status, exception
//! flags, the words real exports use for them, and the per-day figures that rollups keep.

use crate::customer::{vocabulary, ServiceMode};
use crate::ops::Fen;
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

vocabulary!(
    /// Where a shipment is.
    ShipmentStatus, "shipment_status", {
        Created => "created",
        InTransit => "in_transit",
        Delivered => "delivered",
        Returned => "returned",
        Cancelled => "cancelled",
    }
);

vocabulary!(
    /// Exception flags of a shipment (SPEC §2). `delayed` is derived, never set by hand.
    Exception, "exception", {
        Damaged => "damaged",
        Short => "short",
        Delayed => "delayed",
        Stockout => "stockout",
        Substituted => "substituted",
        RouteChanged => "route_changed",
        Returned => "returned",
        InvoiceError => "invoice_error",
    }
);

impl Exception {
    /// The flag's bit in the stored `exceptions` column.
    pub fn bit(self) -> i32 {
        1 << (self as i32)
    }
}

/// A set of exception flags, stored as one integer (bit n = `Exception::ALL[n]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Exceptions(pub i32);

impl Exceptions {
    pub fn has(self, e: Exception) -> bool {
        self.0 & e.bit() != 0
    }
    pub fn set(&mut self, e: Exception, on: bool) {
        if on {
            self.0 |= e.bit();
        } else {
            self.0 &= !e.bit();
        }
    }
    pub fn list(self) -> Vec<Exception> {
        Exception::ALL
            .iter()
            .copied()
            .filter(|e| self.has(*e))
            .collect()
    }
}

/// A shipment as the CRM keeps it: validated, money in fen, weight in grams, volume in
/// cm³, times in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub waybill_no: crate::ops::WaybillNo,
    pub customer_code: String,
    pub service_mode: Option<ServiceMode>,
    /// The carrier's product name as the source wrote it (精准卡航, 特惠送…), if it named one.
    pub product: String,
    pub origin_city: String,
    pub destination_city: String,
    pub goods_type: String,
    pub pieces: i64,
    pub weight_g: i64,
    pub volume_cm3: i64,
    /// What the customer is charged (运费 plus any surcharges: 应付金额).
    pub revenue_fen: Fen,
    /// Our cost, when known (for profit).
    pub cost_fen: Option<Fen>,
    pub ordered_at: DateTime<Utc>,
    pub promised_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub status: ShipmentStatus,
    /// Flags as recorded; `delayed` is recomputed by [`Shipment::normalize`].
    pub exceptions: Exceptions,
    pub note: String,
    /// The last four digits of the shipper's (寄件人) and the consignee's (收件人) phone,
    /// or "" when unknown: the public tracking check ([`crate::tracking`]). The full
    /// numbers are not kept.
    pub shipper_phone_last4: String,
    pub consignee_phone_last4: String,
}

/// `t` without its fraction of a second.
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

impl Shipment {
    /// Checks the rules a shipment must keep, naming the field and the message key of
    /// each broken one; then derives `delayed` and the status implied by the dates.
    pub fn normalize(&mut self) -> Result<(), Vec<(&'static str, &'static str)>> {
        // Times are kept to the second (as TMS exports record them): both databases then
        // store and return exactly the same values.
        self.ordered_at = whole_seconds(self.ordered_at);
        for t in [
            &mut self.promised_at,
            &mut self.shipped_at,
            &mut self.delivered_at,
        ] {
            *t = t.map(whole_seconds);
        }
        let mut errs = Vec::new();
        for (field, v) in [
            ("pieces", self.pieces),
            ("weight_kg", self.weight_g),
            ("volume_m3", self.volume_cm3),
            ("revenue", self.revenue_fen.get()),
        ] {
            if v < 0 {
                errs.push((field, "err.negative"));
            } else if field == "revenue" && v > crate::ops::MAX_AMOUNT.get() {
                errs.push((field, "err.amount_too_large"));
            }
        }
        if self.cost_fen.is_some_and(|c| c < Fen::ZERO) {
            errs.push(("cost", "err.negative"));
        }
        for (field, v) in [
            ("shipper_phone", &self.shipper_phone_last4),
            ("consignee_phone", &self.consignee_phone_last4),
        ] {
            if !v.is_empty() && !crate::tracking::is_last4(v) {
                errs.push((field, "err.phone_last4"));
            }
        }
        for (field, t) in [
            ("promised_at", self.promised_at),
            ("shipped_at", self.shipped_at),
            ("delivered_at", self.delivered_at),
        ] {
            if t.is_some_and(|t| t < self.ordered_at) {
                errs.push((field, "err.before_ordered"));
            }
        }
        if let (Some(s), Some(d)) = (self.shipped_at, self.delivered_at) {
            if d < s {
                errs.push(("delivered_at", "err.delivered_before_shipped"));
            }
        }
        if self.status == ShipmentStatus::Delivered && self.delivered_at.is_none() {
            errs.push(("delivered_at", "err.delivered_without_time"));
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        let delayed = matches!((self.delivered_at, self.promised_at), (Some(d), Some(p)) if d > p);
        self.exceptions.set(Exception::Delayed, delayed);
        if self.status == ShipmentStatus::Returned {
            self.exceptions.set(Exception::Returned, true);
        }
        Ok(())
    }

    /// Order cycle (delivered_at − ordered_at) in seconds (times are kept to the second),
    /// for delivered shipments.
    pub fn cycle_seconds(&self) -> Option<i64> {
        self.delivered_at
            .map(|d| (d - self.ordered_at).num_seconds())
    }
}

/// A day in the company's time zone as `YYYYMMDD` (rollups and reports key on it).
pub fn local_day(t: DateTime<Utc>, tz: Tz) -> i32 {
    let d = t.with_timezone(&tz).date_naive();
    d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32
}

/// The month of a `YYYYMMDD` day as `YYYYMM`.
pub fn month_of(day: i32) -> i32 {
    day / 100
}

/// Text as matched against words: full-width letters, digits and signs made half-width,
/// lower case, trimmed (`ＥＭＳ特快` → `ems特快`).
pub fn fold(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The common Chinese carriers' product names (SF, JD, Deppon, ZTO, YTO, STO, Yunda, EMS,
/// Kuayue, ANE, Best) and the service mode each is; read before the keywords, which
/// some names would mislead (德邦 精准空运 is domestic express, not international).
pub const CARRIER_PRODUCTS: &[(&str, ServiceMode)] = &[
    // 顺丰
    ("顺丰标快", ServiceMode::Express),
    ("顺丰特快", ServiceMode::Express),
    ("顺丰即日", ServiceMode::Express),
    ("顺丰次晨", ServiceMode::Express),
    ("顺丰空配", ServiceMode::Express),
    ("同城急送", ServiceMode::Express),
    ("重货包裹", ServiceMode::Ltl),
    ("大票零担", ServiceMode::Ltl),
    ("物流普运", ServiceMode::Ltl),
    ("顺丰冷运", ServiceMode::ColdChain),
    // 京东
    ("京东标快", ServiceMode::Express),
    ("京东特快", ServiceMode::Express),
    ("特惠送", ServiceMode::Express),
    ("特快零担", ServiceMode::Ltl),
    ("特惠零担", ServiceMode::Ltl),
    ("京东快运", ServiceMode::Ltl),
    ("京东整车", ServiceMode::Ftl),
    ("生鲜特快", ServiceMode::ColdChain),
    ("京东仓配", ServiceMode::Warehousing),
    // 德邦
    ("精准卡航", ServiceMode::Ltl),
    ("精准汽运", ServiceMode::Ltl),
    ("精准城运", ServiceMode::Ltl),
    ("精准空运", ServiceMode::Express),
    ("重包入户", ServiceMode::Ltl),
    ("大件快递", ServiceMode::Express),
    ("德邦快递", ServiceMode::Express),
    // 中通、圆通、申通、韵达、百世
    ("中通快运", ServiceMode::Ltl),
    ("中通冷链", ServiceMode::ColdChain),
    ("圆准达", ServiceMode::Express),
    ("百世快运", ServiceMode::Ltl),
    // EMS
    ("国际ems", ServiceMode::International),
    ("ems特快", ServiceMode::Express),
    ("经济快递", ServiceMode::Express),
    ("快递包裹", ServiceMode::Express),
    // 跨越
    ("当天达", ServiceMode::Express),
    ("次日达", ServiceMode::Express),
    ("隔日达", ServiceMode::Express),
    ("陆运件", ServiceMode::Ltl),
    // 安能
    ("定时达", ServiceMode::Ltl),
    ("标准零担", ServiceMode::Ltl),
    ("安心达", ServiceMode::Ltl),
];

/// A service mode from the words exports use: a carrier's product name
/// ([`CARRIER_PRODUCTS`]), else a keyword (快递, 快运, 零担, 整车, 卡航, 汽运, 冷链, 空运 …).
pub fn service_mode_from_text(s: &str) -> Option<ServiceMode> {
    let t = fold(s);
    if let Some(m) = ServiceMode::parse(&t) {
        return Some(m);
    }
    // The longest name the cell holds (精准空运 before 空运).
    if let Some((_, m)) = CARRIER_PRODUCTS
        .iter()
        .filter(|(name, _)| t.contains(name))
        .max_by_key(|(name, _)| name.chars().count())
    {
        return Some(*m);
    }
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["冷链", "冷藏", "冷冻", "cold"]) {
        Some(ServiceMode::ColdChain)
    } else if has(&["国际", "跨境", "international", "海运", "空运"]) {
        Some(ServiceMode::International)
    } else if has(&["整车", "ftl", "专车", "包车"]) {
        Some(ServiceMode::Ftl)
    } else if has(&[
        "零担", "ltl", "快运", "卡航", "汽运", "城运", "重货", "大票",
    ]) {
        Some(ServiceMode::Ltl)
    } else if has(&["仓储", "仓配", "入库", "出库", "warehous"]) {
        Some(ServiceMode::Warehousing)
    } else if has(&[
        "快递", "特快", "标快", "特惠", "速递", "express", "即日", "次日", "次晨",
    ]) {
        Some(ServiceMode::Express)
    } else {
        None
    }
}

/// A status from the words exports use (已签收, 运输中, 退回 …), with the exception it
/// implies (退回 → returned).
pub fn status_from_text(s: &str) -> Option<ShipmentStatus> {
    let t = fold(s);
    if let Some(st) = ShipmentStatus::parse(&t) {
        return Some(st);
    }
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["退回", "退件", "回运", "退货", "拒收", "return"]) {
        Some(ShipmentStatus::Returned)
    } else if has(&["取消", "作废", "cancel"]) {
        Some(ShipmentStatus::Cancelled)
    } else if has(&["签收", "妥投", "送达", "delivered"]) {
        Some(ShipmentStatus::Delivered)
    } else if has(&[
        "运输", "在途", "派送", "派件", "配送", "中转", "分拣", "到达", "装车", "已发", "发出",
        "transit",
    ]) {
        Some(ShipmentStatus::InTransit)
    } else if has(&["下单", "揽收", "待揽", "已收件", "created", "待发"]) {
        Some(ShipmentStatus::Created)
    } else {
        None
    }
}

/// Exceptions written in words in a remark column (备注 `外包装破损` → damaged).
pub fn exceptions_from_text(s: &str) -> Exceptions {
    let mut x = Exceptions::default();
    let t = fold(s);
    if t.is_empty() {
        return x;
    }
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    x.set(
        Exception::Damaged,
        has(&["破损", "损坏", "货损", "受潮", "湿损", "变形", "damage"]),
    );
    x.set(
        Exception::Short,
        has(&[
            "短少", "短装", "短卸", "少件", "少货", "丢件", "丢失", "遗失", "short",
        ]),
    );
    x.set(Exception::Stockout, has(&["缺货", "stockout"]));
    x.set(Exception::Substituted, has(&["替代", "替换", "substitut"]));
    x.set(
        Exception::RouteChanged,
        has(&[
            "改道",
            "改址",
            "改派",
            "转寄",
            "路线变",
            "路由变",
            "绕行",
            "route",
        ]),
    );
    x.set(
        Exception::Returned,
        has(&["退回", "回运", "退件", "拒收", "退货", "returned"]),
    );
    x.set(
        Exception::InvoiceError,
        has(&["发票错", "开票错", "发票有误", "invoice error"]),
    );
    x
}

/// What one shipment adds to its customer's day (SPEC §6 KPIs need these sums).
/// Damage and short counts are over delivered shipments, as the KPI rates are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayFigures {
    pub shipments: i64,
    pub revenue_fen: i64,
    /// Sum of known costs.
    pub cost_fen: i64,
    /// Revenue − cost where cost is known, else revenue (SPEC §3).
    pub profit_fen: i64,
    pub delivered: i64,
    pub cycle_seconds: i64,
    pub cycle_seconds_sq: i64,
    pub delayed: i64,
    pub damaged: i64,
    pub short: i64,
    pub stockout: i64,
    pub substituted: i64,
    pub route_changed: i64,
    pub returned: i64,
    pub invoice_error: i64,
}

impl DayFigures {
    pub const COLUMNS: [&'static str; 15] = [
        "shipments",
        "revenue_fen",
        "cost_fen",
        "profit_fen",
        "delivered",
        "cycle_seconds",
        "cycle_seconds_sq",
        "delayed",
        "damaged",
        "short",
        "stockout",
        "substituted",
        "route_changed",
        "returned",
        "invoice_error",
    ];

    pub fn of(s: &Shipment) -> DayFigures {
        let x = s.exceptions;
        let flag = |e| i64::from(x.has(e));
        let cycle = s.cycle_seconds();
        let delivered = i64::from(cycle.is_some());
        let c = cycle.unwrap_or(0);
        DayFigures {
            shipments: 1,
            revenue_fen: s.revenue_fen.get(),
            cost_fen: s.cost_fen.unwrap_or_default().get(),
            profit_fen: (s.revenue_fen - s.cost_fen.unwrap_or_default()).get(),
            delivered,
            cycle_seconds: c,
            cycle_seconds_sq: c * c,
            delayed: flag(Exception::Delayed),
            damaged: delivered * flag(Exception::Damaged),
            short: delivered * flag(Exception::Short),
            stockout: flag(Exception::Stockout),
            substituted: flag(Exception::Substituted),
            route_changed: flag(Exception::RouteChanged),
            returned: flag(Exception::Returned),
            invoice_error: flag(Exception::InvoiceError),
        }
    }

    pub fn values(&self) -> [i64; 15] {
        [
            self.shipments,
            self.revenue_fen,
            self.cost_fen,
            self.profit_fen,
            self.delivered,
            self.cycle_seconds,
            self.cycle_seconds_sq,
            self.delayed,
            self.damaged,
            self.short,
            self.stockout,
            self.substituted,
            self.route_changed,
            self.returned,
            self.invoice_error,
        ]
    }

    pub fn from_values(v: [i64; 15]) -> DayFigures {
        DayFigures {
            shipments: v[0],
            revenue_fen: v[1],
            cost_fen: v[2],
            profit_fen: v[3],
            delivered: v[4],
            cycle_seconds: v[5],
            cycle_seconds_sq: v[6],
            delayed: v[7],
            damaged: v[8],
            short: v[9],
            stockout: v[10],
            substituted: v[11],
            route_changed: v[12],
            returned: v[13],
            invoice_error: v[14],
        }
    }

    /// `self += sign · other`.
    pub fn add(&mut self, other: &DayFigures, sign: i64) {
        let mut v = self.values();
        for (a, b) in v.iter_mut().zip(other.values()) {
            *a += sign * b;
        }
        *self = DayFigures::from_values(v);
    }

    pub fn is_zero(&self) -> bool {
        self.values().iter().all(|v| *v == 0)
    }
}

/// Origin and destination of a route written in one cell, as carriers' exports write it:
/// `南京-西安`, `南京→西安`, `南京至西安`, `南京—西安`, `南京->西安`, `南京~西安`. None when the
/// cell is not two places.
pub fn split_route(cell: &str) -> Option<(&str, &str)> {
    const SEPARATORS: [&str; 10] = ["->", "→", "⇒", "—", "－", "-", "至", "到", "~", "～"];
    let t = cell.trim();
    SEPARATORS.iter().find_map(|sep| {
        let (a, b) = t.split_once(sep)?;
        let (a, b) = (a.trim(), b.trim());
        (!a.is_empty() && !b.is_empty() && !b.contains(sep)).then_some((a, b))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn carrier_products_and_exception_words() {
        use super::*;
        for (name, mode) in [
            ("精准卡航", ServiceMode::Ltl),
            ("精准汽运", ServiceMode::Ltl),
            ("德邦 精准空运", ServiceMode::Express),
            ("顺丰标快", ServiceMode::Express),
            ("京东 特快零担", ServiceMode::Ltl),
            ("ＥＭＳ特快", ServiceMode::Express),
            ("国际EMS", ServiceMode::International),
            ("安能定时达", ServiceMode::Ltl),
            ("中通冷链", ServiceMode::ColdChain),
        ] {
            assert_eq!(service_mode_from_text(name), Some(mode), "{name}");
        }
        let x = exceptions_from_text("少件2件，已改址");
        assert!(x.has(Exception::Short) && x.has(Exception::RouteChanged));
        assert!(exceptions_from_text("客户拒收，ＤＡＭＡＧＥ").has(Exception::Damaged));
        assert!(exceptions_from_text("改派").has(Exception::RouteChanged));
    }

    #[test]
    fn routes_split_on_the_separators_carriers_write() {
        use super::split_route;
        for cell in [
            "南京-西安",
            "南京→西安",
            "南京至西安",
            "南京—西安",
            "南京 -> 西安",
            "南京～西安",
            " 南京－西安 ",
        ] {
            assert_eq!(split_route(cell), Some(("南京", "西安")), "{cell}");
        }
        assert_eq!(split_route("南京"), None);
        assert_eq!(split_route("-西安"), None);
        assert_eq!(
            split_route("上海-南京-西安"),
            None,
            "three places are not a route"
        );
    }

    use super::*;
    use crate::ops::parse_local_datetime;
    use chrono_tz::Asia::Shanghai;

    fn at(s: &str) -> DateTime<Utc> {
        parse_local_datetime(s, Shanghai).expect("time")
    }

    fn shipment() -> Shipment {
        Shipment {
            waybill_no: crate::ops::WaybillNo::parse("SF1000").expect("waybill"),
            customer_code: "C1".into(),
            service_mode: Some(ServiceMode::Express),
            product: String::new(),
            origin_city: "上海".into(),
            destination_city: "杭州".into(),
            goods_type: String::new(),
            pieces: 1,
            weight_g: 1_000,
            volume_cm3: 0,
            revenue_fen: Fen(1_200),
            cost_fen: Some(Fen(800)),
            ordered_at: at("2025-10-01 08:00"),
            promised_at: Some(at("2025-10-02 18:00")),
            shipped_at: None,
            delivered_at: Some(at("2025-10-03 09:30")),
            status: ShipmentStatus::Delivered,
            exceptions: exceptions_from_text("外包装破损"),
            note: String::new(),
            shipper_phone_last4: String::new(),
            consignee_phone_last4: "5678".into(),
        }
    }

    #[test]
    fn delayed_is_derived_and_figures_follow() {
        let mut s = shipment();
        s.normalize().expect("valid");
        assert_eq!(
            s.exceptions.list(),
            [Exception::Damaged, Exception::Delayed]
        );
        let f = DayFigures::of(&s);
        assert_eq!(f.profit_fen, 400);
        assert_eq!(f.cycle_seconds, (49 * 60 + 30) * 60);
        assert_eq!((f.delivered, f.damaged, f.delayed), (1, 1, 1));
        s.delivered_at = None;
        s.status = ShipmentStatus::InTransit;
        s.normalize().expect("valid");
        let f = DayFigures::of(&s);
        assert_eq!(
            (f.delivered, f.damaged, f.delayed),
            (0, 0, 0),
            "damage rate is over delivered"
        );
    }

    #[test]
    fn broken_rules_name_their_field() {
        let mut s = shipment();
        s.delivered_at = Some(at("2025-09-30 08:00"));
        s.weight_g = -5;
        assert_eq!(
            s.normalize(),
            Err(vec![
                ("weight_kg", "err.negative"),
                ("delivered_at", "err.before_ordered")
            ])
        );
    }

    #[test]
    fn words_of_real_exports() {
        assert_eq!(
            service_mode_from_text("标准快递"),
            Some(ServiceMode::Express)
        );
        assert_eq!(service_mode_from_text("特快"), Some(ServiceMode::Express));
        assert_eq!(service_mode_from_text("零担"), Some(ServiceMode::Ltl));
        assert_eq!(service_mode_from_text("整车"), Some(ServiceMode::Ftl));
        assert_eq!(service_mode_from_text("冷链"), Some(ServiceMode::ColdChain));
        assert_eq!(service_mode_from_text("ltl"), Some(ServiceMode::Ltl));
        assert_eq!(service_mode_from_text("火箭"), None);
        assert_eq!(status_from_text("已签收"), Some(ShipmentStatus::Delivered));
        assert_eq!(status_from_text("运输中"), Some(ShipmentStatus::InTransit));
        assert_eq!(status_from_text("退回"), Some(ShipmentStatus::Returned));
        assert_eq!(status_from_text("???"), None);
        assert!(exceptions_from_text("收件人拒收").has(Exception::Returned));
        assert_eq!(exceptions_from_text("准时送达").list(), []);
    }

    #[test]
    fn local_days_and_months() {
        // Local midnight ends a day: 00:10 on 1 November in Shanghai is still 31 October in UTC.
        assert_eq!(local_day(at("2025-10-31 23:30"), Shanghai), 20251031);
        assert_eq!(local_day(at("2025-11-01 00:10"), Shanghai), 20251101);
        assert_eq!(month_of(20251101), 202511);
    }
}
