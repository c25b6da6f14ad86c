//! The kinds of import file besides shipments: tracking events, invoices, payments,
//! customers and contacts. Each has its columns (matched by Chinese or English header as
//! shipments are), a row parser that reports every bad cell, and a writer keyed by the
//! kind's natural key (waybill + time + text, invoice number, payment number, customer
//! code, customer code + contact name), so that a re-run changes nothing.

use crate::customers::{self, ContactInput, CustomerInput, NewCustomer};
use crate::imports::{FieldDef, ImportKind, Layout, Writer};
use crate::{AppError, Result};
use chrono::{DateTime, Duration, Utc};
use consign_domain::billing::{doc_no, period, Invoice, Payment, PaymentMethod};
use consign_domain::customer::{
    CustomerKind, CustomerStatus, DataSource, GovLevel, Industry, ServiceMode,
};
use consign_domain::ops::{parse_flag, parse_local_datetime, waybill_no, Fen};
use consign_domain::shipment::service_mode_from_text;
use consign_domain::Lang;
use consign_store::billing::{self as bills, PaymentWrite};
use consign_store::imports::{self as repo, Counts, RowError};
use consign_store::shipments::{self as ship_repo, TrackingEvent};
use std::collections::{HashMap, HashSet};

macro_rules! field {
    ($name:literal, $req:literal, [$($a:literal),+ $(,)?]) => {
        FieldDef { name: $name, required: $req, aliases: &[$($a),+] }
    };
}

pub(crate) const CODE: FieldDef = field!(
    "customer_code",
    true,
    [
        "客户编号",
        "客户编码",
        "客户代码",
        "月结账号",
        "月结卡号",
        "customer_code",
        "customercode"
    ]
);
pub(crate) const CUSTOMER_NAME: FieldDef = field!(
    "customer_name",
    false,
    [
        "客户名称",
        "客户",
        "customer_name",
        "customername",
        "customer"
    ]
);
pub(crate) const NOTE: FieldDef =
    field!("note", false, ["备注", "说明", "note", "remark", "remarks"]);

pub(crate) const TRACKING_FIELDS: &[FieldDef] = &[
    field!(
        "waybill_no",
        true,
        [
            "运单号",
            "运单编号",
            "快递单号",
            "单号",
            "waybill_no",
            "waybillno",
            "waybill"
        ]
    ),
    field!(
        "at",
        true,
        [
            "时间",
            "扫描时间",
            "操作时间",
            "轨迹时间",
            "发生时间",
            "at",
            "time"
        ]
    ),
    field!(
        "place",
        false,
        [
            "地点",
            "网点",
            "站点",
            "扫描网点",
            "所在城市",
            "place",
            "location"
        ]
    ),
    field!(
        "status_text",
        true,
        [
            "轨迹",
            "轨迹描述",
            "描述",
            "状态",
            "扫描类型",
            "操作",
            "status_text",
            "status",
            "description"
        ]
    ),
];

pub(crate) const INVOICE_FIELDS: &[FieldDef] = &[
    field!(
        "invoice_no",
        true,
        [
            "账单号",
            "账单编号",
            "对账单号",
            "发票号",
            "发票号码",
            "invoice_no",
            "invoiceno",
            "invoice"
        ]
    ),
    CODE,
    CUSTOMER_NAME,
    field!(
        "amount",
        true,
        [
            "账单金额",
            "应收金额",
            "发票金额",
            "价税合计",
            "金额",
            "amount",
            "amount_fen"
        ]
    ),
    field!(
        "issued_at",
        true,
        [
            "开具日期",
            "开票日期",
            "账单日期",
            "出账日期",
            "issued_at",
            "issued"
        ]
    ),
    field!(
        "due_at",
        true,
        [
            "到期日",
            "到期日期",
            "付款期限",
            "最晚付款日",
            "应付日期",
            "due_at",
            "due"
        ]
    ),
    field!(
        "period",
        false,
        ["账期", "所属期间", "账单月份", "结算月份", "period"]
    ),
    NOTE,
];

