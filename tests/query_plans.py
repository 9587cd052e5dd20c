"""The plans PostgreSQL makes for what a piece of code reads: for tests that a page's queries read
the indexes made for them. The test tables are tiny, where reading a table whole is cheaper than any
index, so sequential reads (and, where asked, sorts) are priced out first, and the tables named in
`analyze` get their statistics first (as the owner: such a test is marked `owner_role`): without them
two indexes that both fit a query cost the same and PostgreSQL takes either. A test gives its index
the fewest rows to read, as at scale."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connection
from django.test.utils import CaptureQueriesContext


def query_plans(read: Callable[[], object], *, sort: bool = True, analyze: Sequence[str] = ()) -> list[str]:
    """EXPLAIN of each SELECT `read()` sends, in order; `sort=False` prices out sorting too."""
    with CaptureQueriesContext(connection) as queries:
        read()
    statements = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT")]
    plans = []
    with connection.cursor() as cursor:
        for table in analyze:
            # Only the tables' owner may: PostgreSQL skips the table for anyone else, with a warning.
            cursor.execute(
                "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass", [table]
            )
            if not cursor.fetchone()[0]:
                raise AssertionError(f"{table} can be analysed by its owner only: mark the test owner_role")
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        for sql in statements:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def plan_of_last_query(read: Callable[[], object], *, sort: bool = True, analyze: Sequence[str] = ()) -> str:
    """EXPLAIN of the last SELECT `read()` sends."""
    return query_plans(read, sort=sort, analyze=analyze)[-1]
