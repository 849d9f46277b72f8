//! What a screen reader is told beyond each widget's own role and name:
//! that a modal or window is a dialog, and its title.

use egui::accesskit;

/// Tells a screen reader that the content `ui` of a modal is a dialog
/// named `title` ("Verify accounts, dialog") that holds the window until it
/// is answered: its controls are read as inside it.
pub fn dialog_named(ui: &egui::Ui, title: &str) {
    named(ui, title, true);
}

/// Tells a screen reader that the content `ui` of a window beside the list
/// (Settings, Roles, Import…) is a dialog named `title`.
pub fn window_named(ui: &egui::Ui, title: &str) {
    named(ui, title, false);
}

fn named(ui: &egui::Ui, title: &str, modal: bool) {
    let title = title.to_owned();
    ui.ctx()
        .accesskit_node_builder(ui.unique_id(), move |node| {
            node.set_role(accesskit::Role::Dialog);
            node.set_label(title);
            if modal {
                node.set_modal();
            }
        });
}

/// Names the window itself for a screen reader ("HRM Users, frame"), as
/// its title bar does for the eyes.
pub fn window_title(ctx: &egui::Context, title: &str) {
    let title = title.to_owned();
    ctx.accesskit_node_builder(egui::accesskit_root_id(), move |node| {
        node.set_label(title);
    });
}

/// Ties a field's error to its input: the input is marked invalid and
/// described by the error's label, so a screen reader says both when the
/// field is reached.
pub fn field_error(input: &egui::Response, error: &egui::Response) {
    let error = error.id.accesskit_id();
    input.ctx.accesskit_node_builder(input.id, move |node| {
        node.set_invalid(accesskit::Invalid::True);
        node.push_described_by(error);
    });
}

/// Makes a status line a polite live region: a screen reader says each new
/// message when it is idle, without moving focus.
pub fn live(status: &egui::Response) {
    status.ctx.accesskit_node_builder(status.id, |node| {
        node.set_live(accesskit::Live::Polite);
    });
}

/// Makes a label a heading of the form's sections ("General", "Connection
/// to Visma Connect"), so a screen reader can move by them and tell two
/// fields of one name apart by the section they are in.
pub fn heading(label: &egui::Response, text: &str) {
    let text = text.to_owned();
    label.ctx.accesskit_node_builder(label.id, move |node| {
        node.set_role(accesskit::Role::Heading);
        node.set_label(text);
        node.set_level(2);
    });
}

/// Makes a row of buttons a tab list (`row` is its `Ui`).
pub fn tab_list(row: &egui::Ui) {
    row.ctx().accesskit_node_builder(row.unique_id(), |node| {
        node.set_role(accesskit::Role::TabList);
    });
}

/// Makes a button a tab, selected while its page shows.
pub fn tab(button: &egui::Response, selected: bool) {
    button.ctx.accesskit_node_builder(button.id, move |node| {
        node.set_role(accesskit::Role::Tab);
        node.set_selected(selected);
    });
}

/// Marks an input that must be filled in.
pub fn required(input: &egui::Response) {
    input.ctx.accesskit_node_builder(input.id, |node| {
        node.set_required();
    });
}
