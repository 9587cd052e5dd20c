"""`manage.py seed_scale` (matching/scale_seed.py): a small population on PostgreSQL.

The module seeds once (sizes below) and keeps it for all tests; for the reproducibility test it
seeds before that inside savepoints that it rolls back. The reference data (the languages, the
regions of the countries needed and five Thuringian towns) and the demo taxonomy are loaded once
beforehand: seed_scale keeps what a database has already.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from bridges.demo_taxonomy import demo_taxonomy_load
from bridges.models import AuditEvent, Place, Region, Role, User
from bridges.reference_data import languages_load, regions_load
from candidates.demo import ORIGINS
from candidates.models import Candidate, CandidateLanguage, Consent, SupportMeasure, WorkExperience
from employers.models import Employer, Membership, Position
from matching import inputs_cache, scale_seed
from matching.models import FollowUp, Introduction, Match, MatchDecision, Placement
from tests.conftest import module_data
from tests.login import login

SIZES = scale_seed.Sizes(candidates=150, employers=8, positions=30, case_workers=3)
# GeoNames' largest Thuringian towns; the whole German list takes half a minute to load.
TOWNS = [
    (2929670, "Erfurt", 50.9787, 11.0328, 213692),
    (2895044, "Jena", 50.9281, 11.5880, 110502),
    (2921232, "Gera", 50.8803, 12.0833, 94859),
    (2812482, "Weimar", 50.9807, 11.3292, 65228),
    (2918752, "Gotha", 50.9489, 10.7018, 45410),
]


def _seed(seed: int, **options) -> scale_seed.Report:
    inputs_cache.clear()
    return scale_seed.seed_scale(SIZES, seed=seed, **options)


def _seed_rolled_back(seed: int, **options) -> tuple[str, dict[str, int]]:
    """Seed in a savepoint, read the digest and counts, roll it back."""
    with transaction.atomic():
        report = _seed(seed, **options)
        transaction.set_rollback(True)
    inputs_cache.clear()
    return report.digest, report.counts


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        # Reference data and taxonomy as seed_scale finds them in a database that has them (it keeps them).
        languages_load()
        regions_load(countries=["DE", *ORIGINS])
        thuringia = Region.objects.get(code="DE-TH")
        Place.objects.bulk_create(
            Place(geonameid=pk, name=name, country="DE", region=thuringia, latitude=lat, longitude=lon, population=n)
            for pk, name, lat, lon, n in TOWNS
        )
        demo_taxonomy_load()
        again = _seed_rolled_back(1)
        # Another seed: the population alone differs already (no rescore, to keep the test short).
        other = _seed_rolled_back(2, rescore=False)
        report = _seed(1)
        yield {"report": report, "again": again, "other": other}


pytestmark = pytest.mark.django_db


def test_counts_as_asked_and_a_pipeline_behind_them(seeded):
    report = seeded["report"]
    assert Candidate.objects.count() == 150
    assert Employer.objects.count() == 8
    assert Position.objects.count() == 30
    assert CandidateLanguage.objects.count() >= 150  # everybody speaks their native language
    assert WorkExperience.objects.exists()
    assert Consent.objects.filter(purpose=Consent.Purpose.SHARING, employer__isnull=False).exists()
    assert Position.objects.filter(location=Position.Location.ABROAD).exists()
    assert Position.objects.filter(location=Position.Location.GERMANY).exists()
    assert set(Employer.objects.values_list("verification", flat=True)) >= {Employer.Verification.APPROVED}
    # The full rescore stored matches; decisions, introductions, placements and measures followed.
    assert Match.objects.count() > 0
    assert set(MatchDecision.objects.values_list("status", flat=True)) == set(MatchDecision.Status.values)
    assert Introduction.objects.count() == report.pipeline["introductions"] >= 3
    assert Placement.objects.exists()
    assert FollowUp.objects.exists()
    assert SupportMeasure.objects.exists()
    # Through the services: each introduction and decision is in the audit trail.
    assert AuditEvent.objects.count() >= Introduction.objects.count() + MatchDecision.objects.count()
    assert report.counts["candidates"] == 150
    assert report.counts["matches"] == Match.objects.count()
    assert set(report.seconds) >= {"candidates", "matching (full rescore)", "pipeline"}


def test_accounts_are_the_interface_the_load_test_uses(seeded):
    case_workers = User.objects.filter(email__startswith="caseworker", email__endswith="@scale.example")
    assert sorted(case_workers.values_list("email", flat=True)) == [f"caseworker{n}@scale.example" for n in (1, 2, 3)]
    assert set(case_workers.values_list("role", flat=True)) == {Role.CASE_WORKER}
    assert set(Candidate.objects.values_list("case_worker__email", flat=True)) == set(
        case_workers.values_list("email", flat=True)
    )
    first = Employer.objects.order_by("pk").first()
    assert Membership.objects.get(user__email="employer1@scale.example").employer == first
    assert User.objects.get(email="admin@scale.example").is_superuser


@pytest.mark.parametrize("email", ["employer1@scale.example", "caseworker2@scale.example", "admin@scale.example"])
def test_users_log_in_with_the_password(seeded, client, email):
    response = login(client, email, scale_seed.DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response.url == User.objects.get(email=email).get_start_url()


def test_same_seed_same_rows_other_seed_other_rows(seeded):
    digest, counts = seeded["again"]
    assert digest == seeded["report"].digest == scale_seed.population_digest()
    assert {k: v for k, v in counts.items() if k != "audit events"} == {
        k: v for k, v in seeded["report"].counts.items() if k != "audit events"
    }
    assert seeded["other"][0] != digest


def test_refuses_a_database_with_candidates(seeded):
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_scale", "--candidates", "5", "--employers", "1", "--positions", "1", stdout=io.StringIO())
    assert Candidate.objects.count() == 150
