//! Matching a file's header cells to the fields of an import (issue 19): the cells are
//! normalised (width, spaces, brackets and units, punctuation, case), then matched to
//! each field's synonyms exactly, or by their stem and the kind of their suffix (运单号码
//! ~ 运单号: a number; 下单日期 ~ 下单时间: a time; 客户代码 ~ 客户编码: a code, not
//! 客户名称: a name). A cell that matches two fields equally well is left to the user.

use super::FieldDef;
use crate::tabular::header_key;

/// How well a header matches a field: by one of its synonyms as written, or by the stem
/// of one with the same kind of suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    Stem = 1,
    Exact = 2,
}

/// The kind of a header's suffix: what the column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suffix {
    None,
    Code,
    Time,
    Money,
    Name,
}

/// Suffixes by kind, longest first within a kind (they are tried longest first overall).
const SUFFIXES: &[(&str, Suffix)] = &[
    ("号码", Suffix::Code),
    ("编号", Suffix::Code),
    ("编码", Suffix::Code),
    ("代码", Suffix::Code),
    ("number", Suffix::Code),
    ("code", Suffix::Code),
    ("号", Suffix::Code),
    ("码", Suffix::Code),
    ("no", Suffix::Code),
    ("日期", Suffix::Time),
    ("时间", Suffix::Time),
    ("时刻", Suffix::Time),
    ("date", Suffix::Time),
    ("time", Suffix::Time),
    ("金额", Suffix::Money),
    ("费用", Suffix::Money),
    ("amount", Suffix::Money),
    ("费", Suffix::Money),
    ("名称", Suffix::Name),
    ("名字", Suffix::Name),
    ("name", Suffix::Name),
    ("名", Suffix::Name),
];

/// A header cell as matched: [`header_key`] (no spaces, no bracketed units, lower case)
/// with full-width letters, digits and signs made half-width and punctuation dropped
/// (`＊运单号码：` → `运单号码`, `Waybill_No.` → `waybillno`).
pub(crate) fn norm(cell: &str) -> String {
    let folded: String = cell
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect();
    header_key(&folded)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The stem of a normalised header and the kind of its suffix (none when stripping it
/// would leave nothing: 金额 stays 金额).
fn stem(key: &str) -> (&str, Suffix) {
    let mut best: Option<(&str, Suffix)> = None;
    for (s, kind) in SUFFIXES {
        if let Some(rest) = key.strip_suffix(s) {
            if !rest.is_empty() && best.is_none_or(|(b, _)| rest.len() < b.len()) {
                best = Some((rest, *kind));
            }
        }
    }
    best.unwrap_or((key, Suffix::None))
}

/// How well the normalised header `key` matches `field`, and the rank of the synonym
/// that matched (earlier synonyms win when several columns match one field).
pub(crate) fn score(field: &FieldDef, key: &str) -> Option<(Strength, usize)> {
    if key.is_empty() {
        return None;
    }
    if let Some(r) = field.aliases.iter().position(|a| norm(a) == key) {
        return Some((Strength::Exact, r));
    }
    let (k_stem, k_suffix) = stem(key);
    if k_suffix == Suffix::None {
        return None;
    }
    field
        .aliases
        .iter()
        .position(|a| {
            let a = norm(a);
            let (a_stem, a_suffix) = stem(&a);
            a_suffix == k_suffix && a_stem == k_stem
        })
        .map(|r| (Strength::Stem, r))
}

/// The field a header cell holds: the one it matches best, when no other field matches
/// it as well. Err: the fields it matches equally well (for the user to choose).
pub(crate) fn best(
    fields: &'static [FieldDef],
    key: &str,
) -> Result<Option<(usize, Strength, usize)>, Vec<&'static str>> {
    let scored: Vec<(usize, Strength, usize)> = fields
        .iter()
        .enumerate()
        .filter_map(|(i, d)| score(d, key).map(|(s, r)| (i, s, r)))
        .collect();
    let Some(top) = scored.iter().map(|x| x.1).max() else {
        return Ok(None);
    };
    let at_top: Vec<&(usize, Strength, usize)> = scored.iter().filter(|x| x.1 == top).collect();
    match at_top.as_slice() {
        [one] => Ok(Some(**one)),
        many => Err(many.iter().map(|x| fields[x.0].name).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::SHIPMENT_FIELDS;

    fn field_of(header: &str) -> Option<&'static str> {
        best(SHIPMENT_FIELDS, &norm(header))
            .ok()
            .flatten()
            .map(|(i, _, _)| SHIPMENT_FIELDS[i].name)
    }

    #[test]
    fn headers_normalise_width_units_and_punctuation() {
        assert_eq!(norm("＊运单号码："), "运单号码");
        assert_eq!(norm("Waybill_No."), "waybillno");
        assert_eq!(norm(" 应付金额（元） "), "应付金额");
        assert_eq!(norm("ＷＡＹＢＩＬＬ"), "waybill");
    }

    #[test]
    fn headers_match_by_synonym_or_by_stem_and_suffix() {
        assert_eq!(field_of("运单号"), Some("waybill_no"));
        assert_eq!(field_of("运单号码"), Some("waybill_no"));
        assert_eq!(field_of("运单编号"), Some("waybill_no"));
        assert_eq!(field_of("下单日期"), Some("ordered_at"));
        assert_eq!(field_of("寄件日期"), Some("ordered_at"));
        assert_eq!(field_of("签收日期"), Some("delivered_at"));
        assert_eq!(field_of("客户代码"), Some("customer_code"));
        assert_eq!(field_of("客户名"), Some("customer_name"));
        assert_eq!(field_of("应收费用"), Some("revenue"));
        assert_eq!(field_of("说明"), None);
    }
}
