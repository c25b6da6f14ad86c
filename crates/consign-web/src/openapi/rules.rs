//! Rules applied to the whole document after its paths and schemas are written: which
//! answer fields may be null, how an empty query value reads, and the links from each
//! create to the operations on what it made.

use serde_json::{json, Value};

/// OpenAPI links from what a create answers to the operations on the record it made (a
/// client, or a stateful test, follows them: create a customer, then read, change,
/// archive it).
pub fn links(doc: &mut Value) {
    // (operation that creates, its status, where the new id is, the paths it opens and
    // where their other ids come from)
    let table: [(&str, &str, &str, &str, &str); 5] = [
        (
            "/api/v1/customers",
            "post",
            "201",
            "$response.body#/customer/id",
            "/api/v1/customers/{id}",
        ),
        (
            "/api/v1/tickets",
            "post",
            "201",
            "$response.body#/ticket/id",
            "/api/v1/tickets/{id}",
        ),
        (
            "/api/v1/imports",
            "post",
            "202",
            "$response.body#/id",
            "/api/v1/imports/{id}",
        ),
        (
            "/api/v1/customers/{id}/tasks",
            "post",
            "201",
            "$response.body#/id",
            "/api/v1/tasks/{id}",
        ),
        (
            "/api/v1/customers/{id}/contacts",
            "post",
            "201",
            "$response.body#/id",
            "/api/v1/customers/{id}/contacts/{cid}",
        ),
    ];
    let Some(paths) = doc.get("paths").and_then(Value::as_object).cloned() else {
        return;
    };
    for (from, method, status, id, prefix) in table {
        let mut found = serde_json::Map::new();
        for (path, ops) in &paths {
            if !(path == prefix || path.starts_with(&format!("{prefix}/"))) {
                continue;
            }
            // Only paths whose ids all come from this answer or from the request.
            let ids = path.matches('{').count();
            if ids > prefix.matches('{').count() {
                continue;
            }
            for m in ops.as_object().into_iter().flat_map(|o| o.keys()) {
                if m == "delete" {
                    continue;
                }
                let mut params = serde_json::Map::new();
                if prefix.ends_with("{cid}") {
                    params.insert("id".into(), json!("$request.path.id"));
                    params.insert("cid".into(), json!(id));
                } else {
                    params.insert("id".into(), json!(id));
                }
                let pointer = path.replace('~', "~0").replace('/', "~1");
                let name: String = format!("{m} {}", &path[prefix.len().min(path.len())..])
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                            .unwrap_or_default()
                    })
                    .collect();
                found.insert(
                    name,
                    json!({"operationRef": format!("#/paths/{pointer}/{m}"), "parameters": params}),
                );
            }
        }
        if !found.is_empty() {
            doc["paths"][from][method]["responses"][status]["links"] = Value::Object(found);
        }
    }
}

/// Calls `f` with every operation of the document.
fn each_operation(doc: &mut Value, mut f: impl FnMut(&mut Value)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for ops in paths.values_mut() {
        ops.as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
            .for_each(&mut f);
    }
}

/// Calls `f` with every parameter of every operation.
fn each_parameter(doc: &mut Value, mut f: impl FnMut(&mut Value)) {
    each_operation(doc, |op| {
        op.get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .for_each(&mut f)
    });
}

/// Calls `f` with every object of the document, however deep (the schemas among them).
fn each_object(v: &mut Value, f: &mut impl FnMut(&mut serde_json::Map<String, Value>)) {
    match v {
        Value::Object(m) => {
            f(m);
            m.values_mut().for_each(|x| each_object(x, f));
        }
        Value::Array(a) => a.iter_mut().for_each(|x| each_object(x, f)),
        _ => {}
    }
}

/// Operations anyone may call without a token (public tracking): no security
/// requirement, and their own refusal when called too often (429).
pub fn public(doc: &mut Value, ops: &[(&str, &str)]) {
    for (path, method) in ops {
        let op = doc
            .get_mut("paths")
            .and_then(|p| p.get_mut(*path))
            .and_then(|p| p.get_mut(*method));
        if let Some(op) = op.filter(|o| o.is_object()) {
            op["security"] = json!([]);
            op["responses"]["429"] = json!({"$ref": "#/components/responses/Problem"});
        }
    }
}

