//! Work the window hands to a thread: a file read or written, a register
//! opened anew, a message to the mail server. One way for every view, so a
//! frame never waits on any of them: a [`Task`] holds the result once it is
//! there and, for long jobs, their [`Progress`] (stage, rows, the request to
//! stop). A thread that cannot start, or work that panics, becomes an error
//! the view shows like any other.

use std::sync::Arc;
use std::time::Duration;

use poll_promise::Promise;

use crate::app::progress::{Progress, Stage};

/// Work running on a thread of its own, as the window sees it.
pub struct Task<T: Send + 'static> {
    promise: Promise<Result<T, String>>,
    progress: Arc<Progress>,
}

impl<T: Send + 'static> Task<T> {
    /// Runs `work` on a thread named `name`; the window is repainted when it
    /// is done. `work` reports its progress to, and reads a request to stop
    /// from, the [`Progress`] it is given.
    pub fn spawn(
        ctx: &egui::Context,
        name: &str,
        work: impl FnOnce(&Progress) -> Result<T, String> + Send + 'static,
    ) -> Self {
        let progress = Arc::new(Progress::default());
        let job = Arc::clone(&progress);
        let ctx = ctx.clone();
        let (sender, promise) = Promise::new();
        let task = name.to_owned();
        let spawned = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&job)))
                    .unwrap_or_else(|_| Err(t!("task-failed", task = task)));
                sender.send(result);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => Self { promise, progress },
            Err(error) => {
                tracing::error!("could not start {name}: {error}");
                Self::ready(Err(t!(
                    "task-not-started",
                    task = name,
                    error = error.to_string()
                )))
            }
        }
    }

    /// A task that is done already (work that needed no thread).
    pub fn ready(result: Result<T, String>) -> Self {
        Self {
            promise: Promise::from_ready(result),
            progress: Arc::default(),
        }
    }

    /// The result, once the work is done.
    pub fn result(&self) -> Option<&Result<T, String>> {
        self.promise.ready()
    }

    /// The result by value once the work is done, else the task back.
    pub fn try_take(self) -> Result<Result<T, String>, Self> {
        let Self { promise, progress } = self;
        promise
            .try_take()
            .map_err(|promise| Self { promise, progress })
    }

    /// The result by value once the work is done, for a view that moves
    /// on from the task when it has it; the task is spent after that (it
    /// holds an empty error).
    pub fn take_result(&mut self) -> Option<Result<T, String>> {
        self.promise
            .ready_mut()
            .map(|result| std::mem::replace(result, Err(String::new())))
    }

    /// How far the work is.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// Asks the work to stop (it stops at its next row).
    pub fn cancel(&self) {
        self.progress.cancel();
    }
}

/// A long job's progress bar: its stage, rows done of rows in all (an
/// animated bar while the total is not known yet).
pub fn progress_ui(ui: &mut egui::Ui, progress: &Progress) {
    let (stage, done, total) = progress.now();
    let bar = if stage == Stage::Saving {
        egui::ProgressBar::new(1.0)
            .animate(true)
            .text(stage.label())
    } else if total == 0 {
        egui::ProgressBar::new(0.0).animate(true).text(t!(
            "sheet-rows-so-far",
            stage = stage.label(),
            done = done
        ))
    } else {
        #[allow(clippy::cast_precision_loss)] // a bar's fraction needs no more
        let fraction = done as f32 / total as f32;
        egui::ProgressBar::new(fraction).text(t!(
            "sheet-rows-of",
            stage = stage.label(),
            done = done,
            total = total
        ))
    };
    ui.add(bar.desired_width(420.0));
    ui.ctx().request_repaint_after(Duration::from_millis(100));
}

/// A save that may still be running: a spinner, then green or red words.
pub fn pending_outcome_ui(ui: &mut egui::Ui, outcome: Option<&Task<String>>) {
    match outcome.map(Task::result) {
        Some(None) => {
            ui.spinner();
        }
        Some(Some(result)) => super::format::outcome_label_ui(ui, Some(result)),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_for<T: Send + 'static>(mut task: Task<T>) -> Result<T, String> {
        loop {
            match task.try_take() {
                Ok(result) => return result,
                Err(back) => {
                    std::thread::sleep(Duration::from_millis(5));
                    task = back;
                }
            }
        }
    }

    #[test]
    fn work_that_panics_becomes_an_error_to_show() {
        let ctx = egui::Context::default();
        let task = Task::spawn(&ctx, "test-work", |_| -> Result<(), String> {
            #[allow(clippy::panic)]
            {
                panic!("a bug")
            }
        });
        assert!(wait_for(task).unwrap_err().contains("test-work"));
    }

    #[test]
    fn work_sees_the_request_to_stop() {
        let ctx = egui::Context::default();
        let (started, wait) = std::sync::mpsc::channel();
        let task = Task::spawn(&ctx, "test-stop", move |progress| {
            let _ = started.send(());
            while progress.advance(1) {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err::<(), _>("stopped".to_owned())
        });
        wait.recv().unwrap();
        task.cancel();
        assert!(task.progress().is_cancelled());
        assert_eq!(wait_for(task), Err("stopped".to_owned()));
    }
}
