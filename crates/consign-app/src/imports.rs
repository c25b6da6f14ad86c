//! Bulk import of operations data (SPEC §2): CSV (UTF-8 or GBK) and XLSX as TMS/WMS
//! exports and Excel write them, columns matched by their Chinese or English header (or
//! by a saved profile), every bad row reported with its row, column and reason, every good
//! row written, re-runs idempotent by natural key.
//!
//! A parser thread reads and validates rows while the writer writes the previous batch.
//! Shipments are committed in segments of several batches: each segment (its shipments,
//! their rollup changes, bad rows, run counts) is one transaction, so a run killed at any
//! moment leaves the database consistent, and running the same file again ends with
//! exactly the file's content. Memory stays flat: at most a few batches
//! are in flight, whatever the file size.

use crate::auth::Actor;
use crate::tabular::{
    detect, find_header, header_key, is_total_row, read_csv, read_xlsx, FileFault, RowEvent,
    TextEncoding,
};
use crate::{customers, App, AppError, Result};
use chrono::Utc;
use consign_domain::ops::{parse_fen, parse_flag, parse_local_datetime, parse_scaled, waybill_no};
use consign_domain::shipment::{
    exceptions_from_text, local_day, service_mode_from_text, status_from_text, Exception,
    Exceptions, Shipment, ShipmentStatus,
};
use consign_domain::Lang;
use consign_store::imports::{self as repo, Counts, RowError};
use consign_store::shipments::{self as ship_repo, ShipmentWrite};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Rows the reader hands the writer at a time.
const BATCH_ROWS: usize = 10_000;
/// A shipment import commits after `Settings::import_commit_rows` rows, or sooner when the
/// rollup changes it holds for the transaction reach this many customer-days (which
/// bounds its memory, about 18 MB, whatever the file holds). On PostgreSQL two segments
/// are open at once (one committing, see [`Finishing`]), each with half as many.
const SEGMENT_ROLLUP_KEYS: usize = 110_000;
/// Rows searched for the header.
const HEADER_SEARCH_ROWS: usize = 20;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Shipments,
    Tracking,
    Invoices,
    Payments,
    Customers,
    Contacts,
}

impl ImportKind {
    pub const ALL: &'static [ImportKind] = &[
        ImportKind::Shipments,
        ImportKind::Tracking,
        ImportKind::Invoices,
        ImportKind::Payments,
        ImportKind::Customers,
        ImportKind::Contacts,
    ];

    pub fn parse(s: &str) -> Option<ImportKind> {
        match s.trim() {
            "shipments" | "shipment" | "运单" => Some(ImportKind::Shipments),
            "tracking" | "events" | "tracking_events" | "轨迹" => Some(ImportKind::Tracking),
            "invoices" | "invoice" | "账单" | "发票" => Some(ImportKind::Invoices),
            "payments" | "payment" | "收款" | "回款" => Some(ImportKind::Payments),
            "customers" | "customer" | "客户" => Some(ImportKind::Customers),
            "contacts" | "contact" | "联系人" => Some(ImportKind::Contacts),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Shipments => "shipments",
            ImportKind::Tracking => "tracking",
            ImportKind::Invoices => "invoices",
            ImportKind::Payments => "payments",
            ImportKind::Customers => "customers",
            ImportKind::Contacts => "contacts",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            ImportKind::Shipments => "import.kind.shipments",
            ImportKind::Tracking => "import.kind.tracking",
            ImportKind::Invoices => "import.kind.invoices",
            ImportKind::Payments => "import.kind.payments",
            ImportKind::Customers => "import.kind.customers",
            ImportKind::Contacts => "import.kind.contacts",
        }
    }
    /// The columns this kind of file may have.
    pub(crate) fn fields(self) -> &'static [FieldDef] {
        match self {
            ImportKind::Shipments => SHIPMENT_FIELDS,
            ImportKind::Tracking => crate::import_kinds::TRACKING_FIELDS,
            ImportKind::Invoices => crate::import_kinds::INVOICE_FIELDS,
            ImportKind::Payments => crate::import_kinds::PAYMENT_FIELDS,
            ImportKind::Customers => crate::import_kinds::CUSTOMER_FIELDS,
            ImportKind::Contacts => crate::import_kinds::CONTACT_FIELDS,
        }
    }
    /// The column a file's 合计 (total) row is checked against.
    fn total_field(self) -> Option<&'static str> {
        match self {
            ImportKind::Shipments => Some("revenue"),
            ImportKind::Invoices | ImportKind::Payments => Some("amount"),
            _ => None,
        }
    }
}

/// What to do with a customer code that no customer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownCustomers {
    /// Report the row as bad.
    #[default]
    Reject,
    /// Create the customer as a prospect (name from the file's customer-name column).
    Create,
}

impl UnknownCustomers {
    pub fn parse(s: &str) -> Option<UnknownCustomers> {
        match s.trim() {
            "reject" => Some(UnknownCustomers::Reject),
            "create" | "create-prospects" | "create_prospects" => Some(UnknownCustomers::Create),
            _ => None,
        }
    }
}

/// A saved way to read one source's files (SPEC §2 import profiles).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// 1-based row of the header; found among the first rows when absent.
    pub header_row: Option<u64>,
    /// Header as written in the file → field (see `docs/import.md`); other headers are
    /// matched by the built-in names.
    pub columns: BTreeMap<String, String>,
    /// Per field, cell text → value: `status` maps to a status (`退回` → `returned`);
    /// `note` maps text found in the cell to exception flags, comma-separated
    /// (`外包装破损` → `damaged`).
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// `utf-8` or `gbk`; detected when absent.
    pub encoding: Option<String>,
    /// Whether to create unknown customers as prospects.
    pub unknown_customers: Option<UnknownCustomers>,
}

