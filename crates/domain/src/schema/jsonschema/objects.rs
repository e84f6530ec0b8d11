//! The object keywords of the comparison: required properties and dependencies, properties
//! added, removed or covered by `additionalProperties`, `patternProperties`, `propertyNames`.

use serde_json::{Map, Value};

use super::shape::*;
use super::subset::{Finding, Judge, at, child, undecided};

impl Judge<'_> {
    pub(super) fn objects(&mut self, wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        let mut out = required_changes(wide, narrow, path);
        out.extend(self.wide_property_changes(wide, narrow, path));
        out.extend(self.narrow_property_changes(wide, narrow, path));
        out.extend(pattern_property_changes(wide, narrow, path));
        out.extend(self.additional_property_changes(wide, narrow, path));
        out.extend(self.property_name_changes(wide, narrow, path));
        out
    }

    /// Properties the wide side describes, against the narrow side's property, pattern or
    /// `additionalProperties`.
    fn wide_property_changes(&mut self, wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        let empty = Map::new();
        let (wp, np) = (props(wide).unwrap_or(&empty), props(narrow).unwrap_or(&empty));
        let na = additional(narrow);
        let npp = narrow.get("patternProperties");
        for (name, ws) in wp {
            let p = child(path, name);
            match np.get(name) {
                Some(ns) => out.extend(self.sub(ws, ns, &p)),
                None if is_closed(narrow) || accepts_anything(ws) => {}
                None if npp.is_some() => out.push(undecided(&p, "whether a `patternProperties` pattern covers it")),
                None => match na {
                    Some(a) if !matches!(a, Value::Bool(true)) => out.extend(self.sub(ws, a, &p)),
                    _ => out.push((
                        p,
                        "was added to an open object: older documents may carry it with another type".into(),
                    )),
                },
            }
        }
        out
    }

    /// Properties only the narrow side describes: the wide side takes them as additional.
    fn narrow_property_changes(&mut self, wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        let empty = Map::new();
        let (wp, np) = (props(wide).unwrap_or(&empty), props(narrow).unwrap_or(&empty));
        let wa = additional(wide);
        let wpp = wide.get("patternProperties");
        for (name, ns) in np.iter().filter(|(n, _)| !wp.contains_key(*n)) {
            if matches!(ns, Value::Bool(false)) {
                continue;
            }
            if wpp.is_some() {
                out.push(undecided(&child(path, name), "whether a `patternProperties` pattern covers it"));
                continue;
            }
            match wa {
                Some(Value::Bool(false)) => out.push((
                    child(path, name),
                    "was removed from a closed object: older documents carrying it are refused".into(),
                )),
                Some(a) => out.extend(self.sub(a, ns, &child(path, name))),
                None => {}
            }
        }
        out
    }

    /// The wide side's `additionalProperties` against the narrow side's.
    fn additional_property_changes(&mut self, wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(a) = additional(wide).filter(|a| !matches!(a, Value::Bool(true))) {
            match additional(narrow) {
                Some(Value::Bool(false)) => {}
                Some(n) if !matches!(n, Value::Bool(true)) => out.extend(self.sub(a, n, &child(path, "*"))),
                _ if matches!(a, Value::Bool(false)) => {
                    out.push((at(path), "no longer allows additional properties".into()))
                }
                _ => out.push((at(path), "now constrains additional properties, which were free".into())),
            }
        }
        out
    }

    /// The wide side's `propertyNames`, undecided unless the narrow side's is within it.
    fn property_name_changes(&mut self, wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(pn) = wide.get("propertyNames") {
            let ok = narrow.get("propertyNames").is_some_and(|n| self.sub(pn, n, path).is_empty());
            if !ok {
                out.push(undecided(path, "`propertyNames` changed"));
            }
        }
        out
    }
}

/// Properties that became required, outright or when another property is present.
fn required_changes(wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let nreq = required(narrow);
    for r in required(wide).iter().filter(|r| !nreq.contains(r)) {
        out.push((child(path, r), "became required".into()));
    }
    let ndeps = dependencies(narrow);
    for (name, needs) in dependencies(wide) {
        let had: Vec<&String> = ndeps.iter().filter(|(n, _)| *n == name).flat_map(|(_, x)| x).collect();
        for need in needs.iter().filter(|x| !had.contains(x) && !nreq.contains(x)) {
            out.push((child(path, need), format!("is now required when `{name}` is present")));
        }
    }
    out
}

/// `patternProperties` changed, added or next to `additionalProperties`, mostly undecided.
fn pattern_property_changes(wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
    let (wpp, npp) = (wide.get("patternProperties"), narrow.get("patternProperties"));
    let wa = additional(wide);
    let mut out = Vec::new();
    match (wpp, npp) {
        (Some(w), Some(n)) if w == n => {}
        (Some(_), Some(_)) => out.push(undecided(path, "`patternProperties` changed")),
        (Some(_), None) if is_closed(narrow) => {
            out.push(undecided(path, "`patternProperties` added to a closed object"))
        }
        (Some(w), None) if w.as_object().is_some_and(|m| m.values().any(|s| !accepts_anything(s))) => {
            out.push((at(path), "now constrains properties matching `patternProperties`, which were free".into()));
        }
        (None, Some(_)) if wa.is_some_and(|a| !matches!(a, Value::Bool(true))) => {
            out.push(undecided(path, "`patternProperties` next to `additionalProperties`"))
        }
        _ => {}
    }
    out
}
