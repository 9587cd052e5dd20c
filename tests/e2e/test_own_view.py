"""The candidate's own view (/me/, issue #16) in the browser.

The walk in Arabic: a case worker invites a candidate by e-mail in Arabic; the candidate opens the link
from the e-mail in a browser of their own, reads the page right to left, sets a password and lands on
their profile in Arabic; confirms the profile with the keyboard, withdraws the consent to share with
company A, and from then on company A's user no longer sees the candidate's name or shared profile.

Every page of the candidate (and the case worker's printed code sheet) in German and Arabic: written
in the language's direction, nothing scrolls sideways at 1280 and 390 px, and axe-core finds no
violation of WCAG 2.1 A/AA at either width.

Nothing here reads Arabic wording (the catalogue is still being filled): only structure, the database
and what the employer's page holds.
"""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bridges.models import CEFRLevel, User
from candidates import portal
from candidates.models import CandidateRequest, Consent, Education, PortalInvitation
from matching.introductions import introduction_create
from matching.models import SharedSection
from tests.candidates.factories import (
    CandidateFactory,
    CandidateLanguageFactory,
    ConsentFactory,
    LanguageFactory,
    ProfilingConsentFactory,
)
from tests.e2e.checks import axe_run, axe_violations, layout_problems, overlap_problems
from tests.e2e.session import log_in
from tests.employers.factories import EmployerFactory, MembershipFactory, PositionFactory
from tests.factories import CandidateUserFactory, CaseWorkerFactory, UserFactory
from tests.matching.factories import MatchFactory

pytestmark = pytest.mark.e2e

LAPTOP, PHONE = 1280, 390
NEW_PASSWORD = "Olivenbaum-am-Fluss-2026"
DIRECTION = {"de": "ltr", "ar": "rtl"}


def html_direction(page: Page) -> list[str]:
    return page.evaluate("[document.documentElement.lang, document.documentElement.dir]")