impl Profile {
    /// Checks that every field and value the profile names exists for this kind of file.
    pub fn check(&self, kind: ImportKind) -> std::result::Result<(), String> {
        for f in self.columns.values() {
            if !kind.fields().iter().any(|d| d.name == f) {
                return Err(format!("unknown field {f:?}"));
            }
        }
        for (f, map) in &self.values {
            for v in map.values() {
                let ok = match f.as_str() {
                    "status" => ShipmentStatus::parse(v).is_some(),
                    "note" => v.split(',').all(|x| Exception::parse(x.trim()).is_some()),
                    _ => false,
                };
                if !ok {
                    return Err(format!("unknown value {v:?} for field {f:?}"));
                }
            }
        }
        if let Some(e) = &self.encoding {
            TextEncoding::parse(e).ok_or_else(|| format!("unknown encoding {e:?}"))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub kind: Option<ImportKind>,
    pub encoding: Option<TextEncoding>,
    pub unknown_customers: Option<UnknownCustomers>,
    pub profile: Profile,
    /// The name the user knows the file by (shown in the run list).
    pub file_name: String,
    /// Customers: create rows that look like existing customers (same credit code, phone
    /// or name) instead of reporting them.
    pub allow_duplicates: bool,
}

/// Live progress, for a progress bar.
#[derive(Debug, Default)]
pub struct ImportProgress {
    /// Bytes of the file read so far.
    pub bytes: AtomicU64,
    /// Rows read so far.
    pub rows: AtomicU64,
    /// Rows committed so far (good and bad).
    pub done: AtomicU64,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub run_id: i64,
    pub counts: Counts,
    /// Rows whose waybill appeared earlier in the same file (the later row is kept).
    pub repeated: i64,
    /// The file's own total (合计 row) of revenue, and what the imported rows sum to.
    pub total_check: Option<(i64, i64)>,
    /// The first bad rows (all of them are in the run's error report).
    pub errors: Vec<RowError>,
    pub seconds: f64,
    /// The problem that stopped the file being read to its end, if any.
    pub fault: Option<FileFault>,
    pub encoding: Option<TextEncoding>,
}

impl ImportReport {
    pub fn summary(&self, lang: Lang) -> String {
        let c = &self.counts;
        let rate = if self.seconds > 0.0 {
            (c.rows_read as f64 / self.seconds).round() as i64
        } else {
            c.rows_read
        };
        lang.tf(
            "import.summary",
            &[
                &c.rows_read,
                &c.rows_new,
                &c.rows_updated,
                &c.rows_unchanged,
                &c.rows_bad,
                &c.prospects_created,
                &format!("{:.1}", self.seconds),
                &rate,
            ],
        )
    }
}

// ---- fields ----

#[derive(Debug)]
pub(crate) struct FieldDef {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
    /// Header names, normalized by `header_key`, best first: when several columns match
    /// one field, the one with the earlier alias wins (应付金额 over 运费).
    pub(crate) aliases: &'static [&'static str],
}

const SHIPMENT_FIELDS: &[FieldDef] = &[
    FieldDef {
        name: "waybill_no",
        required: true,
        aliases: &[
            "运单号",
            "运单编号",
            "快递单号",
            "单号",
            "waybill_no",
            "waybillno",
            "waybill",
            "tracking_no",
        ],
    },
    crate::import_kinds::CODE,
    FieldDef {
        name: "customer_name",
        required: false,
        aliases: &[
            "客户名称",
            "客户",
            "寄件公司",
            "customer_name",
            "customername",
            "customer",
        ],
    },
    FieldDef {
        name: "service_mode",
        required: false,
        aliases: &[
            "产品类型",
            "服务方式",
            "业务类型",
            "运输方式",
            "产品",
            "service_mode",
            "servicemode",
            "product",
        ],
    },
    FieldDef {
        name: "origin_city",
        required: false,
        aliases: &[
            "始发城市",
            "始发地",
            "发货城市",
            "寄件城市",
            "起运地",
            "origin_city",
            "origin",
        ],
    },
    FieldDef {
        name: "destination_city",
        required: false,
        aliases: &[
            "目的城市",
            "目的地",
            "收货城市",
            "收件城市",
            "destination_city",
            "destination",
        ],
    },
    FieldDef {
        name: "goods_type",
        required: false,
        aliases: &[
            "货物类型",
            "货物名称",
            "品名",
            "托寄物",
            "goods_type",
            "goods",
        ],
    },
    FieldDef {
        name: "pieces",
        required: false,
        aliases: &["件数", "数量", "pieces"],
    },
    FieldDef {
        name: "weight_kg",
        required: false,
        aliases: &[
            "计费重量",
            "重量",
            "实际重量",
            "毛重",
            "weight_kg",
            "weight",
        ],
    },
    FieldDef {
        name: "volume_m3",
        required: false,
        aliases: &["体积", "方数", "volume_m3", "volume"],
    },
    FieldDef {
        name: "revenue",
        required: true,
        aliases: &[
            "应付金额",
            "应收金额",
            "费用合计",
            "总运费",
            "总金额",
            "金额",
            "运费",
            "revenue",
            "amount",
        ],
    },
    FieldDef {
        name: "cost",
        required: false,
        aliases: &["成本", "运输成本", "cost"],
    },
    FieldDef {
        name: "ordered_at",
        required: true,
        aliases: &[
            "寄件时间",
            "下单时间",
            "揽收时间",
            "订单时间",
            "开单时间",
            "ordered_at",
            "order_time",
        ],
    },
    FieldDef {
        name: "promised_at",
        required: false,
        aliases: &["承诺送达时间", "承诺时效", "预计送达时间", "promised_at"],
    },
    FieldDef {
        name: "shipped_at",
        required: false,
        aliases: &["发货时间", "发运时间", "发车时间", "shipped_at"],
    },
    FieldDef {
        name: "delivered_at",
        required: false,
        aliases: &["签收时间", "妥投时间", "送达时间", "delivered_at"],
    },
    FieldDef {
        name: "status",
        required: false,
        aliases: &["签收状态", "运单状态", "状态", "status"],
    },
    FieldDef {
        name: "note",
        required: false,
        aliases: &["备注", "异常说明", "异常", "note", "remark", "remarks"],
    },
    FieldDef {
        name: "damaged",
        required: false,
        aliases: &["破损", "damaged"],
    },
    FieldDef {
        name: "short",
        required: false,
        aliases: &["短少", "短装", "short"],
    },
    FieldDef {
        name: "stockout",
        required: false,
        aliases: &["缺货", "stockout"],
    },
    FieldDef {
        name: "substituted",
        required: false,
        aliases: &["替代品", "substituted"],
    },
    FieldDef {
        name: "route_changed",
        required: false,
        aliases: &["路线变动", "route_changed"],
    },
    FieldDef {
        name: "returned",
        required: false,
        aliases: &["回运", "returned"],
    },
    FieldDef {
        name: "invoice_error",
        required: false,
        aliases: &["发票错误", "invoice_error"],
    },
];

/// The columns of shipment files, in the order exports write them (docs and export).
pub fn shipment_fields() -> Vec<(&'static str, &'static str, bool)> {
    fields_of(ImportKind::Shipments)
}

/// The columns of a kind of file: (field, Chinese header, required).
pub fn fields_of(kind: ImportKind) -> Vec<(&'static str, &'static str, bool)> {
    kind.fields()
        .iter()
        .map(|f| (f.name, f.aliases[0], f.required))
        .collect()
}

/// Which column holds which field, decided from the header row.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) fields: &'static [FieldDef],
    /// field index in `fields` → column
    pub(crate) col: Vec<Option<usize>>,
    /// column → header text as written
    headers: Vec<String>,
}

impl Layout {
    fn of(header: &[String], profile: &Profile, fields: &'static [FieldDef]) -> Layout {
        let mut col: Vec<Option<usize>> = vec![None; fields.len()];
        let mut rank: Vec<usize> = vec![usize::MAX; fields.len()];
        let by_profile: HashMap<String, &str> = profile
            .columns
            .iter()
            .map(|(h, f)| (header_key(h), f.as_str()))
            .collect();
        for (c, h) in header.iter().enumerate() {
            let key = header_key(h);
            if key.is_empty() {
                continue;
            }
            if let Some(f) = by_profile.get(&key) {
                if let Some(i) = fields.iter().position(|d| d.name == *f) {
                    col[i] = Some(c);
                    rank[i] = 0;
                }
                continue;
            }
            for (i, d) in fields.iter().enumerate() {
                if let Some(r) = d.aliases.iter().position(|a| *a == key) {
                    if r + 1 < rank[i] {
                        col[i] = Some(c);
                        rank[i] = r + 1;
                    }
                }
            }
        }
        Layout {
            fields,
            col,
            headers: header.to_vec(),
        }
    }

    fn missing(&self) -> Vec<String> {
        self.fields
            .iter()
            .zip(&self.col)
            .filter(|(d, c)| d.required && c.is_none())
            .map(|(d, _)| format!("{}/{}", d.aliases[0], d.name))
            .collect()
    }

