//! Small icons painted with lines and circles, so they look the same on every
//! OS whatever fonts it has (egui's own fonts carry no check mark or warning sign).

use egui::{Color32, Pos2, Sense, Shape, Stroke, Ui, Vec2, WidgetInfo, pos2, vec2};

use crate::domain::ConnectionStatus;

use super::format::{GREEN, WARNING_AMBER};

/// Grey of "not connected".
const NONE_GREY: Color32 = Color32::from_rgb(0x90, 0x90, 0x90);

/// Allocates a square icon with an accessible name and returns its painter area.
fn icon_rect(ui: &mut Ui, side: f32, name: &str) -> egui::Rect {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    let name = name.to_owned();
    response.widget_info(move || WidgetInfo::labeled(egui::Role::Label, true, name.clone()));
    rect
}

/// Points of a check mark inside `rect`.
fn check_points(rect: egui::Rect) -> Vec<Pos2> {
    let at = |x: f32, y: f32| {
        pos2(
            rect.left() + x * rect.width(),
            rect.top() + y * rect.height(),
        )
    };
    vec![at(0.25, 0.52), at(0.43, 0.70), at(0.76, 0.32)]
}

/// The green check mark of a verified address, named "Verified" for screen readers.
pub fn check_mark_ui(ui: &mut Ui) {
    let side = ui.text_style_height(&egui::TextStyle::Body) + 2.0;
    let rect = icon_rect(ui, side, &t!("icon-verified"));
    let painter = ui.painter();
    painter.circle_filled(rect.center(), side / 2.0, GREEN);
    painter.add(Shape::line(
        check_points(rect),
        Stroke::new(2.0, Color32::WHITE),
    ));
}

/// The amber warning sign, named "Warning".
pub fn warning_ui(ui: &mut Ui) {
    let side = ui.text_style_height(&egui::TextStyle::Body) + 2.0;
    let rect = icon_rect(ui, side, &t!("icon-warning"));
    let painter = ui.painter();
    let top = pos2(rect.center().x, rect.top() + 1.0);
    let points = vec![
        top,
        pos2(rect.right(), rect.bottom() - 1.0),
        pos2(rect.left(), rect.bottom() - 1.0),
    ];
    painter.add(Shape::convex_polygon(points, WARNING_AMBER, Stroke::NONE));
    let x = rect.center().x;
    painter.line_segment(
        [
            pos2(x, rect.top() + side * 0.35),
            pos2(x, rect.top() + side * 0.68),
        ],
        Stroke::new(1.6, Color32::WHITE),
    );
    painter.circle_filled(pos2(x, rect.top() + side * 0.80), 1.0, Color32::WHITE);
}

/// Colour of a connection state.
pub fn status_color(status: ConnectionStatus) -> Color32 {
    match status {
        ConnectionStatus::None => NONE_GREY,
        ConnectionStatus::Pending => WARNING_AMBER,
        ConnectionStatus::Connected => GREEN,
    }
}

/// The icon of a connection state: a hollow grey ring, an amber half-filled
/// ring, or a green disc with a check mark. It carries no name of its own:
/// the word beside it says the state.
pub fn status_icon_ui(ui: &mut Ui, status: ConnectionStatus) {
    let side = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    let painter = ui.painter();
    let center = rect.center();
    let radius = side / 2.0 - 1.0;
    let color = status_color(status);
    match status {
        ConnectionStatus::None => {
            painter.circle_stroke(center, radius, Stroke::new(1.5, color));
        }
        ConnectionStatus::Pending => {
            painter.circle_stroke(center, radius, Stroke::new(1.5, color));
            // The left half filled: half way there.
            let points: Vec<Pos2> = (0..=16)
                .map(|i| {
                    let angle =
                        std::f32::consts::FRAC_PI_2 + std::f32::consts::PI * (i as f32) / 16.0;
                    center + vec2(angle.cos(), -angle.sin()) * radius
                })
                .collect();
            painter.add(Shape::convex_polygon(points, color, Stroke::NONE));
        }
        ConnectionStatus::Connected => {
            painter.circle_filled(center, radius, color);
            painter.add(Shape::line(
                check_points(rect),
                Stroke::new(1.6, Color32::WHITE),
            ));
        }
    }
}

/// A small triangle pointing up (ascending) or down (descending), for a sorted header.
pub fn sort_arrow_ui(ui: &mut Ui, descending: bool) {
    let side = ui.text_style_height(&egui::TextStyle::Body) * 0.7;
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    let color = ui.visuals().strong_text_color();
    let (tip_y, base_y) = if descending {
        (rect.bottom() - 1.0, rect.top() + 2.0)
    } else {
        (rect.top() + 1.0, rect.bottom() - 2.0)
    };
    let points = vec![
        pos2(rect.center().x, tip_y),
        pos2(rect.right(), base_y),
        pos2(rect.left(), base_y),
    ];
    ui.painter()
        .add(Shape::convex_polygon(points, color, Stroke::NONE));
}
