//! `Verify accounts`: the confirmation with its counts, the progress of the
//! send with `Cancel`, and the results per user, saved as xlsx on request.

use std::time::Duration;

use egui::{Label, RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::app::Session;
use crate::app::bulk::{
    BulkJob, BulkOutcome, BulkRequest, BulkResultRow, load_selection, plan_verify_accounts,
    save_results_xlsx, start_bulk, use_general_emails,
};
use crate::app::services::Services;
use crate::domain::{BulkPlan, UserKey, UserRecord};

use super::file_chooser::SaveAs;
use super::format::{ERROR_RED, thousands, users};
use super::tasks::Task;

/// Where a bulk send is, as the window shows it.
pub enum BulkView {
    /// Loading and planning the selection on a thread (a hundred thousand
    /// users take longer than a frame); becomes the confirmation.
    Counting(Task<Box<BulkView>>),
    /// The confirmation dialog.
    Confirm {
        /// The plan for the selection.
        plan: BulkPlan,
        /// "Send again to recently sent".
        send_again: bool,
        /// The selection's keys, to plan again when the box is ticked.
        selection: Vec<UserRecord>,
        /// The resend interval, for the words.
        resend_minutes: u32,
        /// General Emails that could not be used (taken by another user).
        refused_emails: usize,
    },
    /// Sending.
    Running(BulkJob),
    /// The results.
    Results {
        /// One row per user.
        rows: Vec<BulkResultRow>,
        /// Why the send stopped early, if it did.
        error: Option<String>,
        /// `Save as xlsx…`: where the results go, and where they went.
        saved: SaveAs,
    },
}

impl BulkView {
    /// Which stage this is, to notice when the next one shows.
    fn stage(&self) -> u8 {
        match self {
            Self::Counting(_) => 0,
            Self::Confirm { .. } => 1,
            Self::Running(_) => 2,
            Self::Results { .. } => 3,
        }
    }

    /// The confirmation for the users with `keys`, counted on a thread that
    /// reads them from the register (so the window copies nothing big).
    pub fn count(ctx: &egui::Context, session: &Session, keys: Vec<UserKey>) -> Self {
        let reopen = session.reopener();
        Self::Counting(Task::spawn(ctx, "verify-accounts-count", move |_| {
            let session = reopen().map_err(|e| e.to_string())?;
            let selection = load_selection(&session, &keys).map_err(|e| e.to_string())?;
            Self::confirm(&session, selection).map(Box::new)
        }))
    }

    /// Saves the General Email of the selection's users who have no Visma
    /// Connect address as their address (on a thread), then shows the
    /// confirmation again, counted anew.
    fn use_general_emails(
        ctx: &egui::Context,
        session: &Session,
        selection: Vec<UserRecord>,
    ) -> Self {
        let reopen = session.reopener();
        let work = move |_: &_| {
            let mut session = reopen().map_err(|e| e.to_string())?;
            let (selection, refused) = use_general_emails(&mut session, selection);
            let mut view = Self::confirm(&session, selection)?;
            if let Self::Confirm { refused_emails, .. } = &mut view {
                *refused_emails = refused;
            }
            Ok(Box::new(view))
        };
        Self::Counting(Task::spawn(ctx, "verify-accounts-use-email", work))
    }

    /// The confirmation for a selection.
    pub fn confirm(session: &Session, selection: Vec<UserRecord>) -> Result<Self, String> {
        let plan = plan_verify_accounts(session, &selection, false).map_err(|e| e.to_string())?;
        let resend_minutes = session
            .load_settings()
            .map_or(10, |s| s.resend_after_minutes);
        Ok(Self::Confirm {
            plan,
            send_again: false,
            selection,
            resend_minutes,
            refused_emails: 0,
        })
    }
}

/// Draws the bulk dialogs; returns false when the view should close.
pub fn bulk_ui(
    ctx: &egui::Context,
    view: &mut BulkView,
    session: &Session,
    services: Option<&Services>,
) -> bool {
    // The focus moves into each stage as it shows (so a screen reader says
    // it) and goes back where it was when the dialog closes.
    let flow = egui::Id::unique("verify_accounts_flow");
    let focus = super::a11y::ModalFocus::of(flow);
    focus.opening(ctx);
    let opening = super::a11y::stage_opening(ctx, flow, view.stage());
    let (keep, next) = match view {
        BulkView::Counting(task) => counting_ui(ctx, task, opening),
        BulkView::Confirm {
            plan,
            send_again,
            selection,
            resend_minutes,
            refused_emails,
        } => confirm_ui(
            ctx,
            plan,
            send_again,
            selection,
            (*resend_minutes, *refused_emails),
            (session, services),
            opening,
        ),
        BulkView::Running(job) => (true, running_ui(ctx, job, opening)),
        BulkView::Results { rows, error, saved } => {
            let mut open = !super::format::escape_pressed(ctx);
            egui::Window::new(t!("bulk-results-title"))
                .id(egui::Id::unique("verify_accounts_results_window"))
                .title_bar(false)
                .default_size([720.0, 480.0])
                .show(ctx, |ui| {
                    super::a11y::window_title_ui(ui, &t!("bulk-results-title"), &mut open);
                    results_ui(ui, rows, error.as_deref(), saved, session, opening);
                });
            (open, None)
        }
    };
    if let Some(next) = next {
        *view = next;
    }
    if !keep {
        super::a11y::stages_closed(ctx, flow);
        focus.closed(ctx);
    }
    keep
}

/// While the selection is counted: a spinner and `Cancel`.
fn counting_ui(
    ctx: &egui::Context,
    task: &mut Task<Box<BulkView>>,
    opening: bool,
) -> (bool, Option<BulkView>) {
    if let Some(finished) = task.take_result() {
        return match finished {
            Ok(view) => (true, Some(*view)),
            Err(error) => (
                true,
                Some(BulkView::Results {
                    rows: Vec::new(),
                    error: Some(t!("bulk-count-failed", error = error)),
                    saved: SaveAs::default(),
                }),
            ),
        };
    }
    let mut keep = true;
    let modal = egui::Modal::new(egui::Id::unique("verify_accounts_counting")).show(ctx, |ui| {
        super::a11y::dialog_named(ui, &t!("toolbar-verify-accounts"));
        ui.heading(t!("toolbar-verify-accounts"));
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(t!("bulk-counting"));
        });
        let cancel = ui.button(t!("cancel"));
        if opening {
            cancel.request_focus();
        }
        if cancel.clicked() {
            keep = false;
        }
    });
    if modal.should_close() {
        keep = false;
    }
    (keep, None)
}