    pub(crate) fn header_of(&self, field: &str) -> String {
        self.fields
            .iter()
            .position(|d| d.name == field)
            .and_then(|i| self.col[i])
            .and_then(|c| self.headers.get(c).cloned())
            .unwrap_or_else(|| field.to_string())
    }
}

fn known_header<'p>(
    profile: &'p Profile,
    fields: &'static [FieldDef],
) -> impl Fn(&str) -> Option<&'static str> + 'p {
    move |key: &str| {
        if profile.columns.keys().any(|h| header_key(h) == key) {
            return Some("profile");
        }
        fields
            .iter()
            .find(|d| d.aliases.contains(&key))
            .map(|d| d.name)
    }
}

// ---- parsing rows ----

/// One parsed row on its way to the writer.
struct Parsed {
    row_no: i64,
    shipment: Shipment,
    customer_name: String,
}

#[derive(Default)]
struct Batch {
    /// The customer-code column's header, for errors found when writing.
    code_header: String,
    /// Shipments.
    rows: Vec<Parsed>,
    /// Records of the other kinds, with their row numbers.
    records: Vec<(i64, crate::import_kinds::Record)>,
    errors: Vec<RowError>,
    read: i64,
}

struct RowParser<'a> {
    layout: Layout,
    profile: &'a Profile,
    tz: chrono_tz::Tz,
}

impl RowParser<'_> {
    fn parse(&self, no: u64, cells: &[String]) -> std::result::Result<Parsed, Vec<RowError>> {
        let mut errs: Vec<RowError> = Vec::new();
        let l = &self.layout;
        let get = |f: &str| -> &str {
            l.fields
                .iter()
                .position(|d| d.name == f)
                .and_then(|i| l.col[i])
                .and_then(|c| cells.get(c))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let mut fail = |f: &str, key: &'static str| {
            errs.push(RowError {
                row_no: no as i64,
                column: l.header_of(f),
                cell: get(f).chars().take(200).collect(),
                reason_key: key.to_string(),
                reason_arg: String::new(),
            })
        };
        let required = |f: &str, fail: &mut dyn FnMut(&str, &'static str)| -> Option<String> {
            let v = get(f);
            if v.is_empty() {
                fail(f, "err.required");
                None
            } else {
                Some(v.to_string())
            }
        };
        let waybill = required("waybill_no", &mut fail)
            .and_then(|v| waybill_no(&v).map_err(|k| fail("waybill_no", k)).ok());
        let code = required("customer_code", &mut fail);
        let tz = self.tz;
        let time = |f: &str, fail: &mut dyn FnMut(&str, &'static str)| {
            let v = get(f);
            if v.is_empty() {
                return None;
            }
            parse_local_datetime(v, tz).map_err(|k| fail(f, k)).ok()
        };
        let ordered_at = if get("ordered_at").is_empty() {
            fail("ordered_at", "err.required");
            None
        } else {
            time("ordered_at", &mut fail)
        };
        let promised_at = time("promised_at", &mut fail);
        let shipped_at = time("shipped_at", &mut fail);
        let delivered_at = time("delivered_at", &mut fail);
        let revenue = if get("revenue").is_empty() {
            fail("revenue", "err.required");
            None
        } else {
            parse_fen(get("revenue"))
                .map_err(|k| fail("revenue", k))
                .ok()
        };
        let cost = match get("cost") {
            "" => None,
            v => parse_fen(v).map_err(|k| fail("cost", k)).ok(),
        };
        let scaled = |f: &str, d: u32, fail: &mut dyn FnMut(&str, &'static str)| match get(f) {
            "" => 0,
            v => parse_scaled(v, d).map_err(|k| fail(f, k)).unwrap_or(0),
        };
        let pieces = match get("pieces") {
            "" => 1,
            v => parse_scaled(v, 0)
                .map_err(|_| fail("pieces", "err.integer_format"))
                .unwrap_or(0),
        };
        let weight_g = scaled("weight_kg", 3, &mut fail);
        let volume_cm3 = scaled("volume_m3", 6, &mut fail);
        let service_mode = match get("service_mode") {
            "" => None,
            v => {
                let m = service_mode_from_text(v);
                if m.is_none() {
                    fail("service_mode", "err.unknown_service_mode");
                }
                m
            }
        };
        let status_text = get("status");
        let mapped_status = self
            .profile
            .values
            .get("status")
            .and_then(|m| m.get(status_text))
            .and_then(|v| ShipmentStatus::parse(v));
        let status = match (status_text, mapped_status) {
            (_, Some(s)) => Some(s),
            ("", None) => Some(if delivered_at.is_some() {
                ShipmentStatus::Delivered
            } else if shipped_at.is_some() {
                ShipmentStatus::InTransit
            } else {
                ShipmentStatus::Created
            }),
            (t, None) => {
                let s = status_from_text(t);
                if s.is_none() {
                    fail("status", "err.unknown_status");
                }
                s
            }
        };
        let note = get("note");
        let mut exceptions: Exceptions = exceptions_from_text(note);
        if let Some(m) = self.profile.values.get("note") {
            for (text, flags) in m {
                if !text.is_empty() && note.contains(text.as_str()) {
                    for f in flags.split(',').filter_map(|x| Exception::parse(x.trim())) {
                        exceptions.set(f, true);
                    }
                }
            }
        }
        if exceptions_from_text(status_text).has(Exception::Returned) {
            exceptions.set(Exception::Returned, true);
        }
        for e in Exception::ALL {
            if *e == Exception::Delayed {
                continue;
            }
            let v = get(e.as_str());
            if !v.is_empty() {
                match parse_flag(v) {
                    Ok(on) => exceptions.set(*e, on || exceptions.has(*e)),
                    Err(k) => fail(e.as_str(), k),
                }
            }
        }
        let (
            Some(waybill_no),
            Some(customer_code),
            Some(ordered_at),
            Some(revenue_fen),
            Some(status),
        ) = (waybill, code, ordered_at, revenue, status)
        else {
            return Err(errs);
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        let mut s = Shipment {
            waybill_no,
            customer_code,
            service_mode,
            origin_city: get("origin_city").chars().take(100).collect(),
            destination_city: get("destination_city").chars().take(100).collect(),
            goods_type: get("goods_type").chars().take(100).collect(),
            pieces,
            weight_g,
            volume_cm3,
            revenue_fen,
            cost_fen: cost,
            ordered_at,
            promised_at,
            shipped_at,
            delivered_at,
            status,
            exceptions,
            note: note.chars().take(1000).collect(),
        };
        if let Err(broken) = s.normalize() {
            return Err(broken
                .into_iter()
                .map(|(f, key)| RowError {
                    row_no: no as i64,
                    column: l.header_of(f),
                    cell: get(f).chars().take(200).collect(),
                    reason_key: key.to_string(),
                    reason_arg: String::new(),
                })
                .collect());
        }
        Ok(Parsed {
            row_no: no as i64,
            shipment: s,
            customer_name: get("customer_name").chars().take(200).collect(),
        })
    }
}

