//! The view's panels: the list, the form beside it and the status line.

use egui::{RichText, Ui};

use crate::domain::Sort;
use crate::domain::roles::Permission;
use crate::ui::format::{ERROR_RED, GREEN};
use crate::ui::user_form::user_form_ui;
use crate::ui::user_table::{rows_in, user_table_ui};

use super::{Intent, Notice, UsersView, sort_memory_id};

impl UsersView {
    /// The list's sort as this OS user left it (remembered with the window).
    pub(super) fn restore_sort(&mut self, ctx: &egui::Context) {
        if self.sort_restored {
            return;
        }
        let remembered = ctx.data_mut(|d| d.get_persisted::<(usize, bool)>(sort_memory_id()));
        if let Some((index, descending)) = remembered
            && let Some(column) = crate::domain::Column::ALL.get(index)
        {
            self.sort_restored = true;
            self.register.listing.set_sort(Sort {
                column: *column,
                descending,
            });
        }
    }

    pub(super) fn list_ui(&mut self, ui: &mut Ui) {
        self.restore_sort(ui.ctx());
        if self.register.listing.visible_len() == 0 {
            ui.add_space(24.0);
            ui.vertical_centered(|ui| {
                ui.label(if self.register.listing.total() == 0 {
                    t!("list-empty")
                } else {
                    t!("list-no-match")
                });
            });
            return;
        }
        let scroll_to = if std::mem::take(&mut self.scroll_to_selected) {
            self.selected
                .and_then(|k| self.register.listing.visible_position(k))
        } else {
            None
        };
        // Page Up and Page Down move by the rows the list has room for.
        self.rows_per_page = rows_in(ui.available_height());
        // Columns widened by hand beyond the list scroll sideways, rather
        // than under the form.
        let output = egui::ScrollArea::horizontal()
            .id_salt("users_list_sideways")
            .show(ui, |ui| {
                user_table_ui(ui, &self.register.listing, self.selected, scroll_to)
            })
            .inner;
        if let Some(column) = output.sort_by {
            let sort = self.register.listing.sort();
            let descending = sort.column == column && !sort.descending;
            self.register.listing.set_sort(Sort { column, descending });
            self.sort_restored = true;
            if let Some(index) = crate::domain::Column::ALL.iter().position(|c| *c == column) {
                ui.ctx()
                    .data_mut(|d| d.insert_persisted(sort_memory_id(), (index, descending)));
            }
        }
        if let Some(key) = output.clicked {
            self.request(Intent::Select(key));
        }
    }

    pub(super) fn form_panel_ui(&mut self, ui: &mut Ui) {
        let mut action = None;
        // Fills the panel: a shrinking scroll area would shrink the panel to
        // its content, frame by frame, down to the minimum.
        egui::ScrollArea::vertical()
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if let Some(form) = &mut self.form {
                    // A limited role: the user's department and office as stored.
                    let edit = match &form.record {
                        Some(record) => self.register.operator.may_for(
                            Permission::UsersEdit,
                            &record.user.department,
                            &record.user.office,
                        ),
                        None => self.register.operator.may(Permission::UsersEdit),
                    };
                    form.read_only = edit.err().map(|r| r.sentence);
                    form.roles_read_only = self
                        .register
                        .operator
                        .may(Permission::Roles)
                        .err()
                        .map(|r| r.sentence);
                    action = user_form_ui(
                        ui,
                        form,
                        self.smtputf8_missing,
                        &self.register.operator.roles,
                    );
                } else {
                    ui.add_space(24.0);
                    ui.label(t!("form-none-chosen"));
                    ui.weak(t!("form-none-chosen-keys"));
                }
            });
        if let Some(action) = action {
            self.form_action(action);
        }
    }

    /// The form was not saved because its tab `tab` was refused (`why`):
    /// the tab is shown with the reason at it; nothing of the form was
    /// written, so every field stays as edited.
    pub(super) fn tab_refused(
        &mut self,
        tab: crate::ui::user_form::FormTab,
        why: &dyn std::fmt::Display,
    ) -> bool {
        let Some(form) = &mut self.form else {
            return false;
        };
        let why = why.to_string();
        if tab == crate::ui::user_form::FormTab::Authorisations {
            form.roles_error = Some(why.clone());
        } else {
            form.audit_error = Some(why.clone());
        }
        form.tab = tab;
        self.notice = Some(Notice {
            text: t!("status-form-not-saved", reason = why),
            is_error: true,
        });
        false
    }

    pub(super) fn status_ui(&self, ui: &mut Ui) {
        if let Some(waited) = self.background.waiting_long() {
            // Said in words, and the window keeps working meanwhile.
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(
                    RichText::new(t!(
                        "status-register-not-answering",
                        seconds = waited.as_secs()
                    ))
                    .color(ERROR_RED),
                );
            });
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(500));
            return;
        }
        // A polite live region, and the colour also in words.
        ui.horizontal(|ui| match &self.notice {
            Some(notice) if notice.is_error => {
                ui.label(
                    RichText::new(t!("status-word-error"))
                        .strong()
                        .color(ERROR_RED),
                );
                let said = ui.label(RichText::new(&notice.text).color(ERROR_RED));
                crate::ui::a11y::live(&said);
            }
            Some(notice) => {
                ui.label(RichText::new(t!("status-word-done")).strong().color(GREEN));
                let said = ui.label(RichText::new(&notice.text).color(GREEN));
                crate::ui::a11y::live(&said);
            }
            None => {
                // A part that is not running is said for as long as it is not.
                let problem = self
                    .register
                    .services
                    .as_ref()
                    .and_then(|s| s.problems().into_iter().next());
                match problem {
                    Some(problem) => {
                        ui.label(
                            RichText::new(t!("status-word-error"))
                                .strong()
                                .color(ERROR_RED),
                        );
                        let said = ui.label(RichText::new(problem.to_string()).color(ERROR_RED));
                        crate::ui::a11y::live(&said);
                    }
                    None => {
                        ui.weak(self.register.session.location().to_string());
                    }
                }
            }
        });
    }
}