/// Every operation may answer a problem (RFC 9457): bad input, no credentials, no right,
/// not found, a conflict, a rule broken. An operation that names one itself keeps it.
pub fn problems(doc: &mut Value) {
    each_operation(doc, |op| {
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for status in ["400", "401", "403", "404", "409", "422"] {
                responses
                    .entry(status)
                    .or_insert_with(|| json!({"$ref": "#/components/responses/Problem"}));
            }
        }
    });
}

/// The range of each integer format the derived schemas name (the Rust type of the field):
/// a value outside it is refused by the server, so the document says so.
pub fn integer_bounds(doc: &mut Value) {
    each_object(doc, &mut |m| {
        let range: Option<(i128, i128)> = match m.get("format").and_then(Value::as_str) {
            Some("int8") => Some((i8::MIN.into(), i8::MAX.into())),
            Some("uint8" | "u-int8") => Some((0, u8::MAX.into())),
            Some("int16") => Some((i16::MIN.into(), i16::MAX.into())),
            Some("uint16" | "u-int16") => Some((0, u16::MAX.into())),
            Some("int32") => Some((i32::MIN.into(), i32::MAX.into())),
            Some("uint32" | "u-int32") => Some((0, u32::MAX.into())),
            Some("int64") => Some((i64::MIN.into(), i64::MAX.into())),
            Some("uint64" | "u-int64") => Some((0, u64::MAX.into())),
            _ => None,
        };
        if let Some((lo, hi)) = range {
            let lo = m
                .get("minimum")
                .and_then(Value::as_i64)
                .map_or(lo, |x| lo.max(x.into()));
            let hi = m
                .get("maximum")
                .and_then(Value::as_u64)
                .map_or(hi, |x| hi.min(x.into()));
            let num = |x: i128| {
                i64::try_from(x)
                    .map(Value::from)
                    .or_else(|_| u64::try_from(x).map(Value::from))
                    .unwrap_or(Value::Null)
            };
            m.insert("minimum".into(), num(lo));
            m.insert("maximum".into(), num(hi));
            m.remove("format");
        }
    });
}

/// What a field reads as when absent is said in its description; the `default` values the
/// derivation copies from `Default` impls (null, empty text) are no example of valid input.
pub fn no_defaults(doc: &mut Value) {
    each_object(doc, &mut |m| {
        if m.contains_key("type") || m.contains_key("oneOf") || m.contains_key("$ref") {
            m.remove("default");
        }
    });
}

/// A query or header value is text: absent, not null. Optional parameters of the derived
/// operations (`Option<T>` fields) say `null` as one of their types; it is dropped.
pub fn query_values_not_null(doc: &mut Value) {
    each_parameter(doc, |p| {
        if p["in"] != "query" && p["in"] != "header" {
            return;
        }
        if let Some(types) = p["schema"].get_mut("type").and_then(Value::as_array_mut) {
            types.retain(|t| t != "null");
            if types.len() == 1 {
                let t = types.remove(0);
                p["schema"]["type"] = t;
            }
        }
    });
}

/// White space alone, as Rust's `char::is_whitespace` (and so `str::trim`) reads it,
/// spelled out so that every regex dialect agrees (`\s` differs between them).
pub const BLANK: &str =
    r"^[\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";

/// A query parameter sent empty (`page=`, as an HTML form sends a field left blank) or
/// white space alone is read as absent, whatever its type (values are read trimmed):
/// the document says so for each one.
pub fn empty_means_absent(doc: &mut Value) {
    each_parameter(doc, |p| {
        if p["in"] == "query" && p["required"] != true {
            let schema = p["schema"].take();
            p["schema"] = json!({"anyOf": [schema, {"type": "string", "pattern": BLANK}]});
        }
    });
}