/// The confirmation with the counts; returns (keep open, next view).
fn confirm_ui(
    ctx: &egui::Context,
    plan: &mut BulkPlan,
    send_again: &mut bool,
    selection: &mut Vec<UserRecord>,
    (resend_minutes, refused_emails): (u32, usize),
    (session, services): (&Session, Option<&Services>),
    opening: bool,
) -> (bool, Option<BulkView>) {
    let mut keep = true;
    let mut next = None;
    let modal = egui::Modal::new(egui::Id::unique("verify_accounts")).show(ctx, |ui| {
        super::a11y::dialog_named(ui, &t!("toolbar-verify-accounts"));
        ui.set_max_width(460.0);
        ui.heading(t!("toolbar-verify-accounts"));
        let total = plan.counts.total();
        ui.label(t!("bulk-in-selection", users = users(total)));
        egui::Grid::new("bulk_counts")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                for (label, count) in plan.counts.lines(resend_minutes) {
                    ui.label(label);
                    ui.label(RichText::new(thousands(count)).strong());
                    ui.end_row();
                }
            });
        // Users skipped for want of an address, who have a General Email:
        // using it is the administrator's explicit choice.
        if plan.counts.email_only > 0 {
            ui.add_space(4.0);
            ui.label(t!("bulk-email-only", count = plan.counts.email_only));
            if ui
                .button(t!("bulk-use-email"))
                .on_hover_text(t!("bulk-use-email.hint"))
                .clicked()
            {
                next = Some(BulkView::use_general_emails(
                    ctx,
                    session,
                    std::mem::take(selection),
                ));
            }
        }
        if refused_emails > 0 {
            ui.label(
                RichText::new(t!("bulk-emails-refused", count = refused_emails)).color(ERROR_RED),
            );
        }
        if ui.checkbox(send_again, t!("bulk-send-again")).changed()
            && let Ok(replanned) = plan_verify_accounts(session, selection.iter(), *send_again)
        {
            *plan = replanned;
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let to_do = plan.counts.send + plan.counts.connect;
            // The button names what it will do: send, connect at once, or both.
            let label = match (plan.counts.send, plan.counts.connect) {
                (0, 0) => t!("bulk-nothing-to-do-button"),
                (0, connect) => t!("bulk-connect-button", count = connect),
                (send, 0) => t!("bulk-send-button", count = send),
                (send, connect) => t!(
                    "bulk-send-and-connect-button",
                    send = send,
                    connect = connect
                ),
            };
            let send = ui.add_enabled(to_do > 0, egui::Button::new(label));
            // Opening, the focus goes to what the dialog is for (Enter
            // presses it), or to Cancel when there is nothing to do.
            if opening && to_do > 0 {
                send.request_focus();
            }
            if send.clicked() {
                let repaint = ctx.clone();
                let request = BulkRequest {
                    register: session.location().clone(),
                    clock: session.clock.clone(),
                    actor: session.actor.clone(),
                    plan: std::mem::take(plan),
                    send_again_to_recent: *send_again,
                    follow: crate::app::bulk::Follow::UntilDelivered,
                    notify: Box::new(move || repaint.request_repaint()),
                    wake_worker: services
                        .map_or_else(|| Box::new(|| {}) as Box<dyn Fn() + Send>, Services::waker),
                    poll: Duration::from_millis(250),
                };
                next = Some(match start_bulk(request) {
                    Ok(job) => BulkView::Running(job),
                    Err(error) => BulkView::Results {
                        rows: Vec::new(),
                        error: Some(error.to_string()),
                        saved: SaveAs::default(),
                    },
                });
            }
            let cancel = ui.button(t!("cancel"));
            if opening && to_do == 0 {
                cancel.request_focus();
            }
            if cancel.clicked() {
                keep = false;
            }
        });
    });
    // Escape is Cancel: nothing was sent yet.
    if next.is_none() && modal.should_close() {
        keep = false;
    }
    (keep, next)
}

