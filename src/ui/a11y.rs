//! What a screen reader is told beyond each widget's own role and name:
//! that a modal or window is a dialog, and its title; the drag handles egui
//! draws, named in the window's language; and where the focus goes when a
//! question opens and closes.

use egui::accesskit;

/// Tells a screen reader that the content `ui` of a modal is a dialog
/// named `title` ("Verify accounts, dialog") that holds the window until it
/// is answered: its controls are read as inside it.
pub fn dialog_named(ui: &egui::Ui, title: &str) {
    named(ui, title, true);
}

/// Tells a screen reader that the content `ui` of a window beside the list
/// (Settings, Roles, Import…) is a dialog named `title`.
pub fn window_named(ui: &egui::Ui, title: &str) {
    named(ui, title, false);
}

/// Names the eight drag handles on the edges and corners of every window
/// drawn this frame in the window's language (egui names them in English:
/// "Resize window right edge"). Called once the windows are drawn, as egui
/// names them after their contents.
pub fn window_edges_named(ctx: &egui::Context) {
    let layers: Vec<egui::LayerId> = ctx.memory(|m| m.layer_ids().collect());
    for layer in layers {
        if layer.order == egui::Order::Middle {
            edges_named(ctx, layer);
        }
    }
}

fn edges_named(ctx: &egui::Context, layer: egui::LayerId) {
    // egui names the handles after the window's layer.
    let edges = egui::Id::unique(layer).with("edge_drag");
    let sides = ["right", "left", "bottom", "top"];
    let corners = ["right_bottom", "right_top", "left_bottom", "left_top"];
    if !sides
        .iter()
        .chain(&corners)
        .any(|side| ctx.has_accesskit_node(edges.with(side)))
    {
        return;
    }
    for (side, name) in [
        ("right", t!("window-edge-right")),
        ("left", t!("window-edge-left")),
        ("bottom", t!("window-edge-bottom")),
        ("top", t!("window-edge-top")),
        ("right_bottom", t!("window-corner-bottom-right")),
        ("right_top", t!("window-corner-top-right")),
        ("left_bottom", t!("window-corner-bottom-left")),
        ("left_top", t!("window-corner-top-left")),
    ] {
        splitter(ctx, edges.with(side), || name);
    }
}

/// The title row of a window beside the list (Settings, Roles, Import…),
/// drawn by the program rather than egui so every word of it is in the
/// window's language and nothing in it is an unnamed Tab stop: the title as
/// a heading, and a Close button ("Stäng") that sets `open` to false. Also names the window a dialog (see [`window_named`]).
pub fn window_title_ui(ui: &mut egui::Ui, title: &str, open: &mut bool) {
    window_named(ui, title);
    ui.horizontal(|ui| {
        let label = ui.heading(title);
        heading(&label, title);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(t!("close")).clicked() {
                *open = false;
            }
        });
    });
    ui.separator();
}

fn named(ui: &egui::Ui, title: &str, modal: bool) {
    let title = title.to_owned();
    ui.ctx()
        .accesskit_node_builder(ui.unique_id(), move |node| {
            node.set_role(accesskit::Role::Dialog);
            node.set_label(title);
            if modal {
                node.set_modal();
            }
        });
}

/// Names the window itself for a screen reader ("HRM Users, frame"), as
/// its title bar does for the eyes.
pub fn window_title(ctx: &egui::Context, title: &str) {
    let title = title.to_owned();
    ctx.accesskit_node_builder(egui::accesskit_root_id(), move |node| {
        node.set_label(title);
    });
}

/// Ties a field's error to its input: the input is marked invalid and
/// described by the error's label, so a screen reader says both when the
/// field is reached.
pub fn field_error(input: &egui::Response, error: &egui::Response) {
    let error = error.id.accesskit_id();
    input.ctx.accesskit_node_builder(input.id, move |node| {
        node.set_invalid(accesskit::Invalid::True);
        node.push_described_by(error);
    });
}

/// Makes a status line a polite live region: a screen reader says each new
/// message when it is idle, without moving focus.
pub fn live(status: &egui::Response) {
    status.ctx.accesskit_node_builder(status.id, |node| {
        node.set_live(accesskit::Live::Polite);
    });
}

