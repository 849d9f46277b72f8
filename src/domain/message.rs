//! Message templates: placeholders filled in, and the HTML part made from the
//! plain text, so an administrator edits one text per message.

/// The values a template may use, as `{name}` placeholders.
#[derive(Clone, Debug, Default)]
pub struct TemplateValues {
    /// `{name}`: the employee's name.
    pub name: String,
    /// `{email}`: the address the message goes to.
    pub email: String,
    /// `{link}`: the verification link.
    pub link: String,
    /// `{expires}`: when the link stops working.
    pub expires: String,
    /// `{login_url}`: the Visma Connect login page.
    pub login_url: String,
}

/// The placeholders a template may use, for the Settings view.
pub const PLACEHOLDERS: &[&str] = &["{name}", "{email}", "{link}", "{expires}", "{login_url}"];

/// Fills in the placeholders; text in braces that is no placeholder stays.
pub fn render(template: &str, values: &TemplateValues) -> String {
    // One pass over the template: a value is copied as it is and never
    // scanned again, so a name such as `{link}` stays that text.
    let mut out = String::with_capacity(template.len() + values.link.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let candidate = &rest[start..];
        let found = [
            ("{name}", &values.name),
            ("{email}", &values.email),
            ("{link}", &values.link),
            ("{expires}", &values.expires),
            ("{login_url}", &values.login_url),
        ]
        .into_iter()
        .find(|(placeholder, _)| candidate.starts_with(placeholder));
        if let Some((placeholder, value)) = found {
            out.push_str(value);
            rest = &candidate[placeholder.len()..];
        } else {
            out.push('{');
            rest = &candidate[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Text for one mail header: line breaks and other control characters
/// become spaces (a name from a spreadsheet cell may hold them).
pub fn header_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Escapes text for HTML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_html(&mut out, text, false);
    out
}

/// Appends `text` to `out` escaped for HTML, with each line break as
/// `<br>` when `breaks` is set. The characters escaped are ASCII, so the
/// text between them is copied a slice at a time.
fn push_html(out: &mut String, text: &str, breaks: bool) {
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            b'\n' if breaks => "<br>",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        out.push_str(escaped);
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
}

/// The HTML part of a message from its rendered plain text: paragraphs at
/// blank lines, line breaks kept, web addresses as links. Written into one
/// buffer: it runs for every message a bulk send makes.
pub fn html_from_text(text: &str) -> String {
    const HEAD: &str =
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">";
    const TAIL: &str = "</body></html>";
    let mut out = String::with_capacity(HEAD.len() + TAIL.len() + text.len() * 3 / 2 + 64);
    out.push_str(HEAD);
    let paragraphs = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty());
    for (n, paragraph) in paragraphs.enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str("<p>");
        for (n, word) in paragraph.split(' ').enumerate() {
            if n > 0 {
                out.push(' ');
            }
            let bare = word.trim_end_matches(['.', ',', ')']);
            if bare.starts_with("https://") || bare.starts_with("http://") {
                out.push_str("<a href=\"");
                push_html(&mut out, bare, true);
                out.push_str("\">");
                push_html(&mut out, bare, true);
                out.push_str("</a>");
                push_html(&mut out, &word[bare.len()..], true);
            } else {
                push_html(&mut out, word, true);
            }
        }
        out.push_str("</p>");
    }
    out.push_str(TAIL);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled() {
        let values = TemplateValues {
            name: "Anna".into(),
            link: "https://hrm.company.se/verify/abc".into(),
            ..TemplateValues::default()
        };
        assert_eq!(
            render("Hi {name}: {link} {other}", &values),
            "Hi Anna: https://hrm.company.se/verify/abc {other}"
        );
    }

    #[test]
    fn values_are_never_expanded_again() {
        let values = TemplateValues {
            name: "{link}".into(),
            email: "{name}@x.se".into(),
            link: "https://hrm.company.se/verify/secret".into(),
            ..TemplateValues::default()
        };
        assert_eq!(
            render("Hello {name} ({email}) {{link}", &values),
            "Hello {link} ({name}@x.se) {https://hrm.company.se/verify/secret"
        );
    }

    #[test]
    fn header_text_has_no_line_breaks() {
        assert_eq!(header_text("HRM\r\nBcc: x@y.se"), "HRM  Bcc: x@y.se");
    }

    #[test]
    fn html_keeps_paragraphs_and_line_breaks() {
        assert_eq!(
            html_from_text("Hej Anna,\nrad två\n\n\n  Öppna (https://x.se/v?a=1&b=2).  \n\n"),
            "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">\
             <p>Hej Anna,<br>rad två</p>\n\
             <p>Öppna (https://x.se/v?a=1&amp;b=2).</p></body></html>"
        );
        assert_eq!(
            html_from_text("Go to https://x.se/a, then http://y.se\n"),
            "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">\
             <p>Go to <a href=\"https://x.se/a\">https://x.se/a</a>, then \
             <a href=\"http://y.se\">http://y.se</a></p></body></html>"
        );
        assert_eq!(escape_html("a\n<b>"), "a\n&lt;b&gt;");
        assert_eq!(
            escape_html("Åsa's \"é\" & ö"),
            "Åsa&#39;s &quot;é&quot; &amp; ö"
        );
    }

    #[test]
    fn html_escapes_text_and_links_addresses() {
        let html = html_from_text("Hi <Anna> & co,\n\nOpen https://x.se/verify/abc.\n");
        assert!(html.contains("<p>Hi &lt;Anna&gt; &amp; co,</p>"));
        assert!(html.contains("<a href=\"https://x.se/verify/abc\">https://x.se/verify/abc</a>."));
    }
}