/// Counts the bytes read from the file, for the progress bar.
struct Counting<R> {
    inner: R,
    progress: Arc<ImportProgress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// What the parser thread ends with.
struct ParseEnd {
    fault: Option<FileFault>,
    file_total: Option<i64>,
    encoding: Option<TextEncoding>,
}

fn is_xlsx(path: &Path) -> std::io::Result<bool> {
    let mut magic = [0u8; 4];
    let mut f = std::fs::File::open(path)?;
    let n = f.read(&mut magic)?;
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    Ok((n == 4 && magic == *b"PK\x03\x04") || named)
}

/// Reads the whole file on this (blocking) thread, sending batches of parsed rows.
fn parse_file(
    path: &Path,
    opts: &ImportOptions,
    tz: chrono_tz::Tz,
    progress: Arc<ImportProgress>,
    tx: tokio::sync::mpsc::Sender<Batch>,
) -> ParseEnd {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return ParseEnd {
                fault: Some(FileFault::new("err.csv_malformed", e.to_string())),
                file_total: None,
                encoding: None,
            }
        }
    };
    let input = Counting {
        inner: file,
        progress: progress.clone(),
    };
    let profile = &opts.profile;
    let mut state = ParseState {
        kind: opts.kind.unwrap_or(ImportKind::Shipments),
        profile,
        tz,
        head: Vec::new(),
        parser: None,
        batch: Batch::default(),
        tx: &tx,
        progress: &progress,
        file_total: None,
        fault: None,
        saw_bad_text: false,
    };
    let xlsx = is_xlsx(path).unwrap_or(false);
    let mut encoding = None;
    let result = if xlsx {
        read_xlsx(BufReader::new(input), |ev| state.on_event(ev))
    } else {
        let mut buffered = BufReader::with_capacity(64 * 1024, input);
        let enc = opts
            .encoding
            .or_else(|| profile.encoding.as_deref().and_then(TextEncoding::parse))
            .unwrap_or_else(|| detect(buffered.fill_buf().unwrap_or(&[])));
        encoding = Some(enc);
        read_csv(buffered, enc, |ev| state.on_event(ev))
    };
    if let Err(f) = result {
        state.fault.get_or_insert(f);
    }
    if state.parser.is_none() && state.fault.is_none() {
        // The file ended before a header was found.
        state.fault = Some(if state.saw_bad_text {
            FileFault::new("err.encoding", encoding.map_or("UTF-8", |e| e.label()))
        } else {
            FileFault::new("err.header_not_found", HEADER_SEARCH_ROWS.to_string())
        });
    }
    let mut batch = std::mem::take(&mut state.batch);
    batch.code_header = state.code_header();
    let (fault, file_total) = (state.fault.take(), state.file_total);
    if batch.read > 0 || !batch.errors.is_empty() {
        let _ = tx.blocking_send(batch);
    }
    ParseEnd {
        fault,
        file_total,
        encoding,
    }
}

struct ParseState<'a> {
    kind: ImportKind,
    profile: &'a Profile,
    tz: chrono_tz::Tz,
    /// Rows before the header is known.
    head: Vec<(u64, Vec<String>)>,
    parser: Option<RowParser<'a>>,
    batch: Batch,
    tx: &'a tokio::sync::mpsc::Sender<Batch>,
    progress: &'a ImportProgress,
    file_total: Option<i64>,
    fault: Option<FileFault>,
    saw_bad_text: bool,
}

impl<'a> ParseState<'a> {
    fn code_header(&self) -> String {
        self.parser
            .as_ref()
            .map(|p| p.layout.header_of("customer_code"))
            .unwrap_or_default()
    }

    /// Handles one row; false stops reading.
    fn on_event(&mut self, ev: RowEvent) -> bool {
        match ev {
            RowEvent::Bad { no, key, arg } => {
                if self.parser.is_none() {
                    self.saw_bad_text |= key == "err.encoding";
                    return true;
                }
                self.batch.read += 1;
                self.batch.errors.push(RowError {
                    row_no: no as i64,
                    column: String::new(),
                    cell: String::new(),
                    reason_key: key.to_string(),
                    reason_arg: arg,
                });
            }
            RowEvent::Row { no, cells } => {
                if self.parser.is_none() {
                    return self.on_head_row(no, cells);
                }
                self.data_row(no, cells);
            }
        }
        self.progress.rows.fetch_add(1, Ordering::Relaxed);
        if self.batch.rows.len() + self.batch.records.len() + self.batch.errors.len() >= BATCH_ROWS
        {
            let mut b = std::mem::take(&mut self.batch);
            b.code_header = self.code_header();
            // The writer hung up (it failed): stop reading.
            return self.tx.blocking_send(b).is_ok();
        }
        true
    }

    fn data_row(&mut self, no: u64, cells: &[String]) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        let Some(p) = &self.parser else { return };
        if is_total_row(cells) {
            let col = self.kind.total_field().and_then(|f| {
                p.layout
                    .fields
                    .iter()
                    .position(|d| d.name == f)
                    .and_then(|i| p.layout.col[i])
            });
            if let Some(v) = col.and_then(|c| cells.get(c)) {
                self.file_total = parse_fen(v).ok();
            }
            return;
        }
        self.batch.read += 1;
        if self.kind == ImportKind::Shipments {
            match p.parse(no, cells) {
                Ok(row) => self.batch.rows.push(row),
                Err(errs) => self.batch.errors.extend(errs),
            }
        } else {
            let mut c = crate::import_kinds::Cells::new(&p.layout, cells, no, self.tz);
            match crate::import_kinds::parse(self.kind, &mut c) {
                Some(r) if c.errors.is_empty() => self.batch.records.push((no as i64, r)),
                _ => self.batch.errors.extend(c.errors),
            }
        }
    }

    fn on_head_row(&mut self, no: u64, cells: &[String]) -> bool {
        if cells.iter().any(|c| c.contains('\u{fffd}')) {
            self.saw_bad_text = true;
        }
        self.head.push((no, cells.to_vec()));
        let found = match self.profile.header_row {
            Some(h) => (no == h).then(|| self.head.len() - 1),
            None => {
                let rows: Vec<Vec<String>> = self.head.iter().map(|(_, c)| c.clone()).collect();
                find_header(
                    &rows[rows.len() - 1..],
                    known_header(self.profile, self.kind.fields()),
                    3,
                )
                .map(|_| self.head.len() - 1)
            }
        };
        match found {
            Some(i) => {
                let layout = Layout::of(&self.head[i].1, self.profile, self.kind.fields());
                let missing = layout.missing();
                if !missing.is_empty() {
                    self.fault = Some(FileFault::new("err.column_missing", missing.join("、")));
                    return false;
                }
                self.parser = Some(RowParser {
                    layout,
                    profile: self.profile,
                    tz: self.tz,
                });
                self.head.clear();
                true
            }
            None if self.head.len() >= HEADER_SEARCH_ROWS
                || self.profile.header_row.is_some_and(|h| no >= h) =>
            {
                self.fault = Some(if self.saw_bad_text {
                    FileFault::new("err.encoding", "UTF-8")
                } else {
                    FileFault::new("err.header_not_found", HEADER_SEARCH_ROWS.to_string())
                });
                false
            }
            None => true,
        }
    }
}

// ---- profiles ----

pub async fn load_profile(app: &App, name: &str) -> Result<Option<Profile>> {
    match repo::profile(&app.db.conn, name).await? {
        Some((_, spec)) => {
            Ok(Some(serde_json::from_str(&spec).map_err(|e| {
                AppError::caused(format!("import profile {name:?}"), e)
            })?))
        }
        None => Ok(None),
    }
}

