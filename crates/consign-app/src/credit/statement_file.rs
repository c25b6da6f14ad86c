//! A customer's financial statement read from the file its finance department sends: a
//! balance sheet (资产负债表) and income statement (利润表), CSV (UTF-8 or GBK) or XLSX,
//! one item per row under a header that names the amount columns (期末余额 / 本期金额 and
//! 期初余额 / 年初余额 / 上期金额), the two halves of a balance sheet side by side or one
//! under the other, with title rows, a unit line (单位：元 / 万元 / 千元) and items named
//! the way Chinese accounting standards name them ("其中：", "减：", "一、" and numbering
//! are read past).

use crate::tabular::{detect, read_csv, read_xlsx, FileFault, RowEvent};
use consign_domain::credit::ratios::Statement;
use consign_domain::ops::Fen;
use serde::Serialize;

/// The largest statement file read (a statement is a few hundred rows).
pub const MAX_STATEMENT_BYTES: usize = 2 * 1024 * 1024;

/// A cell that could not be read: row and column as a spreadsheet shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CellError {
    pub row: u64,
    /// `A`, `B`, … `AA`.
    pub column: String,
    pub cell: String,
    /// A message key.
    pub reason: String,
}

/// What a file gave.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StatementFile {
    pub items: Statement,
    /// The statement's fields no row gave (left 0, or taken from the previous period).
    pub missing: Vec<&'static str>,
    pub errors: Vec<CellError>,
    /// 1, 1,000 or 10,000: the unit line's multiplier of the amounts.
    pub unit: i64,
}

/// Which column an amount header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Closing,
    Opening,
}

fn amount_header(cell: &str) -> Option<Col> {
    let t: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    const CLOSING: &[&str] = &[
        "期末余额",
        "期末数",
        "期末金额",
        "本期金额",
        "本期数",
        "本年累计",
        "本年累计数",
        "本年金额",
        "本期发生额",
        "本月数",
    ];
    const OPENING: &[&str] = &[
        "期初余额",
        "期初数",
        "年初余额",
        "年初数",
        "上期金额",
        "上年同期",
        "上年金额",
        "上期数",
        "上年年末余额",
        "上年同期累计",
    ];
    if CLOSING.iter().any(|k| t.starts_with(k)) {
        Some(Col::Closing)
    } else if OPENING.iter().any(|k| t.starts_with(k)) {
        Some(Col::Opening)
    } else {
        None
    }
}

/// An item's name without numbering, "其中：", "减：", "加：" and trailing colons.
fn item_key(cell: &str) -> String {
    let mut t: String = cell
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '*')
        .collect();
    for prefix in ["其中：", "其中:", "减：", "减:", "加：", "加:"] {
        if let Some(r) = t.strip_prefix(prefix) {
            t = r.to_string();
        }
    }
    let t = t.trim_start_matches(|c: char| {
        c.is_ascii_digit() || "一二三四五六七八九十、.（）()".contains(c)
    });
    t.trim_end_matches(['：', ':']).to_string()
}

