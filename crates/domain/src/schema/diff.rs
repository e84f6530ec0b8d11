//! Field-level differences between two versions of a record schema.

use super::avro::{AvroSchema, AvroType, Field, NamedKind};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum FieldChange {
    Added { path: String, ty: String },
    Removed { path: String, ty: String },
    Renamed { from: String, to: String },
    TypeChanged { path: String, from: String, to: String },
    DefaultChanged { path: String, from: Option<String>, to: Option<String> },
    DocChanged { path: String, from: Option<String>, to: Option<String> },
}

fn record_fields(s: &AvroSchema, t: &AvroType) -> Option<(usize, Vec<Field>)> {
    match t {
        AvroType::Named(i) => match &s.named[*i].kind {
            NamedKind::Record { fields } => Some((*i, fields.clone())),
            _ => None,
        },
        AvroType::Logical(b, _) => record_fields(s, b),
        _ => None,
    }
}

/// The changes from `old` to `new`, walking nested records; fields are matched by name, and a
/// new field listing an old, now-absent field's name among its aliases is a rename.
pub fn diff(old: &AvroSchema, new: &AvroSchema) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
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
    seen: &mut std::collections::HashSet<(usize, usize)>,
) {
    let (Some((oi, of)), Some((ni, nf))) = (record_fields(old, ot), record_fields(new, nt)) else {
        return;
    };
    if !seen.insert((oi, ni)) {
        return;
    }
    let path = |name: &str| if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    for n in &nf {
        let same = of.iter().find(|o| o.name == n.name);
        let renamed = if same.is_none() {
            of.iter().find(|o| n.aliases.contains(&o.name) && !nf.iter().any(|x| x.name == o.name))
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
    for o in &of {
        let kept = nf
            .iter()
            .any(|n| n.name == o.name || (n.aliases.contains(&o.name) && !of.iter().any(|x| x.name == n.name)));
        if !kept {
            out.push(FieldChange::Removed { path: path(&o.name), ty: old.describe(&o.ty) });
        }
    }
}
