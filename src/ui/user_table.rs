//! The list of users: sortable headers and only the visible rows laid out,
//! so 100,000 users scroll as smoothly as ten. To a screen reader it is a
//! table: a row count, rows named by their cells ("14, Sara Lindström, IT,
//! Göteborg, Pending") with the chosen one selected, cells in rows, and one
//! Tab stop for the whole list (the chosen row, which the arrow keys move).

use egui::{Id, Label, RichText, Sense, Ui, UiBuilder};
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

/// Where the list keeps the id of its Tab stop (the chosen row's).
fn tab_stop_key() -> Id {
    Id::unique("users_list_tab_stop")
}

/// The id of a user's row, to a screen reader and to keyboard focus.
fn row_id(key: UserKey) -> Id {
    Id::unique(("users_row", key))
}

/// True while the list has the keyboard focus (its chosen row): the arrow
/// keys, Page Up/Down, Home, End and Enter are the list's then.
pub fn list_has_focus(ctx: &egui::Context) -> bool {
    let stop = ctx.data(|d| d.get_temp::<Id>(tab_stop_key()));
    stop.is_some() && ctx.memory(egui::Memory::focused) == stop
}

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
    let list = ui.scope_builder(UiBuilder::new().id_salt("users_list"), |ui| {
        table_ui(ui, listing, selected, scroll_to)
    });
    list.inner
}

/// The table itself, in a scope of its own that is the table to a screen
/// reader.
fn table_ui(
    ui: &mut Ui,
    listing: &Listing,
    selected: Option<UserKey>,
    scroll_to: Option<usize>,
) -> TableOutput {
    let mut output = TableOutput::default();
    let sort = listing.sort();
    let table_id = ui.unique_id();
    let ctx = ui.ctx().clone();
    // A narrow list (800 px windows with a form open) keeps the columns
    // the work turns on: who, and the connection.
    let available = ui.available_width();
    let narrow = available < NARROW_LIST;
    let columns: Vec<Column> = Column::ALL
        .into_iter()
        .filter(|c| !narrow || !matches!(c, Column::Department | Column::Office | Column::Email))
        .collect();
    let salt = if narrow {
        "users_table_narrow"
    } else {
        "users_table"
    };
    let titles = columns.iter().map(|c| c.title()).collect();
    let borders = super::a11y::ColumnBorders::of(ui, salt, titles);
    borders.pass_over(&ctx);
    let widths = column_sizes(ui, &columns, sort, narrow);
    let mut table = TableBuilder::new(ui)
        .id_salt(salt)
        .striped(true)
        .resizable(true)
        // Clicked, but no Tab stop per cell: the list has one (below).
        .sense(Sense::CLICK)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
    for width in widths {
        table = table.column(width);
    }
    if let Some(row) = scroll_to {
        table = table.scroll_to_row(row, Some(egui::Align::Center));
    }
    let rows = listing.visible_len();
    ctx.accesskit_node_builder(table_id, |node| {
        node.set_role(egui::accesskit::Role::Table);
        node.set_label(t!("list-name"));
        node.set_row_count(rows + 1);
        node.set_column_count(columns.len());
    });
    let stop = TabStop::this_frame(&ctx, listing, selected);
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
            body.rows(ROW_HEIGHT, rows, |mut row| {
                let index = row.index();
                let Some(record) = listing.visible(index) else {
                    return;
                };
                let is_selected = Some(record.key) == selected;
                row.set_selected(is_selected);
                let mut a11y = RowA11y {
                    id: row_id(record.key),
                    index,
                    is_selected,
                    stop: &stop,
                    made: false,
                    record,
                    columns: &columns,
                };
                let mut chosen_by_reader = false;
                for column in &columns {
                    row.col(|ui| {
                        chosen_by_reader |= a11y.make(ui);
                        cell_ui(ui, a11y.id, |ui| cell_contents_ui(ui, record, *column));
                    });
                }
                if row.response().clicked() || chosen_by_reader {
                    output.clicked = Some(record.key);
                }
            });
        });
    borders.after_table(&ctx);
    output
}

