"""From a gap in an explanation to the funder's report, in the browser, in German, on the demo data:
a case worker plans a language course from the explanation in one step, an admin approves it from
the dashboard (above the limit only an admin may), the budget in the admin shows it committed, the
case worker marks it done, and the funder's report counts its cost."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from bridges.models import User
from candidates.measures import budget_figures, euros
from candidates.models import Budget, Status, SupportMeasure
from matching.explain import MEASURE_KINDS
from matching.models import Match
from matching.report import report_build
from matching.report_scope import ReportFilters
from tests.e2e.session import log_in
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CASE_WORKER = "berater@bridges.example"
ADMIN = "admin@bridges.example"


def _eur(amount: Decimal) -> str:
    """An amount as the German pages show it, whatever language an earlier test left active."""
    with translation.override("de"):
        return euros(amount)


def _pair_with_a_language_gap() -> Match:
    """A stored match of an active demo candidate whose explanation names a language course."""
    matches = Match.objects.filter(candidate__status=Status.ACTIVE).select_related("candidate", "position")
    for match in matches.order_by("-score", "pk"):
        if "language_course" in ((match.explanation or {}).get("support") or []):
            return match
    raise AssertionError("the demo data has no pair with a language gap")


def test_from_a_gap_to_the_report(live_server, page: Page, browser: Browser):
    call_command("seed_demo", stdout=io.StringIO())
    for email in (CASE_WORKER, ADMIN):
        user = User.objects.get(email=email)
        user.set_password(DEFAULT_PASSWORD)
        user.save(update_fields=["password"])
    assert "language_course" in MEASURE_KINDS
    match = _pair_with_a_language_gap()
    candidate, position = match.candidate, match.position
    today = timezone.localdate()
    budget = Budget.objects.get(year=today.year, kind="language_course", funding_source="")
    committed_before = budget_figures(budget).committed
    base = live_server.url

    # The case worker plans the course from the explanation: kind, gap and position are filled in.
    log_in(page, base, CASE_WORKER)
    page.goto(f"{base}/dashboard/explain/{candidate.pk}/{position.pk}/")
    page.get_by_test_id("plan-measure").first.click()
    expect(page).to_have_url(re.compile(rf"/candidates/{candidate.pk}/\?measure_kind=language_course"))
    form = page.locator("form[action$='/measures/']")
    expect(form.locator("select[name=kind]")).to_have_value("language_course")
    expect(form.locator("input[name=closes]")).not_to_have_value("")
    expect(form.locator("input[name=position]")).to_have_value(str(position.pk))
    form.locator("input[name=provider]").fill("Volkshochschule Erfurt")
    form.locator("input[name=start_date]").fill(today.isoformat())
    form.locator("input[name=planned_cost]").fill("650.00")
    form.get_by_role("button", name="Maßnahme planen").click()
    expect(page.get_by_test_id("measure-row").first).to_contain_text("geplant")
    measure = SupportMeasure.objects.get(candidate=candidate, status="planned", planned_cost=Decimal("650.00"))
    assert measure.position == position

    # The admin finds it on the dashboard and approves it.
    admin_page = browser.new_context(locale="de-DE").new_page()
    log_in(admin_page, base, ADMIN, start="/admin/")
    admin_page.goto(f"{base}/dashboard/")
    waiting = admin_page.get_by_test_id("measure-to-approve").filter(has_text=candidate.full_name)
    expect(waiting).to_contain_text("650,00 €")
    waiting.get_by_role("link").click()
    row = admin_page.get_by_test_id("measure-row").filter(has_text=measure.title)
    row.get_by_role("button", name=re.compile("^Bewilligen")).click()
    expect(admin_page.get_by_test_id("measure-row").filter(has_text=measure.title)).to_contain_text("bewilligt")

    # The budget shows it committed.
    admin_page.goto(f"{base}/admin/candidates/budget/")
    committed = _eur(committed_before + Decimal("650.00"))
    expect(admin_page.locator("tr", has_text=f"{today.year}").filter(has_text="Sprachkurs").first).to_contain_text(
        committed
    )

    # The case worker marks it done; the report counts what it cost.
    page.goto(f"{base}/candidates/{candidate.pk}/")  # (the same URL with only the #fragment would not reload)
    row = page.get_by_test_id("measure-row").filter(has_text=measure.title)
    row.get_by_label("tatsächliche Kosten (EUR)").fill("610.00")
    row.get_by_role("button", name=re.compile("^Als abgeschlossen markieren")).click()
    expect(page.get_by_test_id("measure-row").filter(has_text=measure.title)).to_contain_text("610,00 €")

    start = today.replace(month=1, day=1)
    page.goto(f"{base}/dashboard/report/?start={start.isoformat()}&end={today.isoformat()}")
    report = report_build(ReportFilters(start=start, end=today))
    language = next(cost for cost in report.costs if cost.kind == "language_course")
    assert language.spent >= Decimal("610.00")
    expect(page.get_by_test_id("section-costs")).to_contain_text(_eur(language.spent))
    expect(page.get_by_test_id("cost-per-placement-all")).to_contain_text(_eur(report.cost_per_placement_all))
