"""The pipeline around the engine: loader (database → arrays), writer (results → Match rows),
and the rescoring services with their runs and re-scoring marks."""

import dataclasses
import math
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from bridges.models import CEFRLevel, OccupationSkill, Region
from candidates.models import Candidate, Perspective, Status, WorkExperience, WorkPermission
from candidates.services import candidate_save
from employers.models import EngagementRegion, Position, PositionSkill
from employers.services import position_set_status
from matching import engine, loader, reference, services, writer
from matching import tasks as matching_tasks
from matching.models import Match, MatchRun, ScoringConfig
from tests.candidates.factories import CandidateFactory, CandidateLanguageFactory, LanguageFactory, PlaceFactory
from tests.employers.factories import EmployerFactory, LanguageRequirementFactory, PositionFactory
from tests.factories import OccupationFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db


def build_population() -> SimpleNamespace:
    """Four active candidates and an inactive one; three public positions (one abroad) and a draft."""
    today = timezone.localdate()
    skills = [SkillFactory() for _ in range(6)]
    welder = OccupationFactory(isco_group="7212")
    sheet_metal = OccupationFactory(isco_group="7213")
    electrician = OccupationFactory(isco_group="7411")
    for skill in skills[:3]:
        OccupationSkill.objects.create(occupation=welder, skill=skill, relation_type="essential")
    OccupationSkill.objects.create(occupation=welder, skill=skills[3], relation_type="optional")
    OccupationSkill.objects.create(occupation=sheet_metal, skill=skills[0], relation_type="essential")
    OccupationSkill.objects.create(occupation=electrician, skill=skills[4], relation_type="essential")
    german = LanguageFactory()
    arabic = LanguageFactory(code="ar", name_en="Arabic", name_de="Arabisch")
    erfurt = PlaceFactory()
    jena = PlaceFactory(geonameid=2895044, name="Jena", latitude=50.9272, longitude=11.5864, population=110000)
    aleppo = Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo")
    damascus = Region.objects.create(code="SY-DI", country="SY", name_en="Damascus")

    amina = CandidateFactory(
        place=erfurt,
        work_permission=WorkPermission.WITH_APPROVAL,
        work_permission_valid_until=today + timedelta(days=400),
        available_from=today + timedelta(days=10),
        last_confirmed=today - timedelta(days=5),
    )
    amina.skills.set(skills[:2])
    amina.desired_occupations.set([welder])
    WorkExperience.objects.create(candidate=amina, occupation=welder, years=Decimal("2.0"))
    CandidateLanguageFactory(candidate=amina, language=german, level=CEFRLevel.B1)
    omar = CandidateFactory(
        place=jena,
        max_commute_km=30,
        perspective=Perspective.RETURN,
        country_of_origin="SY",
        region_of_origin=damascus,
        return_country="SY",
        return_region=aleppo,
    )
    omar.skills.set([skills[4]])
    WorkExperience.objects.create(
        candidate=omar,
        occupation=electrician,
        start_date=today - timedelta(days=730),
        end_date=today - timedelta(days=365),
    )
    CandidateLanguageFactory(candidate=omar, language=arabic, level=CEFRLevel.NATIVE)
    CandidateLanguageFactory(candidate=omar, language=german, level=CEFRLevel.A2)
    hamid = CandidateFactory(place=jena, max_commute_km=10, willing_to_relocate=True, perspective=Perspective.OPEN)
    hamid.skills.set(skills[:3])
    hamid.desired_occupations.set([sheet_metal])
    CandidateLanguageFactory(candidate=hamid, language=german, level=CEFRLevel.B2)
    yara = CandidateFactory(place=None, work_permission=WorkPermission.NOT_ALLOWED)
    CandidateLanguageFactory(candidate=yara, language=german, level=CEFRLevel.C1)
    lena = CandidateFactory(status=Status.INACTIVE)
    lena.skills.set(skills)

    employer = EmployerFactory(place=erfurt)
    EngagementRegion.objects.create(employer=employer, country="SY", region=aleppo, kind="partner")
    EngagementRegion.objects.create(employer=employer, country="IQ", kind="planned")
    welding = PositionFactory(employer=employer, occupation=welder, place=erfurt, start_date=today + timedelta(days=30))
    for skill in skills[:3]:
        PositionSkill.objects.create(position=welding, skill=skill, relation_type="essential")
    PositionSkill.objects.create(position=welding, skill=skills[3], relation_type="optional")
    LanguageRequirementFactory(position=welding, language=german, min_level=CEFRLevel.B2, required=True)
    LanguageRequirementFactory(position=welding, language=arabic, min_level=CEFRLevel.B1, required=False)
    sheet = PositionFactory(employer=employer, occupation=sheet_metal, place=jena, requires_work_permission=False)
    PositionSkill.objects.create(position=sheet, skill=skills[0], relation_type="essential")
    abroad = PositionFactory(
        employer=employer,
        occupation=electrician,
        location=Position.Location.ABROAD,
        postal_code="",
        place=None,
        country="SY",
        region=aleppo,
        position_type=Position.PositionType.RETURN_ABROAD,
    )
    PositionSkill.objects.create(position=abroad, skill=skills[4], relation_type="essential")
    LanguageRequirementFactory(position=abroad, language=arabic, min_level=CEFRLevel.B2, required=True)
    draft = PositionFactory(employer=employer, occupation=welder, status=Position.Status.DRAFT)
    return SimpleNamespace(**locals())


