-- Migration 17 on PostgreSQL: a user found by login name through the
-- lower-case indexes, for a login the policies bind. Such a login's own
-- condition `lower(field) = lower(login)` runs after the policies (lower()
-- is not leakproof), so it could not use those indexes: opening the
-- register as an administrator's own login read every user once per login
-- field, 80 ms of 100,000 users, where the owner's lookups took none.
--
-- The key of the first user whose login field `field` (operator_field's
-- words) is `login`, without regard to case (for the email, its part
-- before the @); NULL for an empty login, or for another login's name
-- when the caller holds no role (a login may learn only who it is).
CREATE FUNCTION hrm_user_key_by_login(field text, login text) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    found bigint;
BEGIN
    IF login = '' OR NOT (lower(login) = lower(session_user::text COLLATE "default")
                          OR hrm_is_owner() OR hrm_has_role()) THEN
        RETURN NULL;
    END IF;
    -- min(key + 0): min(key) would let the planner walk every user in key
    -- order hoping for an early match.
    IF field = 'user_id' THEN
        SELECT min(key + 0) INTO found FROM users WHERE lower(user_id) = lower(login);
    ELSIF field = 'external_reference' THEN
        SELECT min(key + 0) INTO found FROM users WHERE lower(external_reference) = lower(login);
    ELSIF field = 'email' THEN
        SELECT min(key + 0) INTO found FROM users
        WHERE lower(substr(email, 1, length(login) + 1)) = lower(login) || '@';
    ELSE
        SELECT min(key + 0) INTO found FROM users WHERE lower(alias_user_id) = lower(login);
    END IF;
    RETURN found;
END $$;
