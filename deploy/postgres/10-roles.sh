#!/bin/sh
# First start of the database container only (docker-entrypoint-initdb.d): the owner role,
# which owns the database and runs the migrations, and the application role, which owns
# nothing and is what the web and the workers connect as (core/db_roles.py). The superuser
# (POSTGRES_USER) is the DBA's and is used by nothing of the application.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    --set owner_password="$OWNER_PASSWORD" --set app_password="$APP_PASSWORD" <<'SQL'
CREATE ROLE qingqian_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE qingqian_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';
CREATE DATABASE qingqian OWNER qingqian_owner ENCODING 'UTF8' TEMPLATE template0;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname qingqian <<'SQL'
ALTER SCHEMA public OWNER TO qingqian_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
