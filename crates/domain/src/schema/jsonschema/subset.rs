//! Does one JSON Schema accept every document another accepts? The comparison behind JSON
//! Schema compatibility (BACKWARD: the new schema accepts everything the old one did; FORWARD:
//! the other way round), on the documents as values (positions do not matter here).
//!
//! Each answer is a list of findings `(path, what)`: none means "accepts all"; a finding that
//! starts with [`CANNOT_JUDGE`] means the comparison could not decide (a person does); any
//! other is a reason documents are refused. The rules only ever conclude "accepts all" from
//! sufficient conditions, so a change they cannot prove harmless is never called compatible:
//! - local `$ref`s (`#`, `#/definitions/…`, `#/$defs/…`, any JSON pointer) are followed, with
//!   recursion handled by assuming a pair of references already being compared holds (the
//!   greatest fixpoint, which is what recursive types mean); keywords next to `$ref` count from
//!   2019-09 on and not in draft-07, and when the draft is not stated they count only where
//!   that is the cautious reading;
//! - `allOf`, `anyOf`, `oneOf` and `not` by set rules: a union is covered branch by branch (a
//!   type list split per type), an intersection part by part, a `oneOf` also needs its other
//!   branches provably disjoint, a new `not` must provably miss every old document;
//! - `patternProperties`, `pattern`, `dependentRequired` / `dependencies`, `const`, `if` /
//!   `then` / `else`, `propertyNames`, `contains`, tuples (`items` arrays, `prefixItems`) are
//!   compared where a rule is sound and otherwise reported as undecided;
//! - a budget of comparison steps bounds hostile schemas (deep nesting, many branches).

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Value, json};

use super::CANNOT_JUDGE;
use super::shape::*;

/// One reason (or one undecided point) at a path.
pub type Finding = (String, String);

/// Comparison steps one check may take; beyond it the answer is undecided.
const BUDGET: usize = 20_000;

/// `wide` accepts every document `narrow` accepts? Both are whole documents (their own roots
/// for `$ref`).
pub fn covers(wide: &Value, narrow: &Value) -> Vec<Finding> {
    let mut j =
        Judge { roots: [wide, narrow], drafts: [draft(wide), draft(narrow)], assumed: HashSet::new(), steps: 0 };
    j.sub(wide, narrow, "")
}

pub(super) struct Judge<'a> {
    /// The wide document's root, then the narrow one's.
    roots: [&'a Value; 2],
    drafts: [Draft; 2],
    /// Pairs of references being compared (wide, narrow): met again, they are assumed to hold.
    assumed: HashSet<(String, String)>,
    steps: usize,
}

pub(super) fn at(path: &str) -> String {
    if path.is_empty() { "<root>".to_owned() } else { path.to_owned() }
}

