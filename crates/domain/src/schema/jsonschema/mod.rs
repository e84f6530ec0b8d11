//! JSON Schema: keyword checks with positions, and compatibility by set rules (see [`subset`]).

use super::avro::SchemaError;
use super::json::{self, Json, Pos, Spanned};

mod objects;
mod shape;
pub mod subset;

const TYPES: &[&str] = &["null", "boolean", "object", "array", "number", "string", "integer"];

/// A parsed JSON Schema document (its positions kept for errors, and its value for comparisons).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSchemaDoc {
    /// The document with each value's position.
    pub root: Spanned,
    /// The document as plain JSON.
    pub value: serde_json::Value,
}

fn err<T>(pos: Pos, message: impl Into<String>) -> Result<T, SchemaError> {
    Err(SchemaError { pos, message: message.into() })
}

impl JsonSchemaDoc {
    /// Parses a JSON Schema document and checks the keywords it uses.
    pub fn parse(text: &str) -> Result<Self, SchemaError> {
        let root = json::parse(text).map_err(|e| SchemaError { pos: e.pos, message: e.message })?;
        validate(&root)?;
        let value = root.to_value();
        Ok(Self { root, value })
    }

    /// Resolves `$ref`s to other documents (Schema Registry references, each named as the
    /// `$ref`s name it; every document referenced on the way, as parsed): each referenced document is placed under
    /// `$defs/meshdesk-ref-<i>` and the `$ref`s to it (and inside it) become local pointers, so
    /// the comparison rules follow them like any local `$ref`.
    pub fn with_references(mut self, references: &[(&str, &JsonSchemaDoc)]) -> Result<Self, SchemaError> {
        if references.is_empty() {
            return Ok(self);
        }
        let mut size = count(&self.value);
        let mut defs = serde_json::Map::new();
        for (i, (_, doc)) in references.iter().enumerate() {
            size += count(&doc.value);
            if size > MAX_RESOLVED_NODES {
                return err(
                    self.root.pos,
                    format!("the referenced schemas together exceed {MAX_RESOLVED_NODES} values"),
                );
            }
            let key = format!("meshdesk-ref-{i}");
            let mut v = doc.value.clone();
            relocate(&mut v, &format!("#/$defs/{key}"), references);
            defs.insert(key, v);
        }
        relocate(&mut self.value, "#", references);
        if let serde_json::Value::Object(m) = &mut self.value {
            let slot = m.entry("$defs").or_insert_with(|| serde_json::Value::Object(Default::default()));
            if let serde_json::Value::Object(d) = slot {
                d.extend(defs);
            }
        }
        Ok(self)
    }
}

const MAX_RESOLVED_NODES: usize = 1_000_000;

fn count(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Object(m) => 1 + m.values().map(count).sum::<usize>(),
        serde_json::Value::Array(a) => 1 + a.iter().map(count).sum::<usize>(),
        _ => 1,
    }
}

/// Rewrites `$ref`s: local ones (`#/x`) to lie under `base`, ones to a referenced document
/// (`name` or `name#/x`) to its place under `$defs`.
fn relocate(v: &mut serde_json::Value, base: &str, references: &[(&str, &JsonSchemaDoc)]) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::String(r)) = m.get_mut("$ref") {
                let (doc, frag) = r.split_once('#').unwrap_or((r.as_str(), ""));
                let target = if doc.is_empty() {
                    Some(format!("{base}{frag}"))
                } else {
                    references.iter().position(|(n, _)| *n == doc).map(|i| format!("#/$defs/meshdesk-ref-{i}{frag}"))
                };
                if let Some(t) = target {
                    *r = t;
                }
            }
            for (k, x) in m.iter_mut() {
                if k != "$ref" {
                    relocate(x, base, references);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| relocate(x, base, references)),
        _ => {}
    }
}

/// Checks a `"type"` value: a known type name, or a non-empty array of distinct ones.
fn validate_type(v: &Spanned) -> Result<(), SchemaError> {
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
                return err(n.pos, format!("`{t}` is not a JSON Schema type; expected one of {}", TYPES.join(", ")));
            }
            None => return err(n.pos, "a type name must be a string"),
        }
    }
    Ok(())
}

/// Checks a `"required"` value: an array of distinct property names.
fn validate_required(v: &Spanned) -> Result<(), SchemaError> {
    match &v.value {
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
            Ok(())
        }
        _ => err(v.pos, "\"required\" must be an array of property names"),
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
            "type" => validate_type(v)?,
            "properties" | "definitions" | "$defs" | "patternProperties" => match &v.value {
                Json::Object(props) => props.iter().try_for_each(|(_, p)| validate(p))?,
                _ => return err(v.pos, format!("\"{}\" must be an object of schemas", k.value)),
            },
            "required" => validate_required(v)?,
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

/// How an undecided finding starts: callers (meshctl's exit code 3, the Schemas page's warning)
/// tell it from an incompatibility by this prefix.
pub const CANNOT_JUDGE: &str = "cannot judge:";

/// Every reason a document valid under `old` may be refused by `new`, as `(path, what)`; a
/// `what` starting with [`CANNOT_JUDGE`] is a change the comparison could not decide. See
/// [`subset`] for the rules.
pub fn accepts_all(new: &JsonSchemaDoc, old: &JsonSchemaDoc) -> Vec<(String, String)> {
    subset::covers(&new.value, &old.value)
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
    fn combinators_and_references_are_judged_and_what_cannot_be_is_undecided() {
        // Verifies the two evolutions the issue names get a real verdict at their path (a branch removed from an `anyOf`; a type narrowed inside a definition reached through a local `$ref`), and that a change the rules cannot decide (a `pattern` rewritten) is "cannot judge", said once though both directions see it, never compatible.
        let msgs = check(
            CompatibilityLevel::Full,
            r#"{"anyOf": [{"type": "string"}, {"type": "integer"}]}"#,
            r#"{"anyOf": [{"type": "string"}]}"#,
        );
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].starts_with("`<root>` values of type integer no longer fit any branch of `anyOf` (in branch 2 of `anyOf`): consumers using the new version cannot read"),
            "{msgs:?}"
        );
        let old = r##"{"type": "object", "properties": {"qty": {"$ref": "#/definitions/q"}}, "definitions": {"q": {"type": "number"}}}"##;
        let new = r##"{"type": "object", "properties": {"qty": {"$ref": "#/definitions/q"}}, "definitions": {"q": {"type": "integer"}}}"##;
        let msgs = check(CompatibilityLevel::Backward, old, new);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].starts_with("`qty` changed from number to integer"), "{msgs:?}");
        assert!(check(CompatibilityLevel::Forward, old, new).is_empty(), "old readers take integers");
        let msgs = check(
            CompatibilityLevel::Full,
            r#"{"type": "string", "pattern": "^[a-z]+$"}"#,
            r#"{"type": "string", "pattern": "^[a-z0-9]+$"}"#,
        );
        assert_eq!(msgs, ["cannot judge: `<root>`: `pattern` changed; decide by hand (against version 1)"]);
        assert!(check(CompatibilityLevel::Full, old, old).is_empty(), "nothing changed: compatible");
    }
}
