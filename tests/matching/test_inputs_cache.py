"""The inputs a worker keeps between runs: a single-record run with them stores exactly what a
run that loads everything anew stores, whatever changed in between."""

from dataclasses import fields

import numpy as np
import pytest
import scipy.sparse as sp
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bridges.models import Language, Occupation, OccupationSkill, Region, Skill
from candidates.models import Candidate, Status
from employers.models import Position, PositionSkill
from matching import inputs_cache, loader, services
from matching.models import MatchRun
from tests.factories import OccupationFactory, SkillFactory
from tests.matching.test_pipeline import build_population, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def population():
    pop = build_population()
    services.rescore_all()  # the full run hands both sides over
    assert set(inputs_cache._kept) == {"candidate", "position"}
    return pop


def mark(model, *objects) -> None:
    """What every change does: a new re-scoring mark."""
    model.objects.filter(pk__in=[obj.pk for obj in objects]).update(rescore_requested_at=timezone.now())


def assert_equal_arrays(kept, fresh) -> None:
    for f in fields(kept):
        a, b = getattr(kept, f.name), getattr(fresh, f.name)
        if sp.issparse(a):
            assert a.shape == b.shape, f.name
            assert (a != b).nnz == 0, f.name
        else:
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f.name


def assert_kept_is_current() -> None:
    tax = inputs_cache.taxonomy()
    today = timezone.localdate()
    candidates = inputs_cache.side("candidate", tax, today)
    positions = inputs_cache.side("position", tax, today)
    assert_equal_arrays(candidates, loader.load_candidates(tax.vocabulary, today=today))
    assert_equal_arrays(positions, loader.load_positions(tax.vocabulary, occupation_essential=tax.occupation_essential))


def same_as_anew(run, then=lambda: None) -> None:
    """The rows of `run()` with the kept inputs equal those of `run()` in a fresh process
    (`then()` checks what was kept in between)."""
    run()
    with_kept = stored()
    then()
    inputs_cache.clear()
    run()
    assert stored() == with_kept


def test_candidate_run_sees_a_position_changed_since_it_was_kept(population):
    pop = population
    PositionSkill.objects.filter(position=pop.welding, relation_type="essential").exclude(skill=pop.skills[0]).delete()
    mark(Position, pop.welding)

    same_as_anew(lambda: services.rescore_candidate(candidate_id=pop.amina.pk), then=assert_kept_is_current)


def test_position_run_after_another_workers_candidate_run_loads_the_candidates_anew(population):
    pop = population
    pop.omar.skills.set(pop.skills[:3])  # he loses the skill the position abroad needs
    # Another worker rescored Omar after the change and cleared his mark.
    MatchRun.objects.create(trigger=MatchRun.Trigger.CANDIDATE, status=MatchRun.Status.SUCCEEDED)
    kept_before = inputs_cache._kept["candidate"]

    same_as_anew(
        lambda: services.rescore_position(position_id=pop.abroad.pk),
        then=lambda: assert_kept_is_current() or None,
    )
    assert kept_before.arrays is not None


def test_a_deleted_candidate_leaves_the_kept_candidates(population):
    pop = population
    Candidate.objects.filter(pk=pop.hamid.pk).delete()  # no mark: the row is gone

    same_as_anew(lambda: services.rescore_position(position_id=pop.welding.pk), then=assert_kept_is_current)


def test_a_new_skill_loads_the_vocabulary_anew(population):
    pop = population
    new = SkillFactory()
    PositionSkill.objects.create(position=pop.welding, skill=new, relation_type="essential")
    mark(Position, pop.welding)
    pop.amina.skills.add(new)
    mark(Candidate, pop.amina)

    same_as_anew(lambda: services.rescore_candidate(candidate_id=pop.amina.pk), then=assert_kept_is_current)


def test_a_skill_edited_in_place_loads_the_vocabulary_anew(population):
    """A skill that turned out to be generic (its ESCO reuse level) shows no relevance any more:
    no row comes or goes, only the number the taxonomy tables' trigger writes tells the worker."""
    pop = population
    skill = pop.skills[0]
    before = inputs_cache.taxonomy()
    column = before.vocabulary.skill_columns([skill.pk])[0]
    assert before.vocabulary.skill_specific[column]
    Skill.objects.filter(pk=skill.pk).update(reuse_level="transversal")

    after = inputs_cache.taxonomy()

    assert after is not before
    assert not after.vocabulary.skill_specific[column]
    same_as_anew(lambda: services.rescore_candidate(candidate_id=pop.amina.pk), then=assert_kept_is_current)


