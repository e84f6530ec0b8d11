//! Avro compatibility as the Confluent Schema Registry applies it: Avro schema resolution
//! (can a reader with one schema read data written with another?) checked against previous
//! versions at one of the seven levels, every problem explained per field.

use std::collections::HashSet;

use super::avro::{AvroSchema, AvroType, NamedKind};
use crate::model::CompatibilityLevel;

/// Why a reader cannot read what a writer wrote, at one place in the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The types at `path` cannot be resolved (`reader` cannot read `writer`).
    TypeMismatch {
        /// The reader's type.
        reader: String,
        /// The writer's type.
        writer: String,
    },
    /// The reader expects a field the writer's records lack, and the reader gives no default.
    MissingField {
        /// The missing field's name.
        field: String,
    },
    /// Named types (records, enums, fixed) must keep their name, or list the old one as an alias.
    NameMismatch {
        /// The reader's type name.
        reader: String,
        /// The writer's type name.
        writer: String,
    },
    /// The writer may write enum symbols the reader does not know, and the reader has no default.
    UnknownSymbols {
        /// The enum's name.
        enum_name: String,
        /// The symbols the reader does not know.
        symbols: Vec<String>,
    },
    /// Fixed types of different sizes.
    FixedSize {
        /// The reader's size in bytes.
        reader: u64,
        /// The writer's size in bytes.
        writer: u64,
    },
    /// A type the writer's union allows that the reader cannot read.
    UnionBranch {
        /// The writer's branch type.
        writer: String,
    },
}

/// One incompatibility found by [`can_read`], at `path` (`quantity`, `address.city`, `<root>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    /// Where, in the reader's schema.
    pub path: String,
    /// What is wrong there.
    pub problem: Problem,
}

fn promotable(reader: &AvroType, writer: &AvroType) -> bool {
    use AvroType::*;
    matches!(
        (writer, reader),
        (Int, Long | Float | Double) | (Long, Float | Double) | (Float, Double) | (String, Bytes) | (Bytes, String)
    )
}

fn strip(t: &AvroType) -> &AvroType {
    match t {
        AvroType::Logical(b, _) => strip(b),
        other => other,
    }
}

struct Resolver<'a> {
    r: &'a AvroSchema,
    w: &'a AvroSchema,
    /// Named-type pairs being compared (recursive types terminate).
    visiting: HashSet<(usize, usize)>,
    out: Vec<Incompatibility>,
}

