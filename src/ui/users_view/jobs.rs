//! The form's work carried out: its connection buttons, the jobs that run
//! off the UI thread on a shared register, and what their results change.

use crate::app::{self};
use crate::domain::roles::Permission;
use crate::ui::file_chooser::Chooser;
use crate::ui::sheet_view::SheetView;
use crate::ui::user_form::FormAction;

use super::dialogs::Dialog;
use super::form_work::{AfterSave, ConnectionJob, Done, Job};
use super::{Notice, UsersView, form_work, is_preparation};

impl UsersView {
    /// Runs a connection button of the form.
    pub(super) fn form_action(&mut self, action: FormAction) {
        let Some(form) = &self.form else {
            return;
        };
        let job = match action {
            FormAction::VerifyAccount => {
                // A new or changed user is saved first; the Save then verifies.
                if form.key.is_none() || form.has_unsaved_changes() {
                    self.save_checked(true, AfterSave::Verify);
                    return;
                }
                ConnectionJob::Verify
            }
            FormAction::ImportAccountCodes => {
                match self.register.refusal(Permission::ImportExport) {
                    Some(why) => {
                        self.notice = Some(Notice {
                            text: why,
                            is_error: true,
                        });
                    }
                    None => self.sheet = Some(SheetView::ChooseCodes(Chooser::default())),
                }
                return;
            }
            FormAction::RetryIdpPush => ConnectionJob::RetryPush,
            FormAction::ResetPassword => ConnectionJob::ResetPassword,
            FormAction::DeleteConnection => {
                // One settings read when the question opens, not per frame;
                // on a shared register the phase as last read or saved here
                // (no read on the UI thread).
                let preparation = if self.register.session.location().is_shared() {
                    self.preparation
                } else {
                    self.register
                        .session
                        .load_settings()
                        .is_ok_and(|s| is_preparation(&s))
                };
                let email = form
                    .record
                    .as_ref()
                    .and_then(|r| r.user.email.as_ref().map(ToString::to_string));
                let note = preparation.then(|| match email {
                    Some(address) => t!("delete-connection-invites", address = address),
                    None => t!("delete-connection-no-email"),
                });
                if let Some(key) = form.key {
                    self.dialog = Some(Dialog::DeleteConnection { key, note });
                }
                return;
            }
        };
        if let Some(key) = form.key {
            self.start_job(Job::Connection(key, job));
        }
    }

    /// Starts the form's `job`: done at once on a register file; on a
    /// shared register off the UI thread, the form saying that it works.
    /// Nothing starts while other work of the form is under way.
    pub(super) fn start_job(&mut self, job: Job) {
        if !self.register.session.location().is_shared() {
            let done = form_work::run(&mut self.register.session, job);
            self.job_done(done);
            return;
        }
        let working = match &job {
            Job::Save(_) => t!("form-saving"),
            Job::Connection(..) | Job::DeleteUser { .. } | Job::MakeMeSystemAdministrator => {
                t!("form-working")
            }
        };
        if !self.background.start_job(&self.register.session, job) {
            self.notice = Some(Notice {
                text: t!("status-still-working"),
                is_error: true,
            });
        } else if let Some(form) = &mut self.form {
            form.working = Some(working);
        }
    }

    /// The emails still waiting were counted after a request to close (on a
    /// shared register): asks when some wait, else closes (also when the
    /// count failed: the register did not answer, the emails stay queued).
    pub(super) fn waiting_counted(&mut self, counted: &Result<usize, String>) {
        match counted {
            Ok(waiting) if *waiting > 0 => {
                self.dialog = Some(Dialog::CloseWithWaiting(*waiting));
            }
            _ => {
                self.close_with_waiting = true;
                self.background
                    .ctx
                    .send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// Takes what the work off the UI thread finished since the last frame.
    pub(super) fn take_background_work(&mut self) {
        if let Some(done) = self.background.take_job() {
            if let Some(form) = &mut self.form {
                form.working = None;
            }
            match done {
                Ok(done) => self.job_done(done),
                Err(error) => {
                    // The work could not run (the register could not be
                    // reached): nothing was saved, the form keeps its edits.
                    self.after_saving = None;
                    self.notice = Some(Notice {
                        text: error,
                        is_error: true,
                    });
                }
            }
        }
        if let Some((_, Some((record, details)))) = self.background.take_refresh() {
            self.show_reread(record, details);
        }
        if let Some(operator) = self.background.take_operator() {
            self.register.operator = operator;
        }
        if let Some(counted) = self.background.take_waiting_count() {
            self.waiting_counted(&counted);
        }
        match self.background.take_changes() {
            Some(Ok(read)) => {
                let changed = self.register.changes.take(read);
                let ctx = self.background.ctx.clone();
                self.changed(&ctx, changed);
            }
            // Read again at the next look (the register may be back).
            Some(Err(_)) => self.register.changes.read_failed(),
            None => {}
        }
    }

    /// Shows what the form's work did.
    pub(super) fn job_done(&mut self, done: Done) {
        match done {
            Done::Deleted { key, result } => self.deleted(key, result),
            Done::Saved { result, then } => {
                let saved = self.saved(*result);
                let gone_to = self.after_saving.take();
                if saved {
                    match then {
                        AfterSave::Nothing => {}
                        AfterSave::Go(intent) => {
                            self.go(intent);
                            if self.close_confirmed {
                                self.background
                                    .ctx
                                    .send_viewport_cmd(egui::ViewportCommand::Close);
                            }
                        }
                        AfterSave::Verify => self.form_action(FormAction::VerifyAccount),
                    }
                    // Where the administrator clicked meanwhile, still
                    // saying that the Save landed.
                    if let Some(intent) = gone_to {
                        let said = self.notice.take();
                        self.request(intent);
                        self.notice = self.notice.take().or(said);
                    }
                }
            }
            Done::Connection { result, now } => {
                // The form first: the notice below speaks of the state it shows.
                if let Some((record, details)) = *now {
                    self.show_reread(record, details);
                }
                match result {
                    Ok(text) => {
                        self.notice = Some(Notice {
                            text,
                            is_error: false,
                        });
                        if let Some(services) = &self.register.services {
                            services.wake();
                        }
                    }
                    Err(error) => {
                        self.notice = Some(Notice {
                            text: error.to_string(),
                            is_error: true,
                        });
                    }
                }
            }
            Done::MadeSystemAdministrator(result) => self.made_system_administrator(result),
        }
    }

    /// Says what *Make me System administrator* did; the banner and the
    /// buttons follow the operator read after it.
    pub(super) fn made_system_administrator(
        &mut self,
        result: Result<(String, Option<Box<app::operator::Operator>>), String>,
    ) {
        self.notice = Some(match result {
            Ok((user_id, operator)) => {
                if let Some(operator) = operator {
                    self.register.operator = *operator;
                }
                Notice {
                    text: t!("status-made-system-administrator", user_id = user_id),
                    is_error: false,
                }
            }
            Err(error) => Notice {
                text: error,
                is_error: true,
            },
        });
        self.refresh_form();
    }
}
