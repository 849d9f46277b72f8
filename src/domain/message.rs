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
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The HTML part of a message from its rendered plain text: paragraphs at
/// blank lines, web addresses as links.
pub fn html_from_text(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|paragraph| {
            let words: Vec<String> = paragraph
                .split(' ')
                .map(|word| {
                    let bare = word.trim_end_matches(['.', ',', ')']);
                    if bare.starts_with("https://") || bare.starts_with("http://") {
                        let rest = &word[bare.len()..];
                        let href = escape_html(bare);
                        format!("<a href=\"{href}\">{href}</a>{}", escape_html(rest))
                    } else {
                        escape_html(word)
                    }
                })
                .collect();
            format!("<p>{}</p>", words.join(" ").replace('\n', "<br>"))
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">{}</body></html>",
        paragraphs.join("\n")
    )
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
    fn html_escapes_text_and_links_addresses() {
        let html = html_from_text("Hi <Anna> & co,\n\nOpen https://x.se/verify/abc.\n");
        assert!(html.contains("<p>Hi &lt;Anna&gt; &amp; co,</p>"));
        assert!(html.contains("<a href=\"https://x.se/verify/abc\">https://x.se/verify/abc</a>."));
    }
}
