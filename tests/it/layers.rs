//! The layers of `src/` point one way: a module may use the modules of its own layer and
//! of the layers below, never one above (docs/design.md, "Layers"). This reads every
//! source file and checks each `crate::…` path outside comments and unit tests against
//! the table below, so that a cycle or an upward import fails the suite instead of
//! waiting for a reviewer to notice. A new top-level module must be given a layer here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Each top-level module of the crate and its layer, lowest first.
const LAYERS: &[(&str, u8)] = &[
    // Time, and the pure rules of the domain (no SQL, no HTTP).
    ("clock", 0),
    ("domain", 1),
    ("rate_limit", 1),
    ("log", 1),
    ("metrics", 1),
    ("waiting", 1),
    ("answers", 1),
    ("config", 2),
    // All SQL; the single writer; the error the use cases report.
    ("store", 3),
    ("writer", 4),
    ("error", 4),
    // The state every worker shares, and one request's context.
    ("app", 5),
    // The use cases: the only place that opens a write.
    ("service", 6),
    // Requests and responses, routing, authentication; MCP, a protocol whose tools
    // run through the same pipeline (the route table is handed to it); the web app's
    // embedded files, answered to browsers before the route table.
    ("http", 7),
    ("mcp", 7),
    ("ui", 7),
    // The handlers and the route table.
    ("api", 8),
    // The delivery threads, the command line's administration, the bench's seed.
    ("outbox", 9),
    ("admin", 9),
    ("seed", 9),
    ("demo", 9),
    // Wiring: the listener, the workers and the background threads.
    ("server", 10),
    ("lib", 11),
];

/// Every `.rs` file below `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The top-level module a file of `src/` belongs to (`main.rs` is the binary, a crate
/// of its own).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "main").then(|| name.to_owned())
}

/// The code of a file without its comments and its unit tests (tests may reach
/// anywhere to set a scene up).
fn code_of(text: &str) -> String {
    let text = text
        .find("#[cfg(test)]\nmod tests")
        .map_or(text, |end| &text[..end]);
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names with `crate::`.
fn used_modules(code: &str) -> Vec<String> {
    let mut used = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c};`
            let group = group.split('}').next().unwrap_or_default();
            used.extend(group.split(',').filter_map(|item| {
                let name = item.trim().split("::").next()?.trim();
                (!name.is_empty()).then(|| name.to_owned())
            }));
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.push(name);
        }
    }
    used
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let layers: BTreeMap<&str, u8> = LAYERS.iter().copied().collect();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    for file in sources(&src) {
        let Some(module) = module_of(&src, &file) else {
            continue;
        };
        let Some(&own) = layers.get(module.as_str()) else {
            problems.push(format!(
                "{module} ({}) has no layer in LAYERS",
                file.display()
            ));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&file).expect("read a source file"));
        for used in used_modules(&code) {
            match layers.get(used.as_str()) {
                Some(&layer) if layer <= own => {}
                Some(&layer) => problems.push(format!(
                    "{} (layer {own}, {module}) uses crate::{used} (layer {layer})",
                    file.display()
                )),
                None => problems.push(format!(
                    "{} uses crate::{used}, which has no layer in LAYERS",
                    file.display()
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_grouped_and_plain_paths() {
    let code = code_of(
        "use crate::{app::Ctx, store};\nlet x = crate::http::auth::f(); // crate::api\n\
         #[cfg(test)]\nmod tests { use crate::server; }",
    );
    assert_eq!(used_modules(&code), ["app", "store", "http"]);
}