pub async fn save_profile(app: &App, name: &str, kind: &str, profile: &Profile) -> Result<()> {
    let mut errs = consign_domain::FieldErrors::new();
    if name.trim().is_empty() || name.chars().count() > 100 {
        errs.add("name", "err.required");
    }
    let parsed = ImportKind::parse(kind);
    if parsed.is_none() {
        errs.add("kind", "err.required");
    }
    if let Err(e) = profile.check(parsed.unwrap_or(ImportKind::Shipments)) {
        tracing::info!(error = %e, "import profile refused");
        errs.add("spec", "err.profile_invalid");
    }
    if !errs.0.is_empty() {
        return Err(AppError::Validation(errs));
    }
    let spec = serde_json::to_string(profile).map_err(AppError::from_err)?;
    let txn = app.db.begin_write().await?;
    repo::save_profile(&txn, name.trim(), kind, &spec, Utc::now()).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn list_profiles(app: &App) -> Result<Vec<(String, String)>> {
    Ok(repo::profiles(&app.db.conn).await?)
}

// ---- writing ----

/// Imports a shipment file. Bad rows are reported, good ones written; a whole-file
/// problem (no header, a required column missing, an unreadable workbook) ends the run
/// with what was read before it kept.
pub async fn import_file(
    app: &App,
    actor: &Actor,
    path: &Path,
    opts: ImportOptions,
    progress: Arc<ImportProgress>,
) -> Result<ImportReport> {
    let run_id = start_run(app, actor, &opts).await?;
    run_import(app, actor, run_id, path, opts, progress).await
}

/// Whether the actor may import this kind of file (checked before an upload is
/// received, and again when the run starts).
pub fn authorize(actor: &Actor, kind: ImportKind) -> Result<()> {
    let allowed = match kind {
        ImportKind::Customers | ImportKind::Contacts => actor.role.can_edit_customers(),
        _ => actor.role.can_write_operations(),
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Checks that the actor may import this kind of file with these options and records
/// the run as started; returns its id (see [`run_import`]).
pub async fn start_run(app: &App, actor: &Actor, opts: &ImportOptions) -> Result<i64> {
    let kind = opts.kind.unwrap_or(ImportKind::Shipments);
    authorize(actor, kind)?;
    opts.profile
        .check(kind)
        .map_err(|e| AppError::internal(format!("import profile: {e}")))?;
    let unknown = opts
        .unknown_customers
        .or(opts.profile.unknown_customers)
        .unwrap_or_default();
    let options = serde_json::json!({
        "unknown_customers": unknown,
        "encoding": opts.encoding.map(|e| e.label()),
        "profile": &opts.profile,
        "allow_duplicates": opts.allow_duplicates,
    })
    .to_string();
    Ok(repo::start(
        &app.db.conn,
        kind.as_str(),
        &opts.file_name,
        actor.id,
        &options,
        Utc::now(),
    )
    .await?)
}

/// Reads the file of a started run to its end, writing as it goes.
pub async fn run_import(
    app: &App,
    actor: &Actor,
    run_id: i64,
    path: &Path,
    opts: ImportOptions,
    progress: Arc<ImportProgress>,
) -> Result<ImportReport> {
    let kind = opts.kind.unwrap_or(ImportKind::Shipments);
    let unknown = opts
        .unknown_customers
        .or(opts.profile.unknown_customers)
        .unwrap_or_default();
    let started = Instant::now();
    let tz = app.tz();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(1);
    let parse = {
        let path = path.to_path_buf();
        let opts = opts.clone();
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || parse_file(&path, &opts, tz, progress, tx))
    };
    let bulk = app.db.bulk().await?;
    let mut w = Writer {
        app,
        kind,
        allow_duplicates: opts.allow_duplicates,
        bulk: bulk.clone(),
        actor,
        run_id,
        unknown,
        vis: crate::customers::visibility(app, actor).await?,
        hidden_codes: HashSet::new(),
        codes: HashMap::new(),
        owners: HashMap::new(),
        counts: Counts::default(),
        repeated: 0,
        revenue_sum: 0,
        first_errors: Vec::new(),
        segment: None,
        finishing: None,
        spare_rollups: HashMap::new(),
    };
    let mut failure = None;
    let mut waited = std::time::Duration::ZERO;
    loop {
        let tw = Instant::now();
        let Some(batch) = rx.recv().await else { break };
        waited += tw.elapsed();
        let n = batch.read as u64;
        if let Err(e) = w.write(batch).await {
            failure = Some(e);
            break;
        }
        progress.done.fetch_add(n, Ordering::Relaxed);
    }
    if failure.is_none() {
        failure = w.commit_segment().await.err();
    }
    drop(w.segment.take());
    // The segment committing in the background ends before the run does, whatever
    // happened to the one after it.
    if let Err(e) = w.wait_finishing().await {
        failure.get_or_insert(e);
    }
    tracing::debug!(
        waited_ms = waited.as_millis() as u64,
        "writer waited for the reader"
    );
    drop(rx);
    if let Err(e) = bulk.checkpoint().await {
        tracing::warn!(error = %e, "checkpoint after import");
    }
    if bulk.sqlite_path.is_some() {
        let _ = bulk.conn.close().await;
    }
    let end = parse
        .await
        .map_err(|e| AppError::caused("import reader", e))?;
    if let Some(e) = failure {
        let _ = repo::finish(&app.db.conn, run_id, "failed", &e.to_string(), Utc::now()).await;
        return Err(e);
    }
    let (status, message) = match &end.fault {
        Some(f) => {
            let e = RowError {
                row_no: 0,
                column: String::new(),
                cell: String::new(),
                reason_key: f.key.to_string(),
                reason_arg: f.arg.clone(),
            };
            let txn = app.db.begin_write().await?;
            repo::add_errors(&txn, run_id, std::slice::from_ref(&e)).await?;
            txn.commit().await?;
            w.first_errors.insert(0, e);
            ("failed", format!("{}|{}", f.key, f.arg))
        }
        None => ("finished", String::new()),
    };
    // The run's end and its audit row together: kind, file, counts, who.
    let txn = app.db.begin_write().await?;
    repo::finish(&txn, run_id, status, &message, Utc::now()).await?;
    let c = &w.counts;
    crate::audit::record(
        &txn,
        actor,
        crate::audit::Entry {
            action: "import.run",
            entity_type: "import_run",
            entity_id: run_id.to_string(),
            customer_id: None,
            summary: Some(format!(
                "{} {}: {status}, {} new, {} updated, {} unchanged, {} bad",
                kind.as_str(),
                opts.file_name,
                c.rows_new,
                c.rows_updated,
                c.rows_unchanged,
                c.rows_bad
            )),
            before: None,
            after: Some(serde_json::json!({
                "kind": kind.as_str(), "file_name": opts.file_name, "status": status,
                "counts": c,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    // Classes follow the data: shipments and new customers change them. The import
    // stands whatever happens here; the nightly run catches up.
    let changed = w.counts.rows_new + w.counts.rows_updated + w.counts.prospects_created > 0;
    if changed && matches!(kind, ImportKind::Shipments | ImportKind::Customers) {
        if let Err(e) = crate::classification::recompute(app, None, "import").await {
            tracing::warn!(run_id, error = %e, "classification after the import failed");
        }
    }
    Ok(ImportReport {
        run_id,
        counts: w.counts,
        repeated: w.repeated,
        total_check: end.file_total.map(|t| (t, w.revenue_sum)),
        errors: w.first_errors,
        seconds: started.elapsed().as_secs_f64(),
        fault: end.fault,
        encoding: end.encoding,
    })
}

pub(crate) struct Writer<'a> {
    pub(crate) app: &'a App,
    pub(crate) kind: ImportKind,
    /// Customers import: create rows that look like existing customers anyway.
    pub(crate) allow_duplicates: bool,
    /// The import's own connection (see `Db::bulk`).
    pub(crate) bulk: consign_store::Db,
    pub(crate) actor: &'a Actor,
    pub(crate) run_id: i64,
    pub(crate) unknown: UnknownCustomers,
    /// The customers the importing user may act on: codes outside it are refused, and
    /// so are waybills that belong to a customer outside it (never moved).
    pub(crate) vis: consign_store::customers::Visibility,
    /// Codes of existing customers outside `vis`, met so far.
    pub(crate) hidden_codes: HashSet<String>,
    /// Customer code → id, for codes met so far.
    pub(crate) codes: HashMap<String, i64>,
    /// Owner cells (customers import) → user id, for cells met so far.
    pub(crate) owners: HashMap<String, Option<i64>>,
    pub(crate) counts: Counts,
    pub(crate) repeated: i64,
    pub(crate) revenue_sum: i64,
    pub(crate) first_errors: Vec<RowError>,
    /// The open transaction of a shipment import, with the rollup changes of the rows it
    /// wrote (applied when it commits).
    segment: Option<Segment>,
    /// PostgreSQL: the previous segment, applying its rollups and committing on its own
    /// connection while this one's rows are written.
    finishing: Option<Finishing>,
    /// The last segment's rollup map, emptied, for the next one.
    spare_rollups: HashMap<(i64, i32), consign_domain::shipment::DayFigures>,
}

type Rollups = HashMap<(i64, i32), consign_domain::shipment::DayFigures>;

/// A segment that is applying its rollup changes and committing in the background, and
/// what the next segment must not touch before it has committed: its waybill numbers (a
/// later row of the same waybill must see the earlier one) and the prospects it created
/// (the next segment's rows may only name customers its own transaction can see).
struct Finishing {
    done: tokio::task::JoinHandle<Result<Rollups>>,
    waybills: HashSet<u64>,
    created: HashSet<i64>,
}

fn waybill_hash(w: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(w)
}

/// One transaction of a shipment import: several batches of rows, and their rollup
/// changes summed per customer-day, written once at the end (a customer-day that several
/// batches touch is written once instead of once per batch).
struct Segment {
    txn: consign_store::BulkTxn,
    rollups: Rollups,
    rows: i64,
    /// PostgreSQL (see [`Finishing`]): hashes of the waybill numbers written, and the
    /// prospects created.
    waybills: HashSet<u64>,
    created: HashSet<i64>,
}

impl Writer<'_> {
    /// Which of these rows (row number, customer code, customer name) go on: codes known
    /// or found go on; unknown ones are reported (reject) or created as prospects named
    /// from the customer-name column (create). Returns a flag per row and the ids of the
    /// prospects created.
    pub(crate) async fn resolve_codes<C: consign_store::ConnectionTrait + 'static>(
        &mut self,
        txn: &C,
        rows: &[(i64, &str, &str)],
        code_header: &str,
        errors: &mut Vec<RowError>,
        now: chrono::DateTime<Utc>,
    ) -> Result<(Vec<bool>, Vec<i64>)> {
        let mut unseen: Vec<&str> = rows
            .iter()
            .map(|r| r.1)
            .filter(|c| !self.codes.contains_key(*c) && !self.hidden_codes.contains(*c))
            .collect();
        unseen.sort_unstable();
        unseen.dedup();
        if !unseen.is_empty() {
            let mut found = consign_store::customers::ids_by_code(txn, &unseen).await?;
            let hidden = customers::outside(txn, &self.vis, found.values().copied()).await?;
            found.retain(|code, id| {
                let out = hidden.contains(id);
                if out {
                    self.hidden_codes.insert(code.clone());
                }
                !out
            });
            self.codes.extend(found);
        }
        let mut prospects: Vec<(String, String)> = Vec::new();
        let mut queued: HashSet<&str> = HashSet::new();
        let mut keep = Vec::with_capacity(rows.len());
        for &(row_no, code, name) in rows {
            if self.codes.contains_key(code) {
                keep.push(true);
                continue;
            }
            if self.hidden_codes.contains(code) {
                errors.push(RowError {
                    row_no,
                    column: code_header.to_string(),
                    cell: code.to_string(),
                    reason_key: "err.customer_out_of_scope".into(),
                    reason_arg: String::new(),
                });
                keep.push(false);
                continue;
            }
            match self.unknown {
                UnknownCustomers::Reject => {
                    errors.push(RowError {
                        row_no,
                        column: code_header.to_string(),
                        cell: code.to_string(),
                        reason_key: "err.unknown_customer".into(),
                        reason_arg: String::new(),
                    });
                    keep.push(false);
                }
                UnknownCustomers::Create => {
                    if queued.insert(code) {
                        let name = if name.is_empty() { code } else { name };
                        prospects.push((code.to_string(), name.to_string()));
                    }
                    keep.push(true);
                }
            }
        }
        let mut created = Vec::new();
        if !prospects.is_empty() {
            created =
                customers::create_prospects(self.app, txn, self.actor, &prospects, now).await?;
            for ((code, _), id) in prospects.iter().zip(&created) {
                self.codes.insert(code.clone(), *id);
            }
        }
        Ok((keep, created))
    }

    async fn write(&mut self, batch: Batch) -> Result<()> {
        if self.kind != ImportKind::Shipments {
            return crate::import_kinds::write(
                self,
                batch.code_header,
                batch.records,
                batch.errors,
                batch.read,
            )
            .await;
        }
        let app = self.app;
        let now = Utc::now();
        let tz = app.tz();
        let mut errors = batch.errors;
        // Within a batch the later row of a waybill wins.
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(batch.rows.len());
        for (i, p) in batch.rows.iter().enumerate() {
            last.insert(p.shipment.waybill_no.as_str(), i);
        }
        let mut repeated = (batch.rows.len() - last.len()) as i64;
        let keep: HashSet<usize> = last.values().copied().collect();
        drop(last);
        let rows: Vec<Parsed> = batch
            .rows
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, p)| p)
            .collect();
        let mut seg = match self.segment.take() {
            Some(seg) => seg,
            None => Segment {
                txn: self.bulk.begin_bulk().await?,
                // Sized for a full segment at once (growing would hold the old and the
                // new table together for a moment) and kept from segment to segment.
                rollups: match self.spare_rollups.capacity() {
                    0 => HashMap::with_capacity(self.rollup_keys()),
                    _ => std::mem::take(&mut self.spare_rollups),
                },
                rows: 0,
                waybills: HashSet::new(),
                created: HashSet::new(),
            },
        };
        let txn = &seg.txn;
        let refs: Vec<(i64, &str, &str)> = rows
            .iter()
            .map(|p| {
                (
                    p.row_no,
                    p.shipment.customer_code.as_str(),
                    p.customer_name.as_str(),
                )
            })
            .collect();
        let tp = Instant::now();
        let (keep, created) = self
            .resolve_codes(txn, &refs, &batch.code_header, &mut errors, now)
            .await?;
        let prospects = created.len() as i64;
        tracing::debug!(prospects_ms = tp.elapsed().as_millis() as u64, "customers");
        drop(refs);
        let good: Vec<Parsed> = rows
            .into_iter()
            .zip(keep)
            .filter_map(|(p, k)| k.then_some(p))
            .collect();
        let waybills: Vec<&str> = good
            .iter()
            .map(|p| p.shipment.waybill_no.as_str())
            .collect();
        if self.pipelined() {
            let hashes: Vec<u64> = waybills.iter().map(|w| waybill_hash(w)).collect();
            if let Some(f) = &self.finishing {
                let touches = hashes.iter().any(|h| f.waybills.contains(h))
                    || (!f.created.is_empty()
                        && good.iter().any(|p| {
                            self.codes
                                .get(&p.shipment.customer_code)
                                .is_some_and(|id| f.created.contains(id))
                        }));
                if touches {
                    self.wait_finishing().await?;
                }
            }
            seg.waybills.extend(hashes);
            seg.created.extend(created);
        }
        let t0 = Instant::now();
        let old = ship_repo::existing_bulk(txn, &waybills).await?;
        let t_existing = t0.elapsed();
        // Waybills held by customers the user may not act on stay where they are.
        let hidden =
            customers::outside(txn, &self.vis, old.values().map(|o| o.customer_id)).await?;
        let mut writes: Vec<ShipmentWrite> = Vec::with_capacity(good.len());
        let mut counts = self.counts.clone();
        for p in good {
            // Every code left here was found or created above.
            let Some(&customer_id) = self.codes.get(&p.shipment.customer_code) else {
                continue;
            };
            if old
                .get(&p.shipment.waybill_no)
                .is_some_and(|o| hidden.contains(&o.customer_id))
            {
                errors.push(RowError {
                    row_no: p.row_no,
                    column: "运单号".into(),
                    cell: p.shipment.waybill_no.clone(),
                    reason_key: "err.number_out_of_scope".into(),
                    reason_arg: String::new(),
                });
                continue;
            }
            let order_day = local_day(p.shipment.ordered_at, tz);
            self.revenue_sum += p.shipment.revenue_fen;
            let stored = old.get(&p.shipment.waybill_no);
            // Written earlier by this very run: the file repeats the waybill.
            if stored.is_some_and(|o| o.import_run_id == Some(self.run_id)) {
                repeated += 1;
            }
            let unchanged =
                stored.is_some_and(|o| o.same_content(customer_id, order_day, &p.shipment));
            match (stored, unchanged) {
                (None, _) => counts.rows_new += 1,
                (Some(_), true) => counts.rows_unchanged += 1,
                (Some(_), false) => counts.rows_updated += 1,
            }
            if !unchanged {
                writes.push(ShipmentWrite {
                    customer_id,
                    order_day,
                    shipment: p.shipment,
                });
            }
        }
        let t1 = Instant::now();
        ship_repo::write_rows_bulk(txn, &writes, &old, Some(self.run_id), now).await?;
        ship_repo::add_deltas(&mut seg.rollups, &writes, &old);
        let t_write = t1.elapsed();
        errors.sort_by_key(|e| e.row_no);
        repo::add_errors(txn, self.run_id, &errors).await?;
        counts.rows_read += batch.read;
        counts.rows_bad += errors
            .iter()
            .map(|e| e.row_no)
            .collect::<HashSet<_>>()
            .len() as i64;
        counts.prospects_created += prospects;
        tracing::debug!(
            existing_ms = t_existing.as_millis() as u64,
            write_ms = t_write.as_millis() as u64,
            "batch"
        );
        seg.rows += batch.read;
        let full = seg.rows >= self.app.settings.import_commit_rows
            || seg.rollups.len() >= self.rollup_keys();
        // The counts go into the run's row when the segment commits; if it never does,
        // the whole run fails and they are not reported.
        self.counts = counts;
        self.repeated += repeated;
        let room = 100usize.saturating_sub(self.first_errors.len());
        self.first_errors.extend(errors.into_iter().take(room));
        self.segment = Some(seg);
        if full {
            self.commit_segment().await?;
        }
        Ok(())
    }

    /// Whether segments commit in the background (PostgreSQL: each transaction has a
    /// connection of its own; SQLite has one writer).
    fn pipelined(&self) -> bool {
        self.app.db.parallel_writers()
    }

    /// Customer-days a segment's rollup map holds at most.
    fn rollup_keys(&self) -> usize {
        if self.pipelined() {
            SEGMENT_ROLLUP_KEYS / 2
        } else {
            SEGMENT_ROLLUP_KEYS
        }
    }

    /// Applies the open segment's rollup changes, records the run's counts and commits:
    /// on PostgreSQL in the background, once the segment before it has committed, so
    /// that the server applies one segment's rollups while the next one's rows arrive.
    /// Segments commit in order, each with its own rows, rollups and counts, so a run
    /// killed at any moment leaves whole segments.
    async fn commit_segment(&mut self) -> Result<()> {
        let Some(mut seg) = self.segment.take() else {
            return Ok(());
        };
        self.wait_finishing().await?;
        let (run_id, counts) = (self.run_id, self.counts.clone());
        let waybills = std::mem::take(&mut seg.waybills);
        let created = std::mem::take(&mut seg.created);
        let finish = async move {
            let t = Instant::now();
            ship_repo::apply_rollup_deltas_bulk(&seg.txn, &seg.rollups).await?;
            repo::progress(&seg.txn, run_id, &counts, Utc::now()).await?;
            let t2 = Instant::now();
            seg.txn.commit().await?;
            tracing::debug!(
                rollups_ms = (t2 - t).as_millis() as u64,
                commit_ms = t2.elapsed().as_millis() as u64,
                "segment"
            );
            let mut rollups = seg.rollups;
            rollups.clear();
            Ok(rollups)
        };
        if self.pipelined() {
            self.finishing = Some(Finishing {
                done: tokio::spawn(finish),
                waybills,
                created,
            });
        } else {
            self.spare_rollups = finish.await?;
        }
        Ok(())
    }

    /// Waits for the segment committing in the background, if there is one.
    async fn wait_finishing(&mut self) -> Result<()> {
        let Some(f) = self.finishing.take() else {
            return Ok(());
        };
        let tw = Instant::now();
        let rollups = f
            .done
            .await
            .map_err(|e| AppError::caused("import segment", e))??;
        tracing::debug!(
            waited_ms = tw.elapsed().as_millis() as u64,
            "waited for the segment before"
        );
        if self.spare_rollups.capacity() == 0 {
            self.spare_rollups = rollups;
        }
        Ok(())
    }
}

/// A run's bad rows as a CSV file (UTF-8 with BOM so that Excel opens it), in `lang`.
pub async fn error_report(
    app: &App,
    run_id: i64,
    lang: Lang,
    out: &mut impl std::io::Write,
) -> Result<u64> {
    let io = |e: std::io::Error| AppError::from_err(e);
    out.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        lang.t("import.report.row"),
        lang.t("import.report.column"),
        lang.t("import.report.value"),
        lang.t("import.report.reason"),
    ])
    .map_err(AppError::from_err)?;
    let mut after = 0;
    let mut n = 0;
    loop {
        let page = repo::errors(&app.db.conn, run_id, after, 5_000).await?;
        if page.is_empty() {
            break;
        }
        for (id, e) in page {
            after = id;
            n += 1;
            let row = if e.row_no == 0 {
                lang.t("import.file_level").to_string()
            } else {
                e.row_no.to_string()
            };
            // The cell is the user's file's: it may be a formula.
            w.write_record([
                row.as_str(),
                &crate::tabular::csv_safe(&e.column),
                &crate::tabular::csv_safe(&e.cell),
                &reason(lang, &e),
            ])
            .map_err(AppError::from_err)?;
        }
    }
    w.flush().map_err(io)?;
    Ok(n)
}

