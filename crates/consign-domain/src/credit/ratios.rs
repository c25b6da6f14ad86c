//! Financial ratios from a customer's statements (SPEC §8, with the seed's definitions),
//! each flagged against its reasonable range. A ratio whose denominator is zero is
//! undefined (`None`), never 0 or infinity.

use crate::ops::Fen;
use serde::{Deserialize, Serialize};

/// The balance-sheet and income items the ratios need, in fen, for one period. Opening
/// figures are the previous period's closing ones when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Statement {
    /// 货币资金: cash and bank deposits.
    pub cash_fen: Fen,
    /// 现金等价物 / 交易性金融资产: cash equivalents and marketable securities.
    pub cash_equivalents_fen: Fen,
    /// 应收账款 (closing).
    pub receivables_fen: Fen,
    /// 存货 (closing).
    pub inventory_fen: Fen,
    /// 流动资产合计.
    pub current_assets_fen: Fen,
    /// 资产总计 (closing).
    pub total_assets_fen: Fen,
    /// 流动负债合计.
    pub current_liabilities_fen: Fen,
    /// 负债合计.
    pub total_liabilities_fen: Fen,
    /// 营业收入 (销售收入).
    pub sales_fen: Fen,
    /// 赊销收入净额: sales on credit less returns and discounts; none: all sales.
    pub credit_sales_fen: Option<Fen>,
    /// 营业成本 (销货成本).
    pub cost_of_sales_fen: Fen,
    /// 成本费用总额: costs and expenses together.
    pub costs_and_expenses_fen: Fen,
    /// 利润 (净利润).
    pub profit_fen: Fen,
    /// 期初应收账款, 期初存货, 期初资产总额.
    pub opening_receivables_fen: Option<Fen>,
    pub opening_inventory_fen: Option<Fen>,
    pub opening_total_assets_fen: Option<Fen>,
}

impl Statement {
    /// The broken fields: amounts that cannot be negative, and parts larger than their
    /// whole.
    pub fn check(&self) -> Vec<(&'static str, &'static str)> {
        let mut bad = Vec::new();
        let nonneg = [
            ("cash_fen", self.cash_fen),
            ("cash_equivalents_fen", self.cash_equivalents_fen),
            ("receivables_fen", self.receivables_fen),
            ("inventory_fen", self.inventory_fen),
            ("current_assets_fen", self.current_assets_fen),
            ("total_assets_fen", self.total_assets_fen),
            ("current_liabilities_fen", self.current_liabilities_fen),
            ("total_liabilities_fen", self.total_liabilities_fen),
            ("sales_fen", self.sales_fen),
            ("cost_of_sales_fen", self.cost_of_sales_fen),
            ("costs_and_expenses_fen", self.costs_and_expenses_fen),
        ];
        for (f, v) in nonneg {
            if v < Fen::ZERO {
                bad.push((f, "err.statement_negative"));
            } else if v > MAX_ITEM {
                bad.push((f, "err.statement_too_large"));
            }
        }
        if self.profit_fen.get().unsigned_abs() > MAX_ITEM.get().unsigned_abs() {
            bad.push(("profit_fen", "err.statement_too_large"));
        }
        for (f, v) in [
            ("credit_sales_fen", self.credit_sales_fen),
            ("opening_receivables_fen", self.opening_receivables_fen),
            ("opening_inventory_fen", self.opening_inventory_fen),
            ("opening_total_assets_fen", self.opening_total_assets_fen),
        ] {
            if v.is_some_and(|v| v < Fen::ZERO || v > MAX_ITEM) {
                bad.push((f, "err.statement_item_range"));
            }
        }
        if self.current_assets_fen > self.total_assets_fen {
            bad.push(("current_assets_fen", "err.statement_part"));
        }
        if self.current_liabilities_fen > self.total_liabilities_fen {
            bad.push(("current_liabilities_fen", "err.statement_part"));
        }
        bad
    }
}

/// The largest amount of a statement item taken: ¥100,000,000,000,000.
pub const MAX_ITEM: Fen = Fen(10_000_000_000_000_000);

/// How a ratio reads against its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Within the reasonable range.
    Good,
    /// Between the minimum and the reasonable value.
    Watch,
    /// Past the minimum.
    Poor,
    /// No range: shown, not judged.
    Info,
    /// Its denominator is zero.
    Undefined,
}

/// One ratio of a period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ratio {
    /// `debt_ratio`, `current_ratio`, … (label `credit.ratio.<key>`).
    pub key: &'static str,
    /// None: undefined (zero denominator).
    pub value: Option<f64>,
    pub flag: Flag,
    /// The range it is judged by, as its label says it (`2:1 reasonable, 1:1 minimum`).
    pub range_key: &'static str,
}

