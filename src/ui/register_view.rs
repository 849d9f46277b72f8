//! The *Register* menu and its dialog: a new register file, another file,
//! a shared register on PostgreSQL (URL, user, password kept in the OS
//! keyring), and the registers used last.

use egui::{RichText, Ui};

use crate::app::{Location, remember_shared_password};

use super::file_chooser::{Chooser, FileFilter};
use super::format::ERROR_RED;

/// Register files.
const REGISTERS: FileFilter = ("HRM Users register", &["db"]);

/// The dialog behind one of the menu's entries.
pub enum RegisterDialog {
    /// *New register…*: a file that does not exist yet.
    New(Chooser, Option<String>),
    /// *Open file…*: an existing register file.
    Open(Chooser, Option<String>),
    /// *Connect to a shared register…*.
    Connect(ConnectForm),
}

/// The fields of *Connect to a shared register*.
pub struct ConnectForm {
    url: String,
    user: String,
    password: String,
    remember: bool,
    message: Option<String>,
}

impl Default for ConnectForm {
    fn default() -> Self {
        Self {
            url: "postgres://db.company.se/hrm?sslmode=verify-full".into(),
            user: String::new(),
            password: String::new(),
            remember: true,
            message: None,
        }
    }
}

/// A register to open, with a password to keep in the keyring first.
pub struct OpenRequest {
    /// The register.
    pub location: Location,
    /// The password of a shared register, to keep in the OS keyring.
    pub remember_password: Option<String>,
}

impl OpenRequest {
    /// Opens `location` as it is.
    pub fn plain(location: Location) -> Self {
        Self {
            location,
            remember_password: None,
        }
    }

    /// Keeps the password in the keyring (called on the opening thread: a
    /// keyring may answer slowly); when it cannot, the password is used for
    /// this session only. Returns the location to open and what to tell.
    pub fn prepare(self) -> (Location, Option<String>) {
        let (Location::Shared(shared), Some(password)) = (&self.location, &self.remember_password)
        else {
            return (self.location, None);
        };
        match remember_shared_password(shared, password) {
            Ok(()) => (self.location, None),
            Err(error) => (
                Location::Shared(shared.with_login("", Some(password))),
                Some(format!("{error}. {}", t!("connect-password-session-only"))),
            ),
        }
    }
}

/// What the dialog ended with.
pub enum RegisterChoice {
    /// Open this register (the window switches to it).
    Open(OpenRequest),
    /// Closed without a choice.
    Closed,
}

/// The *Register* menu's entries; returns the dialog to show, or a recent
/// register to open at once.
pub fn register_menu_ui(
    ui: &mut Ui,
    current: &Location,
    recent: &[Location],
) -> Option<RegisterMenuPick> {
    let mut pick = None;
    ui.menu_button(t!("register-menu"), |ui| {
        if ui.button(t!("register-new")).clicked() {
            pick = Some(RegisterMenuPick::Dialog(RegisterDialog::New(
                Chooser::default(),
                None,
            )));
        }
        if ui.button(t!("register-open")).clicked() {
            pick = Some(RegisterMenuPick::Dialog(RegisterDialog::Open(
                Chooser::default(),
                None,
            )));
        }
        if ui.button(t!("register-connect")).clicked() {
            pick = Some(RegisterMenuPick::Dialog(RegisterDialog::Connect(
                ConnectForm::default(),
            )));
        }
        let mut others = recent.iter().filter(|l| *l != current).peekable();
        if others.peek().is_some() {
            ui.separator();
            ui.label(RichText::new(t!("register-recent")).weak());
            for location in others {
                if ui.button(location.to_string()).clicked() {
                    pick = Some(RegisterMenuPick::Recent(location.clone()));
                }
            }
        }
    });
    pick
}

/// A choice in the menu.
pub enum RegisterMenuPick {
    /// Show this dialog.
    Dialog(RegisterDialog),
    /// Open this recent register.
    Recent(Location),
}