/// The progress window; returns the results view once the job has finished.
fn running_ui(ctx: &egui::Context, job: &BulkJob, opening: bool) -> Option<BulkView> {
    let progress = job.progress();
    egui::Window::new(t!("bulk-sending-title"))
        .id(egui::Id::unique("verify_accounts_sending_window"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            super::a11y::window_named(ui, &t!("bulk-sending-title"));
            let total = progress.planned.max(1);
            let done = progress.sent
                + progress.failed
                + progress.not_sent
                + progress.connected
                + progress.skipped_now;
            ui.add(
                egui::ProgressBar::new(done as f32 / total as f32)
                    .desired_width(360.0)
                    .show_percentage(),
            );
            if progress.not_sent > 0 {
                ui.label(t!(
                    "bulk-progress-not-sent",
                    sent = progress.sent,
                    failed = progress.failed,
                    not_sent = progress.not_sent,
                    remaining = progress.remaining()
                ));
            } else {
                ui.label(t!(
                    "bulk-progress",
                    sent = progress.sent,
                    failed = progress.failed,
                    remaining = progress.remaining()
                ));
            }
            if progress.connected > 0 {
                ui.label(t!("bulk-connected-at-once", count = progress.connected));
            }
            if progress.cancelled || job.is_cancelling() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(t!("bulk-cancelling"));
                });
            } else {
                let cancel = ui
                    .button(t!("cancel"))
                    .on_hover_text(t!("bulk-cancel-hint"));
                if opening {
                    cancel.request_focus();
                }
                if cancel.clicked() {
                    job.cancel();
                }
            }
            ctx.request_repaint_after(Duration::from_millis(250));
        });
    progress.finished.then(|| BulkView::Results {
        rows: job.results().unwrap_or_default(),
        error: progress.error.clone(),
        saved: SaveAs::default(),
    })
}

