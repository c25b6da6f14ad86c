//! The list pattern every list page shares: a filter bar above the table (the most used
//! filters, "more filters" for the rest), the set filters as chips that remove
//! themselves, and a dense table (one line per row; see `table.list` in app.css).

use crate::extract;
use consign_domain::Lang;

/// A filter that is set: its name, its value as the user reads it, and the list's
/// address without it.
pub struct Chip {
    pub label: String,
    pub value: String,
    pub href: String,
}

/// A list's query as (key, value) pairs, in the order the list writes them.
pub type Pairs<'a> = Vec<(&'a str, String)>;

/// The query string of these pairs (empty values left out), without `skip`.
pub fn query(pairs: &Pairs<'_>, skip: Option<&str>) -> String {
    pairs
        .iter()
        .filter(|(k, v)| !v.is_empty() && Some(*k) != skip)
        .map(|(k, v)| format!("{k}={}", extract::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// One chip for each set filter `describe` names (key → label, value → what the user
/// reads); keys it does not name (sort, page size) make no chip.
pub fn chips(
    base: &str,
    pairs: &Pairs<'_>,
    describe: impl Fn(&str, &str) -> Option<(String, String)>,
) -> Vec<Chip> {
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .filter_map(|(k, v)| {
            let (label, value) = describe(k, v)?;
            let rest = query(pairs, Some(k));
            let href = if rest.is_empty() {
                base.to_string()
            } else {
                format!("{base}?{rest}")
            };
            Some(Chip { label, value, href })
        })
        .collect()
}

/// The label of the option `value` among `opts` (the value itself when unknown).
pub fn option_label(opts: &[super::Opt], value: &str) -> String {
    opts.iter()
        .find(|o| o.value == value)
        .map_or_else(|| value.to_string(), |o| o.label.clone())
}

/// "Yes" for a set yes/no filter.
pub fn yes(lang: Lang) -> String {
    lang.t("common.yes").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chip_links_to_the_list_without_its_filter() {
        let pairs: Pairs = vec![
            ("q", "顺丰".into()),
            ("status", "active".into()),
            ("sort", "name".into()),
            ("city", String::new()),
        ];
        let c = chips("/customers", &pairs, |k, v| match k {
            "q" => Some(("搜索".into(), v.into())),
            "status" => Some(("状态".into(), "合作中".into())),
            _ => None,
        });
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].href, "/customers?status=active&sort=name");
        assert_eq!(c[1].value, "合作中");
        assert_eq!(
            c[1].href,
            format!("/customers?q={}&sort=name", extract::urlencode("顺丰"))
        );
    }
}
