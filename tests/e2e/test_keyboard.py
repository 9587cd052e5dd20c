"""The main flows with the keyboard alone (issue #16, "Accessibility, proven"), in German, and the
candidate's own flow also in Arabic (right to left).

A case worker takes a candidate in (the intake form with its searches, an error, the duplicate
warning) and adds a desired occupation with the multi-value autocomplete; a case worker goes from a
candidate's matches to the introduction, recording the missing consent on the way; the employer
answers "interested"; the candidate withdraws a consent on their own pages. Only Tab, Shift+Tab,
typing, arrow keys (and Home), Space, Enter and Ctrl+A: no click, no `fill`, no `select_option` in
a flow (logging in happens before, through session.log_in).

On every page of a flow:
(a) the first Tab focuses the skip link, and Enter on it moves focus into <main id="main">;
(b) every element Tab reaches shows a focus indicator (an outline or a box shadow it does not have
    without focus, read after Bootstrap's transitions end) and is on screen;
(c) tabbing forward from the top leaves the page again (to the browser) without a cycle inside it,
    within 400 presses, and Shift+Tab walks the same elements backwards;
(d) after every htmx swap (the autocomplete searches, the duplicate check, the consent form's
    employer search) focus is still on an element, not on <body>; Tom Select keeps it in its box;
(e) what the action does is in the database.
An error in the intake form is announced (a summary with role="alert" takes focus and links to the
field), and axe-core checks the states that only a keyboard walk reaches (search answers, errors).
"""

import re
from datetime import date

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from bridges.models import Language, Place, Region
from candidates.models import Candidate, CandidateLanguage, Consent
from matching.models import Introduction, MatchDecision, SharedSection
from matching.pipeline import Stage
from tests.candidates.factories import CandidateFactory, ConsentFactory
from tests.e2e.checks import axe_violations
from tests.e2e.session import log_in
from tests.employers.factories import EmployerFactory, MembershipFactory, PositionFactory
from tests.factories import CandidateUserFactory, CaseWorkerFactory, OccupationFactory, UserFactory
from tests.matching.factories import MatchFactory, introduce

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_TABS = 400

# Installed before any script of a page runs: records where focus is after each htmx swap (d), and
# once the page has loaded, how every focusable element looks without focus (b: an indicator is
# an outline or a shadow that the element shows only with focus).
PAGE_WATCH = """
window.__swaps = [];
document.addEventListener('htmx:afterSettle', (event) => {
  const active = document.activeElement;
  window.__swaps.push({
    target: (event.detail.target && event.detail.target.id) || '',
    focus: !active || active === document.body ? 'BODY' : active.id || active.tagName.toLowerCase(),
  });
});
window.__unfocused = new WeakMap();
window.addEventListener('load', () => {
  const focusable = 'a[href], button, input, select, textarea, summary, [tabindex], .ts-control';
  for (const element of document.querySelectorAll(focusable)) {
    if (element === document.activeElement) continue;
    const style = getComputedStyle(element);
    window.__unfocused.set(element, {
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      shadow: style.boxShadow,
    });
  }
});
"""

