//! JSON Schema: keyword checks with positions, and compatibility by the Confluent rules this
//! engine covers (see [`accepts_all`]).

use super::avro::SchemaError;
use super::json::{self, Json, Pos, Spanned};

const TYPES: &[&str] = &["null", "boolean", "object", "array", "number", "string", "integer"];

/// A parsed JSON Schema document (its positions kept for errors).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSchemaDoc {
    pub root: Spanned,
}

fn err<T>(pos: Pos, message: impl Into<String>) -> Result<T, SchemaError> {
    Err(SchemaError { pos, message: message.into() })
}

impl JsonSchemaDoc {
    pub fn parse(text: &str) -> Result<Self, SchemaError> {
        let root = json::parse(text).map_err(|e| SchemaError { pos: e.pos, message: e.message })?;
        validate(&root)?;
        Ok(Self { root })
    }
}

fn validate(s: &Spanned) -> Result<(), SchemaError> {
    let Json::Object(members) = &s.value else {
        return match s.value {
            Json::Bool(_) => Ok(()),
            _ => err(s.pos, format!("a schema must be an object or a boolean, not {}", s.kind())),
        };
    };
    for (k, v) in members {
        match k.value.as_str() {
            "type" => {
                let names: Vec<&Spanned> = match &v.value {
                    Json::String(_) => vec![v],
                    Json::Array(items) if !items.is_empty() => items.iter().collect(),
                    _ => return err(v.pos, "\"type\" must be a type name or a non-empty array of them"),
                };
                for (i, n) in names.iter().enumerate() {
                    match n.as_str() {
                        Some(t) if TYPES.contains(&t) => {
                            if names[..i].iter().any(|m| m.as_str() == Some(t)) {
                                return err(n.pos, format!("\"type\" lists `{t}` twice"));
                            }
                        }
                        Some(t) => {
                            return err(
                                n.pos,
                                format!("`{t}` is not a JSON Schema type; expected one of {}", TYPES.join(", ")),
                            );
                        }
                        None => return err(n.pos, "a type name must be a string"),
                    }
                }
            }
            "properties" | "definitions" | "$defs" | "patternProperties" => match &v.value {
                Json::Object(props) => props.iter().try_for_each(|(_, p)| validate(p))?,
                _ => return err(v.pos, format!("\"{}\" must be an object of schemas", k.value)),
            },
            "required" => match &v.value {
                Json::Array(items) => {
                    let mut seen = std::collections::HashSet::new();
                    for it in items {
                        let Some(name) = it.as_str() else {
                            return err(it.pos, "\"required\" lists property names, as strings");
                        };
                        if !seen.insert(name) {
                            return err(it.pos, format!("\"required\" lists `{name}` twice"));
                        }
                    }
                }
                _ => return err(v.pos, "\"required\" must be an array of property names"),
            },
            "items" | "additionalItems" | "not" | "contains" | "propertyNames" | "if" | "then" | "else" => {
                match &v.value {
                    Json::Array(items) if k.value == "items" => items.iter().try_for_each(validate)?,
                    _ => validate(v)?,
                }
            }
            "additionalProperties" => validate(v)?,
            "allOf" | "anyOf" | "oneOf" => match &v.value {
                Json::Array(items) if !items.is_empty() => items.iter().try_for_each(validate)?,
                _ => return err(v.pos, format!("\"{}\" must be a non-empty array of schemas", k.value)),
            },
            "enum" => match &v.value {
                Json::Array(items) if !items.is_empty() => {}
                _ => return err(v.pos, "\"enum\" must be a non-empty array"),
            },
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties"
                if v.to_value().as_u64().is_none() =>
            {
                return err(v.pos, format!("\"{}\" must be a whole number, 0 or more", k.value));
            }
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf"
                if !matches!(v.value, Json::Number(..)) =>
            {
                return err(v.pos, format!("\"{}\" must be a number", k.value));
            }
            "$ref" | "$id" | "$schema" | "title" | "description" | "pattern" | "format" if v.as_str().is_none() => {
                return err(v.pos, format!("\"{}\" must be a string", k.value));
            }
            _ => {}
        }
    }
    Ok(())
}

