//! The customer archive's vocabulary (SPEC §1).

use serde::{Deserialize, Serialize};

/// Declares a closed set of values with a stable wire/database name and a message key.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $prefix:literal, { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s.trim() { $($s => Some($name::$variant),)+ _ => None }
            }
            /// Message key of the localized label.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, ".", $s)),+ }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// Kind of customer (seed 第五条: 个人客户 / 企业客户 / 政府及其他机构).
    CustomerKind, "kind", {
        Individual => "individual",
        Enterprise => "enterprise",
        Government => "government",
    }
);

vocabulary!(
    /// Level of a government body or institution.
    GovLevel, "gov_level", {
        National => "national",
        Provincial => "provincial",
        Municipal => "municipal",
    }
);

vocabulary!(
    /// Service modes a customer uses. `other`: a carrier product no table or keyword
    /// places (its name is kept on the shipment), never guessed into one of the others.
    ServiceMode, "mode", {
        Express => "express",
        Ltl => "ltl",
        Ftl => "ftl",
        Warehousing => "warehousing",
        ColdChain => "cold_chain",
        International => "international",
        Other => "other",
    }
);

vocabulary!(
    /// Where a customer record came from; the seed says keep them apart.
    DataSource, "source", {
        Internal => "internal",
        External => "external",
    }
);

vocabulary!(
    /// Commercial status of the relationship.
    CustomerStatus, "status", {
        Prospect => "prospect",
        Active => "active",
        Suspended => "suspended",
        Lost => "lost",
    }
);

vocabulary!(
    /// Industries the demo and the filters know; free text is allowed too.
    Industry, "industry", {
        Ecommerce => "ecommerce",
        Manufacturing => "manufacturing",
        ColdChainFood => "cold_chain_food",
        Pharmaceuticals => "pharmaceuticals",
        AutoParts => "auto_parts",
        Retail => "retail",
        Electronics => "electronics",
        Chemicals => "chemicals",
        Textiles => "textiles",
        Agriculture => "agriculture",
        PublicSector => "public_sector",
        Personal => "personal",
        Other => "other",
    }
);

/// Joins a set of service modes for storage: `,express,ltl,` (leading and trailing
/// commas let a filter match one mode with `LIKE '%,ltl,%'`).
pub fn join_modes(modes: &[ServiceMode]) -> String {
    if modes.is_empty() {
        return String::new();
    }
    let mut s = String::from(",");
    for m in ServiceMode::ALL {
        if modes.contains(m) {
            s.push_str(m.as_str());
            s.push(',');
        }
    }
    s
}

pub fn split_modes(s: &str) -> Vec<ServiceMode> {
    s.split(',').filter_map(ServiceMode::parse).collect()
}

/// The 31 provincial-level divisions of the mainland, for the region filter.
pub const PROVINCES: &[&str] = &[
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_roundtrip() {
        let s = join_modes(&[ServiceMode::Ltl, ServiceMode::Express]);
        assert_eq!(s, ",express,ltl,");
        assert_eq!(
            split_modes(&s),
            vec![ServiceMode::Express, ServiceMode::Ltl]
        );
        assert_eq!(join_modes(&[]), "");
    }

    #[test]
    fn vocab() {
        assert_eq!(
            CustomerKind::parse("government"),
            Some(CustomerKind::Government)
        );
        assert_eq!(CustomerKind::parse("x"), None);
        assert_eq!(GovLevel::National.label_key(), "gov_level.national");
    }
}

/// A customer's id. Only [`CustomerId::parse`] makes one from outside text (a path, a
/// form, an API body); the API writes it as a string (JavaScript loses precision above
/// 2^53) and reads a string or an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerId(i64);

impl CustomerId {
    /// An id from outside: digits (surrounding spaces allowed), at least 1.
    pub fn parse(s: &str) -> Result<CustomerId, &'static str> {
        let t = s.trim();
        let t = t.strip_prefix('+').unwrap_or(t);
        match t.parse::<i64>() {
            Ok(v) if v > 0 && t.bytes().all(|b| b.is_ascii_digit()) => Ok(CustomerId(v)),
            _ => Err("err.not_found"),
        }
    }

    /// A record's reference to its customer by id (an API body, an import cell): text
    /// that is no integer is a format error; an integer that no customer can have (0,
    /// negative) is an unknown customer, as an id that does not exist is.
    pub fn parse_ref(s: &str) -> Result<CustomerId, &'static str> {
        match s.trim().parse::<i64>() {
            Err(_) => Err("err.integer_format"),
            Ok(_) => CustomerId::parse(s).map_err(|_| "err.unknown_customer"),
        }
    }

    /// An id read back from the database (or just assigned by it).
    pub fn trusted(v: i64) -> CustomerId {
        CustomerId(v)
    }

    /// The number, for the store's queries.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for CustomerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for CustomerId {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CustomerId::parse(s)
    }
}

