-- Run after every `mottagning db upgrade` (as mottagning_owner or a superuser, on the
-- unit's database); harmless to run again. See docs/server.md.
--
--   psql -d mottagning -f after-upgrade.sql
\set ON_ERROR_STOP on

-- The audit log is append-only for the application: an event, once written, is never
-- changed or removed by the program (the hash chain would show it; this stops it).
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM mottagning_app;
-- The schema's version is the owner's business.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM mottagning_app;