pub(crate) const PAYMENT_FIELDS: &[FieldDef] = &[
    field!(
        "payment_no",
        true,
        [
            "收款单号",
            "回款单号",
            "流水号",
            "交易流水号",
            "银行流水号",
            "payment_no",
            "paymentno"
        ]
    ),
    CODE,
    CUSTOMER_NAME,
    field!(
        "invoice_no",
        false,
        [
            "账单号",
            "对应账单",
            "账单编号",
            "发票号",
            "invoice_no",
            "invoice"
        ]
    ),
    field!(
        "amount",
        true,
        [
            "收款金额",
            "回款金额",
            "到账金额",
            "金额",
            "amount",
            "amount_fen"
        ]
    ),
    field!(
        "paid_at",
        true,
        [
            "收款日期",
            "到账日期",
            "回款日期",
            "交易日期",
            "付款日期",
            "paid_at",
            "paid"
        ]
    ),
    field!(
        "method",
        false,
        ["付款方式", "收款方式", "结算方式", "method"]
    ),
    NOTE,
];

pub(crate) const CUSTOMER_FIELDS: &[FieldDef] = &[
    CODE,
    field!(
        "name",
        true,
        [
            "客户名称",
            "客户全称",
            "公司名称",
            "单位名称",
            "名称",
            "name",
            "customer_name"
        ]
    ),
    field!("short_name", false, ["简称", "客户简称", "short_name"]),
    field!("kind", false, ["客户类型", "客户类别", "类型", "kind"]),
    field!("gov_level", false, ["机构级别", "级别", "gov_level"]),
    field!("industry", false, ["行业", "所属行业", "industry"]),
    field!("province", false, ["省份", "省", "所在省份", "province"]),
    field!("city", false, ["城市", "市", "所在城市", "city"]),
    field!(
        "address",
        false,
        ["地址", "详细地址", "公司地址", "address"]
    ),
    field!(
        "goods_types",
        false,
        ["货物类型", "主营货物", "货物", "goods_types"]
    ),
    field!(
        "service_modes",
        false,
        [
            "服务方式",
            "业务类型",
            "产品类型",
            "service_modes",
            "service_mode"
        ]
    ),
    field!(
        "data_source",
        false,
        ["数据来源", "来源", "data_source", "source"]
    ),
    field!(
        "owner",
        false,
        ["负责人", "客户经理", "归属人", "销售", "owner"]
    ),
    field!("status", false, ["客户状态", "状态", "status"]),
    field!(
        "uscc",
        false,
        ["统一社会信用代码", "信用代码", "税号", "uscc"]
    ),
    field!("notes", false, ["备注", "notes", "note"]),
    field!("tags", false, ["标签", "tags"]),
    field!(
        "contact_name",
        false,
        ["联系人", "联系人姓名", "contact_name", "contact"]
    ),
    field!(
        "contact_title",
        false,
        ["联系人职务", "职务", "contact_title"]
    ),
    field!(
        "contact_phone",
        false,
        [
            "联系电话",
            "联系人电话",
            "手机",
            "手机号",
            "电话",
            "contact_phone",
            "phone"
        ]
    ),
    field!(
        "contact_email",
        false,
        ["联系人邮箱", "邮箱", "电子邮箱", "contact_email", "email"]
    ),
];

pub(crate) const CONTACT_FIELDS: &[FieldDef] = &[
    CODE,
    field!("name", true, ["联系人", "姓名", "联系人姓名", "name"]),
    field!("title", false, ["职务", "职位", "title"]),
    field!(
        "phone",
        false,
        ["手机", "手机号", "电话", "联系电话", "phone", "mobile"]
    ),
    field!("email", false, ["邮箱", "电子邮箱", "email"]),
    field!("wechat", false, ["微信", "微信号", "wechat"]),
    field!(
        "is_primary",
        false,
        [
            "主要联系人",
            "是否主联系人",
            "主联系人",
            "is_primary",
            "primary"
        ]
    ),
];

/// One parsed row of a kind other than shipments.
pub(crate) enum Record {
    Event {
        waybill: String,
        event: TrackingEvent,
    },
    Invoice {
        invoice: Invoice,
        customer_name: String,
    },
    Payment {
        payment: Payment,
        customer_name: String,
    },
    Customer(Box<CustomerRow>),
    Contact {
        code: String,
        input: ContactInput,
    },
}

