"""The employer's own pages: dashboard, registration, profile, regions, contacts, and the
isolation of one organisation from another through every URL and form field."""

import pytest
from django.urls import reverse

from bridges.models import Region
from employers.models import (
    ContactPerson,
    Employer,
    EngagementRegion,
    Invitation,
    LanguageRequirement,
    Membership,
    Position,
    PositionSkill,
)
from tests.employers.factories import (
    LanguageRequirementFactory,
    PositionFactory,
    employer_form_data,
    position_form_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def position_b(company_b):
    return PositionFactory(employer=company_b, title="Stelle von B")


@pytest.fixture
def syria_region(db):
    return Region.objects.create(code="SY-DI", country="SY", name_en="Damascus", name_de="Damaskus")


def snapshot() -> list:
    """Every row an employer page can write, to prove that a refused request wrote nothing."""
    models = [Employer, Position, PositionSkill, LanguageRequirement, EngagementRegion, ContactPerson, Membership]
    return [list(model.objects.order_by("pk").values()) for model in [*models, Invitation]]


def formset_management(prefix: str, total: int = 1, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# --- dashboard and registration ------------------------------------------------------------


def test_employer_without_company_is_asked_to_register(client, employer_a):
    client.force_login(employer_a)

    response = client.get(reverse("employers:dashboard"))

    assert response.status_code == 200
    assert reverse("employers:register") in response.text


@pytest.mark.parametrize("name", ["employers:positions", "employers:profile", "employers:colleagues"])
def test_pages_of_the_own_company_send_a_user_without_company_to_the_dashboard(client, employer_a, name):
    client.force_login(employer_a)

    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url == reverse("employers:dashboard")


def test_registration_creates_a_pending_company_with_the_user_as_member(client, employer_a):
    client.force_login(employer_a)

    response = client.post(reverse("employers:register"), employer_form_data(verification="approved"), follow=True)

    company = Employer.objects.get()
    assert company.name == "Thüringer Metallbau GmbH"
    assert company.verification == Employer.Verification.PENDING  # the tampered field is ignored
    assert Membership.objects.get(user=employer_a).employer == company
    assert "positions become public after approval" in response.text
    assert "Approval outstanding" in response.text


def test_registration_refuses_an_invalid_postal_code(client, employer_a):
    client.force_login(employer_a)

    response = client.post(reverse("employers:register"), employer_form_data(postal_code="9908"))

    assert response.status_code == 200
    assert "postal_code" in response.context["form"].errors
    assert not Employer.objects.exists()


def test_a_member_cannot_register_a_second_company(client, employer_a, company_a):
    client.force_login(employer_a)

    response = client.post(reverse("employers:register"), employer_form_data(name="Zweitfirma"))

    assert response.status_code == 302
    assert list(Employer.objects.values_list("name", flat=True)) == ["Firma A GmbH"]


def test_dashboard_of_a_pending_company_says_positions_are_not_public(client, employer_a, company_a):
    company_a.verification = Employer.Verification.PENDING
    company_a.save()
    PositionFactory(employer=company_a, title="Elektriker/in")
    client.force_login(employer_a)

    response = client.get(reverse("employers:dashboard"))

    assert response.status_code == 200
    assert "Elektriker/in" in response.text
    assert 'class="alert alert-warning"' in response.text


def test_dashboard_of_a_rejected_company_shows_the_note(client, employer_a, company_a):
    company_a.verification = Employer.Verification.REJECTED
    company_a.review_note = "Kein Sitz in Thüringen."
    company_a.save()
    client.force_login(employer_a)

    response = client.get(reverse("employers:dashboard"))

    assert "Kein Sitz in Thüringen." in response.text


def test_dashboard_lists_only_own_positions_with_their_status(client, employer_a, company_a, position_b):
    PositionFactory(employer=company_a, title="Lagerist/in", status=Position.Status.PAUSED)
    client.force_login(employer_a)

    response = client.get(reverse("employers:dashboard"))

    assert "Lagerist/in" in response.text
    assert "Stelle von B" not in response.text
    assert "paused" in response.text


# --- profile, regions, contacts ----------------------------------------------------------------


def test_profile_change_marks_the_open_positions_for_rescoring(client, employer_a, company_a):
    open_position = PositionFactory(employer=company_a)
    draft = PositionFactory(employer=company_a, status=Position.Status.DRAFT)
    client.force_login(employer_a)

    response = client.post(reverse("employers:profile"), employer_form_data(name="Firma A neu GmbH"))

    assert response.status_code == 302
    company_a.refresh_from_db()
    assert company_a.name == "Firma A neu GmbH"
    assert company_a.verification == Employer.Verification.APPROVED
    open_position.refresh_from_db(), draft.refresh_from_db()
    assert open_position.rescore_requested_at is not None
    assert draft.rescore_requested_at is None


def test_regions_change_marks_the_open_positions_for_rescoring(client, employer_a, company_a, syria_region):
    position = PositionFactory(employer=company_a)
    client.force_login(employer_a)
    data = {
        **formset_management("regions"),
        "regions-0-country": "SY",
        "regions-0-region": str(syria_region.pk),
        "regions-0-kind": "partner",
        "regions-0-note": "Partnerbetrieb in Damaskus",
    }

    response = client.post(reverse("employers:regions"), data)

    assert response.status_code == 302
    region = EngagementRegion.objects.get()
    assert (region.employer, region.region) == (company_a, syria_region)
    position.refresh_from_db()
    assert position.rescore_requested_at is not None


def test_region_page_narrows_the_region_search_to_the_row_country(client, employer_a, company_a):
    client.force_login(employer_a)

    response = client.get(reverse("employers:regions"))

    assert "[name='regions-0-country']" in response.text


def test_region_outside_the_chosen_country_is_refused(client, employer_a, company_a, syria_region):
    client.force_login(employer_a)
    data = {
        **formset_management("regions"),
        "regions-0-country": "AF",
        "regions-0-region": str(syria_region.pk),
        "regions-0-kind": "project",
    }

    response = client.post(reverse("employers:regions"), data)

    assert response.status_code == 200
    assert "region" in response.context["formset"].forms[0].errors
    assert not EngagementRegion.objects.exists()


def test_the_same_country_twice_is_refused(client, employer_a, company_a):
    client.force_login(employer_a)
    data = {**formset_management("regions", total=2)}
    for index in range(2):
        data |= {f"regions-{index}-country": "AF", f"regions-{index}-kind": "planned"}

    response = client.post(reverse("employers:regions"), data)

    assert response.status_code == 200
    assert not EngagementRegion.objects.exists()


def test_contacts_are_saved_for_the_own_company(client, employer_a, company_a):
    client.force_login(employer_a)
    data = {
        **formset_management("contacts"),
        "contacts-0-name": "Petra Schulz",
        "contacts-0-role": "Personal",
        "contacts-0-email": "Petra.Schulz@firma-a.example",
        "contacts-0-phone": "+49 361 1234",
        "contacts-0-is_public": "on",
    }

    response = client.post(reverse("employers:contacts"), data)

    assert response.status_code == 302
    contact = ContactPerson.objects.get()
    assert (contact.employer, contact.email, contact.is_public) == (company_a, "petra.schulz@firma-a.example", True)


def test_case_worker_cannot_use_the_employer_own_paths(client, case_worker):
    client.force_login(case_worker)

    assert client.get(reverse("employers:profile")).status_code == 403
    assert client.get(reverse("employers:position_create")).status_code == 403


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
@pytest.mark.parametrize(
    "name",
    [
        "employers:staff_profile",
        "employers:staff_regions",
        "employers:staff_contacts",
        "employers:staff_position_create",
    ],
)
def test_case_workers_and_admins_open_the_shared_pages_of_any_company(client, personas, company_b, persona, name):
    client.force_login(personas[persona])

    response = client.get(reverse(name, kwargs={"employer": company_b.pk}))

    assert response.status_code == 200
    assert "Firma B GmbH" in response.text


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_open_the_positions_of_any_company(client, personas, position_b, persona):
    client.force_login(personas[persona])

    assert client.get(reverse("employers:position_detail", args=[position_b.pk])).status_code == 200
    assert client.get(reverse("employers:position_edit", args=[position_b.pk])).status_code == 200


def test_case_worker_edits_a_company_profile_on_its_behalf(client, case_worker, company_b):
    client.force_login(case_worker)

    response = client.post(
        reverse("employers:staff_profile", kwargs={"employer": company_b.pk}), employer_form_data(name="B neu GmbH")
    )

    assert response.status_code == 302
    assert response.url == company_b.get_absolute_url()
    company_b.refresh_from_db()
    assert company_b.name == "B neu GmbH"


def test_case_worker_creates_a_position_for_the_company_of_the_url(client, case_worker, company_b):
    client.force_login(case_worker)

    response = client.post(
        reverse("employers:staff_position_create", kwargs={"employer": company_b.pk}), position_form_data()
    )

    assert response.status_code == 302
    position = Position.objects.get()
    assert (position.employer, position.created_by) == (company_b, case_worker)


def test_employer_may_use_the_company_path_with_its_own_id(client, employer_a, company_a):
    client.force_login(employer_a)

    assert client.get(reverse("employers:staff_profile", kwargs={"employer": company_a.pk})).status_code == 200


# --- isolation: employer A against every URL of employer B -----------------------------------


def b_requests(company_b, position_b) -> list[tuple[str, str, dict]]:
    """(method, URL, POST data) for every employer-facing URL of company B."""
    pk, company = position_b.pk, company_b.pk
    valid_position = position_form_data(title="übernommen")
    requests = []
    for name in ("position_detail", "position_edit", "position_duplicate", "position_status"):
        url = reverse(f"employers:{name}", args=[pk])
        requests += [("get", url, {}), ("post", url, {**valid_position, "status": "paused"})]
    company_posts = {
        "staff_profile": employer_form_data(name="übernommen"),
        "staff_regions": {**formset_management("regions"), "regions-0-country": "AF", "regions-0-kind": "planned"},
        "staff_contacts": {**formset_management("contacts"), "contacts-0-name": "Eindringling"},
        "staff_position_create": valid_position,
    }
    for name, data in company_posts.items():
        url = reverse(f"employers:{name}", kwargs={"employer": company})
        requests += [("get", url, {}), ("post", url, data)]
    return requests


def test_employer_cannot_reach_any_record_of_another_employer(client, employer_a, company_a, company_b, position_b):
    LanguageRequirementFactory(position=position_b)
    client.force_login(employer_a)
    before = snapshot()

    for method, url, data in b_requests(company_b, position_b):
        response = getattr(client, method)(url, data)

        # The companies/ paths are role pages, where a 403 would do; positions must be 404.
        allowed = (403, 404) if "/companies/" in url else (404,)
        assert response.status_code in allowed, f"{method.upper()} {url} answered {response.status_code}"

    assert snapshot() == before


def test_employer_b_still_reaches_its_own_records(client, employer_b, company_b, position_b):
    client.force_login(employer_b)

    for method, url, _data in b_requests(company_b, position_b):
        if method == "get" and "duplicate" not in url and "status" not in url:
            assert client.get(url).status_code == 200, url


def test_position_create_ignores_a_tampered_employer_field(client, employer_a, company_a, company_b):
    client.force_login(employer_a)

    response = client.post(reverse("employers:position_create"), position_form_data(employer=str(company_b.pk)))

    assert response.status_code == 302
    position = Position.objects.get()
    assert position.employer == company_a
    assert not company_b.positions.exists()


def test_position_edit_ignores_a_tampered_employer_field(client, employer_a, company_a, company_b):
    position = PositionFactory(employer=company_a)
    client.force_login(employer_a)

    response = client.post(
        reverse("employers:position_edit", args=[position.pk]),
        position_form_data(occupation=position.occupation, employer=str(company_b.pk)),
    )

    assert response.status_code == 302
    position.refresh_from_db()
    assert position.employer == company_a


def rows_of(company) -> list:
    """The rows of one company, to prove that another company's requests left them alone."""
    return [
        list(Employer.objects.filter(pk=company.pk).values()),
        list(Position.objects.filter(employer=company).order_by("pk").values()),
        list(LanguageRequirement.objects.filter(position__employer=company).order_by("pk").values()),
        list(EngagementRegion.objects.filter(employer=company).order_by("pk").values()),
        list(ContactPerson.objects.filter(employer=company).order_by("pk").values()),
    ]


def test_tampered_formset_ids_cannot_change_rows_of_another_company(
    client, employer_a, company_a, company_b, position_b
):
    foreign_region = EngagementRegion.objects.create(employer=company_b, country="SY", kind="partner")
    foreign_contact = ContactPerson.objects.create(employer=company_b, name="Bernd B")
    foreign_language = LanguageRequirementFactory(position=position_b)
    own_position = PositionFactory(employer=company_a)
    client.force_login(employer_a)
    before = rows_of(company_b)

    client.post(
        reverse("employers:regions"),
        {
            **formset_management("regions", total=1, initial=1),
            "regions-0-id": str(foreign_region.pk),
            "regions-0-country": "AF",
            "regions-0-kind": "planned",
        },
    )
    client.post(
        reverse("employers:contacts"),
        {
            **formset_management("contacts", total=1, initial=1),
            "contacts-0-id": str(foreign_contact.pk),
            "contacts-0-name": "Umbenannt",
            "contacts-0-DELETE": "on",
        },
    )
    client.post(
        reverse("employers:position_edit", args=[own_position.pk]),
        {
            **position_form_data(occupation=own_position.occupation),
            **formset_management("languages", total=1, initial=1),
            "languages-0-id": str(foreign_language.pk),
            "languages-0-language": str(foreign_language.language_id),
            "languages-0-min_level": "6",
            "languages-0-DELETE": "on",
        },
    )

    assert rows_of(company_b) == before
    # Django drops a row whose id lies outside the formset's queryset: nothing moves to A either.
    assert not EngagementRegion.objects.filter(employer=company_a).exists()
    assert not ContactPerson.objects.filter(employer=company_a).exists()
    assert not LanguageRequirement.objects.filter(position=own_position).exists()


def test_position_list_shows_only_own_positions(client, employer_a, company_a, position_b):
    PositionFactory(employer=company_a, title="Eigene Stelle")
    client.force_login(employer_a)

    response = client.get(reverse("employers:positions"))

    assert "Eigene Stelle" in response.text
    assert "Stelle von B" not in response.text


def test_anonymous_users_are_sent_to_login_from_every_employer_page(client, company_b, position_b):
    own = [
        reverse(f"employers:{name}")
        for name in ("dashboard", "register", "profile", "regions", "contacts", "colleagues", "positions")
    ]
    own += [reverse("employers:position_create"), reverse("employers:position_skills_prefill")]
    urls = own + [url for _method, url, _data in b_requests(company_b, position_b)]
    before = snapshot()

    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("account_login")), url

    assert snapshot() == before
