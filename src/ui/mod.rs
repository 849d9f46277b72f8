//! The window: egui views over the use cases in `app`. Views own widget state
//! only; long work runs off the UI thread.

mod a11y;
mod about_view;
mod account_code_tab;
mod authorisations_tab;
mod bulk_view;
mod conflict_dialog;
mod file_chooser;
mod format;
mod icons;
mod language;
mod register_view;
mod roles_view;
mod settings_view;
mod sheet_view;
mod tasks;
mod user_form;
mod user_table;
mod users_view;

use crate::app::Location;

pub use user_form::{not_connected_warning, smtputf8_warning};
pub use users_view::UsersView;

use register_view::{OpenRequest, RegisterChoice, RegisterDialog};

use crate::app::services::{Services, StartEndpoint};
use crate::app::{self, OpenedRegister};

/// The program's window: opening the register, then the Users view.
pub struct HrmApp {
    state: State,
    /// How the endpoint starts when the view runs the outbox worker and
    /// endpoint beside it; `None` in tests without them.
    with_services: Option<StartEndpoint>,
}

/// An opened register, the services started beside it, this OS user's
/// recent registers, and what to say in the status bar once it shows.
type Opened = (
    OpenedRegister,
    Option<Box<Services>>,
    Vec<Location>,
    Option<String>,
);

enum State {
    /// The register is being opened on a background thread (with this OS
    /// user's recent registers, read there too).
    Opening(Box<tasks::Task<Opened>>),
    /// It could not be opened; the message says why and what to do, and the
    /// Register menu's dialogs offer another.
    Failed(String, Option<RegisterDialog>),
    /// The Users view.
    Ready(Box<UsersView>),
}

/// Opens `db` on a background thread: the given register, else (with
/// `remember`) the one this OS user used last if it is still there, else the
/// default file. With `remember`, a register that opens is remembered as the
/// last used, and the recent ones are read for the Register menu. With
/// `services`, the outbox worker and the endpoint start there too, so no
/// frame waits for their connection.
fn open_in_background(
    db: Option<OpenRequest>,
    remember: bool,
    services: Option<StartEndpoint>,
    ctx: &egui::Context,
) -> State {
    State::Opening(Box::new(tasks::Task::spawn(
        ctx,
        "open-register",
        move |_| {
            let recent = if remember {
                app::paths::recent_registers()
            } else {
                Vec::new()
            };
            // A remembered file that was moved or deleted is not made anew.
            let last = recent
                .iter()
                .find(|l| l.file().is_none_or(std::path::Path::is_file))
                .cloned();
            let (db, warning) = match db.map(OpenRequest::prepare) {
                Some((location, warning)) => (Some(location), warning),
                None => (last, None),
            };
            let result = app::open_register(db.as_ref()).map_err(|e| e.to_string());
            if remember
                && let Ok(opened) = &result
                && let Err(error) = app::paths::remember_register(opened.session.location())
            {
                tracing::warn!("the register could not be remembered as the last used: {error}");
            }
            result.map(|opened| {
                let services =
                    services.map(|start| Box::new(Services::start_for_window(&opened, start)));
                (opened, services, recent, warning)
            })
        },
    )))
}

impl HrmApp {
    /// Opens the register at `db` (or the last used, or the default one) on
    /// a background thread.
    /// The outbox worker and `start_endpoint`'s endpoint run beside the view.
    pub fn opening(
        db: Option<Location>,
        ctx: &egui::Context,
        start_endpoint: StartEndpoint,
    ) -> Self {
        Self {
            state: open_in_background(db.map(OpenRequest::plain), true, Some(start_endpoint), ctx),
            with_services: Some(start_endpoint),
        }
    }

    /// The window over a register that is already open (tests, benchmarks).
    pub fn ready(opened: OpenedRegister) -> Self {
        Self {
            state: State::Ready(Box::new(UsersView::new(opened))),
            with_services: None,
        }
    }

