"""Names and titles in sentences are isolated (`|bdi`): an Arabic name in a German heading keeps its
direction, and what it isolates is still escaped. Numbers, dates and names in lines of text are
isolated too, free text (descriptions, messages, comments, textareas) takes the direction of its
own first letter (`dir="auto"`), and phone numbers and e-mail addresses read left to right."""

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.employers.factories import ContactPersonFactory, PositionFactory
from tests.matching.factories import MatchFactory


def render(name: str) -> str:
    template = Template(
        "{% load bidi i18n %}{% blocktranslate with name=name|bdi %}Introduce {{ name }}{% endblocktranslate %}"
    )
    return template.render(Context({"name": name}))


def test_a_name_in_a_sentence_is_isolated_and_escaped():
    with translation.override("de"):
        assert render("أمينة الحسن") == "<bdi>أمينة الحسن</bdi> vorschlagen"
    with translation.override("en"):
        assert render("<script>x</script>") == "Introduce <bdi>&lt;script&gt;x&lt;/script&gt;</bdi>"


# --- textareas ------------------------------------------------------------------------------------


class Notes(forms.Form):
    text = forms.CharField(widget=forms.Textarea)
    code = forms.CharField(widget=forms.Textarea(attrs={"dir": "ltr"}))
    title = forms.CharField()


def test_a_textarea_takes_the_direction_of_its_text_on_every_path():
    form = Notes(data={"text": "Schweißen.", "code": "x", "title": "t"})
    crispy = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
    written = crispy.render(Context({"form": form}))
    fallen_back = crispy.render(Context({"form": Notes(data={})}))  # errors: crispy's own template

    for html in (str(form["text"]), written, fallen_back):
        textarea = html.split('<textarea name="text"')[1].split(">")[0]
        assert ' dir="auto"' in textarea
    assert str(form["code"]).count("dir=") == 1
    assert 'dir="ltr"' in str(form["code"])
    assert "dir=" not in str(form["title"])


def test_the_position_forms_description_takes_the_direction_of_its_text(client, employer_a, company_a):
    position = PositionFactory(employer=company_a)
    client.force_login(employer_a)

    html = client.get(reverse("employers:position_edit", args=[position.pk])).content.decode()

    assert ' dir="auto"' in html.split('<textarea name="description"')[1].split(">")[0]


# --- values in lines of text, and free text ------------------------------------------------------
# An Arabic page falls back to German for strings not yet translated: without isolation a number
# or a name at the edge of such a line moves to its other end ("Paare bewertet, … · 0,1 s 1188"),
# and a German description's final full stop stands on the left.

DAY = date(2026, 12, 9)
MOMENT = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def page(template: str, context: dict, user=None) -> str:
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    with translation.override("de"):
        return render_to_string(template, context, request=request)


def squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_the_rescore_progress_isolates_its_counts_percent_and_seconds():
    run = SimpleNamespace(
        pk=1,
        status="succeeded",
        get_trigger_display="vollständige Neubewertung",
        get_status_display="erfolgreich",
        started_at=MOMENT,
        worker_lost=False,
        progress=100,
        pairs_scored=1188,
        rows_written=157,
        duration_s=0.1,
        error="",
    )

    html = squeezed(page("matching/_run_progress.html", {"run": run}))

    assert "<bdi>1.188 Paare bewertet, 157 Treffer gespeichert</bdi> · <bdi>0,1 s</bdi>" in html
    assert "<bdi>100 %</bdi>" in html
    assert "gestartet <bdi>05.12.2026 11:00</bdi>" in html