@pytest.fixture
def population():
    return build_population()


def stored(rounding: int = 6) -> set[tuple]:
    return {
        (c, p, round(score, rounding), rp, rc)
        for c, p, score, rp, rc in Match.objects.values_list(
            "candidate_id", "position_id", "score", "rank_for_position", "rank_for_candidate"
        )
    }


def pairs() -> set[tuple[int, int]]:
    return set(Match.objects.values_list("candidate_id", "position_id"))


# --- loader ---------------------------------------------------------------------------------


def test_loader_reads_active_candidates_and_public_positions_in_a_handful_of_queries(
    population, django_assert_max_num_queries
):
    ScoringConfig.active()
    with django_assert_max_num_queries(16):
        inputs = loader.load()
    c, p, v = inputs.candidates, inputs.positions, inputs.vocabulary
    pop = population

    assert c.ids.tolist() == sorted([pop.amina.pk, pop.omar.pk, pop.hamid.pk, pop.yara.pk])
    assert p.ids.tolist() == sorted([pop.welding.pk, pop.sheet.pk, pop.abroad.pk])
    assert c.skills.shape == (4, v.n_skills) == (4, len(pop.skills))
    assert p.essential.shape == p.optional.shape == (3, v.n_skills)
    assert c.occupations.shape[1] == p.occupation_essential.shape[0] == v.n_occupations
    assert c.languages.shape[1] == p.language_level.shape[1] == v.n_languages == 2
    assert c.isco4.shape[1] == c.isco4_years.shape[1] == len(v.isco4_codes) == 3
    assert c.isco2.shape[1] == len(v.isco2_codes) == 2  # 72, 74


def _same_arrays(first, second) -> list[str]:
    """The fields in which two `CandidateArrays` (or two `PositionArrays`) differ."""
    differ = []
    for field in dataclasses.fields(first):
        a, b = getattr(first, field.name), getattr(second, field.name)
        if sp.issparse(a):
            a, b = a.toarray(), b.toarray()
        if not np.array_equal(np.asarray(a), np.asarray(b), equal_nan=np.asarray(a).dtype.kind == "f"):
            differ.append(field.name)
    return differ


def test_a_few_records_are_read_in_one_round_trip_as_the_bulk_load_reads_them(
    population, monkeypatch, django_assert_num_queries
):
    # One candidate rescored, one pair explained: the row, then every related row in one UNION ALL
    # (skills, occupations desired and experienced with years and dates, languages; a position's
    # skills, language requirements and its employer's regions of engagement).
    pop = population
    vocabulary = loader.load_vocabulary()
    essential = loader.load_occupation_essential(vocabulary)
    candidate_ids, position_ids = [pop.omar.pk, pop.amina.pk, pop.hamid.pk], [pop.welding.pk, pop.abroad.pk]

    with django_assert_num_queries(2):
        few_candidates = loader.load_candidates(vocabulary, ids=candidate_ids)
    with django_assert_num_queries(2):
        few_positions = loader.load_positions(vocabulary, ids=position_ids, occupation_essential=essential)
    monkeypatch.setattr(loader, "FEW", 0)  # the same ids through the bulk queries
    with django_assert_num_queries(5):
        bulk_candidates = loader.load_candidates(vocabulary, ids=candidate_ids)
    with django_assert_num_queries(4):
        bulk_positions = loader.load_positions(vocabulary, ids=position_ids, occupation_essential=essential)

    assert few_candidates.ids.tolist() == sorted(candidate_ids)
    assert few_positions.ids.tolist() == sorted(position_ids)
    assert _same_arrays(few_candidates, bulk_candidates) == []
    assert _same_arrays(few_positions, bulk_positions) == []
    # what is compared is not empty: experience with years, languages, engagement regions
    o = few_candidates.ids.tolist().index(pop.omar.pk)
    assert few_candidates.occupation_years[o].sum() == pytest.approx(365 / 365.25)
    assert few_candidates.languages[o].sum() > 0
    assert few_positions.essential.nnz > 0
    assert few_positions.optional.nnz > 0
    assert few_positions.language_required.any()
    assert few_positions.engagement_countries.nnz > 0


