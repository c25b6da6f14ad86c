//! Search keys for Chinese names (SPEC §1, ARCHITECTURE "Search in Chinese").
//!
//! Trigram indexes need three characters, yet most Chinese short names are two. So each
//! name yields, in an ordinary table that both databases index the same way:
//! - `c:` + every single CJK character and every bigram of adjacent characters;
//! - `p:` + the full pinyin from each character position to the end (prefix search, so
//!   `shunfeng` finds 顺丰 anywhere in 上海顺丰速运有限公司), every reading of a
//!   polyphonic character expanded;
//! - `i:` + the pinyin initials from each position (`sf` finds 顺丰);
//! - `j:` + the first two of those initials, so that the commonest initials query, two
//!   letters, is one exact key read in id order rather than a range of thousands.
//!
//! A query of CJK text matches customers holding all its bigrams; the caller then checks
//! the name contains the query as a substring. An ASCII query is a key prefix.

use pinyin::ToPinyinMulti;
use std::collections::BTreeSet;

/// Version of the key scheme; a database holding older keys is re-indexed at start-up.
pub const KEYS_VERSION: u32 = 2;

/// Longest stored key, in bytes after the prefix; longer queries are cut to this.
pub const MAX_KEY_LEN: usize = 40;
/// Readings combinations expanded per start position (bounds the index of a name full
/// of polyphonic characters).
const MAX_COMBOS: usize = 8;
/// Characters from a key's start whose alternative readings are expanded.
const BRANCH_DEPTH: usize = 3;

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

/// One position of a name: the readings of a CJK character, or an ASCII letter/digit.
fn syllables(c: char) -> Option<Vec<String>> {
    if is_cjk(c) {
        let mut v: Vec<String> = Vec::new();
        if let Some(multi) = c.to_pinyin_multi() {
            for p in multi {
                let s = p.plain().to_string();
                if !v.contains(&s) {
                    v.push(s);
                }
            }
        }
        if v.is_empty() {
            None
        } else {
            Some(v)
        }
    } else if c.is_ascii_alphanumeric() {
        Some(vec![c.to_ascii_lowercase().to_string()])
    } else {
        None
    }
}

fn cut(s: &str) -> String {
    if s.len() <= MAX_KEY_LEN {
        return s.to_string();
    }
    let mut end = MAX_KEY_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Expands the readings from `start` into at most MAX_COMBOS strings, full and initials.
fn expand(run: &[Vec<String>], start: usize, out: &mut BTreeSet<String>) {
    let mut full: Vec<String> = vec![String::new()];
    let mut init: Vec<String> = vec![String::new()];
    for (pos, readings) in run[start..].iter().enumerate() {
        if full.iter().all(|f| f.len() >= MAX_KEY_LEN) {
            break;
        }
        let mut nf = Vec::new();
        let mut ni = Vec::new();
        // Branch on every reading near the start while the combinations stay few; past
        // that, extend with the first reading only (later polyphones are expanded in the
        // keys that start at or just before them).
        let branch = pos < BRANCH_DEPTH && full.len() * readings.len() <= MAX_COMBOS;
        for (f, i) in full.iter().zip(init.iter()) {
            for r in readings
                .iter()
                .take(if branch { readings.len() } else { 1 })
            {
                nf.push(format!("{f}{r}"));
                let first = r.chars().next().map(String::from).unwrap_or_default();
                ni.push(format!("{i}{first}"));
            }
        }
        full = nf;
        init = ni;
    }
    for f in full {
        out.insert(format!("p:{}", cut(&f)));
    }
    for i in init {
        if i.len() >= 2 && i.is_char_boundary(2) {
            out.insert(format!("j:{}", &i[..2]));
        }
        out.insert(format!("i:{}", cut(&i)));
    }
}

/// The `c:` keys of a text as character pairs: CJK bigrams, and a single character only
/// where no bigram starts with it (the end of a run), so that a one-character query is a
/// prefix range over both.
pub fn cjk_pairs(chars: &[char]) -> impl Iterator<Item = (char, Option<char>)> + '_ {
    chars
        .iter()
        .enumerate()
        .filter(|(_, c)| is_cjk(**c))
        .map(|(i, c)| match chars.get(i + 1) {
            Some(n) if is_cjk(*n) => (*c, Some(*n)),
            _ => (*c, None),
        })
}