def test_a_board_card_isolates_its_next_step_and_date():
    card = SimpleNamespace(
        pk=7,
        candidate=SimpleNamespace(full_name="أمينة الحسن"),
        position=SimpleNamespace(
            title="Schweißer/in", employer=SimpleNamespace(name="Amsel GmbH"), get_location_display="Erfurt"
        ),
        next_step="Antwort des Arbeitgebers abwarten",
        next_step_due=DAY,
        is_overdue=False,
        targets=[],
    )
    column = SimpleNamespace(stage="proposed", label="vorgeschlagen", total=1, cards=[card])

    html = squeezed(page("matching/introductions/_board.html", {"columns": [column]}))

    assert "<bdi>Antwort des Arbeitgebers abwarten</bdi> · <bdi>09.12.2026</bdi>" in html


def test_the_dashboard_isolates_counts_names_and_dates_in_its_lines(case_worker):
    follow_up = SimpleNamespace(
        months=6,
        due_on=DAY,
        placement=SimpleNamespace(
            introduction_id=3,
            candidate=SimpleNamespace(full_name="Saba Haile"),
            position=SimpleNamespace(employer=SimpleNamespace(name="Hotel Ilmgarten Weimar")),
        ),
    )
    context = {"consents_to_check": 1, "due_follow_ups": [follow_up], "shortlisted": 2}

    html = squeezed(page("matching/dashboard.html", context, user=case_worker))

    assert "<bdi>1 Person mit einer zu prüfenden Einwilligung</bdi>" in html
    assert "<bdi>6 Monate · <bdi>Hotel Ilmgarten Weimar</bdi></bdi> · <bdi>09.12.2026</bdi>" in html
    assert "<bdi>2 Paare vorgemerkt</bdi>" in html


def _current_user_link(html: str) -> tuple[str, str]:
    """The navigation bar's link to the logged-in user's settings: (its attributes, its text)."""
    attributes, rest = html.split('data-testid="current-user"')[1].split(">", 1)
    return attributes, rest.split("<span", 1)[0]


def test_the_navigation_bar_names_the_logged_in_user_in_their_own_direction(case_worker):
    case_worker.first_name, case_worker.last_name = "Bernd", "Berater"

    attributes, text = _current_user_link(page("base.html", {}, user=case_worker))

    assert text == "Bernd Berater"
    assert 'dir="auto"' in attributes
    assert 'title="Bernd Berater – E-Mail-Einstellungen: berater@bridges.example"' in attributes  # whole, if cut short


def test_the_logged_in_users_address_reads_left_to_right_where_no_name_is_recorded(case_worker):
    case_worker.first_name = case_worker.last_name = ""

    attributes, text = _current_user_link(page("base.html", {}, user=case_worker))

    assert text == "berater@bridges.example"
    assert 'dir="ltr"' in attributes


def test_the_job_pages_free_text_and_phone_keep_their_own_direction(client, db):
    position = PositionFactory(description="Schweißen im Stahlbau.", employer__description="Ein Familienbetrieb.")
    ContactPersonFactory(employer=position.employer, is_public=True, phone="03643 555 610")

    html = client.get(reverse("jobs:detail", args=[position.pk])).content.decode()

    assert '<div class="card-body" dir="auto"><p>Schweißen im Stahlbau.</p></div>' in html
    assert '<p dir="auto">Ein Familienbetrieb.</p>' in html
    assert '<span dir="ltr">03643 555 610</span>' in html


def test_the_explanations_score_is_isolated(client, case_worker):
    match = MatchFactory()
    client.force_login(case_worker)

    html = client.get(reverse("matching:explain", args=[match.candidate_id, match.position_id])).content.decode()

    # "85 von 100" read "100 von 85" on an Arabic page.
    assert re.search(r'data-testid="score"><bdi>\d+ von 100</bdi></p>', html)


def test_the_report_period_isolates_its_dates(client, case_worker):
    client.force_login(case_worker)

    html = client.get(reverse("matching:report"), {"start": "2026-01-01", "end": "2026-06-30"}).content.decode()

    period = squeezed(html.split('data-testid="report-period">')[1].split("</p>")[0])
    assert period.strip() == "Vom <bdi>01.01.2026</bdi> bis zum <bdi>30.06.2026</bdi>"