def test_a_few_records_are_read_through_statements_the_orm_writes_once(population, monkeypatch):
    # A worker rescores one record after another: the ORM wrote the same two statements each time
    # (~4 ms of a 6 ms load). Now they are written once, the ids an array parameter of any length.
    pop = population
    vocabulary = loader.load_vocabulary()
    essential = loader.load_occupation_essential(vocabulary)
    loader.load_candidates(vocabulary, ids=[pop.omar.pk])
    loader.load_positions(vocabulary, ids=[pop.welding.pk], occupation_essential=essential)
    written = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: written.append(self.query) or as_sql(self, *a, **k)
    )

    candidates = loader.load_candidates(vocabulary, ids=[pop.amina.pk, pop.hamid.pk, pop.omar.pk])
    positions = loader.load_positions(vocabulary, ids=[pop.abroad.pk, pop.sheet.pk], occupation_essential=essential)

    assert written == []
    assert candidates.ids.tolist() == sorted([pop.amina.pk, pop.hamid.pk, pop.omar.pk])
    assert positions.ids.tolist() == sorted([pop.abroad.pk, pop.sheet.pk])
    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    monkeypatch.setattr(loader, "FEW", 0)
    assert _same_arrays(candidates, loader.load_candidates(vocabulary, ids=candidates.ids.tolist())) == []
    bulk = loader.load_positions(vocabulary, ids=positions.ids.tolist(), occupation_essential=essential)
    assert _same_arrays(positions, bulk) == []


def test_a_position_that_expired_overnight_is_not_read_by_the_statement_of_the_day_before(population):
    # What is public depends on the day: the kept statement of a few positions is the day's.
    pop = population
    vocabulary = loader.load_vocabulary()
    essential = loader.load_occupation_essential(vocabulary)
    Position.objects.filter(pk=pop.welding.pk).update(expires_on=timezone.localdate())
    ids = [pop.welding.pk, pop.sheet.pk]

    today = loader.load_positions(vocabulary, ids=ids, occupation_essential=essential)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        tomorrow = loader.load_positions(vocabulary, ids=ids, occupation_essential=essential)

    assert today.ids.tolist() == sorted(ids)
    assert tomorrow.ids.tolist() == [pop.sheet.pk]


def _row(matrix, i: int) -> dict[int, float]:
    matrix = matrix.tocsr()
    return dict(zip(matrix[i].indices.tolist(), matrix[i].data.tolist(), strict=True))


