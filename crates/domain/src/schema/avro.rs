//! Avro schemas: a model and a parser that checks the specification's rules and reports every
//! mistake at its line and column, in plain words.

use crate::error::Invalid;
use std::fmt;

use super::json::{self, Json, Pos, Spanned};

/// A mistake in a schema, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SchemaError {
    /// Where it is in the schema text.
    pub pos: Pos,
    /// What is wrong, for people.
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.pos.line, self.pos.column, self.message)
    }
}

impl std::error::Error for SchemaError {}

/// The most field paths [`AvroSchema::field_paths`] lists: beyond it, the catalog's index, the
/// policies' field checks and PII detection see the first ones, and people are told how many
/// more there are.
pub const MAX_FIELD_PATHS: usize = 2_000;

/// An Avro type, with named types kept apart in [`AvroSchema::named`].
#[derive(Debug, Clone, PartialEq)]
pub enum AvroType {
    /// `null`.
    Null,
    /// `boolean`.
    Boolean,
    /// `int`: 32 bits.
    Int,
    /// `long`: 64 bits.
    Long,
    /// `float`.
    Float,
    /// `double`.
    Double,
    /// `bytes`.
    Bytes,
    /// `string`.
    String,
    /// An array of the items' type.
    Array(Box<AvroType>),
    /// A map from strings to the values' type.
    Map(Box<AvroType>),
    /// A union of its branches.
    Union(Vec<AvroType>),
    /// A record, enum or fixed: an index into [`AvroSchema::named`].
    Named(usize),
    /// A primitive or fixed annotated with a logical type (`timestamp-millis`, `decimal`, ...).
    /// Compatibility follows the underlying type, as Avro's resolution does.
    Logical(Box<AvroType>, String),
}

/// A record's field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// Names the field was known by before.
    pub aliases: Vec<String>,
    /// Its documentation.
    pub doc: Option<String>,
    /// Its type.
    pub ty: AvroType,
    /// Its default value, as JSON.
    pub default: Option<serde_json::Value>,
    /// Where it is in the schema text.
    pub pos: Pos,
}

/// What a named type is.
#[derive(Debug, Clone, PartialEq)]
pub enum NamedKind {
    /// A record.
    Record {
        /// Its fields, in order.
        fields: Vec<Field>,
    },
    /// An enum.
    Enum {
        /// Its symbols, in order.
        symbols: Vec<String>,
        /// The symbol a reader falls back to for one it does not know.
        default: Option<String>,
    },
    /// A fixed-size byte string.
    Fixed {
        /// Its size in bytes.
        size: u64,
    },
}

/// A record, enum or fixed type.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// Its full name, `namespace.name`.
    pub fullname: String,
    /// Full names this type was known by before.
    pub aliases: Vec<String>,
    /// Its documentation.
    pub doc: Option<String>,
    /// Record, enum or fixed, with its details.
    pub kind: NamedKind,
    /// Where it is in the schema text.
    pub pos: Pos,
}

impl Named {
    /// The name without its namespace.
    pub fn short_name(&self) -> &str {
        self.fullname.rsplit('.').next().unwrap_or(&self.fullname)
    }
}

/// An Avro schema as parsed: the root type and the named types it defines.
#[derive(Debug, Clone, PartialEq)]
pub struct AvroSchema {
    /// The schema's type.
    pub root: AvroType,
    /// The records, enums and fixed types defined, in order of definition.
    pub named: Vec<Named>,
}

impl AvroSchema {
    /// Parses and checks an Avro schema.
    pub fn parse(text: &str) -> Result<Self, SchemaError> {
        // The same schema is read several times in a row (the fold indexes a product's fields,
        // checks its policies and records what changed; the window checks on every keystroke):
        // the last text read on this thread is kept with what it gave.
        type Last = Option<(String, Result<AvroSchema, SchemaError>)>;
        thread_local! {
            static LAST: std::cell::RefCell<Last> = const { std::cell::RefCell::new(None) };
        }
        if let Some(hit) = LAST.with(|l| l.borrow().as_ref().filter(|(t, _)| t == text).map(|(_, r)| r.clone())) {
            return hit;
        }
        let parsed = Self::parse_uncached(text);
        LAST.with(|l| *l.borrow_mut() = Some((text.to_owned(), parsed.clone())));
        parsed
    }