# --- the walk in Arabic ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_invited_in_arabic_the_candidate_confirms_and_withdraws_and_the_employer_loses_the_profile(
    live_server, browser: Browser, mailoutbox
):
    base = live_server.url
    case_worker = CaseWorkerFactory(email="berater@bridges.example")
    employer_user = UserFactory(email="personal@firma-a.example")
    company = EmployerFactory(name="Firma A GmbH")
    MembershipFactory(user=employer_user, employer=company)
    position = PositionFactory(employer=company, created_by=employer_user, title="Lagerhelfer/in")
    candidate = CandidateFactory(
        first_name="Yara",
        last_name="Haddad",
        email="yara.haddad@kandidaten.example",
        phone="+49 361 5550123",
        case_worker=case_worker,
    )
    CandidateLanguageFactory(candidate=candidate, language=LanguageFactory(), level=CEFRLevel.B1)
    consent = ConsentFactory(candidate=candidate, employer=company, recorded_by=case_worker)
    candidate.desired_occupations.add(position.occupation)
    introduction = introduction_create(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=[SharedSection.CONTACT, SharedSection.LANGUAGES],
        message="Frau Haddad kann ab Juni anfangen.",
    )
    shared_profile = f"/employer/introductions/{introduction.pk}/"

    # Before the withdrawal the employer sees the name and the shared sections (so the check after
    # it would fail if withdrawing changed nothing).
    employer_context = browser.new_context(locale="de-DE", base_url=base)
    employer = employer_context.new_page()
    log_in(employer, base, employer_user.email, start="/employer/")
    employer.goto(shared_profile)
    expect(employer.get_by_test_id("candidate-name")).to_have_text(candidate.full_name)
    expect(employer.get_by_test_id("section-contact")).to_contain_text(candidate.email)
    expect(employer.get_by_test_id("section-languages")).to_be_visible()

    # The case worker invites by e-mail, in Arabic.
    case_worker_context = browser.new_context(locale="de-DE", base_url=base)
    desk = case_worker_context.new_page()
    log_in(desk, base, case_worker.email)
    desk.goto(f"/candidates/{candidate.pk}/")
    invite = desk.locator("#portal form[action$='/own-view/invite/']")
    invite.locator("input[name=channel][value=email]").check()
    invite.locator("select[name=language]").select_option("ar")
    invite.locator("button[type=submit]").click()
    expect(desk.locator(".alert-success")).to_contain_text(candidate.email)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [candidate.email]
    links = re.findall(r"(\S+/me/welcome/([A-Z0-9]{16})/)", mail.body)
    assert links, mail.body
    link, code = links[0]
    assert link.startswith(settings.SITE_URL)
    invitation = PortalInvitation.objects.get(candidate=candidate)
    assert (invitation.channel, invitation.language, invitation.used_at) == ("email", "ar", None)
    case_worker_context.close()

    # The candidate opens the link in a browser of their own (no language chosen there yet): the
    # invitation was made in Arabic, so the page is Arabic and right to left.
    own_context = browser.new_context(locale="de-DE", base_url=base)
    own = own_context.new_page()
    own.goto(f"/me/welcome/{code}/")
    # (Checked at the end, so that the rest of the walk is shown whatever this page's language.)
    welcome_direction = html_direction(own)
    welcome = own.locator("main form[method=post]")
    expect(welcome.locator("input[name=code]")).to_have_count(0)  # the link carried the code
    welcome.locator("input[name=password1]").fill(NEW_PASSWORD)
    welcome.locator("input[name=password2]").fill(NEW_PASSWORD)
    welcome.locator("button[type=submit]").click()
    expect(own).to_have_url(f"{base}/me/")
    assert html_direction(own) == ["ar", "rtl"]
    assert {c["name"]: c["value"] for c in own_context.cookies()}.get(settings.LANGUAGE_COOKIE_NAME) == "ar"
    candidate.refresh_from_db()
    user = User.objects.get(pk=candidate.user_id)
    assert (user.email, user.role, user.language) == (candidate.email, "candidate", "ar")
    assert user.check_password(NEW_PASSWORD)
    invitation.refresh_from_db()
    assert invitation.used_at is not None

    # The main action by keyboard: Tab from the top of the page to "Yes, this is still correct", Enter.
    confirm = own.locator("form[action$='/me/confirm/'] button[type=submit]")
    expect(confirm).to_be_visible()
    assert candidate.last_confirmed is None
    for _press in range(60):
        own.keyboard.press("Tab")
        if confirm.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("the confirm button cannot be reached with the Tab key")
    with own.expect_navigation():
        own.keyboard.press("Enter")
    expect(own).to_have_url(f"{base}/me/")
    expect(own.locator(".alert-success")).to_be_visible()
    candidate.refresh_from_db()
    assert candidate.last_confirmed == timezone.localdate()

    # The consents page: the consent to company A stands; withdraw it.
    own.goto("/me/consents/")
    assert html_direction(own) == ["ar", "rtl"]
    row = own.locator(f"#consent-{consent.pk}")
    expect(row).to_have_count(1)
    row.locator(f"form[action$='/me/consents/{consent.pk}/withdraw/'] button[type=submit]").click()
    expect(own).to_have_url(f"{base}/me/consents/")
    expect(own.locator(".alert-success")).to_be_visible()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by_id == user.pk
    assert not Consent.objects.active().filter(candidate=candidate, employer=company).exists()
    # The row now offers to ask for a new consent instead.
    row = own.locator(f"#consent-{consent.pk}")
    expect(row.locator("form[action$='/withdraw/']")).to_have_count(0)
    expect(row.locator(f"form[action$='/me/consents/{consent.pk}/ask-again/'] button")).to_be_visible()
    own_context.close()

    # Company A's user: the same page no longer shows the name or any shared section, nor does the list.
    employer.goto(shared_profile)
    expect(employer.get_by_test_id("candidate-name")).to_have_count(0)
    expect(employer.locator("[data-testid^='section-']")).to_have_count(0)
    for text in (candidate.full_name, candidate.last_name, candidate.email, candidate.phone):
        expect(employer.locator("body")).not_to_contain_text(text)
    employer.goto("/employer/introductions/?stage=all")
    expect(employer.locator("main")).to_contain_text(position.title)  # still listed, by reference
    expect(employer.locator("main")).not_to_contain_text(candidate.last_name)
    expect(employer.locator(f"main a[href$='{shared_profile}']")).to_have_count(0)
    employer_context.close()

    assert welcome_direction == ["ar", "rtl"], (
        f"the page the Arabic invitation's link opens has <html lang dir> {welcome_direction}: it should be in"
        " the invitation's language before the person has chosen one"
    )


# --- every page of the own view in German and Arabic: direction, layout, axe ----------------------------


@dataclass(frozen=True)
class World:
    introduction: int  # the introduction of the candidate with a login (whose own pages these are)
    login: str  # that candidate's login name
    printed: int  # a candidate without e-mail, for the case worker's printed code sheet
    code: str  # an open invitation's code (the page the e-mail's link opens)
    case_worker: str


