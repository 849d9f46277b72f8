//! The progress of a long job (an import, an export) shared between its
//! thread and the window: what it is doing, how far it is, and the window's
//! request to stop.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

/// What a job is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the file (how many rows is known only at the end).
    Reading,
    /// Checking every row: the dry run.
    Checking,
    /// Writing the rows into the register.
    Importing,
    /// Writing the rows into a spreadsheet.
    Exporting,
    /// Every row is written; the file is being saved (compressed, for xlsx).
    Saving,
}

impl Stage {
    const ALL: [Stage; 5] = [
        Stage::Reading,
        Stage::Checking,
        Stage::Importing,
        Stage::Exporting,
        Stage::Saving,
    ];

    /// The words the window shows, in its language.
    pub fn label(self) -> String {
        match self {
            Stage::Reading => t!("sheet-stage-reading"),
            Stage::Checking => t!("sheet-stage-checking"),
            Stage::Importing => t!("sheet-stage-importing"),
            Stage::Exporting => t!("sheet-stage-exporting"),
            Stage::Saving => t!("sheet-stage-saving"),
        }
    }
}

/// Shared between a job and the window.
#[derive(Debug, Default)]
pub struct Progress {
    stage: AtomicU8,
    done: AtomicUsize,
    total: AtomicUsize,
    cancelled: AtomicBool,
}

impl Progress {
    /// A new stage of `total` rows (0 when not known yet).
    pub fn start(&self, stage: Stage, total: usize) {
        let index = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        self.stage
            .store(u8::try_from(index).unwrap_or(0), Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    /// `done` rows so far; false once the window asked to stop.
    pub fn advance(&self, done: usize) -> bool {
        self.done.store(done, Ordering::Relaxed);
        !self.is_cancelled()
    }

    /// Asks the job to stop.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether the window asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// The stage, rows done, and rows in all (0: not known).
    pub fn now(&self) -> (Stage, usize, usize) {
        let stage = Stage::ALL
            .get(usize::from(self.stage.load(Ordering::Relaxed)))
            .copied()
            .unwrap_or(Stage::Reading);
        (
            stage,
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}
