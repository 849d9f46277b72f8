//! The two languages have the same keys, every key the code uses exists,
//! and numbers and plurals read as each language writes them.

use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// Message (and `message.attribute`) keys of a language's files, each with
/// the variables its text uses.
fn keys_of(language: Language) -> BTreeMap<String, BTreeSet<String>> {
    let mut keys = BTreeMap::new();
    for source in FILES[language.index()].1 {
        if let Err((_, errors)) = FluentResource::try_new(source.to_owned()) {
            panic!("{} texts do not parse: {errors:?}", language.code());
        }
        let mut message = String::new();
        let mut current = String::new();
        for line in source.lines() {
            let starts_entry = line.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
            let trimmed = line.trim_start();
            if starts_entry && let Some((id, _)) = line.split_once(" =") {
                message = id.trim().to_owned();
                current = message.clone();
                keys.insert(current.clone(), BTreeSet::new());
            } else if line.starts_with(' ')
                && trimmed.starts_with('.')
                && let Some((attribute, _)) = trimmed.split_once(" =")
            {
                current = format!("{message}{attribute}");
                keys.insert(current.clone(), BTreeSet::new());
            }
            if !current.is_empty() {
                let variables = keys.entry(current.clone()).or_default();
                for part in line.split('$').skip(1) {
                    let name: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect();
                    if !name.is_empty() {
                        variables.insert(name);
                    }
                }
            }
        }
    }
    keys
}

#[test]
fn both_languages_have_the_same_keys_and_variables() {
    let swedish = keys_of(Language::Swedish);
    let english = keys_of(Language::English);
    let only_swedish: Vec<_> = swedish
        .keys()
        .filter(|k| !english.contains_key(*k))
        .collect();
    let only_english: Vec<_> = english
        .keys()
        .filter(|k| !swedish.contains_key(*k))
        .collect();
    assert!(
        only_swedish.is_empty() && only_english.is_empty(),
        "only in Swedish: {only_swedish:?}; only in English: {only_english:?}"
    );
    for (key, variables) in &swedish {
        assert_eq!(
            Some(variables),
            english.get(key),
            "{key} uses different variables in Swedish and English"
        );
    }
    assert!(swedish.len() > 100, "only {} keys", swedish.len());
}

/// Every `t!("key"` and `tl!(language, "key"` in the source.
fn keys_used_in(dir: &std::path::Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            keys_used_in(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for (i, _) in source.match_indices("!(") {
                let name: String = source[..i]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name != "t" && name != "lt" {
                    continue;
                }
                let after = &source[i + 2..];
                // `tl!(language, "key"`: skip to the first string.
                let Some(open) = after.find('"') else {
                    continue;
                };
                if after[..open].contains(')') || after[..open].contains(';') {
                    continue;
                }
                let rest = &after[open + 1..];
                if let Some(close) = rest.find('"') {
                    let key = &rest[..close];
                    if key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                    {
                        found.insert(key.to_owned());
                    }
                }
            }
        }
    }
}

#[test]
fn every_key_the_code_uses_exists_in_both_languages() {
    let mut used = BTreeSet::new();
    keys_used_in(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut used,
    );
    assert!(
        used.len() > 100,
        "only {} keys found in the code",
        used.len()
    );
    for language in Language::ALL {
        let keys = keys_of(language);
        let missing: Vec<_> = used
            .iter()
            .filter(|k| *k != "key" && !keys.contains_key(*k))
            .collect();
        assert!(
            missing.is_empty(),
            "missing in {}: {missing:?}",
            language.code()
        );
    }
}

#[test]
fn numbers_are_grouped_as_each_language_writes_them() {
    assert_eq!(Language::Swedish.count(1000), "1\u{a0}000");
    assert_eq!(Language::English.count(1000), "1,000");
    assert_eq!(
        Language::Swedish.count(123_456_789),
        "123\u{a0}456\u{a0}789"
    );
    assert_eq!(Language::English.count(-1_234), "-1,234");
    assert_eq!(Language::English.count(999), "999");
}

#[test]
fn plurals_and_counts_in_messages() {
    let one = text(
        Language::English,
        "users-count",
        &[("count", Arg::from(1_usize))],
    );
    let many = text(
        Language::English,
        "users-count",
        &[("count", Arg::from(1_000_usize))],
    );
    assert_eq!(one, "1 user");
    assert_eq!(many, "1,000 users");
    let swedish = text(
        Language::Swedish,
        "users-count",
        &[("count", Arg::from(1_000_usize))],
    );
    assert_eq!(swedish, "1\u{a0}000 användare");
}

#[test]
fn a_missing_key_comes_back_as_itself() {
    assert_eq!(text(Language::Swedish, "no-such-key", &[]), "no-such-key");
}

#[test]
fn locales_map_to_our_languages() {
    assert_eq!(Language::for_locale("sv-SE"), Language::Swedish);
    assert_eq!(Language::for_locale("sv_FI.UTF-8"), Language::Swedish);
    assert_eq!(Language::for_locale("en-US"), Language::English);
    assert_eq!(Language::for_locale("de-DE"), Language::English);
    assert_eq!(Language::from_code("SV"), Some(Language::Swedish));
    assert_eq!(Language::from_code("fi"), None);
}
