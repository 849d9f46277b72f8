//! The demo register: realistic made-up users, the same for the same size,
//! so a first run shows the program working and benchmarks have data.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::domain::{AuditAction, ConnectedBy, Connection, Email, User, UserId, UserRecord};
use crate::store::StoreError;

use super::Session;

/// How many users the first run's register has.
pub const FIRST_RUN_USERS: usize = 300;

const FIRST_NAMES: &[&str] = &[
    "Anna",
    "Erik",
    "Maria",
    "Lars",
    "Karin",
    "Anders",
    "Eva",
    "Johan",
    "Sara",
    "Per",
    "Emma",
    "Mikael",
    "Elin",
    "Björn",
    "Linnéa",
    "Göran",
    "Ingrid",
    "Oskar",
    "Åsa",
    "Nils",
    "Maja",
    "Fredrik",
    "Ebba",
    "Jonas",
    "Sofia",
    "Mats",
    "Hanna",
    "Ali",
    "Fatima",
    "Mohammed",
    "Aisha",
    "Piotr",
    "Agnieszka",
    "Juha",
    "Aino",
    "Ole",
    "Kari",
    "Mehmet",
    "Elif",
    "Chen",
    "Priya",
    "Daniel",
    "Julia",
    "Viktor",
    "Klara",
    "Amir",
    "Leila",
    "Tomasz",
    "Zeynep",
    "Olof",
];

const LAST_NAMES: &[&str] = &[
    "Svensson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Andersson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Lindberg",
    "Lindström",
    "Åberg",
    "Öberg",
    "Bergström",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Holm",
    "Ekström",
    "Lundqvist",
    "Hansen",
    "Virtanen",
    "Korhonen",
    "Kowalski",
    "Nowak",
    "Yilmaz",
    "Hassan",
    "Ahmed",
    "Haddad",
    "Wang",
    "Patel",
    "Müller",
    "Novak",
    "Berg",
    "Dahl",
    "Strand",
    "Sandberg",
];

const DEPARTMENTS: &[&str] = &[
    "HR",
    "Finance",
    "Sales",
    "IT",
    "Production",
    "Logistics",
    "Customer Service",
    "Marketing",
];

/// The same departments as a Swedish company names them: the demo made in
/// a Swedish window is Swedish all through.
const DEPARTMENTS_SV: &[&str] = &[
    "HR",
    "Ekonomi",
    "Försäljning",
    "IT",
    "Produktion",
    "Logistik",
    "Kundtjänst",
    "Marknad",
];

/// The departments in the window's language.
fn departments() -> &'static [&'static str] {
    match crate::i18n::window_language() {
        crate::i18n::Language::Swedish => DEPARTMENTS_SV,
        crate::i18n::Language::English => DEPARTMENTS,
    }
}

/// The demo's offices (a benchmark limits a role to them).
pub const OFFICES: &[&str] = &[
    "Stockholm",
    "Göteborg",
    "Malmö",
    "Uppsala",
    "Umeå",
    "Linköping",
    "Oslo",
    "Helsinki",
];

/// The company's own mail domain in the demo.
pub const DEMO_DOMAIN: &str = "company.se";

/// A small, fast, deterministic generator (SplitMix64).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        // n is a list length; the remainder fits in usize.
        #[allow(clippy::cast_possible_truncation)]
        let index = (self.next() % n as u64) as usize;
        index
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn percent(&mut self) -> usize {
        self.below(100)
    }
}

