"""The plan PostgreSQL makes for what a piece of code reads: for tests that a page's query reads the
index made for it. The test tables are tiny, where reading a table whole is cheaper than any index,
so sequential reads (and, where asked, sorts) are priced out first; a plan then names the index
only when the index fits the query."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def plan_of_last_query(read: Callable[[], object], *, sort: bool = True) -> str:
    """EXPLAIN of the last statement `read()` sends; `sort=False` prices out sorting too."""
    with CaptureQueriesContext(connection) as queries:
        read()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {queries.captured_queries[-1]['sql']}")
        return "\n".join(row[0] for row in cursor.fetchall())
