-- Migration 21 on PostgreSQL: the functions that decide who is working and
-- what they hold (SECURITY DEFINER, run with the owner's rights) read the
-- register's own tables, never a session's temporary ones. PostgreSQL
-- looks for a table in the session's temporary schema first unless the
-- search path names it, and any login may make temporary tables (a login
-- bound by the policies stages an import in them): with a temporary
-- `users` a login that was no HRM user passed for the System
-- administrator, with a temporary `user_roles` an HR administrator limited
-- to one office became one. Each such function's search path is now the
-- register's schema, then pg_temp (searched last, so never in place of a
-- register table); and no one but the schema's owner may create objects in
-- the register's schema (PostgreSQL 15's default; older servers let
-- everyone), so no one can put a function of the same name before ours.

DO $$
DECLARE
    definer regprocedure;
BEGIN
    FOR definer IN
        SELECT p.oid::regprocedure FROM pg_proc p
        WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', definer, current_schema());
    END LOOP;
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
END $$;
