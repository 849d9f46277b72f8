//! The endpoint's pages: plain, self-contained HTML with no scripts, in the
//! register's message language.

use crate::domain::message::escape_html;
use crate::i18n::Language;

fn page(language: Language, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}}\
         h1{{font-size:1.4rem}}button{{font-size:1rem;padding:.6rem 1.4rem;background:#1e6fd9;color:#fff;border:0;border-radius:4px;cursor:pointer}}\
         .ok{{color:#1e9e4a}}.banner{{background:#fff4d6;border-left:4px solid #e0a100;padding:.7rem 1rem;font-weight:600}}\
         label{{display:block;margin-top:.8rem}}input{{font-size:1rem;padding:.45rem;width:100%;box-sizing:border-box}}\
         .error{{color:#b3261e;font-weight:600}}form{{margin-top:1rem}}</style></head><body>{body}</body></html>",
        lang = language.code(),
        title = escape_html(title),
    )
}

/// The page a link opens: the masked address and a Confirm button.
pub fn confirm_page(language: Language, masked: &str) -> String {
    let title = tl!(language, "page-confirm-title");
    page(
        language,
        &title,
        &format!(
            "<h1>{title}</h1><p>{}</p>\
             <form method=\"post\"><button type=\"submit\">{}</button></form>",
            tl!(language, "page-confirm-text", address = escape_html(masked)),
            tl!(language, "page-confirm-button"),
        ),
    )
}

/// The page after a confirmation: what to do next.
pub fn confirmed_page(language: Language, masked: &str, login_url: &str) -> String {
    let title = tl!(language, "page-confirmed-title");
    page(
        language,
        &title,
        &format!(
            "<h1 class=\"ok\">{title}</h1><p>{}</p><p>{}</p>",
            tl!(
                language,
                "page-confirmed-text",
                address = escape_html(masked)
            ),
            tl!(
                language,
                "page-confirmed-next",
                login_url = escape_html(login_url)
            ),
        ),
    )
}

/// A page that says why a link does not work (both texts are ours, plain).
pub fn problem_page(language: Language, title: &str, message: &str) -> String {
    page(
        language,
        title,
        &format!(
            "<h1>{}</h1><p>{}</p>",
            escape_html(title),
            escape_html(message)
        ),
    )
}

/// A page that says why a link does not work, with *Send me a new link*
/// (for an expired or replaced link): a form that posts to `{token}/new`
/// beside the link.
pub fn problem_page_with_new_link(
    language: Language,
    title: &str,
    message: &str,
    token: &str,
) -> String {
    page(
        language,
        title,
        &format!(
            "<h1>{}</h1><p>{}</p>\
             <form method=\"post\" action=\"{}/new\"><button type=\"submit\">{}</button></form>",
            escape_html(title),
            escape_html(message),
            escape_html(token),
            tl!(language, "page-new-link-button"),
        ),
    )
}

/// After *Send me a new link*: the same words whatever happened.
pub fn new_link_page(language: Language) -> String {
    let title = tl!(language, "page-new-link-title");
    page(
        language,
        &title,
        &format!(
            "<h1>{title}</h1><p>{}</p>",
            tl!(language, "page-new-link-text")
        ),
    )
}

/// What was wrong with the address on *Security and login*.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelinkProblem {
    /// Not a valid address.
    Invalid,
    /// The two fields differ.
    NotTheSame,
    /// Someone else's (never said whose).
    Taken,
}

/// *My profile › Security and login*: the banner, the address twice and
/// *Send verification email*. After a refused address, the reason and what
/// was typed.
pub fn relink_page(
    language: Language,
    problem: Option<RelinkProblem>,
    address: &str,
    confirmation: &str,
) -> String {
    let title = tl!(language, "page-relink-title");
    let problem = problem.map_or_else(String::new, |problem| {
        let words = match problem {
            RelinkProblem::Invalid => tl!(language, "page-relink-invalid"),
            RelinkProblem::NotTheSame => tl!(language, "page-relink-not-same"),
            RelinkProblem::Taken => tl!(language, "page-relink-taken"),
        };
        format!("<p class=\"error\" role=\"alert\">{words}</p>")
    });
    page(
        language,
        &title,
        &format!(
            "<h1>{title}</h1><p class=\"banner\">{banner}</p><p>{text}</p>{problem}\
             <form method=\"post\">\
             <label for=\"email\">{label}</label>\
             <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required value=\"{address}\">\
             <label for=\"confirm\">{confirm_label}</label>\
             <input id=\"confirm\" name=\"confirm\" type=\"email\" autocomplete=\"off\" required value=\"{confirmation}\">\
             <p><button type=\"submit\">{button}</button></p></form>",
            banner = tl!(language, "page-relink-banner"),
            text = tl!(language, "page-relink-text"),
            label = tl!(language, "page-relink-address"),
            confirm_label = tl!(language, "page-relink-confirm"),
            address = escape_html(address),
            confirmation = escape_html(confirmation),
            button = tl!(language, "page-relink-button"),
        ),
    )
}

/// After *Send verification email* on *Security and login*.
pub fn relink_sent_page(language: Language, masked: &str) -> String {
    let title = tl!(language, "page-relink-sent-title");
    page(
        language,
        &title,
        &format!(
            "<h1>{title}</h1><p>{}</p>",
            tl!(
                language,
                "page-relink-sent-text",
                address = escape_html(masked)
            ),
        ),
    )
}
