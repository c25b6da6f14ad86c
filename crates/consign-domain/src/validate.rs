//! Validated values. Invalid input never reaches the database: parsers return a
//! [`FieldError`] whose `code` is a message key localized by the caller.

use serde::Serialize;

/// One field's problem: the field name as the client sent it and a message key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
}

/// Collected problems of one form or request body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self(Vec::new())
    }
    pub fn add(&mut self, field: impl Into<String>, code: &'static str) {
        self.0.push(FieldError {
            field: field.into(),
            code,
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.code)
    }
    /// Runs a parser and records its error under `field`.
    pub fn check<T>(&mut self, field: &str, r: Result<T, &'static str>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(code) => {
                self.add(field, code);
                None
            }
        }
    }
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

/// Trims and collapses inner runs of whitespace (names pasted from Excel carry stray spaces).
pub fn clean_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A required text of at most `max` characters.
pub fn required_text(s: &str, max: usize) -> Result<String, &'static str> {
    let t = clean_text(s);
    if t.is_empty() {
        Err("err.required")
    } else if t.chars().count() > max {
        Err("err.too_long")
    } else {
        Ok(t)
    }
}

/// An optional text of at most `max` characters (empty → None).
pub fn optional_text(s: &str, max: usize) -> Result<Option<String>, &'static str> {
    let t = clean_text(s);
    if t.is_empty() {
        Ok(None)
    } else if t.chars().count() > max {
        Err("err.too_long")
    } else {
        Ok(Some(t))
    }
}

/// A day written `YYYY-MM-DD` (empty → None).
pub fn optional_day(s: &str) -> Result<Option<chrono::NaiveDate>, &'static str> {
    match s.trim() {
        "" => Ok(None),
        t => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| "err.date_format"),
    }
}

/// A day written `YYYY-MM-DD`, required.
pub fn required_day(s: &str) -> Result<chrono::NaiveDate, &'static str> {
    optional_day(s)?.ok_or("err.date_format")
}

/// A plausible e-mail address (one `@`, a dot in the domain, no spaces), lower-cased domain.
pub fn email(s: &str) -> Result<String, &'static str> {
    let t = s.trim();
    let Some((local, domain)) = t.split_once('@') else {
        return Err("err.email_format");
    };
    if local.is_empty()
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || t.chars().any(char::is_whitespace)
        || domain.contains('@')
        || t.len() > 254
    {
        return Err("err.email_format");
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters with a check digit.
pub fn uscc(s: &str) -> Result<String, &'static str> {
    let t = s.trim().to_ascii_uppercase();
    if t.chars().count() != 18 {
        return Err("err.uscc_format");
    }
    let mut sum = 0u32;
    let chars: Vec<char> = t.chars().collect();
    for (i, c) in chars.iter().take(17).enumerate() {
        let Some(v) = USCC_CHARS.find(*c) else {
            return Err("err.uscc_format");
        };
        sum += v as u32 * USCC_WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    let expected = USCC_CHARS.chars().nth(check as usize);
    if expected != Some(chars[17]) {
        return Err("err.uscc_checksum");
    }
    Ok(t)
}

/// Computes the check character for the first 17 characters of a USCC (used by the demo).
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    for (i, c) in first17.chars().take(17).enumerate() {
        sum += USCC_CHARS.find(c)? as u32 * USCC_WEIGHTS[i];
    }
    USCC_CHARS.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// Mainland resident ID number (18 characters, ISO 7064 MOD 11-2 check).
pub fn id_number(s: &str) -> Result<String, &'static str> {
    let t = s.trim().to_ascii_uppercase();
    let b: Vec<char> = t.chars().collect();
    if b.len() != 18 || !b[..17].iter().all(|c| c.is_ascii_digit()) {
        return Err("err.id_number_format");
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    if C[(sum % 11) as usize] != b[17] {
        return Err("err.id_number_checksum");
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uscc_check() {
        // A well-formed code built with the check function validates; one changed character fails.
        let first = "91310000MA1FL3LX2";
        let c = uscc_check_char(first).expect("valid chars");
        let code = format!("{first}{c}");
        assert_eq!(uscc(&code), Ok(code.clone()));
        let bad = format!("{first}{}", if c == '0' { '1' } else { '0' });
        assert_eq!(uscc(&bad), Err("err.uscc_checksum"));
        assert_eq!(uscc("123"), Err("err.uscc_format"));
    }

    #[test]
    fn id_numbers() {
        assert_eq!(
            id_number("11010519491231002X"),
            Ok("11010519491231002X".into())
        );
        assert_eq!(
            id_number("110105194912310021"),
            Err("err.id_number_checksum")
        );
    }

    #[test]
    fn emails() {
        assert_eq!(email("Li.Lei@Example.COM"), Ok("Li.Lei@example.com".into()));
        assert!(email("no-at-sign").is_err());
        assert!(email("a@b").is_err());
    }
}