def test_loader_maps_every_field_to_its_column(population):
    pop = population
    inputs = loader.load()
    c, p, v = inputs.candidates, inputs.positions, inputs.vocabulary
    today = timezone.localdate()
    i = c.ids.tolist().index(pop.amina.pk)
    o = c.ids.tolist().index(pop.omar.pk)
    h = c.ids.tolist().index(pop.hamid.pk)
    y = c.ids.tolist().index(pop.yara.pk)
    skill = {s.pk: int(v.skill_columns([s.pk])[0]) for s in pop.skills}
    occupation = {o_.pk: int(v.occupation_columns([o_.pk])[0]) for o_ in (pop.welder, pop.sheet_metal, pop.electrician)}

    # Skills, occupations (desired ∪ experienced) with years, ISCO groups.
    assert set(_row(c.skills, i)) == {skill[pop.skills[0].pk], skill[pop.skills[1].pk]}
    assert _row(c.occupations, i) == {occupation[pop.welder.pk]: 1.0}
    assert _row(c.occupation_years, i) == {occupation[pop.welder.pk]: 2.0}
    assert _row(c.occupations, h) == {occupation[pop.sheet_metal.pk]: 1.0}
    assert _row(c.occupation_years, h) == {}
    years = _row(c.occupation_years, o)[occupation[pop.electrician.pk]]
    assert years == pytest.approx(365 / 365.25)
    assert [v.isco4_codes[k] for k in _row(c.isco4, i)] == ["7212"]
    assert {v.isco4_codes[k]: y_ for k, y_ in _row(c.isco4_years, o).items()} == {"7411": pytest.approx(years)}
    assert [v.isco2_codes[k] for k in _row(c.isco2, h)] == ["72"]

    # Languages, place, mobility, perspective, origin and return, permission, dates.
    de, ar = (int(v.language_columns([lang.pk])[0]) for lang in (pop.german, pop.arabic))
    assert v.language_codes[de] == "de"
    assert c.languages[o, ar] == CEFRLevel.NATIVE
    assert c.languages[o, de] == CEFRLevel.A2
    assert c.languages[i, ar] == 0
    assert c.lat[o] == pytest.approx(50.9272)
    assert c.lon[o] == pytest.approx(11.5864)
    assert math.isnan(c.lat[y])
    assert math.isnan(c.lon[y])
    assert math.isnan(c.commute_km[i])
    assert c.commute_km[o] == 30
    assert c.relocate.tolist()[h] is True
    assert c.relocate.tolist()[i] is False
    assert c.perspective[i] == engine.STAY
    assert c.perspective[o] == engine.RETURN
    assert c.perspective[h] == engine.OPEN
    assert v.country_codes[c.origin_country[o]] == "SY"
    assert v.country_codes[c.return_country[o]] == "SY"
    assert c.return_country[i] == -1
    assert c.return_region[i] == -1
    assert c.origin_region[o] == v.region_columns([pop.damascus.pk])[0]
    assert c.return_region[o] == v.region_columns([pop.aleppo.pk])[0]
    assert c.permission[i] == engine.WITH_APPROVAL
    assert c.permission[y] == engine.NOT_ALLOWED
    assert c.permission_until[i] == (today + timedelta(days=400)).toordinal()
    assert math.isnan(c.permission_until[o])
    assert c.available_from[i] == (today + timedelta(days=10)).toordinal()
    assert math.isnan(c.available_from[o])
    assert c.last_confirmed[i] == (today - timedelta(days=5)).toordinal()
    assert math.isnan(c.last_confirmed[o])

    # Positions.
    w, s, a = (p.ids.tolist().index(x.pk) for x in (pop.welding, pop.sheet, pop.abroad))
    assert set(_row(p.essential, w)) == {skill[x.pk] for x in pop.skills[:3]}
    assert set(_row(p.optional, w)) == {skill[pop.skills[3].pk]}
    assert p.occupation[w] == occupation[pop.welder.pk]
    assert v.isco4_codes[p.isco4[s]] == "7213"
    assert v.isco2_codes[p.isco2[s]] == "72"
    assert p.language_level[w, de] == CEFRLevel.B2
    assert p.language_required[w, de]
    assert p.language_level[w, ar] == CEFRLevel.B1
    assert not p.language_required[w, ar]
    assert p.abroad.tolist() == [False, False, True]
    assert p.lat[w] == pytest.approx(50.9787)
    assert math.isnan(p.lat[a])
    assert v.country_codes[p.country[a]] == "SY"
    assert p.region[a] == v.region_columns([pop.aleppo.pk])[0]
    assert {v.country_codes[k] for k in _row(p.engagement_countries, a)} == {"SY", "IQ"}
    assert set(_row(p.engagement_regions, a)) == {int(v.region_columns([pop.aleppo.pk])[0])}
    assert p.requires_permission.tolist()[s] is False
    assert p.requires_permission.tolist()[w] is True
    assert p.start[w] == (today + timedelta(days=30)).toordinal()
    assert math.isnan(p.start[a])
    assert set(_row(p.occupation_essential, occupation[pop.welder.pk])) == {skill[x.pk] for x in pop.skills[:3]}
    assert set(_row(p.occupation_essential, occupation[pop.sheet_metal.pk])) == {skill[pop.skills[0].pk]}


def test_one_candidate_load_uses_the_columns_of_the_full_load(population):
    full = loader.load()
    one = loader.load(candidate_ids=[population.omar.pk, population.lena.pk])

    assert one.candidates.ids.tolist() == [population.omar.pk]  # the inactive one is not loaded
    i = full.candidates.ids.tolist().index(population.omar.pk)
    for name in ("skills", "occupations", "occupation_years", "isco4", "isco4_years", "isco2"):
        assert (getattr(one.candidates, name) != getattr(full.candidates, name)[i]).nnz == 0, name
    assert (one.candidates.languages[0] == full.candidates.languages[i]).all()
    assert one.positions.ids.tolist() == full.positions.ids.tolist()
    assert (one.positions.essential != full.positions.essential).nnz == 0


def test_engine_config_comes_from_the_active_scoring_configuration(db):
    ScoringConfig.objects.create(name="strict", is_active=True, weight_place=0.0, min_score=40, top_k_per_candidate=3)

    config = loader.engine_config()

    assert config.weights["place"] == 0.0
    assert config.weights["occupation"] == 3.0
    assert config.min_score == 40
    assert config.top_k_per_candidate == 3
    assert config.top_k_per_position == 50
    assert config.today == timezone.localdate().toordinal()


# --- writer ---------------------------------------------------------------------------------


def test_ranks_number_each_group_by_score_with_ties_to_the_lower_id():
    group = np.array([1, 1, 1, 2, 2])
    score = np.array([50.0, 70.0, 70.0, 10.0, 90.0])
    other = np.array([30, 20, 10, 1, 2])

    assert writer.ranks(group, score, other, k=2).tolist() == [0, 2, 1, 2, 1]


