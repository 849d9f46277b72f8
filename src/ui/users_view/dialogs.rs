//! The Users view's questions: at most one modal at a time, as one
//! [`Dialog`], drawn by [`UsersView::dialog_ui`] and answered there once.

use crate::app;

use super::super::conflict_dialog::{Conflict, ConflictChoice, conflict_dialog_ui};
use super::super::user_form::UserForm;
use super::form_work::{AfterSave, ConnectionJob, Job};
use super::{Intent, UsersView};
use crate::domain::UserKey;

/// The question the view is asking.
pub(super) enum Dialog {
    /// The form has unsaved changes: save, discard or stay, then go.
    UnsavedChanges(Intent),
    /// Delete this user?
    DeleteUser(UserKey),
    /// Delete this user's Visma Connect connection? In the preparation
    /// phase `note` says who will be invited.
    DeleteConnection {
        /// The user.
        key: UserKey,
        /// Who will be invited, read once when the question opened.
        note: Option<String>,
    },
    /// Someone else changed the user meanwhile: anyway, reload or cancel.
    Conflict(Conflict),
    /// Emails still wait to go out: close anyway?
    CloseWithWaiting(usize),
    /// The Save takes the operator's own rights: save anyway?
    LoseOwnRights {
        /// The permissions that will be lost, in words.
        lost: Vec<String>,
        /// Whether the Save checks for changes made elsewhere.
        checked: bool,
        /// What follows the Save.
        then: AfterSave,
    },
}

/// What the person answered.
enum Answer {
    /// Cancel, Escape, or a click beside the question.
    Dismiss,
    /// Unsaved changes: save (true) or discard (false), then go.
    Unsaved(Intent, bool),
    /// Delete the user.
    DeleteUser(UserKey),
    /// Delete the connection.
    DeleteConnection(UserKey),
    /// The conflict's choice.
    Conflict(Conflict, ConflictChoice),
    /// Close with emails waiting.
    CloseAnyway,
    /// Save, losing one's own rights (checked for changes elsewhere, then).
    SaveLosingRights(bool, AfterSave),
}

/// A modal with a heading, a sentence (and a note) and buttons; `None`
/// while unanswered. Enter presses the first button, or, when
/// `enter_changes_nothing`, the one that changes nothing.
fn question_ui(
    ctx: &egui::Context,
    id: &str,
    heading: &str,
    text: &str,
    note: Option<&str>,
    buttons: &[(String, Answer)],
    enter_changes_nothing: bool,
) -> Option<usize> {
    let mut chosen = None;
    let modal_id = egui::Id::unique(id);
    let focus = super::super::a11y::ModalFocus::of(modal_id);
    let opening = focus.opening(ctx);
    // The default button: the one the question is about, or the one that
    // changes nothing where that would delete or take rights.
    let default = if enter_changes_nothing {
        buttons
            .iter()
            .position(|(_, a)| matches!(a, Answer::Dismiss))
    } else {
        Some(0)
    };
    let modal = egui::Modal::new(modal_id).show(ctx, |ui| {
        super::super::a11y::dialog_named(ui, heading);
        ui.set_max_width(400.0);
        ui.heading(heading);
        ui.label(text);
        if let Some(note) = note {
            ui.label(note);
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            for (index, (label, _)) in buttons.iter().enumerate() {
                let button = ui.button(label);
                // Opening, the focus moves into the question, to its
                // default button.
                if opening && Some(index) == default {
                    button.request_focus();
                }
                if button.clicked() {
                    chosen = Some(index);
                }
            }
        });
    });
    // Enter presses the default button (a focused button takes Enter
    // itself); not the Enter that opened the question (on a focused
    // toolbar button) in the same frame.
    if chosen.is_none() && !opening && ctx.input(|i| i.key_pressed(egui::Key::Enter)) {
        chosen = default;
    }
    // Escape (or a click beside the question) is the button that changes
    // nothing (Cancel, Keep open).
    let chosen = chosen.or_else(|| {
        modal
            .should_close()
            .then(|| {
                buttons
                    .iter()
                    .position(|(_, a)| matches!(a, Answer::Dismiss))
            })
            .flatten()
    });
    if chosen.is_some() {
        focus.closed(ctx);
    }
    chosen
}

