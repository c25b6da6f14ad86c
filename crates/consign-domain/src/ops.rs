//! Values of operations data (SPEC §2) as real TMS/WMS exports and Excel sheets write
//! them: money with ￥ and thousands separators, several date-time layouts in local time,
//! waybill numbers with stray spaces. Each parser returns a message key on failure, so an
//! import can report the row, the column and the reason in the user's language.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// An amount of money in fen (分, 1/100 CNY): the only way Consign holds money, never a
/// float. The API and the database carry the integer; people read `¥12,345.67`
/// ([`Display`](std::fmt::Display)) and files plain yuan ([`Fen::yuan`]).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// The largest amount one record carries (¥1,000,000,000,000): sums over millions of
/// records stay within 64 bits.
pub const MAX_AMOUNT: Fen = Fen(100_000_000_000_000);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Money as people write it: `1,234.50`, `￥1,234.50`, `1234.5元`, `-12.00`, `(12.00)`.
    pub fn parse(s: &str) -> Result<Fen, &'static str> {
        let mut t = s.trim();
        let mut negative = false;
        if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
            // Accounting notation for a negative amount.
            negative = true;
            t = inner.trim();
        }
        // One minus sign, before or after the currency sign.
        let mut minus = |t: &mut &str| -> Result<(), &'static str> {
            if let Some(rest) = t.strip_prefix('-') {
                if negative {
                    return Err("err.money_format");
                }
                negative = true;
                *t = rest.trim_start();
            }
            Ok(())
        };
        minus(&mut t)?;
        for prefix in ["￥", "¥", "CNY", "RMB"] {
            if let Some(rest) = t.strip_prefix(prefix) {
                t = rest.trim_start();
            }
        }
        minus(&mut t)?;
        t = t.strip_suffix('元').unwrap_or(t).trim_end();
        let digits: String = t
            .chars()
            .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{a0}'))
            .collect();
        let v = scaled(&digits, 2).ok_or("err.money_format")?;
        Ok(Fen(if negative { -v } else { v }))
    }

    /// More than nothing.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// The number of fen, for sums and the store.
    pub fn get(self) -> i64 {
        self.0
    }

    /// Plain yuan for files: `1234567` → `12345.67`, always two decimals.
    pub fn yuan(self) -> String {
        let abs = self.0.unsigned_abs();
        format!(
            "{}{}.{:02}",
            if self.0 < 0 { "-" } else { "" },
            abs / 100,
            abs % 100
        )
    }
}

/// A count with thousands separators, as numbers stand in lists: 1,234,567.
pub fn thousands(v: i128) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}", group_digits(v.unsigned_abs()))
}

/// 1234567 → 1,234,567.
fn group_digits(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// As money is written in zh-CN: `¥12,345.67` (`-¥5.00` below zero).
impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let abs = self.0.unsigned_abs();
        let grouped = group_digits(u128::from(abs / 100));
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}¥{grouped}.{:02}", abs % 100)
    }
}

impl std::ops::Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}

impl std::ops::Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0 - o.0)
    }
}

impl std::ops::AddAssign for Fen {
    fn add_assign(&mut self, o: Fen) {
        self.0 += o.0;
    }
}

impl std::ops::SubAssign for Fen {
    fn sub_assign(&mut self, o: Fen) {
        self.0 -= o.0;
    }
}

/// The inverse of [`parse_scaled`]: `12500` with 3 decimals → `12.5`, no trailing zeros.
pub fn format_scaled(v: i64, decimals: u32) -> String {
    let scale = 10i64.pow(decimals);
    let frac = format!("{:0width$}", (v % scale).abs(), width = decimals as usize);
    let frac = frac.trim_end_matches('0');
    let sign = if v < 0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{}", (v / scale).abs())
    } else {
        format!("{sign}{}.{frac}", (v / scale).abs())
    }
}

/// A decimal number as an integer of `10^-decimals` units (`12.5` kg with 3 → 12,500 g).
/// More decimal places than `decimals` are refused rather than rounded away.
pub fn parse_scaled(s: &str, decimals: u32) -> Result<i64, &'static str> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' '))
        .collect();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b.to_string()),
        None => (false, t),
    };
    let v = scaled(&body, decimals).ok_or("err.number_format")?;
    Ok(if neg { -v } else { v })
}

