//! Work the window hands to a thread: file writes and the like, so a frame
//! never waits on a file.

use poll_promise::Promise;

/// Runs `work` on a named thread; the window is repainted when it is done.
///
/// The promise always gets a value: when the thread cannot start, or the
/// work panics, it holds an error the view shows (a promise whose sender
/// is gone would panic when polled).
pub fn spawn<T: Send + 'static>(
    ctx: &egui::Context,
    name: &str,
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Promise<Result<T, String>> {
    let ctx = ctx.clone();
    let (sender, promise) = Promise::new();
    let task = name.to_owned();
    let spawned = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
                .unwrap_or_else(|_| Err(format!("The work ({task}) failed unexpectedly.")));
            sender.send(result);
            ctx.request_repaint();
        });
    match spawned {
        Ok(_) => promise,
        Err(error) => {
            tracing::error!("could not start {name}: {error}");
            Promise::from_ready(Err(format!(
                "The work ({name}) could not be started: {error}"
            )))
        }
    }
}

/// A save that may still be running: a spinner, then green or red words.
pub fn pending_outcome_ui(ui: &mut egui::Ui, outcome: Option<&Promise<Result<String, String>>>) {
    match outcome.map(Promise::ready) {
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

    #[test]
    fn work_that_panics_becomes_an_error_to_show() {
        let ctx = egui::Context::default();
        let promise = spawn(&ctx, "test-work", || -> Result<(), String> {
            #[allow(clippy::panic)]
            {
                panic!("a bug")
            }
        });
        let result = promise.block_and_take();
        assert!(result.unwrap_err().contains("failed unexpectedly"));
    }
}
