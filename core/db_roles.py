"""Two database roles, so that nobody who holds the application's credentials can erase the
audit log (等保 level 3, security audit).

- The owner role owns the schema and runs the migrations (`manage.py migrate`) and the DBA
  work (backup, restore, `manage.py prune_audit`).
- The application role, which the web and the workers connect as, owns nothing. It reads and
  writes the business tables but may only add to the audit log: no UPDATE of an entry's
  content, no DELETE, no TRUNCATE, and as it owns no table it cannot disable the log's
  trigger; as it is no superuser it cannot set session_replication_role either.

`manage.py grant_app_role` applies these grants after every migrate (docker-compose's migrate
service and the test set-up run it); it is idempotent.
"""

from django.db import DatabaseError, transaction

AUDIT_TABLE = "core_auditentry"
# The application seals committed entries (core.audit_chain): these three columns only, and
# the log's trigger allows it only on an unsealed entry whose content stays as it was.
AUDIT_SEAL_COLUMNS = ("seq", "prev_hash", "hash")
READ_ONLY_TABLES = ("core_auditcheckpoint", "django_migrations")


def app_role_grants(role: str, quote) -> list[str]:
    r = quote(role)
    seal_columns = ", ".join(AUDIT_SEAL_COLUMNS)
    return [
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {r}",
        # Revoking a table privilege revokes its column privileges too: grant those after.
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {r}",
        f"GRANT UPDATE ({seal_columns}) ON {AUDIT_TABLE} TO {r}",
        *(
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {table} FROM {r}"
            for table in READ_ONLY_TABLES
        ),
        # Nothing else in the schema is the application's to truncate or hang triggers on.
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {r}",
    ]


def ensure_role(connection, role: str, password: str | None = None) -> None:
    """Create the application role if it does not exist (needs CREATEROLE)."""
    options = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    statement = f"CREATE ROLE {connection.ops.quote_name(role)} {options}"
    if password:
        statement += " PASSWORD %s"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            return
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(statement, [password] if password else None)
        except DatabaseError:
            # Another process created it between the check and here (parallel test workers).
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if not cursor.fetchone():
                raise


def grant_app_privileges(connection, role: str) -> None:
    with connection.cursor() as cursor:
        for statement in app_role_grants(role, connection.ops.quote_name):
            cursor.execute(statement)
