//! Query parameters every list shares (page, page size, yes/no filters), read strictly:
//! a value that is not one of the accepted spellings is an error the caller sees, never
//! a silent default. An empty value is the same as an absent one (HTML forms send them).

/// The last page a list serves: past it the offset would be meaningless (and could
/// overflow), so a higher number is refused rather than clamped.
pub const MAX_PAGE: u64 = 100_000;

/// The spellings of yes and no a filter accepts (documented in the OpenAPI enum).
pub const FLAG_SPELLINGS: [&str; 8] = ["1", "true", "yes", "on", "0", "false", "no", "off"];

/// A query value as given: trimmed, and None when absent or empty.
pub fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// A yes/no filter: absent or empty is no.
/// The spellings of a yes/no query value (`FLAG_SPELLINGS`), for the API's document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum Flag {
    #[schema(rename = "1")]
    One,
    #[schema(rename = "true")]
    True,
    #[schema(rename = "yes")]
    Yes,
    #[schema(rename = "on")]
    On,
    #[schema(rename = "0")]
    Zero,
    #[schema(rename = "false")]
    False,
    #[schema(rename = "no")]
    No,
    #[schema(rename = "off")]
    Off,
}

pub fn flag(s: Option<&str>) -> Result<bool, &'static str> {
    match given(s) {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(_) => Err("err.invalid_choice"),
    }
}

/// A number as a query gives it: absent or empty is None.
fn number(s: Option<&str>) -> Result<Option<u64>, &'static str> {
    given(s)
        .map(|p| p.parse().map_err(|_| "err.invalid_number"))
        .transpose()
}

/// A page number, 1 to [`MAX_PAGE`]; absent or empty is the first page.
pub fn page(s: Option<&str>) -> Result<u64, &'static str> {
    page_no(number(s)?)
}

/// A page number already read as a number (API queries).
pub fn page_no(p: Option<u64>) -> Result<u64, &'static str> {
    match p {
        None => Ok(1),
        Some(p) if (1..=MAX_PAGE).contains(&p) => Ok(p),
        Some(_) => Err("err.invalid_number"),
    }
}

/// A page size, 1 to `max`; absent or empty is `default`.
pub fn per_page(s: Option<&str>, default: u64, max: u64) -> Result<u64, &'static str> {
    per_page_no(number(s)?, default, max)
}

/// A page size already read as a number (API queries): 1 to `max`, absent is `default`.
pub fn per_page_no(p: Option<u64>, default: u64, max: u64) -> Result<u64, &'static str> {
    match p {
        None => Ok(default),
        Some(p) if (1..=max).contains(&p) => Ok(p),
        Some(_) => Err("err.invalid_number"),
    }
}

/// The row offset of a page (never overflows: pages are bounded).
/// The pages of `total` rows, `per_page` a page (at least one).
pub fn pages(total: u64, per_page: u64) -> u64 {
    total.div_ceil(per_page.max(1)).max(1)
}

/// Whether a list has a page after `page`: one of the pages counted, or, when the count
/// stopped at its cap (`capped`), any page after a full one (`shown` rows).
pub fn has_next(page: u64, per_page: u64, total: u64, capped: bool, shown: usize) -> bool {
    page < pages(total, per_page) || (capped && shown as u64 == per_page)
}

pub fn offset(page: u64, per_page: u64) -> u64 {
    page.clamp(1, MAX_PAGE)
        .saturating_sub(1)
        .saturating_mul(per_page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_read_strictly() {
        assert_eq!(flag(None), Ok(false));
        assert_eq!(flag(Some(" ")), Ok(false));
        assert_eq!(flag(Some("on")), Ok(true));
        assert_eq!(flag(Some("0")), Ok(false));
        assert_eq!(flag(Some("AAA")), Err("err.invalid_choice"));
        for s in FLAG_SPELLINGS {
            assert!(flag(Some(s)).is_ok(), "{s}");
        }
    }

    #[test]
    fn pages_are_bounded() {
        assert_eq!(page(None), Ok(1));
        assert_eq!(page(Some("3")), Ok(3));
        assert_eq!(page(Some("0")), Err("err.invalid_number"));
        assert_eq!(page(Some("100001")), Err("err.invalid_number"));
        assert_eq!(
            page(Some("11900520549963190272")),
            Err("err.invalid_number")
        );
        assert_eq!(page_no(Some(MAX_PAGE + 1)), Err("err.invalid_number"));
        assert_eq!(per_page(Some("501"), 50, 500), Err("err.invalid_number"));
        assert_eq!(per_page(Some(""), 50, 500), Ok(50));
        assert_eq!(offset(MAX_PAGE, 500), (MAX_PAGE - 1) * 500);
        assert_eq!(offset(u64::MAX, u64::MAX), u64::MAX);
    }
}
