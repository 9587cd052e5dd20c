"""Every string a person reads is translated to German, the default language.

Three checks: the German catalogue covers every marked string; every page a role reaches
shows no English (no message looked up without a German translation while rendering, no
visible text that is an English message id of the project's, Django's or allauth's
catalogues); and the models' texts are all marked for translation.
"""

import ast
import gettext as gettext_module
import html
import importlib
import io
import re
import shutil
import subprocess
import sys
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import allauth
import django
import polib
import pytest
from django.apps import apps
from django.conf import global_settings, settings
from django.core.management import call_command
from django.db import models
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import trans_real
from django_countries import countries
from django_countries.fields import CountryField

from bridges import locale_overrides
from bridges.models import User
from candidates.models import Candidate, Consent
from candidates.services import consent_give, note_add
from employers.models import Employer, Position
from employers.services import employer_review, position_set_status
from matching import review
from matching.models import Match
from tests.conftest import module_data
from tests.urlwalk import all_sample_urls

BASE_DIR = Path(__file__).resolve().parents[2]
SOURCES = ["manage.py", "bridges", "candidates", "employers", "matching", "selfservice", "templates", "locale"]
PROJECT_APPS = ["bridges", "candidates", "employers", "matching", "selfservice"]


def test_german_catalogue_covers_every_marked_string(tmp_path):
    # makemessages runs on a copy, so that the test sees strings added since the
    # catalogue was last updated without touching the working tree.
    for name in SOURCES:
        source = BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-obsolete"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true", "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr

    catalogue = polib.pofile(str(tmp_path / "locale/de/LC_MESSAGES/django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert not untranslated, f"add German translations to locale/de/LC_MESSAGES/django.po: {untranslated}"
    assert not fuzzy, f"review the fuzzy German translations: {fuzzy}"


# --- what the models say ---------------------------------------------------------------------

# Choice labels that read the same in every language: CEFR levels, German legal forms.
LANGUAGE_NEUTRAL_CHOICES = {
    ("candidates", "candidatelanguage", "level"),
    ("employers", "languagerequirement", "min_level"),
    ("employers", "employer", "legal_form"),
}


def test_every_model_text_is_marked_for_translation():
    unmarked = []
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            opts = model._meta
            for name in ("verbose_name", "verbose_name_plural"):
                if not isinstance(opts.original_attrs.get(name), Promise):
                    unmarked.append(f"{opts.label}.Meta.{name}")
            for field in opts.get_fields():
                if field.auto_created:
                    continue  # ids and reverse relations are named by Django
                if not isinstance(field._verbose_name, Promise):
                    unmarked.append(f"{opts.label}.{field.name}: verbose_name {field.verbose_name!r}")
                if field.help_text and not isinstance(field.help_text, Promise):
                    unmarked.append(f"{opts.label}.{field.name}: help_text {field.help_text!r}")
                if not field.choices or isinstance(field, CountryField):
                    continue  # django-countries translates its names itself
                if (opts.app_label, opts.model_name, field.name) in LANGUAGE_NEUTRAL_CHOICES:
                    continue
                for value, label in field.flatchoices:
                    if not isinstance(label, Promise):
                        unmarked.append(f"{opts.label}.{field.name}: choice {value!r} {label!r}")

    assert not unmarked, "mark these with gettext_lazy:\n" + "\n".join(unmarked)


def test_the_overridden_message_ids_are_still_the_packages():
    """bridges/locale_overrides.py translates other packages' ids: an upgrade that rewords one
    would leave our translation unused, so each must still be in a catalogue of its package."""
    packages = {
        "allauth": locale_overrides.ALLAUTH_INFORMAL + locale_overrides.ALLAUTH_ADMIN_NAMES,
        "django": locale_overrides.DJANGO_UNTRANSLATED,
        "django_countries": locale_overrides.COUNTRIES_UNTRANSLATED + locale_overrides.COUNTRIES_MISSPELT,
        "django_celery_beat": locale_overrides.CELERY_BEAT_UNTRANSLATED,
    }
    gone = [(package, msgid) for package, msgids in packages.items() for msgid in set(msgids) - _ids(package)]

    assert not gone, f"no longer used by the package; remove or update in bridges/locale_overrides.py: {gone}"


GETTEXT_CALL = re.compile(r"""\b_\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*\)""")


def _ids(package: str) -> set[str]:
    """The message ids a package uses: those of its German catalogues and its one-line _("...") calls."""
    root = Path(importlib.import_module(package).__file__).parent
    ids = {entry.msgid for po in root.glob("**/locale/de/LC_MESSAGES/django.po") for entry in polib.pofile(str(po))}
    for module in root.glob("**/*.py"):
        ids.update(ast.literal_eval(literal) for literal in GETTEXT_CALL.findall(module.read_text()))
    return ids


def test_the_admin_search_form_differs_from_djangos_only_in_the_translated_alt_text():
    ours = (BASE_DIR / "templates/admin/search_form.html").read_text()
    djangos = (Path(django.__file__).parent / "contrib/admin/templates/admin/search_form.html").read_text()

    assert ours.replace("alt=\"{% translate 'Search' %}\"", 'alt="Search"') == djangos


# --- what the pages show ------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a person reads: text nodes and the attributes read out (title, alt, aria-label,
    placeholder, button values), leaving out scripts, code, parts in another language, and
    options and checkboxes that show their own value (codes such as the driving licence class "AM")."""

    SKIP = {"script", "style", "template", "code", "kbd", "samp"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[str] = []
        self.option: tuple[str, list[str]] | None = None  # the open option's value and text
        self.choice_value: str | None = None  # the value of the checkbox or radio button just read

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = attributes.get("lang")
        classes = (attributes.get("class") or "").split()
        skipped = (
            self.skipping
            or tag in self.SKIP
            or bool(lang and not lang.startswith("de"))
            # the admin's columns of English names (name_en) show English on purpose
            or any(re.fullmatch(r"field-\w+_en", name) for name in classes)
        )
        if not skipped:
            self.texts.extend(attributes[name] for name in self.READ_ATTRIBUTES if attributes.get(name))
            if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
                self.texts.append(attributes["value"])
        self.choice_value = attributes.get("value") if attributes.get("type") in {"checkbox", "radio"} else None
        if tag == "option" and not skipped:
            self.option = (attributes.get("value") or "", [])
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            value, parts = self.option
            text = " ".join(parts)
            if text and text != value:
                self.texts.append(text)
            self.option = None
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text or self.skipping:
            return
        if self.option is not None:
            self.option[1].append(text)
        elif text != self.choice_value:  # a checkbox's label that is its own value is a code
            self.texts.append(text)
        self.choice_value = None


def visible_texts(content: str) -> list[str]:
    parser = VisibleText()
    parser.feed(content)
    return [" ".join(html.unescape(text).split()) for text in parser.texts]


def _german_catalogue(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open("rb") as file:
        return gettext_module.GNUTranslations(file)._catalog


def english_message_ids() -> set[str]:
    """Message ids of the project's, Django's and allauth's catalogues whose German differs,
    less those that are German too (a German translation elsewhere, e.g. "Start") and
    language names (the portal shows languages by its own data)."""
    paths = [BASE_DIR / "locale/de/LC_MESSAGES/django.mo"]
    paths += Path(django.__file__).parent.glob("**/locale/de/LC_MESSAGES/django.mo")
    paths.append(Path(allauth.__file__).parent / "locale/de/LC_MESSAGES/django.mo")
    ids = {}
    for path in paths:
        for key, german in _german_catalogue(path).items():
            if isinstance(key, str) and key and "\x04" not in key and german != key:
                ids[key] = german
    german_texts = _german_texts()
    language_names = {name for _code, name in global_settings.LANGUAGES}
    return {msgid for msgid in ids if msgid not in german_texts and msgid not in language_names}


def _german_texts() -> set[str]:
    """Every German text of the merged catalogue the pages are rendered with."""
    return _texts("de")


def _texts(language: str) -> set[str]:
    """Every text of the language's merged catalogue the pages are rendered with."""
    return {text for catalogue in trans_real.translation(language)._catalog._catalogs for text in catalogue.values()}


class MissingTranslations:
    """Records each message looked up in `language` (German by default) for which that language's
    catalogue has no entry."""

    def __init__(self, monkeypatch, language: str = "de"):
        self.translation = trans_real.translation(language)
        self.known_texts = _texts(language)
        self.missing: dict[str, set[str]] = {}
        self.page = ""
        catalogue = self.translation._catalog
        lookup, plural_lookup = self.translation.gettext, self.translation.ngettext

        def gettext(message):
            if message not in catalogue:
                self._record(message.split("\x04")[-1])
            return lookup(message)

        def ngettext(singular, plural, number):
            try:
                catalogue.plural(singular, number)
            except KeyError:
                self._record(singular.split("\x04")[-1])
            return plural_lookup(singular, plural, number)

        monkeypatch.setattr(self.translation, "gettext", gettext)
        monkeypatch.setattr(self.translation, "ngettext", ngettext)

    def _record(self, message: str) -> None:
        # A text of the language looked up again (a language's local name) is no untranslated English.
        if self.page and re.search(r"[A-Za-z]", message) and message not in self.known_texts:
            self.missing.setdefault(message, set()).add(self.page)


# Views the walk does not open: they only redirect or answer with data, or end the session.
# The API answers JSON (its messages: tests/bridges/test_api.py); its documentation page is walked.
NOT_PAGES = {url.name for url in all_sample_urls() if url.name.startswith("api:") and url.name != "api:docs"} | {
    "set_language",
    # the candidate's data-subject export: a JSON file, not a page (the same data as the case worker's page)
    "me:export",
    "healthz",
    "ping",
    "admin:logout",
    "admin:jsi18n",
    "admin:autocomplete",
    "admin:view_on_site",
}


def walk(client, start: str, recorder: MissingTranslations, role: str) -> dict[str, str]:
    """The pages a role reaches from its start page and every page without parameters, following
    links; one page per view (one change page per model, one detail page per kind)."""
    starts = [start] + [sample.path for sample in all_sample_urls() if not re.search(r"/\d+[/-]|sample", sample.path)]
    queue, seen, per_view, pages = deque(starts), set(), Counter(), {}
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            view = resolve(urlsplit(path).path).view_name
        except Resolver404:
            continue
        if view in NOT_PAGES or per_view[view]:
            continue
        per_view[view] += 1
        recorder.page = f"{role} {path}"
        response = client.get(path)
        recorder.page = ""
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        content = response.content.decode()
        pages[path] = content
        for href in re.findall(r'href="(/[^"#]*)', content):
            href = html.unescape(href)
            if not href.startswith(("//", "/static/")):
                queue.append(href)
    return pages


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data of `make run`, with a decision, reviews, consents and changes in the audit
    trail; seeded once for the module's page walks (each walks in a savepoint inside it)."""
    with module_data(django_db_blocker):
        _seed_demo()
        yield


@pytest.fixture
def demo(demo_data, db):
    """The page walks' demo data (`demo_data`) and database access."""


def _seed_demo() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    case_worker = User.objects.get(email="berater@bridges.example")
    request = RequestFactory().get("/")
    with translation.override("en"):  # written in one language, read in another
        match = Match.objects.order_by("-score").first()
        review.match_decide(
            candidate_id=match.candidate_id,
            position_id=match.position_id,
            status="dismissed",
            reason="language",
            note="Deutschkurs zuerst",
            actor=case_worker,
        )
        position = Position.objects.filter(status="open").first()
        position_set_status(position=position, status="paused", actor=case_worker)
        employer = Employer.objects.order_by("pk").first()
        employer_review(employer=employer, approve=False, note="Bitte melden", actor=case_worker, request=request)
        employer_review(employer=employer, approve=True, note="", actor=case_worker, request=request)
        candidate = Candidate.objects.order_by("pk").first()
        note_add(candidate=candidate, text="Termin vereinbart", actor=case_worker)
        consent_give(
            candidate=candidate,
            purpose=Consent.Purpose.PROCESSING,
            wording_version="2026-02",  # the demo has 2026-01, and the same consent is not recorded twice
            method=Consent.Method.PAPER,
            actor=case_worker,
        )


ROLES = {
    "anonymous": None,
    "employer": "arbeitgeber@bridges.example",
    "case worker": "berater@bridges.example",
    "admin": "admin@bridges.example",
    "candidate": "kandidatin@bridges.example",
}


def test_every_page_of_every_role_is_german(client, demo, monkeypatch):
    english = english_message_ids()
    recorder = MissingTranslations(monkeypatch)
    shown: dict[str, set[str]] = {}
    for role, email in ROLES.items():
        client.logout()
        if email:
            client.force_login(User.objects.get(email=email))

        pages = walk(client, reverse("start"), recorder, role)

        assert len(pages) >= 5, role
        for path, content in pages.items():
            for text in visible_texts(content):
                if text in english:
                    shown.setdefault(text, set()).add(f"{role} {path}")
    assert not recorder.missing, "no German translation for (message: pages):\n" + _report(recorder.missing)
    assert not shown, "English on German pages (text: pages):\n" + _report(shown)


# The pages whose Arabic must be complete (issue #16): what visitors, employers and candidates see.
# The case workers' pages may stay German or English, but render right to left (tests/e2e/test_pages.py).
ARABIC_ROLES = {
    "anonymous": None,
    "employer": "arbeitgeber@bridges.example",
    "candidate": "kandidatin@bridges.example",
}


def test_every_page_of_visitors_employers_and_candidates_is_arabic(client, demo, monkeypatch):
    recorder = MissingTranslations(monkeypatch, language="ar")
    visited = 0
    for role, email in ARABIC_ROLES.items():
        client.logout()
        if email:
            client.force_login(User.objects.get(email=email))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

        pages = walk(client, reverse("start"), recorder, role)

        assert len(pages) >= 5, role
        visited += len(pages)
        assert [
            p for p, content in pages.items() if "<html" in content and '<html lang="ar" dir="rtl">' not in content
        ] == []
    assert visited >= 15
    assert not recorder.missing, "no Arabic translation for (message: pages):\n" + _report(recorder.missing)


def _report(found: dict[str, set[str]]) -> str:
    return "\n".join(f"{text!r}: {sorted(paths)[:3]}" for text, paths in sorted(found.items()))


@pytest.mark.parametrize(
    ("content", "found"),
    [
        ('<p>Available</p><p title="Search">Suche</p>', ["Available", "Search", "Suche"]),
        ('<option lang="en">English</option><code>status</code><td class="field-name_en">Arabic</td>', []),
        ('<option value="AM">AM</option><option value="available">Available</option>', ["Available"]),
        ('<label><input type="checkbox" value="AM"> AM</label><input type="radio" value="b"> Bus', ["Bus"]),
        ("<script>var x = 'Available';</script><p>Verfügbar<br>ab</p>", ["Verfügbar", "ab"]),
    ],
)
def test_visible_text_is_what_a_person_reads(content, found):
    assert visible_texts(content) == found


def test_a_message_without_german_translation_is_found(monkeypatch):
    recorder = MissingTranslations(monkeypatch)
    recorder.page = "/somewhere/"

    with translation.override("de"):
        translated = str(models.CharField(verbose_name=translation.gettext_lazy("score")).verbose_name)
        translation.gettext("A sentence nobody translated")

    assert translated == "Punktzahl"
    assert recorder.missing == {"A sentence nobody translated": {"/somewhere/"}}


def test_a_message_without_arabic_translation_is_found(monkeypatch):
    recorder = MissingTranslations(monkeypatch, language="ar")
    recorder.page = "/somewhere/"

    with translation.override("ar"):
        job_board = translation.gettext("Job board")
        translation.gettext("A sentence nobody translated")

    assert job_board == "لوحة الوظائف"
    assert recorder.missing == {"A sentence nobody translated": {"/somewhere/"}}


def test_country_names_the_packages_get_wrong_read_right():
    """django-countries' German misspells some names, and its English data calls Nauru "Naoero"."""
    with translation.override("de"):
        german = [str(countries.name(code)) for code in ("GD", "KI", "PG", "SA", "NR")]
    with translation.override("en"):
        english = str(countries.name("NR"))

    assert german == ["Grenada", "Kiribati", "Papua-Neuguinea", "Saudi-Arabien", "Nauru"]
    assert english == "Nauru"


def test_a_consent_names_the_company_in_the_same_word_everywhere():
    """The candidate page's consent summary says "Unternehmen"; the consents' own labels said
    "Arbeitgeber" right beside it."""
    with translation.override("de"):
        words = [str(label) for _value, label in Consent.Purpose.choices]
        words += [str(Consent._meta.get_field(name).verbose_name) for name in ("employer", "recipient")]

    assert not [text for text in words if "Arbeitgeber" in text]
    assert any("Unternehmen" in text for text in words)