    fn parse_uncached(text: &str) -> Result<Self, SchemaError> {
        let json = json::parse(text).map_err(|e| SchemaError { pos: e.pos, message: e.message })?;
        let mut p = AvroParser { named: Vec::new(), index: Default::default() };
        let root = p.ty(&json, None)?;
        Ok(Self { root, named: p.named })
    }

    /// Parses `text` with the named types of the schemas it references already defined (Schema
    /// Registry references: `references`, each a schema whose types are used by name), given
    /// dependencies first, as the registry resolves them.
    pub fn parse_with_references(text: &str, references: &[(&str, &str)]) -> Result<Self, SchemaError> {
        let mut p = AvroParser { named: Vec::new(), index: Default::default() };
        for (name, r) in references {
            let json = json::parse(r).map_err(|e| SchemaError {
                pos: e.pos,
                message: format!("in the referenced schema `{name}`: {}", e.message),
            })?;
            p.ty(&json, None).map_err(|e| SchemaError {
                pos: e.pos,
                message: format!("in the referenced schema `{name}`: {}", e.message),
            })?;
        }
        let json = json::parse(text).map_err(|e| SchemaError { pos: e.pos, message: e.message })?;
        let root = p.ty(&json, None)?;
        Ok(Self { root, named: p.named })
    }

    /// The type's name as people read it: `int`, `array<string>`, `Address`, `long (timestamp-millis)`.
    pub fn describe(&self, t: &AvroType) -> String {
        match t {
            AvroType::Null => "null".into(),
            AvroType::Boolean => "boolean".into(),
            AvroType::Int => "int".into(),
            AvroType::Long => "long".into(),
            AvroType::Float => "float".into(),
            AvroType::Double => "double".into(),
            AvroType::Bytes => "bytes".into(),
            AvroType::String => "string".into(),
            AvroType::Array(i) => format!("array<{}>", self.describe(i)),
            AvroType::Map(v) => format!("map<{}>", self.describe(v)),
            AvroType::Union(b) => b.iter().map(|t| self.describe(t)).collect::<Vec<_>>().join(" | "),
            AvroType::Named(i) => self.named[*i].short_name().to_owned(),
            AvroType::Logical(base, l) => format!("{} ({l})", self.describe(base)),
        }
    }

