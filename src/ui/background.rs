//! Work the window hands to a thread: file writes and the like, so a frame
//! never waits on a file.

use poll_promise::Promise;

/// Runs `work` on a named thread; the window is repainted when it is done.
pub fn spawn<T: Send + 'static>(
    ctx: &egui::Context,
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Promise<T> {
    let ctx = ctx.clone();
    let (sender, promise) = Promise::new();
    let spawned = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            sender.send(work());
            ctx.request_repaint();
        });
    if let Err(error) = spawned {
        tracing::error!("could not start {name}: {error}");
    }
    promise
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
