//! How times and states read in the window.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::domain::ConnectionStatus;

/// A time in the OS's time zone, to the minute: `2026-11-22 14:05`.
pub fn local_time(at: Timestamp) -> String {
    at.to_zoned(TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Icon and colour of a connection state in the list.
pub fn status_icon(status: ConnectionStatus) -> (&'static str, egui::Color32) {
    match status {
        ConnectionStatus::None => ("○", egui::Color32::GRAY),
        ConnectionStatus::Pending => ("◔", egui::Color32::from_rgb(0xD0, 0x8A, 0x00)),
        ConnectionStatus::Connected => ("✔", GREEN),
    }
}

/// The green of a verified connection.
pub const GREEN: egui::Color32 = egui::Color32::from_rgb(0x1E, 0x9E, 0x4A);
/// The red of a field error.
pub const ERROR_RED: egui::Color32 = egui::Color32::from_rgb(0xD0, 0x30, 0x30);
/// The amber of a warning.
pub const WARNING_AMBER: egui::Color32 = egui::Color32::from_rgb(0xC8, 0x82, 0x00);
