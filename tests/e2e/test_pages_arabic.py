"""The pages of tests/e2e/test_pages.py in Arabic (issue #16): written right to left
(`<html lang="ar" dir="rtl">`), nothing scrolls sideways or overlaps at 1280 and at 360 px, axe-core
finds no violation at either width, the Content-Security-Policy refuses nothing and no script fails;
and the visitors' and employers' pages zoomed to 200 % (a 1280 px window laid out in 640 CSS pixels)
lose nothing. A module of its own, so that the test processes share the browser work; it builds the
same data once (the fixtures below)."""

import pytest

from tests.e2e.checks import axe_violations, layout_problems, overlap_problems, script_problems, small_targets, watch
from tests.e2e.pages_site import EMAILS, LAPTOP, PAGES, PHONE
from tests.e2e.session import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# --- Arabic, right to left (issue #16) ------------------------------------------------------------

NARROW = 360  # the narrowest phones the programme's candidates use
ARABIC_CASES = [
    pytest.param(role, name, id=f"ar, {role}: {name}")
    for role in ("anonymous", "employer", "case_worker")
    for name in PAGES[role]
]


@pytest.fixture(scope="module")
def arabic_context(browser, module_server, site):
    """arabic_context(role): a browser context of that role with Arabic chosen in the language switch."""
    contexts = {}

    def get(role: str):
        if role not in contexts:
            context = browser.new_context(locale="ar", base_url=module_server.url)
            if EMAILS[role]:
                page = context.new_page()
                log_in(page, module_server.url, EMAILS[role], start=None)  # the German form, then Arabic
                page.close()
            context.add_cookies([{"name": "django_language", "value": "ar", "url": module_server.url}])
            contexts[role] = context
        return contexts[role]

    yield get
    for context in contexts.values():
        context.close()


@pytest.mark.parametrize(("role", "name"), ARABIC_CASES)
def test_the_page_in_arabic_is_right_to_left_fits_and_passes_axe(arabic_context, site, role, name):
    page = arabic_context(role).new_page()
    watch(page)
    try:
        page.set_viewport_size({"width": LAPTOP, "height": 900})
        response = page.goto(PAGES[role][name].format(s=site))
        assert response.ok, f"{role}: {name} answered {response.status}"
        direction = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
        problems = [] if direction == ["ar", "rtl"] else [f"<html lang dir> is {direction}"]
        problems += [f"{LAPTOP} px: {line}" for line in layout_problems(page, tables_fit=True)]
        problems += [f"{LAPTOP} px: {line}" for line in overlap_problems(page)]
        problems += [f"axe-core: {line}" for line in axe_violations(page)]
        page.set_viewport_size({"width": NARROW, "height": 800})
        problems += [f"{NARROW} px: {line}" for line in layout_problems(page, tables_fit=False)]
        problems += [f"{NARROW} px: {line}" for line in overlap_problems(page)]
        problems += [f"axe-core at {NARROW} px: {line}" for line in axe_violations(page)]
        problems += script_problems(page)
        assert not problems, "\n".join(problems)
    finally:
        page.close()


# --- text at 200 % (WCAG 1.4.4) ---------------------------------------------------------------------

ZOOMED = LAPTOP // 2  # a 1280 px window zoomed to 200 % lays the page out in 640 CSS pixels
ZOOM_CASES = [
    pytest.param(role, name, id=f"200 %, {role}: {name}") for role in ("anonymous", "employer") for name in PAGES[role]
]


@pytest.mark.parametrize(("role", "name"), ZOOM_CASES)
def test_the_page_zoomed_to_200_percent_loses_nothing(open_page, role, name):
    # The browser's zoom (what WCAG 1.4.4 lets a person use to double the text): the page lays
    # itself out again in half the CSS pixels; nothing may scroll sideways or be cut off.
    page = open_page(role, name, ZOOMED)
    problems = layout_problems(page, tables_fit=False)
    assert not problems, "\n".join(problems)


# --- touch targets (issue #16: at least 24 × 24 px) ------------------------------------------------


def test_a_small_touch_target_is_found(open_page):
    page = open_page("anonymous", "job board", PHONE)
    page.evaluate(
        "() => { const b = document.createElement('button'); b.id = 'tiny'; b.textContent = 'x';"
        " b.style.cssText = 'width:10px;height:10px;padding:0;font-size:6px;position:absolute;top:0;left:0';"
        " const c = b.cloneNode(true); c.id = 'tiny2'; c.style.left = '11px';"
        " document.body.append(b, c); }"
    )
    assert "#tiny" in small_targets(page)


def test_an_overlap_is_found(open_page):
    page = open_page("anonymous", "job board", PHONE)
    assert overlap_problems(page) == []
    page.evaluate(
        "() => { const h = document.querySelector('h1'); const b = document.createElement('button');"
        " b.textContent = 'über der Überschrift'; b.style.cssText = 'position:absolute;width:200px;height:40px';"
        " const box = h.getBoundingClientRect(); b.style.top = (box.top + window.scrollY) + 'px';"
        " b.style.left = box.left + 'px'; document.body.append(b); }"
    )
    assert any("über der Überschrift" in line for line in overlap_problems(page))


def test_a_refused_script_and_a_script_error_are_found(open_page):
    # The watch the page checks rely on (checks.watch): an inline script, which the policy
    # refuses, and an error thrown by a script both come back as problems.
    page = open_page("anonymous", "job board", LAPTOP)
    assert script_problems(page) == []
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.append(s); setTimeout(() => { throw new Error('kaputt'); }); }"
    )
    page.wait_for_timeout(500)
    problems = script_problems(page)
    assert page.evaluate("window.ran") is None
    assert any("securitypolicyviolation: script-src" in line for line in problems), problems
    assert any("JavaScript error" in line and "kaputt" in line for line in problems), problems
