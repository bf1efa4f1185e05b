//! The layout rules, checked on every test run: each file of `server/src`, `app/src` and
//! `frontend/src` opens with a `//!` line and grows past 400 lines only with a reason at its top;
//! in `server/src` SQL lives only in store modules and no two feature modules import each other
//! (directly or round a loop).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LONGEST: usize = 400;

/// Every `.rs` file under `server/src`: (path relative to it, text before any test module, lines).
fn sources() -> Vec<(String, String, usize)> {
    sources_of("server")
}

/// The same for every crate of the product.
fn all_sources() -> Vec<(String, String, usize)> {
    ["server", "app", "frontend"]
        .into_iter()
        .flat_map(|krate| {
            sources_of(krate)
                .into_iter()
                .map(move |(p, b, l)| (format!("{krate}/src/{p}"), b, l))
        })
        .collect()
}

fn sources_of(krate: &str) -> Vec<(String, String, usize)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(krate).join("src");
    let mut stack = vec![root.clone()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path: PathBuf = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let lines = text.lines().count();
                let body = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                let rel = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                files.push((rel, body, lines));
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "found the sources of {krate}");
    files
}

fn is_store(path: &str) -> bool {
    path.starts_with("store/") || path.contains("/store/") || path.ends_with("/store.rs")
}

#[test]
fn every_file_says_what_it_is_for() {
    let missing: Vec<String> = all_sources()
        .into_iter()
        .filter(|(_, body, _)| !body.starts_with("//!"))
        .map(|(path, _, _)| path)
        .collect();
    assert!(missing.is_empty(), "files without a //! line: {missing:?}");
}

#[test]
fn sql_lives_only_in_store_modules() {
    let sources = sources();
    assert!(sources.len() > 50, "found the server's sources: {}", sources.len());
    let outside: Vec<String> = sources
        .into_iter()
        .filter(|(path, body, _)| {
            !is_store(path) && !path.starts_with("bin/") && (body.contains("sqlx::query") || body.contains("QueryBuilder"))
        })
        .map(|(path, _, _)| path)
        .collect();
    assert!(outside.is_empty(), "SQL outside the store modules: {outside:?}");
}

#[test]
fn long_files_say_why_at_their_top() {
    let unexplained: Vec<String> = all_sources()
        .into_iter()
        .filter(|(_, body, lines)| {
            let header: String = body.lines().take_while(|l| l.starts_with("//!")).collect();
            *lines > LONGEST && !header.contains("Longer than")
        })
        .map(|(path, _, lines)| format!("{path} ({lines} lines)"))
        .collect();
    assert!(
        unexplained.is_empty(),
        "files past {LONGEST} lines with no reason at the top: {unexplained:?}"
    );
}

#[test]
fn feature_modules_do_not_import_each_other_in_a_loop() {
    // Top-level module → the top-level modules it names as `crate::…`.
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, body, _) in sources() {
        if path == "lib.rs" || path == "main.rs" || path.starts_with("bin/") {
            continue;
        }
        let top = path.split('/').next().unwrap().trim_end_matches(".rs").to_string();
        let deps = graph.entry(top.clone()).or_default();
        for (i, _) in body.match_indices("crate::") {
            let name: String = body[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            if !name.is_empty() && name != top {
                deps.insert(name);
            }
        }
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| modules.contains(d));
    }
    // Depth-first search; a module met again while still on the path closes a loop.
    fn visit(m: &str, graph: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>) {
        if let Some(at) = path.iter().position(|p| p == m) {
            let mut cycle = path[at..].to_vec();
            cycle.push(m.to_string());
            panic!("import cycle: {}", cycle.join(" → "));
        }
        if done.contains(m) {
            return;
        }
        path.push(m.to_string());
        for d in &graph[m] {
            visit(d, graph, path, done);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
    assert!(
        graph.contains_key("events") && graph["registrations"].contains("events"),
        "the graph was read: {graph:?}"
    );
}
