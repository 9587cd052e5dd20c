"""The anonymised rows under the funder's report, for export: one row per introduction (and its
placement, if any) of candidates in scope, without names, contact data, birth dates or free text —
an age band instead of the birth date, nationality as top 10 + other, a pseudonymous candidate
number that does not reveal the database id.

Interface: the report page's export views call `anonymised_rows` and write CSV or XLSX.
"""

from __future__ import annotations

from collections.abc import Iterator

from matching.report_scope import ReportFilters


def anonymised_header() -> list[str]:
    """Column headings, translated."""
    return []


def anonymised_rows(filters: ReportFilters) -> Iterator[list]:
    """The rows (plain str/int/date/Decimal values, in `anonymised_header` order), streamed."""
    return iter(())
