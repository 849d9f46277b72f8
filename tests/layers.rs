//! The dependency rule, checked on the parsed source: nothing imports upward.
//!
//! `domain` (pure types and rules, plus `i18n` for words) is at the bottom;
//! the adapters `store`, `mail`, `sheet` and `scim` may use `domain`; `app`
//! (the use cases) may use those; the faces `ui`, `cli` and `web` sit on top
//! and reach the adapters only through `app`, which re-exports none of their
//! items. Only the program's entry points (`main.rs`, `src/bin/`) put the
//! faces together.
//!
//! Every file is parsed with `syn`; every path it names is resolved to the
//! top module it starts in: `use` trees (grouped ones too), paths in code and
//! types, `crate::` inside macros, `super::` counted from the file's own
//! module. Items under `#[cfg(test)]` are left out, wherever they are.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A layer, from the bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    /// Pure types and rules, and the words.
    Domain,
    /// The register, email, spreadsheets, the identity provider.
    Adapter,
    /// The use cases.
    App,
    /// The window, the command line, the HTTP endpoint.
    Face,
    /// What only the tests build.
    Testing,
}

fn layer_of(module: &str) -> Option<Layer> {
    match module {
        "domain" | "i18n" => Some(Layer::Domain),
        "store" | "mail" | "sheet" | "scim" => Some(Layer::Adapter),
        "app" => Some(Layer::App),
        "ui" | "cli" | "web" => Some(Layer::Face),
        "testing" => Some(Layer::Testing),
        _ => None,
    }
}

/// May code in `from` name the module `to`?
fn allowed(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    let (Some(from_layer), Some(to_layer)) = (layer_of(from), layer_of(to)) else {
        return true;
    };
    match (from_layer, to_layer) {
        // A face reaches adapters only through the use cases, and no other
        // face but the window the command line opens.
        (Layer::Face, Layer::Face) => from == "cli" && to == "ui",
        (Layer::Testing, _)
        | (Layer::Domain | Layer::Adapter, Layer::Domain)
        | (Layer::App, Layer::Domain | Layer::Adapter)
        | (Layer::Face, Layer::Domain | Layer::App) => true,
        _ => false,
    }
}

/// One path a file names, resolved to the top module it starts in.
struct Named {
    module: String,
    path: String,
    /// A `use` that is not private: a re-export.
    exported: bool,
}

/// Walks a file's items, leaving out `#[cfg(test)]` ones.
struct Walk {
    /// The module the walk is in, from the crate root (`["ui", "users_view"]`).
    module: Vec<String>,
    named: Vec<Named>,
    /// Code that reaches under a `Session` (`store_for_tests`).
    reaches_under_session: bool,
    /// Modules declared `#[cfg(test)] mod name;`, whose files are tests.
    test_files: Vec<String>,
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && matches!(&attr.meta, syn::Meta::List(list) if list.tokens.to_string() == "test")
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

impl Walk {
    /// Resolves a path's leading segments to the top module it names, if it
    /// names one of this crate's.
    fn resolve(&self, segments: &[String]) -> Option<String> {
        let first = segments.first()?;
        match first.as_str() {
            "crate" => segments.get(1).cloned(),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                let mut module = self.module.clone();
                for _ in 0..ups {
                    module.pop();
                }
                module
                    .first()
                    .cloned()
                    .or_else(|| segments.get(ups).cloned())
            }
            "self" => self.module.first().cloned(),
            _ => None,
        }
    }

    fn name(&mut self, segments: &[String], exported: bool) {
        if let Some(module) = self.resolve(segments) {
            self.named.push(Named {
                module,
                path: segments.join("::"),
                exported,
            });
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree, exported: bool) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree, exported);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                prefix.push(name.ident.to_string());
                self.name(prefix, exported);
                prefix.pop();
            }
            syn::UseTree::Rename(rename) => {
                prefix.push(rename.ident.to_string());
                self.name(prefix, exported);
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.name(prefix, exported),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree, exported);
                }
            }
        }
    }

    /// `crate::x` and `super::x` inside a macro's tokens, which syn leaves
    /// unparsed.
    fn macro_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let mut idents: Vec<String> = Vec::new();
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Group(group) => self.macro_tokens(group.stream()),
                proc_macro2::TokenTree::Ident(ident) => {
                    let ident = ident.to_string();
                    if ident == "store_for_tests" {
                        self.reaches_under_session = true;
                    }
                    idents.push(ident);
                    if let [.., first, second] = idents.as_slice()
                        && (first == "crate" || first == "super")
                    {
                        let pair = [first.clone(), second.clone()];
                        self.name(&pair, false);
                    }
                }
                proc_macro2::TokenTree::Punct(punct) if punct.as_char() == ':' => {}
                _ => idents.clear(),
            }
        }
    }
}