/// Makes a label a heading of the form's sections ("General", "Connection
/// to Visma Connect"), so a screen reader can move by them and tell two
/// fields of one name apart by the section they are in.
pub fn heading(label: &egui::Response, text: &str) {
    let text = text.to_owned();
    label.ctx.accesskit_node_builder(label.id, move |node| {
        node.set_role(accesskit::Role::Heading);
        node.set_label(text);
        node.set_level(2);
    });
}

/// Makes a row of buttons a tab list (`row` is its `Ui`).
pub fn tab_list(row: &egui::Ui) {
    row.ctx().accesskit_node_builder(row.unique_id(), |node| {
        node.set_role(accesskit::Role::TabList);
    });
}

/// Makes a button a tab, selected while its page shows.
pub fn tab(button: &egui::Response, selected: bool) {
    button.ctx.accesskit_node_builder(button.id, move |node| {
        node.set_role(accesskit::Role::Tab);
        node.set_selected(selected);
    });
}

/// Marks an input that must be filled in.
pub fn required(input: &egui::Response) {
    input.ctx.accesskit_node_builder(input.id, |node| {
        node.set_required();
    });
}

/// Names a drag handle drawn by egui or `egui_extras` (a panel's edge, a
/// column's border) in the window's language: a splitter that says what it
/// resizes, not an unnamed "unknown" or an English "Resize panel". Does
/// nothing when the handle is not drawn this frame.
pub fn splitter(ctx: &egui::Context, id: egui::Id, name: impl FnOnce() -> String) {
    if ctx.has_accesskit_node(id) {
        let name = name();
        ctx.accesskit_node_builder(id, move |node| {
            node.set_role(accesskit::Role::Splitter);
            node.set_label(name);
        });
    }
}

/// The borders between the columns, which `egui_extras` makes to drag with
/// the mouse. To a screen reader each is a splitter named after its column;
/// the keyboard passes over them (`egui_extras` makes them focusable, but a
/// key does nothing to them), so Tab goes from a table to what follows it.
pub struct ColumnBorders {
    /// One per column.
    ids: Vec<egui::Id>,
    /// The columns' titles, to name the borders after.
    titles: Vec<String>,
    /// Set when the keyboard reached one of this table's borders: pass
    /// over them next frame.
    pass_key: egui::Id,
}

impl ColumnBorders {
    /// The borders of the table with state `salt` drawn in `ui`.
    pub fn of(ui: &egui::Ui, salt: &str, titles: Vec<String>) -> Self {
        // egui_extras names a border after the table's state.
        let base = ui
            .scope_id()
            .with(egui::IdSalt::new(salt))
            .with("resize_column");
        // The last column fills the rest and has a border only in a
        // sizing pass.
        let ids = (0..titles.len()).map(|index| base.with(index)).collect();
        Self {
            ids,
            titles,
            pass_key: base.with("pass_over"),
        }
    }

    /// Which way the last Tab went (true: Shift+Tab).
    fn last_tab_key() -> egui::Id {
        egui::Id::unique("table_borders_last_tab")
    }

    fn focused(&self, ctx: &egui::Context) -> bool {
        ctx.memory(egui::Memory::focused)
            .is_some_and(|id| self.ids.contains(&id))
    }

    /// Before the table is drawn: when the keyboard reached a border last
    /// frame, the focus moves on past all of them, the way Tab was going.
    pub fn pass_over(&self, ctx: &egui::Context) {
        let Some(backwards) = ctx.data_mut(|d| d.remove_temp::<bool>(self.pass_key)) else {
            return;
        };
        if !self.focused(ctx) {
            return;
        }
        // The borders drawn last frame (the last column's only in a
        // sizing pass).
        let mut drawn = self
            .ids
            .iter()
            .filter(|id| ctx.read_response(**id).is_some());
        let (from, direction) = if backwards {
            (drawn.next(), egui::FocusDirection::Previous)
        } else {
            (drawn.next_back(), egui::FocusDirection::Next)
        };
        if let Some(&from) = from {
            ctx.memory_mut(|m| {
                m.request_focus(from);
                m.move_focus(direction);
            });
            ctx.request_repaint();
        }
    }

