//! The schema, as numbered migrations. `PRAGMA user_version` holds the number
//! of the last one applied; each runs in the same transaction as that update.

/// The `application_id` written into every register file, so that another
/// program's SQLite file is never mistaken for a register ("HRMU").
pub const APPLICATION_ID: i32 = 0x4852_4d55;

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`. Never edit one that shipped;
/// add a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: users, their Visma Connect connection, the append-only audit log.
    r"
    CREATE TABLE users (
        key                INTEGER PRIMARY KEY,
        user_id            TEXT NOT NULL UNIQUE,
        activated          INTEGER NOT NULL CHECK (activated IN (0, 1)),
        alias_user_id      TEXT NOT NULL DEFAULT '',
        signature          TEXT NOT NULL DEFAULT '',
        card_tag_id        TEXT NOT NULL DEFAULT '',
        external_reference TEXT NOT NULL DEFAULT '',
        email              TEXT NOT NULL DEFAULT '',
        first_name         TEXT NOT NULL DEFAULT '',
        last_name          TEXT NOT NULL DEFAULT '',
        department         TEXT NOT NULL DEFAULT '',
        office             TEXT NOT NULL DEFAULT '',
        created_at_ms      INTEGER NOT NULL,
        updated_at_ms      INTEGER NOT NULL
    );
    CREATE TABLE connections (
        user_key        INTEGER PRIMARY KEY REFERENCES users(key) ON DELETE CASCADE,
        email           TEXT NOT NULL,
        email_key       TEXT NOT NULL UNIQUE,
        state           TEXT NOT NULL CHECK (state IN ('unverified', 'connected')),
        sent_count      INTEGER NOT NULL DEFAULT 0,
        last_sent_at_ms INTEGER,
        connected_at_ms INTEGER,
        connected_by    TEXT CHECK (connected_by IN ('link', 'verified_domain')),
        saved_at_ms     INTEGER NOT NULL
    );
    CREATE TABLE audit (
        id        INTEGER PRIMARY KEY,
        at_ms     INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        user_key  INTEGER,
        user_id   TEXT NOT NULL DEFAULT '',
        before    TEXT,
        after     TEXT
    );
    CREATE INDEX audit_by_user ON audit(user_key, id);
    CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    ",
    // 2: settings, and indexes for the filters that bulk actions narrow by.
    r"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE INDEX users_by_department ON users(department);
    CREATE INDEX users_by_office ON users(office);
    ",
    // 3: the outbox of messages and the verification links (their hashes only).
    r"
    CREATE TABLE outbox (
        id                 INTEGER PRIMARY KEY,
        message_id         TEXT NOT NULL UNIQUE,
        kind               TEXT NOT NULL CHECK (kind IN ('verification', 'password_reset')),
        user_key           INTEGER REFERENCES users(key) ON DELETE SET NULL,
        recipient          TEXT NOT NULL,
        state              TEXT NOT NULL
                           CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
        attempts           INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL,
        last_result        TEXT,
        possible_duplicate INTEGER NOT NULL DEFAULT 0,
        batch              TEXT,
        created_at_ms      INTEGER NOT NULL,
        sent_at_ms         INTEGER
    );
    CREATE INDEX outbox_due ON outbox(state, next_attempt_at_ms);
    CREATE INDEX outbox_by_user ON outbox(user_key, id);
    CREATE TABLE link_tokens (
        hash             BLOB PRIMARY KEY,
        user_key         INTEGER NOT NULL REFERENCES users(key) ON DELETE CASCADE,
        email_key        TEXT NOT NULL,
        created_at_ms    INTEGER NOT NULL,
        expires_at_ms    INTEGER NOT NULL,
        used_at_ms       INTEGER,
        superseded_at_ms INTEGER
    );
    CREATE INDEX link_tokens_by_user ON link_tokens(user_key);
    CREATE INDEX users_by_change ON users(updated_at_ms);
    ",
    // 4: no query reads users by department or office (the program filters the
    // register in memory), and each index cost every write; an import of
    // 100,000 users spent a tenth of its time keeping them.
    r"
    DROP INDEX users_by_department;
    DROP INDEX users_by_office;
    ",
    // 5: outbox ownership. Every worker (a window, `serve`, a CLI send) has a
    // row with its process, host and lease; a message being sent names its
    // owner and the lease it is held under, and whether DATA had begun. Only a
    // message whose lease ran out is taken back, flagged a possible duplicate
    // only if the server may already have it.
    r"
    CREATE TABLE workers (
        id              TEXT PRIMARY KEY,
        pid             INTEGER NOT NULL,
        host            TEXT NOT NULL,
        started_at_ms   INTEGER NOT NULL,
        heartbeat_at_ms INTEGER NOT NULL,
        lease_until_ms  INTEGER NOT NULL
    );
    ALTER TABLE outbox ADD COLUMN owner TEXT;
    ALTER TABLE outbox ADD COLUMN lease_until_ms INTEGER;
    ALTER TABLE outbox ADD COLUMN handed_over INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX outbox_by_owner ON outbox(owner) WHERE owner IS NOT NULL;
    CREATE INDEX outbox_by_batch ON outbox(batch) WHERE batch IS NOT NULL;
    ",
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    // The list is a few entries long; the cast cannot truncate.
    #[allow(clippy::cast_possible_wrap)]
    let latest = MIGRATIONS.len() as i64;
    latest
}