impl UsersView {
    /// Draws the open question, if any, and acts on its answer.
    pub(super) fn dialog_ui(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &self.dialog else {
            return;
        };
        let title = self.form.as_ref().map(UserForm::title).unwrap_or_default();
        let cancel = || (t!("cancel"), Answer::Dismiss);
        let mut buttons = match dialog {
            Dialog::UnsavedChanges(intent) => vec![
                (t!("unsaved-save"), Answer::Unsaved(*intent, true)),
                (t!("unsaved-discard"), Answer::Unsaved(*intent, false)),
                cancel(),
            ],
            Dialog::DeleteUser(key) => {
                vec![
                    (t!("delete-user-title"), Answer::DeleteUser(*key)),
                    cancel(),
                ]
            }
            Dialog::DeleteConnection { key, .. } => vec![
                (t!("delete-connection-yes"), Answer::DeleteConnection(*key)),
                cancel(),
            ],
            Dialog::CloseWithWaiting(_) => vec![
                (t!("close-waiting-keep"), Answer::Dismiss),
                (t!("close-waiting-close"), Answer::CloseAnyway),
            ],
            Dialog::LoseOwnRights { checked, then, .. } => vec![
                (
                    t!("lose-rights-save"),
                    Answer::SaveLosingRights(*checked, *then),
                ),
                cancel(),
            ],
            Dialog::Conflict(conflict) => {
                if let Some(choice) = conflict_dialog_ui(ctx, conflict) {
                    let conflict = conflict.clone();
                    self.dialog = None;
                    self.answer(ctx, Answer::Conflict(conflict, choice));
                }
                return;
            }
        };
        let chosen = match dialog {
            Dialog::UnsavedChanges(_) => question_ui(
                ctx,
                "unsaved_changes",
                &t!("unsaved-title"),
                &t!("unsaved-question", user = &title),
                None,
                &buttons,
                false,
            ),
            Dialog::DeleteUser(_) => question_ui(
                ctx,
                "confirm_delete",
                &t!("delete-user-title"),
                &t!("delete-user-question", user = &title),
                None,
                &buttons,
                true,
            ),
            Dialog::DeleteConnection { note, .. } => question_ui(
                ctx,
                "confirm_delete_connection",
                &t!("delete-connection-title"),
                &t!("delete-connection-question", user = &title),
                note.as_deref(),
                &buttons,
                true,
            ),
            Dialog::CloseWithWaiting(waiting) => question_ui(
                ctx,
                "close_with_waiting_email",
                &t!("close-waiting-title"),
                &t!("close-waiting-text", count = *waiting),
                None,
                &buttons,
                false,
            ),
            Dialog::LoseOwnRights { lost, .. } => question_ui(
                ctx,
                "lose_own_rights",
                &t!("lose-rights-title"),
                &t!("lose-rights-text", lost = lost.join(", ")),
                None,
                &buttons,
                true,
            ),
            Dialog::Conflict(_) => None,
        };
        if let Some(index) = chosen {
            self.dialog = None;
            let (_, answer) = buttons.swap_remove(index);
            self.answer(ctx, answer);
        }
    }

    fn answer(&mut self, ctx: &egui::Context, answer: Answer) {
        match answer {
            Answer::Dismiss => {}
            Answer::Unsaved(intent, true) => self.save(AfterSave::Go(intent)),
            Answer::Unsaved(intent, false) => {
                if let Some(form) = &mut self.form {
                    form.draft = form.original.clone();
                }
                self.go(intent);
                if self.close_confirmed {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            Answer::DeleteUser(key) => self.delete(key, true),
            Answer::DeleteConnection(key) => self.delete_connection(key),
            Answer::SaveLosingRights(checked, then) => {
                self.losing_rights_confirmed = true;
                self.save_checked(checked, then);
            }
            Answer::CloseAnyway => {
                self.close_with_waiting = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            Answer::Conflict(conflict, choice) => match (choice, conflict.is_delete) {
                (ConflictChoice::Anyway, true) => self.delete(conflict.key, false),
                (ConflictChoice::Anyway, false) => self.save_checked(false, AfterSave::Nothing),
                (ConflictChoice::Reload, _) if self.register.session.location().is_shared() => {
                    // The user as the list has them; the form reads the user
                    // and their details again off the UI thread.
                    if let Some(record) = self.listing().get(conflict.key).cloned() {
                        let form = self.open_form(&record);
                        self.form = Some(form);
                        self.refresh_form();
                    }
                }
                (ConflictChoice::Reload, _) => {
                    if let Ok(Some(record)) = self.register.session.user(conflict.key) {
                        let details = app::user_details(&self.register.session, conflict.key)
                            .unwrap_or_default();
                        self.form = Some(UserForm::edit(&record, details));
                        self.register.listing.upsert(record);
                    }
                }
                (ConflictChoice::Cancel, _) => {}
            },
        }
    }

    /// Deletes the user's connection and says what happened (and who was
    /// invited to link again).
    fn delete_connection(&mut self, key: UserKey) {
        let title = self.form.as_ref().map(UserForm::title).unwrap_or_default();
        self.start_job(Job::Connection(key, ConnectionJob::Delete(title)));
    }
}
