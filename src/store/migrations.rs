//! The schema, as numbered migrations, each in SQLite's and PostgreSQL's
//! words: the same tables, columns, keys and rules on both backends. On
//! SQLite `PRAGMA user_version` holds the number of the last one applied, on
//! PostgreSQL the table `hrm_register`; each runs in the same transaction as
//! that update.

/// The `application_id` written into every register file, so that another
/// program's SQLite file is never mistaken for a register ("HRMU").
pub const APPLICATION_ID: i32 = 0x4852_4d55;

/// One step of the schema, for each backend.
pub struct Migration {
    /// The step on SQLite.
    pub sqlite: &'static str,
    /// The same step on PostgreSQL (every integer is BIGINT, as SQLite's).
    pub postgres: &'static str,
}

impl Migration {
    /// A step of the shared register only: a register file has no such
    /// thing (policies, PostgreSQL's own index kinds, triggers that stand
    /// in for a foreign key), and its version only counts the step.
    const fn postgres_only(postgres: &'static str) -> Self {
        Self {
            sqlite: "",
            postgres,
        }
    }
}

/// SQL true when the stored address in the column is one `Email::parse`
/// certainly reads: plain ASCII; dot-separated words before the @; after
/// it labels of letters and digits joined by single dots or hyphens (so no
/// punycode `xn--`), ending in a top-level domain of letters; at most 64
/// octets in all (so within every length limit:
/// `domain::email::MAX_LOCAL_OCTETS`). One pattern, no bounded repeats:
/// about a microsecond a row; `{0,61}` took eight.
macro_rules! certainly_an_address {
    ($column:literal) => {
        concat!(
            "(",
            $column,
            " ~ '^[A-Za-z0-9_+-]+([.][A-Za-z0-9_+-]+)*@[A-Za-z0-9]+([.-][A-Za-z0-9]+)*[.][A-Za-z][A-Za-z]+$'",
            " AND octet_length(",
            $column,
            ") <= 64)"
        )
    };
}

/// The predicate of the index `users_in_doubt` (migration 15): a user's own
/// row the program may not be able to read (a User-ID that is not plain
/// printable ASCII within `domain::user::MAX_USER_ID_CHARS`, an Email not
/// certainly an address, an end of employment that is not certainly a
/// day). Part of a shipped migration: never edited; a new rule is a new
/// index.
macro_rules! user_in_doubt {
    () => {
        concat!(
            "NOT coalesce((user_id ~ '^[!-~]+$' AND char_length(user_id) <= 50",
            " AND (email = '' OR ",
            certainly_an_address!("email"),
            ") AND (employment_ends IS NULL OR (employment_ends % 100 BETWEEN 1 AND 28",
            " AND employment_ends / 100 % 100 BETWEEN 1 AND 12",
            " AND employment_ends / 10000 BETWEEN 1 AND 9999))), false)"
        )
    };
}

/// The predicate of the index `connections_in_doubt` (migration 15): a
/// connection whose address the program may not be able to read.
macro_rules! connection_in_doubt {
    () => {
        concat!("NOT coalesce(", certainly_an_address!("email"), ", false)")
    };
}

