"""The employer answers an introduction in the browser, in German: from the dashboard's card to
the shared profile, interest, and interview dates typed into the browser's date-and-time fields."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.models import Interview, IntroductionEvent, SharedSection
from matching.pipeline import Stage
from tests.candidates.factories import CandidateFactory
from tests.e2e.session import log_in
from tests.employers.factories import EmployerFactory, MembershipFactory, PositionFactory
from tests.factories import CaseWorkerFactory, UserFactory
from tests.matching.factories import introduce

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_employer_opens_the_shared_profile_marks_interest_and_proposes_dates(live_server, page: Page):
    base = live_server.url
    case_worker = CaseWorkerFactory(email="berater@bridges.example")
    employer_user = UserFactory(email="personal@solarwerk-erfurt.example")
    company = EmployerFactory(name="Solarwerk Erfurt GmbH")
    MembershipFactory(user=employer_user, employer=company)
    position = PositionFactory(employer=company, title="Solarteur/in")
    candidate = CandidateFactory(first_name="Amina", last_name="Al-Hassan", phone="+49 361 5550199")
    introduction = introduce(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=[SharedSection.LANGUAGES],
        message="Frau Al-Hassan kann ab Juni anfangen.",
    )

    log_in(page, base, employer_user.email, start="/employer/")
    card = page.get_by_test_id("introductions-card")
    expect(card).to_contain_text("1 vorgeschlagene Person wartet auf Ihre Antwort.")
    card.get_by_role("link", name="Jetzt antworten").click()
    page.get_by_role("link", name="Amina Al-Hassan").click()
    expect(page.get_by_test_id("message")).to_contain_text("Frau Al-Hassan kann ab Juni anfangen.")
    expect(page.locator("main")).not_to_contain_text("+49 361 5550199")

    page.get_by_label("Kommentar für das Programm (optional)").first.fill("Gern ein Gespräch.")
    page.get_by_role("button", name="Wir sind interessiert").click()
    expect(page.locator(".alert-success")).to_contain_text("interessiert")

    day = timezone.localdate() + datetime.timedelta(days=7)
    page.locator("#id_slots-0-starts_at").fill(f"{day.isoformat()}T10:30")
    page.locator("#id_slots-0-place").fill("Werk 2, Erfurt")
    page.locator("#id_slots-1-starts_at").fill(f"{day.isoformat()}T14:00")
    page.locator("#id_slots-1-online_link").fill("https://meet.example/solar")
    page.get_by_role("button", name="Diese Termine vorschlagen").click()
    expect(page.locator(".alert-success")).to_contain_text("Terminvorschläge")
    expect(page.get_by_test_id("interview")).to_have_count(2)

    introduction.refresh_from_db()
    assert introduction.stage == Stage.INTERESTED
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert [i.starts_at for i in Interview.objects.order_by("starts_at")] == [
        datetime.datetime(day.year, day.month, day.day, 10, 30, tzinfo=berlin),
        datetime.datetime(day.year, day.month, day.day, 14, 0, tzinfo=berlin),
    ]
    assert introduction.events.filter(kind=IntroductionEvent.Kind.INTERVIEW_PROPOSED, actor=employer_user).exists()
