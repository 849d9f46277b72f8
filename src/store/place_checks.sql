-- Migration 23 on PostgreSQL: an administrator limited to some departments
-- or offices has the places of a statement's new users and connections
-- checked once per place, not once per row. The policies users_add and
-- connections_add checked each new row against the operator's limits (a
-- connection by looking its user up): in an import of 100,000 users by an
-- HR administrator limited to eight offices that cost about 0.25 s of the
-- users' insert and 0.6 s of the connections' (psql, the same rows as a
-- System administrator's login). The same rules, kept by two statement
-- triggers over the statement's new rows:
--
-- * The policies now say who may add users or connections at all (the
--   permission somewhere, as the policies for changing them do).
-- * The triggers refuse the whole statement, with the register's refusal
--   (SQLSTATE 42501, as the policies), when one of its new rows is a user,
--   or names a user, outside every place the operator's roles cover. Each
--   distinct department and office is matched once against the patterns
--   of hrm_limits (migration 20); an import has a few dozen.
-- * The owner, serve (for connections, which it makes when a link is
--   confirmed) and an operator who may everywhere pass without a look.
--
-- The functions run with the owner's rights (a connection's user may be
-- one the login's policies hide); their search path is pinned below, as
-- migration 21 pinned the others'. The connections' query is planned for
-- each statement, as migration 22's are (one row by its key, an import's
-- by a hash join).

ALTER POLICY users_add ON users
    WITH CHECK ((SELECT hrm_may('{users_edit,import_export}')));

ALTER POLICY connections_add ON connections
    WITH CHECK ((SELECT hrm_is_serve())
                OR (SELECT hrm_may('{users_edit,verify_accounts,import_export}')));

CREATE FUNCTION hrm_users_in_places() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    limits text[];
BEGIN
    IF hrm_is_owner() OR hrm_may_everywhere('{users_edit,import_export}') THEN
        RETURN NULL;
    END IF;
    limits := hrm_limits('{users_edit,import_export}');
    -- OFFSET 0: the match is made once per place, not pushed down to
    -- each row below the DISTINCT (100,000 matches took 0.33 s).
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT department, office FROM hrm_added_users
                              OFFSET 0) AS place
               WHERE NOT hrm_within(limits, place.department, place.office)) THEN
        PERFORM hrm_refuse('adding a user outside the departments and offices your roles cover');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER users_in_places AFTER INSERT ON users
    REFERENCING NEW TABLE AS hrm_added_users
    FOR EACH STATEMENT EXECUTE FUNCTION hrm_users_in_places();

CREATE FUNCTION hrm_connections_in_places() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    limits text[];
    outside boolean;
BEGIN
    IF hrm_is_owner() OR hrm_is_serve()
       OR hrm_may_everywhere('{users_edit,verify_accounts,import_export}') THEN
        RETURN NULL;
    END IF;
    limits := hrm_limits('{users_edit,verify_accounts,import_export}');
    -- A connection whose user is missing is migration 22's to refuse.
    EXECUTE 'SELECT EXISTS (
                 SELECT 1 FROM (SELECT DISTINCT u.department, u.office
                                FROM hrm_added_connections n JOIN users u ON u.key = n.user_key
                                OFFSET 0) AS place
                 WHERE NOT hrm_within($1, place.department, place.office))'
        INTO outside USING limits;
    IF outside THEN
        PERFORM hrm_refuse('adding a connection for a user outside the departments and offices your roles cover');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER connections_in_places AFTER INSERT ON connections
    REFERENCING NEW TABLE AS hrm_added_connections
    FOR EACH STATEMENT EXECUTE FUNCTION hrm_connections_in_places();

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION hrm_users_in_places() SET search_path = %I, pg_temp',
                   current_schema());
    EXECUTE format('ALTER FUNCTION hrm_connections_in_places() SET search_path = %I, pg_temp',
                   current_schema());
END $$;