def test_full_run_stores_exactly_the_engines_top_k_with_components_and_explanations(population):
    pop = population
    stale = Match.objects.create(candidate=pop.lena, position=pop.welding, score=99.0)

    run = services.rescore_all(trigger=MatchRun.Trigger.FULL)

    inputs = loader.load()
    scores, _components, _exclusion = engine.score_matrix(inputs.candidates, inputs.positions, inputs.config)
    kept = reference.top_k(scores, inputs.config)
    expected = {
        (
            int(inputs.candidates.ids[i]),
            int(inputs.positions.ids[j]),
            round(float(scores[i, j]), 6),
            rp or None,
            rc or None,
        )
        for (i, j), (rp, rc) in kept.items()
    }
    assert stored() == expected
    assert not Match.objects.filter(pk=stale.pk).exists()
    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED
    assert run.progress == 100
    assert run.pairs_scored == 4 * 3
    assert run.rows_written == len(expected) > 0
    assert run.finished_at
    assert run.duration_s > 0
    assert run.config == ScoringConfig.active()
    assert set(Match.objects.values_list("run_id", flat=True)) == {run.pk}
    # Excluded pairs are never stored: Omar's German is too far below B2, Yara may not work,
    # Amina stays in Germany.
    assert (pop.omar.pk, pop.welding.pk) not in pairs()
    assert (pop.yara.pk, pop.welding.pk) not in pairs()
    assert (pop.amina.pk, pop.abroad.pk) not in pairs()

    match = Match.objects.get(candidate=pop.amina, position=pop.welding)
    assert list(match.components) == list(engine.COMPONENTS)
    assert match.components["essential_skills"] == pytest.approx(2 / 3, abs=1e-4)
    assert match.explanation == {
        "matched_skills": [pop.skills[0].pk, pop.skills[1].pk],
        "missing_essential": [pop.skills[2].pk],
        "language_gaps": [
            {"language": "de", "required": 4, "has": 3, "required_flag": True},
            {"language": "ar", "required": 3, "has": 0, "required_flag": False},
        ],
        "support": ["language_course", "training"],
        "notes": ["work_permission_with_approval"],
    }
    moving = Match.objects.get(candidate=pop.hamid, position=pop.welding)
    assert moving.components["place"] == 0.4
    assert "relocation" in moving.explanation["support"]
    home = Match.objects.get(candidate=pop.omar, position=pop.abroad)
    assert home.components["place"] == 1.0
    assert home.explanation["support"] == ["travel"]


def match_table_schema() -> tuple[list, list]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = 'matching_match'::regclass ORDER BY 1"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE conrelid = 'matching_match'::regclass ORDER BY 1"
        )
        return indexes, cursor.fetchall()


def test_full_run_leaves_the_indexes_and_keys_of_the_match_table_as_migrated(population):
    if connection.vendor != "postgresql":
        pytest.skip("the bulk write that rebuilds indexes and keys is PostgreSQL's")
    migrated = match_table_schema()
    # primary key, unique pair, (position, -score), (candidate, -score), (-score, id)
    assert len(migrated[0]) == 5

    services.rescore_all()

    assert match_table_schema() == migrated

    def match_of_no_candidate():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            Match.objects.create(candidate_id=10**9, position_id=population.welding.pk, score=50.0)

    with pytest.raises(IntegrityError):
        match_of_no_candidate()


def test_full_run_leaves_out_a_candidate_deleted_while_it_scored(population, monkeypatch):
    pop = population
    real_load = loader.load

    def load_then_delete(**kwargs):
        inputs = real_load(**kwargs)
        Candidate.objects.filter(pk=pop.hamid.pk).delete()
        return inputs

    monkeypatch.setattr(loader, "load", load_then_delete)
    run = services.rescore_all()

    assert Match.objects.exists()
    assert not Match.objects.filter(candidate_id=pop.hamid.pk).exists()
    run.refresh_from_db()
    assert run.rows_written == Match.objects.count()


def test_rerun_gives_identical_rows_and_never_duplicates(population):
    services.rescore_all()
    first = {
        row[:2]: row[2:]
        for row in Match.objects.values_list(
            "candidate_id",
            "position_id",
            "score",
            "components",
            "explanation",
            "rank_for_position",
            "rank_for_candidate",
        )
    }

    services.rescore_all()
    services.rescore_candidate(candidate_id=population.amina.pk)
    services.rescore_position(position_id=population.welding.pk)

    second = {
        row[:2]: row[2:]
        for row in Match.objects.values_list(
            "candidate_id",
            "position_id",
            "score",
            "components",
            "explanation",
            "rank_for_position",
            "rank_for_candidate",
        )
    }
    assert second == first
    assert Match.objects.count() == len(first)


