"""Taxonomy autocomplete: <option> answers for occupations, skills, towns and regions."""

import pytest
from django.urls import reverse

from bridges.models import OccupationLabel, Place, Region
from tests.factories import OccupationFactory, SkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thuringia(db):
    return Region.objects.create(code="DE-TH", country="DE", name_en="Thuringia", name_de="Thüringen")


def test_anonymous_users_cannot_search_the_taxonomy(client):
    response = client.get(reverse("taxonomy:occupations"), {"autocomplete_q": "sch"})

    assert response.status_code == 302


def test_occupations_are_found_by_alternative_labels_in_any_language(client, employer_a):
    welder = OccupationFactory(labels={"de": "Schweißer/in", "en": "welder"})
    OccupationLabel.objects.create(occupation=welder, language="de", text="Schweißerin")
    OccupationFactory(labels={"de": "Koch/Köchin", "en": "cook"})
    client.force_login(employer_a)

    response = client.get(reverse("taxonomy:occupations"), {"autocomplete_q": "schweißerin", "field": "occ"})

    assert f'value="{welder.pk}"' in response.text
    assert "Koch" not in response.text
    assert "Schweißer/in" in response.text  # shown with the preferred label of the active language (German)


def test_selected_values_stay_selected_in_the_answer(client, case_worker):
    chosen, other = SkillFactory(labels={"de": "Schweißen", "en": "welding"}), SkillFactory()
    client.force_login(case_worker)

    response = client.get(
        reverse("taxonomy:skills"),
        {"autocomplete_q": other.labels["de"], "field": "skills", "skills": [chosen.pk], "multiple": "1"},
    )

    assert f'<option value="{chosen.pk}" selected>' in response.text
    assert f'value="{other.pk}"' in response.text


def test_places_by_name_with_the_largest_first(client, case_worker, thuringia):
    Place.objects.create(
        geonameid=1, name="Erfurt", country="DE", region=thuringia, latitude=50.98, longitude=11.03, population=213000
    )
    Place.objects.create(geonameid=2, name="Erfurtshausen", country="DE", latitude=50.7, longitude=8.9, population=900)
    client.force_login(case_worker)

    response = client.get(reverse("taxonomy:places"), {"autocomplete_q": "erf", "field": "place"})

    assert response.text.index("Erfurt (Thüringen)") < response.text.index("Erfurtshausen")


def test_regions_are_narrowed_to_the_chosen_country(client, case_worker, thuringia):
    Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo", name_de="Aleppo")
    Region.objects.create(code="SY-DI", country="SY", name_en="Damascus", name_de="Damaskus")
    client.force_login(case_worker)

    response = client.get(
        reverse("taxonomy:regions"),
        {"autocomplete_q": "", "field": "return_region", "country_field": "return_country", "return_country": "SY"},
    )

    assert "Aleppo" in response.text
    assert "Damaskus" in response.text
    assert "Thüringen" not in response.text