def build_world() -> World:
    case_worker = CaseWorkerFactory(
        email="beratung.integration@bridges.example", first_name="Friederike", last_name="Müller-Lüdenscheidt"
    )
    employer_user = UserFactory(email="personalabteilung@fahrzeugkomponenten.example")
    company = EmployerFactory(name="Thüringer Fahrzeugkomponenten- und Präzisionsmaschinenbau GmbH & Co. KG")
    MembershipFactory(user=employer_user, employer=company)
    position = PositionFactory(
        employer=company,
        created_by=employer_user,
        title="Fachkraft für Lagerlogistik und Kommissionierung (m/w/d) im Dreischichtbetrieb",
    )
    candidate = CandidateFactory(
        first_name="Mohammed Abdulrahman",
        last_name="Al-Hashimi Abu Zaid",
        email="mohammed.al-hashimi@kandidaten.bridges.example",
        phone="+49 361 5550199",
        street="Magdeburger Allee 120",
        postal_code="99086",
        case_worker=case_worker,
    )
    CandidateLanguageFactory(candidate=candidate, language=LanguageFactory(), level=CEFRLevel.B2)
    CandidateLanguageFactory(
        candidate=candidate,
        language=LanguageFactory(code="ar", name_en="Arabic", name_de="Arabisch"),
        level=CEFRLevel.NATIVE,
    )
    Education.objects.create(
        candidate=candidate,
        degree_level=Education.DegreeLevel.values[-1],
        field="Betriebswirtschaftslehre mit Schwerpunkt Internationale Logistik",
        institution="University of Aleppo",
        country="SY",
        year_completed=2012,
    )
    candidate.desired_occupations.add(position.occupation)
    sharing = ConsentFactory(candidate=candidate, employer=company, recorded_by=case_worker)
    ProfilingConsentFactory(candidate=candidate, recorded_by=case_worker)
    withdrawn = ConsentFactory(
        candidate=candidate, employer=EmployerFactory(name="Solarwerk Erfurt GmbH"), recorded_by=case_worker
    )
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save(update_fields=["withdrawn_at"])
    MatchFactory(candidate=candidate, position=position, score=72.0)
    introduction = introduction_create(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=SharedSection.values,
        message="Herr Al-Hashimi hat sechs Jahre Erfahrung im Wareneingang.",
    )
    assert sharing.is_active
    # A request still open (the profile page lists it).
    CandidateRequest.objects.create(
        candidate=candidate, kind=CandidateRequest.Kind.CORRECTION, text="Meine Telefonnummer hat sich geändert."
    )
    # The candidate's login, as accepting a printed code makes it (a login name, so the profile shows it);
    # made directly, so that these pages are checked whatever the invitation's acceptance does.
    user = CandidateUserFactory(
        email=f"k{candidate.pk}-a1b2c3@{portal.LOGIN_DOMAIN}",
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        language="ar",
    )
    candidate.user = user
    candidate.save(update_fields=["user"])

    # Someone without e-mail, to whom the case worker gives a printed code.
    printed = CandidateFactory(first_name="Abdullahi", last_name="Mohamed Warsame", email="", case_worker=case_worker)
    # Someone invited by e-mail who has not opened the link yet.
    waiting = CandidateFactory(
        first_name="Zahra", last_name="Haidari", email="zahra.haidari@kandidaten.bridges.example"
    )
    _invitation, code = portal.invitation_create(
        candidate=waiting,
        channel=PortalInvitation.Channel.EMAIL,
        language="ar",
        actor=case_worker,
        request=RequestFactory().get("/"),  # the mail is written for a request (its site)
    )
    return World(
        introduction=introduction.pk,
        login=user.email,
        printed=printed.pk,
        code=code,
        case_worker=case_worker.email,
    )


PAGES = {
    "me:welcome (anonymous)": "/me/welcome/",
    "me:welcome_code (anonymous, the e-mail's link)": "/me/welcome/{w.code}/",
    "me:home": "/me/",
    "me:consents": "/me/consents/",
    "me:introductions": "/me/introductions/",
    "me:introduction": "/me/introductions/{w.introduction}/",
    "me:how": "/me/matching/",
    "me:data": "/me/data/",
}
# What each page must hold, so that the checks see its forms, tables and lists (no wording).
CONTENT = {
    "me:welcome (anonymous)": ["input[name=code]", "input[name=password1]", "input[name=password2]"],
    "me:welcome_code (anonymous, the e-mail's link)": ["input[name=password1]", "input[name=password2]"],
    "me:home": ["form[action$='/me/confirm/'] button", "form[action$='/me/correction/'] textarea[name=text]"],
    "me:consents": ["form[action$='/withdraw/'] button", "form[action$='/ask-again/'] button"],
    "me:introductions": ["a[href$='/me/introductions/{w.introduction}/']"],
    "me:introduction": ["section[aria-labelledby=stage-heading]", "section[aria-labelledby=why-heading] dl"],
    "me:how": ["h1"],
    "me:data": ["a[href$='/me/data/export.json']", "form[action$='/me/data/erasure/'] textarea[name=text]"],
}
# The case worker's printed code sheet: the page in the case worker's language, the sheet in the invitation's.
SHEETS = {"printed code sheet": None, "printed code sheet, Arabic sheet": "ar"}
CASES = [
    *(pytest.param(name, language, id=f"{name}, {language}") for name in PAGES for language in DIRECTION),
    *(
        pytest.param(name, language, id=f"{name}, {language}")
        for name, sheet in SHEETS.items()
        for language in (DIRECTION if sheet is None else ["de"])
    ),
]


