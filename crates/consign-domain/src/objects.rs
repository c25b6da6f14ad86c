//! Structs read from JSON objects only. serde's derive also reads a struct from an array
//! of its fields in order (and one whose fields all have defaults from `[]`), which no
//! client means and the API document does not allow: fields holding structs say so with
//! `#[serde(deserialize_with = "crate::objects::object")]` (or `nested` for maps of them).

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// A value read from a map only.
pub struct Obj<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapOnly<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for MapOnly<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(MapOnly(PhantomData)).map(Obj)
    }
}

/// A struct field read from a JSON object only.
pub fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Obj::<T>::deserialize(d).map(|o| o.0)
}

/// A map of maps of structs, each struct read from a JSON object only.
pub fn nested<'de, D, T>(d: D) -> Result<BTreeMap<String, BTreeMap<String, T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let m = BTreeMap::<String, BTreeMap<String, Obj<T>>>::deserialize(d)?;
    Ok(m.into_iter()
        .map(|(k, inner)| (k, inner.into_iter().map(|(k, v)| (k, v.0)).collect()))
        .collect())
}

#[cfg(test)]
mod tests {
    use crate::service::SlaPolicy;

    #[test]
    fn structs_come_from_objects_only() {
        let ok: Result<SlaPolicy, _> = serde_json::from_str(r#"{"calendar": {}}"#);
        assert!(ok.is_ok());
        for bad in [
            r#"{"calendar": []}"#,
            r#"{"targets": {"a": {"high": [30, 240]}}}"#,
        ] {
            assert!(serde_json::from_str::<SlaPolicy>(bad).is_err(), "{bad}");
        }
        let t: SlaPolicy = serde_json::from_str(
            r#"{"targets": {"a": {"high": {"first_response_minutes": 30, "resolution_minutes": 240}}}}"#,
        )
        .expect("targets");
        assert_eq!(t.targets["a"]["high"].resolution_minutes, 240);
    }
}
