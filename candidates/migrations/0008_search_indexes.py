"""Candidate search on PostgreSQL: accents and case folded, substrings found through trigram indexes.

`bridges_fold(text)` is `lower(unaccent(text))` declared IMMUTABLE (unaccent itself is only
STABLE, as its dictionary could change), so that it may be indexed. The search compares
`bridges_fold(column) LIKE '%' || bridges_fold(word) || '%'` (candidates/selectors.py); the GIN
trigram indexes below answer that without reading every row: the candidate's name, e-mail and
phone (one document per candidate), the town's name, and the occupation and skill labels (some
228,000 rows with ESCO in German and English), whose matching ids lead to the candidates
through the indexed link tables.

Both extensions are trusted: the database owner may create them. On SQLite nothing happens;
the search falls back to case-insensitive `LIKE`.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FORWARD_SQL = """
CREATE OR REPLACE FUNCTION {schema}.bridges_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$;
CREATE INDEX IF NOT EXISTS candidate_search_trgm ON {schema}.candidates_candidate
    USING gin ({schema}.bridges_fold(first_name || ' ' || last_name || ' ' || email || ' ' || phone) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS place_name_trgm ON {schema}.bridges_place
    USING gin ({schema}.bridges_fold(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS occupation_label_trgm ON {schema}.bridges_occupationlabel
    USING gin ({schema}.bridges_fold(text) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS skill_label_trgm ON {schema}.bridges_skilllabel
    USING gin ({schema}.bridges_fold(text) gin_trgm_ops);
"""

REVERSE_SQL = """
DROP INDEX IF EXISTS {schema}.candidate_search_trgm;
DROP INDEX IF EXISTS {schema}.place_name_trgm;
DROP INDEX IF EXISTS {schema}.occupation_label_trgm;
DROP INDEX IF EXISTS {schema}.skill_label_trgm;
DROP FUNCTION IF EXISTS {schema}.bridges_fold(text);
"""


def _run_on_postgresql(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT quote_ident(current_schema())")
            (schema,) = cursor.fetchone()
            cursor.execute(sql.format(schema=schema))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("bridges", "0008_user_session_epoch"),
        ("candidates", "0007_retention_and_erasure"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(_run_on_postgresql(FORWARD_SQL), _run_on_postgresql(REVERSE_SQL), elidable=False),
    ]
