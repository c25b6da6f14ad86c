//! Invoices (发票/账单) and payments (SPEC §2): amounts in fen, an invoice's state and
//! its age past due in the buckets credit staff use (SPEC §8: not due, 1–30, 31–60,
//! 61–90, over 90 days).

use crate::ops::Fen;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A document number (invoice or payment): letters, digits, `-`, `_` and `/`, 2 to 40
/// characters; spaces are dropped and letters upper-cased, as with waybill numbers.
pub fn doc_no(s: &str) -> Result<String, &'static str> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if (2..=40).contains(&t.len())
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'))
    {
        Ok(t)
    } else {
        Err("err.doc_no_format")
    }
}

/// A billing period: `YYYY-MM` (also read as `YYYY/MM`, `YYYYMM` or `2026年10月`).
pub fn period(s: &str) -> Result<String, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let digits: Vec<u32> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    let (y, m) = match digits.as_slice() {
        [ym] if *ym >= 190_001 && *ym <= 299_912 => (ym / 100, ym % 100),
        [y, m] => (*y, *m),
        _ => return Err("err.period_format"),
    };
    if !(1900..=2999).contains(&y) || !(1..=12).contains(&m) {
        return Err("err.period_format");
    }
    Ok(format!("{y:04}-{m:02}"))
}

/// How a payment was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    BankTransfer,
    Cash,
    Wechat,
    Alipay,
    Cheque,
    Acceptance,
    Offset,
}

impl PaymentMethod {
    pub const ALL: &'static [PaymentMethod] = &[
        PaymentMethod::BankTransfer,
        PaymentMethod::Cash,
        PaymentMethod::Wechat,
        PaymentMethod::Alipay,
        PaymentMethod::Cheque,
        PaymentMethod::Acceptance,
        PaymentMethod::Offset,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Wechat => "wechat",
            PaymentMethod::Alipay => "alipay",
            PaymentMethod::Cheque => "cheque",
            PaymentMethod::Acceptance => "acceptance",
            PaymentMethod::Offset => "offset",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            PaymentMethod::BankTransfer => "pay.bank_transfer",
            PaymentMethod::Cash => "pay.cash",
            PaymentMethod::Wechat => "pay.wechat",
            PaymentMethod::Alipay => "pay.alipay",
            PaymentMethod::Cheque => "pay.cheque",
            PaymentMethod::Acceptance => "pay.acceptance",
            PaymentMethod::Offset => "pay.offset",
        }
    }

    /// The API's name, or the words statements use (银行转账, 对公转账, 微信, 承兑…).
    pub fn parse(s: &str) -> Option<PaymentMethod> {
        let t = s.trim();
        if let Some(m) = PaymentMethod::ALL.iter().find(|m| m.as_str() == t) {
            return Some(*m);
        }
        let l = t.to_lowercase();
        Some(match l.as_str() {
            "银行转账" | "转账" | "对公转账" | "电汇" | "网银" | "bank" | "transfer"
            | "bank transfer" => PaymentMethod::BankTransfer,
            "现金" => PaymentMethod::Cash,
            "微信" | "微信支付" | "wechat pay" => PaymentMethod::Wechat,
            "支付宝" => PaymentMethod::Alipay,
            "支票" | "check" => PaymentMethod::Cheque,
            "承兑" | "承兑汇票" | "银行承兑" | "商业承兑" => {
                PaymentMethod::Acceptance
            }
            "冲抵" | "抵扣" | "对冲" | "冲账" => PaymentMethod::Offset,
            _ => return None,
        })
    }
}

/// An invoice or monthly statement as it arrives; the customer by its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub invoice_no: String,
    pub customer_code: String,
    pub amount_fen: Fen,
    pub issued_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// `YYYY-MM` for monthly statements (月结), or empty.
    pub period: String,
    pub note: String,
    /// A credit note (红字发票): its amount lowers what the customer owes.
    pub credit_note: bool,
}

impl Invoice {
    /// The broken fields and why; an invoice bills a positive amount and falls due on or
    /// after its issue.
    pub fn check(&self) -> Result<(), Vec<(&'static str, &'static str)>> {
        let mut broken = Vec::new();
        if self.amount_fen <= Fen::ZERO {
            broken.push(("amount", "err.amount_positive"));
        } else if self.amount_fen > crate::ops::MAX_AMOUNT {
            broken.push(("amount", "err.amount_too_large"));
        }
        if self.due_at < self.issued_at {
            broken.push(("due_at", "err.due_before_issued"));
        }
        if broken.is_empty() {
            Ok(())
        } else {
            Err(broken)
        }
    }
}

