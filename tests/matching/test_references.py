"""The employer's reference of a matched candidate ("Kandidat/in Nr. X7K2QM"): stable over
rescores, another one per position, no database id in it, unique within a position's list; the
case workers find it in the position's ranked list."""

import re

import pytest
from django.urls import reverse

from bridges.models import OccupationSkill
from candidates.models import Perspective
from matching import references, selectors, services
from matching.models import Match, ScoringConfig
from tests.candidates.factories import CandidateFactory, ProfilingConsentFactory
from tests.employers.factories import PositionFactory
from tests.factories import OccupationFactory, SkillFactory
from tests.matching.factories import MatchFactory

REFERENCE = re.compile(r"^[2-9A-HJ-NP-Z]{6}$")  # no 0/O, no 1/I


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def enable_summaries() -> None:
    config = ScoringConfig.active()
    config.employers_see_summaries = True
    config.save()


def consenting(**kwargs):
    """A candidate who consented to anonymised profiles: the employer's summaries show only those."""
    candidate = CandidateFactory(**kwargs)
    ProfilingConsentFactory(candidate=candidate)
    return candidate


def shown_references(client, position) -> list[str]:
    """The references of the employer's summaries, in the order of the page."""
    response = client.get(reverse("matching:employer_position_matches", args=[position.pk]))
    assert response.status_code == 200
    headings = re.findall(r'<h2 class="h6 mb-0" id="summary-(\w+)">Candidate no\. (\w+)</h2>', response.text)
    assert all(anchor == shown for anchor, shown in headings)
    return [shown for _anchor, shown in headings]


# --- the rule ---------------------------------------------------------------------------------


def test_a_reference_is_six_unambiguous_symbols_and_depends_on_both_ids():
    first = references.employer_references(position_id=7, candidate_ids=[41, 42])
    again = references.employer_references(position_id=7, candidate_ids=[42, 41, 41])
    elsewhere = references.employer_references(position_id=8, candidate_ids=[41])

    assert first == again
    assert all(REFERENCE.match(reference) for reference in first.values())
    assert first[41] != first[42]
    assert elsewhere[41] != first[41]


def test_a_reference_is_keyed_with_the_secret_key(settings):
    before = references.employer_references(position_id=7, candidate_ids=[41])[41]
    settings.SECRET_KEY = "another-secret-key-for-the-test-" * 2

    assert references.employer_references(position_id=7, candidate_ids=[41])[41] != before


def test_clashing_references_grow_until_they_differ(monkeypatch):
    # Three symbols instead of six, so that two candidates that clash are found among a few hundred
    # (2^15 references; among 5,000 candidates a clash is all but certain).
    monkeypatch.setattr(references, "LENGTH", 3)
    seen: dict[str, int] = {}
    for candidate_id in range(1, 5_000):
        start = references.code(position_id=1, candidate_id=candidate_id)[: references.LENGTH]
        if start in seen:
            clash = (seen[start], candidate_id)
            break
        seen[start] = candidate_id
    else:
        pytest.fail("no clash among 5,000 candidates")
    other = next(pk for pk in range(1, 100) if references.code(position_id=1, candidate_id=pk)[:3] != start)

    refs = references.employer_references(position_id=1, candidate_ids=[*clash, other])
    reversed_refs = references.employer_references(position_id=1, candidate_ids=[other, *reversed(clash)])

    assert refs == reversed_refs
    assert refs[clash[0]] != refs[clash[1]]
    assert len(refs[clash[0]]) == len(refs[clash[1]]) >= references.LENGTH + references.GROWTH
    assert refs[clash[0]][: references.LENGTH] == refs[clash[1]][: references.LENGTH] == start
    assert len(refs[other]) == references.LENGTH
    assert references.employer_references(position_id=1, candidate_ids=[clash[0]]) == {clash[0]: start}


def test_normalise_accepts_what_people_type():
    assert references.normalise(" x7k 2qm ") == "X7K2QM"


# --- the employer's summaries ----------------------------------------------------------------