fn div(a: Fen, b: Fen) -> Option<f64> {
    (b != Fen::ZERO).then(|| a.get() as f64 / b.get() as f64)
}

fn avg(opening: Option<Fen>, closing: Fen) -> Fen {
    match opening {
        Some(o) => Fen((o.get() + closing.get()) / 2),
        None => closing,
    }
}

/// Higher is better: reasonable at `good`, poor below `min`.
fn higher(v: Option<f64>, good: f64, min: f64) -> Flag {
    match v {
        None => Flag::Undefined,
        Some(x) if x >= good => Flag::Good,
        Some(x) if x >= min => Flag::Watch,
        Some(_) => Flag::Poor,
    }
}

/// Lower is better: reasonable up to `good`, poor above `max`.
fn lower(v: Option<f64>, good: f64, max: f64) -> Flag {
    match v {
        None => Flag::Undefined,
        Some(x) if x <= good => Flag::Good,
        Some(x) if x <= max => Flag::Watch,
        Some(_) => Flag::Poor,
    }
}

fn info(v: Option<f64>) -> Flag {
    if v.is_some() {
        Flag::Info
    } else {
        Flag::Undefined
    }
}

/// Every ratio of a statement, with the previous period's statement for the opening
/// figures it does not give.
pub fn ratios(s: &Statement, previous: Option<&Statement>) -> Vec<Ratio> {
    let open_ar = s
        .opening_receivables_fen
        .or(previous.map(|p| p.receivables_fen));
    let open_inv = s
        .opening_inventory_fen
        .or(previous.map(|p| p.inventory_fen));
    let open_ta = s
        .opening_total_assets_fen
        .or(previous.map(|p| p.total_assets_fen));
    let quick = s.current_assets_fen - s.inventory_fen;
    let cash_like = s.cash_fen + s.cash_equivalents_fen;
    let debt = div(s.total_liabilities_fen, s.total_assets_fen);
    let current = div(s.current_assets_fen, s.current_liabilities_fen);
    let quick_r = div(quick, s.current_liabilities_fen);
    let cash = div(cash_like, s.current_assets_fen);
    let ar_turn = div(
        s.credit_sales_fen.unwrap_or(s.sales_fen),
        avg(open_ar, s.receivables_fen),
    );
    let inv_turn = div(s.cost_of_sales_fen, avg(open_inv, s.inventory_fen));
    let roa = div(s.profit_fen, avg(open_ta, s.total_assets_fen));
    let margin = div(s.profit_fen, s.sales_fen);
    let cost_profit = div(s.profit_fen, s.costs_and_expenses_fen);
    let liquidity = div(cash_like, s.current_liabilities_fen);
    vec![
        Ratio {
            key: "debt_ratio",
            value: debt,
            flag: lower(debt, 0.6, 0.8),
            range_key: "credit.range.debt_ratio",
        },
        Ratio {
            key: "current_ratio",
            value: current,
            flag: higher(current, 2.0, 1.0),
            range_key: "credit.range.current_ratio",
        },
        Ratio {
            key: "quick_ratio",
            value: quick_r,
            flag: higher(quick_r, 1.0, 0.5),
            range_key: "credit.range.quick_ratio",
        },
        Ratio {
            key: "cash_ratio",
            value: cash,
            flag: info(cash),
            range_key: "credit.range.higher_better",
        },
        Ratio {
            key: "ar_turnover",
            value: ar_turn,
            flag: info(ar_turn),
            range_key: "credit.range.higher_better",
        },
        Ratio {
            key: "inventory_turnover",
            value: inv_turn,
            flag: info(inv_turn),
            range_key: "credit.range.higher_better",
        },
        Ratio {
            key: "return_on_assets",
            value: roa,
            flag: higher(roa, 0.05, 0.0),
            range_key: "credit.range.return_on_assets",
        },
        Ratio {
            key: "profit_margin",
            value: margin,
            flag: higher(margin, 0.05, 0.0),
            range_key: "credit.range.profit_margin",
        },
        Ratio {
            key: "cost_profit_ratio",
            value: cost_profit,
            flag: higher(cost_profit, 0.05, 0.0),
            range_key: "credit.range.profit_margin",
        },
        Ratio {
            key: "liquidity_ratio",
            value: liquidity,
            flag: higher(liquidity, 0.2, 0.1),
            range_key: "credit.range.liquidity_ratio",
        },
    ]
}

