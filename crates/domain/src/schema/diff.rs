//! Field-level differences between two versions of a record schema.

use std::collections::{HashMap, HashSet};

use super::avro::{AvroSchema, AvroType, Field, NamedKind};

/// One difference between two versions of an Avro record's fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum FieldChange {
    /// A field was added.
    Added {
        /// The field's path.
        path: String,
        /// Its type.
        ty: String,
    },
    /// A field was removed.
    Removed {
        /// The field's path.
        path: String,
        /// Its type.
        ty: String,
    },
    /// A field was renamed (the new name lists the old as an alias).
    Renamed {
        /// The old path.
        from: String,
        /// The new path.
        to: String,
    },
    /// A field's type changed.
    TypeChanged {
        /// The field's path.
        path: String,
        /// The old type.
        from: String,
        /// The new type.
        to: String,
    },
    /// A field's default changed.
    DefaultChanged {
        /// The field's path.
        path: String,
        /// The old default.
        from: Option<String>,
        /// The new default.
        to: Option<String>,
    },
    /// A field's documentation changed.
    DocChanged {
        /// The field's path.
        path: String,
        /// The old documentation.
        from: Option<String>,
        /// The new documentation.
        to: Option<String>,
    },
}

fn record_fields<'a>(s: &'a AvroSchema, t: &AvroType) -> Option<(usize, &'a [Field])> {
    match t {
        AvroType::Named(i) => match &s.named[*i].kind {
            NamedKind::Record { fields } => Some((*i, fields.as_slice())),
            _ => None,
        },
        AvroType::Logical(b, _) => record_fields(s, b),
        _ => None,
    }
}

/// The changes from `old` to `new`, walking nested records; fields are matched by name, and a
/// new field listing an old, now-absent field's name among its aliases is a rename. Each pair of
/// records is compared once and fields are looked up by name, so the work is linear in the two
/// schemas' sizes (hostile schemas reuse named types at every level).
pub fn diff(old: &AvroSchema, new: &AvroSchema) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    walk(old, &old.root, new, &new.root, "", &mut out, &mut seen);
    out
}

fn walk(
    old: &AvroSchema,
    ot: &AvroType,
    new: &AvroSchema,
    nt: &AvroType,
    prefix: &str,
    out: &mut Vec<FieldChange>,
    seen: &mut HashSet<(usize, usize)>,
) {
    let (Some((oi, of)), Some((ni, nf))) = (record_fields(old, ot), record_fields(new, nt)) else {
        return;
    };
    if !seen.insert((oi, ni)) {
        return;
    }
    let old_names: HashMap<&str, &Field> = of.iter().map(|f| (f.name.as_str(), f)).collect();
    let new_names: HashSet<&str> = nf.iter().map(|f| f.name.as_str()).collect();
    let path = |name: &str| if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    // Old fields a new field took over by alias (a rename): the old name is gone from the new.
    let renamed_from = |n: &Field| {
        n.aliases.iter().find(|a| !new_names.contains(a.as_str())).and_then(|a| old_names.get(a.as_str()).copied())
    };
    let mut kept_by_alias = HashSet::new();
    for n in nf {
        let same = old_names.get(n.name.as_str()).copied();
        let renamed = if same.is_none() {
            // Every old field a new field names as an alias is kept (under the new name).
            kept_by_alias.extend(n.aliases.iter().map(String::as_str).filter(|a| old_names.contains_key(a)));
            renamed_from(n)
        } else {
            None
        };
        let Some(o) = same.or(renamed) else {
            out.push(FieldChange::Added { path: path(&n.name), ty: new.describe(&n.ty) });
            continue;
        };
        if renamed.is_some() {
            out.push(FieldChange::Renamed { from: path(&o.name), to: path(&n.name) });
        }
        let (from, to) = (old.describe(&o.ty), new.describe(&n.ty));
        if from != to {
            out.push(FieldChange::TypeChanged { path: path(&n.name), from, to });
        } else {
            walk(old, &o.ty, new, &n.ty, &path(&n.name), out, seen);
        }
        if o.default != n.default {
            out.push(FieldChange::DefaultChanged { path: path(&n.name), from: json(&o.default), to: json(&n.default) });
        }
        if o.doc != n.doc {
            out.push(FieldChange::DocChanged { path: path(&n.name), from: o.doc.clone(), to: n.doc.clone() });
        }
    }
    for o in of {
        let kept = new_names.contains(o.name.as_str()) || kept_by_alias.contains(o.name.as_str());
        if !kept {
            out.push(FieldChange::Removed { path: path(&o.name), ty: old.describe(&o.ty) });
        }
    }
}