@pytest.fixture
def welding(company_a):
    """A position with one essential skill, two candidates of its occupation, scored by the pipeline."""
    skill = SkillFactory()
    occupation = OccupationFactory(isco_group="7212")
    OccupationSkill.objects.create(occupation=occupation, skill=skill, relation_type="essential")
    position = PositionFactory(employer=company_a, occupation=occupation)
    position.skill_requirements.create(skill=skill, relation_type="essential")
    first = consenting(perspective=Perspective.STAY)
    first.desired_occupations.set([occupation])
    first.skills.set([skill])
    second = consenting(perspective=Perspective.STAY)
    second.desired_occupations.set([occupation])
    return position, skill, first, second


@pytest.mark.django_db
def test_references_stay_the_same_when_a_rescore_changes_the_order(client, employer_a, welding, english):
    position, skill, first, second = welding
    enable_summaries()
    services.rescore_all()
    client.force_login(employer_a)
    refs = selectors.employer_references(position=position)
    scores = dict(Match.objects.filter(position=position).values_list("candidate_id", "score"))
    assert scores[first.pk] > scores[second.pk]
    assert shown_references(client, position) == [refs[first.pk], refs[second.pk]]

    # The skill changes hands: the second candidate now leads.
    first.skills.clear()
    second.skills.set([skill])
    services.rescore_all()

    after = dict(Match.objects.filter(position=position).values_list("candidate_id", "score"))
    assert after[second.pk] > after[first.pk]
    assert after != scores
    assert shown_references(client, position) == [refs[second.pk], refs[first.pk]]
    assert selectors.employer_references(position=position) == refs


@pytest.mark.django_db
def test_one_candidate_has_another_reference_on_each_position(client, employer_a, company_a, english):
    enable_summaries()
    candidate = consenting()
    here, there = PositionFactory(employer=company_a), PositionFactory(employer=company_a)
    MatchFactory(candidate=candidate, position=here)
    MatchFactory(candidate=candidate, position=there)
    client.force_login(employer_a)

    [on_here], [on_there] = shown_references(client, here), shown_references(client, there)

    assert REFERENCE.match(on_here)
    assert REFERENCE.match(on_there)
    assert on_here != on_there


@pytest.mark.django_db
def test_the_reference_does_not_contain_the_candidates_id(client, employer_a, company_a, english):
    enable_summaries()
    position = PositionFactory(employer=company_a)
    candidate = consenting(pk=987654)
    MatchFactory(candidate=candidate, position=position)
    client.force_login(employer_a)

    [reference] = shown_references(client, position)
    response = client.get(reverse("matching:employer_position_matches", args=[position.pk]))

    assert "987654" not in reference
    assert "987654" not in response.text
    assert "Candidate no. 1<" not in response.text


@pytest.mark.django_db
def test_references_are_unique_within_a_positions_list(client, employer_a, company_a, english):
    enable_summaries()
    position = PositionFactory(employer=company_a)
    for score in range(30):
        MatchFactory(position=position, candidate=consenting(), score=40.0 + score)
    client.force_login(employer_a)

    shown = shown_references(client, position)

    assert len(shown) == 30
    assert len(set(shown)) == 30


# --- the case workers' side ------------------------------------------------------------------


@pytest.mark.django_db
def test_case_workers_see_and_filter_by_the_employers_reference(client, case_worker, company_a, english):
    position = PositionFactory(employer=company_a)
    samira = MatchFactory(position=position, candidate=CandidateFactory(first_name="Samira"), score=80.0)
    MatchFactory(position=position, candidate=CandidateFactory(first_name="Omar"), score=60.0)
    reference = selectors.employer_references(position=position)[samira.candidate_id]
    client.force_login(case_worker)
    url = reverse("matching:position_matches", args=[position.pk])

    listed = client.get(url)
    found = client.get(url, {"reference": f" {reference[:3].lower()} {reference[3:]}"})
    nobody = client.get(url, {"reference": "ZZZZZZZZ"})

    assert f"No. for the employer: {reference}" in listed.text
    assert [m.candidate.first_name for m in found.context["page"].object_list] == ["Samira"]
    assert list(nobody.context["page"].object_list) == []
