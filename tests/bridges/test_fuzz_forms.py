"""Fuzz every form of the portal, as every persona that can open it: 0 server errors.

The pages come from walking the URL configuration (tests/urlwalk.py), filled in with the ids
of a small world of records. Each persona (anonymous, employer, case worker, admin, candidate
in their own view) opens every page it may; every <form method="post"> found on those pages is then sent many times
with its fields kept, dropped or replaced by garbage (NUL, huge numbers, ids that are no
ids, wrong choices, a huge TOTAL_FORMS, hostile `next` values), and every POST-only URL
gets the same treatment. Pages that answer GET are asked again with random query
parameters (their filter and search fields, the names in their links, common ones).
Hypothesis draws the values with a fixed seed (derandomize), so a run is reproducible; a
server error fails with the request that caused it.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bridges.models import CEFRLevel, OccupationSkill, Region
from candidates import documents, portal, services
from candidates.models import Consent, Document, Education, PortalInvitation, WorkExperience
from employers.models import Employer, Invitation, PositionSkill
from matching.introductions import (
    Slot,
    interviews_propose,
    introduction_create,
    introduction_move,
    placement_record,
)
from matching.models import MatchDecision
from tests.candidates.factories import CandidateFactory, CandidateLanguageFactory, LanguageFactory, PlaceFactory
from tests.employers.factories import (
    ContactPersonFactory,
    EmployerFactory,
    EngagementRegionFactory,
    LanguageRequirementFactory,
    MembershipFactory,
    PositionFactory,
)
from tests.factories import CandidateUserFactory, OccupationFactory, SkillFactory
from tests.matching.factories import MatchDecisionFactory, MatchFactory, MatchRunFactory, introduce
from tests.urlwalk import all_sample_urls

pytestmark = pytest.mark.django_db

# Examples per form or page. Enough to hit each field with garbage several times; small
# enough that the whole file runs in about a minute.
POST_EXAMPLES = 8
GET_EXAMPLES = 4
QUERY_EXAMPLES = 8  # the htmx and JSON answers; besides a sweep of every nasty value (see fuzz)
ADMIN_POST_EXAMPLES = 3  # the admin has ~30 models with add, change, list and delete forms
SHARED_EXAMPLES = 2  # an admin on the case workers' pages

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "abc",
    "-1",
    "0",
    "1.5",
    "1e3",
    "²",  # a digit for str.isdigit(), not for int()
    "١٢",  # Arabic-Indic digits: int() takes them
    "99999999999999999999",
    str(2**63),
    str(-(2**63) - 1),
    "1000000",
    "NaN",
    "inf",
    "2024-02-30",
    "9999-12-31",
    "0001-01-01",
    "31.12.2024",
    "on",
    "null",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "employers:dashboard",
    "foo",
    "x" * 3000,
    "ß" * 300,
    "\u202eabc",
    "😀",
    "\r\nSet-Cookie: x=1",
]
garbage = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
# Names a view may read without a field for it on the page.
QUERY_NAMES = [
    "q",
    "page",
    "o",
    "p",
    "e",
    "sort",
    "next",
    "autocomplete_q",
    "field",
    "multiple",
    "country_field",
    "occupation",
    "status",
    "term",
    "app_label",
    "model_name",
    "field_name",
    "_changelist_filters",
    "all",
]


# --- reading forms and links from a page -------------------------------------------------------


@dataclass
class FormField:
    kind: str  # input type, "select" or "textarea"
    values: list[str] = field(default_factory=list)  # as the page sends them
    options: list[str] = field(default_factory=list)  # choices of a select, radio or checkbox group


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, FormField] = field(default_factory=dict)


class PageParser(HTMLParser):
    """The forms of a page (fields with their values and choices) and the query names of its links."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.link_names: set[str] = set()
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def _field(self, name: str, kind: str) -> FormField:
        assert self._form is not None
        return self._form.fields.setdefault(name, FormField(kind))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.link_names.update(name for name, _value in parse_qsl(urlsplit(a["href"]).query))
        elif tag == "form":
            self._form = Form(urljoin(self.url, a.get("action") or self.url), a.get("method", "get").lower())
            self.forms.append(self._form)
        elif self._form is None or (not a.get("name") and tag != "option"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if a.get("value"):
                    self._field(a["name"], kind).options.append(a["value"])
                return
            entry = self._field(a["name"], kind)
            if kind in ("checkbox", "radio"):
                entry.options.append(a.get("value", "on"))
                if "checked" in a:
                    entry.values.append(a.get("value", "on"))
            elif kind != "file":
                entry.values.append(a.get("value", ""))
        elif tag == "select":
            self._select = self._field(a["name"], "select")
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.values.append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = self._field(a["name"], "textarea")
            self._textarea.values.append("")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.values[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


# --- the world the personas work in ------------------------------------------------------------


@dataclass
class World:
    ids: dict[str, int | str]  # URL keyword -> value, per URL name prefix


@pytest.fixture
def personas(personas):
    """The suite's personas and a candidate's own login (the world ties it to its candidate)."""
    return {**personas, "candidate": CandidateUserFactory()}


@pytest.fixture
def world(personas, private_media) -> World:
    german = LanguageFactory(code="de", name_en="German", name_de="Deutsch")
    thuringia = Region.objects.create(code="DE-TH", country="DE", name_en="Thuringia", name_de="Thüringen")
    Region.objects.create(code="SY-DI", country="SY", name_en="Damascus", name_de="Damaskus")
    place = PlaceFactory(region=thuringia)
    welder = OccupationFactory(labels={"de": "Schweißer/in", "en": "welder"})
    welding = SkillFactory(labels={"de": "Schweißen", "en": "welding"})
    OccupationSkill.objects.create(occupation=welder, skill=welding, relation_type="essential")

    company = EmployerFactory(name="Firma A GmbH", place=place)
    MembershipFactory(user=personas["employer_a"], employer=company)
    ContactPersonFactory(employer=company)
    EngagementRegionFactory(employer=company)
    EmployerFactory(name="Neue Firma GmbH", verification=Employer.Verification.PENDING)
    position = PositionFactory(employer=company, occupation=welder, place=place)
    PositionSkill.objects.create(position=position, skill=welding, relation_type="essential")
    LanguageRequirementFactory(position=position, language=german, min_level=CEFRLevel.B1)
    Invitation.objects.create(employer=company, email="kollegin@firma-a.example", invited_by=personas["employer_a"])

    candidate = CandidateFactory(place=place)
    candidate.skills.add(welding)
    CandidateLanguageFactory(candidate=candidate, language=german)
    Education.objects.create(candidate=candidate, degree_level="vocational", field="Metallbau")
    WorkExperience.objects.create(candidate=candidate, occupation=welder, job_title="Schweißer", years=3)
    services.note_add(candidate=candidate, text="Erstgespräch", actor=personas["case_worker"])
    consent = Consent.objects.create(
        candidate=candidate,
        purpose=Consent.Purpose.SHARING,
        employer=company,
        recipient=company.name,
        wording_version="2025-01",
        method=Consent.Method.PAPER,
        given_at=timezone.now(),
    )
    document = documents.document_add(
        candidate=candidate,
        uploaded_file=SimpleUploadedFile("zeugnis.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
        kind=Document.Kind.CERTIFICATE,
        title="Zeugnis",
        actor=personas["case_worker"],
    )
    run = MatchRunFactory()
    MatchFactory(candidate=candidate, position=position, run=run, score=70.0, rank_for_position=1)
    introduction = introduce(
        candidate=candidate,
        position=position,
        actor=personas["case_worker"],
        consent=False,  # recorded above
        sections=["contact", "languages", "experience"],
        documents=[document],
    )
    other = CandidateFactory()
    MatchDecisionFactory(candidate=other, position=position, status=MatchDecision.Status.SHORTLISTED)
    # The own view: the candidate's login; the other candidate invited with a printed code.
    candidate.user = personas["candidate"]
    candidate.save(update_fields=["user"])
    _invitation, code = portal.invitation_create(
        candidate=other,
        channel=PortalInvitation.Channel.PRINTED,
        language="de",
        actor=personas["case_worker"],
        request=None,
    )
    introductions = _introductions(personas["case_worker"], introduction, company, welder, place)
    ids = {
        **introductions,
        "candidates:pk": candidate.pk,
        "candidates:consent": consent.pk,
        "candidates:doc": document.pk,
        "employers:pk": position.pk,
        "employers:employer": company.pk,
        "employers:token": Invitation.objects.get().token,
        "employers:staff:pk": company.pk,
        "jobs:pk": position.pk,
        "matching:pk": position.pk,
        "matching:candidate_matches:pk": candidate.pk,
        "matching:run_progress:pk": run.pk,
        "matching:candidate": candidate.pk,
        "matching:position": position.pk,
        "proposals:pk": introduction.pk,
        "proposals:doc": document.pk,
        "me:introduction:pk": introduction.pk,
        "me:consent_withdraw:pk": consent.pk,
        "me:consent_request:pk": consent.pk,
        "me:welcome_code:code": code,
    }
    return World(ids)


def _introductions(actor, first, company, occupation, place) -> dict:
    """Introductions for the case workers' pages: the first (the employer's) at "interested" with a
    proposed interview, one at "offer" (the placement form), one placed (the follow-ups)."""
    interviews_propose(
        introduction=first, actor=actor, slots=[Slot(starts_at=timezone.now() + timedelta(days=3), place="Erfurt")]
    )
    first = introduction_move(introduction=first, to="interested", actor=actor)
    others = []
    for _ in range(2):
        person = CandidateFactory(place=place)
        person.desired_occupations.add(occupation)
        Consent.objects.create(
            candidate=person,
            purpose=Consent.Purpose.SHARING,
            employer=company,
            recipient=company.name,
            wording_version="2025-01",
            method=Consent.Method.PAPER,
            given_at=timezone.now(),
        )
        introduction = introduction_create(
            candidate=person,
            position=PositionFactory(employer=company, occupation=occupation, place=place),
            actor=actor,
        )
        introduction = introduction_move(introduction=introduction, to="interested", actor=actor)
        others.append(introduction_move(introduction=introduction, to="offer", actor=actor))
    offer, placed = others
    follow_up = placement_record(
        introduction=placed, actor=actor, kind="employment", start_date=timezone.localdate(), place="Erfurt"
    ).follow_ups.first()
    ids = {f"matching:{name}:pk": first.pk for name in INTRODUCTION_PAGES}
    ids.update(
        {
            "matching:interview_confirm:interview": first.interviews.get().pk,
            "matching:introduction_placement:pk": offer.pk,
            "matching:follow_up_record:pk": placed.pk,
            "matching:follow_up_record:follow_up": follow_up.pk,
            "matching:candidate_introductions:pk": first.candidate_id,
            "matching:candidate_introduce:pk": first.candidate_id,
        }
    )
    return ids


INTRODUCTION_PAGES = (
    "introduction",
    "introduction_move",
    "board_move",
    "introduction_sharing",
    "introduction_next_step",
    "introduction_interviews",
    "interview_confirm",
)


ADMIN_MODELS = {f"{model._meta.app_label}_{model._meta.model_name}": model for model in admin.site._registry}


def _value(name: str, key: str, sample: str, world: World) -> str | None:
    namespace = name.split(":")[0]
    for lookup in (f"{name}:{key}", f"{namespace}:staff:{key}" if ":staff_" in name else "", f"{namespace}:{key}"):
        if lookup in world.ids:
            return str(world.ids[lookup])
    if namespace == "admin" and key == "object_id":
        model = ADMIN_MODELS[name.removeprefix("admin:").rsplit("_", 1)[0]]
        first = model._default_manager.order_by("pk").first()
        return str(first.pk) if first else None
    return sample


def page_urls(world: World) -> list[tuple[str, str]]:
    """(URL name, URL) of every named pattern of the project, with the world's ids; every
    section of a candidate."""
    urls = []
    for sample in all_sample_urls():
        if sample.name in ("admin:view_on_site", "account_logout"):
            continue  # a redirect to another site; logging out ends the persona's session
        kwargs = resolve(sample.path).kwargs
        filled = {key: _value(sample.name, key, str(value), world) for key, value in kwargs.items()}
        if None in filled.values():
            continue
        if sample.name == "candidates:edit":
            for section in ("personal", "legal", "languages", "education", "experience", "profile", "perspective"):
                urls.append((sample.name, reverse(sample.name, kwargs={**filled, "section": section})))
            continue
        urls.append((sample.name, reverse(sample.name, kwargs=filled)))
    return urls


# --- the fuzzer ----------------------------------------------------------------------------------

# Pages that read query parameters without a form or link on a page naming them: the htmx
# and JSON answers, the export.
QUERY_PAGES = {
    "taxonomy:occupations",
    "taxonomy:skills",
    "taxonomy:places",
    "taxonomy:regions",
    "employers:position_skills_prefill",
    "matching:run_progress",
    "jobs:feed",
    "candidates:export",
    "candidates:employer_search",
    "admin:autocomplete",
}
# A POST here may end or change the session: the persona logs in again before each one.
SESSION_PATHS = ("/accounts/", "/admin/logout/", "/admin/password_change/", "/i18n/")


@dataclass
class Target:
    method: str
    path: str
    form: Form | None  # None: a URL without a form of its own (POST-only views, GET pages)
    names: set[str] = field(default_factory=set)  # query names the page's forms and links use
    reads_query: bool = False  # an htmx or JSON answer that reads parameters no page names


class Fuzzer:
    def __init__(self, user) -> None:
        self.user = user
        self.client = Client()
        self.requests = 0

    def login(self) -> None:
        self.client.logout()
        if self.user is not None:
            self.client.force_login(self.user)

    def send(self, method: str, path: str, data) -> None:
        self.requests += 1
        response = getattr(self.client, method)(path, data)
        assert response.status_code < 500, f"{method.upper()} {path} {data!r}: {response.status_code}"

    def discover(self, urls: list[tuple[str, str]]) -> Iterator[Target]:
        """Open each page: its POST forms, POST-only views, and the pages that take query parameters."""
        self.login()
        seen = set()
        for name, url in urls:
            self.requests += 1
            response = self.client.get(url)
            assert response.status_code < 500, f"GET {url}: {response.status_code}"
            if response.status_code == 405:
                yield Target("post", url, None)
                continue
            if response.status_code != 200:
                continue
            if "html" not in response.get("Content-Type", ""):
                if name in QUERY_PAGES:
                    yield Target("get", url, None, reads_query=True)
                continue
            parser = PageParser(url)
            parser.feed(response.content.decode(response.charset or "utf-8", "replace"))
            names = (parser.link_names | _get_names(parser.forms)) - {"next", "language"}
            if names or name in QUERY_PAGES:
                yield Target("get", url, None, names, reads_query=name in QUERY_PAGES)
            for form in parser.forms:
                action = urlsplit(form.action)
                if form.method != "post" or action.netloc not in ("", "testserver") or not _resolves(action.path):
                    continue
                key = (action.path, frozenset(form.fields))
                if key not in seen:
                    seen.add(key)
                    yield Target("post", action.path + (f"?{action.query}" if action.query else ""), form)


def _get_names(forms: list[Form]) -> set[str]:
    return {name for form in forms if form.method == "get" for name in form.fields}


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


@st.composite
def submissions(draw, form: Form | None) -> dict:
    """A form as the page has it, with some fields dropped, some replaced, some added."""
    data: dict = {}
    fields = form.fields if form else {}
    for name, entry in fields.items():
        mode = draw(st.sampled_from(["keep", "keep", "choice", "garbage", "drop"]))
        if entry.kind == "file":
            if mode != "drop":
                content = draw(st.one_of(st.binary(max_size=300), st.sampled_from([b"", b"a;b\n1;2\n", b"%PDF-1.4"])))
                filename = draw(st.sampled_from(["a.pdf", "x.csv", "\x00.xlsx", "ü" * 300]))
                data[name] = SimpleUploadedFile(filename, content)
            continue
        if mode == "keep":
            data[name] = entry.values
        elif mode == "choice" and entry.options:
            data[name] = draw(st.lists(st.sampled_from(entry.options), min_size=1, max_size=3))
        elif mode in ("choice", "garbage"):
            data[name] = draw(st.lists(garbage, min_size=1, max_size=3))
    for name in draw(st.lists(st.sampled_from(["next", "TOTAL_FORMS", "status", "action", "q"]), max_size=2)):
        data.setdefault(name, draw(garbage))
    return data


@st.composite
def queries(draw, names: set[str]) -> dict:
    pool = sorted(names | set(QUERY_NAMES))
    value = st.one_of(garbage, st.sampled_from(pool))  # a name as a value: ?field=skills&skills=…
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))
    return {name: draw(st.lists(value, min_size=1, max_size=2)) for name in chosen}


def fuzz(fuzzer: Fuzzer, target: Target, examples: int) -> None:
    strategy = queries(target.names) if target.method == "get" else submissions(target.form)
    relogin = target.path.startswith(SESSION_PATHS)
    fuzzer.login()

    def send(data):
        if relogin:
            fuzzer.login()
        for value in data.values():
            if isinstance(value, SimpleUploadedFile):
                value.file = io.BytesIO(value.file.getvalue())  # readable again for each example
        fuzzer.send(target.method, target.path, data)

    run = given(data=strategy)(send)
    if target.reads_query:
        # Besides the random draws, each nasty value once in every parameter at the same time:
        # a view that reads a parameter raw meets each of them.
        names = sorted(target.names | set(QUERY_NAMES))
        for value in NASTY:
            run = example(data=dict.fromkeys(names, value))(run)
    settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )(run)()