/// Draws the dialog; returns the choice once one is made.
pub fn register_dialog_ui(
    ctx: &egui::Context,
    dialog: &mut RegisterDialog,
) -> Option<RegisterChoice> {
    let title = match dialog {
        RegisterDialog::New(..) => t!("register-new-title"),
        RegisterDialog::Open(..) => t!("register-open-title"),
        RegisterDialog::Connect(_) => t!("register-connect-title"),
    };
    let mut choice = None;
    let mut open = true;
    egui::Window::new(title.as_str())
        .id(egui::Id::unique("register_window"))
        .title_bar(false)
        .collapsible(false)
        .resizable(false)
        // Wide enough for a whole URL or path.
        .min_width(520.0)
        .show(ctx, |ui| {
            super::a11y::window_title_ui(ui, &title, &mut open);
            choice = match dialog {
                RegisterDialog::New(chooser, message) => file_ui(ui, chooser, message, true),
                RegisterDialog::Open(chooser, message) => file_ui(ui, chooser, message, false),
                RegisterDialog::Connect(form) => connect_ui(ui, form),
            };
        });
    if !open {
        return Some(RegisterChoice::Closed);
    }
    choice
}

fn file_ui(
    ui: &mut Ui,
    chooser: &mut Chooser,
    message: &mut Option<String>,
    new: bool,
) -> Option<RegisterChoice> {
    ui.label(if new {
        t!("register-new-text")
    } else {
        t!("register-open-text")
    });
    chooser.ui(ui, new, if new { "register.db" } else { "" }, REGISTERS);
    if let Some(message) = message {
        ui.label(RichText::new(message.as_str()).color(ERROR_RED));
    }
    let mut choice = None;
    ui.horizontal(|ui| {
        let label = if new {
            t!("register-create")
        } else {
            t!("register-open-button")
        };
        if ui
            .add_enabled(chooser.chosen().is_some(), egui::Button::new(label))
            .clicked()
            && let Some(path) = chooser.chosen()
        {
            // The file's state is read when the button is pressed, not each frame.
            match (new, path.exists()) {
                (true, true) => {
                    *message = Some(t!("register-exists", path = path.display().to_string()));
                }
                (false, false) => {
                    *message = Some(t!("register-missing", path = path.display().to_string()));
                }
                _ => {
                    choice = Some(RegisterChoice::Open(OpenRequest::plain(Location::File(
                        path,
                    ))));
                }
            }
        }
        if ui.button(t!("cancel")).clicked() {
            choice = Some(RegisterChoice::Closed);
        }
    });
    choice
}

fn connect_ui(ui: &mut Ui, form: &mut ConnectForm) -> Option<RegisterChoice> {
    ui.label(t!("connect-text"));
    egui::Grid::new("connect_grid")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label(t!("connect-url"));
            ui.add(egui::TextEdit::singleline(&mut form.url).desired_width(380.0))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(t!("connect-user"));
            ui.add(
                egui::TextEdit::singleline(&mut form.user)
                    .hint_text(t!("connect-user-hint"))
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(t!("connect-password"));
            ui.add(
                egui::TextEdit::singleline(&mut form.password)
                    .password(true)
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
            ui.end_row();
        });
    ui.checkbox(&mut form.remember, t!("connect-remember"));
    ui.weak(t!("connect-password-note"));
    if let Some(message) = &form.message {
        ui.label(RichText::new(message.as_str()).color(ERROR_RED));
    }
    let mut choice = None;
    ui.horizontal(|ui| {
        if ui.button(t!("connect-button")).clicked() {
            choice = connect(form);
        }
        if ui.button(t!("cancel")).clicked() {
            choice = Some(RegisterChoice::Closed);
        }
    });
    choice
}

/// The register the form describes; a password to remember goes to the
/// keyring on the opening thread, one not to remember stays in memory.
fn connect(form: &mut ConnectForm) -> Option<RegisterChoice> {
    let Location::Shared(shared) = Location::parse(&form.url) else {
        form.message = Some(t!("connect-bad-url"));
        return None;
    };
    let password = Some(std::mem::take(&mut form.password)).filter(|p| !p.is_empty());
    let shared = shared.with_login(&form.user, None);
    let request = match password {
        Some(password) if form.remember => OpenRequest {
            location: Location::Shared(shared),
            remember_password: Some(password),
        },
        Some(password) => {
            OpenRequest::plain(Location::Shared(shared.with_login("", Some(&password))))
        }
        None => OpenRequest::plain(Location::Shared(shared)),
    };
    Some(RegisterChoice::Open(request))
}