def test_candidate_run_replaces_only_that_candidates_rows(population):
    pop = population
    services.rescore_all()
    others = {
        (c, p): run
        for c, p, run in Match.objects.exclude(candidate=pop.amina).values_list("candidate_id", "position_id", "run_id")
    }
    before = Match.objects.get(candidate=pop.amina, position=pop.welding).score

    pop.amina.skills.add(pop.skills[2])
    run = services.rescore_candidate(candidate_id=pop.amina.pk)

    after = Match.objects.get(candidate=pop.amina, position=pop.welding)
    assert after.score > before
    assert after.run_id == run.pk
    assert after.explanation["missing_essential"] == []
    assert {
        (c, p): r
        for c, p, r in Match.objects.exclude(candidate=pop.amina).values_list("candidate_id", "position_id", "run_id")
    } == others
    assert run.trigger == MatchRun.Trigger.CANDIDATE
    assert run.candidate_id == pop.amina.pk
    assert run.pairs_scored == 3
    # What the partial run stored is what a full run stores.
    partial = stored()
    services.rescore_all()
    assert stored() == partial


def test_position_run_replaces_only_that_positions_rows(population):
    pop = population
    services.rescore_all()
    others = set(Match.objects.exclude(position=pop.sheet).values_list("candidate_id", "position_id", "run_id"))

    PositionSkill.objects.filter(position=pop.sheet).delete()
    run = services.rescore_position(position_id=pop.sheet.pk)

    assert set(Match.objects.exclude(position=pop.sheet).values_list("candidate_id", "position_id", "run_id")) == others
    assert set(Match.objects.filter(position=pop.sheet).values_list("run_id", flat=True)) == {run.pk}
    assert run.position_id == pop.sheet.pk
    assert run.pairs_scored == 4
    partial = stored()
    services.rescore_all()
    assert stored() == partial


def test_partial_run_renumbers_the_ranks_of_the_other_side(population):
    pop = population
    ScoringConfig.objects.update_or_create(is_active=True, defaults={"name": "k1", "top_k_per_position": 1})
    services.rescore_all()
    leader = Match.objects.get(position=pop.welding, rank_for_position=1)
    assert leader.candidate_id == pop.amina.pk

    # Hamid turns to welding with three years of experience: he overtakes Amina.
    pop.hamid.desired_occupations.set([pop.welder])
    WorkExperience.objects.create(candidate=pop.hamid, occupation=pop.welder, years=Decimal("3.0"))
    services.rescore_candidate(candidate_id=pop.hamid.pk)

    ranks = dict(Match.objects.filter(position=pop.welding).values_list("candidate_id", "rank_for_position"))
    assert ranks[pop.hamid.pk] == 1
    assert ranks[pop.amina.pk] is None  # kept for Amina's own list, no longer in the position's top 1
    assert Match.objects.filter(position=pop.welding, rank_for_position=1).count() == 1


def test_blocks_of_a_full_run_give_the_same_rows_as_one_block(population, monkeypatch):
    services.rescore_all()
    one_block = stored()
    seen = []
    monkeypatch.setattr(engine, "PAIRS_PER_BLOCK", 1)  # one candidate per block
    real_progress = services._progress
    monkeypatch.setattr(services, "_progress", lambda run, percent: (seen.append(percent), real_progress(run, percent)))
    ScoringConfig.objects.filter(is_active=True).update(top_k_per_position=2, top_k_per_candidate=1)

    services.rescore_all()
    in_blocks, progress = stored(), list(seen)
    monkeypatch.setattr(engine, "PAIRS_PER_BLOCK", 2_000_000)
    services.rescore_all()

    assert in_blocks == stored() != one_block
    assert progress == [10, 27.5, 45, 62.5, 80]  # after loading, then after each block


# --- marks, inactive records, failures, sweep -----------------------------------------------


def test_run_clears_the_marks_it_saw(population):
    Candidate.objects.update(rescore_requested_at=timezone.now())
    Position.objects.update(rescore_requested_at=timezone.now())

    services.rescore_all()

    assert not Candidate.objects.filter(rescore_requested_at__isnull=False).exists()
    assert not Position.objects.filter(rescore_requested_at__isnull=False).exists()


def test_a_mark_set_after_the_run_loaded_stays(population, monkeypatch):
    pop = population
    Candidate.objects.update(rescore_requested_at=timezone.now() - timedelta(seconds=5))
    real_load = loader.load
    later = timezone.now()

    def load_then_change(**kwargs):
        inputs = real_load(**kwargs)
        # A save that commits while the run scores: newer data, a newer mark.
        Candidate.objects.filter(pk=pop.amina.pk).update(rescore_requested_at=later)
        return inputs

    monkeypatch.setattr(loader, "load", load_then_change)
    services.rescore_all()

    assert Candidate.objects.get(pk=pop.amina.pk).rescore_requested_at == later
    assert not Candidate.objects.exclude(pk=pop.amina.pk).filter(rescore_requested_at__isnull=False).exists()