    /// Every field path with its doc, through nested records, arrays, maps and unions
    /// (`address.city`), a type used by two fields walked under each (`billTo.email`,
    /// `shipTo.email`) and a recursive type stopped where it comes back. At most
    /// [`MAX_FIELD_PATHS`]: a schema whose named types are reused at every level has
    /// exponentially many paths, so the walk stops there ([`AvroSchema::field_path_count`]
    /// says how many there are in all). Its work is linear in the paths it lists.
    pub fn field_paths(&self) -> Vec<(String, Option<String>)> {
        fn walk(
            s: &AvroSchema,
            t: &AvroType,
            prefix: &str,
            seen: &mut Vec<usize>,
            out: &mut Vec<(String, Option<String>)>,
        ) {
            if out.len() >= MAX_FIELD_PATHS {
                return;
            }
            match t {
                // `seen` holds the records being walked above this one: a recursive type stops
                // there, but a type used by two fields (billTo, shipTo) is walked under each.
                AvroType::Named(i) if !seen.contains(i) => {
                    seen.push(*i);
                    if let NamedKind::Record { fields } = &s.named[*i].kind {
                        for f in fields {
                            if out.len() >= MAX_FIELD_PATHS {
                                break;
                            }
                            let path = if prefix.is_empty() { f.name.clone() } else { format!("{prefix}.{}", f.name) };
                            out.push((path.clone(), f.doc.clone()));
                            walk(s, &f.ty, &path, seen, out);
                        }
                    }
                    seen.pop();
                }
                // A map's values sit under any key: the key's segment is `*`.
                AvroType::Map(x) => {
                    walk(s, x, &if prefix.is_empty() { "*".into() } else { format!("{prefix}.*") }, seen, out)
                }
                AvroType::Array(x) | AvroType::Logical(x, _) => walk(s, x, prefix, seen, out),
                AvroType::Union(b) => b.iter().for_each(|x| walk(s, x, prefix, seen, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &self.root, "", &mut Vec::new(), &mut out);
        out
    }

    /// How many field paths the schema has in all (saturating), counted without listing them:
    /// each named type's count is computed once. A recursive type counts its fields once where
    /// it comes back (the listing stops there too); for such a schema the count follows each
    /// type's first use, so it can differ from the listing's by the paths of other uses.
    pub fn field_path_count(&self) -> u64 {
        fn count(s: &AvroSchema, t: &AvroType, memo: &mut Vec<Option<u64>>, busy: &mut Vec<bool>) -> u64 {
            match t {
                AvroType::Named(i) => {
                    if let Some(n) = memo[*i] {
                        return n;
                    }
                    if busy[*i] {
                        return 0;
                    }
                    busy[*i] = true;
                    let n = match &s.named[*i].kind {
                        NamedKind::Record { fields } => fields
                            .iter()
                            .fold(0u64, |acc, f| acc.saturating_add(1).saturating_add(count(s, &f.ty, memo, busy))),
                        _ => 0,
                    };
                    busy[*i] = false;
                    memo[*i] = Some(n);
                    n
                }
                AvroType::Map(x) | AvroType::Array(x) | AvroType::Logical(x, _) => count(s, x, memo, busy),
                AvroType::Union(b) => b.iter().fold(0u64, |acc, x| acc.saturating_add(count(s, x, memo, busy))),
                _ => 0,
            }
        }
        count(self, &self.root, &mut vec![None; self.named.len()], &mut vec![false; self.named.len()])
    }

    /// The root record's fields, if the root is a record.
    pub fn root_record(&self) -> Option<(&Named, &[Field])> {
        match &self.root {
            AvroType::Named(i) => match &self.named[*i].kind {
                NamedKind::Record { fields } => Some((&self.named[*i], fields)),
                _ => None,
            },
            _ => None,
        }
    }
}

fn valid_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(f) if f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

struct AvroParser {
    named: Vec<Named>,
    /// Full name → index in `named`: lookups and the defined-twice check in O(1).
    index: std::collections::HashMap<String, usize>,
}

fn err<T>(pos: Pos, message: impl Into<String>) -> Result<T, SchemaError> {
    Err(SchemaError { pos, message: message.into() })
}

fn primitive(name: &str) -> Option<AvroType> {
    Some(match name {
        "null" => AvroType::Null,
        "boolean" => AvroType::Boolean,
        "int" => AvroType::Int,
        "long" => AvroType::Long,
        "float" => AvroType::Float,
        "double" => AvroType::Double,
        "bytes" => AvroType::Bytes,
        "string" => AvroType::String,
        _ => return None,
    })
}

fn fullname(name: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if !name.contains('.') && !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_owned(),
    }
}

impl AvroParser {
    fn lookup(&self, name: &str, namespace: Option<&str>) -> Option<usize> {
        let full = fullname(name, namespace);
        self.index.get(&full).or_else(|| self.index.get(name)).copied()
    }

    fn ty(&mut self, j: &Spanned, ns: Option<&str>) -> Result<AvroType, SchemaError> {
        match &j.value {
            Json::String(name) => match primitive(name) {
                Some(t) => Ok(t),
                None => match self.lookup(name, ns) {
                    Some(i) => Ok(AvroType::Named(i)),
                    None => err(
                        j.pos,
                        format!(
                            "unknown type `{name}`: it is not a primitive type and no record, enum or fixed of that name is defined before this point"
                        ),
                    ),
                },
            },
            Json::Array(branches) => self.union(j.pos, branches, ns),
            Json::Object(_) => self.complex(j, ns),
            _ => err(j.pos, format!("a type must be a name, an object or an array (a union), not {}", j.kind())),
        }
    }

    fn union(&mut self, pos: Pos, branches: &[Spanned], ns: Option<&str>) -> Result<AvroType, SchemaError> {
        if branches.is_empty() {
            return err(pos, "a union needs at least one type");
        }
        let mut out: Vec<AvroType> = Vec::new();
        // Each branch's identity, once: a union of thousands of branches stays linear.
        let mut keys = std::collections::HashSet::new();
        for b in branches {
            let t = self.ty(b, ns)?;
            if matches!(t, AvroType::Union(_)) {
                return err(b.pos, "a union cannot directly contain another union");
            }
            let key = |t: &AvroType| match t {
                AvroType::Named(i) => self.named[*i].fullname.clone(),
                AvroType::Logical(b, _) => format!("{:?}", b),
                AvroType::Array(_) => "array".into(),
                AvroType::Map(_) => "map".into(),
                other => format!("{other:?}"),
            };
            if !keys.insert(key(&t)) {
                return err(b.pos, format!("the union lists `{}` twice", self.describe_branch(&t)));
            }
            out.push(t);
        }
        Ok(AvroType::Union(out))
    }

    fn describe_branch(&self, t: &AvroType) -> String {
        AvroSchema { root: AvroType::Null, named: self.named.clone() }.describe(t)
    }

    fn name_of(&self, j: &Spanned, what: &str) -> Result<(String, Pos), SchemaError> {
        match j.get("name") {
            None => err(j.pos, format!("a {what} needs a \"name\"")),
            Some(n) => match n.as_str() {
                None => err(n.pos, format!("the {what}'s \"name\" must be a string")),
                Some(s) => {
                    let last = s.rsplit('.').next().unwrap_or(s);
                    if !s.split('.').all(valid_name) || !valid_name(last) {
                        return err(
                            n.pos,
                            format!(
                                "`{s}` is not a valid name: use letters, digits and `_`, not starting with a digit"
                            ),
                        );
                    }
                    Ok((s.to_owned(), n.pos))
                }
            },
        }
    }

    fn define(
        &mut self,
        j: &Spanned,
        ns: Option<&str>,
        what: &str,
        kind: NamedKind,
    ) -> Result<(usize, Option<String>), SchemaError> {
        let (name, npos) = self.name_of(j, what)?;
        let own_ns = match j.get("namespace") {
            Some(n) => match n.as_str() {
                Some(s) if s.is_empty() || s.split('.').all(valid_name) => Some(s.to_owned()),
                Some(s) => return err(n.pos, format!("`{s}` is not a valid namespace")),
                None => return err(n.pos, "\"namespace\" must be a string"),
            },
            None => ns.map(str::to_owned),
        };
        let full = fullname(&name, own_ns.as_deref());
        let effective_ns = full.rsplit_once('.').map(|(n, _)| n.to_owned());
        if self.index.contains_key(&full) {
            return err(npos, format!("`{full}` is defined twice; refer to it by name the second time"));
        }
        let aliases = match j.get("aliases") {
            None => vec![],
            Some(a) => self.strings(a, "aliases")?.into_iter().map(|s| fullname(&s, effective_ns.as_deref())).collect(),
        };
        let doc = j.get("doc").and_then(|d| d.as_str()).map(str::to_owned);
        self.index.insert(full.clone(), self.named.len());
        self.named.push(Named { fullname: full, aliases, doc, kind, pos: j.pos });
        Ok((self.named.len() - 1, effective_ns))
    }

    fn strings(&self, j: &Spanned, what: &str) -> Result<Vec<String>, SchemaError> {
        match &j.value {
            Json::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str().map(str::to_owned).ok_or_else(|| SchemaError {
                        pos: i.pos,
                        message: format!("every entry of \"{what}\" must be a string"),
                    })
                })
                .collect(),
            _ => err(j.pos, format!("\"{what}\" must be an array of strings")),
        }
    }

