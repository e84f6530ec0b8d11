//! What a JSON Schema value says, read without judging: its types, values, bounds, properties,
//! dependencies, tuples and references; and two schemas combined when that is plain.

use serde_json::{Map, Value};

/// Keywords that describe and never constrain.
pub(super) const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "format",
    "definitions",
    "$defs",
    "contentEncoding",
    "contentMediaType",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Draft {
    /// Draft-07 and older: keywords next to `$ref` are ignored.
    Seven,
    /// 2019-09 and 2020-12: they apply.
    Later,
    /// Not stated.
    Unknown,
}

pub(super) fn draft(root: &Value) -> Draft {
    match root.get("$schema").and_then(Value::as_str) {
        Some(s) if s.contains("draft-07") || s.contains("draft-06") || s.contains("draft-04") => Draft::Seven,
        Some(s) if s.contains("2019-09") || s.contains("2020-12") => Draft::Later,
        _ => Draft::Unknown,
    }
}

/// A JSON pointer inside `root` (`#`, `#/a/b`, with `~0` / `~1` and percent escapes).
pub(super) fn pointer<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    let frag = reference.strip_prefix('#')?;
    if frag.is_empty() {
        return Some(root);
    }
    // Percent escapes (`%25` and friends) as URI fragments carry them.
    let b = frag.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%' && i + 3 <= b.len())
            .then(|| std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()))
            .flatten();
        match hex {
            Some(h) => {
                bytes.push(h);
                i += 3;
            }
            None => {
                bytes.push(b[i]);
                i += 1;
            }
        }
    }
    let decoded = String::from_utf8(bytes).ok()?;
    root.pointer(&decoded)
}

/// Whether a schema holds a `$ref` anywhere.
pub(super) fn has_ref(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("$ref") || m.values().any(has_ref),
        Value::Array(a) => a.iter().any(has_ref),
        _ => false,
    }
}

pub(super) fn obj(v: &Value) -> Option<&Map<String, Value>> {
    v.as_object()
}

/// The schema without the given keys.
pub(super) fn without(v: &Value, keys: &[&str]) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter().filter(|(k, _)| !keys.contains(&k.as_str())).map(|(k, x)| (k.clone(), x.clone())).collect(),
        ),
        other => other.clone(),
    }
}

/// Whether a schema object constrains anything (annotations aside).
pub(super) fn constrains(m: &Map<String, Value>) -> bool {
    m.keys().any(|k| !ANNOTATIONS.contains(&k.as_str()))
}

/// Accepts everything: `true` or a schema with nothing but annotations.
pub(super) fn accepts_anything(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Object(m) => !constrains(m),
        _ => false,
    }
}

pub(super) const TYPES: &[&str] = &["null", "boolean", "object", "array", "number", "string", "integer"];

/// The JSON types a schema allows at most: its `type`, else the types of its `enum` / `const`
/// values, else all.
pub(super) fn types(v: &Value) -> Vec<String> {
    match v.get("type") {
        Some(Value::String(t)) => return vec![t.clone()],
        Some(Value::Array(a)) => return a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
        _ => {}
    }
    if let Some(values) = enum_of(v) {
        let mut out: Vec<String> = Vec::new();
        for x in values {
            let t = match x {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Object(_) => "object",
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                Value::Number(_) => "number",
            };
            if !out.iter().any(|o| o == t) {
                out.push(t.to_owned());
            }
        }
        return out;
    }
    TYPES.iter().map(|t| t.to_string()).collect()
}

pub(super) fn covered(t: &str, by: &[String]) -> bool {
    by.iter().any(|b| b == t || (t == "integer" && b == "number"))
}

/// No value can satisfy both: their types do not meet.
pub(super) fn disjoint(a: &Value, b: &Value) -> bool {
    if matches!(a, Value::Bool(false)) || matches!(b, Value::Bool(false)) {
        return true;
    }
    let (ta, tb) = (types(a), types(b));
    !ta.iter().any(|t| covered(t, &tb) || tb.iter().any(|u| covered(u, std::slice::from_ref(t))))
}

