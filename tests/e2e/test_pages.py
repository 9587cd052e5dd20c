"""The key pages of every role, in German (the longer language), over demo data with long names and
many rows: at 1280 px nothing scrolls sideways and wide tables fit, no label breaks mid-word; at
390 px (a phone) only a table's own box may scroll, never the page; axe-core finds no violation
of WCAG 2.1 A/AA. The pages of visitors, employers and case workers are also opened in Arabic: written
right to left (`<html lang="ar" dir="rtl">`), nothing scrolls sideways at 1280 and at 360 px, and
axe-core finds no violation at either width. And the visitors' and employers' pages zoomed to 200 % (a 1280 px
window laid out in 640 CSS pixels) lose nothing, and on a phone their touch targets are at least 24 × 24 px.
The data is built once for the module and each role logs in once."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import Page

from bridges.demo_taxonomy import demo_taxonomy_load
from bridges.models import CEFRLevel, Language, Occupation, Place, Skill
from bridges.reference_data import reference_data_load
from candidates.demo import demo_candidates_load
from candidates.models import CandidateLanguage, Education, Perspective, WorkExperience
from employers.demo import demo_employers_load
from employers.models import Employer, LanguageRequirement
from matching.introductions import Slot, interviews_propose, introduction_create
from matching.models import Match, MatchDecision, ScoringConfig, SharedSection
from matching.services import rescore_all
from tests.candidates.factories import CandidateFactory, ConsentFactory, ProfilingConsentFactory
from tests.e2e.checks import axe_violations, layout_problems, overlap_problems, small_targets
from tests.e2e.session import log_in
from tests.employers.factories import PositionFactory
from tests.factories import AdminFactory, CaseWorkerFactory, UserFactory

# The plain `django_db` mark only asks pytest-django to create the test database; the pages read
# what the module built once and committed (module_server in conftest.py).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

LAPTOP, PHONE = 1280, 390
EMAILS = {
    "anonymous": None,
    "employer": "personalabteilung.ausbildung@thueringer-fahrzeugkomponenten.example",
    "case_worker": "beratung.integration.arbeitsmarkt@bridges.example",
    "admin": "administration.programmleitung@bridges.example",
}


@dataclass(frozen=True)
class Site:
    position: int  # the employer's position with the most matches
    long_position: int  # the employer's position with the longest title and four languages
    candidate: int  # the candidate with the longest name
    candidate_position: int  # the best match of that candidate
    employer: int
    introduction: int  # that candidate introduced to the long position, everything shared, at "interested"


def build_site() -> Site:
    """The demo data (about 50 candidates, 15 companies, 40 positions, 450 matches) plus the longest
    names the forms accept in practice, and decisions on the ranked lists."""
    reference_data_load(countries=["DE", "SY", "IQ", "AF", "UA", "ER", "TN", "SO"])
    demo_taxonomy_load()
    case_worker = CaseWorkerFactory(
        email=EMAILS["case_worker"], first_name="Friederike", last_name="Müller-Lüdenscheidt"
    )
    employer_user = UserFactory(
        email=EMAILS["employer"], first_name="Maximiliane-Charlotte", last_name="Schwarzenberger-Hohenlohe"
    )
    AdminFactory(email=EMAILS["admin"])
    demo_candidates_load(case_worker=case_worker)
    demo_employers_load(employer_user=employer_user, case_worker=case_worker)

    company = Employer.objects.get(members__user=employer_user)
    company.name = "Thüringer Fahrzeugkomponenten- und Präzisionsmaschinenbau GmbH & Co. KG"
    company.save()
    erfurt = Place.objects.filter(country="DE", name="Erfurt").order_by("-population").first()
    warehouse = Occupation.objects.filter(all_labels__text="Lagerhelfer/in").first()
    languages = {language.code: language for language in Language.objects.filter(code__in=["de", "ar", "en", "ti"])}
    long_position = PositionFactory(
        employer=company,
        created_by=employer_user,
        title="Fachkraft für Lagerlogistik und Kommissionierung (m/w/d) im Dreischichtbetrieb mit Staplerschein",
        occupation=warehouse,
        postal_code="99084",
        place=erfurt,
        start_date=date(2027, 8, 1),
    )
    for code, level, required in [("de", CEFRLevel.B2, True), ("ar", CEFRLevel.NATIVE, False), ("en", 3, False)]:
        LanguageRequirement.objects.create(
            position=long_position, language=languages[code], min_level=level, required=required
        )

    candidate = CandidateFactory(
        first_name="Mohammed Abdulrahman",
        last_name="Al-Hashimi Abu Zaid-Rahmanzadeh",
        email="mohammed.abdulrahman.al-hashimi@kandidaten.bridges.example",
        place=erfurt,
        nationality="ER",
        perspective=Perspective.OPEN,
        case_worker=case_worker,
    )
    for code, level in [("ti", CEFRLevel.NATIVE), ("ar", CEFRLevel.C1), ("de", CEFRLevel.B2), ("en", CEFRLevel.B1)]:
        CandidateLanguage.objects.create(candidate=candidate, language=languages[code], level=level)
    candidate.desired_occupations.set(Occupation.objects.filter(all_labels__language="de").distinct()[:4])
    candidate.skills.set(Skill.objects.all()[:10])
    WorkExperience.objects.create(
        candidate=candidate,
        occupation=warehouse,
        job_title="Stellvertretender Schichtleiter Wareneingang und Qualitätssicherung",
        employer_name="Eritrean Shipping and Logistics Services Share Company",
        years=6,
    )
    Education.objects.create(
        candidate=candidate,
        degree_level=Education.DegreeLevel.values[-1],
        field="Betriebswirtschaftslehre mit Schwerpunkt Internationale Logistik",
        institution="Mai Nefhi College of Engineering and Technology",
        country="ER",
        year_completed=2012,
    )

    # Consents with the longest organisation name and a flagged free-text one widen the consents.
    ConsentFactory(candidate=candidate, employer=company, recorded_by=case_worker)
    ProfilingConsentFactory(candidate=candidate, recorded_by=case_worker)
    ConsentFactory(
        candidate=candidate,
        employer=None,
        recipient="Thüringer Fahrzeugkomponenten- und Präzisionsmaschinenbau, Werk Eisenach",
        needs_review=True,
    )

    config = ScoringConfig.active()
    config.employers_see_summaries = True
    config.save()
    rescore_all()

    busiest = Match.objects.filter(position__employer=company).values("position").annotate(n=Count("pk"))
    position = busiest.order_by("-n").first()["position"]
    candidate_position = Match.objects.filter(candidate=candidate).order_by("rank_for_candidate").first().position_id
    # Decisions widen the decision column: one shortlisted, one dismissed with the longest reason.
    for matches in (
        Match.objects.filter(position=position).order_by("-score")[:2],
        Match.objects.filter(candidate=candidate).order_by("-score")[:2],
    ):
        first, second = list(matches)
        MatchDecision.objects.get_or_create(
            candidate_id=first.candidate_id, position_id=first.position_id, defaults={"status": "shortlisted"}
        )
        MatchDecision.objects.get_or_create(
            candidate_id=second.candidate_id,
            position_id=second.position_id,
            defaults={"status": "dismissed", "reason": "candidate", "note": "Möchte zuerst den Sprachkurs beenden."},
        )
    # An introduction with every section shared and interview dates proposed (the employer's pages).
    candidate.desired_occupations.add(warehouse)
    introduction = introduction_create(
        candidate=candidate,
        position=long_position,
        actor=case_worker,
        sections=SharedSection.values,
        message="Herr Al-Hashimi hat sechs Jahre Erfahrung im Wareneingang und kann ab August anfangen.",
    )
    soon = timezone.now() + timedelta(days=10)
    interviews_propose(
        introduction=introduction,
        actor=employer_user,
        slots=[
            Slot(soon, place="Werk 2, Haupteingang, Personalabteilung, Raum 2.17"),
            Slot(soon, online_link="https://meet.example/vorstellungsgespraech-lagerlogistik"),
        ],
    )
    return Site(
        position=position,
        long_position=long_position.pk,
        candidate=candidate.pk,
        candidate_position=candidate_position,
        employer=company.pk,
        introduction=introduction.pk,
    )


PAGES = {
    "anonymous": {
        "login": "/accounts/login/",
        "sign-up": "/accounts/signup/",
        "password reset": "/accounts/password/reset/",
        "job board": "/jobs/",
        "job board, position": "/jobs/{s.long_position}/",
    },
    "employer": {
        "dashboard": "/employer/",
        "positions": "/employer/positions/",
        "new position": "/employer/positions/new/",
        "position form": "/employer/positions/{s.long_position}/edit/",
        "position": "/employer/positions/{s.long_position}/",
        "matches of a position": "/dashboard/employer/positions/{s.position}/matches/",
        "company profile": "/employer/profile/",
        "regions of engagement": "/employer/profile/regions/",
        "contact persons": "/employer/profile/contacts/",
        "colleagues": "/employer/colleagues/",
        "e-mail settings": "/settings/notifications/",
        "two-factor authentication": "/accounts/2fa/",
        "change password": "/accounts/password/change/",
        "introductions": "/employer/introductions/?stage=all",
        "introduction": "/employer/introductions/{s.introduction}/",
    },
    "case_worker": {
        "dashboard": "/dashboard/",
        "candidates": "/candidates/",
        "candidate": "/candidates/{s.candidate}/",
        "new candidate": "/candidates/new/",
        **{
            f"candidate section {section}": f"/candidates/{{s.candidate}}/edit/{section}/"
            for section in ["personal", "legal", "languages", "education", "experience", "profile", "perspective"]
        },
        "import": "/candidates/import/",
        "matches": "/dashboard/matches/",
        "matches of a position": "/dashboard/positions/{s.position}/matches/",
        "matches of a candidate": "/dashboard/candidates/{s.candidate}/matches/",
        "explanation": "/dashboard/explain/{s.candidate}/{s.candidate_position}/",
        "allocation": "/dashboard/allocation/",
        "introduce directly": "/dashboard/candidates/{s.candidate}/introduce/",
        "introductions of a candidate": "/dashboard/candidates/{s.candidate}/introductions/",
        "introductions": "/dashboard/introductions/",
        "board": "/dashboard/introductions/board/",
        "introduction": "/dashboard/introductions/{s.introduction}/",
        "employers": "/employer/companies/",
        "record a company": "/employer/companies/new/",
        "employer": "/employer/companies/{s.employer}/",
        "all positions": "/employer/all-positions/",
        "position": "/employer/positions/{s.position}/",
        "job board": "/jobs/",
        "e-mail settings": "/settings/notifications/",
        "two-factor authentication": "/accounts/2fa/",
    },
    "admin": {
        "administration": "/admin/",
        "candidates": "/admin/candidates/candidate/",
        "candidate": "/admin/candidates/candidate/{s.candidate}/change/",
        "employers": "/admin/employers/employer/",
        "positions": "/admin/employers/position/",
        "matches": "/admin/matching/match/",
        "match runs": "/admin/matching/matchrun/",
        "decisions": "/admin/matching/matchdecision/",
        "users": "/admin/bridges/user/",
        "audit trail": "/admin/bridges/auditevent/",
        "e-mail notifications": "/admin/bridges/notification/",
        "second factors": "/admin/mfa/authenticator/",
    },
}
CASES = [pytest.param(role, name, id=f"{role}: {name}") for role, pages in PAGES.items() for name in pages]
# Django's own change-form widgets (select2 autocomplete, tabular inlines, filter_horizontal) carry
# ARIA faults of their own; the admin's change form is measured for layout only.
AXE_SKIPPED = {("admin", "candidate")}


@pytest.fixture(scope="module")
def site(module_server) -> Site:
    return build_site()


@pytest.fixture
def open_page(role_context, site):
    """open_page(role, name, width): the page in the role's logged-in context at that window width."""
    pages: list[Page] = []

    def open_(role: str, name: str, width: int) -> Page:
        page = role_context(EMAILS[role]).new_page()
        pages.append(page)
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(PAGES[role][name].format(s=site))
        assert response.ok, f"{role}: {name} answered {response.status}"
        return page

    yield open_
    for page in pages:
        page.close()


