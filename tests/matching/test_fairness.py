"""The fairness table: selection rates by group, the four-fifths flag, small groups left unjudged,
nationality as top 10 + other, age bands at the period's end and the German level."""

import datetime

import pytest
from django.utils import timezone, translation
from django_countries import countries

from bridges.models import CEFRLevel
from matching.fairness import FAIRNESS_STEPS, _rows, _years_before, fairness_tables
from matching.report_scope import ReportFilters, shown
from tests.candidates.factories import CandidateFactory, CandidateLanguageFactory, LanguageFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import introduce

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()  # the portal's day, as the period is
PERIOD = ReportFilters(start=datetime.date(TODAY.year, 1, 1), end=datetime.date(TODAY.year, 12, 31))
SAME = {"nationality": "SY", "date_of_birth": datetime.date(TODAY.year - 30, 6, 15)}


@pytest.fixture(autouse=True)
def _german():
    """Labels and headings in the portal's language, whatever an earlier test activated."""
    with translation.override("de"):
        yield


def _tables(filters=PERIOD) -> dict:
    return {table.dimension: table for table in fairness_tables(filters)}


def _row(table, key):
    return next(row for row in table.rows if row.key == key)


def _step(row, step):
    return next(s for s in row.steps if s.step == step)


def _disparity(case_worker, *, women=10, men=10, women_introduced=2, men_introduced=6, diverse=0):
    """Women and men alike in every other dimension; some of each introduced to one position."""
    position = PositionFactory()
    groups = (("female", women, women_introduced), ("male", men, men_introduced), ("diverse", diverse, 0))
    for gender, total, introduced in groups:
        for k in range(total):
            candidate = CandidateFactory(gender=gender, case_worker=case_worker, **SAME)
            if k < introduced:
                introduce(candidate=candidate, position=position, actor=case_worker)


def test_four_fifths_flags_exactly_the_disadvantaged_group(case_worker):
    _disparity(case_worker, diverse=3)

    tables = _tables()

    gender = tables["gender"]
    women, men = _row(gender, "female"), _row(gender, "male")
    assert (women.total, men.total) == (10, 10)
    for step in ("shortlisted", "introduced"):  # an introduction counts as shortlisted too
        assert _step(women, step).count == 2
        assert _step(women, step).rate == pytest.approx(0.2)
        assert _step(women, step).ratio == pytest.approx(1 / 3)
        assert _step(women, step).flagged
        assert _step(men, step).ratio == 1.0
        assert not _step(men, step).flagged
    assert [row.key for row in gender.flagged] == ["female"]
    for dimension, table in tables.items():
        if dimension != "gender":
            assert table.flagged == [], dimension
    # the one nationality, age band and German level hold everyone, judged against itself
    assert _row(tables["nationality"], "SY").total == 23
    assert _step(_row(tables["age_band"], "25-34"), "introduced").ratio == 1.0
    assert _row(tables["german_level"], "none").total == 23


def test_small_groups_get_no_rate_and_are_never_flagged(case_worker):
    _disparity(case_worker, diverse=3)

    diverse = _row(_tables()["gender"], "diverse")

    assert diverse.small
    assert diverse.total == 3
    assert shown(diverse.total) == "< 5"
    for step in diverse.steps:
        assert (step.count, step.rate, step.ratio, step.flagged) == (0, None, None, False)
    # an empty group is listed, unjudged
    not_stated = _row(_tables()["gender"], "not_stated")
    assert not_stated.total == 0
    assert all(step.rate is None and not step.flagged for step in not_stated.steps)


def test_a_best_rate_of_zero_gives_no_ratios(case_worker):
    _disparity(case_worker)

    for table in _tables().values():
        for row in table.rows:
            placed = _step(row, "placed")
            assert placed.ratio is None
            assert not placed.flagged


def test_a_group_at_exactly_four_fifths_is_not_flagged():
    def counts(total, introduced):
        return {"total": total, "shortlisted": introduced, "introduced": introduced, "placed": 0}

    rows = _rows([("a", "A", counts(10, 5)), ("b", "B", counts(10, 4)), ("c", "C", counts(20, 7))])

    introduced = {row.key: _step(row, "introduced") for row in rows}
    assert introduced["b"].ratio == pytest.approx(0.8)
    assert not introduced["b"].flagged  # exactly four fifths
    assert introduced["c"].ratio == pytest.approx(0.7)
    assert introduced["c"].flagged
    # ties for the best rate: both get 1.0
    tied = _rows([("a", "A", counts(10, 5)), ("b", "B", counts(6, 3))])
    assert [_step(row, "introduced").ratio for row in tied] == [1.0, 1.0]