/// `enum`, or `const` as a one-value enum.
pub(super) fn enum_of(v: &Value) -> Option<Vec<Value>> {
    if let Some(c) = v.get("const") {
        return Some(vec![c.clone()]);
    }
    v.get("enum").and_then(Value::as_array).cloned()
}

pub(super) fn num(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}

pub(super) fn required(v: &Value) -> Vec<String> {
    v.get("required")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

pub(super) fn props(v: &Value) -> Option<&Map<String, Value>> {
    v.get("properties").and_then(Value::as_object)
}

/// The schema for additional properties: `None` when absent (anything goes).
pub(super) fn additional(v: &Value) -> Option<&Value> {
    v.get("additionalProperties")
}

pub(super) fn is_closed(v: &Value) -> bool {
    matches!(additional(v), Some(Value::Bool(false)))
}

/// `dependentRequired` and the array form of `dependencies`: property → properties it needs.
pub(super) fn dependencies(v: &Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for k in ["dependentRequired", "dependencies"] {
        if let Some(m) = v.get(k).and_then(Value::as_object) {
            for (name, needs) in m {
                if let Some(a) = needs.as_array() {
                    out.push((name.clone(), a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()));
                }
            }
        }
    }
    out
}

/// The schema form of `dependencies` and `dependentSchemas`, which are not compared.
pub(super) fn schema_dependencies(v: &Value) -> Value {
    let mut out = Map::new();
    if let Some(m) = v.get("dependencies").and_then(Value::as_object) {
        out.extend(m.iter().filter(|(_, x)| !x.is_array()).map(|(k, x)| (k.clone(), x.clone())));
    }
    if let Some(m) = v.get("dependentSchemas").and_then(Value::as_object) {
        out.extend(m.iter().map(|(k, x)| (k.clone(), x.clone())));
    }
    Value::Object(out)
}

/// The tuple part of an array schema and the schema for the elements after it.
pub(super) fn tuple(v: &Value) -> (Vec<Value>, Value) {
    let rest_or_true = |x: Option<&Value>| x.cloned().unwrap_or(Value::Bool(true));
    if let Some(p) = v.get("prefixItems").and_then(Value::as_array) {
        return (p.clone(), rest_or_true(v.get("items")));
    }
    match v.get("items") {
        Some(Value::Array(a)) => (a.clone(), rest_or_true(v.get("additionalItems"))),
        other => (Vec::new(), rest_or_true(other)),
    }
}

/// Two schemas as one (their intersection), when that is plain: no key set differently in both
/// except `required` (joined) and `properties` with different names.
pub(super) fn merge(a: &Value, b: &Value) -> Option<Value> {
    let (Some(ma), Some(mb)) = (obj(a), obj(b)) else {
        return match (a, b) {
            (Value::Bool(true), x) | (x, Value::Bool(true)) => Some(x.clone()),
            _ => None,
        };
    };
    let mut out = ma.clone();
    for (k, v) in mb {
        match (out.get(k), k.as_str()) {
            (None, _) => {
                out.insert(k.clone(), v.clone());
            }
            (Some(x), _) if x == v => {}
            (Some(Value::Array(x)), "required") => {
                let mut all = x.clone();
                all.extend(v.as_array()?.iter().filter(|r| !x.contains(r)).cloned());
                out.insert(k.clone(), Value::Array(all));
            }
            (Some(Value::Object(x)), "properties") => {
                let y = v.as_object()?;
                if x.keys().any(|n| y.get(n).is_some_and(|s| Some(s) != x.get(n))) {
                    return None;
                }
                let mut all = x.clone();
                all.extend(y.iter().map(|(n, s)| (n.clone(), s.clone())));
                out.insert(k.clone(), Value::Object(all));
            }
            _ => return None,
        }
    }
    Some(Value::Object(out))
}
