//! A file's path, chosen with the system's dialog (run off the UI thread) or
//! typed where no dialog can be shown.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use super::format::ERROR_RED;
use super::tasks::Task;

/// A filter for the dialog: its name and the file endings it shows.
pub type FileFilter = (&'static str, &'static [&'static str]);

/// A path typed or picked with the system's dialog.
#[derive(Default)]
pub struct Chooser {
    path: String,
    dialog: Option<(Task<Option<PathBuf>>, Instant)>,
    message: Option<String>,
}

impl Chooser {
    /// A chooser offering `path` to begin with.
    pub fn at(path: String) -> Self {
        Self {
            path,
            dialog: None,
            message: None,
        }
    }

    /// Draws the path field and `Browse…`; a dialog that could not be shown
    /// is said, and the path can be typed. True when Enter was pressed in
    /// the field (the window then goes on as its button would).
    pub fn ui(&mut self, ui: &mut Ui, save: bool, default_name: &str, filter: FileFilter) -> bool {
        let mut entered = false;
        ui.horizontal(|ui| {
            let label = ui.label(t!("chooser-file"));
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.path).desired_width(380.0))
                .labelled_by(label.id);
            entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui
                .add_enabled(
                    self.dialog.is_none(),
                    egui::Button::new(t!("chooser-browse")),
                )
                .clicked()
            {
                let default_name = default_name.to_owned();
                let task = Task::spawn(ui.ctx(), "file-dialog", move |_| {
                    let dialog = rfd::AsyncFileDialog::new()
                        .add_filter(filter.0, filter.1)
                        .set_file_name(default_name);
                    let picked = if save {
                        pollster::block_on(dialog.save_file())
                    } else {
                        pollster::block_on(dialog.pick_file())
                    };
                    Ok(picked.map(|f| f.path().to_path_buf()))
                });
                self.dialog = Some((task, Instant::now()));
            }
        });
        if let Some((task, started)) = self.dialog.take() {
            match task.try_take() {
                Ok(Ok(Some(path))) => {
                    self.path = path.display().to_string();
                    self.message = None;
                }
                Ok(Ok(None)) if started.elapsed() < Duration::from_millis(400) => {
                    self.message = Some(t!("chooser-no-portal"));
                }
                Ok(Ok(None)) => self.message = None,
                Ok(Err(error)) => {
                    self.message = Some(t!("chooser-no-dialog", error = error));
                }
                Err(task) => {
                    ui.weak(t!("chooser-waiting"));
                    self.dialog = Some((task, started));
                }
            }
        }
        if let Some(message) = &self.message {
            ui.label(RichText::new(message).color(ERROR_RED));
        }
        entered
    }

    /// The field again with `path` in it and why that file was refused, so
    /// the person can fix the path or the file and try again.
    pub fn refused(path: &std::path::Path, why: String) -> Self {
        Self {
            path: path.display().to_string(),
            dialog: None,
            message: Some(why),
        }
    }

    /// The path chosen or typed, if any.
    pub fn chosen(&self) -> Option<PathBuf> {
        let path = self.path.trim();
        (!path.is_empty()).then(|| PathBuf::from(path))
    }
}

/// A button that saves a file where the person chooses: it opens the path
/// field (with the system's dialog behind `Browse…`), then writes on a
/// thread and says where the file went, or why not.
#[derive(Default)]
pub struct SaveAs {
    chooser: Option<Chooser>,
    outcome: Option<Task<String>>,
}

/// Files of a kind saved under the person's Documents folder by default
/// (their home folder where there is none).
pub fn in_documents(name: &str) -> String {
    directories::UserDirs::new()
        .map_or_else(std::env::temp_dir, |dirs| {
            dirs.document_dir()
                .unwrap_or_else(|| dirs.home_dir())
                .to_path_buf()
        })
        .join(name)
        .display()
        .to_string()
}

impl SaveAs {
    /// Draws the button (or the path field while choosing) and the outcome;
    /// returns the button when it is drawn. `write` runs on a thread with
    /// the chosen path.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        button: &str,
        default_name: &str,
        filter: FileFilter,
        write: impl FnOnce(&std::path::Path) -> Result<(), String> + Send + 'static,
    ) -> Option<egui::Response> {
        let Some(chooser) = &mut self.chooser else {
            let row = ui.horizontal(|ui| {
                let save = ui.button(button);
                if save.clicked() {
                    self.chooser = Some(Chooser {
                        path: in_documents(default_name),
                        dialog: None,
                        message: None,
                    });
                }
                super::tasks::pending_outcome_ui(ui, self.outcome.as_ref());
                save
            });
            return Some(row.inner);
        };
        chooser.ui(ui, true, default_name, filter);
        let chosen = chooser.chosen();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(chosen.is_some(), egui::Button::new(t!("save-as-save-file")))
                .clicked()
                && let Some(path) = chosen
            {
                self.chooser = None;
                self.outcome = Some(Task::spawn(ui.ctx(), "save-as", move |_| {
                    write(&path).map(|()| t!("save-as-saved", path = path.display().to_string()))
                }));
            }
            if ui.button(t!("cancel")).clicked() {
                self.chooser = None;
            }
        });
        None
    }
}
