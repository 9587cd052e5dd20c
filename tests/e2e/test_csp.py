"""Under the portal's strict Content-Security-Policy (scripts and styles only from static files), no
page of any role logs a policy violation or a JavaScript error, and the scripts still do their work:
htmx swaps, the Tom Select search boxes, Bootstrap's collapsing menu, the admin's select2 and
django-celery-beat's crontab help. The pages of tests/e2e/test_pages.py and test_pages_arabic.py are
watched there (`checks.watch`, on the same load as their other checks); this module opens, over the
same data, the forms and downloads those do not, and drives the scripts.

A violation is caught twice: Chromium writes it to the console, and the page's
`securitypolicyviolation` event is recorded by a script that Playwright runs before the page's own
(init scripts are not subject to the page's policy).
"""

import re

import pytest
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import BrowserContext, Page, expect

from candidates.models import Candidate
from matching.models import Introduction
from tests.e2e import checks
from tests.e2e.checks import Watch
from tests.e2e.pages_site import EMAILS, build_site
from tests.e2e.session import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

EXTRA_PAGES = {
    "anonymous": {
        "register a company": "/employer/register/",
        "job feed": "/jobs/feed.json",
    },
    "employer": {
        "e-mail addresses": "/accounts/email/",
        "password": "/accounts/password/change/",
    },
    "case_worker": {
        "report": "/dashboard/report/",
        "documents": "/candidates/{s.candidate}/documents/",
        "data-subject export": "/candidates/{s.candidate}/privacy/export/",
        "erasure": "/candidates/{s.candidate}/privacy/erase/",
        "password": "/accounts/password/change/",
    },
    "admin": {
        "dashboard": "/dashboard/",
        "add a position": "/admin/employers/position/add/",
        "add a user": "/admin/bridges/user/add/",
        "introductions": "/admin/matching/introduction/",
        "periodic tasks": "/admin/django_celery_beat/periodictask/",
        "add a periodic task": "/admin/django_celery_beat/periodictask/add/",
        "crontabs": "/admin/django_celery_beat/crontabschedule/",
        "scoring": "/admin/matching/scoringconfig/",
        "password": "/admin/password_change/",
    },
}
# The pages of tests/e2e/test_pages.py are watched there (and in Arabic in test_pages_arabic.py), on
# the same load as their layout and axe-core checks; this module opens only these others.
CASES = [pytest.param(role, name, id=f"{role}: {name}") for role, pages in EXTRA_PAGES.items() for name in pages]


@pytest.fixture(scope="module")
def site(module_server):
    site = build_site()
    CrontabSchedule.objects.create(minute="30", hour="2")
    CrontabSchedule.objects.create(minute="0", hour="7", day_of_week="1")
    return site


@pytest.fixture
def watched(role_context, site):
    """watched(role): a new page in the role's logged-in context, with its Watch."""
    pages: list[Page] = []

    def open_(role: str) -> tuple[Page, Watch]:
        page = role_context(EMAILS[role]).new_page()
        pages.append(page)
        return page, checks.watch(page)

    yield open_
    for page in pages:
        page.close()


@pytest.mark.parametrize(("role", "name"), CASES)
def test_page_logs_no_policy_violation_and_no_script_error(watched, site, role, name):
    page, watch = watched(role)

    response = page.goto(EXTRA_PAGES[role][name].format(s=site))
    page.wait_for_load_state("load")

    assert response.ok, f"{role}: {name} answered {response.status}"
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert not (problems := watch.check()), "\n".join(problems)


def test_logging_in_through_the_form_logs_nothing(browser, module_server, site):
    context: BrowserContext = browser.new_context(locale="de-DE", base_url=module_server.url)
    page = context.new_page()
    watch = checks.watch(page)

    log_in(page, module_server.url, EMAILS["employer"], start="/employer/")

    assert not (problems := watch.check()), "\n".join(problems)
    context.close()