/// Lower-case ASCII for a mail local part: "Linnéa Åberg" → "linnea", "aberg".
fn ascii_fold(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            'å' | 'Å' | 'ä' | 'Ä' | 'à' | 'á' => Some('a'),
            'ö' | 'Ö' | 'ø' | 'Ø' => Some('o'),
            'é' | 'è' | 'É' => Some('e'),
            'ü' | 'Ü' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Makes `count` users, the same ones for the same count.
pub fn demo_users(count: usize) -> Vec<(User, Connection)> {
    let mut dice = Dice(0x4852_4D55_2026);
    let departments = departments();
    let mut taken: HashMap<String, u32> = HashMap::new();
    // 2026-01-05 00:00 UTC: connections date from the weeks after it.
    let base = Timestamp::constant(1_767_571_200, 0);
    (0..count)
        .map(|n| {
            let first = dice.pick(FIRST_NAMES);
            let last = dice.pick(LAST_NAMES);
            let stem = format!("{}.{}", ascii_fold(first), ascii_fold(last));
            let seen = taken.entry(stem.clone()).or_insert(0);
            *seen += 1;
            let local = if *seen == 1 {
                stem
            } else {
                format!("{stem}{seen}")
            };
            let work = Email::parse(&format!("{local}@{DEMO_DOMAIN}")).ok();
            let activated = dice.percent() >= 4;
            let user = User {
                activated,
                user_id: demo_user_id(n + 1),
                alias_user_id: if dice.percent() < 10 {
                    local.replace('.', "")
                } else {
                    String::new()
                },
                signature: format!(
                    "{}{}",
                    first.chars().next().unwrap_or('X'),
                    last.chars().next().unwrap_or('X')
                )
                .to_uppercase(),
                card_tag_id: if dice.percent() < 60 {
                    format!("{:08X}", dice.next() >> 32)
                } else {
                    String::new()
                },
                external_reference: if dice.percent() < 30 {
                    format!("EMP-{:05}", n + 1)
                } else {
                    String::new()
                },
                email: if dice.percent() < 85 {
                    work.clone()
                } else {
                    None
                },
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                department: dice.pick(departments).to_owned(),
                office: dice.pick(OFFICES).to_owned(),
                employment_ends: None,
            };
            let minutes = i64::try_from(dice.below(60 * 24 * 300)).unwrap_or(0);
            let when = base
                .checked_add(jiff::SignedDuration::from_mins(minutes))
                .unwrap_or(base);
            let private = Email::parse(&format!("{local}@gmail.com")).ok();
            let roll = dice.percent();
            let connection = match (roll, work) {
                (0..50, Some(email)) => Connection::Connected {
                    email,
                    since: when,
                    by: if dice.percent() < 40 {
                        ConnectedBy::VerifiedDomain
                    } else {
                        ConnectedBy::Link
                    },
                },
                (50..54, _) => private.map_or(Connection::None, |email| Connection::Connected {
                    email,
                    since: when,
                    by: ConnectedBy::Link,
                }),
                (54..80, Some(email)) => {
                    let sent_count = u32::try_from(dice.below(3)).unwrap_or(0);
                    Connection::Unverified {
                        email,
                        sent_count,
                        last_sent_at: (sent_count > 0).then_some(when),
                    }
                }
                _ => Connection::None,
            };
            (user, connection)
        })
        .collect()
}

/// The User-ID of the n-th demo user: its number.
#[allow(clippy::expect_used)]
fn demo_user_id(number: usize) -> UserId {
    // A decimal number is non-empty, short and free of control characters:
    // always a valid User-ID.
    UserId::parse(&number.to_string()).expect("a decimal number is a valid User-ID")
}

/// Fills an empty register with `count` demo users in one transaction and
/// marks it as the demo. Returns the users as stored.
pub fn create_demo_register(
    session: &mut Session,
    count: usize,
) -> Result<Vec<UserRecord>, StoreError> {
    let users = demo_users(count);
    let keys = session.write_audited(|tx, stamp| {
        let keys = tx.insert_many(&users, stamp.now.as_millisecond())?;
        tx.set_setting(
            crate::domain::settings::SettingsRow::DemoRegister,
            Some("true"),
        )?;
        tx.append_audit(
            &stamp
                .entry(AuditAction::RegisterGenerated)
                .after(format!("{{\"users\":{count}}}")),
        )?;
        Ok::<_, StoreError>(keys)
    })?;
    Ok(keys
        .into_iter()
        .zip(users)
        .map(|(key, (user, connection))| UserRecord {
            key,
            user,
            connection,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ConnectionStatus;

    #[test]
    fn the_same_size_gives_the_same_register() {
        assert_eq!(demo_users(200), demo_users(200));
    }

    #[test]
    fn the_demo_mixes_every_state_with_unique_addresses() {
        let users = demo_users(1000);
        let count = |status| users.iter().filter(|(_, c)| c.status() == status).count();
        assert!(count(ConnectionStatus::Connected) > 300);
        assert!(count(ConnectionStatus::Pending) > 150);
        assert!(count(ConnectionStatus::None) > 50);
        assert!(users.iter().any(|(u, _)| !u.activated));
        let mut addresses: Vec<&str> = users
            .iter()
            .filter_map(|(_, c)| c.email())
            .map(Email::key)
            .collect();
        let before = addresses.len();
        addresses.sort_unstable();
        addresses.dedup();
        assert_eq!(addresses.len(), before);
    }
}
