"""No automated decisions (#13, GDPR Art. 22; the EU AI Act's human oversight): the matching
proposes, a person decides. The engine's output — stored matches and their explanations — cannot
introduce, dismiss, shortlist, place or change anyone's status.

Proved twice: the modules a rescore runs do not import the services that decide, and every kind of
rescore leaves every decision, introduction, consent, measure and status as it found it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from candidates.models import Candidate, Consent, SupportMeasure
from employers.models import Position
from matching import services
from matching.models import Introduction, IntroductionEvent, Match, MatchDecision, Placement
from tests.matching.factories import MatchDecisionFactory, introduce
from tests.matching.test_pipeline import build_population

pytestmark = pytest.mark.django_db

# What a rescore runs: the services and what they call (matching/services.py imports no more).
RESCORE_MODULES = ["engine", "loader", "writer", "services", "inputs_cache", "reference", "explain"]
# The modules whose functions decide about people.
DECIDING = {
    "matching.introductions",
    "matching.review",
    "matching.notifications",
    "candidates.services",
    "candidates.measures",
    "employers.services",
}


def _imports(module: str) -> set[str]:
    tree = ast.parse((Path(settings.BASE_DIR) / "matching" / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("module", RESCORE_MODULES)
def test_the_rescore_path_does_not_import_what_decides(module):
    assert not _imports(module) & DECIDING


def _state() -> dict:
    """Everything a person decides, as it stands."""
    return {
        "candidates": dict(Candidate.objects.values_list("pk", "status")),
        "positions": dict(Position.objects.values_list("pk", "status")),
        "decisions": sorted(MatchDecision.objects.values_list("pk", "status", "reason", "decided_at")),
        "introductions": sorted(Introduction.objects.values_list("pk", "stage", "updated_at")),
        "events": IntroductionEvent.objects.count(),
        "placements": Placement.objects.count(),
        "consents": sorted(Consent.objects.values_list("pk", "withdrawn_at")),
        "measures": sorted(SupportMeasure.objects.values_list("pk", "status")),
    }


def test_no_rescore_decides_anything(case_worker):
    population = build_population()
    introduce(candidate=population.amina, position=population.welding, actor=case_worker)
    MatchDecisionFactory(
        candidate=population.omar, position=population.sheet, status=MatchDecision.Status.DISMISSED, reason="skills"
    )
    before = _state()

    services.rescore_all()
    services.rescore_candidate(candidate_id=population.amina.pk)
    services.rescore_position(position_id=population.welding.pk)
    services.sweep()

    assert Match.objects.exists()  # the engine did propose
    assert _state() == before  # and nobody was decided about