impl Resolver<'_> {
    fn push(&mut self, path: &str, problem: Problem) {
        self.out
            .push(Incompatibility { path: if path.is_empty() { "<root>".into() } else { path.to_owned() }, problem });
    }

    /// Whether reader type `rt` can read writer type `wt`, without recording problems.
    fn quietly(&mut self, rt: &AvroType, wt: &AvroType) -> bool {
        let before = self.out.len();
        self.check(rt, wt, "");
        let ok = self.out.len() == before;
        self.out.truncate(before);
        ok
    }

    fn names_match(&self, ri: usize, wi: usize) -> bool {
        let (rn, wn) = (&self.r.named[ri], &self.w.named[wi]);
        // As Java Avro's SchemaCompatibility: unqualified names equal, or a reader alias naming
        // the writer's full name.
        rn.short_name() == wn.short_name() || rn.aliases.iter().any(|a| a == &wn.fullname)
    }

    fn check(&mut self, rt: &AvroType, wt: &AvroType, path: &str) {
        use AvroType::*;
        let (rt, wt) = (strip(rt), strip(wt));
        match (rt, wt) {
            // A writer union: every type it may write must be readable.
            (_, Union(wb)) => {
                for b in wb {
                    if !self.quietly(rt, b) {
                        let writer = self.w.describe(b);
                        self.push(path, Problem::UnionBranch { writer });
                    }
                }
            }
            // A reader union: the first branch that can read the writer's type is used.
            (Union(rb), _) => {
                if !rb.iter().any(|b| self.quietly(b, wt)) {
                    let (reader, writer) = (self.r.describe(rt), self.w.describe(wt));
                    self.push(path, Problem::TypeMismatch { reader, writer });
                }
            }
            (Array(ri), Array(wi)) => self.check(ri, wi, &format!("{path}[]")),
            (Map(rv), Map(wv)) => self.check(rv, wv, &format!("{path}{{}}")),
            (Named(ri), Named(wi)) => self.named(*ri, *wi, path),
            (a, b) if a == b && !matches!(a, Named(_)) => {}
            (a, b) if promotable(a, b) => {}
            _ => {
                let (reader, writer) = (self.r.describe(rt), self.w.describe(wt));
                self.push(path, Problem::TypeMismatch { reader, writer });
            }
        }
    }

    fn named(&mut self, ri: usize, wi: usize, path: &str) {
        let (rn, wn) = (&self.r.named[ri], &self.w.named[wi]);
        let kinds_match = matches!(
            (&rn.kind, &wn.kind),
            (NamedKind::Record { .. }, NamedKind::Record { .. })
                | (NamedKind::Enum { .. }, NamedKind::Enum { .. })
                | (NamedKind::Fixed { .. }, NamedKind::Fixed { .. })
        );
        if !kinds_match {
            let (reader, writer) = (self.r.describe(&AvroType::Named(ri)), self.w.describe(&AvroType::Named(wi)));
            return self.push(path, Problem::TypeMismatch { reader, writer });
        }
        if !self.names_match(ri, wi) {
            let (reader, writer) = (rn.fullname.clone(), wn.fullname.clone());
            return self.push(path, Problem::NameMismatch { reader, writer });
        }
        if !self.visiting.insert((ri, wi)) {
            return;
        }
        let (r, w) = (self.r, self.w);
        match (&r.named[ri].kind, &w.named[wi].kind) {
            (NamedKind::Record { fields: rf }, NamedKind::Record { fields: wf }) => {
                for f in rf {
                    let sub = if path.is_empty() { f.name.clone() } else { format!("{path}.{}", f.name) };
                    let found = wf
                        .iter()
                        .find(|x| x.name == f.name)
                        .or_else(|| wf.iter().find(|x| f.aliases.contains(&x.name)));
                    match found {
                        Some(wfield) => self.check(&f.ty, &wfield.ty, &sub),
                        None if f.default.is_some() => {}
                        None => self.push(&sub, Problem::MissingField { field: f.name.clone() }),
                    }
                }
            }
            (NamedKind::Enum { symbols: rs, default }, NamedKind::Enum { symbols: ws, .. }) => {
                let unknown: Vec<String> = ws.iter().filter(|s| !rs.contains(s)).cloned().collect();
                if !unknown.is_empty() && default.is_none() {
                    let enum_name = r.named[ri].short_name().to_owned();
                    self.push(path, Problem::UnknownSymbols { enum_name, symbols: unknown });
                }
            }
            (NamedKind::Fixed { size: rs }, NamedKind::Fixed { size: ws }) if rs != ws => {
                self.push(path, Problem::FixedSize { reader: *rs, writer: *ws });
            }
            _ => {}
        }
        self.visiting.remove(&(ri, wi));
    }
}

/// Every reason a reader using `reader` cannot read data written with `writer` (empty: it can).
pub fn can_read(reader: &AvroSchema, writer: &AvroSchema) -> Vec<Incompatibility> {
    let mut r = Resolver { r: reader, w: writer, visiting: HashSet::new(), out: Vec::new() };
    r.check(&reader.root, &writer.root, "");
    r.out
}

/// Which side could not read the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Consumers on the new schema cannot read records written with an old version.
    NewCannotReadOld,
    /// Consumers on an old version cannot read records written with the new schema.
    OldCannotReadNew,
}

/// One incompatibility of the new schema with one previous version, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The previous version's label (its registry version, or its position).
    pub version: u32,
    /// Which side cannot read the other.
    pub direction: Direction,
    /// Where, as a field path.
    pub path: String,
    /// What is wrong there.
    pub problem: Problem,
    /// The issue in words, for people.
    pub message: String,
}

/// The verdict of a compatibility check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The level checked.
    pub level: CompatibilityLevel,
    /// Every incompatibility found; empty when compatible.
    pub issues: Vec<Issue>,
}

impl Verdict {
    /// Whether no issue was found.
    pub fn is_compatible(&self) -> bool {
        self.issues.is_empty()
    }
}

