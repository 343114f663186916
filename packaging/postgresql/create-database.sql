-- The database of a reception unit and its two roles, for `psql` as a superuser (or a
-- role with CREATEROLE and CREATEDB). See docs/server.md.
--
--   psql -v owner_password='…' -v app_password='…' -f create-database.sql
--
-- mottagning_owner owns the schema: only `mottagning db upgrade` signs in with it.
-- mottagning_app is what every desk, the importer and the alarm check sign in as: it reads
-- and writes rows, never changes the schema, and may only append to the audit log.
\set ON_ERROR_STOP on

CREATE ROLE mottagning_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE mottagning_app LOGIN PASSWORD :'app_password' CONNECTION LIMIT 200;
CREATE DATABASE mottagning OWNER mottagning_owner ENCODING 'UTF8' LOCALE 'C.UTF-8'
    TEMPLATE template0;

\connect mottagning
REVOKE ALL ON DATABASE mottagning FROM PUBLIC;
GRANT CONNECT ON DATABASE mottagning TO mottagning_app;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO mottagning_owner;
GRANT USAGE ON SCHEMA public TO mottagning_app;
-- Every table and sequence the migrations create is usable by the application role.
ALTER DEFAULT PRIVILEGES FOR ROLE mottagning_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mottagning_app;
ALTER DEFAULT PRIVILEGES FOR ROLE mottagning_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO mottagning_app;