def examples_for(target: Target, persona: str) -> int:
    if target.method == "get":
        return QUERY_EXAMPLES if target.reads_query else GET_EXAMPLES
    if persona != "admin":
        return POST_EXAMPLES
    # The admin shares the case workers' pages, which their persona fuzzes in full.
    return ADMIN_POST_EXAMPLES if target.path.startswith("/admin/") else SHARED_EXAMPLES


PERSONAS = ["anonymous", "employer_a", "case_worker", "admin", "candidate"]
# The forms and POST-only URLs each persona must find at least (the candidate: the own view's and
# the account's).
MIN_POST_TARGETS = {"anonymous": 4, "employer_a": 15, "case_worker": 35, "admin": 120, "candidate": 15}


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_form_and_no_search_of_the_portal_answers_with_a_server_error(personas, world, persona, record_property):
    fuzzer = Fuzzer(personas.get(persona))
    urls = [(name, url) for name, url in page_urls(world) if persona == "admin" or not name.startswith("admin:")]
    targets = list(fuzzer.discover(urls))
    # Deleting comes last: what an admin deletes, the other forms can no longer reach.
    targets.sort(key=lambda t: t.method == "post" and "delete" in t.path)
    posts = [t for t in targets if t.method == "post"]
    assert len(posts) >= MIN_POST_TARGETS[persona], posts

    for target in targets:
        fuzz(fuzzer, target, examples_for(target, persona))

    record_property("requests", fuzzer.requests)
    print(f"{persona}: {len(posts)} POST targets, {fuzzer.requests} requests, 0 server errors", file=sys.stderr)