def test_every_write_to_a_taxonomy_table_changes_the_key_to_a_value_never_seen_before(population):
    pop = population
    writes = [
        lambda: SkillFactory(),
        lambda: Skill.objects.filter(pk=pop.skills[5].pk).update(reuse_level="cross-sector"),
        lambda: OccupationFactory(),
        lambda: Occupation.objects.filter(pk=pop.welder.pk).update(isco_group="7213"),
        lambda: OccupationSkill.objects.filter(occupation=pop.welder).update(relation_type="optional"),
        lambda: Language.objects.filter(pk=Language.objects.order_by("pk")[0].pk).update(name_en="Changed"),
        lambda: Region.objects.create(code="SY-XX", country="SY", name_en="Somewhere"),
        lambda: Region.objects.filter(name_en="Somewhere").delete(),
    ]
    keys = [inputs_cache.taxonomy_key()]
    for write in writes:
        write()
        keys.append(inputs_cache.taxonomy_key())

    assert len(set(keys)) == len(keys)


def test_own_runs_bring_the_kept_records_forward(population):
    pop = population
    kept = inputs_cache._kept["candidate"]

    pop.hamid.skills.set(pop.skills[3:])
    mark(Candidate, pop.hamid)
    services.rescore_candidate(candidate_id=pop.hamid.pk)
    Candidate.objects.filter(pk=pop.yara.pk).update(status=Status.INACTIVE)
    mark(Candidate, pop.yara)
    services.rescore_candidate(candidate_id=pop.yara.pk)
    pop.amina.skills.set(pop.skills[2:5])
    mark(Candidate, pop.amina)
    services.rescore_candidate(candidate_id=pop.amina.pk)
    pop.hamid.skills.set(pop.skills[:2])  # the same candidate once more
    mark(Candidate, pop.hamid)
    services.rescore_candidate(candidate_id=pop.hamid.pk)
    PositionSkill.objects.filter(position=pop.sheet).delete()
    mark(Position, pop.sheet)
    services.rescore_position(position_id=pop.sheet.pk)

    assert inputs_cache._kept["candidate"] is kept  # updated in place, not loaded anew
    assert pop.yara.pk not in kept.current().ids
    assert_kept_is_current()


def test_a_change_while_a_run_loads_is_seen_by_the_next_run(population, monkeypatch):
    pop = population
    real = loader.load_candidates

    def load_then_change(*args, **kwargs):
        loaded = real(*args, **kwargs)
        # Another case worker saves Amina while Hamid's run scores: new data, a newer mark.
        pop.amina.skills.set(pop.skills[:3])
        mark(Candidate, pop.amina)
        return loaded

    monkeypatch.setattr(loader, "load_candidates", load_then_change)
    services.rescore_candidate(candidate_id=pop.hamid.pk)
    monkeypatch.setattr(loader, "load_candidates", real)

    assert_kept_is_current()


def test_own_run_after_another_workers_run_does_not_hide_it(population):
    pop = population
    pop.omar.skills.set(pop.skills[:3])
    MatchRun.objects.create(trigger=MatchRun.Trigger.CANDIDATE, status=MatchRun.Status.SUCCEEDED)
    services.rescore_candidate(candidate_id=pop.hamid.pk)  # this process's run comes after the other one

    same_as_anew(lambda: services.rescore_position(position_id=pop.abroad.pk), then=assert_kept_is_current)


def test_a_database_filled_anew_loads_everything_anew(population):
    pop = population
    # The run history is gone (a restored or emptied database): nothing tells what changed.
    MatchRun.objects.all().delete()
    pop.omar.skills.set(pop.skills[:3])

    same_as_anew(lambda: services.rescore_position(position_id=pop.abroad.pk), then=assert_kept_is_current)


def test_a_single_record_run_checks_the_kept_side_in_one_statement(population):
    """The taxonomy key, the runs since, the count and the marks of the kept positions: one
    statement; the writer takes no savepoint of its own (a one-candidate run: 24 statements before, 18 now)."""
    services.rescore_candidate(candidate_id=population.amina.pk)  # the keepalives of this session

    with CaptureQueriesContext(connection) as queries:
        services.rescore_candidate(candidate_id=population.amina.pk)

    checks = [q["sql"] for q in queries.captured_queries if "bridges_taxonomy_change" in q["sql"]]
    assert len(checks) == 1
    assert "employers_position" in checks[0]
    assert len(queries.captured_queries) <= 20  # with the savepoint the test's transaction adds
