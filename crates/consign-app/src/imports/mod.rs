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
    detect, find_header, read_csv, read_xlsx, total_row, FileFault, RowEvent, TextEncoding,
    TotalRow,
};
use crate::{customers, App, AppError, Result};
use chrono::Utc;
use consign_domain::customer::ServiceMode;
use consign_domain::ops::{parse_flag, parse_local_datetime, parse_scaled, Fen, WaybillNo};
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
pub(crate) const BATCH_ROWS: usize = 10_000;
/// A shipment import commits after `Settings::import_commit_rows` rows, or sooner when the
/// rollup changes it holds for the transaction reach this many customer-days (which
/// bounds its memory, about 18 MB, whatever the file holds). On PostgreSQL two segments
/// are open at once (one committing, see [`Finishing`]), each with half as many.
pub(crate) const SEGMENT_ROLLUP_KEYS: usize = 110_000;
/// Rows searched for the header.
pub(crate) const HEADER_SEARCH_ROWS: usize = 20;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
            ImportKind::Tracking => crate::imports::kinds::TRACKING_FIELDS,
            ImportKind::Invoices => crate::imports::kinds::INVOICE_FIELDS,
            ImportKind::Payments => crate::imports::kinds::PAYMENT_FIELDS,
            ImportKind::Customers => crate::imports::kinds::CUSTOMER_FIELDS,
            ImportKind::Contacts => crate::imports::kinds::CONTACT_FIELDS,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// `service_mode` a carrier's product name to a mode (`精准卡航` → `ltl`);
    /// `note` maps text found in the cell to exception flags, comma-separated
    /// (`外包装破损` → `damaged`).
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// `utf-8` or `gbk`; detected when absent.
    pub encoding: Option<String>,
    /// Whether to create unknown customers as prospects.
    pub unknown_customers: Option<UnknownCustomers>,
    /// The header row of the file the profile was saved from: a file with the same
    /// headers is read with this profile without being asked.
    pub headers: Vec<String>,
}

