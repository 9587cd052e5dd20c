"""The candidate search folds Arabic script too: names and labels are found without their
diacritics and with the common spelling variants of a letter (issue #16).

`bridges_fold(text)` was `lower(unaccent(text))`; unaccent leaves Arabic untouched, so "الحَسَن"
(with short-vowel marks, as some write names) did not find "الحسن", nor "أحمد" "احمد". Now it
also drops the marks (tashkeel U+064B–U+065F, the superscript alef U+0670) and the tatweel
(U+0640, a stretching stroke), and writes the letter variants one way: أ إ آ ٱ → ا, ى → ي,
ؤ → و, ئ → ي, ة → ه (as search engines for Arabic do). Latin text folds as before.

The function is part of four GIN trigram indexes, so they are rebuilt with it.
"""

from django.db import migrations

MARKS = "".join(chr(code) for code in [*range(0x064B, 0x0660), 0x0670, 0x0640])
VARIANTS_FROM = "\u0623\u0625\u0622\u0671\u0649\u0624\u0626\u0629"  # أ إ آ ٱ ى ؤ ئ ة
VARIANTS_TO = "\u0627\u0627\u0627\u0627\u064a\u0648\u064a\u0647"  # ا ا ا ا ي و ي ه
INDEXES = ["candidate_search_trgm", "place_name_trgm", "occupation_label_trgm", "skill_label_trgm"]

FOLD_ARABIC = f"""
CREATE OR REPLACE FUNCTION {{schema}}.bridges_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate(lower({{schema}}.unaccent('{{schema}}.unaccent'::regdictionary, $1)),
                           '{VARIANTS_FROM}{MARKS}', '{VARIANTS_TO}') $$;
"""
# translate() maps the characters of its second argument to those of the third by position and drops
# those beyond its end: the variants come first and map one to one, the marks follow and are dropped.
FOLD_LATIN = """
CREATE OR REPLACE FUNCTION {schema}.bridges_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower({schema}.unaccent('{schema}.unaccent'::regdictionary, $1)) $$;
"""
REINDEX = "".join(f"REINDEX INDEX {{schema}}.{name};\n" for name in INDEXES)


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
    dependencies = [("candidates", "0009_list_order_indexes")]

    operations = [
        migrations.RunPython(
            _run_on_postgresql(FOLD_ARABIC + REINDEX), _run_on_postgresql(FOLD_LATIN + REINDEX), elidable=False
        ),
    ]