    /// After the table: names the borders, and notes when the keyboard
    /// reached one (by Tab, or by Shift+Tab wrapping round), not the mouse.
    pub fn after_table(&self, ctx: &egui::Context) {
        for (id, title) in self.ids.iter().zip(&self.titles) {
            splitter(ctx, *id, || {
                t!("table-resize-column", column = title.as_str())
            });
        }
        if ctx.input(|i| i.key_pressed(egui::Key::Tab)) {
            let backwards = ctx.input(|i| i.modifiers.shift);
            ctx.data_mut(|d| d.insert_temp(Self::last_tab_key(), backwards));
        }
        let arrived = ctx.memory(|m| {
            m.focused()
                .is_some_and(|id| self.ids.contains(&id) && !m.had_focus_last_frame(id))
        });
        let by_keyboard =
            arrived && !ctx.input(|i| i.pointer.any_down() || i.pointer.any_released());
        if by_keyboard {
            let backwards = ctx
                .data(|d| d.get_temp::<bool>(Self::last_tab_key()))
                .unwrap_or(false);
            ctx.data_mut(|d| d.insert_temp(self.pass_key, backwards));
            ctx.request_repaint();
        }
    }
}

/// The keyboard focus of a modal question: on its first frame it remembers
/// what had the focus (the caller then focuses the question's default
/// button, so a screen reader says the dialog and its button); once
/// answered the focus goes back where it was.
pub struct ModalFocus {
    key: egui::Id,
}

/// What had the focus before a modal opened (`None`: nothing had).
#[derive(Clone, Default)]
struct FocusBefore(Option<egui::Id>);

impl ModalFocus {
    /// The focus of the modal `id`.
    pub fn of(id: egui::Id) -> Self {
        Self {
            key: id.with("focus_before"),
        }
    }

    /// True on the modal's first frame (what had the focus is remembered).
    pub fn opening(&self, ctx: &egui::Context) -> bool {
        let seen = ctx.data(|d| d.get_temp::<FocusBefore>(self.key)).is_some();
        if !seen {
            let before = FocusBefore(ctx.memory(egui::Memory::focused));
            ctx.data_mut(|d| d.insert_temp(self.key, before));
        }
        !seen
    }

    /// The modal was answered: the focus goes back where it was, once the
    /// modal no longer holds the window (see [`give_back_focus`]).
    pub fn closed(&self, ctx: &egui::Context) {
        let before = ctx.data_mut(|d| d.remove_temp::<FocusBefore>(self.key));
        match before.and_then(|b| b.0) {
            Some(id) => {
                let due = GiveBack(Some((id, ctx.cumulative_pass_nr())));
                ctx.data_mut(|d| d.insert_temp(give_back_key(), due));
            }
            None => ctx.memory_mut(|m| {
                if let Some(focused) = m.focused() {
                    m.surrender_focus(focused);
                }
            }),
        }
    }
}

/// True on the first frame a dialog of several stages (Verify accounts:
/// counting, confirming, sending, results) shows `stage`: the moment to
/// move the focus into the stage, so a screen reader says it.
pub fn stage_opening(ctx: &egui::Context, dialog: egui::Id, stage: u8) -> bool {
    let key = dialog.with("stage_shown");
    ctx.data_mut(|d| {
        let shown = d.get_temp::<u8>(key);
        d.insert_temp(key, stage);
        shown != Some(stage)
    })
}

/// Forgets the stage shown, so the dialog opened again starts afresh.
pub fn stages_closed(ctx: &egui::Context, dialog: egui::Id) {
    ctx.data_mut(|d| d.remove_temp::<u8>(dialog.with("stage_shown")));
}

/// Focus to give back after a modal closed, and the pass it closed in.
#[derive(Clone, Default)]
struct GiveBack(Option<(egui::Id, u64)>);

fn give_back_key() -> egui::Id {
    egui::Id::unique("a11y_give_back_focus")
}

/// Gives the focus back where it was before a modal (see
/// [`ModalFocus::closed`]); called at the end of each pass. egui keeps a
/// closed modal's hold on the window for one more pass, in which the
/// widgets behind it cannot take the focus; so it is given back at the end
/// of that pass.
pub fn give_back_focus(ctx: &egui::Context) {
    let due = ctx.data(|d| d.get_temp::<GiveBack>(give_back_key()));
    if let Some(GiveBack(Some((id, closed_in)))) = due
        && ctx.cumulative_pass_nr() > closed_in
    {
        ctx.data_mut(|d| d.remove::<GiveBack>(give_back_key()));
        ctx.memory_mut(|m| m.request_focus(id));
    }
}
