//! Guards the map in ARCHITECTURE.md: every module is placed in a layer, imports point down the
//! layers only (so no two modules lean on each other), and SQL stays in `repo.rs` files and `db/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Macros exported at the crate root, by the module that defines them.
const MACROS: &[(&str, &str)] = &[("apply_patch", "http")];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The layers of ARCHITECTURE.md, lowest first: module name to layer index.
fn layers() -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let block = text.split("```layers").nth(1).and_then(|rest| rest.split("```").next()).expect("a ```layers block");
    let mut out = BTreeMap::new();
    for (i, line) in block.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        for module in line.split_whitespace() {
            assert!(out.insert(module.to_string(), i).is_none(), "{module} is listed twice in ARCHITECTURE.md");
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file of `src/` with the module it belongs to (its first path component).
struct SourceFile {
    path: String,
    module: String,
    /// Lines with comments removed, numbered from 1.
    code: Vec<(usize, String)>,
}

fn sources() -> Vec<SourceFile> {
    let src = root().join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
            let module = rel.split('/').next().expect("component").trim_end_matches(".rs").to_string();
            if module == "lib" || module == "main" {
                return None;
            }
            let text = std::fs::read_to_string(&p).expect("read file");
            let code = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim_start().starts_with("//"))
                .map(|(i, l)| (i + 1, l.to_string()))
                .collect();
            Some(SourceFile { path: format!("src/{rel}"), module, code })
        })
        .collect()
}

/// The modules a line names with `crate::module`.
fn crate_refs(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let name = MACROS.iter().find(|(m, _)| *m == name).map_or(name.clone(), |(_, module)| module.to_string());
        if !name.is_empty() {
            out.push(name);
        }
        rest = after;
    }
    out
}

#[test]
fn imports_follow_the_layers_of_architecture_md() {
    let layers = layers();
    let files = sources();
    let mut problems = Vec::new();
    let modules: BTreeSet<&str> = files.iter().map(|f| f.module.as_str()).collect();
    for m in &modules {
        if !layers.contains_key(*m) {
            problems.push(format!("module `{m}` is not placed in a layer of ARCHITECTURE.md"));
        }
    }
    for m in layers.keys() {
        if !modules.contains(m.as_str()) {
            problems.push(format!("ARCHITECTURE.md lists `{m}`, which is not a module of src/"));
        }
    }
    for f in &files {
        let Some(&own) = layers.get(&f.module) else { continue };
        for (n, line) in &f.code {
            for dep in crate_refs(line) {
                if dep == f.module {
                    continue;
                }
                match layers.get(&dep) {
                    Some(&l) if l < own => {}
                    Some(_) => problems.push(format!(
                        "{}:{n}: `{}` uses `{dep}`, which is not in a lower layer: {}",
                        f.path,
                        f.module,
                        line.trim()
                    )),
                    None => problems.push(format!("{}:{n}: uses `{dep}`, not a module of ARCHITECTURE.md", f.path)),
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn no_two_modules_use_each_other_even_through_others() {
    let files = sources();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let deps = graph.entry(f.module.clone()).or_default();
        for (_, line) in &f.code {
            for dep in crate_refs(line).into_iter().filter(|d| *d != f.module) {
                deps.insert(dep);
            }
        }
    }
    // Depth-first search from every module; a path back to a module on the stack is a circle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        circles: &mut Vec<String>,
    ) {
        if let Some(i) = stack.iter().position(|s| s == m) {
            circles.push(format!("{} -> {m}", stack[i..].join(" -> ")));
            return;
        }
        if !done.insert(m.to_string()) {
            return;
        }
        stack.push(m.to_string());
        for dep in graph.get(m).into_iter().flatten() {
            visit(dep, graph, stack, done, circles);
        }
        stack.pop();
    }
    let mut circles = Vec::new();
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(circles.is_empty(), "modules that use each other:\n{}", circles.join("\n"));
}

#[test]
fn sql_lives_only_in_repositories_and_db() {
    const SQL: &[&str] = &["db::schema", "diesel::prelude", "diesel::dsl", "sql_query", "RunQueryDsl", "QueryDsl"];
    let mut problems = Vec::new();
    for f in sources() {
        let exempt = f.path.ends_with("/repo.rs") || f.path.starts_with("src/db/") || f.path.ends_with("/tests.rs");
        if exempt {
            continue;
        }
        for (n, line) in &f.code {
            if let Some(s) = SQL.iter().find(|s| line.contains(*s)) {
                problems.push(format!("{}:{n}: `{s}` outside a repository: {}", f.path, line.trim()));
            }
        }
    }
    assert!(problems.is_empty(), "SQL belongs in repo.rs files:\n{}", problems.join("\n"));
}

#[test]
fn the_guard_sees_what_it_guards() {
    // The checks above are only as good as their reading of the source: make sure they find the
    // imports and the modules they must.
    assert_eq!(crate_refs("use crate::db::{AnyConnection, write_tx}; crate::apply_patch!(a, b, [c]);"), ["db", "http"]);
    let files = sources();
    let placements = files.iter().filter(|f| f.module == "placements").count();
    assert!(placements >= 4, "placements has model, repo, routes, service");
    let uses: usize = files.iter().flat_map(|f| f.code.iter()).map(|(_, l)| crate_refs(l).len()).sum();
    assert!(uses > 300, "found only {uses} crate:: paths");
    assert!(layers().contains_key("placements"));
}