/// The statement field an item fills, or an expense that adds up to costs and expenses.
enum Item {
    Field(&'static str),
    Expense,
    NetProfit,
}

fn item_of(key: &str) -> Option<Item> {
    Some(Item::Field(match key {
        "货币资金" | "现金及银行存款" => "cash_fen",
        "交易性金融资产" | "现金等价物" | "短期投资" => "cash_equivalents_fen",
        "应收账款" => "receivables_fen",
        "存货" => "inventory_fen",
        "流动资产合计" => "current_assets_fen",
        "资产总计" | "资产合计" | "资产总额" => "total_assets_fen",
        "流动负债合计" => "current_liabilities_fen",
        "负债合计" | "负债总计" | "负债总额" => "total_liabilities_fen",
        "营业收入" | "营业总收入" | "主营业务收入" | "销售收入" => "sales_fen",
        "赊销收入净额" | "赊销收入" => "credit_sales_fen",
        "营业成本" | "主营业务成本" | "销货成本" | "销售成本" => {
            "cost_of_sales_fen"
        }
        "成本费用总额" | "成本费用合计" => "costs_and_expenses_fen",
        "利润总额" => "profit_fen",
        "净利润" => return Some(Item::NetProfit),
        "税金及附加" | "营业税金及附加" | "销售费用" | "管理费用" | "研发费用" | "财务费用" => {
            return Some(Item::Expense)
        }
        _ => return None,
    }))
}

/// The fields a file should give, for `missing`.
const EXPECTED: &[&str] = &[
    "cash_fen",
    "receivables_fen",
    "inventory_fen",
    "current_assets_fen",
    "total_assets_fen",
    "current_liabilities_fen",
    "total_liabilities_fen",
    "sales_fen",
    "cost_of_sales_fen",
    "profit_fen",
];

fn column_name(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s
}

fn set(s: &mut Statement, field: &str, closing: Option<Fen>, opening: Option<Fen>) {
    let add = |slot: &mut Fen, v: Option<Fen>| {
        if let Some(v) = v {
            *slot += v;
        }
    };
    match field {
        "cash_fen" => add(&mut s.cash_fen, closing),
        "cash_equivalents_fen" => add(&mut s.cash_equivalents_fen, closing),
        "receivables_fen" => {
            add(&mut s.receivables_fen, closing);
            s.opening_receivables_fen = opening.or(s.opening_receivables_fen);
        }
        "inventory_fen" => {
            add(&mut s.inventory_fen, closing);
            s.opening_inventory_fen = opening.or(s.opening_inventory_fen);
        }
        "current_assets_fen" => add(&mut s.current_assets_fen, closing),
        "total_assets_fen" => {
            add(&mut s.total_assets_fen, closing);
            s.opening_total_assets_fen = opening.or(s.opening_total_assets_fen);
        }
        "current_liabilities_fen" => add(&mut s.current_liabilities_fen, closing),
        "total_liabilities_fen" => add(&mut s.total_liabilities_fen, closing),
        "sales_fen" => add(&mut s.sales_fen, closing),
        "credit_sales_fen" => s.credit_sales_fen = closing.or(s.credit_sales_fen),
        "cost_of_sales_fen" => add(&mut s.cost_of_sales_fen, closing),
        "costs_and_expenses_fen" => add(&mut s.costs_and_expenses_fen, closing),
        "profit_fen" => add(&mut s.profit_fen, closing),
        _ => {}
    }
}

/// Reads a statement file (CSV or XLSX, told apart by its first bytes).
pub fn read(bytes: &[u8]) -> Result<StatementFile, FileFault> {
    if bytes.len() > MAX_STATEMENT_BYTES {
        return Err(FileFault::new("err.statement_file_too_large", ""));
    }
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let mut collect = |e: RowEvent| {
        if let RowEvent::Row { no, cells } = e {
            rows.push((no, cells.to_vec()));
        }
        rows.len() < 5_000
    };
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(std::io::Cursor::new(bytes), &mut collect)?;
    } else {
        let head = &bytes[..bytes.len().min(64 * 1024)];
        read_csv(bytes, detect(head), &mut collect)?;
    }
    Ok(from_rows(&rows))
}

