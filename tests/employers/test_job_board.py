"""The public job board (list, detail, JSON feed): open to everyone, showing only open
positions of approved companies, and nothing internal."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridges.models import CEFRLevel, Language
from employers import services, views_public
from employers.models import Employer, Position
from tests.candidates.factories import PlaceFactory
from tests.employers.factories import (
    ContactPersonFactory,
    EmployerFactory,
    LanguageRequirementFactory,
    MembershipFactory,
    PositionFactory,
)
from tests.factories import OccupationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def german(db):
    return Language.objects.get_or_create(code="de", defaults={"name_en": "German", "name_de": "Deutsch"})[0]


@pytest.fixture
def arabic(db):
    return Language.objects.get_or_create(code="ar", defaults={"name_en": "Arabic", "name_de": "Arabisch"})[0]


@pytest.fixture
def position(db):
    return PositionFactory(title="Elektroniker/in Betriebstechnik", employer__name="Elektro Erfurt GmbH")


@pytest.fixture
def review_request(rf, case_worker):
    request = rf.post("/")
    request.user = case_worker
    return request


def list_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('jobs:list')}?{query}"


def feed(client, **params) -> dict:
    response = client.get(reverse("jobs:feed"), params)
    assert response.status_code == 200
    return response.json()


def listed_titles(client, **params) -> set[str]:
    response = client.get(reverse("jobs:list"), params)
    assert response.status_code == 200
    return {position.title for position in response.context["page"].object_list}


def fed_titles(client, **params) -> set[str]:
    return {item["title"] for item in feed(client, **params)["results"]}


# --- who may see it -------------------------------------------------------------------


@pytest.mark.parametrize("persona", [None, "employer_a", "employer_b", "case_worker", "admin"])
def test_everyone_sees_the_job_board_without_login(client, personas, position, persona):
    if persona:
        client.force_login(personas[persona])

    for url in [reverse("jobs:list"), reverse("jobs:feed"), reverse("jobs:detail", args=[position.pk])]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Elektroniker/in Betriebstechnik" in response.content.decode(), url


def test_anonymous_page_explains_the_board(client, position):
    response = client.get(reverse("jobs:list"))

    assert response.templates[0].name == "jobs/list.html"
    content = response.content.decode()
    assert "<h1>" in content
    assert "building bridges" in content


# --- sign-up flow: pending, approved, rejected ------------------------------------------


def test_pending_companys_position_is_not_public_until_approved(client, position, review_request):
    employer = position.employer
    Employer.objects.filter(pk=employer.pk).update(verification=Employer.Verification.PENDING)

    assert listed_titles(client) == set()
    assert fed_titles(client) == set()
    assert client.get(reverse("jobs:detail", args=[position.pk])).status_code == 404

    services.employer_review(
        employer=employer, approve=True, note="", actor=review_request.user, request=review_request
    )

    assert listed_titles(client) == {position.title}
    assert fed_titles(client) == {position.title}
    assert client.get(reverse("jobs:detail", args=[position.pk])).status_code == 200


def test_registered_company_is_pending_and_its_open_position_stays_off_the_board(client, employer_a):
    employer = services.employer_register(
        employer=EmployerFactory.build(name="Neu GmbH", place=PlaceFactory()), actor=employer_a
    )
    PositionFactory(employer=employer, title="Lagerist/in")

    assert employer.verification == Employer.Verification.PENDING
    assert listed_titles(client) == set()
    assert fed_titles(client) == set()


def test_rejection_mails_the_note_to_the_companys_users(
    client, position, review_request, django_capture_on_commit_callbacks
):
    employer = position.employer
    MembershipFactory(employer=employer, user__email="chefin@firma.example")
    MembershipFactory(employer=employer, user__email="personal@firma.example", user__language="en")

    with django_capture_on_commit_callbacks(execute=True):
        services.employer_review(
            employer=employer,
            approve=False,
            note="Bitte reichen Sie einen Handelsregisterauszug nach.",
            actor=review_request.user,
            request=review_request,
        )

    employer.refresh_from_db()
    assert employer.verification == Employer.Verification.REJECTED
    assert sorted(message.to[0] for message in mail.outbox) == ["chefin@firma.example", "personal@firma.example"]
    for message in mail.outbox:
        assert "Bitte reichen Sie einen Handelsregisterauszug nach." in message.body
        assert employer.name in message.subject
        assert "http://testserver" + reverse("employers:dashboard") in message.body
    assert listed_titles(client) == set()
    assert client.get(reverse("jobs:detail", args=[position.pk])).status_code == 404


def test_approval_mails_the_companys_users(position, review_request, django_capture_on_commit_callbacks):
    MembershipFactory(employer=position.employer, user__email="chefin@firma.example")

    with django_capture_on_commit_callbacks(execute=True):
        services.employer_review(
            employer=position.employer, approve=True, note="", actor=review_request.user, request=review_request
        )

    assert [message.to for message in mail.outbox] == [["chefin@firma.example"]]
    assert position.employer.name in mail.outbox[0].subject


def test_rejection_without_a_note_is_refused(position, review_request, django_capture_on_commit_callbacks):
    MembershipFactory(employer=position.employer)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.employer_review(
            employer=position.employer, approve=False, note="  ", actor=review_request.user, request=review_request
        )

    position.employer.refresh_from_db()
    assert position.employer.verification == Employer.Verification.APPROVED
    assert mail.outbox == []


# --- nothing internal -------------------------------------------------------------------


def test_board_shows_no_internal_fields_and_no_private_contacts(client, position, case_worker):
    employer = position.employer
    Employer.objects.filter(pk=employer.pk).update(review_note="INTERNE-PRUEFNOTIZ", reviewed_by=case_worker)
    Position.objects.filter(pk=position.pk).update(created_by=case_worker, rescore_requested_at=timezone.now())
    ContactPersonFactory(employer=employer, name="Petra Privat", email="privat@firma.example", phone="0361 999")
    ContactPersonFactory(employer=employer, name="Olaf Offen", email="jobs@firma.example", is_public=True)
    MembershipFactory(employer=employer, user__email="mitglied@firma.example")

    pages = {
        "list": client.get(reverse("jobs:list")).content.decode(),
        "detail": client.get(reverse("jobs:detail", args=[position.pk])).content.decode(),
        "feed": client.get(reverse("jobs:feed")).content.decode(),
    }

    for name, content in pages.items():
        assert position.title in content, name
        for secret in [
            "INTERNE-PRUEFNOTIZ",
            "privat@firma.example",
            "Petra Privat",
            "0361 999",
            "mitglied@firma.example",
            case_worker.email,
            "rescore",
            "review",
            "created_by",
        ]:
            assert secret not in content, (name, secret)
    assert "jobs@firma.example" in pages["detail"]
    assert "Olaf Offen" in pages["detail"]


def test_feed_item_has_exactly_the_public_fields(client, german):
    occupation = OccupationFactory(
        labels={"de": "Elektroniker/in", "en": "Electrician"},
        uri="http://data.europa.eu/esco/occupation/abc",
        isco_group="7411",
    )
    position = PositionFactory(
        occupation=occupation,
        start_date=TODAY + timedelta(days=30),
        hours_per_week=39,
        salary_min=2800,
        salary_max=3200,
    )
    LanguageRequirementFactory(position=position, language=german, min_level=CEFRLevel.B1)

    response = client.get(reverse("jobs:feed"))

    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["count"] == 1
    assert data["next"] is None
    [item] = data["results"]
    assert set(item) == {
        "id",
        "url",
        "title",
        "employer",
        "type",
        "location",
        "place",
        "postal_code",
        "country",
        "region",
        "languages",
        "start_date",
        "working_time",
        "hours_per_week",
        "salary_min",
        "salary_max",
        "occupation",
    }
    assert item["url"] == "http://testserver" + reverse("jobs:detail", args=[position.pk])
    assert item["employer"] == position.employer.name
    assert item["type"] == "employment"
    assert item["location"] == "germany"
    assert item["place"] == "Erfurt"
    assert item["postal_code"] == "99084"
    assert item["country"] == "DE"
    assert item["languages"] == [{"language": "de", "min_level": "B1", "required": True}]
    assert item["start_date"] == (TODAY + timedelta(days=30)).isoformat()
    assert item["working_time"] == "full"
    assert (item["hours_per_week"], item["salary_min"], item["salary_max"]) == (39, 2800, 3200)
    assert item["occupation"] == {
        "label": "Elektroniker/in",
        "esco_uri": "http://data.europa.eu/esco/occupation/abc",
        "isco_group": "7411",
    }


@pytest.mark.parametrize("offers", [False, True])
def test_the_detail_page_shows_what_the_position_offers_not_what_the_company_offers_elsewhere(client, offers):
    position = PositionFactory(
        employer__offers_training=not offers,
        employer__offers_language_courses=not offers,
        provides_training=offers,
        provides_language_support=offers,
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    content = client.get(reverse("jobs:detail", args=[position.pk])).content.decode()

    for offer in ("Training in the company", "Support in learning the language"):
        assert (offer in content) is offers
    assert ("Please ask the company for details." in content) is not offers


def test_board_follows_the_chosen_language_for_anonymous_visitors(client):
    PositionFactory(occupation=OccupationFactory(labels={"de": "Koch/Köchin", "en": "Cook"}))

    assert feed(client)["results"][0]["occupation"]["label"] == "Koch/Köchin"
    assert 'lang="de"' in client.get(reverse("jobs:list")).content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    assert feed(client)["results"][0]["occupation"]["label"] == "Cook"
    content = client.get(reverse("jobs:list")).content.decode()
    assert 'lang="en"' in content
    assert "Job board" in content


# --- what is open -----------------------------------------------------------------------


def test_only_open_unexpired_positions_are_shown(client):
    PositionFactory(title="offen")
    PositionFactory(title="offen bis heute", expires_on=TODAY)
    PositionFactory(title="abgelaufen", expires_on=TODAY - timedelta(days=1))
    for status in [Position.Status.DRAFT, Position.Status.PAUSED, Position.Status.CLOSED, Position.Status.FILLED]:
        hidden = PositionFactory(title=f"status {status}", status=status)
        assert client.get(reverse("jobs:detail", args=[hidden.pk])).status_code == 404
    expired = Position.objects.get(title="abgelaufen")

    assert listed_titles(client) == {"offen", "offen bis heute"}
    assert fed_titles(client) == {"offen", "offen bis heute"}
    assert client.get(reverse("jobs:detail", args=[expired.pk])).status_code == 404


def test_rejected_companys_position_is_a_404(client):
    position = PositionFactory(employer__verification=Employer.Verification.REJECTED)

    assert client.get(reverse("jobs:detail", args=[position.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[999999])).status_code == 404


# --- filters ------------------------------------------------------------------------------


@pytest.fixture
def board(german, arabic):
    """A small board: an apprenticeship in Erfurt asking German B2, a return position in Syria asking Arabic."""
    cook = OccupationFactory(labels={"de": "Koch/Köchin", "en": "Cook"})
    electrician = OccupationFactory(labels={"de": "Elektroniker/in", "en": "Electrician"})
    apprenticeship = PositionFactory(
        title="Ausbildung Koch", occupation=cook, position_type=Position.PositionType.APPRENTICESHIP
    )
    LanguageRequirementFactory(position=apprenticeship, language=german, min_level=CEFRLevel.B2)
    abroad = PositionFactory(title="Elektriker Aleppo", occupation=electrician, abroad=True)
    LanguageRequirementFactory(position=abroad, language=arabic, min_level=CEFRLevel.C1)
    PositionFactory(title="Elektriker Jena", occupation=electrician, postal_code="07743", place=None)
    return {"cook": cook, "electrician": electrician}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Ausbildung Koch", "Elektriker Aleppo", "Elektriker Jena"}),
        ({"position_type": "apprenticeship"}, {"Ausbildung Koch"}),
        ({"position_type": "return_abroad"}, {"Elektriker Aleppo"}),
        ({"location": "abroad"}, {"Elektriker Aleppo"}),
        ({"location": "germany"}, {"Ausbildung Koch", "Elektriker Jena"}),
        ({"country": "SY"}, {"Elektriker Aleppo"}),
        ({"occupation": "Electric"}, {"Elektriker Aleppo", "Elektriker Jena"}),
        ({"occupation": "köch"}, {"Ausbildung Koch"}),
        ({"place": "erfurt"}, {"Ausbildung Koch"}),
        ({"place": "077"}, {"Elektriker Jena"}),
        ({"q": "Aleppo"}, {"Elektriker Aleppo"}),
        ({"q": "cook"}, {"Ausbildung Koch"}),
    ],
)
def test_job_board_filters(client, board, params, expected):
    assert listed_titles(client, **params) == expected
    assert fed_titles(client, **params) == expected


def test_language_filter_offers_only_languages_of_public_positions(client, board, german, arabic):
    unused = Language.objects.create(code="fa", name_en="Persian", name_de="Persisch")

    response = client.get(reverse("jobs:list"))
    choices = {str(pk) for pk, _label in response.context["filter"].form.fields["language"].choices if pk}

    assert choices == {str(german.pk), str(arabic.pk)}
    assert str(unused.pk) not in choices
    assert listed_titles(client, language=german.pk) == {"Ausbildung Koch"}
    assert fed_titles(client, language=arabic.pk) == {"Elektriker Aleppo"}
    assert [item["languages"] for item in feed(client, language=arabic.pk)["results"]] == [
        [{"language": "ar", "min_level": "C1", "required": True}]
    ]


def test_country_filter_offers_only_countries_of_public_positions(client, board):
    response = client.get(reverse("jobs:list"))

    codes = [code for code, _label in response.context["filter"].form.fields["country"].choices if code]
    assert codes == ["SY"]


def test_country_filter_lists_each_country_once(client, board):
    # Several positions in one country, created at different times, gave the country once per position.
    for days, country in enumerate(["SY", "SY", "AF", "IQ", "AF", "IQ"], start=1):
        position = PositionFactory(abroad=True, country=country)
        Position.objects.filter(pk=position.pk).update(created_at=timezone.now() - timedelta(days=days))

    response = client.get(reverse("jobs:list"))

    codes = [code for code, _label in response.context["filter"].form.fields["country"].choices if code]
    assert sorted(codes) == ["AF", "IQ", "SY"]
    html = response.content.decode()
    assert html.count('<option value="SY"') == 1


# --- pagination and queries -----------------------------------------------------------------


def test_list_is_paginated(client):
    PositionFactory.create_batch(views_public.PAGE_SIZE + 3)

    first = client.get(reverse("jobs:list"))
    second = client.get(reverse("jobs:list"), {"page": 2})

    assert len(first.context["page"].object_list) == views_public.PAGE_SIZE
    assert len(second.context["page"].object_list) == 3
    assert "page=2" in first.content.decode()


def test_feed_is_paginated_with_a_next_link(client, monkeypatch):
    monkeypatch.setattr(views_public, "FEED_PAGE_SIZE", 4)
    PositionFactory.create_batch(6, position_type=Position.PositionType.INTERNSHIP)
    PositionFactory(position_type=Position.PositionType.EMPLOYMENT)

    first = feed(client, position_type="internship")
    assert first["count"] == 6
    assert len(first["results"]) == 4
    assert first["next"].startswith("http://testserver" + reverse("jobs:feed"))
    assert "position_type=internship" in first["next"]

    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert second["next"] is None
    assert {item["id"] for item in first["results"]}.isdisjoint(item["id"] for item in second["results"])
    assert client.get(reverse("jobs:feed"), {"page": 3}).status_code == 404


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _make_positions(count: int, german) -> None:
    for position in PositionFactory.create_batch(count, abroad=True):
        LanguageRequirementFactory(position=position, language=german)


@pytest.mark.parametrize("name", ["jobs:list", "jobs:feed"])
def test_list_and_feed_use_a_constant_number_of_queries(client, german, name, monkeypatch):
    monkeypatch.setattr(views_public, "PAGE_SIZE", 100)
    _make_positions(10, german)
    few = _count_queries(client, reverse(name))

    _make_positions(30, german)
    many = _count_queries(client, reverse(name))

    assert many == few
    assert few <= 8