pub(crate) struct CustomerRow {
    pub(crate) code: String,
    pub(crate) input: CustomerInput,
    pub(crate) owner: Option<String>,
    pub(crate) contact: Option<ContactInput>,
    /// What each input field was read from (field → cell), for error reports.
    pub(crate) cells: HashMap<&'static str, String>,
}

/// A row's cells by field, collecting the row's errors.
pub(crate) struct Cells<'a> {
    pub(crate) layout: &'a Layout,
    pub(crate) cells: &'a [String],
    pub(crate) no: u64,
    pub(crate) tz: chrono_tz::Tz,
    pub(crate) errors: Vec<RowError>,
}

impl<'a> Cells<'a> {
    pub(crate) fn new(layout: &'a Layout, cells: &'a [String], no: u64, tz: chrono_tz::Tz) -> Self {
        Cells {
            layout,
            cells,
            no,
            tz,
            errors: Vec::new(),
        }
    }

    fn get(&self, f: &str) -> &'a str {
        self.layout
            .fields
            .iter()
            .position(|d| d.name == f)
            .and_then(|i| self.layout.col[i])
            .and_then(|c| self.cells.get(c))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    fn opt(&self, f: &str) -> Option<String> {
        Some(self.get(f))
            .filter(|v| !v.is_empty())
            .map(String::from)
    }

    fn fail(&mut self, f: &str, key: &'static str) {
        let cell = self.get(f).chars().take(200).collect();
        self.errors.push(RowError {
            row_no: self.no as i64,
            column: self.layout.header_of(f),
            cell,
            reason_key: key.to_string(),
            reason_arg: String::new(),
        });
    }

    fn required(&mut self, f: &str) -> Option<&'a str> {
        let v = self.get(f);
        if v.is_empty() {
            self.fail(f, "err.required");
            None
        } else {
            Some(v)
        }
    }

    fn check<T>(&mut self, f: &str, r: std::result::Result<T, &'static str>) -> Option<T> {
        r.map_err(|k| self.fail(f, k)).ok()
    }

    /// A required time; a date alone means the start of that day, or its end when
    /// `end_of_day` (a due date is due until the day is over).
    fn time(&mut self, f: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
        let v = self.required(f)?;
        let t = self.check(f, parse_local_datetime(v, self.tz))?;
        let date_only = !v.contains(':') && !v.contains('T');
        Some(if end_of_day && date_only {
            t + Duration::days(1) - Duration::seconds(1)
        } else {
            t
        })
    }

    fn text(&mut self, f: &str, max: usize) -> String {
        let v = self.get(f);
        if v.chars().count() > max {
            self.fail(f, "err.too_long");
        }
        v.to_string()
    }
}

