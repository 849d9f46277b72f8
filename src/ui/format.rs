//! How times and states read in the window.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A time in the OS's time zone, to the minute: `2026-11-22 14:05`.
pub fn local_time(at: Timestamp) -> String {
    at.to_zoned(TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
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

/// "1 user", "2 users".
pub fn users(count: usize) -> String {
    if count == 1 {
        "1 user".to_owned()
    } else {
        format!("{count} users")
    }
}

/// A count grouped in thousands by no-break spaces, as "100 000" (the Swedish way).
pub fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(digit);
    }
    grouped
}

/// True in the frame Escape was pressed: it closes the dialog or window in front.
pub fn escape_pressed(ctx: &egui::Context) -> bool {
    ctx.input(|i| i.key_pressed(egui::Key::Escape))
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(7), "7");
        assert_eq!(super::thousands(1_000), "1\u{a0}000");
        assert_eq!(super::thousands(100_000), "100\u{a0}000");
        assert_eq!(super::thousands(1_234_567), "1\u{a0}234\u{a0}567");
    }
}