fn types(s: &Spanned) -> Option<Vec<String>> {
    match &s.get("type")?.value {
        Json::String(t) => Some(vec![t.clone()]),
        Json::Array(items) => Some(items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect()),
        _ => None,
    }
}

fn covered(t: &str, by: &[String]) -> bool {
    by.iter().any(|b| b == t || (t == "integer" && b == "number"))
}

fn is_closed(s: &Spanned) -> bool {
    matches!(s.get("additionalProperties").map(|a| &a.value), Some(Json::Bool(false)))
}

fn required(s: &Spanned) -> Vec<String> {
    match s.get("required").map(|r| &r.value) {
        Some(Json::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        _ => vec![],
    }
}

fn props(s: &Spanned) -> Vec<(String, Spanned)> {
    match s.get("properties").map(|p| &p.value) {
        Some(Json::Object(m)) => m.iter().map(|(k, v)| (k.value.clone(), v.clone())).collect(),
        _ => vec![],
    }
}

fn num(s: &Spanned, k: &str) -> Option<f64> {
    s.get(k).and_then(|v| v.to_value().as_f64())
}

/// How an undecided finding starts: callers (meshctl's exit code 3, the Schemas page's warning)
/// tell it from an incompatibility by this prefix.
pub const CANNOT_JUDGE: &str = "cannot judge:";

/// Keywords whose changes this engine does not compare (combinators, references and their
/// definitions, patterns, conditionals, dependencies, `const`, tuple and contains rules).
const UNJUDGED: &[&str] = &[
    "$ref",
    "definitions",
    "$defs",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "pattern",
    "patternProperties",
    "propertyNames",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "const",
    "contains",
    "prefixItems",
    "additionalItems",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// Every reason a document valid under `old` may be refused by `new` (each `(path, what)`),
/// by these Confluent rules: a type narrowed (`integer` counts as a `number`); a property made
/// required; a property added to an open content model (older documents may carry it with
/// another type); a property removed from a closed one; `additionalProperties` closed; enum
/// values removed; length, size and range bounds tightened; recursively through `properties`
/// and `items`. Not compared: `$ref` and definitions, combinators, patterns, conditionals and
/// the other `UNJUDGED` keywords: a change there is reported as undecided ([`CANNOT_JUDGE`]), never
/// as compatible.
pub fn accepts_all(new: &Spanned, old: &Spanned, path: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let at = |p: &str| if p.is_empty() { "<root>".to_owned() } else { p.to_owned() };
    if let Json::Bool(b) = new.value {
        if !b && !matches!(old.value, Json::Bool(false)) {
            out.push((at(path), "now refuses every value".into()));
        }
        return out;
    }
    // What this engine does not compare must never pass as compatible: a change under one of
    // these keywords is reported as undecided (`CANNOT_JUDGE`), for a person to decide.
    for k in UNJUDGED {
        let (o, n) = (old.get(k).map(Spanned::to_value), new.get(k).map(Spanned::to_value));
        if o != n {
            out.push((
                at(path),
                format!("{CANNOT_JUDGE} `{k}` changed, which this check does not compare; decide by hand"),
            ));
        }
    }
    if let (Some(o), Some(n)) = (old.get("additionalProperties"), new.get("additionalProperties"))
        && (matches!(o.value, Json::Object(_)) || matches!(n.value, Json::Object(_)))
        && o.to_value() != n.to_value()
    {
        out.push((
            at(path),
            format!("{CANNOT_JUDGE} `additionalProperties` schema changed, which this check does not compare; decide by hand"),
        ));
    }
    if let (Some(nt), Some(ot)) =
        (types(new), types(old).or_else(|| Some(TYPES.iter().map(|t| t.to_string()).collect())))
    {
        let lost: Vec<&String> = ot.iter().filter(|t| !covered(t, &nt)).collect();
        if !lost.is_empty() {
            out.push((at(path), format!("changed from {} to {}", ot.join(" | "), nt.join(" | "))));
        }
    }
    if let Some(Json::Array(ne)) = new.get("enum").map(|e| &e.value) {
        let nv: Vec<serde_json::Value> = ne.iter().map(Spanned::to_value).collect();
        match old.get("enum").map(|e| &e.value) {
            Some(Json::Array(oe)) => {
                let gone: Vec<String> =
                    oe.iter().map(Spanned::to_value).filter(|v| !nv.contains(v)).map(|v| v.to_string()).collect();
                if !gone.is_empty() {
                    out.push((at(path), format!("no longer allows {}", gone.join(", "))));
                }
            }
            _ => out.push((at(path), "now only allows a fixed list of values".into())),
        }
    }
    let (oreq, nreq) = (required(old), required(new));
    for r in nreq.iter().filter(|r| !oreq.contains(r)) {
        out.push((sub(path, r), "became required".into()));
    }
    let (op, np) = (props(old), props(new));
    for (name, ns) in &np {
        match op.iter().find(|(n, _)| n == name) {
            Some((_, os)) => out.extend(accepts_all(ns, os, &sub(path, name))),
            None if !is_closed(old) => out.push((
                sub(path, name),
                "was added to an open object: older documents may carry it with another type".into(),
            )),
            None => {}
        }
    }
    if is_closed(new) {
        for (name, _) in op.iter().filter(|(n, _)| !np.iter().any(|(m, _)| m == n)) {
            out.push((
                sub(path, name),
                "was removed from a closed object: older documents carrying it are refused".into(),
            ));
        }
        if !is_closed(old) {
            out.push((at(path), "no longer allows additional properties".into()));
        }
    }
    for (k, tighter_if_smaller) in [
        ("maxLength", true),
        ("maxItems", true),
        ("maximum", true),
        ("minLength", false),
        ("minItems", false),
        ("minimum", false),
    ] {
        match (num(old, k), num(new, k)) {
            (o, Some(n)) if o.is_none_or(|o| if tighter_if_smaller { n < o } else { n > o }) => {
                let was = o.map(|o| o.to_string()).unwrap_or_else(|| "unbounded".into());
                out.push((at(path), format!("`{k}` tightened from {was} to {n}")));
            }
            _ => {}
        }
    }
    if let (Some(ni), Some(oi)) = (new.get("items"), old.get("items")) {
        out.extend(accepts_all(ni, oi, &format!("{path}[]")));
    }
    out
}

fn sub(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

#[cfg(test)]
mod undecided_tests {
    use super::super::any::{ParsedSchema, check_messages};
    use crate::{CompatibilityLevel, SchemaFormat};

    fn check(level: CompatibilityLevel, old: &str, new: &str) -> Vec<String> {
        let (o, n) = (
            ParsedSchema::parse(SchemaFormat::Json, old).unwrap(),
            ParsedSchema::parse(SchemaFormat::Json, new).unwrap(),
        );
        check_messages(level, &[(1, &o)], &n)
    }

    #[test]
    fn changes_the_check_does_not_compare_are_never_called_compatible() {
        // Verifies the two evolutions the issue names, a branch removed from an `anyOf` and a type narrowed inside a definition reached through a local `$ref`, come back as "cannot judge" at the path (once, though both directions see it), while unchanged combinators and references do not stop an honest verdict.
        let msgs = check(
            CompatibilityLevel::Full,
            r#"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#,
            r#"{"anyOf": [{"type": "string"}]}"#,
        );
        assert_eq!(
            msgs,
            [
                "cannot judge: `<root>`: `anyOf` changed, which this check does not compare; decide by hand (against version 1)"
            ]
        );
        let old = r##"{"type": "object", "properties": {"qty": {"$ref": "#/definitions/q"}}, "definitions": {"q": {"type": "number"}}}"##;
        let new = r##"{"type": "object", "properties": {"qty": {"$ref": "#/definitions/q"}}, "definitions": {"q": {"type": "integer"}}}"##;
        let msgs = check(CompatibilityLevel::Backward, old, new);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].starts_with("cannot judge: `<root>`: `definitions` changed"), "{msgs:?}");
        // Same definitions and references, a real change elsewhere: judged as before.
        let newer = r##"{"type": "object", "properties": {"qty": {"$ref": "#/definitions/q"}}, "definitions": {"q": {"type": "number"}}, "required": ["qty"]}"##;
        let msgs = check(CompatibilityLevel::Backward, old, newer);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].starts_with("`qty` became required"), "{msgs:?}");
        assert!(check(CompatibilityLevel::Full, old, old).is_empty(), "nothing changed: compatible");
    }
}
