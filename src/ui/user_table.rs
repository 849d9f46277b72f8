//! The list of users: sortable headers and only the visible rows laid out,
//! so 100,000 users scroll as smoothly as ten.

use egui::{Label, RichText, Sense, Ui};
use egui_extras::{Column as TableColumn, TableBuilder};

use crate::domain::{Column, Listing, Sort, UserKey};

use super::icons::{sort_arrow_ui, status_color, status_icon_ui};

/// What the person did in the list this frame.
#[derive(Default)]
pub struct TableOutput {
    /// A row was clicked.
    pub clicked: Option<UserKey>,
    /// A header was clicked: sort by it (or reverse it).
    pub sort_by: Option<Column>,
}

/// Below this width the list shows User-ID, Name, Visma Connect and
/// Activated only.
const NARROW_LIST: f32 = 640.0;

/// Height of one row.
const ROW_HEIGHT: f32 = 22.0;

/// How many whole rows a list of this height shows under its header.
pub fn rows_in(height: f32) -> usize {
    let rows = ((height - ROW_HEIGHT - 2.0) / ROW_HEIGHT).floor();
    if rows.is_finite() && rows >= 1.0 {
        // Truncation is the point: whole rows only. Bounded above by the
        // screen's height in rows.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = rows.min(10_000.0) as usize;
        whole
    } else {
        1
    }
}

/// Draws the list. `scroll_to` brings a row of the selection into view.
pub fn user_table_ui(
    ui: &mut Ui,
    listing: &Listing,
    selected: Option<UserKey>,
    scroll_to: Option<usize>,
) -> TableOutput {
    let mut output = TableOutput::default();
    let sort = listing.sort();
    // A narrow list (800 px windows with a form open) keeps the columns
    // the work turns on: who, and the connection.
    let available = ui.available_width();
    let narrow = available < NARROW_LIST;
    let columns: Vec<Column> = Column::ALL
        .into_iter()
        .filter(|c| !narrow || !matches!(c, Column::Department | Column::Office | Column::Email))
        .collect();
    let mut table = TableBuilder::new(ui)
        .id_salt(if narrow {
            "users_table_narrow"
        } else {
            "users_table"
        })
        .striped(true)
        .resizable(true)
        .sense(Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
    for (index, column) in columns.iter().enumerate() {
        let (initial, least) = match column {
            Column::UserId if narrow => (60.0, 50.0),
            Column::UserId => (70.0, 50.0),
            // Narrow: the name takes what the other three leave.
            Column::Name if narrow => ((available - 60.0 - 120.0 - 80.0).max(80.0), 80.0),
            Column::Name => (170.0, 80.0),
            Column::Department => (120.0, 60.0),
            Column::Office => (100.0, 60.0),
            Column::Email => (220.0, 80.0),
            Column::VismaConnect if narrow => (120.0, 90.0),
            Column::VismaConnect => (130.0, 90.0),
            Column::Activated => (70.0, 70.0),
        };
        let width = if index + 1 == columns.len() {
            TableColumn::remainder()
        } else {
            TableColumn::initial(initial)
        };
        table = table.column(width.at_least(least).clip(true));
    }
    if let Some(row) = scroll_to {
        table = table.scroll_to_row(row, Some(egui::Align::Center));
    }
    table
        .header(ROW_HEIGHT + 2.0, |mut header| {
            for column in &columns {
                header.col(|ui| {
                    if header_button_ui(ui, *column, sort) {
                        output.sort_by = Some(*column);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, listing.visible_len(), |mut row| {
                let Some(record) = listing.visible(row.index()) else {
                    return;
                };
                row.set_selected(Some(record.key) == selected);
                let user = &record.user;
                let cell = |row: &mut egui_extras::TableRow<'_, '_>, text: &str| {
                    row.col(|ui| {
                        ui.add(Label::new(text).selectable(false).truncate());
                    });
                };
                for column in &columns {
                    match column {
                        Column::UserId => cell(&mut row, user.user_id.as_str()),
                        Column::Name => cell(&mut row, &user.display_name()),
                        Column::Department => cell(&mut row, &user.department),
                        Column::Office => cell(&mut row, &user.office),
                        Column::Email => {
                            cell(&mut row, user.email.as_ref().map_or("", |e| e.as_str()));
                        }
                        Column::VismaConnect => {
                            let status = record.connection.status();
                            row.col(|ui| {
                                status_icon_ui(ui, status);
                                let response = ui.add(
                                    Label::new(
                                        RichText::new(status.label()).color(status_color(status)),
                                    )
                                    .selectable(false),
                                );
                                if let Some(email) = record.connection.email() {
                                    response.on_hover_text(email.as_str());
                                }
                            });
                        }
                        Column::Activated => {
                            cell(&mut row, &if user.activated { t!("yes") } else { t!("no") });
                        }
                    }
                }
                if row.response().clicked() {
                    output.clicked = Some(record.key);
                }
            });
        });
    output
}

/// A header that sorts when clicked and shows the direction of the sort.
fn header_button_ui(ui: &mut Ui, column: Column, sort: Sort) -> bool {
    let clicked = ui
        .add(egui::Button::new(RichText::new(column.title()).strong()).frame(false))
        .on_hover_text(t!("table-sort-by", column = column.title()))
        .clicked();
    if sort.column == column {
        sort_arrow_ui(ui, sort.descending);
    }
    clicked
}
