"""demo_employers_load: realistic, idempotent demo employers and positions that pass validation."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bridges.demo_taxonomy import demo_taxonomy_load
from bridges.models import CEFRLevel, OccupationSkill
from employers.demo import demo_employers_load
from employers.models import ContactPerson, Employer, EngagementRegion, Membership, Position
from employers.selectors import employer_history
from tests.conftest import module_data
from tests.factories import CaseWorkerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Loaded once for the module's tests (loading the reference data is slow)."""
    with module_data(django_db_blocker):
        call_command("load_reference_data", "--countries", "DE,SY,IQ,AF,UA,ER,TN", stdout=StringIO())
        demo_taxonomy_load()
        employer_user = UserFactory(email="arbeitgeber@bridges.example")
        case_worker = CaseWorkerFactory(email="berater@bridges.example")
        first = demo_employers_load(employer_user=employer_user, case_worker=case_worker)
        second = demo_employers_load(employer_user=employer_user, case_worker=case_worker)
        yield {"first": first, "second": second, "employer_user": employer_user, "case_worker": case_worker}


def table_sizes() -> dict[str, int]:
    return {
        "employers": Employer.objects.count(),
        "positions": Position.objects.count(),
        "contacts": ContactPerson.objects.count(),
        "regions": EngagementRegion.objects.count(),
        "memberships": Membership.objects.count(),
    }


def test_counts_of_employers_positions_and_regions(loaded):
    first = loaded["first"]
    assert first["skipped"] == 0
    assert first["employers"] == first["employers_created"] == Employer.objects.count()
    assert 14 <= Employer.objects.count() <= 16
    assert 36 <= Position.objects.count() <= 45
    assert Position.objects.filter(location=Position.Location.ABROAD).count() >= 5
    assert EngagementRegion.objects.values("employer").distinct().count() >= 4
    assert set(EngagementRegion.objects.values_list("kind", flat=True)) == set(EngagementRegion.Kind.values)
    assert set(EngagementRegion.objects.values_list("country", flat=True)) >= {"SY", "IQ", "AF", "UA", "ER", "TN"}
    verifications = list(Employer.objects.values_list("verification", flat=True))
    assert verifications.count(Employer.Verification.PENDING) == 2
    assert Employer.Verification.REJECTED not in verifications
    assert len({employer.sector for employer in Employer.objects.all()}) >= 6
    assert ContactPerson.objects.filter(is_public=True).exists()
    assert ContactPerson.objects.filter(is_public=False).exists()
    statuses = list(Position.objects.values_list("status", flat=True))
    assert statuses.count(Position.Status.OPEN) > len(statuses) * 0.8
    assert {Position.Status.DRAFT, Position.Status.PAUSED, Position.Status.FILLED} <= set(statuses)
    assert set(Position.objects.values_list("position_type", flat=True)) == set(Position.PositionType.values)


def test_loading_twice_creates_nothing_new(loaded):
    first, second = loaded["first"], loaded["second"]
    assert second["employers_created"] == second["positions_created"] == second["memberships_created"] == 0
    assert first["memberships_created"] == 1
    for key in ("employers", "positions", "positions_abroad", "contacts", "engagement_regions"):
        assert first[key] == second[key], key
    assert table_sizes() == {
        "employers": first["employers"],
        "positions": first["positions"],
        "contacts": first["contacts"],
        "regions": first["engagement_regions"],
        "memberships": 1,
    }
    # Skills and language requirements are replaced, not added to.
    position = Position.objects.get(title="Schweißer/in (m/w/d) MAG/WIG im Stahlbau")
    relations = OccupationSkill.objects.filter(occupation=position.occupation)
    assert position.skill_requirements.count() == relations.count()


def test_every_position_is_valid_and_well_formed(loaded):
    today = timezone.localdate()
    for position in Position.objects.select_related("employer", "place", "region"):
        position.full_clean()
        assert position.rescore_requested_at is not None
        assert position.created_by is not None
        assert position.start_date > today
        assert 60 <= (position.expires_on - today).days <= 120
        assert 1 <= position.language_requirements.count() <= 2
        assert position.skill_requirements.filter(relation_type="essential").exists()
        assert position.skill_requirements.filter(relation_type="optional").exists()
        assert 2 <= position.description.count(". ") + 1 <= 5, position.title
        if position.is_abroad:
            assert position.position_type == Position.PositionType.RETURN_ABROAD
            assert position.region.country == position.country
            assert position.region.code in set(
                position.employer.engagement_regions.values_list("region__code", flat=True)
            )
            assert not position.postal_code
            native = position.language_requirements.filter(min_level=CEFRLevel.NATIVE)
            assert native.exists()
        else:
            assert position.place.name == position.employer.place.name
            assert position.postal_code == position.employer.postal_code
            assert position.language_requirements.filter(language__code="de", min_level__gte=CEFRLevel.B1).exists()
    for employer in Employer.objects.select_related("place"):
        employer.full_clean()
        assert employer.place.country == "DE"
        assert employer.place.region.code == "DE-TH"
        assert employer.website.endswith(".example")


def test_open_positions_of_approved_employers_are_public(loaded):
    public = set(Position.objects.public().values_list("pk", flat=True))
    expected = set(
        Position.objects.filter(
            status=Position.Status.OPEN, employer__verification=Employer.Verification.APPROVED
        ).values_list("pk", flat=True)
    )
    assert public == expected
    assert len(public) >= 25
    assert Position.objects.public().filter(location=Position.Location.ABROAD).count() >= 5
    pending = Position.objects.filter(employer__verification=Employer.Verification.PENDING)
    assert pending.exists()
    assert not pending.filter(pk__in=public).exists()


def test_the_demo_employer_user_joins_the_first_demo_employer(loaded):
    membership = Membership.objects.get(user=loaded["employer_user"])
    assert membership.employer.name == "Amsel Metallbau GmbH"
    assert membership.employer.is_approved
    assert set(membership.employer.positions.values_list("created_by", flat=True)) == {loaded["employer_user"].pk}
    assert membership.employer.engagement_regions.filter(region__code="SY-HL").exists()


def test_a_user_with_a_company_keeps_it(loaded):
    user = UserFactory()
    other = Employer.objects.get(name="Kernberg IT-Service GmbH")
    Membership.objects.create(user=user, employer=other)

    result = demo_employers_load(employer_user=user)

    assert result["memberships_created"] == 0
    assert Membership.objects.get(user=user).employer == other


def test_each_demo_company_has_the_history_the_portal_writes(loaded):
    """A company page's decision ("approved by …") and its history agree: the record and, for an
    approved company, the review, each once although the demo was loaded twice."""
    for employer in Employer.objects.all():
        history = [(event.action, event.actor_id) for event in employer_history(employer=employer).order_by("pk")]
        reviewed = (
            [("update", employer.reviewed_by_id)] if employer.verification == Employer.Verification.APPROVED else []
        )
        assert history == [("create", loaded["case_worker"].pk), *reviewed], employer.name