fn from_rows(rows: &[(u64, Vec<String>)]) -> StatementFile {
    let mut out = StatementFile {
        unit: 1,
        ..StatementFile::default()
    };
    let mut cols: Vec<(usize, Col)> = Vec::new();
    let mut seen: Vec<&'static str> = Vec::new();
    let mut expenses = Fen::ZERO;
    let mut any_expense = false;
    let mut net_profit: Option<Fen> = None;
    for (no, cells) in rows {
        // The unit line, anywhere above the amounts.
        for c in cells {
            if c.contains("单位") {
                if c.contains("万元") {
                    out.unit = 10_000;
                } else if c.contains("千元") {
                    out.unit = 1_000;
                }
            }
        }
        let heads: Vec<(usize, Col)> = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| amount_header(c).map(|k| (i, k)))
            .collect();
        if !heads.is_empty() {
            cols = heads;
            continue;
        }
        for (j, cell) in cells.iter().enumerate() {
            let Some(item) = item_of(&item_key(cell)) else {
                continue;
            };
            // Its amounts: under the header's columns to its right (up to the next
            // item), else the first two numbers to its right.
            let next_item = cells
                .iter()
                .enumerate()
                .skip(j + 1)
                .find(|(_, c)| item_of(&item_key(c)).is_some())
                .map_or(cells.len(), |(k, _)| k);
            let mut read = |k: usize| -> Option<Fen> {
                let raw = cells.get(k)?.trim();
                if raw.is_empty() || raw == "-" || raw == "—" {
                    return None;
                }
                match Fen::parse(raw) {
                    Ok(f) => Some(Fen(f.get().saturating_mul(out.unit))),
                    Err(key) => {
                        out.errors.push(CellError {
                            row: *no,
                            column: column_name(k),
                            cell: raw.chars().take(60).collect(),
                            reason: key.to_string(),
                        });
                        None
                    }
                }
            };
            let pick = |want: Col| {
                cols.iter()
                    .filter(|(k, c)| *c == want && *k > j && *k < next_item)
                    .map(|(k, _)| *k)
                    .next()
            };
            let (closing, opening) = if cols.is_empty() {
                (read(j + 1), read(j + 2))
            } else {
                (
                    pick(Col::Closing).and_then(&mut read),
                    pick(Col::Opening).and_then(&mut read),
                )
            };
            match item {
                Item::Field(f) => {
                    set(&mut out.items, f, closing, opening);
                    seen.push(f);
                }
                Item::Expense => {
                    if let Some(v) = closing {
                        expenses += v;
                        any_expense = true;
                    }
                }
                Item::NetProfit => net_profit = net_profit.or(closing),
            }
        }
    }
    // Profit: the total profit, else the net profit; costs and expenses: their total,
    // else the cost of sales and the expenses added up.
    if !seen.contains(&"profit_fen") {
        if let Some(p) = net_profit {
            out.items.profit_fen = p;
            seen.push("profit_fen");
        }
    }
    if !seen.contains(&"costs_and_expenses_fen")
        && (any_expense || seen.contains(&"cost_of_sales_fen"))
    {
        out.items.costs_and_expenses_fen = out.items.cost_of_sales_fen + expenses;
    }
    out.missing = EXPECTED
        .iter()
        .copied()
        .filter(|f| !seen.contains(f))
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&str]) -> Vec<(u64, Vec<String>)> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u64 + 1, l.split(',').map(str::to_string).collect()))
            .collect()
    }

    #[test]
    fn a_balance_sheet_side_by_side_and_an_income_statement_in_ten_thousands() {
        let f = from_rows(&rows(&[
            "资产负债表,,,,,",
            "编制单位：太仓港隆物流有限公司,2025年12月31日,,,单位：万元,",
            "资产,期末余额,年初余额,负债和所有者权益,期末余额,年初余额",
            "货币资金,30,25,短期借款,40,30",
            "应收账款,90,130,应付账款,50,45",
            "存货,40,50,流动负债合计,120,100",
            "流动资产合计,180,200,负债合计,275,260",
            "资产总计,500,460,所有者权益合计,225,200",
            ",,,,,",
            "利润表,,,,,",
            "项目,本期金额,上期金额,,,",
            "一、营业收入,900,800,,,",
            "减：营业成本,630,560,,,",
            "税金及附加,10,9,,,",
            "销售费用,80,70,,,",
            "管理费用,100,95,,,",
            "财务费用,20,18,,,",
            "三、利润总额,42,35,,,",
            "四、净利润,31.5,26,,,",
        ]));
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.unit, 10_000);
        let y = |v: i64| Fen(v * 10_000 * 100);
        let s = &f.items;
        assert_eq!(
            (s.cash_fen, s.receivables_fen, s.inventory_fen),
            (y(30), y(90), y(40))
        );
        assert_eq!(s.opening_receivables_fen, Some(y(130)));
        assert_eq!(s.opening_total_assets_fen, Some(y(460)));
        assert_eq!((s.current_assets_fen, s.total_assets_fen), (y(180), y(500)));
        assert_eq!(
            (s.current_liabilities_fen, s.total_liabilities_fen),
            (y(120), y(275))
        );
        assert_eq!(
            (s.sales_fen, s.cost_of_sales_fen, s.profit_fen),
            (y(900), y(630), y(42))
        );
        // 630 + 10 + 80 + 100 + 20
        assert_eq!(s.costs_and_expenses_fen, y(840));
        assert_eq!(f.missing, Vec::<&str>::new());
    }

    #[test]
    fn bad_cells_are_named_by_row_and_column_and_missing_items_listed() {
        let f = from_rows(&rows(&[
            "项目,期末数,期初数",
            "货币资金,1２a,100",
            "资产总计,(5000.00),",
            "净利润,-12.50,",
        ]));
        assert_eq!(
            f.errors,
            vec![CellError {
                row: 2,
                column: "B".into(),
                cell: "1２a".into(),
                reason: "err.money_format".into()
            }]
        );
        assert_eq!(
            f.items.profit_fen,
            Fen(-1_250),
            "the net profit when no total profit"
        );
        assert!(f.missing.contains(&"current_assets_fen"));
        assert!(!f.missing.contains(&"profit_fen"));
    }

    #[test]
    fn columns_are_named_as_spreadsheets_name_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(item_key("  其中：应收账款 "), "应收账款");
        assert_eq!(item_key("一、营业收入"), "营业收入");
        assert_eq!(item_key("4.存货："), "存货");
    }
}
