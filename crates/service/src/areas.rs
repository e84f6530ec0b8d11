//! The service's areas: which file belongs to which, and which areas each may call. Every area
//! is `impl Meshdesk` blocks in its files, so a call between areas is a method call on the
//! service; the test below reads the sources and checks each such call (and each
//! `crate::<module>::` path) against [`MAY_CALL`], and that the table has no circle. ARCHITECTURE.md
//! ("The service's areas") says what each area owns.

/// Each area and its files.
pub(crate) const AREAS: &[(&str, &[&str])] = &[
    // The state every area shares: the cache, the connection (with its one admin client), the
    // notifier; the environment file, the keyring, and reading topics and groups on the cluster.
    ("core", &["lib.rs", "connection.rs", "env.rs", "keyring.rs", "topics.rs"]),
    // The governance log: the outbox (checked, signed, queued, sent in order) and the fold.
    ("log", &["outbox.rs", "governance_log.rs"]),
    // Who reads a product: declared, granted, observed.
    ("readers", &["lineage.rs"]),
    // Keys and enrollment.
    ("trust", &["trust.rs"]),
    // Published policy rules.
    ("policies", &["policies.rs"]),
    // Cross-domain access: requests, decisions, grant state and its ACLs, the reconciler.
    ("access", &["access.rs", "acls.rs"]),
    // Drafts, their check and their publication journal.
    ("wizard", &["wizard.rs"]),
    // The registry's subjects and versions, schema changes and their readers.
    ("schemas", &["schemas.rs", "changes.rs"]),
    // Search, the product page, live quality, unmanaged topics, exports.
    ("catalog", &["catalog.rs", "quality.rs", "exports.rs"]),
    // Other environments and promotion to them.
    ("promotion", &["environments.rs", "promote.rs"]),
    // What starts the work: the IPC commands and the background loop.
    ("entry", &["ipc.rs", "background.rs"]),
];

/// Which areas each area may call (besides itself). No circle: every call goes down this list.
pub(crate) const MAY_CALL: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("log", &["core"]),
    ("readers", &["core"]),
    ("trust", &["core", "log"]),
    ("policies", &["core", "log", "trust"]),
    ("access", &["core", "log", "policies", "trust"]),
    ("wizard", &["core", "log", "policies", "access"]),
    ("schemas", &["core", "log", "readers", "wizard"]),
    ("catalog", &["core", "log", "readers", "policies", "wizard", "schemas"]),
    ("promotion", &["core", "log", "wizard"]),
    ("entry", &["core", "log", "readers", "trust", "policies", "access", "wizard", "schemas", "catalog", "promotion"]),
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::{AREAS, MAY_CALL};

    /// The service's sources, by file name, without their test modules.
    fn sources() -> BTreeMap<String, String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = BTreeMap::new();
        for e in std::fs::read_dir(dir).expect("src is readable") {
            let p = e.expect("an entry").path();
            if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("a source file");
                let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_owned();
                out.insert(p.file_name().expect("a name").to_string_lossy().into_owned(), code);
            }
        }
        out
    }

    fn area_of(file: &str) -> Option<&'static str> {
        AREAS.iter().find(|(_, files)| files.contains(&file)).map(|(a, _)| *a)
    }

    /// Identifiers following `prefix` in `text` (`fn name`, `self.name(`, `crate::module::`).
    fn names_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
        text.match_indices(prefix)
            .map(|(i, _)| {
                let rest = &text[i + prefix.len()..];
                let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                &rest[..end]
            })
            .filter(|n| !n.is_empty())
            .collect()
    }

    #[test]
    fn every_call_between_areas_goes_down_the_table_and_the_table_has_no_circle() {
        // Verifies the service's area graph: every source file belongs to one area, each method
        // call to another area's method (by name, where one area alone defines it) and each
        // `crate::<module>::` path is allowed by MAY_CALL, and MAY_CALL itself has no circle.
        let src = sources();
        for file in src.keys() {
            assert!(area_of(file).is_some() || file == "areas.rs", "{file} belongs to no area: add it to AREAS");
        }
        // Which areas define each method name.
        let mut defined: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (file, code) in &src {
            if let Some(a) = area_of(file) {
                for n in names_after(code, "fn ") {
                    defined.entry(n).or_default().insert(a);
                }
            }
        }
        let allowed = |from: &str, to: &str| {
            from == to || MAY_CALL.iter().any(|(a, callees)| *a == from && callees.contains(&to))
        };
        let mut wrong = Vec::new();
        for (file, code) in &src {
            let Some(from) = area_of(file) else { continue };
            let mut calls: Vec<(&str, &str)> = Vec::new();
            for receiver in ["self.", "md.", "me.", "target.", "other."] {
                // A method call: the name is followed by `(` (a field like `self.notices` is not).
                for n in names_after(code, receiver).into_iter().filter(|n| code.contains(&format!("{receiver}{n}("))) {
                    if let Some(areas) = defined.get(n)
                        && areas.len() == 1
                    {
                        calls.push((areas.iter().next().copied().unwrap_or_default(), n));
                    }
                }
            }
            for m in names_after(code, "crate::") {
                if let Some(to) = area_of(&format!("{m}.rs")) {
                    calls.push((to, m));
                }
            }
            for (to, what) in calls {
                if !allowed(from, to) {
                    wrong.push(format!("{file} ({from}) calls {what} of {to}"));
                }
            }
        }
        assert!(wrong.is_empty(), "calls the area table does not allow:\n{}", wrong.join("\n"));
        // No circle: a depth-first walk never meets an area on its own path.
        fn walk<'a>(a: &'a str, path: &mut Vec<&'a str>) {
            assert!(!path.contains(&a), "a circle in MAY_CALL: {path:?} -> {a}");
            path.push(a);
            for (from, callees) in MAY_CALL {
                if *from == a {
                    for c in *callees {
                        walk(c, path);
                    }
                }
            }
            path.pop();
        }
        for (a, _) in AREAS {
            walk(a, &mut Vec::new());
        }
    }
}