/// A payment received; `invoice_no` when it settles a named invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub payment_no: String,
    pub customer_code: String,
    pub invoice_no: Option<String>,
    pub amount_fen: Fen,
    pub paid_at: DateTime<Utc>,
    pub method: Option<PaymentMethod>,
    pub note: String,
}

impl Payment {
    pub fn check(&self) -> Result<(), Vec<(&'static str, &'static str)>> {
        if self.amount_fen <= Fen::ZERO {
            Err(vec![("amount", "err.amount_positive")])
        } else if self.amount_fen > crate::ops::MAX_AMOUNT {
            Err(vec![("amount", "err.amount_too_large")])
        } else {
            Ok(())
        }
    }
}

/// Where an invoice stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceState {
    /// Not yet due, nothing or part paid.
    Open,
    /// Paid in full (or more).
    Paid,
    /// Past due with something unpaid.
    Overdue,
}

impl InvoiceState {
    pub fn label_key(self) -> &'static str {
        match self {
            InvoiceState::Open => "invoice.state.open",
            InvoiceState::Paid => "invoice.state.paid",
            InvoiceState::Overdue => "invoice.state.overdue",
        }
    }
}

/// Aging buckets of an unpaid amount by days past due (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgingBucket {
    NotDue,
    D1To30,
    D31To60,
    D61To90,
    Over90,
}

impl AgingBucket {
    pub const ALL: &'static [AgingBucket] = &[
        AgingBucket::NotDue,
        AgingBucket::D1To30,
        AgingBucket::D31To60,
        AgingBucket::D61To90,
        AgingBucket::Over90,
    ];

    /// The bucket of an amount `days` past due (0 or less: not due).
    pub fn of_days(days: i64) -> AgingBucket {
        match days {
            i64::MIN..=0 => AgingBucket::NotDue,
            1..=30 => AgingBucket::D1To30,
            31..=60 => AgingBucket::D31To60,
            61..=90 => AgingBucket::D61To90,
            _ => AgingBucket::Over90,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            AgingBucket::NotDue => "aging.not_due",
            AgingBucket::D1To30 => "aging.1_30",
            AgingBucket::D31To60 => "aging.31_60",
            AgingBucket::D61To90 => "aging.61_90",
            AgingBucket::Over90 => "aging.over_90",
        }
    }
}

/// An invoice's standing at `now` given what has been paid against it: its state, what
/// is left to pay, and how many whole days it is past due (0 when not overdue).
pub fn standing(
    amount: Fen,
    paid: Fen,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (InvoiceState, Fen, i64) {
    let left = (amount - paid).max(Fen::ZERO);
    if left == Fen::ZERO {
        return (InvoiceState::Paid, Fen::ZERO, 0);
    }
    if now > due_at {
        let days = (now - due_at).num_days().max(1);
        (InvoiceState::Overdue, left, days)
    } else {
        (InvoiceState::Open, left, 0)
    }
}

/// What is paid on each invoice, given in due order as (amount, paid by its own
/// payments): its own payments, then the payments naming no invoice (`pool`) spread
/// over the earliest-due invoices still open. Returns the paid amounts and what is left
/// of the pool (a credit balance).
pub fn apply_unnamed(invoices: &[(Fen, Fen)], mut pool: Fen) -> (Vec<Fen>, Fen) {
    let mut out = Vec::with_capacity(invoices.len());
    for (amount, own) in invoices {
        let left = (*amount - *own).max(Fen::ZERO);
        let take = left.min(pool);
        pool -= take;
        out.push(*own + take);
    }
    (out, pool)
}

/// A customer's receivables: unpaid amounts per aging bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Aging {
    pub not_due: Fen,
    pub d1_30: Fen,
    pub d31_60: Fen,
    pub d61_90: Fen,
    pub over_90: Fen,
}