impl Profile {
    /// Checks that every field and value the profile names exists for this kind of file.
    pub fn check(&self, kind: ImportKind) -> std::result::Result<(), String> {
        // An empty field leaves the column unread (a column the matching would take).
        for f in self.columns.values().filter(|f| !f.is_empty()) {
            if !kind.fields().iter().any(|d| d.name == f) {
                return Err(format!("unknown field {f:?}"));
            }
        }
        for (f, map) in &self.values {
            for v in map.values() {
                let ok = match f.as_str() {
                    "status" => ShipmentStatus::parse(v).is_some(),
                    "service_mode" => ServiceMode::parse(v).is_some(),
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
    /// When a required column is missing: each missing field with the headers that might
    /// hold it, for the `[columns]` of a profile.
    pub missing: Vec<(&'static str, Vec<String>)>,
    /// What the run noticed but did not refuse (also stored with the run).
    pub notes: RunNotes,
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

pub(crate) const SHIPMENT_FIELDS: &[FieldDef] = &[
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
    crate::imports::kinds::CODE,
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
            "产品名称",
            "产品类别",
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
    // "南京-西安": origin and destination in one cell, read when they have no columns
    // of their own. Read only: an export writes the two cities.
    FieldDef {
        name: "route",
        required: false,
        aliases: &[
            "线路",
            "路线",
            "运输线路",
            "线路名称",
            "流向",
            "路由",
            "route",
            "lane",
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
            "托运时间",
            "发件时间",
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
        aliases: &[
            "签收时间",
            "妥投时间",
            "送达时间",
            "delivered_at",
            "delivery_time",
            "signed_at",
        ],
    },
    FieldDef {
        name: "status",
        required: false,
        aliases: &["签收状态", "运单状态", "状态", "status"],
    },
    FieldDef {
        name: "note",
        required: false,
        aliases: &[
            "备注",
            "异常说明",
            "异常",
            "异常类型",
            "异常原因",
            "异常描述",
            "问题件类型",
            "note",
            "remark",
            "remarks",
            "exception",
            "exceptions",
        ],
    },
    // Only the last four digits are kept (the public tracking check), whatever the
    // column holds: a full number, a masked one (138****5678) or the four digits.
    FieldDef {
        name: "shipper_phone",
        required: false,
        aliases: &[
            "寄件人电话尾号",
            "寄件人电话",
            "寄件人手机",
            "寄件人手机号",
            "寄件人电话号码",
            "寄件人联系电话",
            "寄件电话",
            "发件人电话",
            "发件人手机",
            "发货人电话",
            "发货人手机",
            "发货人联系电话",
            "托运人电话",
            "寄方电话",
            "shipper_phone",
            "sender_phone",
        ],
    },
    FieldDef {
        name: "consignee_phone",
        required: false,
        aliases: &[
            "收件人电话尾号",
            "收件人电话",
            "收件人手机",
            "收件人手机号",
            "收件人电话号码",
            "收件人联系电话",
            "收件电话",
            "收货人电话",
            "收货人手机",
            "收货人联系电话",
            "收方电话",
            "consignee_phone",
            "receiver_phone",
            "recipient_phone",
        ],
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

/// Columns a shipment export writes after the importable ones, which an import does not
/// read: the credit hold (是/否) and its reason.
pub const SHIPMENT_EXPORT_ONLY: &[&str] = &["信用扣货", "扣货原因"];

/// Fields an import reads but an export does not write (they repeat other columns).
pub(crate) const READ_ONLY_FIELDS: &[&str] = &["route"];

/// The columns of a kind of file as an export writes them: (field, Chinese header,
/// required).
pub fn fields_of(kind: ImportKind) -> Vec<(&'static str, &'static str, bool)> {
    let mut all = fields_of_all(kind);
    all.retain(|(name, _, _)| !READ_ONLY_FIELDS.contains(name));
    all
}

/// Every field a column of this kind of file may fill (a route too): (field, Chinese
/// header, required), for the mapping screen.
pub fn fields_of_all(kind: ImportKind) -> Vec<(&'static str, &'static str, bool)> {
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
    pub(crate) headers: Vec<String>,
}

impl Layout {
    fn of(header: &[String], profile: &Profile, fields: &'static [FieldDef]) -> Layout {
        let mut col: Vec<Option<usize>> = vec![None; fields.len()];
        let mut rank: Vec<usize> = vec![usize::MAX; fields.len()];
        let by_profile: HashMap<String, &str> = profile
            .columns
            .iter()
            .map(|(h, f)| (headers::norm(h), f.as_str()))
            .collect();
        for (c, h) in header.iter().enumerate() {
            let key = headers::norm(h);
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
            // The field it matches best (a synonym as written before a stem); a cell
            // two fields match equally well is left out, and named if one is missing.
            if let Ok(Some((i, strength, r))) = headers::best(fields, &key) {
                let rank_here =
                    (headers::Strength::Exact as usize - strength as usize) * 1000 + r + 1;
                if rank_here < rank[i] {
                    col[i] = Some(c);
                    rank[i] = rank_here;
                }
            }
        }
        Layout {
            fields,
            col,
            headers: header.to_vec(),
        }
    }

    /// The required fields no column holds, each with the headers that might hold it (a
    /// cell that matched it as well as another field).
    pub(crate) fn candidates(&self) -> Vec<(&'static FieldDef, Vec<String>)> {
        self.fields
            .iter()
            .zip(&self.col)
            .filter(|(d, c)| d.required && c.is_none())
            .map(|(d, _)| {
                let maybe = self
                    .headers
                    .iter()
                    .filter(|h| headers::score(d, &headers::norm(h)).is_some())
                    .cloned()
                    .collect();
                (d, maybe)
            })
            .collect()
    }

    /// The missing required fields as the error names them:
    /// `客户编号/customer_code（客户代码？）`.
    fn missing(&self) -> Vec<String> {
        self.candidates()
            .into_iter()
            .map(|(d, maybe)| {
                if maybe.is_empty() {
                    format!("{}/{}", d.aliases[0], d.name)
                } else {
                    format!("{}/{}（{}？）", d.aliases[0], d.name, maybe.join("、"))
                }
            })
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

pub(crate) fn known_header<'p>(
    profile: &'p Profile,
    fields: &'static [FieldDef],
) -> impl Fn(&str) -> Option<&'static str> + 'p {
    move |key: &str| {
        let key = headers::norm(key);
        if profile.columns.keys().any(|h| headers::norm(h) == key) {
            return Some("profile");
        }
        headers::best(fields, &key)
            .ok()
            .flatten()
            .map(|(i, _, _)| fields[i].name)
    }
}

mod headers;
pub mod kinds;
mod parsing;
#[allow(unused_imports)]
pub use parsing::*;
mod writing;
#[allow(unused_imports)]
pub use writing::*;
mod export;
#[allow(unused_imports)]
pub use export::*;
mod runs;
#[allow(unused_imports)]
pub use runs::*;
mod check;
#[allow(unused_imports)]
pub use check::*;
mod staged;
#[allow(unused_imports)]
pub use staged::*;