def test_a_mark_set_after_a_candidate_run_loaded_stays(population, monkeypatch):
    pop = population
    Candidate.objects.filter(pk=pop.amina.pk).update(rescore_requested_at=timezone.now() - timedelta(seconds=5))
    real_load = loader.load_candidates
    later = timezone.now()

    def load_then_change(*args, **kwargs):
        candidates = real_load(*args, **kwargs)
        Candidate.objects.filter(pk=pop.amina.pk).update(rescore_requested_at=later)
        return candidates

    monkeypatch.setattr(loader, "load_candidates", load_then_change)
    services.rescore_candidate(candidate_id=pop.amina.pk)

    assert Candidate.objects.get(pk=pop.amina.pk).rescore_requested_at == later


def test_inactive_candidate_and_closed_position_lose_their_matches(population):
    pop = population
    services.rescore_all()
    assert Match.objects.filter(candidate=pop.amina).exists()
    assert Match.objects.filter(position=pop.abroad).exists()

    Candidate.objects.filter(pk=pop.amina.pk).update(status=Status.PLACED, rescore_requested_at=timezone.now())
    Position.objects.filter(pk=pop.abroad.pk).update(status=Position.Status.FILLED, rescore_requested_at=timezone.now())
    services.rescore_candidate(candidate_id=pop.amina.pk)
    services.rescore_position(position_id=pop.abroad.pk)

    assert not Match.objects.filter(candidate=pop.amina).exists()
    assert not Match.objects.filter(position=pop.abroad).exists()
    assert Candidate.objects.get(pk=pop.amina.pk).rescore_requested_at is None
    assert Position.objects.get(pk=pop.abroad.pk).rescore_requested_at is None
    assert Match.objects.exists()  # the others keep theirs


def test_failed_run_is_recorded_and_keeps_rows_and_marks(population, monkeypatch):
    services.rescore_all()
    before = stored()
    Candidate.objects.update(rescore_requested_at=timezone.now())

    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "score_top_k", broken)
    with pytest.raises(RuntimeError):
        services.rescore_all()

    run = MatchRun.objects.order_by("-pk").first()
    assert run.status == MatchRun.Status.FAILED
    assert "engine exploded" in run.error
    assert run.finished_at
    assert stored() == before
    assert not Candidate.objects.filter(rescore_requested_at__isnull=True).exists()


def test_sweep_rescores_the_marked_records(population):
    pop = population
    services.rescore_all()
    Candidate.objects.update(rescore_requested_at=None)
    Position.objects.update(rescore_requested_at=None)
    assert services.sweep() == []

    pop.amina.skills.add(pop.skills[2])
    Candidate.objects.filter(pk__in=[pop.amina.pk, pop.omar.pk]).update(rescore_requested_at=timezone.now())
    Position.objects.filter(pk=pop.sheet.pk).update(rescore_requested_at=timezone.now())
    runs = services.sweep()

    assert [run.trigger for run in runs] == [MatchRun.Trigger.SWEEP] * 2
    assert runs[0].candidate_id is None
    assert runs[1].position_id == pop.sheet.pk
    assert Match.objects.get(candidate=pop.amina, position=pop.welding).explanation["missing_essential"] == []
    assert not Candidate.objects.filter(rescore_requested_at__isnull=False).exists()
    assert not Position.objects.filter(rescore_requested_at__isnull=False).exists()


def test_sweep_with_many_marks_runs_one_full_rescore(population, monkeypatch):
    monkeypatch.setattr(services, "SWEEP_FULL_CANDIDATES", 2)
    Candidate.objects.update(rescore_requested_at=timezone.now())

    runs = services.sweep()

    assert len(runs) == 1
    assert runs[0].pairs_scored == 4 * 3
    assert runs[0].candidate_id is None
    assert not Candidate.objects.filter(rescore_requested_at__isnull=False).exists()


def test_runs_hold_the_matching_lock(population):
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    with connection.cursor() as cursor:
        mine = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
        cursor.execute(mine)
        assert cursor.fetchone()[0] == 0
        with services.matching_lock():
            cursor.execute(mine)
            assert cursor.fetchone()[0] == 1
        cursor.execute(mine)
        assert cursor.fetchone()[0] == 0


def test_prune_runs_deletes_old_run_records_and_keeps_the_matches(population):
    pop = population
    full = services.rescore_all()
    failed = MatchRun.objects.create(trigger=MatchRun.Trigger.SWEEP, status=MatchRun.Status.FAILED)
    MatchRun.objects.filter(pk__in=[full.pk, failed.pk]).update(finished_at=timezone.now() - timedelta(days=100))
    matches = stored()

    assert services.prune_runs(kept_days=90) == 1  # the failed run; the full run is the newest that succeeded
    assert set(MatchRun.objects.values_list("pk", flat=True)) == {full.pk}
    recent = services.rescore_candidate(candidate_id=pop.amina.pk)
    assert services.prune_runs(kept_days=90) == 1
    assert set(MatchRun.objects.values_list("pk", flat=True)) == {recent.pk}
    assert stored() == matches
    assert Match.objects.filter(run=None).count() == Match.objects.exclude(candidate=pop.amina).count() > 0