fn scaled(s: &str, decimals: u32) -> Option<i64> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if (int.is_empty() && frac.is_empty())
        || frac.len() > decimals as usize
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = 10i64.checked_pow(decimals)?;
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut part: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..decimals as usize {
        part *= 10;
    }
    whole.checked_mul(scale)?.checked_add(part)
}

/// Layouts seen in exports, tried in order (a date alone means midnight).
const DATETIME_LAYOUTS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
];
const DATE_LAYOUTS: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"];

/// A point in time written in the company's local time (or with an explicit offset),
/// as UTC.
pub fn parse_local_datetime(s: &str, tz: Tz) -> Result<DateTime<Utc>, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Err("err.datetime_format");
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    let naive = DATETIME_LAYOUTS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .or_else(|| {
            DATE_LAYOUTS
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or("err.datetime_format")?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or("err.datetime_format")
}

/// A waybill number (运单号): letters, digits and `-`, 4 to 40 of them, upper-cased;
/// spaces inside (as pasted from PDFs) are dropped. Only [`WaybillNo::parse`] makes one
/// from outside text, so a value of this type is always a valid number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct WaybillNo(String);

impl WaybillNo {
    /// A number from outside (a form, an API body, an import cell), normalised.
    pub fn parse(s: &str) -> Result<WaybillNo, &'static str> {
        let t: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if (4..=40).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            Ok(WaybillNo(t))
        } else {
            Err("err.waybill_format")
        }
    }

    /// A number that is valid by construction: read back from the database (where only
    /// parsed numbers are written) or made by the demo generator.
    pub fn trusted(s: String) -> WaybillNo {
        WaybillNo(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for WaybillNo {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for WaybillNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<WaybillNo> for String {
    fn from(w: WaybillNo) -> String {
        w.0
    }
}

/// [`WaybillNo::parse`] as text.
pub fn waybill_no(s: &str) -> Result<String, &'static str> {
    WaybillNo::parse(s).map(String::from)
}

/// A yes/no cell: 是/否, Y/N, yes/no, true/false, 1/0, √/×; empty is no.
pub fn parse_flag(s: &str) -> Result<bool, &'static str> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "否" | "n" | "no" | "false" | "0" | "×" | "x" | "无" => Ok(false),
        "是" | "y" | "yes" | "true" | "1" | "√" | "有" => Ok(true),
        _ => Err("err.flag_format"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The figures the assertions below were written in: fen as an integer.
    fn parse_fen(s: &str) -> Result<i64, &'static str> {
        Fen::parse(s).map(Fen::get)
    }
    fn format_fen(fen: i64) -> String {
        Fen(fen).to_string()
    }
    fn format_yuan(fen: i64) -> String {
        Fen(fen).yuan()
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-45_000), "-45,000");
    }

    #[test]
    fn yuan_for_files() {
        assert_eq!(format_yuan(2963400), "29634.00");
        assert_eq!(format_yuan(5), "0.05");
        assert_eq!(format_yuan(-150), "-1.50");
        assert_eq!(parse_fen(&format_yuan(-150)), Ok(-150));
    }
    use chrono_tz::Asia::Shanghai;
    use proptest::prelude::*;

    #[test]
    fn money_as_exports_write_it() {
        assert_eq!(parse_fen("1,234.50"), Ok(123_450));
        assert_eq!(parse_fen("￥1,234.50"), Ok(123_450));
        assert_eq!(parse_fen("¥ 19.64"), Ok(1_964));
        assert_eq!(parse_fen("1234.5元"), Ok(123_450));
        assert_eq!(parse_fen("14,442.05"), Ok(1_444_205));
        assert_eq!(parse_fen("108"), Ok(10_800));
        assert_eq!(parse_fen(".5"), Ok(50));
        assert_eq!(parse_fen("-12.00"), Ok(-1_200));
        assert_eq!(parse_fen("￥-12.00"), Ok(-1_200));
        assert_eq!(parse_fen("(12.00)"), Ok(-1_200));
        assert_eq!(parse_fen("1，000"), Ok(100_000));
        for bad in [
            "",
            "abc",
            "12.345",
            "1.2.3",
            "￥",
            "12元5",
            "--3",
            "9999999999999999999",
        ] {
            assert_eq!(parse_fen(bad), Err("err.money_format"), "{bad:?}");
        }
    }

    #[test]
    fn money_as_shown() {
        assert_eq!(format_fen(1_234_567), "¥12,345.67");
        assert_eq!(format_fen(5), "¥0.05");
        assert_eq!(format_fen(-500), "-¥5.00");
        assert_eq!(format_fen(100_000_000), "¥1,000,000.00");
    }

    #[test]
    fn scaled_numbers() {
        assert_eq!(parse_scaled("29.2", 3), Ok(29_200));
        assert_eq!(parse_scaled("0.015", 3), Ok(15));
        assert_eq!(parse_scaled("1,200", 0), Ok(1_200));
        assert_eq!(parse_scaled("3", 6), Ok(3_000_000));
        assert_eq!(parse_scaled("0.0001", 3), Err("err.number_format"));
        assert_eq!(format_scaled(12_500, 3), "12.5");
        assert_eq!(format_scaled(3_000_000, 6), "3");
        assert_eq!(format_scaled(-50, 2), "-0.5");
        assert_eq!(parse_scaled("kg", 3), Err("err.number_format"));
    }

    #[test]
    fn local_times_become_utc() {
        let utc = |s| parse_local_datetime(s, Shanghai).map(|d| d.to_rfc3339());
        assert_eq!(
            utc("2025/10/3 9:05"),
            Ok("2025-10-03T01:05:00+00:00".into())
        );
        assert_eq!(
            utc("2025-10-03 09:05:00"),
            Ok("2025-10-03T01:05:00+00:00".into())
        );
        assert_eq!(
            utc("2025/10/31 21:05"),
            Ok("2025-10-31T13:05:00+00:00".into())
        );
        assert_eq!(
            utc("2025年10月3日 09:05"),
            Ok("2025-10-03T01:05:00+00:00".into())
        );
        assert_eq!(utc("2025-10-03"), Ok("2025-10-02T16:00:00+00:00".into()));
        assert_eq!(utc("20251003"), Ok("2025-10-02T16:00:00+00:00".into()));
        assert_eq!(
            utc("2025-10-03T09:05:00+08:00"),
            Ok("2025-10-03T01:05:00+00:00".into())
        );
        for bad in ["", "昨天", "2025-13-01", "2025/10/32 10:00", "10/03/2025"] {
            assert_eq!(utc(bad), Err("err.datetime_format"), "{bad:?}");
        }
    }

    #[test]
    fn waybill_numbers() {
        assert_eq!(
            waybill_no(" sf1405660342988 "),
            Ok("SF1405660342988".into())
        );
        assert_eq!(waybill_no("SF 1405 6603 4298"), Ok("SF140566034298".into()));
        assert_eq!(waybill_no("YT-2025-0001"), Ok("YT-2025-0001".into()));
        for bad in ["", "SF1", "运单123456", "SF_123456"] {
            assert_eq!(waybill_no(bad), Err("err.waybill_format"), "{bad:?}");
        }
    }

    #[test]
    fn flags() {
        assert_eq!(parse_flag("是"), Ok(true));
        assert_eq!(parse_flag(" Y "), Ok(true));
        assert_eq!(parse_flag(""), Ok(false));
        assert_eq!(parse_flag("否"), Ok(false));
        assert_eq!(parse_flag("也许"), Err("err.flag_format"));
    }

    proptest! {
        #[test]
        fn fen_round_trips_through_the_usual_spelling(fen in -10_000_000_000i64..10_000_000_000i64) {
            let yuan = fen.abs() / 100;
            let cents = fen.abs() % 100;
            let mut grouped = String::new();
            let digits = yuan.to_string();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            let sign = if fen < 0 { "-" } else { "" };
            let written = format!("{sign}￥{grouped}.{cents:02}");
            prop_assert_eq!(parse_fen(&written), Ok(fen));
        }
    }
}

#[cfg(test)]
mod catalogue {
    use crate::Lang;

    #[test]
    fn every_message_is_translated() {
        for key in [
            "err.money_format",
            "err.number_format",
            "err.datetime_format",
            "err.waybill_format",
            "err.flag_format",
        ] {
            for lang in [Lang::Zh, Lang::En] {
                assert_ne!(lang.t(key), key, "{key} in {lang:?}");
            }
        }
    }
}