/// The result of one user, in the window's language.
fn outcome_text(outcome: BulkOutcome) -> String {
    match outcome {
        BulkOutcome::Sent => t!("outcome-sent"),
        BulkOutcome::Failed => t!("outcome-failed"),
        BulkOutcome::Waiting => t!("outcome-waiting"),
        BulkOutcome::ConnectedAtOnce => t!("outcome-connected"),
        BulkOutcome::Skipped => t!("outcome-skipped"),
        BulkOutcome::NotSent => t!("outcome-not-sent"),
    }
}

/// `verify-accounts-results-2026-11-22-1405.xlsx`, in the window's language.
fn results_file_name(now: jiff::Timestamp) -> String {
    t!("file-results-name", stamp = super::format::file_stamp(now))
}

fn results_ui(
    ui: &mut Ui,
    rows: &[BulkResultRow],
    error: Option<&str>,
    saved: &mut SaveAs,
    session: &Session,
    opening: bool,
) {
    if let Some(error) = error {
        ui.label(RichText::new(t!("bulk-stopped", error = error)).color(ERROR_RED));
    }
    let count = |outcome| rows.iter().filter(|r| r.outcome == outcome).count();
    ui.label(t!(
        "bulk-results-summary",
        sent = count(BulkOutcome::Sent),
        failed = count(BulkOutcome::Failed),
        connected = count(BulkOutcome::ConnectedAtOnce),
        skipped = count(BulkOutcome::Skipped),
        not_sent = count(BulkOutcome::NotSent),
        waiting = count(BulkOutcome::Waiting),
    ));
    let owned = rows.to_vec();
    let save = saved.ui(
        ui,
        &t!("bulk-save-xlsx"),
        &results_file_name(session.now()),
        ("Excel", &["xlsx"]),
        move |path| {
            save_results_xlsx(&owned, path).map_err(|e| t!("not-saved", error = e.to_string()))
        },
    );
    // Opening, the focus goes into the results, to their first button.
    if opening && let Some(save) = save {
        save.request_focus();
    }
    ui.separator();
    let titles = vec![
        t!("column-user-id"),
        t!("column-name"),
        t!("column-visma-email"),
        t!("column-result"),
        t!("column-details"),
    ];
    let borders = super::a11y::ColumnBorders::of(ui, "bulk_results", titles.clone());
    borders.pass_over(ui.ctx());
    let ctx = ui.ctx().clone();
    TableBuilder::new(ui)
        .id_salt("bulk_results")
        .striped(true)
        // A long Details (a path where the message was saved) is shown
        // whole when hovered, and its column can be widened.
        .resizable(true)
        .column(Column::initial(70.0))
        .column(Column::initial(150.0).clip(true))
        .column(Column::initial(200.0).clip(true))
        .column(Column::initial(110.0))
        .column(Column::remainder().clip(true))
        .header(20.0, |mut header| {
            for title in titles {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(20.0, rows.len(), |mut row| {
                let Some(result) = rows.get(row.index()) else {
                    return;
                };
                let words = crate::i18n::stored_words(&result.details);
                let details = if result.possible_duplicate {
                    t!("bulk-possible-duplicate", details = &words)
                } else {
                    words
                };
                for text in [
                    result.user_id.as_str(),
                    result.name.as_str(),
                    result.email.as_str(),
                    outcome_text(result.outcome).as_str(),
                    details.as_str(),
                ] {
                    row.col(|ui| {
                        ui.add(Label::new(text).truncate());
                    });
                }
            });
        });
    borders.after_table(&ctx);
}