/// Parses one row; `None` (or errors left in `c`) when it is bad.
pub(crate) fn parse(kind: ImportKind, c: &mut Cells) -> Option<Record> {
    match kind {
        ImportKind::Tracking => {
            let waybill = c
                .required("waybill_no")
                .and_then(|v| c.check("waybill_no", waybill_no(v)));
            let at = c.time("at", false);
            let place = c.text("place", 100);
            let text = c.required("status_text").map(String::from);
            if text.as_ref().is_some_and(|t| t.chars().count() > 500) {
                c.fail("status_text", "err.too_long");
            }
            Some(Record::Event {
                waybill: waybill?,
                event: TrackingEvent {
                    at: at?,
                    place,
                    status_text: text?,
                },
            })
        }
        ImportKind::Invoices => {
            let no = c
                .required("invoice_no")
                .and_then(|v| c.check("invoice_no", doc_no(v)));
            let code = c.required("customer_code").map(String::from);
            let amount = c
                .required("amount")
                .and_then(|v| c.check("amount", Fen::parse(v)));
            let issued = c.time("issued_at", false);
            let due = c.time("due_at", true);
            let per = {
                let v = c.get("period");
                c.check("period", period(v))
            };
            let note = c.text("note", 1000);
            // A negative amount is a credit note (红字发票), as ledgers list them.
            let amount = amount?;
            let inv = Invoice {
                invoice_no: no?,
                customer_code: code?,
                amount_fen: Fen(amount.get().abs()),
                issued_at: issued?,
                due_at: due?,
                period: per?,
                note,
                credit_note: amount < Fen::ZERO,
            };
            if let Err(broken) = inv.check() {
                for (f, key) in broken {
                    c.fail(f, key);
                }
                return None;
            }
            Some(Record::Invoice {
                invoice: inv,
                customer_name: c.text("customer_name", 200),
            })
        }
        ImportKind::Payments => {
            let no = c
                .required("payment_no")
                .and_then(|v| c.check("payment_no", doc_no(v)));
            let code = c.required("customer_code").map(String::from);
            let invoice_no = match c.get("invoice_no") {
                "" => Some(None),
                v => c.check("invoice_no", doc_no(v)).map(Some),
            };
            let amount = c
                .required("amount")
                .and_then(|v| c.check("amount", Fen::parse(v)));
            let paid = c.time("paid_at", false);
            let method = match c.get("method") {
                "" => Some(None),
                v => match PaymentMethod::parse(v) {
                    Some(m) => Some(Some(m)),
                    None => {
                        c.fail("method", "err.unknown_payment_method");
                        None
                    }
                },
            };
            let note = c.text("note", 1000);
            let p = Payment {
                payment_no: no?,
                customer_code: code?,
                invoice_no: invoice_no?,
                amount_fen: amount?,
                paid_at: paid?,
                method: method?,
                note,
            };
            if let Err(broken) = p.check() {
                for (f, key) in broken {
                    c.fail(f, key);
                }
                return None;
            }
            Some(Record::Payment {
                payment: p,
                customer_name: c.text("customer_name", 200),
            })
        }
        ImportKind::Customers => parse_customer(c).map(|r| Record::Customer(Box::new(r))),
        ImportKind::Contacts => {
            let code = c.required("customer_code").map(String::from);
            let name = c.required("name").map(String::from);
            let is_primary = match c.get("is_primary") {
                "" => Some(None),
                v => c.check("is_primary", parse_flag(v)).map(Some),
            };
            Some(Record::Contact {
                code: code?,
                input: ContactInput {
                    name: Some(name?),
                    title: c.opt("title"),
                    phone: c.opt("phone"),
                    email: c.opt("email"),
                    wechat: c.opt("wechat"),
                    is_primary: is_primary?,
                },
            })
        }
        ImportKind::Shipments => None,
    }
}

/// A value of a vocabulary written as its API name or its Chinese or English label.
pub(crate) fn vocab<T: Copy>(
    all: &[T],
    text: &str,
    name: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    extra: &[(&str, T)],
) -> Option<T> {
    let t = text.trim();
    all.iter()
        .copied()
        .find(|v| {
            name(*v) == t
                || Lang::Zh.t(label(*v)) == t
                || Lang::En.t(label(*v)).eq_ignore_ascii_case(t)
        })
        .or_else(|| extra.iter().find(|(w, _)| *w == t).map(|(_, v)| *v))
}

