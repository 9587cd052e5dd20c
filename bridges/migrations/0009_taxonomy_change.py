# A number that changes with every committed write to the taxonomy tables the matching
# vocabulary is made of (PostgreSQL only; the SQLite development mode compares their sizes).
#
# A statement trigger on each table stores the next value of a sequence in a one-row table.
# The row is written in the writing transaction, so a reader sees the new number exactly when
# it sees the change; the sequence never hands out a number twice, so the number never returns
# to an earlier value (not after a rollback, nor after the tables are emptied and filled anew).
# Unlike sizes and newest ids it also changes when a row is edited in place (a skill's reuse
# level, an occupation's ISCO group, an essential skill that became optional).
# A worker reads it with its other checks before a single-record run (matching/inputs_cache.py).

from django.db import migrations

TABLES = ("bridges_skill", "bridges_occupation", "bridges_occupationskill", "bridges_language", "bridges_region")

FORWARD_SQL = """
CREATE SEQUENCE IF NOT EXISTS {schema}.bridges_taxonomy_change_seq;
CREATE TABLE IF NOT EXISTS {schema}.bridges_taxonomy_change (
    id integer PRIMARY KEY CHECK (id = 1),
    change bigint NOT NULL
);
INSERT INTO {schema}.bridges_taxonomy_change (id, change)
VALUES (1, nextval('{schema}.bridges_taxonomy_change_seq')) ON CONFLICT (id) DO NOTHING;

CREATE OR REPLACE FUNCTION {schema}.bridges_taxonomy_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, {schema} AS $changed$
BEGIN
    INSERT INTO bridges_taxonomy_change (id, change) VALUES (1, nextval('bridges_taxonomy_change_seq'))
    ON CONFLICT (id) DO UPDATE SET change = EXCLUDED.change;
    RETURN NULL;
END
$changed$;
"""

TRIGGER_SQL = """
DROP TRIGGER IF EXISTS bridges_taxonomy_changed ON {schema}.{table};
CREATE TRIGGER bridges_taxonomy_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {schema}.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.bridges_taxonomy_changed();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS bridges_taxonomy_changed ON {schema}.{table};
"""

REVERSE_LAST_SQL = """
DROP FUNCTION IF EXISTS {schema}.bridges_taxonomy_changed();
DROP TABLE IF EXISTS {schema}.bridges_taxonomy_change;
DROP SEQUENCE IF EXISTS {schema}.bridges_taxonomy_change_seq;
"""


def _schema(cursor) -> str:
    cursor.execute("SELECT quote_ident(current_schema())")
    return cursor.fetchone()[0]


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        schema = _schema(cursor)
        cursor.execute(FORWARD_SQL.format(schema=schema))
        for table in TABLES:
            cursor.execute(TRIGGER_SQL.format(schema=schema, table=table))


def reverse(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        schema = _schema(cursor)
        for table in TABLES:
            cursor.execute(REVERSE_SQL.format(schema=schema, table=table))
        cursor.execute(REVERSE_LAST_SQL.format(schema=schema))


class Migration(migrations.Migration):
    dependencies = [
        ("bridges", "0008_user_session_epoch"),
    ]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
