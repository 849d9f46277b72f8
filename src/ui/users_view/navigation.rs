//! Moving through the register: the keyboard's shortcuts, the list's
//! selection, going to a user (asking about unsaved changes first), and
//! closing the window.

use egui::{Key, Modifiers, Ui};

use crate::app::services::Services;
use crate::domain::roles::Permission;
use crate::ui::user_form::UserForm;
use crate::ui::user_table::list_has_focus;

use super::dialogs::Dialog;
use super::{FIND, Intent, NEW, SAVE, UsersView, commands};

impl UsersView {
    pub(super) fn shortcuts(&mut self, ui: &Ui) {
        let ctx = ui.ctx();
        if ctx.input_mut(|i| i.consume_shortcut(&SAVE)) {
            self.ask(commands::Command::Save);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&NEW))
            && self.register.refusal(Permission::UsersEdit).is_none()
        {
            self.ask(commands::Command::Request(Intent::New));
        }
        // The keys that move the keyboard or the selection act at once,
        // before the panels are drawn, so what follows them in the same
        // input (letters after Ctrl+F) reaches where they moved.
        if ctx.input_mut(|i| i.consume_shortcut(&FIND)) {
            self.run_command(commands::Command::FocusSearch);
        }
        let dialog_open = self.bulk.is_some()
            || self.sheet.is_some()
            || self.dialog.is_some()
            || self.register_dialog.is_some();
        // The keys move through the list when nothing else has the
        // keyboard, or the list itself has it.
        let keys_for_list = !ctx.egui_wants_keyboard_input() || list_has_focus(ctx);
        if !dialog_open && keys_for_list {
            let page = isize::try_from(self.rows_per_page.max(1)).unwrap_or(1);
            let moves = [
                (Key::ArrowDown, 1),
                (Key::ArrowUp, -1),
                (Key::PageDown, page),
                (Key::PageUp, -page),
                (Key::End, isize::MAX),
                (Key::Home, isize::MIN),
            ];
            for (key, step) in moves {
                if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key)) {
                    self.run_command(commands::Command::MoveSelection(step));
                }
            }
            // Enter goes from the list into the shown user's form: to the
            // Visma Connect Email (User-ID for a connected user).
            if self.form.is_some() && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter))
            {
                self.run_command(commands::Command::EnterForm);
            }
        }
    }

    pub(super) fn close_request(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if self.close_confirmed {
            ctx.send_viewport_cmd(egui::ViewportCommand::Visible(false));
            return;
        }
        let unsaved = self
            .form
            .as_ref()
            .is_some_and(UserForm::has_unsaved_changes);
        if unsaved {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.dialog = Some(Dialog::UnsavedChanges(Intent::Close));
            return;
        }
        // This window delivers: emails still waiting (retries) would wait
        // until the program or `serve` runs again. Ask first.
        let delivering = self
            .register
            .services
            .as_ref()
            .is_some_and(Services::is_delivering);
        if delivering && !self.close_with_waiting {
            if self.register.session.location().is_shared() {
                // Counted off the UI thread; the window closes, or asks,
                // once the count is there (`waiting_counted`).
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.background.start_waiting_count(&self.register.session);
                return;
            }
            if let Ok(waiting) = self.register.session.queued_count()
                && waiting > 0
            {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.dialog = Some(Dialog::CloseWithWaiting(waiting));
                return;
            }
        }
        // The window closes: hide it at once. Stopping the endpoint and the
        // outbox worker (and saving the window's state) then happens out of
        // sight, instead of in a window gone black for a few seconds.
        ctx.send_viewport_cmd(egui::ViewportCommand::Visible(false));
    }

    pub(super) fn move_selection(&mut self, step: isize) {
        let count = self.register.listing.visible_len();
        if count == 0 {
            return;
        }
        let next = match self
            .selected
            .and_then(|k| self.register.listing.visible_position(k))
        {
            Some(position) => position.saturating_add_signed(step).min(count - 1),
            None if step == isize::MAX => count - 1,
            None => 0,
        };
        if let Some(record) = self.register.listing.visible(next) {
            let key = record.key;
            self.request(Intent::Select(key));
        }
    }

    /// Goes where asked, or first asks about unsaved changes.
    pub(super) fn request(&mut self, intent: Intent) {
        // The user shown already: nothing to do.
        let shown_already = matches!(intent, Intent::Select(key) if Some(key) == self.selected);
        if shown_already && self.form.as_ref().is_some_and(|f| f.key.is_some()) {
            return;
        }
        // A Save under way: go once it landed (its edits are not lost).
        if self
            .form
            .as_ref()
            .is_some_and(|f| f.working.is_some() && f.has_unsaved_changes())
        {
            self.after_saving = Some(intent);
            return;
        }
        if self
            .form
            .as_ref()
            .is_some_and(UserForm::has_unsaved_changes)
        {
            self.dialog = Some(Dialog::UnsavedChanges(intent));
        } else {
            self.go(intent);
        }
    }

    pub(super) fn go(&mut self, intent: Intent) {
        match intent {
            Intent::Select(key) => {
                // The status bar spoke of the user shown before.
                if self.selected != Some(key) {
                    self.notice = None;
                }
                self.form = self
                    .register
                    .listing
                    .get(key)
                    .cloned()
                    .map(|r| self.open_form(&r));
                self.selected = self.form.as_ref().and(Some(key));
                self.scroll_to_selected = true;
            }
            Intent::New => {
                self.selected = None;
                self.notice = None;
                let mut form = UserForm::new_user();
                form.focus_user_id = true;
                self.form = Some(form);
            }
            Intent::Close => {
                // The form is left as it is; the window closes.
                self.close_confirmed = true;
            }
            Intent::SwitchRegister => self.switch_to = self.switch_pending.take(),
        }
    }
}
