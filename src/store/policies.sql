-- Migration 14 on PostgreSQL: the register enforces the roles itself.
--
-- Each administrator connects with a login of their own, a member of the
-- group role hrm_admins; `serve` with a login in hrm_serve. The operator is
-- the HRM user whose login field (the setting operator_field) is the
-- database session user. Row-level security lets each login read and
-- write what their roles valid today permit, with their department and
-- office limits, as the program does; triggers guard what a policy cannot
-- see (which columns change). The owner of the tables (who migrates, runs
-- `db copy` and `roles recover`) is not bound by the policies.

-- Who is working ------------------------------------------------------------
-- The functions are PL/pgSQL (a SQL function that cannot be inlined is
-- planned on every call) with generic plans (their lookups take the login
-- as a parameter: planned anew on each call, they cost four times as much).


CREATE FUNCTION hrm_is_owner() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN pg_has_role(session_user,
        (SELECT relowner FROM pg_class WHERE oid = 'users'::regclass), 'USAGE');
END $$;

CREATE FUNCTION hrm_is_serve() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hrm_serve')
        AND pg_has_role(session_user, 'hrm_serve', 'MEMBER');
END $$;

-- The HRM user whose login field is the session user (none: NULL).
CREATE FUNCTION hrm_operator() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    field text := coalesce((SELECT value FROM settings WHERE key = 'operator_field'), 'alias_user_id');
    login text := session_user;
    found bigint;
BEGIN
    -- min(key), not ORDER BY key LIMIT 1: the planner must not walk the
    -- keys in order hoping for an early match (a scan of every user).
    IF field = 'user_id' THEN
        SELECT min(key) INTO found FROM users WHERE lower(user_id) = lower(login);
    ELSIF field = 'external_reference' THEN
        SELECT min(key) INTO found FROM users WHERE lower(external_reference) = lower(login);
    ELSIF field = 'email' THEN
        SELECT min(key) INTO found FROM users
        WHERE lower(substr(email, 1, length(login) + 1)) = lower(login) || '@';
    ELSE
        SELECT min(key) INTO found FROM users WHERE lower(alias_user_id) = lower(login);
    END IF;
    RETURN found;
END $$;

-- Today, as YYYYMMDD, in the register's time zone (UTC when it has none
-- this server knows): one day for every client, by the server's clock.
CREATE FUNCTION hrm_today() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    zone text := nullif(trim(coalesce((SELECT value FROM settings WHERE key = 'time_zone'), '')), '');
BEGIN
    -- A zone is checked when it is saved (settings_guard), so this needs no
    -- exception block (which would cost a subtransaction on every call).
    RETURN to_char(now() AT TIME ZONE coalesce(zone, 'UTC'), 'YYYYMMDD')::bigint;
END $$;

-- Roles are in force once someone held System administrator.
CREATE FUNCTION hrm_enforced() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    today bigint := hrm_today();
BEGIN
    RETURN coalesce((SELECT value = 'true' FROM settings WHERE key = 'roles_in_force'), false)
        OR EXISTS (SELECT 1 FROM user_roles WHERE role = 'system_administrator'
                   AND coalesce(valid_from, 0) <= today
                   AND coalesce(valid_to, 99991231) >= today);
END $$;

