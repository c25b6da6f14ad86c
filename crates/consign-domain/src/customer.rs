//! The customer archive's vocabulary (SPEC §1).

use serde::{Deserialize, Serialize};

/// Declares a closed set of values with a stable wire/database name and a message key.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $prefix:literal, { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// Service modes a customer uses.
    ServiceMode, "mode", {
        Express => "express",
        Ltl => "ltl",
        Ftl => "ftl",
        Warehousing => "warehousing",
        ColdChain => "cold_chain",
        International => "international",
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
