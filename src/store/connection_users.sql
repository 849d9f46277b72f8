-- Migration 22 on PostgreSQL: a connection's user is checked once per
-- statement, not once per row. A foreign key checks each new row by a
-- query of its own that locks the user's row (and writes that lock to the
-- WAL): in an import of 100,000 users that was 0.5-0.6 s of the
-- connections' COPY, about half of it. The same rules, kept by triggers:
--
-- * Added connections name users that exist: one query over the
--   statement's new rows. A user this transaction made cannot be removed
--   by anyone else before it commits; every other user named is locked
--   against removal until the transaction ends (FOR KEY SHARE, as the
--   foreign key locked it), and a user removed meanwhile is missing from
--   the count, so the statement fails as before (SQLSTATE 23503).
-- * A connection's user and a user's key never change (the program never
--   changes either; the foreign key allowed it only when nothing referred).
-- * Removing users removes their connections (ON DELETE CASCADE), with the
--   owner's rights as the foreign key's cascade had them.
--
-- The functions run with the owner's rights (the new rows' users may be
-- ones the login's policies hide); their search path is pinned below, as
-- migration 21 pinned the others'. The queries over a statement's rows
-- are planned for each statement (EXECUTE): a static query would keep the
-- plan made for the first count of rows in the session, and an import's
-- 100,000 looked up one by one took 0.18 s where a hash join takes 0.05 s,
-- while one Verify account wants its one row looked up by key.

ALTER TABLE connections DROP CONSTRAINT connections_user_key_fkey;

CREATE FUNCTION hrm_connections_have_users() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    named bigint;
    found bigint;
    locked bigint;
BEGIN
    -- (A statement's new connections name each user once: the key is the
    -- connection's own.)
    SELECT count(*) INTO named FROM hrm_added_connections;
    -- Users this transaction wrote (their row's xmin is its id): nobody
    -- else sees them, so nobody else can remove them.
    EXECUTE 'SELECT count(*) FROM hrm_added_connections n JOIN users u ON u.key = n.user_key
             WHERE u.xmin = xid(pg_current_xact_id())' INTO found;
    IF found < named THEN
        EXECUTE 'SELECT count(*) FROM (
                     SELECT 1 FROM hrm_added_connections n JOIN users u ON u.key = n.user_key
                     WHERE u.xmin <> xid(pg_current_xact_id())
                     FOR KEY SHARE OF u) still_there' INTO locked;
        found := found + locked;
    END IF;
    IF found < named THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'a connection names a user who is not in the register',
            TABLE = 'connections';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER connections_have_users AFTER INSERT ON connections
    REFERENCING NEW TABLE AS hrm_added_connections
    FOR EACH STATEMENT EXECUTE FUNCTION hrm_connections_have_users();

CREATE FUNCTION hrm_key_stays() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE foreign_key_violation USING
        MESSAGE = 'a user''s key and a connection''s user do not change',
        TABLE = TG_TABLE_NAME;
END $$;

CREATE TRIGGER users_key_stays BEFORE UPDATE ON users FOR EACH ROW
    WHEN (OLD.key IS DISTINCT FROM NEW.key) EXECUTE FUNCTION hrm_key_stays();
CREATE TRIGGER connections_user_stays BEFORE UPDATE ON connections FOR EACH ROW
    WHEN (OLD.user_key IS DISTINCT FROM NEW.user_key) EXECUTE FUNCTION hrm_key_stays();

CREATE FUNCTION hrm_connections_follow_users() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM connections;
    ELSE
        EXECUTE 'DELETE FROM connections c USING hrm_removed_users r WHERE c.user_key = r.key';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER users_take_their_connections AFTER DELETE ON users
    REFERENCING OLD TABLE AS hrm_removed_users
    FOR EACH STATEMENT EXECUTE FUNCTION hrm_connections_follow_users();
CREATE TRIGGER users_truncated_take_connections AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION hrm_connections_follow_users();

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION hrm_connections_have_users() SET search_path = %I, pg_temp',
                   current_schema());
    EXECUTE format('ALTER FUNCTION hrm_connections_follow_users() SET search_path = %I, pg_temp',
                   current_schema());
END $$;