# The focused element: an identity (stable while the page lives), a description, whether it shows a
# focus indicator and whether it is on screen. Bootstrap's focus rings fade in (transitions): they
# are finished first, so that the style read is the one the person sees. An element made after the
# page loaded (an htmx answer, Tom Select's box) has no unfocused look on record: for it an outline
# or a shadow counts.
FOCUSED = r"""() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const ids = (window.__focusIds ||= new WeakMap());
  if (!ids.has(e)) ids.set(e, (window.__focusNext = (window.__focusNext || 0) + 1));
  // Tom Select draws the ring on its control box around the search input.
  const wrapper = e.closest('.ts-wrapper');
  const ring = wrapper ? wrapper.querySelector('.ts-control') : e;
  for (const element of [e, ring]) element.getAnimations().forEach((animation) => animation.finish());
  const clear = (color) => color === 'transparent' || /rgba\([^)]*,\s*0\)$/.test(color);
  const shows = (element) => {
    const style = getComputedStyle(element);
    const before = window.__unfocused && window.__unfocused.get(element);
    const look = `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`;
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && !clear(style.outlineColor)
      && (!before || before.outline !== look);
    const shadow = style.boxShadow !== 'none' && style.boxShadow.split(/,(?![^(]*\))/).some(
      (part) => !/rgba\([^)]*,\s*0\)/.test(part) && /[1-9]/.test(part.replace(/rgba?\([^)]*\)/g, '')))
      && (!before || before.shadow !== style.boxShadow);
    return outline || shadow;
  };
  // The calendar button inside a date field: the input is the active element but not :focus, and
  // the browser draws its own ring around the button (not readable from the page).
  const pickerButton = e.matches('input') && !e.matches(':focus');
  const box = e.getBoundingClientRect();
  const text = e.tagName === 'SELECT' ? (e.selectedOptions[0] || {}).text || '' : e.innerText || e.value || '';
  const name = (e.getAttribute('aria-label') || text || e.getAttribute('name') || '').trim().replace(/\s+/g, ' ');
  const tag = e.tagName.toLowerCase();
  return {
    key: ids.get(e),
    description: `<${tag}${e.id ? '#' + e.id : ''}${e.name ? ' name=' + e.name : ''}> "${name.slice(0, 50)}"`,
    name,
    href: e.getAttribute('href'),
    indicator: pickerButton || shows(e) || (ring !== e && shows(ring)),
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight
      && box.right > 0 && box.left < innerWidth,
    inMain: !!e.closest('#main'),
  };
}"""


def keyboard_context(browser: Browser, base: str, email: str, language: str = "de") -> BrowserContext:
    """A browser context without motion (Bootstrap then has no transitions either) that records the
    focus after htmx swaps, logged in as `email` through the German form, then in `language` (the
    language cookie)."""
    context = browser.new_context(locale="de-DE", base_url=base, reduced_motion="reduce")
    context.add_init_script(PAGE_WATCH)
    page = context.new_page()
    log_in(page, base, email, start=None)
    page.close()
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    return context


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUSED)


def focus_problems(info: dict) -> list[str]:
    problems = []
    if not info["indicator"]:
        problems.append(f"{info['description']} shows no focus indicator")
    if not info["visible"]:
        problems.append(f"{info['description']} has focus but is not on screen")
    return problems


def skip_link_problems(page: Page, url: str, language: str) -> list[str]:
    """(a) On a freshly loaded page the first Tab reaches the skip link; Enter moves focus into <main>,
    and the next Tab goes on from there."""
    page.goto(url)
    page.keyboard.press("Tab")
    info = focused(page)
    with translation.override(language):
        skip_link = gettext("Skip to main content")
    if info is None or info["name"] != skip_link or info["href"] != "#main":
        return [f"{url}: the first Tab focuses {info and info['description']}, not the skip link"]
    problems = focus_problems(info)
    page.keyboard.press("Enter")
    if not page.evaluate("!!document.activeElement.closest('#main')"):
        problems.append(f"{url}: the skip link does not move focus into <main id=main>")
    page.keyboard.press("Tab")
    after = focused(page)
    if after is None or not after["inMain"]:
        problems.append(f"{url}: after the skip link, Tab goes to {after and after['description']}, outside <main>")
    return problems