@pytest.fixture(scope="module")
def world(module_server) -> World:
    return build_world()


@pytest.fixture(scope="module")
def contexts(browser: Browser, module_server, world):
    """contexts(who, language): a browser context of the candidate, the case worker or a visitor with
    the language chosen (the language cookie). Each account logs in once; its other language gets a
    copy of the logged-in session."""
    made: dict[tuple[str, str], BrowserContext] = {}
    logins = {"candidate": world.login, "case_worker": world.case_worker, "anonymous": None}

    def get(who: str, language: str) -> BrowserContext:
        if (who, language) not in made:
            logged_in = next((context for (w, _l), context in made.items() if w == who), None)
            state = logged_in.storage_state() if logged_in is not None else None
            context = browser.new_context(locale="de-DE", base_url=module_server.url, storage_state=state)
            if logins[who] and logged_in is None:
                page = context.new_page()
                log_in(page, module_server.url, logins[who], start=None)
                page.close()
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": module_server.url}])
            made[(who, language)] = context
        return made[(who, language)]

    yield get
    for context in made.values():
        context.close()


def open_case(contexts, world: World, name: str, language: str) -> tuple[Page, list[str]]:
    """The case's page, opened in its language, and what it lacks (a form, a table; the sheet's direction)."""
    if name in PAGES:
        who = "anonymous" if "anonymous" in name else "candidate"
        page = contexts(who, language).new_page()
        page.set_viewport_size({"width": LAPTOP, "height": 900})
        response = page.goto(PAGES[name].format(w=world))
        assert response.ok, f"{name} in {language} answered {response.status}"
        missing = [css for css in CONTENT[name] if page.locator(css.format(w=world)).count() == 0]
        return page, [f"missing: {css}" for css in missing]
    # The sheet: the case worker submits the invitation form with "printed" on the candidate page.
    sheet_language = SHEETS[name] or language
    page = contexts("case_worker", language).new_page()
    page.set_viewport_size({"width": LAPTOP, "height": 900})
    page.goto(f"/candidates/{world.printed}/")
    invite = page.locator("#portal form[action$='/own-view/invite/']")
    invite.locator("input[name=channel][value=printed]").check()
    invite.locator("select[name=language]").select_option(sheet_language)
    with page.expect_response(lambda r: r.url.endswith("/own-view/invite/")) as answer:
        invite.locator("button[type=submit]").click()
    assert answer.value.ok, f"the printed invitation answered {answer.value.status}"
    code = page.locator(".portal-sheet .font-monospace")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$"))
    sheet = page.locator(".portal-sheet")
    found = [sheet.get_attribute("lang"), sheet.get_attribute("dir")]
    wanted = [sheet_language, DIRECTION[sheet_language]]
    return page, [] if found == wanted else [f"the sheet's lang, dir are {found}, not {wanted}"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "language"), CASES)
def test_own_view_page_has_the_language_direction_fits_and_passes_axe(contexts, world, name, language):
    page, problems = open_case(contexts, world, name, language)
    try:
        direction = html_direction(page)
        if direction != [language, DIRECTION[language]]:
            problems.append(f"<html lang dir> is {direction}, not {[language, DIRECTION[language]]}")
        problems += [f"{LAPTOP} px: {line}" for line in layout_problems(page, tables_fit=True)]
        problems += [f"{LAPTOP} px: {line}" for line in overlap_problems(page)]
        problems += [f"axe-core at {LAPTOP} px: {line}" for line in axe_violations(page)]
        page.set_viewport_size({"width": PHONE, "height": 844})
        problems += [f"{PHONE} px: {line}" for line in layout_problems(page, tables_fit=False)]
        problems += [f"{PHONE} px: {line}" for line in overlap_problems(page)]
        violations, small = axe_run(page, targets=True)
        problems += [f"axe-core at {PHONE} px: {line}" for line in violations]
        problems += [f"touch target under 24 × 24 px at {PHONE} px: {target}" for target in small]
        assert not problems, "\n".join(problems)
    finally:
        page.close()
