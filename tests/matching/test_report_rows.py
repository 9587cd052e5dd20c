"""The anonymised rows under the funder's report: no identities leave, one row per introduction
made in the period with its placement, a stable pseudonym, a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from candidates.models import Candidate, Note, SupportMeasure
from matching import introductions as svc
from matching.models import FollowUp, Introduction
from matching.pipeline import Reason, Stage
from matching.report_rows import anonymised_header, anonymised_rows, pseudonym
from matching.report_scope import ReportFilters
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import introduce

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = ReportFilters(start=datetime.date(TODAY.year, 1, 1), end=datetime.date(TODAY.year, 12, 31))


@pytest.fixture(autouse=True)
def _german():
    """Labels and headings in the portal's language, whatever an earlier test activated."""
    with translation.override("de"):
        yield


PEOPLE = [
    {
        "first_name": "Xaverina",
        "last_name": "Quenzelbrink",
        "email": "xaverina.quenzel@postfach.example",
        "phone": "+49 176 98765432",
        "date_of_birth": datetime.date(1990, 7, 23),
        "street": "Zypressenweg 17",
        "postal_code": "98693",
        "gender": "female",
        "nationality": "SY",
    },
    {
        "first_name": "Bartholomäus",
        "last_name": "Wyrzykowski",
        "email": "b.wyrzykowski@mailbox.example",
        "phone": "0361 5550199",
        "date_of_birth": datetime.date(1983, 11, 4),
        "street": "Ahornallee 3b",
        "postal_code": "07743",
        "gender": "male",
        "nationality": "AF",
    },
]


def _at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _rows(filters=PERIOD) -> list[dict]:
    header = anonymised_header()
    return [dict(zip(header, row, strict=True)) for row in anonymised_rows(filters)]


@pytest.fixture
def population(case_worker, company_a):
    """Two distinctive people: one placed at a position in Germany (with a follow-up and
    measures), one introduced abroad and declined; notes, messages and reasons in free text."""
    here = PositionFactory(employer=company_a)
    abroad = PositionFactory(employer=company_a, abroad=True)
    placed_person = CandidateFactory(case_worker=case_worker, **PEOPLE[0])
    declined_person = CandidateFactory(case_worker=case_worker, perspective="return", return_country="AF", **PEOPLE[1])
    Note.objects.create(candidate=placed_person, author=case_worker, text="Geheimnotiz Ypsilon")

    placed = introduce(
        candidate=placed_person, position=here, actor=case_worker, message="Vertrauliche Nachricht Omega"
    )
    svc.introduction_move(introduction=placed, to=Stage.INTERESTED, actor=case_worker)
    svc.introduction_move(introduction=placed, to=Stage.OFFER, actor=case_worker, comment="Kommentar Zeta")
    svc.placement_record(
        introduction=placed, actor=case_worker, kind="employment", start_date=TODAY, place="Weimarer Werkhalle"
    )
    svc.follow_up_record(
        follow_up=FollowUp.objects.get(placement__introduction=placed, months=6),
        actor=case_worker,
        outcome=FollowUp.Outcome.IN_WORK,
        note="Folgenotiz Kappa",
    )
    declined = introduce(candidate=declined_person, position=abroad, actor=case_worker)
    svc.introduction_move(
        introduction=declined, to=Stage.DECLINED, actor=case_worker, reason=Reason.LANGUAGE, comment="Absage Sigma"
    )
    common = {"candidate": placed_person, "kind": "language_course", "start_date": TODAY, "planned_by": case_worker}
    SupportMeasure.objects.create(
        **common,
        title="Sprachkurs Blauberg",
        provider="Sprachschule Lindgrün",
        planned_cost=Decimal("100.00"),
        actual_cost=Decimal("120.50"),
        status=SupportMeasure.Status.DONE,
        over_budget_reason="Budgetgrund Theta",
    )
    SupportMeasure.objects.create(**common, title="Kurs B", planned_cost=Decimal("80.00"))
    SupportMeasure.objects.create(
        **common, title="Kurs C", planned_cost=Decimal("50.00"), status=SupportMeasure.Status.CANCELLED
    )
    # introductions made on these days (the placement stays on its own date)
    Introduction.objects.filter(pk=placed.pk).update(
        created_at=_at(PERIOD.start, 9), closed_at=_at(PERIOD.start, 9) + datetime.timedelta(days=40)
    )
    return {"placed": placed, "declined": declined, "people": [placed_person, declined_person]}


