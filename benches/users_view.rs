//! Users view with 100,000 users: prints the figures issue #2 asks for.
//!
//! `cargo bench --bench users_view` (release). Figures: opening the register
//! to the first frame, CPU time of a frame (median, p95), a search keystroke
//! to the filtered list, resident memory.

// A benchmark reports on stdout and may stop on a broken setup.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines
)]

use std::time::{Duration, Instant};

use egui::{Pos2, RawInput, Rect, vec2};
use hrm_users::app::{Session, demo, open_register};
use hrm_users::domain::UserFilter;
use hrm_users::store::Store;
use hrm_users::ui::HrmApp;

const USERS: usize = 100_000;

fn input(events: Vec<egui::Event>) -> RawInput {
    RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
        events,
        ..RawInput::default()
    }
}

/// One whole frame on the CPU: the view's code, layout and tessellation.
fn frame(ctx: &egui::Context, app: &mut HrmApp, events: Vec<egui::Event>) -> Duration {
    let start = Instant::now();
    let output = ctx.run_ui(input(events), |ui| app.ui(ui));
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    std::hint::black_box(primitives);
    start.elapsed()
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort_unstable();
    let index = ((samples.len() - 1) as f64 * p).round() as usize;
    samples[index]
}

fn rss_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// In a process of its own, what the program holds: the register open, the
/// view built, frames drawn and a search typed. Prints the peak resident memory.
fn memory_child(path: &std::path::Path) {
    let mut app = HrmApp::ready(open_register(Some(&path.into())).unwrap());
    let ctx = egui::Context::default();
    for _ in 0..30 {
        frame(&ctx, &mut app, Vec::new());
    }
    let search_box = Pos2::new(100.0, 57.0);
    let click = |pressed| egui::Event::PointerButton {
        pos: search_box,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    frame(
        &ctx,
        &mut app,
        vec![
            egui::Event::PointerMoved(search_box),
            click(true),
            click(false),
        ],
    );
    for c in "svensson".chars() {
        frame(&ctx, &mut app, vec![egui::Event::Text(c.to_string())]);
    }
    println!("{:.0}", rss_mb("VmHWM:"));
}

fn main() {
    if let Some(path) = std::env::var_os("HRM_BENCH_MEMORY_CHILD") {
        memory_child(std::path::Path::new(&path));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.db");
    {
        let start = Instant::now();
        let mut session = Session::new(Store::open(&path).unwrap());
        demo::create_demo_register(&mut session, USERS).unwrap();
        println!(
            "demo register of {USERS} users written in {:.0} ms",
            millis(start.elapsed())
        );
    }

    // Opening: open the file, load every user, build the list, first frame.
    let start = Instant::now();
    let opened = open_register(Some(&(&path).into())).unwrap();
    let loaded = start.elapsed();
    let mut app = HrmApp::ready(opened);
    let built = start.elapsed();
    let ctx = egui::Context::default();
    frame(&ctx, &mut app, Vec::new());
    let first_frame = start.elapsed();
    println!(
        "open register to first frame: {:.0} ms (open and load {:.0} ms, view built {:.0} ms, first frame {:.0} ms)  [goal <= 500 ms]",
        millis(first_frame),
        millis(loaded),
        millis(built.saturating_sub(loaded)),
        millis(first_frame.saturating_sub(built))
    );

    // Idle frames and frames while scrolling through the list.
    for _ in 0..5 {
        frame(&ctx, &mut app, Vec::new());
    }
    let mut samples: Vec<Duration> = (0..200)
        .map(|i| {
            let events = vec![
                egui::Event::PointerMoved(Pos2::new(400.0, 400.0)),
                egui::Event::MouseWheel {
                    unit: egui::MouseWheelUnit::Point,
                    delta: vec2(0.0, if i % 50 < 25 { -120.0 } else { 120.0 }),
                    phase: egui::TouchPhase::Move,
                    modifiers: egui::Modifiers::NONE,
                    source: egui::MouseWheelSource::Unknown,
                },
            ];
            frame(&ctx, &mut app, events)
        })
        .collect();
    println!(
        "frame CPU while scrolling: median {:.2} ms, p95 {:.2} ms  [goal median <= 2 ms]",
        millis(percentile(&mut samples, 0.5)),
        millis(percentile(&mut samples, 0.95))
    );

    // Search keystrokes: the filter over 100,000 users, then the frame that shows it.
    let typed = [
        "s",
        "sv",
        "sve",
        "sven",
        "svens",
        "svensson",
        "svensson a",
        "svensson an",
    ];
    let mut listing =
        hrm_users::domain::Listing::new(open_register(Some(&(&path).into())).unwrap().users);
    let mut filter_times = Vec::new();
    for text in typed.iter().chain(typed.iter().rev()) {
        let start = Instant::now();
        listing.set_filter(UserFilter {
            search: (*text).to_owned(),
            ..UserFilter::default()
        });
        filter_times.push(start.elapsed());
    }
    let worst = *filter_times.iter().max().unwrap();
    println!(
        "search keystroke to filtered list: median {:.2} ms, worst {:.2} ms  [goal <= 10 ms]",
        millis(percentile(&mut filter_times, 0.5)),
        millis(worst)
    );

    // The same through the window: type into the search box, one frame each.
    let search_box = Pos2::new(100.0, 57.0);
    frame(
        &ctx,
        &mut app,
        vec![
            egui::Event::PointerMoved(search_box),
            egui::Event::PointerButton {
                pos: search_box,
                button: egui::PointerButton::Primary,
                pressed: true,
                modifiers: egui::Modifiers::NONE,
            },
            egui::Event::PointerButton {
                pos: search_box,
                button: egui::PointerButton::Primary,
                pressed: false,
                modifiers: egui::Modifiers::NONE,
            },
        ],
    );
    let mut keystrokes: Vec<Duration> = "svensson an"
        .chars()
        .map(|c| frame(&ctx, &mut app, vec![egui::Event::Text(c.to_string())]))
        .collect();
    let view = app.users_view().unwrap();
    println!(
        "search keystroke in the window (filter + frame): median {:.2} ms, worst {:.2} ms; {} of {} users shown",
        millis(percentile(&mut keystrokes, 0.5)),
        millis(*keystrokes.iter().max().unwrap()),
        view.listing().visible_len(),
        view.listing().total()
    );
    assert!(
        view.listing().visible_len() < view.listing().total(),
        "the search box was not typed into"
    );

    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .env("HRM_BENCH_MEMORY_CHILD", &path)
        .output()
        .unwrap();
    println!(
        "memory of the view with {USERS} users (own process, peak resident): {} MB  [goal <= 200 MB]",
        String::from_utf8_lossy(&child.stdout).trim()
    );
}
