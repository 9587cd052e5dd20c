"""The key pages of every role, in German (the longer language), over demo data with long names and
many rows: at 1280 px nothing scrolls sideways and wide tables fit, no label breaks mid-word; at
390 px (a phone) only a table's own box may scroll, never the page; axe-core finds no violation
of WCAG 2.1 A/AA; the Content-Security-Policy refuses nothing and no script fails (other pages and
what the scripts do: tests/e2e/test_csp.py). The pages of visitors, employers and case workers are
also opened in Arabic: written right to left (`<html lang="ar" dir="rtl">`), nothing scrolls sideways
at 1280 and at 360 px, and axe-core finds no violation at either width (tests/e2e/test_pages_arabic.py,
with the pages zoomed to 200 %). On a phone the touch targets of visitors', employers' and case
workers' pages are at least 24 × 24 px. The data is built once for the module and each role logs in
once."""

import pytest

from tests.e2e.checks import axe_run, axe_violations, layout_problems, script_problems
from tests.e2e.pages_site import LAPTOP, PAGES, PHONE

# The plain `django_db` mark only asks pytest-django to create the test database; the pages read
# what the module built once and committed (module_server in conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

CASES = [pytest.param(role, name, id=f"{role}: {name}") for role, pages in PAGES.items() for name in pages]
# Django's own change-form widgets (select2 autocomplete, tabular inlines, filter_horizontal) carry
# ARIA faults of their own; the admin's change form is measured for layout only.
AXE_SKIPPED = {("admin", "candidate")}


# Whose pages are checked for touch targets: everybody's but the admin site's (Django's own).
TOUCH_ROLES = ("anonymous", "employer", "case_worker")


@pytest.mark.parametrize(("role", "name"), CASES)
def test_page_fits_a_laptop_and_a_phone_and_passes_axe(open_page, role, name):
    # Both checks share one load of the page, which keeps the module short.
    page = open_page(role, name, LAPTOP)
    problems = [f"{LAPTOP} px: {line}" for line in layout_problems(page, tables_fit=True)]
    if (role, name) not in AXE_SKIPPED:
        problems += [f"axe-core: {line}" for line in axe_violations(page)]
    page.set_viewport_size({"width": PHONE, "height": 844})
    problems += [f"{PHONE} px: {line}" for line in layout_problems(page, tables_fit=False)]
    if (role, name) not in AXE_SKIPPED:
        # Touch targets (issue #16): at least 24 × 24 px on a phone (axe-core's target-size rule),
        # found in the same run of axe-core.
        violations, small = axe_run(page, targets=role in TOUCH_ROLES)
        problems += [f"axe-core at {PHONE} px: {line}" for line in violations]
        problems += [f"touch target under 24 × 24 px at {PHONE} px: {target}" for target in small]
    # What the Content-Security-Policy refused or a script failed at, since the page began to load.
    problems += script_problems(page)

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [1200, 1399, 1400])
def test_the_case_workers_navigation_bar_fits_where_it_stands_in_one_row(open_page, width):
    # From 1200 px (Bootstrap's xl) the bar is one row: eight German entries, the language switch,
    # the person's name and "Log out"; at 1200 px "Log out" stood 67 px beyond the window.
    page = open_page("case_worker", "dashboard", width)

    problems = layout_problems(page, tables_fit=False)
    logout = page.get_by_role("button", name="Abmelden").bounding_box()

    assert not problems, "\n".join(problems)
    assert logout["x"] + logout["width"] <= width