    /// The window over a register that is already open, with the outbox
    /// worker and endpoint running beside it as in the program (tests).
    pub fn ready_with_services(opened: OpenedRegister, start_endpoint: StartEndpoint) -> Self {
        Self {
            state: State::Ready(Box::new({
                let services = Services::start_for_window(&opened, start_endpoint);
                UsersView::with_services(opened, services)
            })),
            with_services: Some(start_endpoint),
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
        a11y::window_title(ui.ctx(), "HRM Users");
        if let State::Opening(task) = &mut self.state
            && let Some(result) = task.take_result()
        {
            self.state = match result {
                Ok((opened, services, recent, warning)) => {
                    let mut view = match services {
                        Some(services) => UsersView::with_services(opened, *services),
                        None => UsersView::new(opened),
                    };
                    view.set_recent(recent);
                    if let Some(text) = warning {
                        view.say(text, true);
                    }
                    State::Ready(Box::new(view))
                }
                Err(message) => State::Failed(message, None),
            };
        }
        let mut switch = None;
        match &mut self.state {
            State::Opening(_) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.vertical_centered(|ui| {
                        ui.add_space(80.0);
                        ui.spinner();
                        ui.label(t!("open-opening"));
                    });
                });
            }
            State::Failed(message, dialog) => {
                switch = failed_ui(ui, message, dialog);
            }
            State::Ready(view) => {
                view.ui(ui);
                switch = view.take_switch();
            }
        }
        if let Some(request) = switch {
            let opening = open_in_background(
                Some(request),
                self.with_services.is_some(),
                self.with_services,
                ui.ctx(),
            );
            let old = std::mem::replace(&mut self.state, opening);
            // Dropping the old view stops its worker (which gives its lease
            // up in the register) and its endpoint: on a thread of its own,
            // not in this frame. (Should the thread not start, the closure
            // and the view with it are dropped here.)
            let _ = std::thread::Builder::new()
                .name("close-register".into())
                .spawn(move || drop(old));
        }
    }
}

/// The screen of a register that could not be opened, with the Register
/// menu's ways to open another; returns the one chosen.
fn failed_ui(
    ui: &mut egui::Ui,
    message: &str,
    dialog: &mut Option<RegisterDialog>,
) -> Option<OpenRequest> {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.add_space(40.0);
        ui.heading(t!("open-failed"));
        ui.label(message);
        ui.add_space(8.0);
        ui.label(t!("open-failed-next"));
        ui.horizontal(|ui| {
            if ui.button(t!("register-new")).clicked() {
                *dialog = Some(RegisterDialog::New(file_chooser::Chooser::default(), None));
            }
            if ui.button(t!("register-open")).clicked() {
                *dialog = Some(RegisterDialog::Open(file_chooser::Chooser::default(), None));
            }
            if ui.button(t!("register-connect")).clicked() {
                *dialog = Some(RegisterDialog::Connect(
                    register_view::ConnectForm::default(),
                ));
            }
        });
    });
    let choice = dialog
        .as_mut()
        .and_then(|d| register_view::register_dialog_ui(ui.ctx(), d));
    match choice {
        Some(RegisterChoice::Open(request)) => Some(request),
        Some(RegisterChoice::Closed) => {
            *dialog = None;
            None
        }
        None => None,
    }
}

impl eframe::App for HrmApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        HrmApp::ui(self, ui);
    }
}

/// A way to draw the window, tried in order until one starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Graphics {
    /// wgpu with its usual backends (Vulkan, Metal or DirectX 12; then OpenGL).
    Wgpu,
    /// wgpu on OpenGL only.
    WgpuGl,
    /// The glow renderer (OpenGL without wgpu).
    Glow,
}