def tab_walk_problems(page: Page, url: str | None = None) -> list[str]:
    """(b) and (c): Tab from the top of a freshly loaded page (or of the page as it is, after going back
    to its top with Shift+Tab) through every element until focus leaves the page, checking each
    element's focus indicator; then Shift+Tab back through the same elements."""
    if url:
        page.goto(url)
    else:
        url = page.url
        for _press in range(MAX_TABS):
            if focused(page) is None:
                break
            page.keyboard.press("Shift+Tab")
    problems = []
    forward: list[dict] = []
    for _press in range(MAX_TABS):
        page.keyboard.press("Tab")
        info = focused(page)
        if info is None:
            break  # out of the page, to the browser
        if forward and info["key"] == forward[-1]["key"]:
            problems += focus_problems(info)  # the next part of a date field
            continue
        if forward and info["key"] == forward[0]["key"]:
            break  # round to the first element
        if any(seen["key"] == info["key"] for seen in forward):
            problems.append(f"{url}: keyboard trap, Tab cycles back to {info['description']} inside the page")
            return problems
        problems += focus_problems(info)
        forward.append(info)
    else:
        return [*problems, f"{url}: focus does not leave the page after {MAX_TABS} Tab presses"]
    assert len(forward) > 3, f"{url}: Tab reaches only {[info['description'] for info in forward]}"

    backward: list[dict] = []
    for _press in range(MAX_TABS):
        page.keyboard.press("Shift+Tab")
        info = focused(page)
        if info is None:
            if backward:
                break  # out of the page, to the browser
            continue
        if backward and info["key"] == backward[0]["key"]:
            break  # round to the last element (the browser leaves out its own stop now and then)
        if not backward or info["key"] != backward[-1]["key"]:
            backward.append(info)
    expected = [info["description"] for info in reversed(forward)]
    walked = [info["description"] for info in backward]
    if walked != expected:
        problems.append(
            f"{url}: Shift+Tab does not walk back the same way:\n  forward reversed {expected}\n  back {walked}"
        )
    return problems


def page_problems(page: Page, url: str, language: str = "de") -> list[str]:
    """Every check of a page that needs a fresh load: the skip link, the focus indicators, no trap."""
    return skip_link_problems(page, url, language) + tab_walk_problems(page, url)


def tab_to(page: Page, target: Locator, *, limit: int = MAX_TABS) -> None:
    """Press Tab until `target` has focus; it must be reachable (b: and show its focus)."""
    for _press in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"{target} cannot be reached with the Tab key")
    info = focused(page)
    assert not (problems := focus_problems(info)), problems


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def choose(page: Page, select: Locator, label: str) -> None:
    """Tab to a (closed) select and choose the option whose text starts with `label`: type its first
    letters, then arrow down if the browser's type-ahead did not reach it."""
    tab_to(page, select)
    selected = "element => (element.selectedOptions[0] || {text: ''}).text.trim()"
    page.keyboard.type(label[:3])
    if select.evaluate(selected).startswith(label):
        return
    page.keyboard.press("Home")
    for _press in range(300):
        if select.evaluate(selected).startswith(label):
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"the option {label!r} of {select} cannot be chosen with the arrow keys")


def swap_problems(page: Page, targets: set[str]) -> list[str]:
    """(d) Swaps after which focus was lost to <body>; the swaps of `targets` must have happened."""
    swaps = page.evaluate("window.__swaps")
    assert targets <= {swap["target"] for swap in swaps}, f"expected htmx swaps of {targets}, saw {swaps}"
    return [f"after the htmx swap of #{swap['target']} focus is on <body>" for swap in swaps if swap["focus"] == "BODY"]


def submit(page: Page, button: Locator) -> None:
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")


# --- 1. intake -----------------------------------------------------------------------------------


