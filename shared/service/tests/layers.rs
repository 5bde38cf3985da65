//! The service's modules import only the layers below them (docs/architecture.md), so
//! no two of them import each other. Crates cannot form cycles at all; this keeps the
//! modules inside `tm-service` just as honest.

use std::collections::BTreeSet;
use std::path::Path;

/// Bottom up: each may use those before it, never those after it.
const LAYERS: &[&str] =
    &["store", "auth", "error", "context", "access", "feed", "report_data", "jobs", "http", "handlers", "api"];

fn sources(path: &Path, out: &mut Vec<String>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            sources(&entry.unwrap().path(), out);
        }
    } else if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
        out.push(std::fs::read_to_string(path).unwrap());
    }
}

/// The top-level modules `crate::…` paths in the texts name.
fn imported(texts: &[String]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for text in texts {
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            found.insert(name);
        }
    }
    found
}

#[test]
fn each_module_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for (level, layer) in LAYERS.iter().enumerate() {
        let mut texts = Vec::new();
        sources(&src.join(layer), &mut texts);
        sources(&src.join(format!("{layer}.rs")), &mut texts);
        assert!(!texts.is_empty(), "no sources for {layer}");
        for name in imported(&texts) {
            if name == *layer {
                continue;
            }
            let position = LAYERS.iter().position(|l| *l == name);
            assert!(
                position.is_some_and(|p| p < level),
                "{layer} imports crate::{name}, which is not below it (layers, bottom up: {LAYERS:?})"
            );
        }
    }
    // Every module of the crate has its place.
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    for line in lib.lines().filter_map(|l| l.strip_prefix("pub mod ")) {
        let name = line.trim_end_matches(';');
        assert!(LAYERS.contains(&name), "module {name} has no layer in this test");
    }
}
