"""What the employers' anonymised summaries show of whom: only candidates whose consent to
anonymised profiles stands (withdrawal hides them at the next request), and a region only when
enough active candidates share it, else the country. Case workers see how many are held back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridges.models import Region
from candidates import services
from candidates.models import Status
from matching import selectors
from matching.models import ScoringConfig
from tests.candidates.factories import CandidateFactory, ConsentFactory, PlaceFactory, ProfilingConsentFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import MatchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def enabled(db):
    config = ScoringConfig.active()
    config.employers_see_summaries = True
    config.save()


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def thuringia(db):
    return Region.objects.create(code="DE-TH", country="DE", name_en="Thuringia", name_de="Thüringen")


@pytest.fixture
def aleppo(db):
    return Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo", name_de="Aleppo")


@pytest.fixture
def weimar(thuringia):
    return PlaceFactory(geonameid=2812482, name="Weimar", region=thuringia, latitude=50.98, longitude=11.33)


@pytest.fixture
def position(company_a):
    return PositionFactory(employer=company_a, title="Schweißer/in")


def summaries_page(client, position):
    response = client.get(reverse("matching:employer_position_matches", args=[position.pk]))
    assert response.status_code == 200
    return response


def shown(client, position) -> list[str]:
    """The references of the summaries the page shows."""
    return [summary.reference for summary in summaries_page(client, position).context["summaries"]]


def reference(position, candidate) -> str:
    return selectors.employer_references(position=position)[candidate.pk]


# --- consent ------------------------------------------------------------------------------------


def test_a_candidate_without_consent_to_anonymised_profiles_is_not_shown(client, employer_a, position, english):
    consented, silent = CandidateFactory(), CandidateFactory()
    ProfilingConsentFactory(candidate=consented)
    MatchFactory(candidate=consented, position=position, score=60.0)
    MatchFactory(candidate=silent, position=position, score=90.0)
    client.force_login(employer_a)

    response = summaries_page(client, position)

    assert [s.reference for s in response.context["summaries"]] == [reference(position, consented)]
    assert reference(position, silent) not in response.text
    assert "Score 90" not in response.text
    # The employer does not learn that somebody was left out.
    assert "not shown" not in response.text


def test_consent_to_share_with_the_employer_is_no_consent_to_anonymised_profiles(
    client, employer_a, company_a, position
):
    candidate = CandidateFactory()
    ConsentFactory(candidate=candidate, employer=company_a)
    MatchFactory(candidate=candidate, position=position)
    client.force_login(employer_a)

    assert shown(client, position) == []


def test_a_withdrawn_consent_hides_the_candidate_at_the_next_request(client, employer_a, case_worker, position):
    candidate = CandidateFactory()
    consent = ProfilingConsentFactory(candidate=candidate)
    MatchFactory(candidate=candidate, position=position)
    client.force_login(employer_a)
    assert shown(client, position) == [reference(position, candidate)]

    services.consent_withdraw(consent=consent, actor=case_worker)

    assert shown(client, position) == []


def test_a_new_consent_after_a_withdrawn_one_shows_the_candidate_again(client, employer_a, case_worker, position):
    candidate = CandidateFactory()
    withdrawn = ProfilingConsentFactory(candidate=candidate)
    services.consent_withdraw(consent=withdrawn, actor=case_worker)
    MatchFactory(candidate=candidate, position=position)
    client.force_login(employer_a)
    assert shown(client, position) == []

    ProfilingConsentFactory(candidate=candidate)

    assert shown(client, position) == [reference(position, candidate)]


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_see_how_many_candidates_are_held_back(client, personas, position, persona, english):
    for _ in range(2):
        MatchFactory(candidate=CandidateFactory(), position=position)
    consented = CandidateFactory()
    ProfilingConsentFactory(candidate=consented)
    MatchFactory(candidate=consented, position=position)
    client.force_login(personas[persona])

    response = summaries_page(client, position)

    assert len(response.context["summaries"]) == 1
    assert "2 further matching candidates are not shown to the employer" in response.text


# --- coarsening: the region only when enough active candidates share it ------------------------


def candidate_in(place, *, consent: bool = True, **kwargs):
    candidate = CandidateFactory(place=place, **kwargs)
    if consent:
        ProfilingConsentFactory(candidate=candidate)
    return candidate


def region_shown(client, position, candidate) -> str:
    [summary] = [
        s
        for s in summaries_page(client, position).context["summaries"]
        if s.reference == reference(position, candidate)
    ]
    return summary.region


@pytest.mark.parametrize(("others", "expected"), [(3, "Germany"), (4, "Thuringia")])
def test_a_bundesland_is_named_only_when_five_active_candidates_live_there(
    client, employer_a, position, weimar, others, expected, english
):
    candidate = candidate_in(weimar)
    MatchFactory(candidate=candidate, position=position)
    for _ in range(others):
        candidate_in(weimar, consent=False)  # neighbours count whether or not they are shown
    client.force_login(employer_a)

    assert region_shown(client, position, candidate) == expected


def test_candidates_who_are_not_active_do_not_count_for_a_region(client, employer_a, position, weimar, english):
    candidate = candidate_in(weimar)
    MatchFactory(candidate=candidate, position=position)
    for _ in range(3):
        candidate_in(weimar)
    for status in (Status.PLACED, Status.INACTIVE, Status.IN_PLACEMENT):
        candidate_in(weimar, status=status)
    client.force_login(employer_a)

    assert region_shown(client, position, candidate) == "Germany"


def test_the_coarsened_region_reads_deutschland_in_german(client, employer_a, position, weimar):
    candidate = candidate_in(weimar)
    MatchFactory(candidate=candidate, position=position)
    client.force_login(employer_a)

    assert region_shown(client, position, candidate) == "Deutschland"
    assert "Deutschland" in summaries_page(client, position).text


@pytest.mark.parametrize(("others", "expected"), [(3, "Syria"), (4, "Aleppo, Syria")])
def test_a_home_region_abroad_is_named_only_when_five_active_candidates_share_it(
    client, employer_a, company_a, aleppo, others, expected, english
):
    position = PositionFactory(employer=company_a, abroad=True, region=aleppo)
    candidate = candidate_in(None, nationality="SY", region_of_origin=aleppo)
    MatchFactory(candidate=candidate, position=position)
    for index in range(others):
        # A return region counts like a region of origin.
        if index % 2:
            candidate_in(None, nationality="SY", region_of_origin=aleppo, consent=False)
        else:
            candidate_in(None, nationality="SY", return_country="SY", return_region=aleppo, consent=False)
    client.force_login(employer_a)

    assert region_shown(client, position, candidate) == expected


def test_a_candidate_without_a_home_region_shows_the_country(client, employer_a, company_a, aleppo, english):
    position = PositionFactory(employer=company_a, abroad=True, region=aleppo)
    candidate = candidate_in(None, nationality="SY", region_of_origin=None)
    MatchFactory(candidate=candidate, position=position)
    client.force_login(employer_a)

    assert region_shown(client, position, candidate) == "Syria"


def test_experience_is_rounded_to_half_years(client, employer_a, position, english):
    candidate = candidate_in(None)
    candidate.experience.create(job_title="Schweißer", years=4.3)
    MatchFactory(candidate=candidate, position=position)
    client.force_login(employer_a)

    [summary] = summaries_page(client, position).context["summaries"]

    assert summary.years == 4.5


# --- queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["employer_a", "case_worker"])
def test_the_summaries_page_issues_a_constant_number_of_queries(
    client, personas, company_a, weimar, aleppo, persona, django_assert_max_num_queries
):
    client.force_login(personas[persona])
    small = PositionFactory(employer=company_a)
    for _ in range(2):
        MatchFactory(candidate=candidate_in(weimar), position=small)
    summaries_page(client, small)  # warms what is read once per process (configuration, session)
    with CaptureQueriesContext(connection) as first:
        summaries_page(client, small)

    large = PositionFactory(employer=company_a)
    elsewhere = PlaceFactory(geonameid=2950159, name="Berlin", region=None, latitude=52.5, longitude=13.4)
    for index in range(30):
        place = (weimar, elsewhere, None)[index % 3]
        candidate = candidate_in(place, consent=index % 4 != 0)
        candidate.experience.create(job_title="Helfer", years=index % 7)
        MatchFactory(candidate=candidate, position=large)
    with django_assert_max_num_queries(len(first.captured_queries)):
        summaries_page(client, large)