@pytest.mark.parametrize(("role", "name"), CASES)
def test_page_fits_a_laptop_and_a_phone_and_passes_axe(open_page, role, name):
    # Both checks share one load of the page, which keeps the module short.
    page = open_page(role, name, LAPTOP)
    problems = [f"{LAPTOP} px: {line}" for line in layout_problems(page, tables_fit=True)]
    if (role, name) not in AXE_SKIPPED:
        problems += [f"axe-core: {line}" for line in axe_violations(page)]
    page.set_viewport_size({"width": PHONE, "height": 844})
    problems += [f"{PHONE} px: {line}" for line in layout_problems(page, tables_fit=False)]
    if (role, name) not in AXE_SKIPPED:
        problems += [f"axe-core at {PHONE} px: {line}" for line in axe_violations(page)]

    assert not problems, "\n".join(problems)


# --- Arabic, right to left (issue #16) ------------------------------------------------------------

NARROW = 360  # the narrowest phones the programme's candidates use
ARABIC_CASES = [
    pytest.param(role, name, id=f"ar, {role}: {name}")
    for role in ("anonymous", "employer", "case_worker")
    for name in PAGES[role]
]


@pytest.fixture(scope="module")
def arabic_context(browser, module_server, site):
    """arabic_context(role): a browser context of that role with Arabic chosen in the language switch."""
    contexts = {}

    def get(role: str):
        if role not in contexts:
            context = browser.new_context(locale="ar", base_url=module_server.url)
            if EMAILS[role]:
                page = context.new_page()
                log_in(page, module_server.url, EMAILS[role], start=None)  # the German form, then Arabic
                page.close()
            context.add_cookies([{"name": "django_language", "value": "ar", "url": module_server.url}])
            contexts[role] = context
        return contexts[role]

    yield get
    for context in contexts.values():
        context.close()


