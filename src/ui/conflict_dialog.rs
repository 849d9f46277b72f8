//! The dialog shown when another administrator changed a user while this
//! window had the form open: who changed what and when, and the choice to
//! reload or to go ahead anyway.

use crate::domain::UserKey;

/// A save or delete refused because the user changed elsewhere.
#[derive(Clone)]
pub struct Conflict {
    /// The user.
    pub key: UserKey,
    /// Who changed what and when.
    pub message: String,
    /// True for a delete, false for a save.
    pub is_delete: bool,
}

/// What the administrator chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictChoice {
    /// Load the user as stored now (a save's edits are dropped).
    Reload,
    /// Save (or delete) all the same.
    Anyway,
    /// Close the dialog and change nothing (a delete).
    Cancel,
}

/// Draws the dialog; returns the choice once one is made.
pub fn conflict_dialog_ui(ctx: &egui::Context, conflict: &Conflict) -> Option<ConflictChoice> {
    let mut choice = None;
    let modal_id = egui::Id::unique("changed_elsewhere");
    // Opening, the focus moves to the first button (Delete anyway, Reload);
    // closed, it goes back where it was.
    let focus = super::a11y::ModalFocus::of(modal_id);
    let opening = focus.opening(ctx);
    let first = |button: egui::Response| {
        if opening {
            button.request_focus();
        }
        button
    };
    let modal = egui::Modal::new(modal_id).show(ctx, |ui| {
        super::a11y::dialog_named(ui, &t!("conflict-title"));
        ui.set_max_width(420.0);
        ui.heading(t!("conflict-title"));
        ui.label(&conflict.message);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if conflict.is_delete {
                if first(ui.button(t!("conflict-delete-anyway"))).clicked() {
                    choice = Some(ConflictChoice::Anyway);
                }
                if ui.button(t!("cancel")).clicked() {
                    choice = Some(ConflictChoice::Cancel);
                }
            } else {
                if first(ui.button(t!("conflict-reload")))
                    .on_hover_text(t!("conflict-reload.hint"))
                    .clicked()
                {
                    choice = Some(ConflictChoice::Reload);
                }
                if ui
                    .button(t!("conflict-save-anyway"))
                    .on_hover_text(t!("conflict-save-anyway.hint"))
                    .clicked()
                {
                    choice = Some(ConflictChoice::Anyway);
                }
            }
        });
    });
    // Escape closes the dialog and changes nothing; the form keeps its edits.
    if choice.is_none() && modal.should_close() {
        choice = Some(ConflictChoice::Cancel);
    }
    if choice.is_some() {
        focus.closed(ctx);
    }
    choice
}