/// The columns' sizes. A column is never narrower than its header (with
/// its sort arrow), in either language: "Användar-ID" is not cut to
/// "Använd…". One column takes what the others leave (so the last one
/// keeps its header whole), fitted anew as the window changes: the name
/// in a narrow list, else the email.
fn column_sizes(ui: &Ui, columns: &[Column], sort: Sort, narrow: bool) -> Vec<TableColumn> {
    let available = ui.available_width();
    let headers: Vec<f32> = columns
        .iter()
        .map(|c| header_width(ui, *c, sort.column == *c))
        .collect();
    let spacing = ui.spacing().item_spacing.x * columns.len() as f32;
    let filler = if narrow { Column::Name } else { Column::Email };
    let others: f32 = columns
        .iter()
        .zip(&headers)
        .filter(|(c, _)| **c != filler)
        .map(|(c, header)| column_widths(*c, narrow).0.max(*header))
        .sum();
    columns
        .iter()
        .zip(&headers)
        .enumerate()
        .map(|(index, (column, header))| {
            if *column == filler {
                // Fitted to the window every frame (not remembered, so it
                // grows back when the window does).
                let least = column_widths(*column, narrow).1.max(*header);
                let most = if narrow { f32::INFINITY } else { 320.0 };
                let room = (available - others - spacing).clamp(least, most.max(least));
                return TableColumn::exact(room).clip(true);
            }
            let (first, least) = column_widths(*column, narrow);
            let width = if index + 1 == columns.len() {
                TableColumn::remainder()
            } else {
                TableColumn::initial(first.max(*header))
            };
            width.at_least(least.max(*header)).clip(true)
        })
        .collect()
}

/// The width a column's header needs: its title in bold, and the sort
/// arrow beside it when the list is `sorted` by it.
fn header_width(ui: &Ui, column: Column, sorted: bool) -> f32 {
    let title = egui::WidgetText::from(RichText::new(column.title()).strong());
    let galley = title.into_galley(
        ui,
        Some(egui::TextWrapMode::Extend),
        f32::INFINITY,
        egui::TextStyle::Button,
    );
    let spacing = ui.spacing().item_spacing.x;
    let arrow = if sorted {
        ui.text_style_height(&egui::TextStyle::Body) * 0.7 + spacing
    } else {
        0.0
    };
    galley.size().x + arrow + 2.0 * spacing
}

/// A column's first and least width.
fn column_widths(column: Column, narrow: bool) -> (f32, f32) {
    match column {
        Column::UserId if narrow => (60.0, 50.0),
        Column::UserId => (70.0, 50.0),
        Column::Name => (170.0, 80.0),
        Column::Department => (120.0, 60.0),
        Column::Office => (100.0, 60.0),
        Column::Email => (220.0, 80.0),
        Column::VismaConnect if narrow => (120.0, 90.0),
        Column::VismaConnect => (130.0, 90.0),
        Column::Activated => (70.0, 70.0),
    }
}

/// What one cell shows.
fn cell_contents_ui(ui: &mut Ui, record: &crate::domain::UserRecord, column: Column) {
    let user = &record.user;
    let text = |ui: &mut Ui, text: &str| {
        ui.add(Label::new(text).selectable(false).truncate());
    };
    match column {
        Column::UserId => text(ui, user.user_id.as_str()),
        Column::Name => text(ui, &user.display_name()),
        Column::Department => text(ui, &user.department),
        Column::Office => text(ui, &user.office),
        Column::Email => text(ui, user.email.as_ref().map_or("", |e| e.as_str())),
        Column::VismaConnect => {
            let status = record.connection.status();
            status_icon_ui(ui, status);
            let response = ui.add(
                Label::new(RichText::new(status.label()).color(status_color(status)))
                    .selectable(false),
            );
            if let Some(email) = record.connection.email() {
                response.on_hover_text(email.as_str());
            }
        }
        Column::Activated => text(ui, &if user.activated { t!("yes") } else { t!("no") }),
    }
}

