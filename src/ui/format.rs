//! How times and states read in the window.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A time in the OS's time zone, to the minute: `2026-11-22 14:05`.
pub fn local_time(at: Timestamp) -> String {
    at.to_zoned(TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// A time for a file name, to the minute in the OS's time zone:
/// `2026-11-22-1405`. Saved files are named `what-2026-11-22-1405.xlsx`.
pub fn file_stamp(at: Timestamp) -> String {
    at.to_zoned(TimeZone::system())
        .strftime("%Y-%m-%d-%H%M")
        .to_string()
}

/// The green of a verified connection.
pub const GREEN: egui::Color32 = egui::Color32::from_rgb(0x1E, 0x9E, 0x4A);
/// The red of a field error.
pub const ERROR_RED: egui::Color32 = egui::Color32::from_rgb(0xD0, 0x30, 0x30);
/// The amber of a warning.
pub const WARNING_AMBER: egui::Color32 = egui::Color32::from_rgb(0xC8, 0x82, 0x00);

/// A finished action's outcome: green when it worked, red when not.
pub fn outcome_label_ui(ui: &mut egui::Ui, outcome: Option<&Result<String, String>>) {
    match outcome {
        Some(Ok(text)) => {
            ui.label(egui::RichText::new(text.as_str()).color(GREEN));
        }
        Some(Err(text)) => {
            ui.label(egui::RichText::new(text.as_str()).color(ERROR_RED));
        }
        None => {}
    }
}

/// "1 user", "2 users" (in the window's language).
pub fn users(count: usize) -> String {
    t!("users-count", count = count)
}

/// A count grouped in thousands as the window's language writes it:
/// "100 000" (with no-break spaces) in Swedish, "100,000" in English.
pub fn thousands(count: usize) -> String {
    crate::i18n::window_language().count(i128::try_from(count).unwrap_or(i128::MAX))
}

/// Room for a line that says nothing now (an empty grid cell, a status
/// line before its first message), so nothing moves when it does, with no
/// empty label for a screen reader to stop on.
pub fn empty_line_ui(ui: &mut egui::Ui) {
    let height = ui.text_style_height(&egui::TextStyle::Body);
    ui.allocate_space(egui::vec2(0.0, height));
}

/// True in the frame Escape was pressed: it closes the dialog or window in front.
pub fn escape_pressed(ctx: &egui::Context) -> bool {
    ctx.input(|i| i.key_pressed(egui::Key::Escape))
}

/// A button that is off when `enabled` is false or the operator may not
/// (`refused`: why, shown when hovered).
pub fn gated_button(
    ui: &mut egui::Ui,
    enabled: bool,
    text: &str,
    refused: Option<&str>,
) -> egui::Response {
    let response = ui.add_enabled(enabled && refused.is_none(), egui::Button::new(text));
    match refused {
        Some(why) => response.on_disabled_hover_text(why),
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::Language;

    #[test]
    fn thousands_are_grouped_by_language() {
        assert_eq!(Language::Swedish.count(7), "7");
        assert_eq!(Language::Swedish.count(100_000), "100\u{a0}000");
        assert_eq!(Language::English.count(1_234_567), "1,234,567");
    }
}