/// The predicate of the index `outbox_in_doubt` (migration 15): a message
/// of a kind or state the program does not know, or to an address it may
/// not be able to read.
macro_rules! message_in_doubt {
    () => {
        concat!(
            "NOT coalesce((kind IN ('verification', 'password_reset', 'relink_invitation')",
            " AND state IN ('queued', 'sending', 'sent', 'failed', 'cancelled') AND ",
            certainly_an_address!("recipient"),
            "), false)"
        )
    };
}

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`. Never edit one that shipped;
/// add a new one.
pub const MIGRATIONS: &[Migration] = &[
    // 1: users, their Visma Connect connection, the append-only audit log.
    Migration {
        sqlite: r"
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
        postgres: r"
    CREATE TABLE users (
        key                BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        user_id            TEXT NOT NULL UNIQUE,
        activated          BIGINT NOT NULL CHECK (activated IN (0, 1)),
        alias_user_id      TEXT NOT NULL DEFAULT '',
        signature          TEXT NOT NULL DEFAULT '',
        card_tag_id        TEXT NOT NULL DEFAULT '',
        external_reference TEXT NOT NULL DEFAULT '',
        email              TEXT NOT NULL DEFAULT '',
        first_name         TEXT NOT NULL DEFAULT '',
        last_name          TEXT NOT NULL DEFAULT '',
        department         TEXT NOT NULL DEFAULT '',
        office             TEXT NOT NULL DEFAULT '',
        created_at_ms      BIGINT NOT NULL,
        updated_at_ms      BIGINT NOT NULL
    );
    CREATE TABLE connections (
        user_key        BIGINT PRIMARY KEY REFERENCES users(key) ON DELETE CASCADE,
        email           TEXT NOT NULL,
        email_key       TEXT NOT NULL UNIQUE,
        state           TEXT NOT NULL CHECK (state IN ('unverified', 'connected')),
        sent_count      BIGINT NOT NULL DEFAULT 0,
        last_sent_at_ms BIGINT,
        connected_at_ms BIGINT,
        connected_by    TEXT CHECK (connected_by IN ('link', 'verified_domain')),
        saved_at_ms     BIGINT NOT NULL
    );
    CREATE TABLE audit (
        id        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        at_ms     BIGINT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        user_key  BIGINT,
        user_id   TEXT NOT NULL DEFAULT '',
        before    TEXT,
        after     TEXT
    );
    CREATE INDEX audit_by_user ON audit(user_key, id);
    CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
    CREATE TRIGGER audit_is_append_only_change BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
    CREATE TRIGGER audit_is_append_only_truncate BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
    ",
    },
    // 2: settings, and indexes for the filters that bulk actions narrow by.
    Migration {
        sqlite: r"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE INDEX users_by_department ON users(department);
    CREATE INDEX users_by_office ON users(office);
    ",
        postgres: r"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE INDEX users_by_department ON users(department);
    CREATE INDEX users_by_office ON users(office);
    ",
    },
    // 3: the outbox of messages and the verification links (their hashes only).
    Migration {
        sqlite: r"
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
        postgres: r"
    CREATE TABLE outbox (
        id                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        message_id         TEXT NOT NULL UNIQUE,
        kind               TEXT NOT NULL CHECK (kind IN ('verification', 'password_reset')),
        user_key           BIGINT REFERENCES users(key) ON DELETE SET NULL,
        recipient          TEXT NOT NULL,
        state              TEXT NOT NULL
                           CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
        attempts           BIGINT NOT NULL DEFAULT 0,
        next_attempt_at_ms BIGINT NOT NULL,
        last_result        TEXT,
        possible_duplicate BIGINT NOT NULL DEFAULT 0,
        batch              TEXT,
        created_at_ms      BIGINT NOT NULL,
        sent_at_ms         BIGINT
    );
    CREATE INDEX outbox_due ON outbox(state, next_attempt_at_ms);
    CREATE INDEX outbox_by_user ON outbox(user_key, id);
    CREATE TABLE link_tokens (
        hash             BYTEA PRIMARY KEY,
        user_key         BIGINT NOT NULL REFERENCES users(key) ON DELETE CASCADE,
        email_key        TEXT NOT NULL,
        created_at_ms    BIGINT NOT NULL,
        expires_at_ms    BIGINT NOT NULL,
        used_at_ms       BIGINT,
        superseded_at_ms BIGINT
    );
    CREATE INDEX link_tokens_by_user ON link_tokens(user_key);
    CREATE INDEX users_by_change ON users(updated_at_ms);
    ",
    },
    // 4: no query reads users by department or office (the program filters the
    // register in memory), and each index cost every write; an import of
    // 100,000 users spent a tenth of its time keeping them.
    Migration {
        sqlite: r"
    DROP INDEX users_by_department;
    DROP INDEX users_by_office;
    ",
        postgres: r"
    DROP INDEX users_by_department;
    DROP INDEX users_by_office;
    ",
    },
    // 5: outbox ownership. Every worker (a window, `serve`, a CLI send) has a
    // row with its process, host and lease; a message being sent names its
    // owner and the lease it is held under, and whether DATA had begun. Only a
    // message whose lease ran out is taken back, flagged a possible duplicate
    // only if the server may already have it.
    Migration {
        sqlite: r"
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
        postgres: r"
    CREATE TABLE workers (
        id              TEXT PRIMARY KEY,
        pid             BIGINT NOT NULL,
        host            TEXT NOT NULL,
        started_at_ms   BIGINT NOT NULL,
        heartbeat_at_ms BIGINT NOT NULL,
        lease_until_ms  BIGINT NOT NULL
    );
    ALTER TABLE outbox ADD COLUMN owner TEXT;
    ALTER TABLE outbox ADD COLUMN lease_until_ms BIGINT;
    ALTER TABLE outbox ADD COLUMN handed_over BIGINT NOT NULL DEFAULT 0;
    CREATE INDEX outbox_by_owner ON outbox(owner) WHERE owner IS NOT NULL;
    CREATE INDEX outbox_by_batch ON outbox(batch) WHERE batch IS NOT NULL;
    ",
    },
    // 6: every change to the users reaches open windows at once: on
    // PostgreSQL a notification on commit (LISTEN hrm_users_changed); SQLite's
    // windows read its data_version, which needs nothing in the schema.
    Migration::postgres_only(
        r"
    CREATE FUNCTION notify_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('hrm_users_changed', ''); RETURN NULL; END $$;
    CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
        FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed();
    ",
    ),
    // 7: the preparation phase's relink invitation. A link token says what
    // it is for (a verification, or the invitation to *Security and login*),
    // and the outbox takes the invitation. SQLite cannot change a CHECK, so
    // its outbox is rebuilt with the same columns, rows and indexes.
    Migration {
        sqlite: r"
    ALTER TABLE link_tokens ADD COLUMN purpose TEXT NOT NULL DEFAULT 'verification'
        CHECK (purpose IN ('verification', 'relink'));
    CREATE TABLE outbox_new (
        id                 INTEGER PRIMARY KEY,
        message_id         TEXT NOT NULL UNIQUE,
        kind               TEXT NOT NULL
                           CHECK (kind IN ('verification', 'password_reset', 'relink_invitation')),
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
        sent_at_ms         INTEGER,
        owner              TEXT,
        lease_until_ms     INTEGER,
        handed_over        INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO outbox_new
        SELECT id, message_id, kind, user_key, recipient, state, attempts, next_attempt_at_ms,
               last_result, possible_duplicate, batch, created_at_ms, sent_at_ms, owner,
               lease_until_ms, handed_over
        FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_new RENAME TO outbox;
    CREATE INDEX outbox_due ON outbox(state, next_attempt_at_ms);
    CREATE INDEX outbox_by_user ON outbox(user_key, id);
    CREATE INDEX outbox_by_owner ON outbox(owner) WHERE owner IS NOT NULL;
    CREATE INDEX outbox_by_batch ON outbox(batch) WHERE batch IS NOT NULL;
    ",
        postgres: r"
    ALTER TABLE link_tokens ADD COLUMN purpose TEXT NOT NULL DEFAULT 'verification'
        CHECK (purpose IN ('verification', 'relink'));
    ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
    ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
        CHECK (kind IN ('verification', 'password_reset', 'relink_invitation'));
    ",
    },
    // 8: leavers. The last day of employment as a number, 20270131 (NULL
    // when not known); the connection is removed some days after it.
    Migration {
        sqlite: r"
    ALTER TABLE users ADD COLUMN employment_ends INTEGER
        CHECK (employment_ends BETWEEN 10000101 AND 99991231);
    ",
        postgres: r"
    ALTER TABLE users ADD COLUMN employment_ends BIGINT
        CHECK (employment_ends BETWEEN 10000101 AND 99991231);
    ",
    },
    // 9: users' roles (the Authorisations tab). A role is named by its id
    // (the built-in roles' are `system_administrator`, `hr_administrator`,
    // `read_only`); dates as 20270131, NULL for open; departments and
    // offices one per line, empty for all.
    Migration {
        sqlite: r"
    CREATE TABLE user_roles (
        user_key    INTEGER NOT NULL REFERENCES users(key) ON DELETE CASCADE,
        role        TEXT NOT NULL,
        valid_from  INTEGER CHECK (valid_from BETWEEN 10000101 AND 99991231),
        valid_to    INTEGER CHECK (valid_to BETWEEN 10000101 AND 99991231),
        departments TEXT NOT NULL DEFAULT '',
        offices     TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (user_key, role),
        CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
    );
    CREATE INDEX user_roles_by_role ON user_roles(role);
    ",
        postgres: r"
    CREATE TABLE user_roles (
        user_key    BIGINT NOT NULL REFERENCES users(key) ON DELETE CASCADE,
        role        TEXT NOT NULL,
        valid_from  BIGINT CHECK (valid_from BETWEEN 10000101 AND 99991231),
        valid_to    BIGINT CHECK (valid_to BETWEEN 10000101 AND 99991231),
        departments TEXT NOT NULL DEFAULT '',
        offices     TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (user_key, role),
        CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
    );
    CREATE INDEX user_roles_by_role ON user_roles(role);
    ",
    },
    // 10: Audit of account code. The register's account dimensions and
    // their codes (imported), and each user's rows: a dimension, a code or
    // a range, an optional amount limit (whole currency units), in order.
    Migration {
        sqlite: r"
    CREATE TABLE account_codes (
        dimension TEXT NOT NULL,
        code      TEXT NOT NULL,
        name      TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (dimension, code)
    );
    CREATE TABLE user_audit_rights (
        user_key     INTEGER NOT NULL REFERENCES users(key) ON DELETE CASCADE,
        position     INTEGER NOT NULL,
        dimension    TEXT NOT NULL,
        from_code    TEXT NOT NULL,
        to_code      TEXT,
        amount_limit INTEGER CHECK (amount_limit >= 0),
        PRIMARY KEY (user_key, position)
    );
    ",
        postgres: r"
    CREATE TABLE account_codes (
        dimension TEXT NOT NULL,
        code      TEXT NOT NULL,
        name      TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (dimension, code)
    );
    CREATE TABLE user_audit_rights (
        user_key     BIGINT NOT NULL REFERENCES users(key) ON DELETE CASCADE,
        position     BIGINT NOT NULL,
        dimension    TEXT NOT NULL,
        from_code    TEXT NOT NULL,
        to_code      TEXT,
        amount_limit BIGINT CHECK (amount_limit >= 0),
        PRIMARY KEY (user_key, position)
    );
    ",
    },
    // 11: the roles administrators make (the built-in three live in the
    // program): name, description, and per permission its department and
    // office limits, one per line, empty for all.
    Migration {
        sqlite: r"
    CREATE TABLE roles (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        description   TEXT NOT NULL DEFAULT '',
        updated_at_ms INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX roles_by_name ON roles(lower(name));
    CREATE TABLE role_grants (
        role        TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
        permission  TEXT NOT NULL,
        departments TEXT NOT NULL DEFAULT '',
        offices     TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (role, permission)
    );
    ",
        postgres: r"
    CREATE TABLE roles (
        id            TEXT PRIMARY KEY,
        name          TEXT NOT NULL,
        description   TEXT NOT NULL DEFAULT '',
        updated_at_ms BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX roles_by_name ON roles(lower(name));
    CREATE TABLE role_grants (
        role        TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
        permission  TEXT NOT NULL,
        departments TEXT NOT NULL DEFAULT '',
        offices     TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (role, permission)
    );
    ",
    },
    // 12: finding the operator by login name without reading every user
    // (`Store::user_by_login` compares case-insensitively, so the indexes
    // are on the lowered field; the email's local part still reads all).
    Migration {
        sqlite: r"
    CREATE INDEX users_by_alias_login ON users(lower(alias_user_id));
    CREATE INDEX users_by_user_id_login ON users(lower(user_id));
    CREATE INDEX users_by_reference_login ON users(lower(external_reference));
    ",
        postgres: r"
    CREATE INDEX users_by_alias_login ON users(lower(alias_user_id));
    CREATE INDEX users_by_user_id_login ON users(lower(user_id));
    CREATE INDEX users_by_reference_login ON users(lower(external_reference));
    ",
    },
    // 13: each user's account at the identity provider (SCIM): the
    // provider's id, whether it is active, and the push that waits. A push
    // is wanted while `wanted > pushed`; a worker claims it under a lease
    // as the outbox's messages. The row outlives a deleted user until the
    // account is closed. Open windows hear of a push as of a user's change
    // (per row: a renewal that touches no row says nothing).
    Migration {
        sqlite: r"
    CREATE TABLE idp_accounts (
        user_key           INTEGER PRIMARY KEY,
        external_id        TEXT NOT NULL DEFAULT '',
        idp_id             TEXT,
        account            TEXT NOT NULL DEFAULT 'none'
                           CHECK (account IN ('none', 'active', 'deactivated')),
        wanted             INTEGER NOT NULL DEFAULT 0,
        pushed             INTEGER NOT NULL DEFAULT 0,
        failed             INTEGER NOT NULL DEFAULT 0 CHECK (failed IN (0, 1)),
        attempts           INTEGER NOT NULL DEFAULT 0,
        next_attempt_at_ms INTEGER NOT NULL DEFAULT 0,
        owner              TEXT,
        lease_until_ms     INTEGER,
        claimed            INTEGER,
        last_result        TEXT NOT NULL DEFAULT '',
        since_ms           INTEGER
    );
    CREATE INDEX idp_accounts_due ON idp_accounts(next_attempt_at_ms)
        WHERE wanted > pushed AND failed = 0;
    CREATE INDEX idp_accounts_by_owner ON idp_accounts(owner) WHERE owner IS NOT NULL;
        -- A register whose System administrator holds the role today has roles
    -- in force from now on, whatever becomes of that role.
    INSERT INTO settings (key, value) SELECT 'roles_in_force', 'true'
    WHERE EXISTS (SELECT 1 FROM user_roles WHERE role = 'system_administrator'
        AND coalesce(valid_from, 0) <= CAST(strftime('%Y%m%d', 'now', 'localtime') AS INTEGER)
        AND coalesce(valid_to, 99991231) >= CAST(strftime('%Y%m%d', 'now', 'localtime') AS INTEGER))
      AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'roles_in_force');
    ",
        postgres: r"
    CREATE TABLE idp_accounts (
        user_key           BIGINT PRIMARY KEY,
        external_id        TEXT NOT NULL DEFAULT '',
        idp_id             TEXT,
        account            TEXT NOT NULL DEFAULT 'none'
                           CHECK (account IN ('none', 'active', 'deactivated')),
        wanted             BIGINT NOT NULL DEFAULT 0,
        pushed             BIGINT NOT NULL DEFAULT 0,
        failed             BIGINT NOT NULL DEFAULT 0 CHECK (failed IN (0, 1)),
        attempts           BIGINT NOT NULL DEFAULT 0,
        next_attempt_at_ms BIGINT NOT NULL DEFAULT 0,
        owner              TEXT,
        lease_until_ms     BIGINT,
        claimed            BIGINT,
        last_result        TEXT NOT NULL DEFAULT '',
        since_ms           BIGINT
    );
    CREATE INDEX idp_accounts_due ON idp_accounts(next_attempt_at_ms)
        WHERE wanted > pushed AND failed = 0;
    CREATE INDEX idp_accounts_by_owner ON idp_accounts(owner) WHERE owner IS NOT NULL;
    CREATE TRIGGER idp_accounts_changed AFTER INSERT OR UPDATE OR DELETE ON idp_accounts
        FOR EACH ROW EXECUTE FUNCTION notify_users_changed();
        INSERT INTO settings (key, value) SELECT 'roles_in_force', 'true'
    WHERE EXISTS (SELECT 1 FROM user_roles WHERE role = 'system_administrator'
        AND coalesce(valid_from, 0) <= to_char(current_date, 'YYYYMMDD')::bigint
        AND coalesce(valid_to, 99991231) >= to_char(current_date, 'YYYYMMDD')::bigint)
      AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'roles_in_force');
    ",
    },
    // 14: the shared register enforces the roles itself: row-level
    // security keyed on the database session user's HRM user and their roles
    // valid today, guards on what a policy cannot see, the login that wrote
    // each audit row, and the group roles hrm_admins and hrm_serve (see
    // `policies.sql`). A register file's boundary is the file's permissions.
    Migration::postgres_only(include_str!("policies.sql")),
    // 15: on a shared register, the rows SQL cannot vouch for (see
    // [`USER_IN_DOUBT`]) are noted as they are written, in partial indexes,
    // so `db status` reads them without a pattern over every row (0.15 s
    // of 100,000 users; a register file reads every row in the program).
    Migration::postgres_only(concat!(
        "CREATE INDEX users_in_doubt ON users (key) WHERE ",
        user_in_doubt!(),
        ";\nCREATE INDEX connections_in_doubt ON connections (user_key) WHERE ",
        connection_in_doubt!(),
        ";\nCREATE INDEX outbox_in_doubt ON outbox (id) WHERE ",
        message_in_doubt!(),
        ";"
    )),
    // 16: on a shared register, department and office limits are checked
    // per row without a function call per list (see `limits.sql`).
    Migration::postgres_only(include_str!("limits.sql")),
    // 17: on a shared register, a user is found by login name through the
    // lower-case indexes also for a login the policies bind (see
    // `login_lookup.sql`).
    Migration::postgres_only(include_str!("login_lookup.sql")),
    // 18: the outbox's state index is split by what each reader asks: the
    // due messages in the order a worker claims them (no sort of every
    // queued message under its lock), the messages being sent by their
    // lease, and the messages that still wait by user (a bulk send adopts
    // its users' waiting ones by user). A statement's plan is made once,
    // on a shared register often while the outbox is still empty; with one
    // index on the state, a bulk send's batch of 200 users read every
    // queued message, ever more of them as the send went on.
    Migration {
        sqlite: OUTBOX_BY_STATE,
        postgres: OUTBOX_BY_STATE,
    },
    // 19: on a shared register, the login indexes are hash indexes of the
    // names there are (see `login_hash.sql`): an import's users cost less
    // to write. A register file keeps its B-trees (SQLite has no others).
    Migration::postgres_only(include_str!("login_hash.sql")),
    // 20: on a shared register, a limited administrator's rows are checked
    // against one pattern per grant by an expression PostgreSQL writes into
    // the policy, not a function call per row (see `limits_pattern.sql`).
    Migration::postgres_only(include_str!("limits_pattern.sql")),
    // 21: on a shared register, the functions that run with the owner's
    // rights search the session's temporary tables last, never in place of
    // the register's (see `definer_path.sql`).
    Migration::postgres_only(include_str!("definer_path.sql")),
    // 22: on a shared register, a connection's user is checked once per
    // statement by triggers, not once per row by a foreign key (see
    // `connection_users.sql`). A register file keeps its foreign key.
    Migration::postgres_only(include_str!("connection_users.sql")),
    // 23: on a shared register, the places of a statement's new users and
    // connections are checked once per place by triggers, not once per
    // row by the policies (see `place_checks.sql`). A register file has
    // no policies.
    Migration::postgres_only(include_str!("place_checks.sql")),
];

/// Migration 18, the same on both backends.
const OUTBOX_BY_STATE: &str = "DROP INDEX outbox_due;
    CREATE INDEX outbox_due ON outbox(next_attempt_at_ms, id) WHERE state = 'queued';
    CREATE INDEX outbox_sending ON outbox(lease_until_ms) WHERE state = 'sending';
    CREATE INDEX outbox_waiting ON outbox(user_key, kind) WHERE state IN ('queued', 'sending');";

/// [`user_in_doubt!`]: the users `db status` reads on a shared register.
pub const USER_IN_DOUBT: &str = user_in_doubt!();
/// [`connection_in_doubt!`].
pub const CONNECTION_IN_DOUBT: &str = connection_in_doubt!();
/// [`message_in_doubt!`].
pub const MESSAGE_IN_DOUBT: &str = message_in_doubt!();

/// What the group roles `hrm_admins` (each administrator's login is a
/// member) and `hrm_serve` (`serve`'s login) may touch; the policies of
/// migration 14 narrow it to each login's roles. Run by the owner after
/// every migration and by `db grant`; a group role that does not exist is
/// passed over.
pub const GRANTS: &str = r"
DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['hrm_admins', 'hrm_serve'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON users, connections, outbox,
                link_tokens, workers, idp_accounts, settings, roles, role_grants, user_roles,
                user_audit_rights, account_codes TO %I', name);
            EXECUTE format('GRANT SELECT, INSERT ON audit TO %I', name);
            EXECUTE format('GRANT SELECT ON hrm_register TO %I', name);
            EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I',
                current_schema(), name);
        END IF;
    END LOOP;
END $$;
";

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    // The list is a few entries long; the cast cannot truncate.
    #[allow(clippy::cast_possible_wrap)]
    let latest = MIGRATIONS.len() as i64;
    latest
}
