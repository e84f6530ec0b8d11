//! Protobuf: parsing with line and column (syntax by `protox-parse`, then the checks below), and
//! compatibility by the Confluent rules this engine covers (see [`differences`]).

use std::collections::{HashMap, HashSet};

use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto};

use super::avro::SchemaError;
use super::json::Pos;

/// A parsed Protobuf schema (one `.proto` file).
#[derive(Debug, Clone, PartialEq)]
pub struct ProtoSchema {
    /// The file's descriptor.
    pub file: FileDescriptorProto,
    /// (message full name, field number) → the field's type: a scalar's name, or the full name
    /// of the message or enum it refers to.
    pub field_types: HashMap<(String, i32), String>,
}

fn pos_at(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u32 + 1;
    Pos { line, column }
}

fn scalar(t: Type) -> &'static str {
    match t {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Group => "group",
        Type::Message => "message",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Enum => "enum",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
    }
}

struct Checker<'a> {
    file: &'a FileDescriptorProto,
    known: HashSet<String>,
    field_types: HashMap<(String, i32), String>,
}

impl Checker<'_> {
    fn pos(&self, path: &[i32]) -> Pos {
        self.file
            .source_code_info
            .as_ref()
            .and_then(|i| i.location.iter().find(|l| l.path == path))
            .map(|l| Pos { line: l.span[0] as u32 + 1, column: l.span[1] as u32 + 1 })
            .unwrap_or(Pos { line: 1, column: 1 })
    }

    fn collect(&mut self, scope: &str, messages: &[DescriptorProto]) {
        for m in messages {
            let full = format!("{scope}.{}", m.name());
            for e in &m.enum_type {
                self.known.insert(format!("{full}.{}", e.name()));
            }
            self.collect(&full, &m.nested_type);
            self.known.insert(full);
        }
    }

    fn resolve(&self, scope: &str, name: &str) -> Option<String> {
        if let Some(abs) = name.strip_prefix('.') {
            let full = format!(".{abs}");
            return self.known.contains(&full).then_some(full);
        }
        let mut s = scope.to_owned();
        loop {
            let candidate = format!("{s}.{name}");
            if self.known.contains(&candidate) {
                return Some(candidate);
            }
            match s.rfind('.') {
                Some(i) => s.truncate(i),
                None => return None,
            }
        }
    }

    fn check(
        &mut self,
        scope: &str,
        messages: &[DescriptorProto],
        path: Vec<i32>,
        field_tag: i32,
    ) -> Result<(), SchemaError> {
        for (i, m) in messages.iter().enumerate() {
            let full = format!("{scope}.{}", m.name());
            let mpath: Vec<i32> = path.iter().copied().chain([field_tag, i as i32]).collect();
            let mut numbers = HashSet::new();
            let mut names = HashSet::new();
            for (j, f) in m.field.iter().enumerate() {
                let fpath: Vec<i32> = mpath.iter().copied().chain([2, j as i32]).collect();
                let at = self.pos(&fpath);
                let n = f.number();
                if !(1..=536_870_911).contains(&n) {
                    return Err(SchemaError {
                        pos: at,
                        message: format!("field `{}` has number {n}; numbers run from 1 to 536870911", f.name()),
                    });
                }
                if (19_000..=19_999).contains(&n) {
                    return Err(SchemaError {
                        pos: at,
                        message: format!("field `{}` uses number {n}, reserved by Protobuf (19000-19999)", f.name()),
                    });
                }
                if !numbers.insert(n) {
                    return Err(SchemaError {
                        pos: at,
                        message: format!("field number {n} is used twice in message {}", m.name()),
                    });
                }
                if !names.insert(f.name().to_owned()) {
                    return Err(SchemaError {
                        pos: at,
                        message: format!("message {} has two fields named `{}`", m.name(), f.name()),
                    });
                }
                let ty = match (f.r#type.and_then(|t| Type::try_from(t).ok()), f.type_name.as_deref()) {
                    (Some(t), None) => scalar(t).to_owned(),
                    (_, Some(name)) => match self.resolve(&full, name) {
                        Some(resolved) => resolved.trim_start_matches('.').to_owned(),
                        None if !self.file.dependency.is_empty() => name.trim_start_matches('.').to_owned(),
                        None => {
                            return Err(SchemaError {
                                pos: at,
                                message: format!(
                                    "unknown type `{name}` for field `{}`: no message or enum of that name is defined",
                                    f.name()
                                ),
                            });
                        }
                    },
                    (None, None) => "?".to_owned(),
                };
                self.field_types.insert((full.trim_start_matches('.').to_owned(), n), ty);
            }
            self.check(&full, &m.nested_type, mpath, 3)?;
        }
        Ok(())
    }
}