    fn complex(&mut self, j: &Spanned, ns: Option<&str>) -> Result<AvroType, SchemaError> {
        let Some(t) = j.get("type") else {
            return err(j.pos, "this object needs a \"type\"");
        };
        let Some(kind) = t.as_str() else {
            // {"type": {...}} or {"type": [...]}: a type wrapped in an object.
            return self.ty(t, ns);
        };
        let base = match kind {
            "record" | "error" => return self.record(j, ns),
            "enum" => return self.enumeration(j, ns),
            "fixed" => {
                let size = match j.get("size") {
                    None => return err(j.pos, "a fixed type needs a \"size\""),
                    Some(s) => match s.to_value().as_u64() {
                        Some(n) => n,
                        None => return err(s.pos, "\"size\" must be a whole number of bytes"),
                    },
                };
                let (i, _) = self.define(j, ns, "fixed type", NamedKind::Fixed { size })?;
                AvroType::Named(i)
            }
            "array" => match j.get("items") {
                None => return err(j.pos, "an array needs \"items\""),
                Some(items) => AvroType::Array(Box::new(self.ty(items, ns)?)),
            },
            "map" => match j.get("values") {
                None => return err(j.pos, "a map needs \"values\""),
                Some(v) => AvroType::Map(Box::new(self.ty(v, ns)?)),
            },
            // A primitive with attributes (`{"type": "long", "logicalType": ...}`) or a named type.
            _ => self.ty(t, ns)?,
        };
        match j.get("logicalType").and_then(|l| l.as_str()) {
            None => Ok(base),
            Some(l) => {
                if l == "decimal" {
                    let precision = j.get("precision").and_then(|p| p.to_value().as_u64());
                    let scale = j.get("scale").map(|s| s.to_value().as_u64());
                    match (precision, scale) {
                        (None | Some(0), _) => {
                            return err(
                                j.key_pos("logicalType").unwrap_or(j.pos),
                                "a decimal needs a positive \"precision\"",
                            );
                        }
                        (_, Some(None)) => {
                            return err(j.key_pos("scale").unwrap_or(j.pos), "\"scale\" must be a whole number");
                        }
                        (Some(p), Some(Some(s))) if s > p => {
                            return err(
                                j.key_pos("scale").unwrap_or(j.pos),
                                format!("\"scale\" {s} is larger than \"precision\" {p}"),
                            );
                        }
                        _ => {}
                    }
                }
                Ok(AvroType::Logical(Box::new(base), l.to_owned()))
            }
        }
    }

