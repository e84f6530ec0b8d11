//! ARCHITECTURE.md's claims, checked against the code: the crates each crate may depend on
//! (the code map's "may depend on"), and where `unsafe` is (its "Where `unsafe` is" list).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the repository").to_owned()
}

/// The code map's rows: (crate, path, the workspace crates it may depend on).
fn code_map() -> Vec<(String, String, Vec<String>)> {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut rows: Vec<(String, String, Vec<String>)> = Vec::new();
    for line in doc.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (name, path, deps) = (cells[1].trim_matches('`'), cells[2].trim_matches('`'), cells[3]);
        if !name.starts_with("meshdesk-") && name != "meshctl" {
            continue;
        }
        let workspace: Vec<String> = rows.iter().map(|(n, _, _)| n.clone()).collect();
        let allowed = if deps.starts_with("all of the above") {
            let mut all = workspace;
            all.extend(deps.split(',').skip(1).map(|d| format!("meshdesk-{}", d.trim())));
            all
        } else if deps.starts_with("everything but ui") {
            workspace.into_iter().filter(|n| n != "meshdesk-ui").collect()
        } else {
            deps.split(',').map(|d| format!("meshdesk-{}", d.trim())).collect()
        };
        rows.push((name.to_owned(), path.to_owned(), allowed));
    }
    rows
}

/// The workspace crates a manifest's `[dependencies]` name.
fn workspace_deps(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).expect("a manifest");
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('[') {
            in_deps = line.trim() == "[dependencies]";
        } else if in_deps && line.starts_with("meshdesk-") {
            out.push(line.split(['.', ' ', '=']).next().unwrap_or_default().to_owned());
        }
    }
    out
}

#[test]
fn each_crate_depends_only_on_what_the_code_map_says() {
    // Verifies ARCHITECTURE.md's code map against the manifests: every workspace crate is in the map, and each one's `[dependencies]` name only workspace crates its "may depend on" column allows.
    let map = code_map();
    assert!(map.len() >= 10, "the code map was read: {map:?}");
    let mut wrong = Vec::new();
    for (name, path, allowed) in &map {
        for dep in workspace_deps(&root().join(path).join("Cargo.toml")) {
            if !allowed.contains(&dep) {
                wrong.push(format!("{name} depends on {dep}, which the code map does not allow ({allowed:?})"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Source files that may hold `unsafe`, as ARCHITECTURE.md's "Where `unsafe` is" lists them.
const UNSAFE_ALLOWED: &[&str] = &[
    "crates/kafka/src/native/",
    "crates/service/src/keyring.rs",
    "src-tauri/src/single.rs",
    "crates/sandbox/src/lib.rs",
    "crates/sandbox/src/kafka_node/",
    "tests/harness/",
    "tests/it/window.rs",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if p.is_dir() && !["target", "node_modules", "dist", ".git"].contains(&name.as_str()) {
            rust_files(&p, out);
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

#[test]
fn unsafe_is_only_where_the_architecture_says() {
    // Verifies ARCHITECTURE.md's list of where `unsafe` is: no Rust file outside the listed ones holds an `unsafe` block, function or impl, and each listed place still holds one (a stale entry fails too).
    let root = root();
    let mut files = Vec::new();
    for top in ["crates", "src-tauri", "ui/src", "tests"] {
        rust_files(&root.join(top), &mut files);
    }
    let mut found = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&root).expect("inside the repository").to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&f).expect("a source file");
        let uses = text.lines().any(|l| {
            let code = l.split("//").next().unwrap_or_default();
            ["unsafe {", "unsafe fn", "unsafe impl", "unsafe extern"].iter().any(|u| code.contains(u))
        });
        if uses && rel != "tests/it/architecture.rs" {
            found.push(rel);
        }
    }
    let outside: Vec<&String> = found.iter().filter(|f| !UNSAFE_ALLOWED.iter().any(|a| f.starts_with(a))).collect();
    assert!(outside.is_empty(), "unsafe outside ARCHITECTURE.md's list: {outside:?}");
    let stale: Vec<&&str> = UNSAFE_ALLOWED.iter().filter(|a| !found.iter().any(|f| f.starts_with(**a))).collect();
    assert!(stale.is_empty(), "listed but holding no unsafe any more: {stale:?}");
}