@pytest.mark.parametrize(("role", "name"), ARABIC_CASES)
def test_the_page_in_arabic_is_right_to_left_fits_and_passes_axe(arabic_context, site, role, name):
    page = arabic_context(role).new_page()
    try:
        page.set_viewport_size({"width": LAPTOP, "height": 900})
        response = page.goto(PAGES[role][name].format(s=site))
        assert response.ok, f"{role}: {name} answered {response.status}"
        direction = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
        problems = [] if direction == ["ar", "rtl"] else [f"<html lang dir> is {direction}"]
        problems += [f"{LAPTOP} px: {line}" for line in layout_problems(page, tables_fit=True)]
        problems += [f"{LAPTOP} px: {line}" for line in overlap_problems(page)]
        problems += [f"axe-core: {line}" for line in axe_violations(page)]
        page.set_viewport_size({"width": NARROW, "height": 800})
        problems += [f"{NARROW} px: {line}" for line in layout_problems(page, tables_fit=False)]
        problems += [f"{NARROW} px: {line}" for line in overlap_problems(page)]
        problems += [f"axe-core at {NARROW} px: {line}" for line in axe_violations(page)]
        assert not problems, "\n".join(problems)
    finally:
        page.close()


# --- text at 200 % (WCAG 1.4.4) ---------------------------------------------------------------------