impl Serialize for CustomerId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CustomerId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Text(String),
        }
        let bad = |_| serde::de::Error::custom("expected a customer id");
        match Raw::deserialize(d)? {
            Raw::Int(v) if v > 0 => Ok(CustomerId(v)),
            Raw::Int(_) => Err(serde::de::Error::custom("expected a customer id")),
            Raw::Text(s) => CustomerId::parse(&s).map_err(bad),
        }
    }
}

/// A customer code (客户编号): 2–32 of A–Z, 0–9, `-` and `_`, upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CustomerCode(String);

impl CustomerCode {
    /// A code from outside, trimmed and upper-cased.
    pub fn parse(s: &str) -> Result<CustomerCode, &'static str> {
        let t = s.trim().to_ascii_uppercase();
        if t.is_empty() {
            return Err("err.required");
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if t.len() < 2 || t.len() > 32 || !t.chars().all(allowed) {
            return Err("err.code_format");
        }
        Ok(CustomerCode(t))
    }

    /// A code read back from the database (where only parsed codes are written) or
    /// generated from the numbering sequence.
    pub fn trusted(s: String) -> CustomerCode {
        CustomerCode(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::ops::Deref for CustomerCode {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CustomerCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A contact's phone number reduced to digits: a mainland mobile (11 digits starting
/// 1[3-9]) or a landline with its area code (0 + 9–11 digits), `+86`/`0086` dropped.
/// Personal data: its `Debug` is masked and it has no `Display`; the digits come out only
/// through [`Phone::digits`] (to encrypt, hash or reveal) or [`Phone::masked`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(s: &str) -> Result<Phone, &'static str> {
        let mut t: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '（' | '）'))
            .collect();
        if let Some(rest) = t.strip_prefix("+86") {
            t = rest.to_string();
        } else if let Some(rest) = t.strip_prefix("0086") {
            t = rest.to_string();
        }
        if !t.chars().all(|c| c.is_ascii_digit()) {
            return Err("err.phone_format");
        }
        let b = t.as_bytes();
        let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        let landline = b.len() >= 10 && b.len() <= 12 && b[0] == b'0';
        if mobile || landline {
            Ok(Phone(t))
        } else {
            Err("err.phone_format")
        }
    }

    /// A number decrypted from the database, where only parsed numbers are written.
    pub fn trusted(s: String) -> Phone {
        Phone(s)
    }

    /// The digits: for encryption, the search hash and an audited reveal only.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// 13812345678 → 138****5678.
    pub fn masked(&self) -> String {
        crate::mask::phone(&self.0)
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn customer_ids_come_from_digits_only() {
        assert_eq!(CustomerId::parse(" 42 "), Ok(CustomerId::trusted(42)));
        assert_eq!(CustomerId::parse("+7").map(CustomerId::get), Ok(7));
        for bad in ["", "0", "-3", "4x", "1.5", "99999999999999999999", "１２"] {
            assert_eq!(CustomerId::parse(bad), Err("err.not_found"), "{bad:?}");
        }
        assert_eq!(CustomerId::parse_ref("x1"), Err("err.integer_format"));
        assert_eq!(CustomerId::parse_ref("0"), Err("err.unknown_customer"));
        assert_eq!(CustomerId::parse_ref(" 8 ").map(CustomerId::get), Ok(8));
        let id = CustomerId::trusted(9_007_199_254_740_993);
        assert_eq!(
            serde_json::to_string(&id).ok(),
            Some("\"9007199254740993\"".into())
        );
        assert_eq!(id.to_string(), "9007199254740993");
        let read = |j: &str| {
            serde_json::from_str::<CustomerId>(j)
                .map(CustomerId::get)
                .ok()
        };
        assert_eq!(read("\"12\""), Some(12));
        assert_eq!(read("12"), Some(12));
        assert_eq!(read("0"), None);
        assert_eq!(read("\"abc\""), None);
    }

    #[test]
    fn codes_are_upper_case_ascii() {
        assert_eq!(
            CustomerCode::parse(" sf-001 ").map(CustomerCode::into_string),
            Ok("SF-001".into())
        );
        assert_eq!(CustomerCode::parse("客户1"), Err("err.code_format"));
        assert_eq!(CustomerCode::parse("A"), Err("err.code_format"));
        assert_eq!(CustomerCode::parse(""), Err("err.required"));
    }

    #[test]
    fn phones_are_digits_and_print_masked() {
        let p = |s: &str| Phone::parse(s).map(|p| p.digits().to_string());
        assert_eq!(p("138 0013 8000"), Ok("13800138000".into()));
        assert_eq!(p("+86 139-1234-5678"), Ok("13912345678".into()));
        assert_eq!(p("021-62345678"), Ok("02162345678".into()));
        for bad in ["12345", "1280013800a", "12800138000"] {
            assert_eq!(p(bad), Err("err.phone_format"), "{bad:?}");
        }
        let phone = Phone::parse("13912345678").ok();
        assert_eq!(format!("{phone:?}"), "Some(Phone(139****5678))");
    }
}