/// The ratios' keys, in the order [`ratios`] gives them.
pub const KEYS: &[&str] = &[
    "debt_ratio",
    "current_ratio",
    "quick_ratio",
    "cash_ratio",
    "ar_turnover",
    "inventory_turnover",
    "return_on_assets",
    "profit_margin",
    "cost_profit_ratio",
    "liquidity_ratio",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(y: i64) -> Fen {
        Fen(y * 100)
    }

    /// A small 3PL's year, computed by hand.
    fn year() -> Statement {
        Statement {
            cash_fen: yuan(300_000),
            cash_equivalents_fen: yuan(100_000),
            receivables_fen: yuan(900_000),
            inventory_fen: yuan(400_000),
            current_assets_fen: yuan(1_800_000),
            total_assets_fen: yuan(5_000_000),
            current_liabilities_fen: yuan(1_200_000),
            total_liabilities_fen: yuan(2_750_000),
            sales_fen: yuan(9_000_000),
            credit_sales_fen: Some(yuan(7_700_000)),
            cost_of_sales_fen: yuan(6_300_000),
            costs_and_expenses_fen: yuan(8_400_000),
            profit_fen: yuan(420_000),
            opening_receivables_fen: Some(yuan(1_300_000)),
            opening_inventory_fen: Some(yuan(500_000)),
            opening_total_assets_fen: Some(yuan(4_600_000)),
        }
    }

    fn get(r: &[Ratio], k: &str) -> (Option<f64>, Flag) {
        let x = r.iter().find(|x| x.key == k).expect("ratio");
        (x.value.map(|v| (v * 10_000.0).round() / 10_000.0), x.flag)
    }

    #[test]
    fn ratios_by_hand() {
        let r = ratios(&year(), None);
        assert_eq!(get(&r, "debt_ratio"), (Some(0.55), Flag::Good));
        assert_eq!(get(&r, "current_ratio"), (Some(1.5), Flag::Watch));
        // (1,800,000 − 400,000) / 1,200,000
        assert_eq!(get(&r, "quick_ratio"), (Some(1.1667), Flag::Good));
        // (300,000 + 100,000) / 1,800,000, as the seed defines it
        assert_eq!(get(&r, "cash_ratio"), (Some(0.2222), Flag::Info));
        // 7,700,000 / ((1,300,000 + 900,000) / 2)
        assert_eq!(get(&r, "ar_turnover"), (Some(7.0), Flag::Info));
        // 6,300,000 / ((500,000 + 400,000) / 2)
        assert_eq!(get(&r, "inventory_turnover"), (Some(14.0), Flag::Info));
        // 420,000 / ((4,600,000 + 5,000,000) / 2)
        assert_eq!(get(&r, "return_on_assets"), (Some(0.0875), Flag::Good));
        assert_eq!(get(&r, "profit_margin"), (Some(0.0467), Flag::Watch));
        assert_eq!(get(&r, "cost_profit_ratio"), (Some(0.05), Flag::Good));
        // 400,000 / 1,200,000
        assert_eq!(get(&r, "liquidity_ratio"), (Some(0.3333), Flag::Good));
        assert_eq!(r.iter().map(|x| x.key).collect::<Vec<_>>(), KEYS);
    }

    #[test]
    fn zero_denominators_are_undefined_and_openings_come_from_the_previous_period() {
        let mut s = year();
        s.current_liabilities_fen = Fen::ZERO;
        s.total_liabilities_fen = Fen::ZERO;
        s.sales_fen = Fen::ZERO;
        s.credit_sales_fen = None;
        s.inventory_fen = Fen::ZERO;
        s.opening_inventory_fen = Some(Fen::ZERO);
        let r = ratios(&s, None);
        for k in [
            "current_ratio",
            "quick_ratio",
            "liquidity_ratio",
            "profit_margin",
            "inventory_turnover",
        ] {
            assert_eq!(get(&r, k), (None, Flag::Undefined), "{k}");
        }
        assert_eq!(get(&r, "debt_ratio"), (Some(0.0), Flag::Good));
        // No opening figures: the previous statement's closing ones.
        let mut s = year();
        s.opening_receivables_fen = None;
        let mut prev = year();
        prev.receivables_fen = yuan(500_000);
        assert_eq!(get(&ratios(&s, Some(&prev)), "ar_turnover").0, Some(11.0));
        // Neither: the closing figure alone.
        assert_eq!(get(&ratios(&s, None), "ar_turnover").0, Some(8.5556));
    }

    #[test]
    fn statements_are_checked() {
        let mut s = year();
        s.cash_fen = yuan(-1);
        s.current_assets_fen = yuan(6_000_000);
        assert_eq!(
            s.check(),
            vec![
                ("cash_fen", "err.statement_negative"),
                ("current_assets_fen", "err.statement_part")
            ]
        );
    }
}