ZOOMED = LAPTOP // 2  # a 1280 px window zoomed to 200 % lays the page out in 640 CSS pixels
ZOOM_CASES = [
    pytest.param(role, name, id=f"200 %, {role}: {name}") for role in ("anonymous", "employer") for name in PAGES[role]
]


@pytest.mark.parametrize(("role", "name"), ZOOM_CASES)
def test_the_page_zoomed_to_200_percent_loses_nothing(open_page, role, name):
    # The browser's zoom (what WCAG 1.4.4 lets a person use to double the text): the page lays
    # itself out again in half the CSS pixels; nothing may scroll sideways or be cut off.
    page = open_page(role, name, ZOOMED)
    problems = layout_problems(page, tables_fit=False)
    assert not problems, "\n".join(problems)


# --- touch targets (issue #16: at least 24 × 24 px) ------------------------------------------------


# Every role's pages: a case worker at a home visit works on a phone too.
TOUCH_CASES = [
    pytest.param(role, name, id=f"touch, {role}: {name}")
    for role in ("anonymous", "employer", "case_worker")
    for name in PAGES[role]
]


@pytest.mark.parametrize(("role", "name"), TOUCH_CASES)
def test_touch_targets_on_a_phone_are_large_enough(open_page, role, name):
    page = open_page(role, name, PHONE)
    assert small_targets(page) == []


def test_a_small_touch_target_is_found(open_page):
    page = open_page("anonymous", "job board", PHONE)
    page.evaluate(
        "() => { const b = document.createElement('button'); b.id = 'tiny'; b.textContent = 'x';"
        " b.style.cssText = 'width:10px;height:10px;padding:0;font-size:6px;position:absolute;top:0;left:0';"
        " const c = b.cloneNode(true); c.id = 'tiny2'; c.style.left = '11px';"
        " document.body.append(b, c); }"
    )
    assert "#tiny" in small_targets(page)


def test_an_overlap_is_found(open_page):
    page = open_page("anonymous", "job board", PHONE)
    assert overlap_problems(page) == []
    page.evaluate(
        "() => { const h = document.querySelector('h1'); const b = document.createElement('button');"
        " b.textContent = 'über der Überschrift'; b.style.cssText = 'position:absolute;width:200px;height:40px';"
        " const box = h.getBoundingClientRect(); b.style.top = (box.top + window.scrollY) + 'px';"
        " b.style.left = box.left + 'px'; document.body.append(b); }"
    )
    assert any("über der Überschrift" in line for line in overlap_problems(page))