    fn record(&mut self, j: &Spanned, ns: Option<&str>) -> Result<AvroType, SchemaError> {
        let (idx, own_ns) = self.define(j, ns, "record", NamedKind::Record { fields: vec![] })?;
        let fields_json = match j.get("fields") {
            None => return err(j.pos, "a record needs \"fields\""),
            Some(f) => match &f.value {
                Json::Array(items) => items.clone(),
                _ => return err(f.pos, "\"fields\" must be an array"),
            },
        };
        let mut fields: Vec<Field> = Vec::new();
        let mut field_names = std::collections::HashSet::new();
        for f in &fields_json {
            if !matches!(f.value, Json::Object(_)) {
                return err(f.pos, "every field must be an object with a \"name\" and a \"type\"");
            }
            let (name, npos) = self.name_of(f, "field")?;
            if name.contains('.') {
                return err(npos, format!("a field name cannot contain `.`: `{name}`"));
            }
            if !field_names.insert(name.clone()) {
                return err(npos, format!("the record has two fields named `{name}`"));
            }
            let Some(tj) = f.get("type") else {
                return err(f.pos, format!("field `{name}` needs a \"type\""));
            };
            let ty = self.ty(tj, own_ns.as_deref())?;
            let default = match f.get("default") {
                None => None,
                Some(d) => {
                    let v = d.to_value();
                    if let Err(why) = self.check_default(&ty, &v) {
                        return err(d.pos, format!("the default of field `{name}` {why}"));
                    }
                    Some(v)
                }
            };
            let aliases = match f.get("aliases") {
                None => vec![],
                Some(a) => self.strings(a, "aliases")?,
            };
            let doc = f.get("doc").and_then(|d| d.as_str()).map(str::to_owned);
            fields.push(Field { name, aliases, doc, ty, default, pos: f.pos });
        }
        self.named[idx].kind = NamedKind::Record { fields };
        Ok(AvroType::Named(idx))
    }

