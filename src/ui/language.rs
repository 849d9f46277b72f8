//! The window's language: the OS's, or the one this OS user chose in
//! Settings (remembered with the window, like the theme).

use crate::i18n::{self, Language};

fn choice_id() -> egui::Id {
    egui::Id::unique("hrm-users-window-language")
}

/// The language chosen in Settings; `None` follows the OS.
pub fn chosen(ctx: &egui::Context) -> Option<Language> {
    ctx.data_mut(|d| d.get_persisted::<String>(choice_id()))
        .and_then(|code| Language::from_code(&code))
}

/// Chooses the window's language (`None`: follow the OS), applies it at
/// once and remembers it.
pub fn choose(ctx: &egui::Context, language: Option<Language>) {
    let code = language.map_or_else(String::new, |l| l.code().to_owned());
    ctx.data_mut(|d| d.insert_persisted(choice_id(), code));
    apply(ctx);
}

/// Sets the window's language from the remembered choice, IT's preset, or
/// the OS's.
pub fn apply(ctx: &egui::Context) {
    // The person's choice, else IT's preset for this computer, else the OS's.
    let preset = crate::domain::presets::machine().and_then(|p| p.language);
    i18n::set_window_language(chosen(ctx).or(preset).unwrap_or_else(Language::of_system));
    ctx.request_repaint();
}