impl<'ast> Visit<'ast> for Walk {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_cfg_test(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        } else if let syn::Item::Mod(module) = item
            && module.content.is_none()
        {
            let mut path = self.module.clone();
            path.push(module.ident.to_string());
            self.test_files.push(path.join("/"));
        }
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if module.content.is_some() {
            self.module.push(module.ident.to_string());
            syn::visit::visit_item_mod(self, module);
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let exported = !matches!(item.vis, syn::Visibility::Inherited);
        self.use_tree(&mut Vec::new(), &item.tree, exported);
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        // A public alias of another module's type is a re-export too.
        let before = self.named.len();
        syn::visit::visit_item_type(self, item);
        if !matches!(item.vis, syn::Visibility::Inherited) {
            for named in &mut self.named[before..] {
                named.exported = true;
            }
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.iter().any(|s| s == "store_for_tests") {
            self.reaches_under_session = true;
        }
        self.name(&segments, false);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
}

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

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The module a file is, from the crate root: `src/ui/users_view/toolbar.rs`
/// is `["ui", "users_view", "toolbar"]`, `src/store/mod.rs` is `["store"]`.
/// `None` for the entry points.
fn module_of(file: &Path) -> Option<Vec<String>> {
    let relative = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.first().is_some_and(|p| p == "bin") || parts == ["main.rs"] {
        return None;
    }
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    Some(parts)
}

struct Parsed {
    file: String,
    module: Vec<String>,
    walk: Walk,
}

fn parsed_modules() -> Vec<Parsed> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    let mut parsed: Vec<Parsed> = files
        .into_iter()
        .filter_map(|file| {
            let module = module_of(&file)?;
            let source = std::fs::read_to_string(&file).unwrap();
            let syntax = syn::parse_file(&source)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
            let mut walk = Walk {
                module: module.clone(),
                named: Vec::new(),
                reaches_under_session: false,
                test_files: Vec::new(),
            };
            walk.visit_file(&syntax);
            let file = file
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .display()
                .to_string()
                .replace('\\', "/");
            Some(Parsed { file, module, walk })
        })
        .collect();
    // Files of modules declared `#[cfg(test)] mod name;` are tests.
    let tests: Vec<String> = parsed
        .iter()
        .flat_map(|parsed| parsed.walk.test_files.clone())
        .collect();
    parsed.retain(|parsed| !tests.contains(&parsed.module.join("/")));
    parsed
}

#[test]
fn every_module_names_only_the_layers_below_it() {
    let mut offences = Vec::new();
    for parsed in parsed_modules() {
        let Some(from) = parsed.module.first() else {
            continue;
        };
        for named in &parsed.walk.named {
            if !allowed(from, &named.module) {
                offences.push(format!("{} names {}", parsed.file, named.path));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "names across the layers: {offences:#?}"
    );
}

#[test]
fn the_use_cases_re_export_nothing_of_the_adapters() {
    let mut offences = Vec::new();
    for parsed in parsed_modules() {
        if parsed.module.first().is_none_or(|m| m != "app") {
            continue;
        }
        for named in &parsed.walk.named {
            if named.exported && layer_of(&named.module) == Some(Layer::Adapter) {
                offences.push(format!("{} re-exports {}", parsed.file, named.path));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "faces would reach the adapters through these; give the type a home in domain, or \
         wrap it in a use case: {offences:#?}"
    );
}

#[test]
fn only_tests_reach_under_a_session() {
    let reaching: Vec<String> = parsed_modules()
        .into_iter()
        .filter(|parsed| parsed.module.first().is_none_or(|m| m != "app"))
        .filter(|parsed| parsed.walk.reaches_under_session)
        .map(|parsed| parsed.file)
        .collect();
    assert!(
        reaching.is_empty(),
        "these read or write the store under a Session; use its reads or a use case: {reaching:?}"
    );
}

/// The check itself can fail: each way of naming a layer above is caught.
#[test]
fn the_check_catches_each_way_of_naming_upward() {
    let source = r"
        use crate::{domain, app::Session};
        use super::super::ui::UsersView;
        pub use crate::store::Store;
        fn f() { let _ = crate::cli::start; t!(crate::web::thing); }
        #[cfg(test)]
        mod tests { use crate::ui::Hidden; }
    ";
    let mut walk = Walk {
        module: vec!["store".into(), "pg".into()],
        named: Vec::new(),
        reaches_under_session: false,
        test_files: Vec::new(),
    };
    walk.visit_file(&syn::parse_file(source).unwrap());
    let modules: Vec<(&str, bool)> = walk
        .named
        .iter()
        .map(|n| (n.module.as_str(), n.exported))
        .collect();
    for expected in [
        ("domain", false),
        ("app", false),
        ("ui", false),
        ("store", true),
        ("cli", false),
        ("web", false),
    ] {
        assert!(
            modules.contains(&expected),
            "{expected:?} not found in {modules:?}"
        );
    }
    assert!(
        !walk.named.iter().any(|n| n.path.contains("Hidden")),
        "a #[cfg(test)] module is left out"
    );
    assert!(!allowed("store", "app"));
    assert!(!allowed("ui", "store"));
    assert!(!allowed("ui", "web"));
    assert!(allowed("ui", "app"));
}