    fn enumeration(&mut self, j: &Spanned, ns: Option<&str>) -> Result<AvroType, SchemaError> {
        let symbols_json = match j.get("symbols") {
            None => return err(j.pos, "an enum needs \"symbols\""),
            Some(s) => s.clone(),
        };
        let symbols = self.strings(&symbols_json, "symbols")?;
        if let Json::Array(items) = &symbols_json.value {
            let mut seen = std::collections::HashSet::new();
            for (i, s) in symbols.iter().enumerate() {
                if !valid_name(s) {
                    return err(items[i].pos, format!("`{s}` is not a valid enum symbol"));
                }
                if !seen.insert(s.as_str()) {
                    return err(items[i].pos, format!("the enum lists `{s}` twice"));
                }
            }
        }
        let default = match j.get("default") {
            None => None,
            Some(d) => match d.as_str() {
                Some(s) if symbols.iter().any(|x| x == s) => Some(s.to_owned()),
                _ => return err(d.pos, "the enum's \"default\" must be one of its symbols"),
            },
        };
        let (i, _) = self.define(j, ns, "enum", NamedKind::Enum { symbols, default })?;
        Ok(AvroType::Named(i))
    }

    /// Whether `v` is a valid default for `t` (for a union: for its first branch).
    fn check_default(&self, t: &AvroType, v: &serde_json::Value) -> Result<(), Invalid> {
        use serde_json::Value as V;
        let ok = match (t, v) {
            (AvroType::Logical(b, _), _) => return self.check_default(b, v),
            (AvroType::Null, V::Null) => true,
            (AvroType::Boolean, V::Bool(_)) => true,
            (AvroType::Int, V::Number(n)) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
            (AvroType::Long, V::Number(n)) => n.as_i64().is_some(),
            (AvroType::Float | AvroType::Double, V::Number(_)) => true,
            (AvroType::Bytes | AvroType::String, V::String(_)) => true,
            (AvroType::Array(i), V::Array(items)) => return items.iter().try_for_each(|x| self.check_default(i, x)),
            (AvroType::Map(vt), V::Object(m)) => return m.values().try_for_each(|x| self.check_default(vt, x)),
            (AvroType::Union(b), _) => {
                return self.check_default(&b[0], v).map_err(|_| {
                    Invalid(format!("must match the union's first type, {}", self.describe_branch(&b[0])))
                });
            }
            (AvroType::Named(i), _) => match (&self.named[*i].kind, v) {
                (NamedKind::Enum { symbols, .. }, V::String(s)) => symbols.contains(s),
                (NamedKind::Fixed { .. }, V::String(_)) => true,
                (NamedKind::Record { fields }, V::Object(m)) => {
                    return fields.iter().try_for_each(|f| match m.get(&f.name) {
                        Some(x) => self.check_default(&f.ty, x),
                        None if f.default.is_some() => Ok(()),
                        None => Err(Invalid(format!("lacks a value for `{}`", f.name))),
                    });
                }
                _ => false,
            },
            _ => false,
        };
        if ok { Ok(()) } else { Err(Invalid(format!("must be a valid {} value, not {v}", self.describe_branch(t)))) }
    }
}