pub(super) fn child(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

pub(super) fn undecided(path: &str, what: impl std::fmt::Display) -> Finding {
    (at(path), format!("{CANNOT_JUDGE} {what}; decide by hand"))
}

fn is_undecided(f: &Finding) -> bool {
    f.1.starts_with(CANNOT_JUDGE)
}

impl Judge<'_> {
    /// Runs `f` with the sides' documents exchanged: for comparisons that put a part of the
    /// narrow document in the wide place (and the reverse).
    fn swapped(&mut self, f: impl FnOnce(&mut Self) -> Vec<Finding>) -> Vec<Finding> {
        self.roots.swap(0, 1);
        self.drafts.swap(0, 1);
        let outer = std::mem::take(&mut self.assumed);
        let out = f(self);
        self.assumed = outer;
        self.roots.swap(0, 1);
        self.drafts.swap(0, 1);
        out
    }

    /// Follows `$ref` on one side (0 wide, 1 narrow): the target, with the keywords next to it
    /// as an `allOf` where they count. `Err` when the reference cannot be followed.
    fn deref(&self, side: usize, v: &Value) -> Result<Option<(String, Value)>, crate::error::Invalid> {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else {
            return Ok(None);
        };
        if !r.starts_with('#') {
            return Err(crate::error::Invalid(format!("`$ref` to `{r}` (another document) is not followed here")));
        }
        let mut target = pointer(self.roots[side], r).ok_or_else(|| format!("`$ref` `{r}` points at nothing"))?;
        // A chain of bare references is followed to its end; one that comes back to where it
        // started never reaches a schema (validators refuse it too).
        let mut seen = vec![r];
        while let Some(next) = target.get("$ref").and_then(Value::as_str)
            && obj(target).is_some_and(|m| m.keys().all(|k| k == "$ref" || ANNOTATIONS.contains(&k.as_str())))
        {
            if seen.contains(&next) {
                return Err(crate::error::Invalid(format!("`$ref` `{r}` goes round in a circle of references")));
            }
            if !next.starts_with('#') {
                return Err(crate::error::Invalid(format!(
                    "`$ref` to `{next}` (another document) is not followed here"
                )));
            }
            seen.push(next);
            target = pointer(self.roots[side], next).ok_or_else(|| format!("`$ref` `{next}` points at nothing"))?;
        }
        let siblings = without(v, &["$ref"]);
        let count_siblings = match self.drafts[side] {
            Draft::Seven => false,
            Draft::Later => true,
            // Unknown draft: the cautious reading. For the narrow side ignoring them only
            // widens it; for the wide side applying them only narrows it.
            Draft::Unknown => side == 0,
        };
        let resolved = match obj(&siblings) {
            Some(m) if count_siblings && constrains(m) => json!({"allOf": [target, siblings]}),
            _ => target.clone(),
        };
        Ok(Some((r.to_owned(), resolved)))
    }

    /// Every reason a document `narrow` accepts may be refused by `wide`.
    pub(super) fn sub(&mut self, wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        self.steps += 1;
        if self.steps > BUDGET {
            return vec![undecided(path, "the schemas are too large or deep to compare")];
        }
        // Equal schemas accept the same documents, unless they hold references, which each
        // side resolves in its own document.
        if (wide == narrow && !has_ref(wide)) || accepts_anything(wide) || matches!(narrow, Value::Bool(false)) {
            return vec![];
        }
        // References first, on either side.
        if let Some(out) = self.follow_refs(wide, narrow, path) {
            return out;
        }
        if matches!(wide, Value::Bool(false)) {
            return vec![(at(path), "now refuses every value".into())];
        }
        let narrow: Cow<Value> =
            if matches!(narrow, Value::Bool(true)) { Cow::Owned(json!({})) } else { Cow::Borrowed(narrow) };
        let narrow = narrow.as_ref();
        if !wide.is_object() || !narrow.is_object() {
            return vec![undecided(path, "a schema that is neither an object nor a boolean")];
        }
        if let Some(out) = self.narrow_union(wide, narrow, path) {
            return out;
        }
        if let Some(parts) = narrow.get("allOf").and_then(Value::as_array) {
            return self.narrow_intersection(wide, narrow, parts, path);
        }
        let mut out = self.wide_combinators(wide, narrow, path);
        const COMBINATORS: [&str; 4] = ["allOf", "anyOf", "oneOf", "not"];
        let base: Cow<Value> = if COMBINATORS.iter().any(|k| wide.get(k).is_some()) {
            Cow::Owned(without(wide, &COMBINATORS))
        } else {
            Cow::Borrowed(wide)
        };
        out.extend(self.keywords(&base, narrow, path));
        out
    }

    /// Compares the targets when either side is a `$ref` (a pair already being compared is
    /// assumed to hold); `None` when neither side is one.
    fn follow_refs(&mut self, wide: &Value, narrow: &Value, path: &str) -> Option<Vec<Finding>> {
        let (wr, nr) = match (self.deref(0, wide), self.deref(1, narrow)) {
            (Err(e), _) | (_, Err(e)) => return Some(vec![undecided(path, e)]),
            (Ok(w), Ok(n)) => (w, n),
        };
        if wr.is_none() && nr.is_none() {
            return None;
        }
        let key = (
            wr.as_ref().map(|(r, _)| r.clone()).unwrap_or_else(|| wide.to_string()),
            nr.as_ref().map(|(r, _)| r.clone()).unwrap_or_else(|| narrow.to_string()),
        );
        if !self.assumed.insert(key.clone()) {
            return Some(vec![]);
        }
        let w = wr.map(|(_, v)| v).unwrap_or_else(|| wide.clone());
        let n = nr.map(|(_, v)| v).unwrap_or_else(|| narrow.clone());
        let out = self.sub(&w, &n, path);
        self.assumed.remove(&key);
        Some(out)
    }

    /// A union on the narrow side: each of its branches must be covered; `None` when it has no
    /// `anyOf` or `oneOf`.
    fn narrow_union(&mut self, wide: &Value, narrow: &Value, path: &str) -> Option<Vec<Finding>> {
        for k in ["anyOf", "oneOf"] {
            if let Some(branches) = narrow.get(k).and_then(Value::as_array) {
                let base = without(narrow, &[k]);
                let mut out = Vec::new();
                for (i, b) in branches.iter().enumerate() {
                    let part = merge(&base, b).unwrap_or_else(|| b.clone());
                    for (p, what) in self.sub(wide, &part, path) {
                        out.push((p, format!("{what} (in branch {} of `{k}`)", i + 1)));
                    }
                }
                return Some(out);
            }
        }
        None
    }

    /// An intersection (`parts`) on the narrow side: as one schema where it merges plainly, else
    /// any one part that is covered will do.
    fn narrow_intersection(&mut self, wide: &Value, narrow: &Value, parts: &[Value], path: &str) -> Vec<Finding> {
        let base = without(narrow, &["allOf"]);
        let merged = parts.iter().try_fold(base.clone(), |acc, p| merge(&acc, p));
        if let Some(m) = merged {
            return self.sub(wide, &m, path);
        }
        let first = self.sub(wide, &base, path);
        if first.is_empty() {
            return first;
        }
        for p in parts {
            if self.sub(wide, p, path).is_empty() {
                return vec![];
            }
        }
        vec![undecided(path, "`allOf` parts that do not combine plainly")]
    }

    /// The wide side's combinators (`allOf`, `anyOf`, `oneOf`, `not`): the narrow side must fit each of them.
    fn wide_combinators(&mut self, wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some(parts) = wide.get("allOf").and_then(Value::as_array) {
            for (i, p) in parts.iter().enumerate() {
                for (q, what) in self.sub(p, narrow, path) {
                    out.push((q, format!("{what} (in part {} of `allOf`)", i + 1)));
                }
            }
        }
        if let Some(branches) = wide.get("anyOf").and_then(Value::as_array) {
            out.extend(self.union(branches, narrow, path, "anyOf"));
        }
        if let Some(branches) = wide.get("oneOf").and_then(Value::as_array) {
            out.extend(self.union(branches, narrow, path, "oneOf"));
        }
        if let Some(not) = wide.get("not") {
            out.extend(self.not(not, narrow, path));
        }
        out
    }

    /// The narrow side inside a union of the wide side's branches (split by its types when it
    /// has several); for `oneOf`, inside exactly one.
    fn union(&mut self, branches: &[Value], narrow: &Value, path: &str, k: &str) -> Vec<Finding> {
        let ts = types(narrow);
        let pieces: Vec<Value> = if ts.len() > 1 && narrow.get("type").is_some() {
            ts.iter()
                .map(|t| merge(&without(narrow, &["type"]), &json!({"type": t})).unwrap_or_else(|| narrow.clone()))
                .collect()
        } else {
            vec![narrow.clone()]
        };
        let mut out = Vec::new();
        for piece in &pieces {
            let answers: Vec<Vec<Finding>> = branches.iter().map(|b| self.sub(b, piece, path)).collect();
            let Some(hit) = answers.iter().position(Vec::is_empty) else {
                if answers.iter().any(|a| a.iter().all(is_undecided)) {
                    out.push(undecided(path, format!("whether every value fits a branch of `{k}`")));
                } else {
                    let t =
                        piece.get("type").and_then(Value::as_str).map(|t| format!(" of type {t}")).unwrap_or_default();
                    out.push((at(path), format!("values{t} no longer fit any branch of `{k}`")));
                }
                continue;
            };
            if k == "oneOf" {
                for (i, b) in branches.iter().enumerate().filter(|(i, _)| *i != hit) {
                    if answers[i].is_empty() {
                        out.push((
                            at(path),
                            format!(
                                "values now match branches {} and {} of `oneOf`, so `oneOf` refuses them",
                                hit + 1,
                                i + 1
                            ),
                        ));
                    } else if !disjoint(b, piece) {
                        out.push(undecided(path, format!("whether values may also match branch {} of `oneOf`", i + 1)));
                    }
                }
            }
        }
        out
    }

    /// The narrow side must miss everything the wide side's `not` names.
    fn not(&mut self, not: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        if let Some(n) = narrow.get("not")
            && self.swapped(|j| j.sub(n, not, path)).is_empty()
        {
            return vec![];
        }
        if disjoint(not, narrow) {
            return vec![];
        }
        if !matches!(not, Value::Bool(false)) && self.swapped(|j| j.sub(narrow, not, path)).is_empty() {
            return vec![(at(path), "now refuses values that `not` names, which were accepted".into())];
        }
        vec![undecided(path, "whether `not` refuses values that were accepted")]
    }

    /// The keywords of one schema (no combinators on the wide side).
    fn keywords(&mut self, wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        let mut out = type_and_value_changes(wide, narrow, path);
        out.extend(bound_changes(wide, narrow, path));
        if wide.get("uniqueItems") == Some(&Value::Bool(true)) && narrow.get("uniqueItems") != Some(&Value::Bool(true))
        {
            out.push((at(path), "now refuses arrays with repeated items".into()));
        }
        // Strings.
        if let Some(p) = wide.get("pattern") {
            match narrow.get("pattern") {
                Some(q) if q == p => {}
                Some(_) => out.push(undecided(path, "`pattern` changed")),
                None => out.push((at(path), format!("now must match the pattern {p}"))),
            }
        }
        // Objects.
        out.extend(self.objects(wide, narrow, path));
        out.extend(self.array_changes(wide, narrow, path));
        out.extend(unchanged_keyword_changes(wide, narrow, path));
        out
    }

    /// Arrays: items (tuples position by position, then the rest) and `contains`.
    fn array_changes(&mut self, wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        let has_items = |v: &Value| {
            v.get("items").is_some() || v.get("prefixItems").is_some() || v.get("additionalItems").is_some()
        };
        if has_items(wide) {
            let ((wt, wr), (ntup, nrest)) = (tuple(wide), tuple(narrow));
            for i in 0..wt.len().max(ntup.len()) {
                let w = wt.get(i).unwrap_or(&wr);
                let n = ntup.get(i).unwrap_or(&nrest);
                let p = if wt.is_empty() && ntup.is_empty() { format!("{path}[]") } else { format!("{path}[{i}]") };
                out.extend(self.sub(w, n, &p));
            }
            out.extend(self.sub(&wr, &nrest, &format!("{path}[]")));
        }
        if let Some(c) = wide.get("contains") {
            let ok = narrow.get("contains").is_some_and(|n| self.sub(c, n, path).is_empty());
            if !ok {
                out.push(undecided(path, "`contains` changed"));
            }
        }
        out
    }
}

