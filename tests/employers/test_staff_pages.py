"""Case workers' pages on employers and positions: permissions, the employer list and
detail, recording a company on its behalf, the review, and the position search."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridges.models import AuditEvent, CEFRLevel, Language
from employers import views_staff
from employers.models import ContactPerson, Employer, EngagementRegion, Position
from tests.candidates.factories import PlaceFactory
from tests.employers.factories import (
    ContactPersonFactory,
    EmployerFactory,
    EngagementRegionFactory,
    LanguageRequirementFactory,
    MembershipFactory,
    PositionFactory,
)
from tests.factories import OccupationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(db):
    return Language.objects.get_or_create(code="de", defaults={"name_en": "German", "name_de": "Deutsch"})[0]


@pytest.fixture
def arabic(db):
    return Language.objects.get_or_create(code="ar", defaults={"name_en": "Arabic", "name_de": "Arabisch"})[0]


@pytest.fixture
def employer(employer_a):
    """Company A, pending, with employer_a as its user."""
    company = EmployerFactory(name="Metallbau Weimar GmbH", verification=Employer.Verification.PENDING)
    MembershipFactory(employer=company, user=employer_a)
    return company


def staff_get_urls(employer) -> list[str]:
    return [
        reverse("employers:staff_employers"),
        reverse("employers:staff_employer_create"),
        reverse("employers:staff_employer_detail", args=[employer.pk]),
        reverse("employers:staff_positions"),
    ]


# --- permissions ------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_staff_page(client, employer):
    for url in [*staff_get_urls(employer), reverse("employers:staff_employer_review", args=[employer.pk])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employer_users_get_403_on_every_staff_page(client, personas, employer, persona):
    client.force_login(personas[persona])

    for url in staff_get_urls(employer):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("employers:staff_employer_review", args=[employer.pk]), {"decision": "approve", "note": ""}
    )

    assert response.status_code == 403
    employer.refresh_from_db()
    assert employer.verification == Employer.Verification.PENDING


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_open_every_staff_page(client, personas, employer, persona):
    client.force_login(personas[persona])

    for url in staff_get_urls(employer):
        assert client.get(url).status_code == 200, url


# --- employer list ------------------------------------------------------------------------


def test_employer_list_shows_pending_first_with_open_position_counts(client, case_worker):
    approved = EmployerFactory(name="Aaa Bau GmbH")
    PositionFactory.create_batch(2, employer=approved)
    PositionFactory(employer=approved, status=Position.Status.DRAFT)
    pending = EmployerFactory(name="Zzz Pflege GmbH", verification=Employer.Verification.PENDING)
    client.force_login(case_worker)

    rows = list(client.get(reverse("employers:staff_employers")).context["page"].object_list)

    assert [row.name for row in rows] == ["Zzz Pflege GmbH", "Aaa Bau GmbH"]
    assert {row.pk: row.open_positions for row in rows} == {pending.pk: 0, approved.pk: 2}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"verification": "pending"}, {"Pflegedienst"}),
        ({"verification": "approved"}, {"Metallbau Erfurt"}),
        ({"sector": "Q"}, {"Pflegedienst"}),
        ({"q": "metall"}, {"Metallbau Erfurt"}),
        ({"q": "gotha"}, {"Pflegedienst"}),  # the town
        ({"q": "99867"}, {"Pflegedienst"}),  # the postal code
    ],
)
def test_employer_list_filters(client, case_worker, params, expected):
    gotha = PlaceFactory(geonameid=2918752, name="Gotha", latitude=50.9489, longitude=10.7018)
    EmployerFactory(name="Metallbau Erfurt", sector="C")
    EmployerFactory(
        name="Pflegedienst", sector="Q", postal_code="99867", place=gotha, verification=Employer.Verification.PENDING
    )
    client.force_login(case_worker)

    rows = client.get(reverse("employers:staff_employers"), params).context["page"].object_list

    assert {row.name for row in rows} == expected


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_employer_list_uses_a_constant_number_of_queries(client, case_worker):
    for company in EmployerFactory.create_batch(5):
        PositionFactory(employer=company)
    client.force_login(case_worker)
    few = _queries(client, reverse("employers:staff_employers"))

    for company in EmployerFactory.create_batch(15):
        PositionFactory(employer=company)
    many = _queries(client, reverse("employers:staff_employers"))

    assert many == few


# --- employer detail and review ---------------------------------------------------------


def test_employer_detail_shows_profile_contacts_regions_members_and_positions(client, case_worker, employer):
    ContactPersonFactory(employer=employer, name="Karla Kontakt", email="karla@metallbau.example")
    EngagementRegionFactory(employer=employer, country="IQ", note="Partnerbetrieb in Erbil")
    PositionFactory(employer=employer, title="Schweißer/in", status=Position.Status.PAUSED)
    client.force_login(case_worker)

    response = client.get(reverse("employers:staff_employer_detail", args=[employer.pk]))

    content = response.content.decode()
    for text in ["Metallbau Weimar GmbH", "Karla Kontakt", "karla@metallbau.example", "Partnerbetrieb in Erbil"]:
        assert text in content
    assert "a@firma-a.example" in content  # the member
    assert "Schweißer/in" in content
    assert str(Position.Status.PAUSED.label) in content
    for name in ["staff_profile", "staff_regions", "staff_contacts", "staff_position_create"]:
        assert reverse(f"employers:{name}", kwargs={"employer": employer.pk}) in content
    assert reverse("employers:staff_employer_review", args=[employer.pk]) in content


def test_employer_detail_of_unknown_company_is_404(client, case_worker):
    client.force_login(case_worker)

    assert client.get(reverse("employers:staff_employer_detail", args=[999999])).status_code == 404


def test_case_worker_approves_a_company(client, case_worker, employer, django_capture_on_commit_callbacks):
    client.force_login(case_worker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employers:staff_employer_review", args=[employer.pk]), {"decision": "approve", "note": ""}
        )

    assert response.status_code == 302
    assert response.url == reverse("employers:staff_employer_detail", args=[employer.pk])
    employer.refresh_from_db()
    assert employer.verification == Employer.Verification.APPROVED
    assert employer.reviewed_by == case_worker
    assert [message.to for message in mail.outbox] == [["a@firma-a.example"]]
    page = client.get(response.url).content.decode()
    assert "Prüfung: freigegeben" in page  # the review in the history, in German


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.mark.parametrize(
    ("decision", "members", "expected"),
    [
        ("approve", 1, "Metallbau Weimar GmbH was approved. 1 user was informed by e-mail."),
        ("approve", 2, "Metallbau Weimar GmbH was approved. 2 users were informed by e-mail."),
        ("approve", 0, "Metallbau Weimar GmbH was approved. No e-mail was sent: the company has no users yet."),
        ("reject", 2, "Metallbau Weimar GmbH was rejected. 2 users were informed by e-mail with your note."),
        ("reject", 0, "Metallbau Weimar GmbH was rejected. No e-mail was sent: the company has no users yet."),
    ],
)
def test_the_review_message_says_whom_the_decision_was_mailed_to(
    client, case_worker, django_capture_on_commit_callbacks, settings, decision, members, expected
):
    company = EmployerFactory(name="Metallbau Weimar GmbH", verification=Employer.Verification.PENDING)
    MembershipFactory.create_batch(members, employer=company)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(case_worker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employers:staff_employer_review", args=[company.pk]), {"decision": decision, "note": "Nein."}
        )

    assert messages_of(response) == [expected]
    assert len(mail.outbox) == members


def test_rejection_needs_a_note(client, case_worker, employer, django_capture_on_commit_callbacks):
    client.force_login(case_worker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employers:staff_employer_review", args=[employer.pk]), {"decision": "reject", "note": " "}
        )

    assert response.status_code == 400
    assert response.context["review_form"].errors["note"]
    employer.refresh_from_db()
    assert employer.verification == Employer.Verification.PENDING
    assert mail.outbox == []


def test_case_worker_rejects_a_company_with_a_note(client, case_worker, employer, django_capture_on_commit_callbacks):
    client.force_login(case_worker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employers:staff_employer_review", args=[employer.pk]),
            {"decision": "reject", "note": "Kein Sitz in Thüringen."},
        )

    assert response.status_code == 302
    employer.refresh_from_db()
    assert employer.verification == Employer.Verification.REJECTED
    assert employer.review_note == "Kein Sitz in Thüringen."
    assert len(mail.outbox) == 1
    assert "Kein Sitz in Thüringen." in mail.outbox[0].body


def test_review_is_post_only(client, case_worker, employer):
    client.force_login(case_worker)

    assert client.get(reverse("employers:staff_employer_review", args=[employer.pk])).status_code == 405


# --- recording a company on its behalf -----------------------------------------------------


def create_data(place, **overrides) -> dict:
    data = {
        "name": "Bäckerei Sonnenschein",
        "legal_form": "gmbh",
        "sector": "C",
        "size": "10-49",
        "street": "Anger 5",
        "postal_code": "99084",
        "place": place.pk,
        "website": "https://baeckerei.example",
        "description": "Handwerksbäckerei mit Filialen in Erfurt.",
        "offers_training": "on",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "20",
        "contacts-0-name": "Sonja Sonnenschein",
        "contacts-0-role": "Inhaberin",
        "contacts-0-email": "sonja@baeckerei.example",
        "contacts-0-phone": "+49 361 123456",
        "contacts-0-is_public": "on",
        "regions-TOTAL_FORMS": "1",
        "regions-INITIAL_FORMS": "0",
        "regions-MIN_NUM_FORMS": "0",
        "regions-MAX_NUM_FORMS": "50",
        "regions-0-country": "SY",
        "regions-0-kind": "planned",
        "regions-0-note": "Ausbildungsbäckerei in Aleppo geplant",
    }
    data.update(overrides)
    return data


def test_case_worker_records_an_approved_company_with_contacts_and_regions(client, case_worker):
    client.force_login(case_worker)

    response = client.post(reverse("employers:staff_employer_create"), create_data(PlaceFactory()))

    employer = Employer.objects.get(name="Bäckerei Sonnenschein")
    assert response.status_code == 302
    assert response.url == reverse("employers:staff_employer_detail", args=[employer.pk])
    assert employer.verification == Employer.Verification.APPROVED
    assert employer.reviewed_by == case_worker
    assert ContactPerson.objects.get(employer=employer).email == "sonja@baeckerei.example"
    assert EngagementRegion.objects.get(employer=employer).country == "SY"
    assert AuditEvent.objects.filter(target_type="employers.employer", target_id=str(employer.pk)).exists()


def test_invalid_company_is_not_recorded(client, case_worker):
    client.force_login(case_worker)

    response = client.post(
        reverse("employers:staff_employer_create"),
        create_data(PlaceFactory(), postal_code="123", **{"regions-0-country": "DE"}),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["postal_code"]
    assert not Employer.objects.exists()
    assert not ContactPerson.objects.exists()


# --- position search ------------------------------------------------------------------------


@pytest.fixture
def positions(german, arabic):
    cook = OccupationFactory(labels={"de": "Koch/Köchin", "en": "Cook"})
    electrician = OccupationFactory(labels={"de": "Elektroniker/in", "en": "Electrician"})
    kitchen = PositionFactory(
        title="Ausbildung Koch", occupation=cook, position_type=Position.PositionType.APPRENTICESHIP
    )
    LanguageRequirementFactory(position=kitchen, language=german, min_level=CEFRLevel.B2)
    aleppo = PositionFactory(title="Elektriker Aleppo", occupation=electrician, abroad=True, region=None)
    LanguageRequirementFactory(position=aleppo, language=arabic, min_level=CEFRLevel.C1)
    LanguageRequirementFactory(position=aleppo, language=german, min_level=CEFRLevel.A2, required=False)
    PositionFactory(
        title="Elektriker Jena (Entwurf)",
        occupation=electrician,
        postal_code="07743",
        place=None,
        status=Position.Status.DRAFT,
        employer__verification=Employer.Verification.PENDING,
    )
    return {"german": german, "arabic": arabic}


def searched(client, **params) -> set[str]:
    response = client.get(reverse("employers:staff_positions"), params)
    assert response.status_code == 200
    return {position.title for position in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Ausbildung Koch", "Elektriker Aleppo", "Elektriker Jena (Entwurf)"}),
        ({"occupation": "elektron"}, {"Elektriker Aleppo", "Elektriker Jena (Entwurf)"}),
        ({"occupation": "Cook"}, {"Ausbildung Koch"}),
        ({"place": "Erfurt"}, {"Ausbildung Koch"}),
        ({"place": "07"}, {"Elektriker Jena (Entwurf)"}),
        ({"position_type": "apprenticeship"}, {"Ausbildung Koch"}),
        ({"location": "abroad"}, {"Elektriker Aleppo"}),
        ({"country": "SY"}, {"Elektriker Aleppo"}),
        ({"status": "draft"}, {"Elektriker Jena (Entwurf)"}),
        ({"status": "open"}, {"Ausbildung Koch", "Elektriker Aleppo"}),
        ({"employer_verification": "pending"}, {"Elektriker Jena (Entwurf)"}),
        ({"q": "aleppo"}, {"Elektriker Aleppo"}),
    ],
)
def test_position_search_filters(client, case_worker, positions, params, expected):
    client.force_login(case_worker)

    assert searched(client, **params) == expected


def test_position_search_by_language_requirement_and_minimum_level(client, case_worker, positions):
    german, arabic = positions["german"], positions["arabic"]
    client.force_login(case_worker)

    assert searched(client, language=german.pk) == {"Ausbildung Koch", "Elektriker Aleppo"}
    assert searched(client, language=german.pk, min_level=CEFRLevel.B1) == {"Ausbildung Koch"}
    assert searched(client, language=arabic.pk, min_level=CEFRLevel.C1) == {"Elektriker Aleppo"}
    assert searched(client, language=arabic.pk, min_level=CEFRLevel.C2) == set()


def test_position_search_region_abroad_by_name(client, case_worker):
    from bridges.models import Region

    aleppo = Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo", name_de="Aleppo")
    PositionFactory(title="Rückkehr Aleppo", abroad=True, region=aleppo)
    PositionFactory(title="Erfurt")
    client.force_login(case_worker)

    assert searched(client, place="alep") == {"Rückkehr Aleppo"}


def test_position_search_is_paginated_with_constant_queries(client, case_worker, german, monkeypatch):
    client.force_login(case_worker)
    for position in PositionFactory.create_batch(10):
        LanguageRequirementFactory(position=position, language=german)
    few = _queries(client, reverse("employers:staff_positions"))

    for position in PositionFactory.create_batch(20):
        LanguageRequirementFactory(position=position, language=german)
    many = _queries(client, reverse("employers:staff_positions"))
    second = client.get(reverse("employers:staff_positions"), {"page": 2})

    assert many == few
    assert len(second.context["page"].object_list) == 30 - views_staff.PAGE_SIZE
