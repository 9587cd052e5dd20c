"""The admin's index: every group and model named in the reader's language, and the shared app's
reference data under a heading of its own (on the app's page too, whose breadcrumbs name the app once)."""

import html as html_module
import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

REFERENCE = {"Berufe", "Fertigkeiten", "ISCO-08-Gruppen", "Orte", "Regionen", "Sprachen"}


def _groups(html: str) -> dict[str, set[str]]:
    """Each group's heading on the index and the names of its models."""
    groups = {}
    for module in re.findall(r'<div class="app-[\w.-]+ module.*?</table>', html, re.S):
        heading = re.search(r"<caption>\s*<a [^>]*>([^<]+)</a>", module).group(1).strip()
        groups[heading] = set(re.findall(r'<th scope="row" id="[^"]+">\s*<a [^>]*>([^<]+)</a>', module))
    return groups


def _index(client, admin_user, language: str) -> dict[str, set[str]]:
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return _groups(client.get(reverse("admin:index")).text)


def test_reference_data_has_a_group_of_its_own(client, admin_user):
    groups = _index(client, admin_user, "de")

    assert groups["Referenzdaten"] == REFERENCE
    assert not groups["Nutzer/innen und Rollen"] & REFERENCE
    assert "Nutzer/innen" in groups["Nutzer/innen und Rollen"]
    assert "Protokolleinträge" in groups["Nutzer/innen und Rollen"]


def test_the_second_factors_read_in_german_and_arabic(client, admin_user):
    german = _index(client, admin_user, "de")
    assert german["Zwei-Faktor-Authentifizierung"] == {"Zweite Faktoren"}
    assert "MFA" not in german

    arabic = _index(client, admin_user, "ar")
    assert arabic["المصادقة الثنائية"] == {"عوامل التحقق الثانية"}


def test_the_reference_groups_app_page_lists_both_groups(client, admin_user):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    groups = _groups(client.get(reverse("admin:app_list", args=["bridges"])).text)

    assert set(groups) == {"Nutzer/innen und Rollen", "Referenzdaten"}


def _breadcrumbs(html: str) -> str:
    crumbs = html_module.unescape(re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S).group(1))
    return " ".join(re.sub(r"<[^>]+>", " ", crumbs).split())


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "Start › Nutzer/innen, Rollen und Referenzdaten"), ("en", "Home › Users, roles and reference data")],
)
def test_the_app_pages_breadcrumbs_name_the_app_once(client, admin_user, language, expected):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    html = client.get(reverse("admin:app_list", args=["bridges"])).text

    assert _breadcrumbs(html) == expected
    assert f"<h1>{expected.split(' › ')[1]}" in html  # the title too


def test_a_reference_tables_breadcrumbs_name_the_reference_data(client, admin_user):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    html = client.get(reverse("admin:bridges_language_changelist")).text

    assert _breadcrumbs(html) == "Start › Nutzer/innen, Rollen und Referenzdaten › Sprachen"
