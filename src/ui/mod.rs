//! The window: egui views over the use cases in `app`. Views own widget state
//! only; long work runs off the UI thread.

mod background;
mod bulk_view;
mod format;
mod icons;
mod settings_view;
mod sheet_view;
mod user_form;
mod user_table;
mod users_view;

use std::path::PathBuf;

use poll_promise::Promise;

pub use user_form::NOT_CONNECTED_WARNING;
pub use users_view::UsersView;

use crate::app::{self, OpenedRegister};

/// The program's window: opening the register, then the Users view.
pub struct HrmApp {
    state: State,
}

enum State {
    /// The register is being opened on a background thread.
    Opening(Promise<Result<OpenedRegister, String>>),
    /// It could not be opened; the message says why and what to do.
    Failed(String),
    /// The Users view.
    Ready(Box<UsersView>),
}

impl HrmApp {
    /// Opens the register at `db` (or the default one) on a background thread.
    pub fn opening(db: Option<PathBuf>, ctx: &egui::Context) -> Self {
        let ctx = ctx.clone();
        let (sender, promise) = Promise::new();
        let spawned = std::thread::Builder::new()
            .name("open-register".into())
            .spawn(move || {
                let result = app::open_register(db.as_deref()).map_err(|e| e.to_string());
                sender.send(result);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => Self {
                state: State::Opening(promise),
            },
            Err(error) => Self {
                state: State::Failed(format!("Could not start opening the register: {error}")),
            },
        }
    }

    /// The window over a register that is already open (tests, benchmarks).
    pub fn ready(opened: OpenedRegister) -> Self {
        Self {
            state: State::Ready(Box::new(UsersView::new(opened))),
        }
    }

    /// The Users view, once the register is open.
    pub fn users_view(&self) -> Option<&UsersView> {
        match &self.state {
            State::Ready(view) => Some(view),
            _ => None,
        }
    }

    /// Draws the window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if let State::Opening(promise) = &mut self.state
            && let Some(result) = promise.ready_mut()
        {
            {
                let result = std::mem::replace(result, Err(String::new()));
                self.state = match result {
                    Ok(opened) => State::Ready(Box::new(UsersView::with_services(opened))),
                    Err(message) => State::Failed(message),
                };
            }
        }
        match &mut self.state {
            State::Opening(_) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.vertical_centered(|ui| {
                        ui.add_space(80.0);
                        ui.spinner();
                        ui.label("Opening the register…");
                    });
                });
            }
            State::Failed(message) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.add_space(40.0);
                    ui.heading("The register could not be opened");
                    ui.label(message.as_str());
                    ui.add_space(8.0);
                    ui.label("Close the program, correct this, and start it again. Start it with --db PATH to open another register.");
                });
            }
            State::Ready(view) => view.ui(ui),
        }
    }
}

impl eframe::App for HrmApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        HrmApp::ui(self, ui);
    }
}

/// Opens the window and runs until it is closed.
pub fn run_window(db: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("HRM Users")
            .with_app_id("hrm-users")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 560.0]),
        ..eframe::NativeOptions::default()
    };
    eframe::run_native(
        "HRM Users",
        options,
        Box::new(move |cc| Ok(Box::new(HrmApp::opening(db, &cc.egui_ctx)))),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}