def test_the_language_switch_posts_and_comes_back(watched):
    page, watch = watched("anonymous")
    page.goto("/jobs/")

    page.locator("#language-select").select_option("en")
    page.get_by_role("button", name="Wechseln").click()

    expect(page.get_by_role("button", name="Switch")).to_be_visible()
    assert not (problems := watch.check()), "\n".join(problems)
    page.locator("#language-select").select_option("de")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("button", name="Wechseln")).to_be_visible()


def test_the_menu_opens_on_a_phone(watched):
    page, watch = watched("case_worker")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/dashboard/")

    page.get_by_role("button", name="Navigation ein-/ausblenden").click()

    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    expect(navigation.get_by_role("link", name="Kandidat/innen")).to_be_visible()
    assert not (problems := watch.check()), "\n".join(problems)


def test_tom_select_searches_and_offers_options(watched, site):
    page, watch = watched("case_worker")
    page.goto(f"/candidates/{site.candidate}/edit/profile/")

    page.get_by_role("combobox", name="Wunschberufe").fill("lager")

    expect(page.get_by_role("listbox", name="Wunschberufe").get_by_role("option").first).to_be_visible()
    assert not (problems := watch.check()), "\n".join(problems)


def test_htmx_search_fills_the_list_of_towns(watched, site):
    page, watch = watched("case_worker")
    page.goto(f"/candidates/{site.candidate}/edit/personal/")
    towns = page.locator("#id_place option")

    with page.expect_response(re.compile(r"/taxonomy/places/")):
        page.get_by_label("Ort suchen").fill("Erfu")

    expect(towns.filter(has_text="Erfurt").first).to_be_attached()
    assert not (problems := watch.check()), "\n".join(problems)


def test_htmx_duplicate_check_answers_in_the_new_candidate_form(watched, site):
    page, watch = watched("case_worker")
    known = Candidate.objects.get(pk=site.candidate)
    page.goto("/candidates/new/")

    page.get_by_label("Vorname").fill("Mohammed")
    with page.expect_response(re.compile(r"/candidates/duplicates/")):
        page.locator("#id_email").fill(known.email)
        page.locator("#id_email").blur()

    expect(page.locator("#duplicates")).to_contain_text(known.last_name)
    assert not (problems := watch.check()), "\n".join(problems)


def test_the_admins_select2_search_opens_and_answers(watched, site):
    page, watch = watched("admin")
    page.goto(f"/admin/candidates/candidate/{site.candidate}/change/")

    page.locator(".field-place .select2-selection").click()
    with page.expect_response(re.compile(r"/admin/autocomplete/")):
        page.locator(".select2-container--open .select2-search__field").fill("Erf")

    expect(page.locator(".select2-results__option").filter(has_text="Erfurt").first).to_be_visible()
    assert not (problems := watch.check()), "\n".join(problems)


def test_the_crontab_help_says_the_chosen_schedule_in_words(watched, site):
    """django-celery-beat's inline script, now static/js/admin-periodic-task.js."""
    page, watch = watched("admin")
    page.goto("/admin/django_celery_beat/periodictask/add/")
    crontab = CrontabSchedule.objects.get(minute="30", hour="2")

    page.locator("#id_crontab").select_option(str(crontab.pk))

    help_text = page.locator(".field-crontab .help")
    expect(help_text).to_contain_text(f"Translation: {crontab.human_readable}")
    assert not (problems := watch.check()), "\n".join(problems)


def test_htmx_moves_a_card_on_the_board(watched, site):
    """Last: it changes the introduction's stage."""
    page, watch = watched("case_worker")
    page.goto("/dashboard/introductions/board/")
    card = page.locator(f'[data-introduction="{site.introduction}"]')
    choice = card.locator('select[name="to"]')
    values = choice.locator("option").evaluate_all("options => options.map(o => o.value)")
    target = next(value for value in values if value not in ("", "closed"))  # closing asks for a reason

    with page.expect_response(re.compile(r"/board-move/")):
        choice.select_option(target)
        card.get_by_role("button").first.click()

    expect(page.get_by_test_id("board-notice")).to_be_visible()
    assert Introduction.objects.get(pk=site.introduction).stage == target
    assert not (problems := watch.check()), "\n".join(problems)