/// Types and values: a type no longer listed, enum values no longer allowed.
fn type_and_value_changes(wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let (wt, nt) = (types(wide), types(narrow));
    if wide.get("type").is_some() {
        let lost: Vec<&String> = nt.iter().filter(|t| !covered(t, &wt)).collect();
        if !lost.is_empty() {
            out.push((at(path), format!("changed from {} to {}", nt.join(" | "), wt.join(" | "))));
        }
    }
    if let Some(we) = enum_of(wide) {
        match enum_of(narrow) {
            Some(ne) => {
                let gone: Vec<String> = ne.iter().filter(|v| !we.contains(v)).map(Value::to_string).collect();
                if !gone.is_empty() {
                    out.push((at(path), format!("no longer allows {}", gone.join(", "))));
                }
            }
            None => out.push((at(path), "now only allows a fixed list of values".into())),
        }
    }
    out
}

/// Bounds: lengths, sizes, numeric limits (and their exclusive twins) tightened, `multipleOf` added.
fn bound_changes(wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for (k, upper) in [
        ("maxLength", true),
        ("maxItems", true),
        ("maxProperties", true),
        ("maximum", true),
        ("exclusiveMaximum", true),
        ("minLength", false),
        ("minItems", false),
        ("minProperties", false),
        ("minimum", false),
        ("exclusiveMinimum", false),
    ] {
        if let Some(w) = num(wide, k) {
            // The narrow side's own bound of the same kind, or its inclusive twin.
            // An exclusive bound is met by an inclusive one strictly inside it; an inclusive
            // one by an exclusive one at or inside it.
            let (twin, strict) = match k {
                "exclusiveMaximum" => (Some("maximum"), true),
                "exclusiveMinimum" => (Some("minimum"), true),
                "maximum" => (Some("exclusiveMaximum"), false),
                "minimum" => (Some("exclusiveMinimum"), false),
                _ => (None, false),
            };
            let inside = |n: f64, strictly: bool| match (upper, strictly) {
                (true, true) => n < w,
                (true, false) => n <= w,
                (false, true) => n > w,
                (false, false) => n >= w,
            };
            let n = num(narrow, k);
            let ok = n.is_some_and(|n| inside(n, false))
                || twin.and_then(|t| num(narrow, t)).is_some_and(|n| inside(n, strict));
            if !ok {
                let was = n.map(|n| n.to_string()).unwrap_or_else(|| "unbounded".into());
                out.push((at(path), format!("`{k}` tightened from {was} to {w}")));
            }
        } else if let Some(v) = wide.get(k).filter(|v| v.is_boolean()) {
            // Draft-04's boolean exclusive bounds.
            if narrow.get(k) != Some(v) {
                out.push(undecided(path, format!("`{k}` changed (draft-04's boolean form)")));
            }
        }
    }
    if let Some(w) = num(wide, "multipleOf") {
        let fits = num(narrow, "multipleOf").is_some_and(|n| {
            let q = n / w;
            (q - q.round()).abs() < 1e-9
        });
        if !fits {
            out.push((at(path), format!("now needs multiples of {w}")));
        }
    }
    out
}

/// Conditionals and the rest, compared only when unchanged: any change is undecided.
fn unchanged_keyword_changes(wide: &Value, narrow: &Value, path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let cond = |v: &Value| json!([v.get("if"), v.get("then"), v.get("else")]);
    if wide.get("if").is_some() && cond(wide) != cond(narrow) {
        out.push(undecided(path, "`if` / `then` / `else` changed"));
    }
    for k in ["unevaluatedProperties", "unevaluatedItems", "minContains", "maxContains"] {
        if let Some(w) = wide.get(k)
            && narrow.get(k) != Some(w)
        {
            out.push(undecided(path, format!("`{k}` changed")));
        }
    }
    let (wd, nd) = (schema_dependencies(wide), schema_dependencies(narrow));
    if wd.as_object().is_some_and(|m| !m.is_empty()) && wd != nd {
        out.push(undecided(path, "schema dependencies changed"));
    }
    out
}
