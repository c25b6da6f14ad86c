//! Serialization helpers: the API carries ids as strings (JavaScript clients lose
//! precision above 2^53).

use serde::Serializer;

pub fn id<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

pub fn opt_id<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.collect_str(x),
        None => s.serialize_none(),
    }
}