def test_nationality_is_the_top_ten_then_other_and_not_stated(case_worker):
    codes = ["SY", "AF", "UA", "TR", "IQ", "ER", "IR", "SO", "NG", "VN", "GE", "AL"]
    for index, code in enumerate(codes):
        # the first ten have 2 candidates each, the last two one each
        for _k in range(2 if index < 10 else 1):
            CandidateFactory(nationality=code, case_worker=case_worker)
    CandidateFactory(nationality="", country_of_origin="SY", case_worker=case_worker)

    table = _tables()["nationality"]

    keys = [row.key for row in table.rows]
    assert keys == [*sorted(codes[:10]), "other", "not_stated"]  # equal counts: by code
    assert _row(table, "other").total == 2
    assert _row(table, "not_stated").total == 1
    assert _row(table, "SY").label == countries.name("SY")
    assert _row(table, "other").label == "andere"
    assert "GE" not in keys
    assert "AL" not in keys


def test_age_band_is_taken_at_the_period_end(case_worker):
    end = PERIOD.end
    born = {
        "turns-25-on-last-day": datetime.date(end.year - 25, end.month, end.day),
        "turns-25-after": end.replace(year=end.year - 25) + datetime.timedelta(days=1),
        "turns-55-on-last-day": datetime.date(end.year - 55, end.month, end.day),
        "still-54": end.replace(year=end.year - 55) + datetime.timedelta(days=1),
        "35": datetime.date(end.year - 35, 1, 1),
    }
    for day in born.values():
        CandidateFactory(date_of_birth=day, case_worker=case_worker)

    totals = {row.key: row.total for row in _tables()["age_band"].rows}

    assert totals == {"under-25": 1, "25-34": 1, "35-44": 1, "45-54": 1, "55-plus": 1}
    # and a year later the one who turned 25 then is still 25
    later = ReportFilters(start=PERIOD.start, end=end.replace(year=end.year + 1))
    totals = {row.key: row.total for row in _tables(later)["age_band"].rows}
    assert totals == {"under-25": 0, "25-34": 2, "35-44": 1, "45-54": 0, "55-plus": 2}
    assert _years_before(datetime.date(2028, 2, 29), 25) == datetime.date(2003, 2, 28)


def test_german_level_is_the_german_language_only(case_worker):
    german, english = LanguageFactory(code="de"), LanguageFactory(code="en", name_en="English", name_de="Englisch")
    b1 = CandidateFactory(case_worker=case_worker)
    CandidateLanguageFactory(candidate=b1, language=german, level=CEFRLevel.B1)
    CandidateLanguageFactory(candidate=b1, language=english, level=CEFRLevel.C2)
    only_english = CandidateFactory(case_worker=case_worker)
    CandidateLanguageFactory(candidate=only_english, language=english, level=CEFRLevel.C1)
    native = CandidateFactory(case_worker=case_worker)
    CandidateLanguageFactory(candidate=native, language=german, level=CEFRLevel.NATIVE)

    table = _tables()["german_level"]

    assert [row.key for row in table.rows] == ["none", "A1", "A2", "B1", "B2", "C1", "C2", "native"]
    totals = {row.key: row.total for row in table.rows if row.total}
    assert totals == {"B1": 1, "none": 1, "native": 1}
    assert _row(table, "none").label == "keine"


def test_a_constant_number_of_queries(case_worker, django_assert_num_queries):
    _disparity(case_worker, women=2, men=2, women_introduced=1, men_introduced=1)
    with django_assert_num_queries(4):  # one aggregate per dimension
        small = fairness_tables(PERIOD)
    _disparity(case_worker, women=12, men=12, women_introduced=4, men_introduced=6)
    for code in ("AF", "UA", "TR"):
        CandidateFactory(nationality=code, case_worker=case_worker)
    with django_assert_num_queries(4):  # one aggregate per dimension
        large = fairness_tables(PERIOD)
    assert (
        [t.dimension for t in small]
        == [t.dimension for t in large]
        == [
            "gender",
            "nationality",
            "age_band",
            "german_level",
        ]
    )
    assert all(len(row.steps) == len(FAIRNESS_STEPS) for table in large for row in table.rows)