impl ProtoSchema {
    /// Parses and checks a `.proto` file.
    pub fn parse(text: &str) -> Result<Self, SchemaError> {
        // protox-parse asserts things about its input in debug builds (a leading-zero number
        // such as `008` trips one): a pasted schema must never bring the app down, so a panic
        // in the third-party parser becomes an error here (native builds; release builds, the
        // UI's included, have no such assertions: see Cargo.toml's profile for protox-parse).
        #[cfg(not(target_arch = "wasm32"))]
        let parsed =
            std::panic::catch_unwind(|| protox_parse::parse("schema.proto", text)).map_err(|_| SchemaError {
                pos: pos_at(text, 0),
                message: "the Protobuf parser could not read this text (check numbers and punctuation)".into(),
            })?;
        #[cfg(target_arch = "wasm32")]
        let parsed = protox_parse::parse("schema.proto", text);
        let file = parsed.map_err(|e| {
            let pos = e.span().map(|s| pos_at(text, s.start)).unwrap_or_else(|| pos_at(text, text.len()));
            SchemaError { pos, message: e.to_string() }
        })?;
        let package = file.package.as_deref().filter(|p| !p.is_empty()).map(|p| format!(".{p}")).unwrap_or_default();
        let mut c = Checker { file: &file, known: HashSet::new(), field_types: HashMap::new() };
        for e in &file.enum_type {
            c.known.insert(format!("{package}.{}", e.name()));
        }
        c.collect(&package, &file.message_type);
        c.check(&package, &file.message_type, vec![], 4)?;
        let field_types = c.field_types;
        Ok(Self { file, field_types })
    }

    fn messages(&self) -> Vec<(String, &DescriptorProto)> {
        fn walk<'a>(scope: &str, ms: &'a [DescriptorProto], out: &mut Vec<(String, &'a DescriptorProto)>) {
            for m in ms {
                let full = if scope.is_empty() { m.name().to_owned() } else { format!("{scope}.{}", m.name()) };
                walk(&full, &m.nested_type, out);
                out.push((full, m));
            }
        }
        let mut out = Vec::new();
        walk(self.file.package(), &self.file.message_type, &mut out);
        out
    }
}

/// Types whose values are read the same on the wire (Confluent's compatible groups).
fn wire_group(t: &str) -> &str {
    match t {
        "int32" | "uint32" | "int64" | "uint64" | "bool" => "varint",
        "sint32" | "sint64" => "zigzag",
        "fixed32" | "sfixed32" => "fixed32",
        "fixed64" | "sfixed64" => "fixed64",
        "string" | "bytes" => "length-delimited",
        other => other,
    }
}

fn repeated(f: &FieldDescriptorProto) -> bool {
    f.label() == Label::Repeated
}

/// The changes from `old` to `new` that break readers on either side, as `(path, what)`, by
/// these Confluent rules: the package changed; a message removed; a field's type changed outside
/// its wire-compatible group (int32/uint32/int64/uint64/bool, sint32/sint64, fixed32/sfixed32,
/// fixed64/sfixed64, string/bytes) or to another message or enum; a field changed between
/// repeated and single; a field moved into a oneof; a proto2 required field added or removed.
/// Adding or removing optional fields, renaming fields and adding messages are compatible.
pub fn differences(old: &ProtoSchema, new: &ProtoSchema) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if old.file.package() != new.file.package() {
        out.push((
            "<package>".into(),
            format!("package changed from `{}` to `{}`", old.file.package(), new.file.package()),
        ));
    }
    let new_messages = new.messages();
    for (name, om) in old.messages() {
        let Some((_, nm)) = new_messages.iter().find(|(n, _)| *n == name) else {
            out.push((name.clone(), "message was removed".into()));
            continue;
        };
        for of in &om.field {
            let path = format!("{name}.{}", of.name());
            let Some(nf) = nm.field.iter().find(|f| f.number() == of.number()) else {
                if of.label() == Label::Required {
                    out.push((path, "required field was removed".into()));
                }
                continue;
            };
            let (ot, nt) =
                (&old.field_types[&(name.clone(), of.number())], &new.field_types[&(name.clone(), nf.number())]);
            if ot != nt && wire_group(ot) != wire_group(nt) {
                out.push((path.clone(), format!("changed from {ot} to {nt}")));
            }
            if repeated(of) != repeated(nf) {
                let (a, b) = if repeated(of) { ("repeated", "single") } else { ("single", "repeated") };
                out.push((path.clone(), format!("changed from {a} to {b}")));
            }
            if of.oneof_index.is_none() && nf.oneof_index.is_some() && !nf.proto3_optional() {
                out.push((path, "was moved into a oneof".into()));
            }
        }
        for nf in nm.field.iter().filter(|f| f.label() == Label::Required) {
            if !om.field.iter().any(|f| f.number() == nf.number()) {
                out.push((format!("{name}.{}", nf.name()), "required field was added".into()));
            }
        }
    }
    out
}