-- Every role's grants: the built-in three (as the program has them) and
-- the roles administrators made. Limits are lists, one per line, '' = all.
CREATE FUNCTION hrm_role_grants() RETURNS TABLE (role text, permission text, departments text, offices text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN QUERY
    SELECT r.role, r.permission, r.departments, r.offices FROM role_grants r
    UNION ALL
    SELECT b.role, b.permission, '', '' FROM (VALUES
        ('system_administrator', 'users_read'), ('system_administrator', 'users_edit'),
        ('system_administrator', 'verify_accounts'), ('system_administrator', 'import_export'),
        ('system_administrator', 'settings'), ('system_administrator', 'roles'),
        ('hr_administrator', 'users_edit'), ('hr_administrator', 'verify_accounts'),
        ('hr_administrator', 'import_export'),
        ('read_only', 'users_read')) AS b (role, permission);
END $$;

-- The operator's grants valid today, each with the role's and the
-- assignment's limits.
CREATE FUNCTION hrm_operator_grants()
RETURNS TABLE (permission text, departments text, offices text, held_departments text, held_offices text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    me bigint := hrm_operator();
    today bigint := hrm_today();
BEGIN
    RETURN QUERY
    SELECT g.permission, g.departments, g.offices, a.departments, a.offices
    FROM user_roles a JOIN hrm_role_grants() g ON g.role = a.role
    WHERE a.user_key = me
      AND coalesce(a.valid_from, 0) <= today
      AND coalesce(a.valid_to, 99991231) >= today;
END $$;

-- True when a list of departments or offices covers `place`.
CREATE FUNCTION hrm_covers(list text, place text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT trim(list) = '' OR EXISTS (
        SELECT 1 FROM unnest(string_to_array(list, E'\n')) AS item
        WHERE lower(trim(item)) = lower(trim(place)))
$$;

CREATE FUNCTION hrm_includes(held text, wanted text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT held = wanted OR (held = 'users_edit' AND wanted = 'users_read')
$$;

-- True when the built-in role `role` permits `permission` (as the program
-- has them; an inlined expression, no lookup).
CREATE FUNCTION hrm_builtin_permits(role text, permission text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE role
        WHEN 'system_administrator' THEN true
        WHEN 'hr_administrator' THEN permission IN ('users_read', 'users_edit', 'verify_accounts', 'import_export')
        WHEN 'read_only' THEN permission = 'users_read'
        ELSE false
    END
$$;

-- The operator holds any role today (or roles are not in force yet).
CREATE FUNCTION hrm_has_role() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    me bigint := hrm_operator();
    today bigint;
BEGIN
    IF me IS NULL THEN
        RETURN false;
    END IF;
    today := hrm_today();
    RETURN EXISTS (SELECT 1 FROM user_roles WHERE user_key = me
                   AND coalesce(valid_from, 0) <= today AND coalesce(valid_to, 99991231) >= today)
        OR NOT hrm_enforced();
END $$;

-- The operator holds one of `wanted` today (or roles are not in force
-- yet): somewhere, or with `everywhere` with no limits at all. One query:
-- the operator's roles valid today that permit it, built in or made by
-- administrators.
CREATE FUNCTION hrm_holds(wanted text[], everywhere boolean) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    me bigint := hrm_operator();
    today bigint;
BEGIN
    IF me IS NULL THEN
        RETURN false;
    END IF;
    IF NOT hrm_enforced() THEN
        RETURN true;
    END IF;
    today := hrm_today();
    RETURN EXISTS (
        SELECT 1 FROM user_roles a, unnest(wanted) w
        WHERE a.user_key = me
          AND coalesce(a.valid_from, 0) <= today AND coalesce(a.valid_to, 99991231) >= today
          AND (NOT everywhere OR (trim(a.departments) = '' AND trim(a.offices) = ''))
          AND (hrm_builtin_permits(a.role, w)
               OR EXISTS (SELECT 1 FROM role_grants g
                          WHERE g.role = a.role AND hrm_includes(g.permission, w)
                            AND (NOT everywhere
                                 OR (trim(g.departments) = '' AND trim(g.offices) = '')))));
END $$;

-- The operator holds one of `wanted` somewhere.
CREATE FUNCTION hrm_may(wanted text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT hrm_holds(wanted, false) $$;

-- The operator holds one of `wanted` with no limits at all.
CREATE FUNCTION hrm_may_everywhere(wanted text[]) RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT hrm_holds(wanted, true) $$;

-- The operator holds one of `wanted` for a user in this department and office.
CREATE FUNCTION hrm_may_for(wanted text[], department text, office text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF hrm_operator() IS NULL THEN
        RETURN false;
    END IF;
    RETURN NOT hrm_enforced() OR EXISTS (
        SELECT 1 FROM hrm_operator_grants() g, unnest(wanted) w
        WHERE hrm_includes(g.permission, w)
          AND hrm_covers(g.departments, department) AND hrm_covers(g.offices, office)
          AND hrm_covers(g.held_departments, department) AND hrm_covers(g.held_offices, office));
END $$;

-- The same for the user `user_key` (where they are saved now).
CREATE FUNCTION hrm_may_user(wanted text[], target bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    place record;
BEGIN
    SELECT department, office INTO place FROM users WHERE key = target;
    IF NOT FOUND THEN
        RETURN hrm_may_everywhere(wanted);
    END IF;
    RETURN hrm_may_for(wanted, place.department, place.office);
END $$;

-- The operator's limits for any of `wanted` today, one element per grant:
-- the role's departments and offices and the assignment's, joined by tabs
-- ('			' covers everything; none: not permitted). Computed once per
-- statement as (SELECT hrm_limits(…)), then checked per row by the pure
-- hrm_within, so an import by a limited administrator costs no lookup per
-- row.
CREATE FUNCTION hrm_limits(wanted text[]) RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF hrm_operator() IS NULL THEN
        RETURN '{}';
    END IF;
    IF NOT hrm_enforced() THEN
        RETURN ARRAY[E'\t\t\t'];
    END IF;
    RETURN coalesce((
        SELECT array_agg(g.departments || E'\t' || g.offices || E'\t'
                         || g.held_departments || E'\t' || g.held_offices)
        FROM hrm_operator_grants() g, unnest(wanted) w
        WHERE hrm_includes(g.permission, w)), '{}');
END $$;

-- True when one of `limits` (from hrm_limits) covers this department and office.
CREATE FUNCTION hrm_within(limits text[], department text, office text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    grant_limits text;
    parts text[];
BEGIN
    FOREACH grant_limits IN ARRAY limits LOOP
        parts := string_to_array(grant_limits, E'\t');
        IF hrm_listed(parts[1], department) AND hrm_listed(parts[2], office)
           AND hrm_listed(parts[3], department) AND hrm_listed(parts[4], office) THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$;

-- hrm_covers without a query: a list (one per line, '' = all) names `place`.
CREATE FUNCTION hrm_listed(list text, place text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    item text;
BEGIN
    IF coalesce(trim(list), '') = '' THEN
        RETURN true;
    END IF;
    FOREACH item IN ARRAY string_to_array(list, E'\n') LOOP
        IF lower(trim(item)) = lower(trim(place)) THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$;

CREATE FUNCTION hrm_refuse(what text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the register refused: %', what
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Your database login (' || session_user || ') does not hold a role that permits this.';
END $$;

-- Guards on what a policy cannot see ---------------------------------------

-- A user's own fields change only with Users edit (or Import) where the
-- user is and goes; the login field of someone holding a role only with
-- Roles as well. A change of updated_at_ms alone (a stamp that tells other
-- windows to read again) passes: the policy decided who may stamp.
CREATE FUNCTION hrm_users_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    field text;
    limits text[];
BEGIN
    IF hrm_is_owner() THEN
        RETURN NEW;
    END IF;
    IF NOT hrm_may_everywhere('{users_edit,import_export}') THEN
        -- The operator's limits, read once for both places.
        limits := hrm_limits('{users_edit,import_export}');
        IF NOT (hrm_within(limits, OLD.department, OLD.office)
                AND hrm_within(limits, NEW.department, NEW.office)) THEN
            PERFORM hrm_refuse('changing user ' || OLD.user_id);
        END IF;
    END IF;
    field := coalesce((SELECT value FROM settings WHERE key = 'operator_field'), 'alias_user_id');
    IF ((field = 'user_id' AND lower(OLD.user_id) <> lower(NEW.user_id))
        OR (field = 'external_reference' AND lower(OLD.external_reference) <> lower(NEW.external_reference))
        OR (field = 'email' AND lower(OLD.email) <> lower(NEW.email))
        OR (field = 'alias_user_id' AND lower(OLD.alias_user_id) <> lower(NEW.alias_user_id)))
       AND EXISTS (SELECT 1 FROM user_roles WHERE user_key = OLD.key)
       AND NOT hrm_may('{roles}') THEN
        PERFORM hrm_refuse('the login field of a user holding a role changes only with Roles');
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER users_guard BEFORE UPDATE ON users FOR EACH ROW
    WHEN ((OLD.user_id, OLD.activated, OLD.alias_user_id, OLD.signature, OLD.card_tag_id,
           OLD.external_reference, OLD.email, OLD.first_name, OLD.last_name,
           OLD.department, OLD.office, OLD.employment_ends)
          IS DISTINCT FROM
          (NEW.user_id, NEW.activated, NEW.alias_user_id, NEW.signature, NEW.card_tag_id,
           NEW.external_reference, NEW.email, NEW.first_name, NEW.last_name,
           NEW.department, NEW.office, NEW.employment_ends))
    EXECUTE FUNCTION hrm_users_guard();

-- A connection's address and state change only where the operator may
-- change users; a delivery's counts are any worker's to write.
CREATE FUNCTION hrm_connections_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF hrm_is_owner() OR hrm_is_serve() THEN
        RETURN NEW;
    END IF;
    IF NOT (hrm_may_everywhere('{users_edit,verify_accounts,import_export}')
            OR hrm_may_user('{users_edit,verify_accounts,import_export}', OLD.user_key)) THEN
        PERFORM hrm_refuse('changing a connection');
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER connections_guard BEFORE UPDATE ON connections FOR EACH ROW
    WHEN ((OLD.user_key, OLD.email, OLD.email_key, OLD.state, OLD.connected_at_ms,
           OLD.connected_by, OLD.saved_at_ms)
          IS DISTINCT FROM
          (NEW.user_key, NEW.email, NEW.email_key, NEW.state, NEW.connected_at_ms,
           NEW.connected_by, NEW.saved_at_ms))
    EXECUTE FUNCTION hrm_connections_guard();

-- Nobody gives a role that permits more than they hold themselves; the
-- first System administrator is someone giving the role to themselves.
CREATE FUNCTION hrm_user_roles_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF hrm_is_owner() THEN
        RETURN NEW;
    END IF;
    IF NEW.role = 'system_administrator' THEN
        IF NOT hrm_enforced() THEN
            IF NEW.user_key IS DISTINCT FROM hrm_operator() THEN
                PERFORM hrm_refuse('the first System administrator is the person giving the role, to themselves');
            END IF;
        ELSIF NOT EXISTS (SELECT 1 FROM user_roles WHERE user_key = hrm_operator()
                          AND role = 'system_administrator'
                          AND coalesce(valid_from, 0) <= hrm_today()
                          AND coalesce(valid_to, 99991231) >= hrm_today()) THEN
            PERFORM hrm_refuse('only a System administrator gives System administrator');
        END IF;
    ELSIF hrm_enforced() AND EXISTS (
            SELECT 1 FROM hrm_role_grants() g
            WHERE g.role = NEW.role AND NOT hrm_may(ARRAY[g.permission])) THEN
        PERFORM hrm_refuse('giving role ' || NEW.role || ', which permits more than you hold');
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER user_roles_guard BEFORE INSERT OR UPDATE ON user_roles FOR EACH ROW
    EXECUTE FUNCTION hrm_user_roles_guard();

-- The register's time zone must be one this server knows: checked when it
-- is saved, so that working out today never fails.
CREATE FUNCTION hrm_settings_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.key = 'time_zone' AND trim(NEW.value) <> '' THEN
        BEGIN
            PERFORM now() AT TIME ZONE trim(NEW.value);
        EXCEPTION WHEN others THEN
            IF NOT hrm_is_owner() THEN
                RAISE EXCEPTION 'the database server does not know the time zone %', NEW.value
                    USING ERRCODE = 'check_violation';
            END IF;
            -- The zone noted at migration: one the server does not know is
            -- left out (UTC), rather than the register not opening.
            NEW.value := '';
        END;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER settings_guard BEFORE INSERT OR UPDATE ON settings FOR EACH ROW
    EXECUTE FUNCTION hrm_settings_guard();

-- Every audit row names the database login that wrote it (`db_login`,
-- by default the session user); a login bound by the policies cannot name
-- another (audit_append below), the owner may (a copied register keeps its
-- own). A policy rather than a trigger: an import writes 100,000 rows.
ALTER TABLE audit ADD COLUMN db_login TEXT;
ALTER TABLE audit ALTER COLUMN db_login SET DEFAULT session_user;

-- The built-in roles live in the program: no row may take their ids.
ALTER TABLE roles ADD CONSTRAINT roles_not_built_in
    CHECK (id NOT IN ('system_administrator', 'hr_administrator', 'read_only')) NOT VALID;

-- The policies -------------------------------------------------------------
-- (SELECT f()) is computed once per statement; the per-row test after OR
-- runs only for an operator whose grants have limits.

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_read ON users FOR SELECT
    USING ((SELECT hrm_has_role()) OR key = (SELECT hrm_operator()) OR (SELECT hrm_is_serve()));
CREATE POLICY users_add ON users FOR INSERT
    WITH CHECK ((SELECT hrm_may_everywhere('{users_edit,import_export}'))
                OR hrm_within((SELECT hrm_limits('{users_edit,import_export}')), department, office));
CREATE POLICY users_change ON users FOR UPDATE
    USING ((SELECT hrm_may('{users_edit,import_export,verify_accounts,roles}')) OR (SELECT hrm_is_serve()));
CREATE POLICY users_remove ON users FOR DELETE
    USING ((SELECT hrm_may_everywhere('{users_edit}'))
           OR hrm_within((SELECT hrm_limits('{users_edit}')), department, office));

ALTER TABLE connections ENABLE ROW LEVEL SECURITY;
CREATE POLICY connections_read ON connections FOR SELECT
    USING ((SELECT hrm_has_role()) OR user_key = (SELECT hrm_operator()) OR (SELECT hrm_is_serve()));
CREATE POLICY connections_add ON connections FOR INSERT
    WITH CHECK ((SELECT hrm_is_serve())
                OR (SELECT hrm_may_everywhere('{users_edit,verify_accounts,import_export}'))
                OR EXISTS (SELECT 1 FROM users u WHERE u.key = user_key
                           AND hrm_within((SELECT hrm_limits('{users_edit,verify_accounts,import_export}')),
                                          u.department, u.office)));
CREATE POLICY connections_change ON connections FOR UPDATE
    USING ((SELECT hrm_is_serve()) OR (SELECT hrm_may('{users_edit,verify_accounts,import_export}')));
CREATE POLICY connections_remove ON connections FOR DELETE
    USING ((SELECT hrm_is_serve())
           OR (SELECT hrm_may_everywhere('{users_edit,verify_accounts,import_export}'))
           OR hrm_may_user('{users_edit,verify_accounts,import_export}', user_key));

-- Delivery's tables: any login that may send (a window's worker) and serve.
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY outbox_read ON outbox FOR SELECT
    USING ((SELECT hrm_has_role()) OR (SELECT hrm_is_serve()));
CREATE POLICY outbox_add ON outbox FOR INSERT
    WITH CHECK ((SELECT hrm_may('{users_edit,verify_accounts,import_export}')) OR (SELECT hrm_is_serve()));
CREATE POLICY outbox_change ON outbox FOR UPDATE
    USING ((SELECT hrm_may('{users_edit,verify_accounts,import_export}')) OR (SELECT hrm_is_serve()));

ALTER TABLE link_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY link_tokens_all ON link_tokens
    USING ((SELECT hrm_may('{users_edit,verify_accounts,import_export}')) OR (SELECT hrm_is_serve()));

ALTER TABLE workers ENABLE ROW LEVEL SECURITY;
CREATE POLICY workers_read ON workers FOR SELECT
    USING ((SELECT hrm_has_role()) OR (SELECT hrm_is_serve()));
CREATE POLICY workers_own ON workers FOR INSERT
    WITH CHECK ((SELECT hrm_may('{users_edit,verify_accounts,import_export}')) OR (SELECT hrm_is_serve()));
CREATE POLICY workers_change ON workers FOR UPDATE
    USING ((SELECT hrm_may('{users_edit,verify_accounts,import_export}')) OR (SELECT hrm_is_serve()));
CREATE POLICY workers_remove ON workers FOR DELETE
    USING ((SELECT hrm_may('{users_edit,verify_accounts,import_export}')) OR (SELECT hrm_is_serve()));

ALTER TABLE idp_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY idp_accounts_read ON idp_accounts FOR SELECT
    USING ((SELECT hrm_has_role()) OR (SELECT hrm_is_serve()));
CREATE POLICY idp_accounts_write ON idp_accounts FOR ALL
    USING ((SELECT hrm_may('{users_edit,verify_accounts,import_export,settings}')) OR (SELECT hrm_is_serve()));

-- The audit log: read by role holders, appended to by anyone working
-- (a refusal is audited too); never changed (its triggers, and no grant).
ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON audit FOR SELECT USING ((SELECT hrm_has_role()));
CREATE POLICY audit_append ON audit FOR INSERT
    WITH CHECK (db_login = session_user
                AND ((SELECT hrm_operator()) IS NOT NULL OR (SELECT hrm_is_serve())));

-- Settings: read by every HRM user and serve; changed with Settings. The
-- mark that roles are in force is set with Roles and taken away by no one
-- but the owner.
ALTER TABLE settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY settings_read ON settings FOR SELECT
    USING ((SELECT hrm_operator()) IS NOT NULL OR (SELECT hrm_is_serve()));
CREATE POLICY settings_add ON settings FOR INSERT
    WITH CHECK ((key <> 'roles_in_force' AND (SELECT hrm_may('{settings}')))
                OR (key = 'roles_in_force' AND value = 'true' AND (SELECT hrm_may('{roles,settings}'))));
CREATE POLICY settings_change ON settings FOR UPDATE
    USING ((SELECT hrm_may('{settings}')) OR (key = 'roles_in_force' AND (SELECT hrm_may('{roles}'))))
    WITH CHECK ((key <> 'roles_in_force' AND (SELECT hrm_may('{settings}')))
                OR (key = 'roles_in_force' AND value = 'true'));
CREATE POLICY settings_remove ON settings FOR DELETE
    USING (key <> 'roles_in_force' AND (SELECT hrm_may('{settings}')));

-- Roles and who holds them: changed with Roles, within the giver's limits.
ALTER TABLE roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY roles_read ON roles FOR SELECT
    USING ((SELECT hrm_operator()) IS NOT NULL OR (SELECT hrm_is_serve()));
CREATE POLICY roles_write ON roles FOR ALL USING ((SELECT hrm_may('{roles}')));

ALTER TABLE role_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY role_grants_read ON role_grants FOR SELECT
    USING ((SELECT hrm_operator()) IS NOT NULL OR (SELECT hrm_is_serve()));
CREATE POLICY role_grants_write ON role_grants FOR ALL USING ((SELECT hrm_may('{roles}')));

ALTER TABLE user_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_roles_read ON user_roles FOR SELECT
    USING ((SELECT hrm_has_role()) OR user_key = (SELECT hrm_operator()) OR (SELECT hrm_is_serve()));
CREATE POLICY user_roles_write ON user_roles FOR ALL
    USING ((SELECT hrm_may_everywhere('{roles}')) OR hrm_may_user('{roles}', user_key));

ALTER TABLE user_audit_rights ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_audit_rights_read ON user_audit_rights FOR SELECT USING ((SELECT hrm_has_role()));
CREATE POLICY user_audit_rights_write ON user_audit_rights FOR ALL
    USING ((SELECT hrm_may_everywhere('{roles}')) OR hrm_may_user('{roles}', user_key));

ALTER TABLE account_codes ENABLE ROW LEVEL SECURITY;
CREATE POLICY account_codes_read ON account_codes FOR SELECT USING ((SELECT hrm_has_role()));
CREATE POLICY account_codes_write ON account_codes FOR ALL
    USING ((SELECT hrm_may('{import_export}')));

-- The group roles and what they may touch (the policies narrow it). A
-- database owner that may not make roles is told so; the README's lines
-- make them first, and the next migration or `db grant` grants.
DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['hrm_admins', 'hrm_serve'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', name);
            EXCEPTION
                WHEN duplicate_object OR unique_violation THEN NULL;
                WHEN insufficient_privilege THEN
                    RAISE NOTICE 'role % was not made: this login may not make roles', name;
            END;
        END IF;
    END LOOP;
END $$;