/// A bad row's reason in `lang`.
pub fn reason(lang: Lang, e: &RowError) -> String {
    lang.tf(&e.reason_key, &[&e.reason_arg])
}

// ---- export ----

/// Writes every shipment as CSV (UTF-8 with a BOM, so that Excel opens it) with the
/// column names the import takes, so that the file imports again unchanged (see
/// [`crate::exports`] for XLSX and the other lists). Admins and managers only; audited.
pub async fn export_shipments(
    app: &App,
    actor: &Actor,
    out: &mut (impl std::io::Write + Send),
) -> Result<u64> {
    crate::exports::export(
        app,
        actor,
        &crate::exports::Export::Shipments(None),
        crate::exports::Format::Csv,
        out,
    )
    .await
}

/// Calls `row` with every shipment (of one customer, or all) in id order as the cells of
/// an import file: money in yuan, weight in kg, volume in m³, times in the company's time
/// zone, status, service mode and exception flags in Chinese. Each cell is its text and,
/// for numbers, the scaled integer and its decimals. Pages of 10,000.
pub(crate) async fn shipment_rows(
    app: &App,
    customer: Option<i64>,
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
        let page = ship_repo::page_after(&app.db.conn, customer, vis, after, 10_000).await?;
        if page.is_empty() {
            break;
        }
        let missing: Vec<i64> = page
            .iter()
            .map(|s| s.customer_id)
            .filter(|id| !names.contains_key(id))
            .collect();
        for id in missing {
            if let Some(c) = consign_store::customers::find(&app.db.conn, id).await? {
                names.insert(id, c.name);
            }
        }
        for st in &page {
            after = st.id;
            n += 1;
            let s = &st.shipment;
            let flag = |e: Exception| if s.exceptions.has(e) { "是" } else { "否" }.to_string();
            let cells = SHIPMENT_FIELDS
                .iter()
                .map(|f| match f.name {
                    "waybill_no" => text(s.waybill_no.clone()),
                    "customer_code" => text(s.customer_code.clone()),
                    "customer_name" => {
                        text(names.get(&st.customer_id).cloned().unwrap_or_default())
                    }
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
                    "revenue" => num(s.revenue_fen, 2),
                    "cost" => match s.cost_fen {
                        Some(c) => num(c, 2),
                        None => text(String::new()),
                    },
                    "ordered_at" => text(local(&Some(s.ordered_at))),
                    "promised_at" => text(local(&s.promised_at)),
                    "shipped_at" => text(local(&s.shipped_at)),
                    "delivered_at" => text(local(&s.delivered_at)),
                    "status" => text(Lang::Zh.t(s.status.label_key()).to_string()),
                    "note" => text(s.note.clone()),
                    other => text(match Exception::parse(other) {
                        Some(e) => flag(e),
                        None => String::new(),
                    }),
                })
                .collect();
            row(cells)?;
        }
    }
    Ok(n)
}

