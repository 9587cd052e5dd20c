"""create_app_role: the PostgreSQL role the portal runs as, separate from the role that runs migrations."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction
from psycopg2 import sql

AUDIT_TABLE = "bridges_auditevent"
AUDIT_POLICY_TABLE = "bridges_audit_policy"
MIGRATIONS_TABLE = "django_migrations"
AUDIT_FUNCTIONS = ["bridges_audit_purge(timestamptz)", "bridges_audit_scrub(text, text)"]
# The one table the application role owns: a full match run empties it (TRUNCATE) and rebuilds its
# indexes and keys after the COPY (matching/writer.py), which only the owner of a table may do.
# Everything in it is derived: the engine writes it again on the next run.
ENGINE_TABLE = "matching_match"


def app_role_statements(
    *, role: str, database: str, schema: str, owner: str, engine_references: list[str]
) -> list[sql.Composable]:
    """The statements that make `role` the portal's application role (see docs/database-roles.md);
    `engine_references` are the tables the match table's foreign keys point to."""
    role_id, schema_id = sql.Identifier(role), sql.Identifier(schema)

    def table(name: str) -> sql.Composable:
        return sql.SQL("{}.{}").format(schema_id, sql.Identifier(name))

    statements = [
        # No superuser, no creating databases or roles, no bypassing row security: a login, nothing more.
        sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT").format(
            role_id
        ),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role_id),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema_id, role_id),
        # Data, not structure: no TRUNCATE, REFERENCES or TRIGGER, and no CREATE in the schema.
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema_id, role_id),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema_id, role_id),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema_id, role_id),
        # The audit trail: written, read, never changed or deleted (its two functions below excepted).
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(table(AUDIT_TABLE), role_id),
        # The retention floor and the record of migrations belong to the role that migrates.
        sql.SQL("REVOKE ALL ON {} FROM {}").format(table(AUDIT_POLICY_TABLE), role_id),
        sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(table(MIGRATIONS_TABLE), role_id),
        *(
            sql.SQL("GRANT EXECUTE ON FUNCTION {}.{} TO {}").format(schema_id, sql.SQL(function), role_id)
            for function in AUDIT_FUNCTIONS
        ),
        # The match table: owned by the application role (the engine rebuilds it); the role that
        # migrates is a member, so that migrations may still change it.
        sql.SQL("GRANT {} TO {}").format(role_id, sql.Identifier(owner)),
        # PostgreSQL asks for CREATE in the schema to build an index, even on one's own table. With
        # it the role could create tables of its own; it still cannot alter or drop anyone else's.
        sql.SQL("GRANT CREATE ON SCHEMA {} TO {}").format(schema_id, role_id),
        sql.SQL("ALTER TABLE {} OWNER TO {}").format(table(ENGINE_TABLE), role_id),
        sql.SQL("GRANT ALL ON {} TO {}").format(table(ENGINE_TABLE), role_id),  # after the REVOKE ALL above
        *(sql.SQL("GRANT REFERENCES ON {} TO {}").format(table(name), role_id) for name in engine_references),
        # Tables and sequences that later migrations create get the same rights.
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(sql.Identifier(owner), schema_id, role_id),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT USAGE, SELECT ON SEQUENCES TO {}").format(
            sql.Identifier(owner), schema_id, role_id
        ),
    ]
    return statements


def create_app_role(*, role: str, password: str | None = None, using: str = "default") -> bool:
    """Create (or bring up to date) the application role; True if it was created. Run as the role
    that runs migrations (it owns the tables), after `migrate`."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise CommandError("The application role is a PostgreSQL role; this database is not PostgreSQL.")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema(), current_user")
        database, schema, owner = cursor.fetchone()
        if role == owner:
            raise CommandError("The application role must not be the role that runs migrations.")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        created = cursor.fetchone() is None
        if created:
            cursor.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(role)))
        if password:
            cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
        cursor.execute(
            "SELECT DISTINCT referenced.relname FROM pg_constraint JOIN pg_class referenced "
            "ON referenced.oid = pg_constraint.confrelid WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY 1",
            [ENGINE_TABLE],
        )
        references = [name for (name,) in cursor.fetchall()]
        statements = app_role_statements(
            role=role, database=database, schema=schema, owner=owner, engine_references=references
        )
        for statement in statements:
            cursor.execute(statement)
    return created


class Command(BaseCommand):
    help = (
        "Create or update ROLE, the PostgreSQL role the portal (web, workers, beat) connects as, separate "
        "from the role that runs migrations. Run it as the migrating role (it owns the tables), after "
        "every `migrate`. Rules: the role can log in and owns only the match table (matching_match, "
        "which a full match run empties and rebuilds, for which it also needs CREATE in the schema; the "
        "migrating role becomes a member of the role); "
        "it may SELECT, INSERT, UPDATE and DELETE rows of the other tables and use their sequences, "
        "never TRUNCATE, ALTER or DROP them; "
        "on the audit table (bridges_auditevent) it may only SELECT and INSERT, and it removes or blanks "
        "entries only through bridges_audit_purge and bridges_audit_scrub; it cannot touch the retention "
        "floor (bridges_audit_policy) or the migration record. Tables of later migrations get the same "
        "rights. The password comes from the environment variable named by --password-env (default "
        "APP_DATABASE_PASSWORD), if set. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="Name of the application role, e.g. bridges_app.")
        parser.add_argument("--password-env", default="APP_DATABASE_PASSWORD", help="Variable with its password.")
        parser.add_argument("--database", default="default", help="Django database alias.")

    def handle(self, *args, role: str, password_env: str, database: str, **options) -> None:
        created = create_app_role(role=role, password=os.environ.get(password_env) or None, using=database)
        self.stdout.write(f"{'Created' if created else 'Updated'} the application role {role}.")