impl Aging {
    pub fn add(&mut self, bucket: AgingBucket, fen: Fen) {
        *self.slot(bucket) += fen;
    }
    pub fn get(&self, bucket: AgingBucket) -> Fen {
        match bucket {
            AgingBucket::NotDue => self.not_due,
            AgingBucket::D1To30 => self.d1_30,
            AgingBucket::D31To60 => self.d31_60,
            AgingBucket::D61To90 => self.d61_90,
            AgingBucket::Over90 => self.over_90,
        }
    }
    fn slot(&mut self, bucket: AgingBucket) -> &mut Fen {
        match bucket {
            AgingBucket::NotDue => &mut self.not_due,
            AgingBucket::D1To30 => &mut self.d1_30,
            AgingBucket::D31To60 => &mut self.d31_60,
            AgingBucket::D61To90 => &mut self.d61_90,
            AgingBucket::Over90 => &mut self.over_90,
        }
    }
    pub fn outstanding(&self) -> Fen {
        self.not_due + self.overdue()
    }
    pub fn overdue(&self) -> Fen {
        self.d1_30 + self.d31_60 + self.d61_90 + self.over_90
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, d, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn document_numbers_and_periods() {
        assert_eq!(doc_no(" inv-2026/10 ").as_deref(), Ok("INV-2026/10"));
        assert_eq!(doc_no("发票1"), Err("err.doc_no_format"));
        assert_eq!(doc_no("A"), Err("err.doc_no_format"));
        assert_eq!(period("2026-10").as_deref(), Ok("2026-10"));
        assert_eq!(period("2026/9").as_deref(), Ok("2026-09"));
        assert_eq!(period("202609").as_deref(), Ok("2026-09"));
        assert_eq!(period("2026年9月").as_deref(), Ok("2026-09"));
        assert_eq!(period("").as_deref(), Ok(""));
        assert_eq!(period("2026-13"), Err("err.period_format"));
        assert_eq!(period("九月"), Err("err.period_format"));
    }

    #[test]
    fn methods_from_statement_words() {
        assert_eq!(
            PaymentMethod::parse("对公转账"),
            Some(PaymentMethod::BankTransfer)
        );
        assert_eq!(
            PaymentMethod::parse("银行承兑"),
            Some(PaymentMethod::Acceptance)
        );
        assert_eq!(PaymentMethod::parse("alipay"), Some(PaymentMethod::Alipay));
        assert_eq!(PaymentMethod::parse("赊账"), None);
    }

    #[test]
    fn standing_and_buckets() {
        assert_eq!(
            standing(Fen(1000), Fen(1000), t(10), t(20)),
            (InvoiceState::Paid, Fen(0), 0)
        );
        assert_eq!(
            standing(Fen(1000), Fen(1200), t(10), t(20)),
            (InvoiceState::Paid, Fen(0), 0)
        );
        assert_eq!(
            standing(Fen(1000), Fen(400), t(10), t(5)),
            (InvoiceState::Open, Fen(600), 0)
        );
        assert_eq!(
            standing(Fen(1000), Fen(400), t(10), t(10)),
            (InvoiceState::Open, Fen(600), 0)
        );
        assert_eq!(
            standing(Fen(1000), Fen(0), t(10), t(31)),
            (InvoiceState::Overdue, Fen(1000), 21)
        );
        assert_eq!(AgingBucket::of_days(0), AgingBucket::NotDue);
        assert_eq!(AgingBucket::of_days(30), AgingBucket::D1To30);
        assert_eq!(AgingBucket::of_days(31), AgingBucket::D31To60);
        assert_eq!(AgingBucket::of_days(90), AgingBucket::D61To90);
        assert_eq!(AgingBucket::of_days(91), AgingBucket::Over90);
    }

    #[test]
    fn invoices_bill_positive_amounts_due_after_issue() {
        let mut i = Invoice {
            invoice_no: "INV1".into(),
            customer_code: "C1".into(),
            amount_fen: Fen(0),
            issued_at: t(10),
            due_at: t(9),
            period: String::new(),
            note: String::new(),
            credit_note: false,
        };
        assert_eq!(
            i.check(),
            Err(vec![
                ("amount", "err.amount_positive"),
                ("due_at", "err.due_before_issued")
            ])
        );
        i.amount_fen = Fen(1);
        i.due_at = t(10);
        assert_eq!(i.check(), Ok(()));
    }
}
