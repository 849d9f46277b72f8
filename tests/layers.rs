//! The dependency rule, checked on the source: nothing imports upward.
//!
//! `domain` (pure types and rules, plus `i18n` for words) is at the bottom;
//! the adapters `store`, `mail` and `sheet` may use `domain`; `app`
//! (the use cases) may use those; the faces `ui`, `cli` and `web` sit on top.
//! Faces reach the adapters only through `app`, and the register only
//! through a `Session`'s reads and the use cases.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Modules below `app`: none of them may name a layer above it.
const LOWER: [&str; 5] = ["domain", "store", "mail", "sheet", "i18n"];
/// The faces.
const FACES: [&str; 3] = ["ui", "cli", "web"];
/// What lower modules may never name.
const UPWARD: [&str; 4] = ["crate::app", "crate::ui", "crate::cli", "crate::web"];
/// What faces should reach only through `app`.
const ADAPTERS: [&str; 3] = ["crate::store", "crate::sheet", "crate::mail"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source of a module without its `#[cfg(test)]` tail and comments.
fn code_of(path: &Path) -> String {
    let source = std::fs::read_to_string(path).unwrap();
    let code = source
        .split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .to_owned();
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn files_of(module: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let dir = root.join(module);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    }
    let single = root.join(format!("{module}.rs"));
    if single.is_file() {
        files.push(single);
    }
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .display()
        .to_string()
        .replace('\\', "/")
}

#[test]
fn nothing_below_the_use_cases_names_a_layer_above() {
    let mut offences = Vec::new();
    for module in LOWER {
        for file in files_of(module) {
            let code = code_of(&file);
            for upward in UPWARD {
                if code.contains(upward) {
                    offences.push(format!("{} names {upward}", relative(&file)));
                }
            }
        }
    }
    for file in files_of("app") {
        let code = code_of(&file);
        for face in ["crate::ui", "crate::cli", "crate::web"] {
            if code.contains(face) {
                offences.push(format!("{} names {face}", relative(&file)));
            }
        }
    }
    assert!(offences.is_empty(), "upward imports: {offences:#?}");
}

#[test]
fn faces_reach_the_adapters_through_the_use_cases() {
    let mut naming = Vec::new();
    for face in FACES {
        for file in files_of(face) {
            let code = code_of(&file);
            if ADAPTERS.iter().any(|adapter| code.contains(adapter)) {
                naming.push(relative(&file));
            }
        }
    }
    naming.sort();
    assert!(
        naming.is_empty(),
        "these faces name store/sheet/mail directly; go through app instead: {naming:?}"
    );
}

#[test]
fn only_tests_reach_under_a_session() {
    let mut reaching = Vec::new();
    for module in FACES.iter().chain(&LOWER) {
        for file in files_of(module) {
            if code_of(&file).contains("store_for_tests") {
                reaching.push(relative(&file));
            }
        }
    }
    assert!(
        reaching.is_empty(),
        "these read or write the store under a Session; use its reads or a use case: {reaching:?}"
    );
}
