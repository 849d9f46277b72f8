//! The About window: version, licence, and where this program keeps its
//! register, settings, backups, outbox and logs on this computer.

use std::path::Path;
use std::sync::OnceLock;

use egui::Ui;

use crate::app::Session;

/// Which graphics backend the window runs on, once it has started.
static GRAPHICS: OnceLock<String> = OnceLock::new();

/// Records the graphics backend the window started on (shown in About).
pub fn set_graphics(description: String) {
    let _ = GRAPHICS.set(description);
}

/// What the About window shows; gathered when it opens.
pub struct AboutView {
    register: String,
    backups: String,
    /// The folder outbox, from the settings: read at once from a register
    /// file, off the UI thread (on a session of its own) from a shared one.
    outbox: super::tasks::Task<String>,
    logs: String,
}

/// The folder outbox as About says it, or why the settings could not be read.
fn outbox_text(session: &Session) -> String {
    match session.load_settings() {
        Ok(settings) => session.outbox_folder(&settings).display().to_string(),
        Err(error) => t!("about-settings-unreadable", error = error.to_string()),
    }
}

/// Where the OS keeps the SMTP password, in the window's language.
fn keyring_name() -> String {
    if cfg!(target_os = "windows") {
        t!("about-keyring-windows")
    } else if cfg!(target_os = "macos") {
        t!("about-keyring-macos")
    } else {
        t!("about-keyring-linux")
    }
}

impl AboutView {
    /// Gathers the paths for the register open in `session`.
    pub fn open(ctx: &egui::Context, session: &Session) -> Self {
        let location = session.location();
        let register_path = crate::app::paths::folder_anchor(location);
        let folder = register_path.parent().unwrap_or(Path::new("."));
        let outbox = if location.is_shared() {
            let reopen = session.reopener();
            super::tasks::Task::spawn(ctx, "about-outbox", move |_| {
                let session = reopen().map_err(|e| e.to_string())?;
                Ok(outbox_text(&session))
            })
        } else {
            super::tasks::Task::ready(Ok(outbox_text(session)))
        };
        Self {
            register: location.to_string(),
            backups: if location.is_shared() {
                t!("about-backups-shared")
            } else {
                t!(
                    "about-backups-file",
                    folder = folder.display().to_string(),
                    count = crate::app::import::BACKUPS_KEPT
                )
            },
            outbox,
            logs: crate::app::paths::log_dir().display().to_string(),
        }
    }

    /// Draws the window; `open` becomes false when it is closed.
    pub fn window_ui(&self, ctx: &egui::Context, open: &mut bool) {
        egui::Window::new(t!("about-title"))
            .id(egui::Id::unique("about_window"))
            .title_bar(false)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                super::a11y::window_title_ui(ui, &t!("about-title"), open);
                ui.heading("HRM Users");
                ui.label(t!("about-version", version = env!("CARGO_PKG_VERSION")));
                ui.label(t!("about-what"));
                ui.label(t!("about-licence", licence = env!("CARGO_PKG_LICENSE")));
                ui.add_space(8.0);
                egui::Grid::new("about_paths")
                    .num_columns(2)
                    .spacing([12.0, 6.0])
                    .show(ui, |ui| {
                        path_row_ui(ui, &t!("about-register"), &self.register);
                        path_row_ui(ui, &t!("about-backups"), &self.backups);
                        path_row_ui(ui, &t!("about-outbox"), &self.outbox_text());
                        path_row_ui(ui, &t!("about-logs"), &self.logs);
                        path_row_ui(ui, &t!("about-smtp-password"), &keyring_name());
                        path_row_ui(
                            ui,
                            &t!("about-graphics"),
                            GRAPHICS.get().map_or("-", String::as_str),
                        );
                    });
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui
                        .button(t!("about-copy"))
                        .on_hover_text(t!("about-copy.hint"))
                        .clicked()
                    {
                        ui.ctx().copy_text(self.details());
                    }
                });
            });
    }

    /// The folder outbox, while it is read: *Loading…*.
    fn outbox_text(&self) -> String {
        match self.outbox.result() {
            Some(Ok(outbox)) => outbox.clone(),
            Some(Err(error)) => t!("about-settings-unreadable", error = error.as_str()),
            None => t!("form-loading"),
        }
    }

    /// The window's text, for a support request.
    fn details(&self) -> String {
        format!(
            "HRM Users {}\nRegister: {}\nBackups: {}\nFolder outbox: {}\nLogs: {}\nGraphics: {}\nOS: {} {}",
            env!("CARGO_PKG_VERSION"),
            self.register,
            self.backups,
            self.outbox_text(),
            self.logs,
            GRAPHICS.get().map_or("not started", String::as_str),
            std::env::consts::OS,
            std::env::consts::ARCH,
        )
    }
}

fn path_row_ui(ui: &mut Ui, label: &str, value: &str) {
    ui.strong(label);
    ui.add(egui::Label::new(value).selectable(true));
    ui.end_row();
}