fn explain(version: u32, direction: Direction, i: &Incompatibility) -> String {
    let consequence = match direction {
        Direction::NewCannotReadOld => {
            format!("consumers using the new version cannot read records written with version {version}")
        }
        Direction::OldCannotReadNew => {
            format!("consumers using version {version} cannot read records written with the new version")
        }
    };
    let p = &i.path;
    let what = match (&i.problem, direction) {
        // Old → new wording, whichever side reads.
        (Problem::TypeMismatch { reader, writer }, Direction::NewCannotReadOld) => {
            format!("field `{p}` changed from {writer} to {reader}")
        }
        (Problem::TypeMismatch { reader, writer }, Direction::OldCannotReadNew) => {
            format!("field `{p}` changed from {reader} to {writer}")
        }
        (Problem::MissingField { field }, Direction::NewCannotReadOld) => {
            format!("field `{p}` was added without a default (`{field}` is missing from older records)")
        }
        (Problem::MissingField { .. }, Direction::OldCannotReadNew) => {
            format!("field `{p}` was removed, and version {version} has no default for it")
        }
        (Problem::NameMismatch { reader, writer }, Direction::NewCannotReadOld) => {
            format!("`{p}` was renamed from type {writer} to {reader} without listing the old name as an alias")
        }
        (Problem::NameMismatch { reader, writer }, Direction::OldCannotReadNew) => {
            format!("`{p}` was renamed from type {reader} to {writer}")
        }
        (Problem::UnknownSymbols { enum_name, symbols }, Direction::NewCannotReadOld) => {
            format!("enum {enum_name} at `{p}` no longer has {} and has no default symbol", symbols.join(", "))
        }
        (Problem::UnknownSymbols { enum_name, symbols }, Direction::OldCannotReadNew) => {
            format!(
                "enum {enum_name} at `{p}` gained {}, which version {version} does not know and has no default for",
                symbols.join(", ")
            )
        }
        (Problem::FixedSize { reader, writer }, Direction::NewCannotReadOld) => {
            format!("fixed `{p}` changed size from {writer} to {reader} bytes")
        }
        (Problem::FixedSize { reader, writer }, Direction::OldCannotReadNew) => {
            format!("fixed `{p}` changed size from {reader} to {writer} bytes")
        }
        (Problem::UnionBranch { writer }, Direction::NewCannotReadOld) => {
            format!("`{p}` can hold {writer} in older records, which the new version does not accept")
        }
        (Problem::UnionBranch { writer }, Direction::OldCannotReadNew) => {
            format!("`{p}` can now hold {writer}, which version {version} does not accept")
        }
    };
    format!("{what}: {consequence}")
}

/// What a level asks for, whatever the format: the previous versions to check against (the
/// latest, all, or none) and in which directions (new reads old: backward; old reads new: forward).
pub fn plan<T>(level: CompatibilityLevel, previous: &[T]) -> (&[T], bool, bool) {
    use CompatibilityLevel as L;
    let against = match level {
        L::None => &[],
        L::Backward | L::Forward | L::Full => previous.last().map(std::slice::from_ref).unwrap_or(&[]),
        L::BackwardTransitive | L::ForwardTransitive | L::FullTransitive => previous,
    };
    let backward = matches!(level, L::Backward | L::BackwardTransitive | L::Full | L::FullTransitive);
    let forward = matches!(level, L::Forward | L::ForwardTransitive | L::Full | L::FullTransitive);
    (against, backward, forward)
}

/// Checks `new` against `previous` (oldest first, each with its version label) at `level`.
pub fn check(level: CompatibilityLevel, previous: &[(u32, &AvroSchema)], new: &AvroSchema) -> Verdict {
    let (against, backward, forward) = plan(level, previous);
    let mut issues = Vec::new();
    for (version, old) in against.iter().rev() {
        if backward {
            for i in can_read(new, old) {
                let message = explain(*version, Direction::NewCannotReadOld, &i);
                issues.push(Issue {
                    version: *version,
                    direction: Direction::NewCannotReadOld,
                    path: i.path,
                    problem: i.problem,
                    message,
                });
            }
        }
        if forward {
            for i in can_read(old, new) {
                let message = explain(*version, Direction::OldCannotReadNew, &i);
                issues.push(Issue {
                    version: *version,
                    direction: Direction::OldCannotReadNew,
                    path: i.path,
                    problem: i.problem,
                    message,
                });
            }
        }
    }
    Verdict { level, issues }
}