/// All search keys of the given texts (name, short name), deduplicated. Pinyin keys are
/// taken from the name without its company-form words (有限公司, 集团 …): nobody searches
/// for `youxiangongsi`, and every customer would match it.
pub fn keys_for(texts: &[&str]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for text in texts {
        let chars: Vec<char> = text.chars().collect();
        let core: Vec<char> = normalize_name(text).chars().collect();
        for (c, n) in cjk_pairs(&chars) {
            out.insert(match n {
                Some(n) => format!("c:{c}{n}"),
                None => format!("c:{c}"),
            });
        }
        // Pinyin runs: maximal sequences of characters that have syllables.
        let mut run: Vec<Vec<String>> = Vec::new();
        let mut runs: Vec<Vec<Vec<String>>> = Vec::new();
        for c in &core {
            match syllables(*c) {
                Some(s) => run.push(s),
                None => {
                    if !run.is_empty() {
                        runs.push(std::mem::take(&mut run));
                    }
                }
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for run in &runs {
            for start in 0..run.len() {
                // Inside an ASCII word only the word start is a useful entry point.
                if start > 0
                    && run[start].len() == 1
                    && run[start][0].len() == 1
                    && run[start - 1][0].len() == 1
                {
                    continue;
                }
                expand(run, start, &mut out);
            }
        }
    }
    out.into_iter().collect()
}

/// A customer's search keys: those of its name and, when it has one, its short name.
pub fn customer_keys(name: &str, short_name: Option<&str>) -> Vec<String> {
    match short_name {
        Some(short) => keys_for(&[name, short]),
        None => keys_for(&[name]),
    }
}

/// How a query string is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// CJK text: customers holding every one of these `c:` keys, then a substring check.
    /// With `prefix`, the keys are single characters, each matched as a key prefix.
    Cjk {
        keys: Vec<String>,
        text: String,
        prefix: bool,
    },
    /// ASCII letters/digits: a prefix over `p:` and `i:` keys (and code / phone elsewhere).
    Ascii { prefix: String },
    /// Nothing searchable.
    Empty,
}

/// Normalizes user input into a lookup.
/// Longest query text kept (characters): no name is longer, and the SQL of a search stays
/// small whatever is typed or sent.
pub const MAX_QUERY_CHARS: usize = 64;
/// Most index keys one search looks up; the whole text is still matched against the
/// names found, so fewer keys only widen the candidates.
pub const MAX_QUERY_KEYS: usize = 16;

pub fn parse_query(q: &str) -> Query {
    let text: String = q
        .split_whitespace()
        .flat_map(str::chars)
        .take(MAX_QUERY_CHARS)
        .collect();
    if text.is_empty() {
        return Query::Empty;
    }
    let chars: Vec<char> = text.chars().collect();
    if chars.iter().any(|c| is_cjk(*c)) {
        let cjk: Vec<char> = chars.iter().copied().filter(|c| is_cjk(*c)).collect();
        let mut keys = BTreeSet::new();
        for w in chars.windows(2) {
            if is_cjk(w[0]) && is_cjk(w[1]) {
                keys.insert(format!("c:{}{}", w[0], w[1]));
            }
        }
        let prefix = keys.is_empty();
        if prefix {
            for c in &cjk {
                keys.insert(format!("c:{c}"));
            }
        }
        return Query::Cjk {
            keys: keys.into_iter().take(MAX_QUERY_KEYS).collect(),
            text,
            prefix,
        };
    }
    let prefix: String = chars
        .iter()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if prefix.is_empty() {
        Query::Empty
    } else {
        Query::Ascii {
            prefix: cut(&prefix),
        }
    }
}

/// Upper bound of a prefix range: keys k with `lo <= k < hi` start with `lo`.
pub fn prefix_upper(lo: &str) -> String {
    format!("{lo}\u{10FFFF}")
}

/// Company-form words removed before comparing names for duplicates.
const NAME_NOISE: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团",
    "公司",
    "分公司",
    "(",
    ")",
    "（",
    "）",
    "·",
    ".",
    ",",
    "，",
    "-",
    "_",
    " ",
];

/// A name reduced for duplicate detection: noise words and punctuation dropped, ASCII lower-cased.
pub fn normalize_name(name: &str) -> String {
    let mut s = name.to_lowercase();
    for n in NAME_NOISE {
        s = s.replace(n, "");
    }
    s
}

