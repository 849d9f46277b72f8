//! The endpoint's pages: plain, self-contained HTML with no scripts.

use crate::domain::message::escape_html;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}}\
         h1{{font-size:1.4rem}}button{{font-size:1rem;padding:.6rem 1.4rem;background:#1e6fd9;color:#fff;border:0;border-radius:4px;cursor:pointer}}\
         .ok{{color:#1e9e4a}}</style></head><body>{body}</body></html>",
        title = escape_html(title),
    )
}

/// The page a link opens: the masked address and a Confirm button.
pub fn confirm_page(masked: &str) -> String {
    page(
        "Confirm your email address",
        &format!(
            "<h1>Confirm your email address</h1>\
             <p>Confirm that <strong>{}</strong> is your address for logging in to HRM with Visma Connect.</p>\
             <form method=\"post\"><button type=\"submit\">Confirm</button></form>",
            escape_html(masked)
        ),
    )
}

/// The page after a confirmation: what to do next.
pub fn confirmed_page(masked: &str, login_url: &str) -> String {
    let login = escape_html(login_url);
    page(
        "Your email address is verified",
        &format!(
            "<h1 class=\"ok\">Your email address is verified</h1>\
             <p><strong>{}</strong> is now connected to Visma Connect.</p>\
             <p>Next: open the <a href=\"{login}\">Visma Connect login page</a>, choose \
             <em>Forgot your password?</em> and enter your address. You will receive an email to set \
             your password, and can then log in to HRM.</p>",
            escape_html(masked)
        ),
    )
}

/// A page that says why a link does not work.
pub fn problem_page(title: &str, message: &str) -> String {
    page(
        title,
        &format!(
            "<h1>{}</h1><p>{}</p>",
            escape_html(title),
            escape_html(message)
        ),
    )
}
