//! The words of the window, the employee's pages and the emails in Swedish
//! and English: Fluent resources under `assets/i18n/`, looked up by key.
//!
//! The window speaks [`window_language`] (the OS language, or the person's
//! choice in Settings); pages and emails speak the register's message
//! language, passed explicitly to [`text`].

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language the program speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// Svenska: the default for the register's pages and emails.
    #[default]
    Swedish,
    /// English.
    English,
}

impl Language {
    /// Both languages, Swedish first.
    pub const ALL: [Self; 2] = [Self::Swedish, Self::English];

    /// The code settings and files use: `sv` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Swedish => "sv",
            Self::English => "en",
        }
    }

    /// The language for a code (`sv`, `en`, any case), if it is one of ours.
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "sv" => Some(Self::Swedish),
            "en" => Some(Self::English),
            _ => None,
        }
    }

    /// The language for an OS locale such as `sv-SE`, `sv_FI.UTF-8` or
    /// `en-US`: Swedish for any Swedish locale, English otherwise.
    pub fn for_locale(locale: &str) -> Self {
        let lowered = locale.to_ascii_lowercase();
        if lowered == "sv" || lowered.starts_with("sv-") || lowered.starts_with("sv_") {
            Self::Swedish
        } else {
            Self::English
        }
    }

    /// The OS's language (English when it names none of ours).
    pub fn of_system() -> Self {
        sys_locale::get_locale().map_or(Self::English, |locale| Self::for_locale(&locale))
    }

    /// The language's name in itself, as a choice shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::Swedish => "Svenska",
            Self::English => "English",
        }
    }

    /// Formats a whole number as the language groups digits: `1 000` (with
    /// a no-break space) in Swedish, `1,000` in English.
    pub fn count(self, number: impl Into<i128>) -> String {
        group_digits(number.into(), self.group_separator())
    }

    fn group_separator(self) -> char {
        match self {
            Self::Swedish => '\u{a0}',
            Self::English => ',',
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Swedish => 0,
            Self::English => 1,
        }
    }
}

fn group_digits(number: i128, separator: char) -> String {
    let digits = number.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if number < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// The Fluent files of one language, in the order they are read.
const FILES: [(&str, [&str; 4]); 2] = [
    (
        "sv",
        [
            include_str!("../../assets/i18n/sv/window.ftl"),
            include_str!("../../assets/i18n/sv/pages.ftl"),
            include_str!("../../assets/i18n/sv/emails.ftl"),
            include_str!("../../assets/i18n/sv/cli.ftl"),
        ],
    ),
    (
        "en",
        [
            include_str!("../../assets/i18n/en/window.ftl"),
            include_str!("../../assets/i18n/en/pages.ftl"),
            include_str!("../../assets/i18n/en/emails.ftl"),
            include_str!("../../assets/i18n/en/cli.ftl"),
        ],
    ),
];

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static [Bundle; 2] {
    static BUNDLES: OnceLock<[Bundle; 2]> = OnceLock::new();
    BUNDLES.get_or_init(|| [build(Language::Swedish), build(Language::English)])
}

fn build(language: Language) -> Bundle {
    let (code, sources) = FILES[language.index()];
    let locale = code.parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![locale]);
    // Isolation marks around arguments would end up in labels, file names
    // and emails; our arguments are never right-to-left text.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(match language {
        Language::Swedish => format_swedish,
        Language::English => format_english,
    }));
    for source in sources {
        // A resource with a syntax error still loads its good messages; the
        // parity test fails on any error, so none ships.
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::warn!("{} Fluent errors in the {code} texts", errors.len());
        }
    }
    bundle
}

fn format_number(value: &FluentValue, language: Language) -> Option<String> {
    match value {
        FluentValue::Number(number) if number.value.fract() == 0.0 && number.value.abs() < 1e15 => {
            // Whole and far inside i64's range: the cast is exact.
            #[allow(clippy::cast_possible_truncation)]
            let whole = number.value as i64;
            Some(language.count(whole))
        }
        _ => None,
    }
}

fn format_swedish<M>(value: &FluentValue, _: &M) -> Option<String> {
    format_number(value, Language::Swedish)
}

fn format_english<M>(value: &FluentValue, _: &M) -> Option<String> {
    format_number(value, Language::English)
}

/// A value put into a message: a text, or a number (which selects the plural
/// form and is shown grouped by the language).
#[derive(Clone, Debug)]
pub enum Arg {
    /// Shown as it is.
    Text(String),
    /// A count.
    Number(i64),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<std::borrow::Cow<'_, str>> for Arg {
    fn from(value: std::borrow::Cow<'_, str>) -> Self {
        Self::Text(value.into_owned())
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

macro_rules! number_arg {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Arg {
            fn from(value: $ty) -> Self {
                Self::Number(i64::try_from(value).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_arg!(usize, u64, u32, u16, i64, i32);

/// The message `key` in `language`, with `args` put in. A key that does not
/// exist comes back as itself (and is logged), never as a panic.
pub fn text(language: Language, key: &str, args: &[(&str, Arg)]) -> String {
    let bundle = &bundles()[language.index()];
    let (id, attribute) = match key.split_once('.') {
        Some((id, attribute)) => (id, Some(attribute)),
        None => (key, None),
    };
    let pattern = bundle.get_message(id).and_then(|message| match attribute {
        Some(name) => message.get_attribute(name).map(|a| a.value()),
        None => message.value(),
    });
    let Some(pattern) = pattern else {
        tracing::warn!("no {} text for the key {key}", language.code());
        return key.to_owned();
    };
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        match value {
            Arg::Text(text) => fluent_args.set(*name, FluentValue::from(text.as_str())),
            Arg::Number(number) => fluent_args.set(*name, FluentValue::from(*number)),
        }
    }
    let mut errors = Vec::new();
    let formatted = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(
            "the {} text {key} has {} errors",
            language.code(),
            errors.len()
        );
    }
    formatted.into_owned()
}

static WINDOW_LANGUAGE: AtomicU8 = AtomicU8::new(1);

/// Sets the language the window (and the CLI) speaks.
pub fn set_window_language(language: Language) {
    let index = u8::try_from(language.index()).unwrap_or(1);
    WINDOW_LANGUAGE.store(index, Ordering::Relaxed);
}

/// The language the window speaks now (English until set).
pub fn window_language() -> Language {
    match WINDOW_LANGUAGE.load(Ordering::Relaxed) {
        0 => Language::Swedish,
        _ => Language::English,
    }
}

/// A text in the window's language: `t!("key")` or `t!("key", name = value)`.
#[macro_export]
macro_rules! t {
    ($key:literal) => {
        $crate::i18n::text($crate::i18n::window_language(), $key, &[])
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::text(
            $crate::i18n::window_language(),
            $key,
            &[$((stringify!($name), $crate::i18n::Arg::from($value))),+],
        )
    };
}

/// A text in a given language: `tl!(language, "key", name = value)`.
#[macro_export]
macro_rules! tl {
    ($language:expr, $key:literal) => {
        $crate::i18n::text($language, $key, &[])
    };
    ($language:expr, $key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::text(
            $language,
            $key,
            &[$((stringify!($name), $crate::i18n::Arg::from($value))),+],
        )
    };
}

mod stored;
pub use stored::stored_words;

#[cfg(test)]
mod tests;