pub(crate) fn parse_customer(c: &mut Cells) -> Option<CustomerRow> {
    let code = c.required("customer_code").map(String::from);
    let name = c.required("name").map(String::from);
    let mut cells: HashMap<&'static str, String> = HashMap::new();
    for d in CUSTOMER_FIELDS {
        let v = c.get(d.name);
        if !v.is_empty() {
            cells.insert(d.name, v.to_string());
        }
    }
    let kind = match c.get("kind") {
        "" => Some(None),
        v => match vocab(
            CustomerKind::ALL,
            v,
            CustomerKind::as_str,
            CustomerKind::label_key,
            &[
                ("个人", CustomerKind::Individual),
                ("企业", CustomerKind::Enterprise),
                ("公司", CustomerKind::Enterprise),
                ("政府", CustomerKind::Government),
                ("机构", CustomerKind::Government),
                ("事业单位", CustomerKind::Government),
            ],
        ) {
            Some(k) => Some(Some(k.as_str().to_string())),
            None => {
                c.fail("kind", "err.invalid_choice");
                None
            }
        },
    };
    let gov_level = match c.get("gov_level") {
        "" => Some(None),
        v => match vocab(
            GovLevel::ALL,
            v,
            GovLevel::as_str,
            GovLevel::label_key,
            &[
                ("国家", GovLevel::National),
                ("省", GovLevel::Provincial),
                ("市", GovLevel::Municipal),
            ],
        ) {
            Some(g) => Some(Some(g.as_str().to_string())),
            None => {
                c.fail("gov_level", "err.invalid_choice");
                None
            }
        },
    };
    let status = match c.get("status") {
        "" => Some(None),
        v => match vocab(
            CustomerStatus::ALL,
            v,
            CustomerStatus::as_str,
            CustomerStatus::label_key,
            &[
                ("潜在", CustomerStatus::Prospect),
                ("正常", CustomerStatus::Active),
                ("合作", CustomerStatus::Active),
                ("活跃", CustomerStatus::Active),
                ("暂停", CustomerStatus::Suspended),
                ("流失", CustomerStatus::Lost),
            ],
        ) {
            Some(s) => Some(Some(s.as_str().to_string())),
            None => {
                c.fail("status", "err.invalid_choice");
                None
            }
        },
    };
    let data_source = match c.get("data_source") {
        "" => Some(None),
        v => match vocab(
            DataSource::ALL,
            v,
            DataSource::as_str,
            DataSource::label_key,
            &[
                ("内部", DataSource::Internal),
                ("外部", DataSource::External),
            ],
        ) {
            Some(s) => Some(Some(s.as_str().to_string())),
            None => {
                c.fail("data_source", "err.invalid_choice");
                None
            }
        },
    };
    // Industries: a known one by name or label, else the text as written.
    let industry = c.opt("industry").map(|v| {
        vocab(
            Industry::ALL,
            &v,
            Industry::as_str,
            Industry::label_key,
            &[],
        )
        .map(|i| i.as_str().to_string())
        .unwrap_or(v)
    });
    let split = |v: &str| -> Vec<String> {
        v.split(['、', ',', '，', ';', '；', '/', '|'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let modes = match c.get("service_modes") {
        "" => Some(None),
        v => {
            let mut out = Vec::new();
            let mut ok = true;
            for m in split(v) {
                match ServiceMode::parse(&m).or_else(|| service_mode_from_text(&m)) {
                    Some(m) => out.push(m.as_str().to_string()),
                    None => ok = false,
                }
            }
            if ok {
                Some(Some(out))
            } else {
                c.fail("service_modes", "err.unknown_service_mode");
                None
            }
        }
    };
    let tags = c.opt("tags").map(|v| split(&v));
    let contact = c.opt("contact_name").map(|n| ContactInput {
        name: Some(n),
        title: c.opt("contact_title"),
        phone: c.opt("contact_phone"),
        email: c.opt("contact_email"),
        wechat: None,
        // The first contact of a new customer is its primary one; a contact a later row
        // adds to an existing customer leaves the primary one as it is.
        is_primary: None,
    });
    if contact.is_none() {
        for f in ["contact_phone", "contact_email", "contact_title"] {
            if !c.get(f).is_empty() {
                c.fail("contact_name", "err.required");
                break;
            }
        }
    }
    Some(CustomerRow {
        code: code?.clone(),
        input: CustomerInput {
            code: None,
            name: Some(name?),
            short_name: c.opt("short_name"),
            kind: kind?,
            gov_level: gov_level?,
            industry,
            province: c.opt("province"),
            city: c.opt("city"),
            address: c.opt("address"),
            goods_types: c.opt("goods_types"),
            service_modes: modes?,
            data_source: data_source?,
            owner_id: None,
            status: status?,
            uscc: c.opt("uscc"),
            id_number: None,
            notes: c.opt("notes"),
            tags,
            custom_fields: None,
            confirm_duplicates: false,
        },
        owner: c.opt("owner"),
        contact,
        cells,
    })
}

mod writing;
#[allow(unused_imports)]
pub use writing::*;
mod bulk_customers;
pub(crate) use bulk_customers::{finish_customers, CustomersRun};
mod duplicates;
pub(crate) use duplicates::Holders;