// ---- runs, for the web UI and the API ----

/// An import run as the UI and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub id: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub user_name: Option<String>,
    /// `running`, `finished`, `failed` or `interrupted`.
    pub status: String,
    pub counts: Counts,
    /// Why the file could not be read to its end (localized), if it could not.
    pub problem: Option<String>,
    pub started_at: chrono::DateTime<Utc>,
    pub finished_at: Option<chrono::DateTime<Utc>>,
}

impl RunView {
    pub fn running(&self) -> bool {
        self.status == "running"
    }
}

/// One bad row as shown on the result page (the first 100 of a run).
#[derive(Debug, Clone, Serialize)]
pub struct BadRow {
    /// 0 for a problem with the whole file.
    pub row: i64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

fn may_see(actor: &Actor, run: &repo::ImportRun) -> bool {
    actor.role.is_admin()
        || actor.role.can_write_operations()
        || (run.user_id.is_some() && run.user_id == actor.id)
}

async fn run_view(app: &App, run: repo::ImportRun, lang: Lang) -> Result<RunView> {
    let user_name = match run.user_id {
        Some(id) => consign_store::users::user(&app.db.conn, id)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    let problem = run
        .message
        .split_once('|')
        .and_then(|(key, arg)| key.starts_with("err.").then(|| lang.tf(key, &[&arg])));
    Ok(RunView {
        id: run.id.to_string(),
        kind: AppError::stored("import_runs.kind", &run.kind, ImportKind::parse(&run.kind))?,
        file_name: run.file_name,
        user_name,
        status: run.status,
        counts: run.counts,
        problem,
        started_at: run.started_at,
        finished_at: run.finished_at,
    })
}

/// The latest runs the actor may see: everyone's for roles that import operations
/// data, else its own.
pub async fn runs(app: &App, actor: &Actor, lang: Lang) -> Result<Vec<RunView>> {
    let mut out = Vec::new();
    for run in repo::recent(&app.db.conn, 200).await? {
        if may_see(actor, &run) && out.len() < 50 {
            out.push(run_view(app, run, lang).await?);
        }
    }
    Ok(out)
}

/// One run with its first bad rows, in `lang`.
pub async fn run_detail(
    app: &App,
    actor: &Actor,
    id: i64,
    lang: Lang,
) -> Result<(RunView, Vec<BadRow>)> {
    let run = repo::get(&app.db.conn, id)
        .await?
        .filter(|r| may_see(actor, r))
        .ok_or(AppError::NotFound)?;
    let rows = repo::errors(&app.db.conn, id, 0, 100)
        .await?
        .into_iter()
        .map(|(_, e)| BadRow {
            row: e.row_no,
            column: e.column.clone(),
            value: e.cell.clone(),
            reason: reason(lang, &e),
        })
        .collect();
    Ok((run_view(app, run, lang).await?, rows))
}

/// A run's bad-row report, for a user who may see the run.
pub async fn run_report(
    app: &App,
    actor: &Actor,
    id: i64,
    lang: Lang,
    out: &mut impl std::io::Write,
) -> Result<u64> {
    repo::get(&app.db.conn, id)
        .await?
        .filter(|r| may_see(actor, r))
        .ok_or(AppError::NotFound)?;
    error_report(app, id, lang, out).await
}

/// Starts importing an uploaded file in the background and returns the run's id at
/// once; the file is removed when the run ends.
pub async fn start_upload(
    app: &App,
    actor: &Actor,
    file: tempfile::TempPath,
    opts: ImportOptions,
) -> Result<i64> {
    let run_id = start_run(app, actor, &opts).await?;
    let (app, actor) = (app.clone(), actor.clone());
    tokio::spawn(async move {
        let progress = Arc::new(ImportProgress::default());
        match run_import(&app, &actor, run_id, &file, opts, progress).await {
            Ok(r) => tracing::info!(run_id, rows = r.counts.rows_read, "upload imported"),
            Err(e) => {
                tracing::warn!(run_id, error = %e, "upload import failed");
                let _ =
                    repo::finish(&app.db.conn, run_id, "failed", &e.to_string(), Utc::now()).await;
            }
        }
        drop(file);
    });
    Ok(run_id)
}

/// A new file for an upload, in the data directory's `uploads/` (removed when dropped).
pub fn new_upload(app: &App) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = app.settings.data_dir.join("uploads");
    std::fs::create_dir_all(&dir)?;
    tempfile::NamedTempFile::new_in(dir)
}
