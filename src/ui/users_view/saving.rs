//! Saving and deleting the form's user: the operator's rights checked, the
//! Save that takes their own rights confirmed, and the answer shown.

use crate::app::{self, SaveUserError};
use crate::domain::UserKey;
use crate::domain::roles::Permission;
use crate::ui::conflict_dialog::Conflict;
use crate::ui::user_form::UserForm;

use super::dialogs::Dialog;
use super::form_work::{AfterSave, Job};
use super::{Notice, UsersView, form_work};

impl UsersView {
    /// Saves the open form, then does `then`. A stored user that someone
    /// else changed meanwhile is not saved: the dialog asks.
    pub(super) fn save(&mut self, then: AfterSave) {
        self.save_checked(true, then);
    }

    /// Why the operator may not save the form as it stands: editing users
    /// (at the place the user is saved in, for a limited role), and
    /// changing authorisations when those changed.
    pub(super) fn save_refusal(&self) -> Option<String> {
        let form = self.form.as_ref()?;
        self.register
            .operator
            .may_save_user(
                &form.draft.department,
                &form.draft.office,
                form.authorisations_changed(),
            )
            .err()
            .map(|r| r.sentence)
    }

    /// Saves the form (`checked`: unless someone else changed the user
    /// since it opened), then does `then`: at once on a register file, off
    /// the UI thread on a shared register.
    pub(super) fn save_checked(&mut self, checked: bool, then: AfterSave) {
        let refused = self.save_refusal();
        let Some(form) = &mut self.form else {
            return;
        };
        // The roles are read first: a date that cannot be read saves nothing.
        let read = refused.map_or_else(
            || Ok((form.roles_to_save()?, form.audit_rights_to_save()?)),
            Err,
        );
        let (roles, audit_rights) = match read {
            Ok(read) => read,
            Err(why) => {
                self.notice = Some(Notice {
                    text: why,
                    is_error: true,
                });
                return;
            }
        };
        // A change of one's own roles that takes Roles or Settings away is
        // asked about first, saying what will be lost.
        let lost = roles.as_deref().map_or_else(Vec::new, |after| {
            self.register.operator.rights_lost_with(form.key, after)
        });
        if !std::mem::take(&mut self.losing_rights_confirmed) && !lost.is_empty() {
            let lost = lost.into_iter().map(Permission::label).collect();
            self.dialog = Some(Dialog::LoseOwnRights {
                lost,
                checked,
                then,
            });
            return;
        }
        // The General fields, the roles and the rows: one use case, one
        // transaction; a refusal of any part saves nothing.
        let job = Job::Save(Box::new(form_work::SaveJob {
            key: form.key,
            base: form.key.filter(|_| checked).map(|_| form.original.clone()),
            draft: form.draft.clone(),
            tabs: app::FormTabs {
                roles,
                audit_rights,
            },
            then,
        }));
        self.start_job(job);
    }

    /// Shows what a Save did; true when it landed.
    pub(super) fn saved(&mut self, result: form_work::SaveResult) -> bool {
        let saved = match result {
            Err(app::FormSaveError::Roles(error)) => {
                return self.tab_refused(crate::ui::user_form::FormTab::Authorisations, &error);
            }
            Err(app::FormSaveError::AuditRights(error)) => {
                return self.tab_refused(crate::ui::user_form::FormTab::AuditOfAccountCode, &error);
            }
            Err(app::FormSaveError::User(error)) => Err(error),
            Ok(saved) => Ok(saved),
        };
        let Some(form) = &mut self.form else {
            return false;
        };
        match saved {
            Ok((record, operator)) => {
                if let Some(operator) = operator {
                    self.register.operator = operator;
                }
                let text = t!(
                    "status-user-saved",
                    user_id = record.user.user_id.to_string(),
                    name = record.user.display_name()
                );
                self.selected = Some(record.key);
                // The form as saved, at once: its tabs hold what was saved;
                // History and the rest follow from the register.
                *form = form.saved_as(&record);
                self.register.listing.upsert(record);
                self.scroll_to_selected = true;
                self.notice = Some(Notice {
                    text,
                    is_error: false,
                });
                self.refresh_form();
                true
            }
            Err(SaveUserError::ChangedElsewhere(changed)) => {
                if let Some(key) = form.key {
                    self.dialog = Some(Dialog::Conflict(Conflict {
                        key,
                        message: changed.to_string(),
                        is_delete: false,
                    }));
                }
                false
            }
            Err(SaveUserError::Invalid(errors)) => {
                form.errors = errors;
                self.notice = Some(Notice {
                    text: SaveUserError::Invalid(form.errors.clone()).to_string(),
                    is_error: true,
                });
                false
            }
            Err(error) => {
                // The message may name an address: log only that it failed.
                tracing::warn!("saving a user failed");
                self.notice = Some(Notice {
                    text: error.to_string(),
                    is_error: true,
                });
                false
            }
        }
    }

    /// *Delete user* (`checked`: unless someone changed them since the
    /// form opened): at once on a register file, off the UI thread on a
    /// shared register.
    pub(super) fn delete(&mut self, key: UserKey, checked: bool) {
        let base = self
            .form
            .as_ref()
            .filter(|f| checked && f.key == Some(key))
            .map(|f| Box::new(f.opened.clone()));
        self.start_job(Job::DeleteUser { key, base });
    }

    /// Shows what *Delete user* did.
    pub(super) fn deleted(&mut self, key: UserKey, result: Result<(), SaveUserError>) {
        let title = self
            .form
            .as_ref()
            .filter(|f| f.key == Some(key))
            .map(UserForm::title)
            .or_else(|| {
                self.register
                    .listing
                    .get(key)
                    .map(|r| format!("{} {}", r.user.user_id, r.user.display_name()))
            })
            .unwrap_or_default();
        match result {
            Ok(()) | Err(SaveUserError::NotFound) => {
                self.register.listing.remove(key);
                if self.form.as_ref().is_some_and(|f| f.key == Some(key)) {
                    self.form = None;
                    self.selected = None;
                }
                self.notice = Some(Notice {
                    text: t!("status-user-deleted", user = &title),
                    is_error: false,
                });
            }
            Err(SaveUserError::ChangedElsewhere(changed)) => {
                self.dialog = Some(Dialog::Conflict(Conflict {
                    key,
                    message: format!("{changed} {}", t!("delete-user-changed-again")),
                    is_delete: true,
                }));
            }
            Err(error) => {
                self.notice = Some(Notice {
                    text: error.to_string(),
                    is_error: true,
                });
            }
        }
    }
}