impl Graphics {
    /// The order to try: `WGPU_BACKEND` set means wgpu with that backend only.
    fn attempts() -> &'static [Graphics] {
        if std::env::var_os("WGPU_BACKEND").is_some() {
            &[Graphics::Wgpu]
        } else {
            &[Graphics::Wgpu, Graphics::WgpuGl, Graphics::Glow]
        }
    }

    fn name(self) -> &'static str {
        match self {
            Graphics::Wgpu => "wgpu",
            Graphics::WgpuGl => "wgpu on OpenGL",
            Graphics::Glow => "glow (OpenGL)",
        }
    }

    fn options(self) -> eframe::NativeOptions {
        let icon = eframe::icon_data::from_png_bytes(include_bytes!(
            "../../assets/icon/hrm-users-256.png"
        ))
        .ok();
        let mut viewport = egui::ViewportBuilder::default()
            .with_title("HRM Users")
            .with_app_id("hrm-users")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([900.0, 560.0]);
        if let Some(icon) = icon {
            viewport = viewport.with_icon(icon);
        }
        let mut options = eframe::NativeOptions {
            viewport,
            // Returning (instead of exiting) lets a failed start try the next way.
            run_and_return: true,
            ..eframe::NativeOptions::default()
        };
        match self {
            Graphics::Wgpu => options.renderer = eframe::Renderer::Wgpu,
            Graphics::WgpuGl => {
                options.renderer = eframe::Renderer::Wgpu;
                if let eframe::egui_wgpu::WgpuSetup::CreateNew(setup) =
                    &mut options.wgpu_options.wgpu_setup
                {
                    setup.instance_descriptor.backends = eframe::wgpu::Backends::GL;
                }
            }
            Graphics::Glow => options.renderer = eframe::Renderer::Glow,
        }
        options
    }
}

/// What the window was drawn with, for the log and the About window.
fn describe_graphics(graphics: Graphics, cc: &eframe::CreationContext<'_>) -> String {
    match &cc.wgpu_render_state {
        Some(state) => {
            let info = state.adapter.get_info();
            format!("wgpu, {:?} on {}", info.backend, info.name)
        }
        None => graphics.name().to_owned(),
    }
}

/// Opens the window and runs until it is closed. If a way of drawing fails
/// to start (no GPU driver, a virtual machine), the next is tried: wgpu's
/// backends, wgpu on OpenGL, then the glow renderer. `WGPU_BACKEND` forces one.
pub fn run_window(db: Option<&Location>, start_endpoint: StartEndpoint) -> anyhow::Result<()> {
    let mut failures = Vec::new();
    // Set once a window has started: an error after that is not a failed
    // start, and must not open the window a second time.
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for &graphics in Graphics::attempts() {
        let db = db.cloned();
        let window_started = std::sync::Arc::clone(&started);
        let result = eframe::run_native(
            "HRM Users",
            graphics.options(),
            Box::new(move |cc| {
                window_started.store(true, std::sync::atomic::Ordering::Relaxed);
                let description = describe_graphics(graphics, cc);
                tracing::info!("the window is drawn with {description}");
                about_view::set_graphics(description);
                // Light, as Flex HRM is, unless the OS says dark (or the
                // person chose otherwise in Settings, which is remembered).
                cc.egui_ctx
                    .options_mut(|o| o.fallback_theme = egui::Theme::Light);
                // The OS's language, or the one chosen in Settings.
                language::apply(&cc.egui_ctx);
                Ok(Box::new(HrmApp::opening(db, &cc.egui_ctx, start_endpoint)))
            }),
        );
        match result {
            Ok(()) => return Ok(()),
            Err(error) if started.load(std::sync::atomic::Ordering::Relaxed) => {
                return Err(anyhow::anyhow!("the window stopped: {error}"));
            }
            Err(error) => {
                tracing::warn!(
                    "the window could not start with {}: {error}",
                    graphics.name()
                );
                failures.push(format!("{}: {error}", graphics.name()));
            }
        }
    }
    Err(anyhow::anyhow!(
        "the window could not be opened ({}). On a computer without a working graphics driver, try WGPU_BACKEND=gl or install Mesa's drivers.",
        failures.join("; ")
    ))
}