/// The list's one Tab stop this frame: the chosen row, else the first one
/// shown; and whether the list had the focus (then the stop takes it as the
/// arrow keys move the choice).
struct TabStop {
    id: Option<Id>,
    had_focus: bool,
}

impl TabStop {
    fn this_frame(ctx: &egui::Context, listing: &Listing, selected: Option<UserKey>) -> Self {
        let had_focus = list_has_focus(ctx);
        let key = selected
            .filter(|k| listing.visible_position(*k).is_some())
            .or_else(|| listing.visible(0).map(|r| r.key));
        let id = key.map(row_id);
        ctx.data_mut(|d| match id {
            Some(stop) => {
                d.insert_temp(tab_stop_key(), stop);
            }
            None => d.remove::<Id>(tab_stop_key()),
        });
        Self { id, had_focus }
    }
}

/// A row to a screen reader (and the list's Tab stop when it is the one),
/// made in the row's first cell.
struct RowA11y<'a> {
    id: Id,
    index: usize,
    is_selected: bool,
    stop: &'a TabStop,
    /// True once made this frame.
    made: bool,
    record: &'a crate::domain::UserRecord,
    columns: &'a [Column],
}

impl RowA11y<'_> {
    /// Makes the row (once per frame); true when a screen reader (or the
    /// keyboard on the Tab stop) pressed it. The mouse's click goes to the
    /// cells, which lie above it.
    fn make(&mut self, ui: &mut Ui) -> bool {
        if std::mem::replace(&mut self.made, true) {
            return false;
        }
        let is_stop = self.stop.id == Some(self.id);
        let sense = if is_stop {
            Sense::click()
        } else {
            Sense::CLICK
        };
        let response = ui.interact(ui.max_rect(), self.id, sense);
        if is_stop {
            if self.stop.had_focus && !response.has_focus() {
                response.request_focus();
            }
            // The arrows are the list's, not focus moves.
            ui.memory_mut(|m| {
                m.set_focus_lock_filter(
                    self.id,
                    egui::EventFilter {
                        vertical_arrows: true,
                        ..Default::default()
                    },
                );
            });
        }
        let rect = response.rect;
        ui.ctx().accesskit_node_builder(self.id, |node| {
            node.set_role(egui::accesskit::Role::Row);
            node.set_bounds(egui::accesskit::Rect {
                x0: rect.min.x.into(),
                y0: rect.min.y.into(),
                x1: rect.max.x.into(),
                y1: rect.max.y.into(),
            });
            node.set_label(row_name(self.record, self.columns));
            node.set_selected(self.is_selected);
            node.set_row_index(self.index + 1);
        });
        response.clicked()
    }
}

/// What a screen reader says of a row: its cells, in order.
fn row_name(record: &crate::domain::UserRecord, columns: &[Column]) -> String {
    let user = &record.user;
    columns
        .iter()
        .map(|column| match column {
            Column::UserId => user.user_id.to_string(),
            Column::Name => user.display_name(),
            Column::Department => user.department.clone(),
            Column::Office => user.office.clone(),
            Column::Email => user
                .email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            Column::VismaConnect => record.connection.status().label(),
            Column::Activated => {
                if user.activated {
                    t!("yes")
                } else {
                    t!("no")
                }
            }
        })
        .filter(|text| !text.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A cell of the row `row` to a screen reader, holding what `add` draws.
fn cell_ui(ui: &mut Ui, row: Id, add: impl FnOnce(&mut Ui)) {
    ui.scope_builder(UiBuilder::new().accessibility_parent(row), |ui| {
        ui.ctx().accesskit_node_builder(ui.unique_id(), |node| {
            node.set_role(egui::accesskit::Role::Cell);
        });
        add(ui);
    });
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
