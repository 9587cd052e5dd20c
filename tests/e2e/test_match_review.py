"""A case worker opens a position, sees the ranked shortlist, opens an explanation and
dismisses one match with a reason, in the browser. Match rows are written directly
(MatchFactory), so the test does not depend on the engine. Pages are in English
(language cookie), so that the test does not wait for the German catalogue."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page, expect

from bridges.models import Language
from matching import explain
from matching.models import MatchDecision
from tests.candidates.factories import CandidateFactory
from tests.e2e.session import log_in
from tests.employers.factories import PositionFactory
from tests.factories import CaseWorkerFactory
from tests.matching.factories import MatchFactory, explanation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_case_worker_reviews_the_shortlist_and_dismisses_a_match_with_a_reason(
    live_server, page: Page, context: BrowserContext, monkeypatch
):
    # The page explains from the stored explanation, whatever the pipeline offers live.
    monkeypatch.setattr(explain, "live_explainer", lambda: None)
    user = CaseWorkerFactory(email="beraterin@bridges.example")
    Language.objects.create(code="de", name_en="German", name_de="Deutsch")
    position = PositionFactory(title="Welder (m/f/d)")
    people = {}
    for first_name, last_name, score in [("Omar", "Khalil", 91.0), ("Zahra", "Haidari", 74.0), ("Lena", "Weber", 58.0)]:
        people[first_name] = CandidateFactory(first_name=first_name, last_name=last_name)
        MatchFactory(
            candidate=people[first_name],
            position=position,
            score=score,
            explanation=explanation(
                language_gaps=[{"language": "de", "required": 4, "has": 3, "required_flag": True}],
                support=["language_course"],
            ),
        )
    zahra = people["Zahra"]
    log_in(page, live_server.url, user.email)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])

    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Matches").click()
    page.get_by_role("link", name="Welder (m/f/d)").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Candidates for “Welder (m/f/d)”")
    rows = page.get_by_test_id("match-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Omar Khalil")
    expect(rows.nth(1)).to_contain_text("Zahra Haidari")
    expect(rows.nth(2)).to_contain_text("Lena Weber")
    expect(rows.nth(1).get_by_role("cell").first).to_have_text("2")

    rows.nth(1).get_by_role("link", name="Explanation Zahra Haidari").click()
    expect(page).to_have_url(live_server.url + reverse("matching:explain", args=[zahra.pk, position.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Explanation of the match")
    expect(page.get_by_test_id("language-gap")).to_have_text("German B2 required, candidate has B1")
    expect(page.get_by_test_id("support")).to_have_text("Language course: German up to B2")

    page.get_by_role("button", name="Dismiss", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("a dismissal needs a reason")
    assert not MatchDecision.objects.exists()

    page.get_by_label("Reason for the dismissal").select_option("language")
    page.get_by_label("Note").fill("German course first, then again in spring")
    page.get_by_role("button", name="Dismiss", exact=True).click()

    expect(page.get_by_role("status").filter(has_text="was dismissed")).to_be_visible()
    expect(page.get_by_test_id("current-decision")).to_contain_text("dismissed")
    expect(page.get_by_test_id("current-decision")).to_contain_text("language level too low")
    expect(page.get_by_role("region", name="Decision history")).to_contain_text("German course first")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Welder (m/f/d)").click()
    expect(page).to_have_url(re.compile(rf"/dashboard/positions/{position.pk}/matches/$"))
    expect(page.get_by_test_id("match-row").nth(1).get_by_test_id("decision")).to_have_text("dismissed")
    decision = MatchDecision.objects.get()
    assert (decision.candidate_id, decision.status, decision.reason) == (zahra.pk, "dismissed", "language")
