"""From a match to a placement in the browser, in German, on the demo data: a case worker records a
demo candidate's consent and introduces them, the employer marks interest and proposes an interview,
the case worker confirms it, moves on to the offer and records the placement, and the candidate's
timeline shows every step."""

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from bridges.models import User
from candidates.models import Consent
from employers.models import Employer, Position
from matching.models import Introduction, Match, MatchDecision
from matching.pipeline import Stage
from matching.review import match_decision_check
from tests.e2e.session import log_in
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CASE_WORKER = "berater@bridges.example"
EMPLOYER = "arbeitgeber@bridges.example"


def _demo_pair() -> Match:
    """A stored, eligible match of the demo employer's open positions whose candidate has neither an
    introduction nor a consent to share with that employer yet."""
    employer = Employer.objects.get(members__user__email=EMPLOYER)
    introduced = Introduction.objects.values("candidate_id")
    consented = Consent.objects.active().filter(employer=employer).values("candidate_id")
    matches = (
        Match.objects.filter(position__employer=employer, position__status=Position.Status.OPEN)
        .exclude(candidate_id__in=introduced)
        .exclude(candidate_id__in=consented)
        .select_related("candidate", "position")
        .order_by("-score")
    )
    for match in matches:
        try:
            match_decision_check(
                candidate_id=match.candidate_id, position_id=match.position_id, status=MatchDecision.Status.SHORTLISTED
            )
        except ValidationError:
            continue
        return match
    raise AssertionError("the demo data has no pair left to introduce")


def test_from_a_match_to_a_placement(live_server, page: Page, browser: Browser):
    call_command("seed_demo", stdout=io.StringIO())
    for email in (CASE_WORKER, EMPLOYER):
        user = User.objects.get(email=email)
        user.set_password(DEFAULT_PASSWORD)
        user.save(update_fields=["password"])
    match = _demo_pair()
    candidate, position = match.candidate, match.position
    base = live_server.url

    # The case worker opens the explanation and introduces; the consent is missing, so they record it first.
    log_in(page, base, CASE_WORKER)
    page.goto(f"{base}/dashboard/explain/{candidate.pk}/{position.pk}/")
    page.get_by_role("link", name="Vorschlagen", exact=True).first.click()
    expect(page.get_by_test_id("no-consent")).to_contain_text(position.employer.name)
    page.get_by_test_id("record-consent").click()
    consent_form = page.locator("form[action$='/consents/']")
    expect(consent_form.locator("select[name=purpose]")).to_have_value("sharing")
    consent_form.locator("input[name=wording_version]").fill("2026-01")
    consent_form.locator("select[name=method]").select_option("in_person")
    consent_form.get_by_role("button", name="Einwilligung erfassen").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/introduce/{candidate.pk}/{position.pk}/"))
    page.get_by_label("Kontaktdaten (E-Mail, Telefon, Adresse)").check()
    page.get_by_label("Sprachen").check()
    page.get_by_label("Berufserfahrung").check()
    page.get_by_label("Nachricht an das Unternehmen").fill("Frau/Herr aus unserem Programm, sehr motiviert.")
    page.locator("main form").get_by_role("button", name="Vorschlagen").click()
    expect(page).to_have_url(re.compile(r"/dashboard/introductions/\d+/$"))
    introduction = Introduction.objects.get(candidate=candidate, position=position)
    assert introduction.stage == Stage.PROPOSED
    assert introduction.score == pytest.approx(match.score)

    # The employer sees the shared profile, marks interest and proposes an interview.
    employer_context = browser.new_context(locale="de-DE")
    employer_page = employer_context.new_page()
    log_in(employer_page, base, EMPLOYER, start="/employer/")
    employer_page.goto(f"{base}/employer/introductions/")
    employer_page.get_by_role("link", name=candidate.full_name).first.click()
    expect(employer_page.get_by_test_id("candidate-name")).to_have_text(candidate.full_name)
    expect(employer_page.get_by_role("heading", name="Sprachen")).to_be_visible()
    expect(employer_page.get_by_role("heading", name="Geburtsdatum")).to_have_count(0)  # not shared
    employer_page.get_by_role("button", name="Wir sind interessiert").click()
    expect(employer_page.locator(".alert-success")).to_be_visible()
    when = timezone.localtime() + datetime.timedelta(days=5)
    employer_page.locator("input[type=datetime-local]").first.fill(when.strftime("%Y-%m-%dT10:00"))
    employer_page.get_by_label("Ort", exact=True).first.fill("Werkhalle 2, Erfurt")
    employer_page.get_by_role("button", name="Diese Termine vorschlagen").click()
    expect(employer_page.locator(".alert-success")).to_be_visible()
    employer_context.close()
    introduction.refresh_from_db()
    assert introduction.stage == Stage.INTERESTED

    # The case worker confirms the date, moves on to the offer and records the placement.
    page.goto(f"{base}/dashboard/introductions/{introduction.pk}/")
    page.get_by_role("button", name=re.compile("Diesen Termin bestätigen")).click()
    expect(page.locator(".alert-success")).to_be_visible()
    move = page.locator("form[action$='/move/']")
    move.locator("select[name=to]").select_option("offer")
    move.get_by_role("button", name="Verschieben").click()
    expect(page.locator(".alert-success")).to_be_visible()
    placement = page.locator("form[action$='/placement/']")
    placement.locator("input[name=start_date]").fill((timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    placement.get_by_role("button", name="Vermittlung erfassen").click()
    expect(page.locator(".alert-success")).to_be_visible()
    introduction.refresh_from_db()
    assert introduction.stage == Stage.PLACED
    candidate.refresh_from_db()
    assert candidate.status in ("placed", "returned")

    # The candidate's timeline shows every step.
    page.goto(f"{base}/dashboard/candidates/{candidate.pk}/introductions/")
    timeline = page.locator("#timeline")
    for step in (
        "vorgeschlagen",
        "Arbeitgeber interessiert",
        "Gesprächstermine vorgeschlagen",
        "Gespräch bestätigt",
        "Vorstellungsgespräch",
        "Angebot",
        "vermittelt",
    ):
        expect(timeline).to_contain_text(step)