def test_intake_by_keyboard_with_an_announced_error_and_the_duplicate_check(live_server, browser: Browser):
    base = live_server.url
    user = CaseWorkerFactory(email="beraterin@bridges.example")
    german = Language.objects.create(code="de", name_en="German", name_de="Deutsch")
    arabic = Language.objects.create(code="ar", name_en="Arabic", name_de="Arabisch")
    erfurt = Place.objects.create(
        geonameid=2929670, name="Erfurt", country="DE", latitude=50.98, longitude=11.03, population=213_000
    )
    aleppo = Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo", name_de="Aleppo")
    welder = OccupationFactory(labels={"de": "Schweißer/in", "en": "welder"})
    OccupationFactory(labels={"de": "Koch/Köchin", "en": "cook"})
    # Someone with the same name and date of birth: the form warns while it is filled in.
    known = CandidateFactory(first_name="Samira", last_name="Al-Masri", date_of_birth=date(1994, 7, 7))
    context = keyboard_context(browser, base, user.email)
    page = context.new_page()
    problems = page_problems(page, "/candidates/new/")

    page.goto("/candidates/new/")
    type_into(page, page.locator("#id_first_name"), "Samira")
    type_into(page, page.locator("#id_last_name"), "Al-Masri")
    # A date field takes its parts typed one after another (day and month alike: any order works).
    type_into(page, page.locator("#id_date_of_birth"), "07071994")
    choose(page, page.locator("#id_gender"), "weiblich")
    # Leaving the name and the date asked the server for duplicates (htmx): the warning is there,
    # in a live region, and focus stayed in the form.
    expect(page.locator("#duplicates")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#duplicate-warning")).to_contain_text(known.full_name)
    type_into(page, page.locator("#id_email"), "samira.al-masri@example.org")
    type_into(page, page.locator("#id_phone"), "null-drei-sechs-eins")  # no phone number: an error
    type_into(page, page.locator("#id_postal_code"), "99084")
    # The town: type into its search box (htmx fills the list below), then choose with the arrows.
    search = page.locator("#id_place_search")
    type_into(page, search, "Erf")
    expect(page.locator("#id_place option", has_text="Erfurt")).to_have_count(1)
    expect(search).to_be_focused()
    # The answer is announced: a status message says how many arrived (WCAG 4.1.3).
    status = page.locator("#id_place").locator("xpath=..").locator(".autocomplete-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text(re.compile(r"^Treffer: [1-9]"))
    choose(page, page.locator("#id_place"), "Erfurt")
    choose(page, page.locator("#id_nationality"), "Syrien")
    choose(page, page.locator("#id_country_of_origin"), "Syrien")
    search = page.locator("#id_region_of_origin_search")
    type_into(page, search, "Alep")
    expect(page.locator("#id_region_of_origin option", has_text="Aleppo")).to_have_count(1)
    expect(search).to_be_focused()
    choose(page, page.locator("#id_region_of_origin"), "Aleppo")
    problems += [f"axe-core on the form with the searches' answers: {line}" for line in axe_violations(page)]
    choose(page, page.locator("#id_residence_status"), "Aufenthaltserlaubnis")
    choose(page, page.locator("#id_work_permission"), "erlaubt")
    choose(page, page.locator("#id_perspective"), "in Deutschland bleiben")
    choose(page, page.locator("#id_languages-0-language"), "Deutsch")
    choose(page, page.locator("#id_languages-0-level"), "B1")
    choose(page, page.locator("#id_languages-1-language"), "Arabisch")
    choose(page, page.locator("#id_languages-1-level"), "Muttersprache")
    problems += swap_problems(page, {"duplicates", "id_place", "id_region_of_origin"})
    submit(page, page.get_by_role("button", name="Profil anlegen"))

    # The error is announced: focus moves to a summary (an alert) that names the field and the
    # error and links to the field.
    assert Candidate.objects.count() == 1
    phone_error = "Geben Sie eine Telefonnummer"
    summary = page.locator("#main [role=alert]", has_text=phone_error)
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    expect(page.locator("#id_phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_phone")).to_have_attribute("aria-describedby", "id_phone_error")
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Telefon")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_phone")).to_be_focused()
    problems += [f"axe-core on the form with an error: {line}" for line in axe_violations(page)]
    problems += tab_walk_problems(page)
    type_into(page, page.locator("#id_phone"), "")
    page.keyboard.press("Control+A")
    page.keyboard.type("+49 361 5550123")
    submit(page, page.get_by_role("button", name="Profil anlegen"))

    # Valid now, but a possible duplicate: the page warns (an alert) and asks to confirm with a checkbox.
    assert Candidate.objects.count() == 1
    expect(page.locator("#duplicate-warning")).to_have_attribute("role", "alert")
    problems += [f"axe-core on the duplicate warning: {line}" for line in axe_violations(page)]
    confirm = page.get_by_role("checkbox", name=re.compile("Dubletten|andere Person"))
    tab_to(page, confirm)
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    submit(page, page.get_by_role("button", name="Profil anlegen"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Samira Al-Masri")
    candidate = Candidate.objects.exclude(pk=known.pk).get()
    assert (candidate.first_name, candidate.last_name, candidate.date_of_birth) == (
        "Samira",
        "Al-Masri",
        date(1994, 7, 7),
    )
    assert (candidate.gender, candidate.email, candidate.phone) == (
        "female",
        "samira.al-masri@example.org",
        "+49 361 5550123",
    )
    assert (candidate.postal_code, candidate.place, candidate.region_of_origin) == ("99084", erfurt, aleppo)
    assert (candidate.nationality.code, candidate.country_of_origin.code) == ("SY", "SY")
    assert (candidate.residence_status, candidate.work_permission, candidate.perspective) == (
        "aufenthaltserlaubnis",
        "allowed",
        "stay",
    )
    assert candidate.case_worker == user
    assert {(cl.language, cl.level) for cl in CandidateLanguage.objects.filter(candidate=candidate)} == {
        (german, 3),
        (arabic, 7),
    }

    # On to the profile page's "Skills and wishes": the multi-value autocomplete (Tom Select).
    tab_to(page, page.get_by_role("link", name="Bearbeiten Fähigkeiten und Wünsche"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    edit = page.url.removeprefix(base)
    problems += page_problems(page, edit)
    page.goto(edit)
    combobox = page.get_by_role("combobox", name="Wunschberufe")
    type_into(page, combobox, "schweiß")
    expect(page.get_by_role("listbox", name="Wunschberufe").get_by_role("option")).to_have_text(["Schweißer/in"])
    expect(combobox).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".ts-control .item")).to_have_text(["Schweißer/in×"])
    expect(combobox).to_be_focused()
    submit(page, page.get_by_role("button", name="Speichern"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Samira Al-Masri")
    assert list(candidate.desired_occupations.all()) == [welder]
    context.close()
    assert not problems, "\n".join(problems)


# --- 2. from the matches to the introduction -----------------------------------------------------


def test_from_the_matches_to_the_introduction_by_keyboard(live_server, browser: Browser):
    base = live_server.url
    user = CaseWorkerFactory(email="berater@bridges.example")
    company = EmployerFactory(name="Solarwerk Erfurt GmbH")
    EmployerFactory(name="Solartechnik Gotha GmbH")  # the search finds two
    position = PositionFactory(employer=company, title="Solarteur/in")
    candidate = CandidateFactory(first_name="Omar", last_name="Khalil", email="omar.khalil@example.org")
    MatchFactory(candidate=candidate, position=position, score=88.0)
    context = keyboard_context(browser, base, user.email)
    page = context.new_page()

    matches = f"/dashboard/candidates/{candidate.pk}/matches/"
    problems = page_problems(page, matches)
    # Shortlist the match (the decision buttons are forms that reload the list), then introduce.
    page.goto(matches)
    submit(page, page.get_by_role("button", name=f"Vormerken {position.title}"))
    expect(page.get_by_test_id("decision")).to_have_text("vorgemerkt")
    decision = MatchDecision.objects.get(candidate=candidate, position=position)
    assert decision.status == MatchDecision.Status.SHORTLISTED
    tab_to(page, page.get_by_test_id("introduce"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    introduce_url = f"/dashboard/introduce/{candidate.pk}/{position.pk}/"
    assert page.url == base + introduce_url
    problems += page_problems(page, introduce_url)

    # No consent yet: the page says so and links to the consent form.
    page.goto(introduce_url)
    expect(page.get_by_test_id("no-consent")).to_contain_text(company.name)
    tab_to(page, page.get_by_test_id("record-consent"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    consent_url = page.url.removeprefix(base)
    problems += page_problems(page, consent_url.split("#")[0])
    page.goto(consent_url)

    # The consent form: the organisation is found by typing into the employer search (htmx).
    form = page.locator("form[action$='/consents/']")
    choose(page, form.locator("select[name=purpose]"), "Weitergabe")
    search = form.get_by_role("searchbox")
    type_into(page, search, "Solar")
    employer = form.locator("select[name=employer]")
    expect(employer.locator("option", has_text="Solartechnik Gotha GmbH")).to_have_count(1)
    expect(search).to_be_focused()
    choose(page, employer, company.name)
    problems += [f"axe-core on the consent form with the search's answer: {line}" for line in axe_violations(page)]
    type_into(page, form.locator("input[name=wording_version]"), "2026-01")
    choose(page, form.locator("select[name=method]"), "persönlich")
    problems += swap_problems(page, {"id_employer"})
    submit(page, form.get_by_role("button", name="Einwilligung erfassen"))
    consent = Consent.objects.get(candidate=candidate)
    assert (consent.employer, consent.purpose, consent.withdrawn_at) == (company, Consent.Purpose.SHARING, None)

    # Back on the introduction: sections to share, a message, submit.
    assert page.url == base + introduce_url
    tab_to(page, page.get_by_role("checkbox", name="Kontaktdaten (E-Mail, Telefon, Adresse)"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("checkbox", name="Sprachen"))
    page.keyboard.press("Space")
    type_into(page, page.get_by_label("Nachricht an das Unternehmen"), "Herr Khalil kann sofort anfangen.")
    submit(page, page.locator("main form").get_by_role("button", name="Vorschlagen"))

    expect(page).to_have_url(re.compile(r"/dashboard/introductions/\d+/$"))
    introduction = Introduction.objects.get(candidate=candidate, position=position)
    assert introduction.stage == Stage.PROPOSED
    assert set(introduction.shared_sections) == {SharedSection.CONTACT, SharedSection.LANGUAGES}
    assert introduction.message == "Herr Khalil kann sofort anfangen."
    context.close()
    assert not problems, "\n".join(problems)


# --- 3. the employer's answer --------------------------------------------------------------------


def test_employer_answers_interested_by_keyboard(live_server, browser: Browser):
    base = live_server.url
    case_worker = CaseWorkerFactory(email="berater@bridges.example")
    employer_user = UserFactory(email="personal@solarwerk-erfurt.example")
    company = EmployerFactory(name="Solarwerk Erfurt GmbH")
    MembershipFactory(user=employer_user, employer=company)
    position = PositionFactory(employer=company, title="Solarteur/in")
    candidate = CandidateFactory(first_name="Amina", last_name="Al-Hassan")
    introduction = introduce(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=[SharedSection.LANGUAGES],
        message="Frau Al-Hassan kann ab Juni anfangen.",
    )
    context = keyboard_context(browser, base, employer_user.email)
    page = context.new_page()

    url = f"/employer/introductions/{introduction.pk}/"
    problems = page_problems(page, url)
    page.goto(url)
    answer = page.locator("form[action$='/interested/']")
    type_into(page, answer.get_by_label("Kommentar für das Programm (optional)"), "Gern ein Gespräch.")
    submit(page, answer.get_by_role("button", name="Wir sind interessiert"))
    expect(page.locator(".alert-success")).to_contain_text("interessiert")
    introduction.refresh_from_db()
    assert introduction.stage == Stage.INTERESTED
    assert introduction.events.filter(actor=employer_user, comment="Gern ein Gespräch.").exists()
    context.close()
    assert not problems, "\n".join(problems)


# --- 4. the candidate withdraws a consent --------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "ar"])
def test_candidate_withdraws_a_consent_by_keyboard(live_server, browser: Browser, language):
    base = live_server.url
    user = CandidateUserFactory(email="yara.haddad@konto.bridges.example", language=language)
    candidate = CandidateFactory(first_name="Yara", last_name="Haddad", user=user)
    kept = ConsentFactory(candidate=candidate, employer=EmployerFactory(name="Firma B GmbH"))
    consent = ConsentFactory(candidate=candidate, employer=EmployerFactory(name="Firma A GmbH"))
    context = keyboard_context(browser, base, user.email, language)
    page = context.new_page()

    problems = page_problems(page, "/me/consents/", language)
    page.goto("/me/consents/")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        language,
        "rtl" if language == "ar" else "ltr",
    ]
    submit(page, page.locator(f"#consent-{consent.pk} form[action$='/withdraw/'] button"))
    expect(page).to_have_url(f"{base}/me/consents/")
    expect(page.locator(".alert-success")).to_be_visible()
    consent.refresh_from_db()
    kept.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by_id == user.pk
    assert kept.withdrawn_at is None
    # The page after the withdrawal passes the same checks.
    problems += page_problems(page, "/me/consents/", language)
    context.close()
    assert not problems, "\n".join(problems)
