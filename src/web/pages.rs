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
         .ok{{color:#1e9e4a}}</style></head><body>{body}</body></html>",
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