/// Dice coefficient of the character bigrams of two normalized names (1.0 = same).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    fn grams(s: &str) -> Vec<(char, char)> {
        let c: Vec<char> = s.chars().collect();
        let mut g: Vec<(char, char)> = c.windows(2).map(|w| (w[0], w[1])).collect();
        g.sort_unstable();
        g
    }
    if a == b {
        return 1.0;
    }
    let (ga, gb) = (grams(a), grams(b));
    if ga.is_empty() || gb.is_empty() {
        return 0.0;
    }
    let mut common = 0usize;
    let (mut i, mut j) = (0, 0);
    while i < ga.len() && j < gb.len() {
        match ga[i].cmp(&gb[j]) {
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2.0 * common as f64 / (ga.len() + gb.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shunfeng_keys() {
        let k = keys_for(&["上海顺丰速运有限公司"]);
        assert!(k.contains(&"c:顺丰".to_string()));
        assert!(
            !k.contains(&"c:顺".to_string()),
            "no single character where a bigram starts"
        );
        assert!(
            k.contains(&"c:司".to_string()),
            "but at the end of the name"
        );
        assert!(k.iter().any(|x| x.starts_with("p:shunfeng")));
        assert!(k.iter().any(|x| x.starts_with("i:sf")));
        assert!(k.iter().any(|x| x.starts_with("i:shsf")));
        assert!(k.contains(&"j:sf".to_string()), "{k:?}");
        assert!(k.contains(&"j:sh".to_string()), "{k:?}");
    }

    #[test]
    fn polyphonic_expanded() {
        // 重 reads zhong and chong: both must be searchable, however long the name.
        let k = keys_for(&["重庆长虹汽配有限公司"]);
        assert!(k.iter().any(|x| x.starts_with("p:chongqing")), "{k:?}");
        assert!(k.iter().any(|x| x.starts_with("p:zhongqing")), "{k:?}");
        assert!(k.iter().any(|x| x.starts_with("i:cq")));
    }

    #[test]
    fn ascii_words() {
        let k = keys_for(&["DHL中国"]);
        assert!(k.iter().any(|x| x.starts_with("p:dhlzhongguo")));
        assert!(!k.contains(&"p:hlzhongguo".to_string()));
    }

    #[test]
    fn queries() {
        assert_eq!(
            parse_query("顺丰"),
            Query::Cjk {
                keys: vec!["c:顺丰".into()],
                text: "顺丰".into(),
                prefix: false,
            }
        );
        assert_eq!(
            parse_query("顺"),
            Query::Cjk {
                keys: vec!["c:顺".into()],
                text: "顺".into(),
                prefix: true,
            }
        );
        assert_eq!(
            parse_query(" SF "),
            Query::Ascii {
                prefix: "sf".into()
            }
        );
        assert_eq!(parse_query("  "), Query::Empty);
        match parse_query("顺丰速运") {
            Query::Cjk { keys, .. } => assert_eq!(keys.len(), 3),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duplicates() {
        assert_eq!(normalize_name("顺丰速运（上海）有限公司"), "顺丰速运上海");
        assert!(name_similarity("顺丰速运上海", "顺丰速运上海") > 0.99);
        assert!(name_similarity("顺丰速运上海", "顺丰速运上海浦东") > 0.7);
        assert!(name_similarity("顺丰速运", "德邦物流") < 0.1);
    }
}

#[cfg(test)]
mod size {
    /// The index stays small: a typical company name yields well under 100 keys.
    #[test]
    fn keys_per_name() {
        let n = super::keys_for(&["乌鲁木齐顺丰新材料贸易有限公司", "顺丰新材料"]).len();
        assert!(n < 100, "{n} keys");
        let k = super::keys_for(&["上海顺丰速运有限公司"]);
        assert!(
            !k.iter().any(|x| x.starts_with("p:youxian")),
            "no keys for company-form words"
        );
        assert!(
            k.contains(&"c:公司".to_string()),
            "but the characters stay searchable"
        );
    }
}

#[cfg(test)]
mod query_caps {
    use super::*;

    #[test]
    fn a_long_query_looks_up_a_bounded_number_of_keys() {
        let q = "上海恒通供应链管理有限公司广州南沙冷链物流有限公司".repeat(100);
        match parse_query(&q) {
            Query::Cjk { keys, text, .. } => {
                assert!(keys.len() <= MAX_QUERY_KEYS, "{}", keys.len());
                assert_eq!(text.chars().count(), MAX_QUERY_CHARS);
            }
            other => panic!("{other:?}"),
        }
        match parse_query(&"a1".repeat(10_000)) {
            Query::Ascii { prefix } => assert!(prefix.len() <= MAX_QUERY_CHARS),
            other => panic!("{other:?}"),
        }
    }
}
