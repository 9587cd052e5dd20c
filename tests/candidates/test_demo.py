"""The demo candidates' consents: most may be shown anonymised to employers, a few may be shared
with a demo employer (once the employers exist), one free-text consent is flagged; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from bridges.demo_taxonomy import demo_taxonomy_load
from candidates.demo import COUNT, FREE_TEXT_CONSENT, SHARING_CONSENTS, demo_candidates_load, demo_sharing_consents_load
from candidates.models import Candidate, Consent
from employers.demo import demo_employers_load
from tests.conftest import module_data
from tests.factories import CaseWorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the module's tests (loading the reference data is slow)."""
    with module_data(django_db_blocker):
        case_worker = CaseWorkerFactory(email="berater@bridges.example")
        call_command("load_reference_data", "--countries", "DE,SY,IQ,AF,UA,ER,SO", stdout=StringIO())
        demo_taxonomy_load()
        yield case_worker, demo_candidates_load(case_worker=case_worker)


@pytest.fixture
def case_worker(demo, db):
    return demo[0]


@pytest.fixture
def candidates_loaded(demo, db):
    return demo[1]


def test_most_demo_candidates_may_be_shown_anonymised(candidates_loaded):
    profiling = Consent.objects.profiling().values("candidate").distinct().count()

    assert COUNT * 0.8 <= profiling < COUNT
    assert Consent.objects.filter(purpose=Consent.Purpose.PROCESSING).count() == COUNT


def test_one_demo_consent_is_free_text_and_flagged(candidates_loaded):
    flagged = Consent.objects.get(needs_review=True)

    assert flagged.purpose == Consent.Purpose.SHARING
    assert flagged.employer is None
    assert flagged.recipient == FREE_TEXT_CONSENT[1]
    assert flagged.is_active
    assert flagged.candidate.email == f"demo-{FREE_TEXT_CONSENT[0]:02d}@kandidaten.bridges.example"


def test_consents_to_share_follow_once_the_demo_employers_exist(candidates_loaded, case_worker):
    assert candidates_loaded["sharing_consents"] == 0
    assert not Consent.objects.filter(employer__isnull=False).exists()

    demo_employers_load(case_worker=case_worker)
    created = demo_sharing_consents_load(case_worker=case_worker)

    sharing = Consent.objects.filter(purpose=Consent.Purpose.SHARING, employer__isnull=False)
    assert created == sharing.count()
    assert 3 <= created <= 2 * len(SHARING_CONSENTS)
    assert {consent.employer.name for consent in sharing} <= {name for name, _hint in SHARING_CONSENTS}
    for consent in sharing:
        assert consent.recipient == consent.employer.name
        assert consent.recorded_by == case_worker
        assert Consent.objects.sharing_with(consent.employer_id).filter(candidate=consent.candidate).exists()


def test_loading_again_creates_no_consent_twice(candidates_loaded, case_worker):
    demo_employers_load(case_worker=case_worker)
    demo_sharing_consents_load(case_worker=case_worker)
    before = Consent.objects.count()

    again = demo_candidates_load(case_worker=case_worker)

    assert again["sharing_consents"] == 0
    assert demo_sharing_consents_load(case_worker=case_worker) == 0
    assert Consent.objects.count() == before
    assert Candidate.objects.count() == COUNT