def test_no_identity_leaves_in_the_rows(population, case_worker, company_a):
    text = "\n".join("\t".join(str(cell) for cell in row) for row in anonymised_rows(PERIOD)).lower()

    assert text  # there are rows to search
    forbidden = [case_worker.email, case_worker.first_name, case_worker.last_name, company_a.name]
    for person in PEOPLE:
        born = person["date_of_birth"]
        forbidden += [
            person["first_name"],
            person["last_name"],
            person["email"],
            person["phone"],
            person["street"],
            person["postal_code"],
            born.isoformat(),
            born.strftime("%d.%m.%Y"),
            f"{born.day}.{born.month}.{born.year}",
        ]
    forbidden += ["Geheimnotiz", "Vertrauliche", "Kommentar Zeta", "Folgenotiz", "Absage Sigma", "Blauberg"]
    forbidden += ["Lindgrün", "Budgetgrund", "Weimarer Werkhalle", "Erfurt"]
    leaked = [value for value in forbidden if value and value.lower() in text]
    assert leaked == []


def test_a_row_per_introduction_with_its_placement(population):
    rows = _rows()

    assert len(rows) == 2
    assert all(len(row) == len(anonymised_header()) for row in rows)
    placed, declined = rows  # in the order they were made
    assert placed["Geschlecht"] == "weiblich"
    assert placed["Staatsangehörigkeit"] == "Syrien"
    assert placed["Arbeitsort"] == "in Deutschland"
    assert placed["Land der Stelle"] == "Deutschland"
    assert placed["Vorgeschlagen am"] == PERIOD.start
    assert placed["Weiteste erreichte Stufe"] == "vermittelt"
    assert placed["Tage bis zum Abschluss"] == 40
    assert placed["Vermittlung"] == "Beschäftigung in Deutschland"
    assert placed["Beginn der Vermittlung"] == TODAY
    assert placed["Nachfrage nach 6 Monaten"] == "weiterhin in Arbeit"
    assert placed["Nachfrage nach 12 Monaten"] == ""
    assert placed["Fördermaßnahmen"] == 2  # the cancelled one does not count
    assert placed["Tatsächliche Kosten der Fördermaßnahmen (EUR)"] == Decimal("120.50")
    assert placed["Branche des Unternehmens"].startswith("C")
    assert declined["Arbeitsort"] == "im Ausland"
    assert declined["Land der Stelle"] == "Syrien"
    assert declined["Grund für den Abschluss"] == "Arbeitgeber lehnt ab: Sprache"
    assert declined["Tage bis zum Abschluss"] == 0
    assert declined["Vermittlung"] == ""
    assert declined["Fördermaßnahmen"] == 0
    assert declined["Tatsächliche Kosten der Fördermaßnahmen (EUR)"] == Decimal("0.00")


def test_pseudonym_is_stable_keyed_and_distinct(population, settings):
    first = [row[0] for row in anonymised_rows(PERIOD)]
    assert first == [row[0] for row in anonymised_rows(PERIOD)]
    assert len(set(first)) == 2
    assert all(len(value) == 10 and int(value, 16) >= 0 for value in first)
    placed_person = population["people"][0]
    assert first[0] == pseudonym(placed_person.pk)
    settings.SECRET_KEY = "another-key-" * 5
    assert pseudonym(placed_person.pk) != first[0]


def test_only_introductions_made_in_the_period(population, case_worker):
    before, first, last, after = (
        _at(PERIOD.start - datetime.timedelta(days=1), 23, 59),
        _at(PERIOD.start, 0, 0),
        _at(PERIOD.end, 23, 59),
        _at(PERIOD.end + datetime.timedelta(days=1), 0, 0),
    )
    position = PositionFactory()
    made = {}
    for label, moment in (("before", before), ("first", first), ("last", last), ("after", after)):
        candidate = CandidateFactory(case_worker=case_worker)
        introduction = introduce(candidate=candidate, position=position, actor=case_worker)
        Introduction.objects.filter(pk=introduction.pk).update(created_at=moment)
        made[label] = pseudonym(candidate.pk)

    pseudonyms = {row[0] for row in anonymised_rows(PERIOD)}

    assert made["first"] in pseudonyms
    assert made["last"] in pseudonyms
    assert made["before"] not in pseudonyms
    assert made["after"] not in pseudonyms


def test_a_constant_number_of_queries(population, case_worker, django_assert_num_queries):
    with django_assert_num_queries(2):  # the top countries, the rows
        assert len(list(anonymised_rows(PERIOD))) == 2
    for _k in range(4):
        introduce(candidate=CandidateFactory(case_worker=case_worker), position=PositionFactory(), actor=case_worker)
    with django_assert_num_queries(2):  # the top countries, the rows
        assert len(list(anonymised_rows(PERIOD))) == 6


def test_every_candidate_column_is_in_the_header():
    header = anonymised_header()
    assert len(header) == len(set(header)) == 22
    assert not any(Candidate._meta.get_field(name).verbose_name in header for name in ("first_name", "email"))
