//! The window as the program opens it (`HrmApp::opening`): the register,
//! the outbox worker and the verification endpoint all start on the opening
//! thread, so no frame waits for the worker's connection or the endpoint.
//!
//! The only test of its binary: it points this process's data and config
//! folders at a temporary one before any thread starts, since opening a
//! register remembers it as the last used.

#![allow(clippy::unwrap_used, clippy::expect_used, unsafe_code)]

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use hrm_users::app::services::RunningEndpoint;
use hrm_users::app::{Location, Session};
use hrm_users::domain::{Clock, SettingKey};
use hrm_users::ui::HrmApp;

/// The endpoint, started after 3 s: as slow as a worker's connection to a
/// register that is slow to answer.
fn slow_endpoint(
    register: &Location,
    bind: &str,
    clock: Clock,
) -> Result<Box<dyn RunningEndpoint>, String> {
    std::thread::sleep(Duration::from_secs(3));
    hrm_users::web::start_listening(register, bind, clock)
}

#[test]
fn the_worker_and_the_endpoint_start_without_holding_a_frame() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary, before it starts any thread:
    // nothing reads the environment meanwhile.
    unsafe {
        std::env::set_var("HOME", home.path());
        std::env::set_var("XDG_CONFIG_HOME", home.path().join("config"));
        std::env::set_var("XDG_DATA_HOME", home.path().join("data"));
    }
    let location = Location::File(home.path().join("register.db"));
    {
        let mut session = Session::open(&location).unwrap();
        let mut settings = session.load_settings().unwrap();
        settings.set(SettingKey::EndpointEnabled, "true").unwrap();
        settings
            .set(SettingKey::BindAddress, "127.0.0.1:0")
            .unwrap();
        hrm_users::app::save_settings(&mut session, &settings).unwrap();
    }
    let ctx = egui::Context::default();
    let app = HrmApp::opening(Some(location), &ctx, slow_endpoint);
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut HrmApp| app.ui(ui), app);
    let started = Instant::now();
    let mut longest = Duration::ZERO;
    while harness.state().users_view().is_none() {
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "the register never opened"
        );
        let frame = Instant::now();
        harness.step();
        longest = longest.max(frame.elapsed());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "the view showed before its endpoint was started"
    );
    assert!(
        longest < Duration::from_secs(1),
        "a frame waited {longest:?} for the services"
    );
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Links served on 127.0.0.1:")
            .is_some(),
        "the endpoint runs beside the window"
    );
}