def test_old_runs_are_pruned_every_day(settings, db):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "matching.prune_runs" in scheduled
    assert settings.MATCHING_RUNS_KEPT_DAYS == 90
    MatchRun.objects.create(trigger=MatchRun.Trigger.FULL, finished_at=timezone.now() - timedelta(days=91))

    assert matching_tasks.prune_runs.apply().get() == 1
    assert not MatchRun.objects.exists()


# --- the explanation page -------------------------------------------------------------------


def test_pair_explain_returns_ids_and_codes_also_for_an_excluded_pair(population):
    pop = population

    data = services.pair_explain(candidate_id=pop.hamid.pk, position_id=pop.abroad.pk)

    assert data["exclusion"] == engine.EXCL_LANGUAGE
    assert data["score"] is None
    assert data["missing_essential"] == [pop.skills[4].pk]
    assert data["language_gaps"] == [{"language": "ar", "required": 4, "has": 0, "required_flag": True}]
    # Hamid (sheet metal) has nothing of the electrician's work either: no course makes the pair eligible
    assert data["reasons"] == [engine.EXCL_LANGUAGE, engine.EXCL_IRRELEVANT]
    assert data["hint"]["changes"] == []
    assert data["support"] == []
    assert set(data["components"]) == set(engine.COMPONENTS)


def test_pair_explain_names_the_smallest_change_that_makes_a_pair_eligible(population):
    pop = population

    welder = CandidateFactory(place=pop.erfurt)
    welder.desired_occupations.set([pop.welder])
    CandidateLanguageFactory(candidate=welder, language=pop.german, level=CEFRLevel.A2)

    data = services.pair_explain(candidate_id=welder.pk, position_id=pop.welding.pk)  # German A2, B2 required

    assert data["exclusion"] == engine.EXCL_LANGUAGE
    # the smallest change: German one step below the required B2 is allowed
    assert data["hint"]["changes"] == [{"kind": "language", "language": pop.german.code, "level": 3}]
    assert data["hint"]["becomes_eligible"] is True
    assert data["hint"]["delta"] > 0
    assert data["support"] == ["language_course"]  # only what makes the pair eligible
    assert set(data["components"]) == set(engine.COMPONENTS)


def test_pair_explain_loads_an_inactive_candidate_and_a_draft_and_is_empty_for_unknown_ids(population):
    pop = population

    data = services.pair_explain(candidate_id=pop.lena.pk, position_id=pop.draft.pk)

    assert data["exclusion"] == engine.EXCL_IRRELEVANT  # scored: Lena shares nothing with the draft's occupation
    assert set(data["components"]) == set(engine.COMPONENTS)
    assert data["support"] == []
    assert data["matched_skills"] == []
    assert data["missing_essential"] == []
    assert services.pair_explain(candidate_id=0, position_id=pop.welding.pk) == {}
    assert services.pair_explain(candidate_id=pop.amina.pk, position_id=0) == {}


def test_explanations_survive_unusual_language_codes(population):
    pop = population
    LanguageRequirementFactory(
        position=pop.sheet, language=LanguageFactory(code="xé", name_en="X", name_de="X"), min_level=CEFRLevel.A1
    )

    services.rescore_all()

    gaps = Match.objects.get(candidate=pop.amina, position=pop.sheet).explanation["language_gaps"]
    assert gaps == [{"language": "xé", "required": 1, "has": 0, "required_flag": True}]


def test_without_a_broker_a_save_rescores_at_commit(population, eager_celery, django_capture_on_commit_callbacks):
    pop = population
    services.rescore_all()
    amina = Candidate.objects.get(pk=pop.amina.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        candidate_save(candidate=amina, actor=None, m2m={"skills": pop.skills[:3]})

    assert len(callbacks) == 1
    assert Candidate.objects.get(pk=pop.amina.pk).rescore_requested_at is None
    assert MatchRun.objects.get(trigger=MatchRun.Trigger.CANDIDATE).candidate_id == pop.amina.pk
    assert Match.objects.get(candidate=pop.amina, position=pop.welding).explanation["missing_essential"] == []


def test_a_failing_task_does_not_fail_the_save(population, eager_celery, django_capture_on_commit_callbacks, caplog):
    pop = population

    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "score_top_k", broken)
        with django_capture_on_commit_callbacks(execute=True):
            position_set_status(position=pop.sheet, status=Position.Status.PAUSED, actor=UserFactory())

    assert Position.objects.get(pk=pop.sheet.pk).status == Position.Status.PAUSED
    assert Position.objects.get(pk=pop.sheet.pk).rescore_requested_at is not None  # the sweep retries
    assert "matching.rescore_position" in caplog.text
