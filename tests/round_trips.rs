//! What a command costs over a slow link is its round trips to the
//! database times the link's delay (30 ms over an office VPN): each command
//! here is run through a link that counts them, and held to a bound.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Register;
use support::link::CountingLink;

/// The round trips of one run of the real binary with `args` on
/// `register` through a counting link.
fn round_trips(register: &Register, args: &[&str]) -> u64 {
    let url = register.db_arg();
    let link = CountingLink::to_server_of(&url);
    let out = support::program_at(register, &link.url_through(&url))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    link.round_trips()
}

#[test]
fn reading_commands_cost_few_round_trips() {
    let register = Register::postgres();
    let mut session = register.session(&support::TestClock::new());
    support::seed_pending(&mut session, 50, "rt");
    drop(session);
    for (args, most) in [
        (&["db", "status", "--json"][..], 8),
        (&["users", "list", "--json", "--search", "rt14"][..], 12),
    ] {
        let counted = round_trips(&register, args);
        eprintln!("{args:?}: {counted} round trips");
        assert!(
            counted <= most,
            "{args:?}: {counted} round trips, at most {most}"
        );
    }
}
