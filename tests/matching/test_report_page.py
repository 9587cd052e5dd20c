"""The funder's report page and its exports: who may see them, the filter form, how a report's
figures are rendered (German number formats, "< 5", four-fifths flags, SVG charts) and exported
(CSV and XLSX that parse back), with an audit row per export.

The figures themselves are `matching.report.report_build` / `matching.fairness.fairness_tables`
(tested on their own); where a test needs figures it hands the page a constructed report.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from bridges.models import AuditEvent, Region
from matching import report_charts
from matching.fairness import FairnessRow, FairnessTable, StepRate
from matching.forms_introductions import NextStepForm
from matching.report import (
    CostRow,
    Count,
    FunnelStep,
    MonthCount,
    Quartiles,
    Report,
    Retention,
    StageDays,
)
from matching.report_scope import ReportFilters, Step, Where
from tests.candidates.factories import CandidateFactory
from tests.factories import CaseWorkerFactory

pytestmark = pytest.mark.django_db

PAGE = "matching:report"
EXPORTS = [
    "matching:report_figures_csv",
    "matching:report_figures_xlsx",
    "matching:report_rows_csv",
    "matching:report_rows_xlsx",
]
URLS = [PAGE, *EXPORTS]
PERIOD = {"start": "2026-01-01", "end": "2026-06-30"}


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employers_get_404_on_all_of_the_report(client, personas, company_a, company_b, name, persona):
    client.force_login(personas[persona])

    assert client.get(reverse(name), PERIOD).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("name", URLS)
@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_see_the_report(client, personas, name, persona):
    client.force_login(personas[persona])

    response = client.get(reverse(name), PERIOD)

    assert response.status_code == 200
    _content(response)


def test_the_navigation_links_the_report_for_case_workers_only(client, case_worker, employer_a, company_a):
    client.force_login(case_worker)
    assert f'href="{reverse(PAGE)}"' in client.get(reverse("matching:dashboard")).content.decode()

    client.force_login(employer_a)
    assert reverse(PAGE) not in client.get(reverse("employers:dashboard")).content.decode()


def test_the_report_is_the_current_navigation_entry_on_its_page(client, case_worker):
    client.force_login(case_worker)

    response = client.get(reverse(PAGE))

    current = [item for item in response.context["nav_items"] if item["active"]]
    assert [item["url"] for item in current] == [reverse(PAGE)]


# --- the filter form -----------------------------------------------------------------------------


def test_the_default_period_is_this_year_until_today(client, case_worker, monkeypatch):
    seen = []
    monkeypatch.setattr("matching.report_views.report_build", lambda filters: seen.append(filters) or Report(filters))
    client.force_login(case_worker)

    response = client.get(reverse(PAGE))

    today = timezone.localdate()
    assert seen == [ReportFilters(start=today.replace(month=1, day=1), end=today)]
    html = response.content.decode()
    assert f'value="{today.replace(month=1, day=1):%Y-%m-%d}"' in html
    assert f'value="{today:%Y-%m-%d}"' in html


def test_the_filters_reach_the_report(client, case_worker, monkeypatch):
    region = Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo", name_de="Aleppo")
    colleague = CaseWorkerFactory(first_name="Petra", last_name="Sommer")
    CandidateFactory(nationality="SY", region_of_origin=region, case_worker=colleague)
    seen = []
    monkeypatch.setattr("matching.report_views.report_build", lambda filters: seen.append(filters) or Report(filters))
    fairness_seen = []
    monkeypatch.setattr("matching.report_views.fairness_tables", lambda filters: fairness_seen.append(filters) or [])
    client.force_login(case_worker)
    query = {
        **PERIOD,
        "case_worker": colleague.pk,
        "origin_country": "SY",
        "origin_region": region.pk,
        "where": Where.ABROAD,
    }

    response = client.get(reverse(PAGE), query)

    expected = ReportFilters(
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 6, 30),
        case_worker_id=colleague.pk,
        origin_country="SY",
        origin_region_id=region.pk,
        where=Where.ABROAD,
    )
    assert seen == fairness_seen == [expected]
    # The export links carry the same filters.
    exports = response.context["query"]
    for name in EXPORTS:
        assert f"{reverse(name)}?{exports}".replace("&", "&amp;") in response.content.decode()
    assert f"case_worker={colleague.pk}" in exports
    assert "origin_country=SY" in exports
    assert "where=abroad" in exports


def test_countries_and_regions_offered_are_those_of_the_candidates(client, case_worker):
    aleppo = Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo", name_de="Aleppo")
    Region.objects.create(code="AF-KAB", country="AF", name_en="Kabul", name_de="Kabul")
    CandidateFactory(nationality="SY", region_of_origin=aleppo)
    CandidateFactory(nationality="ER")
    client.force_login(case_worker)

    form = client.get(reverse(PAGE)).context["form"]

    assert [code for code, _label in form.fields["origin_country"].choices] == ["", "ER", "SY"]
    assert list(form.fields["origin_region"].queryset) == [aleppo]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-06-01", "end": "2026-05-31"}, "end", "nicht vor seinem Beginn"),
        ({"start": "2020-01-01", "end": "2025-01-02"}, "end", "höchstens 5 Jahre"),
        ({"start": "2026-13-01", "end": "2026-06-30"}, "start", "gültiges Datum"),
        ({**PERIOD, "where": "moon"}, "where", "gültige Auswahl"),
        ({**PERIOD, "case_worker": "999999"}, "case_worker", "gültige Auswahl"),
    ],
)
def test_invalid_filters_show_errors_and_no_figures(client, case_worker, monkeypatch, query, field, message):
    monkeypatch.setattr("matching.report_views.report_build", lambda filters: pytest.fail("no report for bad filters"))
    client.force_login(case_worker)

    response = client.get(reverse(PAGE), query)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    html = response.content.decode()
    assert message in html
    assert 'data-testid="report-invalid"' in html
    assert 'data-testid="section-funnel"' not in html


def test_a_period_of_exactly_five_years_is_allowed(client, case_worker):
    client.force_login(case_worker)

    assert client.get(reverse(PAGE), {"start": "2020-01-01", "end": "2025-01-01"}).status_code == 200


@pytest.mark.parametrize("name", EXPORTS)
def test_an_export_with_invalid_filters_writes_nothing_and_goes_back(client, case_worker, name):
    client.force_login(case_worker)

    response = client.get(reverse(name), {"start": "2026-06-01", "end": "2026-01-01"})

    assert response.status_code == 302
    assert response.url.startswith(reverse(PAGE) + "?")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


# --- the empty report (the stubs' and a quiet period's) -----------------------------------------


def test_an_empty_period_shows_empty_states(client, case_worker):
    client.force_login(case_worker)

    html = client.get(reverse(PAGE), PERIOD).content.decode()

    assert "Keine Vermittlungen in diesem Zeitraum." in html
    assert "<svg" not in html
    for section in ("funnel", "placements", "months", "time", "stages", "retention", "reasons", "costs", "fairness"):
        assert f'data-testid="section-{section}"' in html


def test_the_page_needs_the_same_queries_with_more_candidates(client, case_worker, django_assert_max_num_queries):
    client.force_login(case_worker)
    # session and user, the form's choices (5), report_build (matching.report.QUERIES) and the
    # fairness table (one per dimension), and the page's audit entry
    with django_assert_max_num_queries(19):
        client.get(reverse(PAGE), PERIOD)

    for number in range(8):
        region = Region.objects.create(code=f"SY-{number}", country="SY", name_en=f"Region {number}")
        CandidateFactory(nationality=["SY", "AF", "IQ", "ER"][number % 4], region_of_origin=region)
        CaseWorkerFactory()
    with django_assert_max_num_queries(19):
        response = client.get(reverse(PAGE), PERIOD)
    assert len(response.context["form"].fields["origin_region"].queryset) == 8


# --- a report with figures -----------------------------------------------------------------------

FILTERS = ReportFilters(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 31))


def _report() -> Report:
    return Report(
        filters=FILTERS,
        funnel=[
            FunnelStep("active", "aktiv", 1234, 1000, 3),
            FunnelStep("introduced", "vorgeschlagen", 40, 36, 4),
            FunnelStep("placed", "vermittelt", 12, 12, 0),
        ],
        placements=13,
        placements_here=12,
        returns=1,
        placements_by_kind=[Count("employment", "Beschäftigung", 10), Count("return", "Rückkehrstelle", 3)],
        placements_by_month=[
            MonthCount(datetime.date(2026, 1, 1), 5, 0),
            MonthCount(datetime.date(2026, 2, 1), 4, 1),
            MonthCount(datetime.date(2026, 3, 1), 3, 0),
        ],
        time_to_placement=Quartiles(13, 40.25, 87.5, 150.0),
        days_per_stage=[StageDays("interview", "Gespräch", 20, 12.5, 14.25)],
        retention=[Retention(6, 8, 7, 6, 0.75), Retention(12, 0, 0, 0, None)],
        close_reasons=[Count("no_response", "keine Antwort <b>", 9)],
        costs=[
            CostRow("language", "Sprachkurs", 20, Decimal("12345.50"), Decimal("2000.00")),
            CostRow("travel", "Reise", 3, Decimal("0.00"), Decimal("450.25")),
        ],
        spent_total=Decimal("2450.25"),
        spent_on_placed=Decimal("1300.00"),
        cost_per_placement_placed=Decimal("100.00"),
        cost_per_placement_all=Decimal("188.48"),
    )


def _fairness() -> list[FairnessTable]:
    return [
        FairnessTable(
            "gender",
            "Geschlecht",
            [
                FairnessRow(
                    "female",
                    "weiblich",
                    400,
                    [
                        StepRate("shortlisted", 100, 0.25, 1.0, False),
                        StepRate("introduced", 40, 0.1, 0.625, True),
                        StepRate("placed", 10, 0.025, 0.8, False),
                    ],
                ),
                FairnessRow(
                    "male",
                    "männlich",
                    600,
                    [
                        StepRate("shortlisted", 120, 0.2, 0.8, False),
                        StepRate("introduced", 96, 0.16, 1.0, False),
                        StepRate("placed", 18, 0.03, 1.0, False),
                    ],
                ),
                FairnessRow(
                    "diverse",
                    "divers",
                    3,
                    [
                        StepRate("shortlisted", 2, None, None, False),
                        StepRate("introduced", 1, None, None, False),
                        StepRate("placed", 0, None, None, False),
                    ],
                ),
            ],
        )
    ]


@pytest.fixture
def figures(monkeypatch):
    seen = []

    def build(filters):
        seen.append(filters)
        return Report(**{**_report().__dict__, "filters": filters})

    monkeypatch.setattr("matching.report_views.report_build", build)
    monkeypatch.setattr("matching.report_views.fairness_tables", lambda filters: _fairness())
    return seen


def test_figures_are_rendered_in_german_formats(client, case_worker, figures):
    client.force_login(case_worker)

    html = client.get(reverse(PAGE), {"start": "2026-01-01", "end": "2026-03-31"}).content.decode()

    assert "1.234" in html  # active candidates, grouped
    assert "87,5" in html
    assert "40,2" in html
    assert "75,0\u00a0%" in html  # retention share
    assert 'data-testid="costs-committed">12.345,50\u00a0€' in html
    assert 'data-testid="costs-spent">2.450,25\u00a0€' in html
    assert 'data-testid="cost-per-placement-placed">100,00\u00a0€' in html
    assert 'data-testid="cost-per-placement-all">188,48\u00a0€' in html
    assert "0,62" in html  # a ratio to the best
    assert "keine Antwort &lt;b&gt;" in html  # labels are escaped
    assert "Keine Vermittlungen in diesem Zeitraum." not in html


def test_small_counts_by_group_read_less_than_five(client, case_worker, figures):
    client.force_login(case_worker)

    response = client.get(reverse(PAGE), PERIOD)

    html = response.content.decode()
    funnel = html.split('id="funnel"')[1].split("</table>")[0]
    assert '<td class="text-end">&lt; 5</td>' in funnel  # 3 abroad, 4 introduced abroad
    assert ">3<" not in funnel
    assert ">4<" not in funnel
    fairness = html.split('id="fairness-gender-table"')[1].split("</table>")[0]
    diverse = fairness.split("divers")[1].split("</tr>")[0]
    assert diverse.count("&lt; 5") == 3  # the group's total and its two non-zero counts
    assert ">0<" in diverse  # a zero stays 0


def test_the_small_counts_note_says_what_the_tables_do(client, case_worker, figures):
    """The tables show 1 to 4 as "< 5" and a zero as 0: the note above them says both."""
    client.force_login(case_worker)

    html = client.get(reverse(PAGE), PERIOD).content.decode()

    note = html.split('id="small-counts-note">')[1].split("</p>")[0]
    assert "von 1 bis 4 als „&lt; 5“" in note
    assert "Anzahl von 0 steht als 0" in note
    assert "unter 5" not in note  # a 0 is under 5 too, and reads 0


@pytest.mark.parametrize(("language", "heading"), [("de", "Fällig"), ("en", "Due"), ("ar", "المستحقة")])
def test_the_retention_table_heads_its_counts_due_not_a_date(client, case_worker, figures, language, heading):
    """The column counts the follow-ups due; the introduction form's "Due" is a date ("Fällig am")."""
    client.force_login(case_worker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    html = client.get(reverse(PAGE), PERIOD).content.decode()

    table = html.split('id="retention"')[1].split("</thead>")[0]
    assert f'<th scope="col" class="text-end">{heading}</th>' in table
    assert "Fällig am" not in table
    with translation.override("de"):
        assert str(NextStepForm().fields["due"].label) == "Fällig am"


def test_groups_below_four_fifths_are_flagged_in_words(client, case_worker, figures):
    client.force_login(case_worker)

    html = client.get(reverse(PAGE), PERIOD).content.decode()

    fairness = html.split('id="fairness-gender-table"')[1].split("</table>")[0]
    assert fairness.count('data-testid="flag"') == 1
    assert "unter vier Fünfteln" in fairness
    assert "1 Gruppe unter vier Fünfteln" in html
    assert "KI-Verordnung" in html
    assert "<caption" in fairness
    assert 'scope="colgroup"' in fairness
    assert 'scope="row"' in fairness


def test_charts_are_svg_images_with_a_title_beside_their_tables(client, case_worker, figures):
    client.force_login(case_worker)

    html = client.get(reverse(PAGE), PERIOD).content.decode()

    for chart in ("chart-funnel", "chart-months", "chart-costs"):
        svg = html.split(f'id="{chart}"')[1].split("</svg>")[0]
        assert f'<title id="{chart}-title">' in svg
        assert f'<desc id="{chart}-desc">' in svg
    assert html.count('role="img"') == 3
    assert 'aria-labelledby="chart-funnel-title chart-funnel-desc"' in html
    assert 'viewBox="0 0 560.0' in html
    # Its drawn size as its width (the CSS shrinks it to a narrower column); no style attribute,
    # which the Content-Security-Policy would refuse.
    assert 'width="644"' in html
    assert "style=" not in html.split('id="chart-funnel"')[0].rsplit("<svg", 1)[1]
    # The numbers of the charts are in the tables too.
    assert 'id="placements-by-month"' in html
    assert 'id="costs"' in html
    assert 'id="funnel"' in html


def test_every_table_has_a_caption_and_header_scopes(client, case_worker, figures):
    client.force_login(case_worker)

    html = client.get(reverse(PAGE), PERIOD).content.decode()

    tables = html.split("<table")[1:]
    assert len(tables) == 10
    for table in tables:
        assert "<caption" in table.split("</table>")[0]
    assert "<th>" not in html
    assert '<th class="' not in html


# --- the charts on their own ---------------------------------------------------------------------


def test_chart_text_is_escaped():
    svg = report_charts.hbar_chart(
        chart_id="c",
        title="<script>alert(1)</script>",
        desc="a & b",
        categories=['"><img src=x>'],
        series=[report_charts.Series("<i>", [3], ["3"], report_charts.BLUE)],
    )

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<img" not in svg
    assert "&quot;&gt;&lt;img" in svg
    assert "a &amp; b" in svg


def test_small_counts_draw_alike_in_the_funnel_chart():
    with translation.override("de"):
        three = report_charts.funnel_chart([FunnelStep("active", "aktiv", 10, 3, 10)])
        four = report_charts.funnel_chart([FunnelStep("active", "aktiv", 10, 4, 10)])

    assert three == four
    assert "&lt; 5" in three


def test_the_month_chart_labels_at_most_twelve_months_and_each_year():
    months = [MonthCount(datetime.date(2021 + m // 12, 1 + m % 12, 1), m % 3, m % 2) for m in range(60)]

    with translation.override("en"):
        svg = report_charts.placements_chart(months)

    assert svg.count('text-anchor="middle">Jan<') == 5
    for year in range(2021, 2026):
        assert f">{year}<" in svg
    assert svg.count("<rect") > 60


def test_the_month_chart_says_abroad_as_the_table_beside_it_does(client, case_worker, figures):
    """The legend uses the report's words ("im Ausland", the table's column), not a phrase of its own."""
    client.force_login(case_worker)

    html = client.get(reverse(PAGE), PERIOD).content.decode()

    svg = html.split('id="chart-months"')[1].split("</svg>")[0]
    table = html.split('id="placements-by-month"')[1].split("</thead>")[0]
    for words in ("in Deutschland", "im Ausland"):
        assert f">{words}</text>" in svg  # the legend
        assert f">{words}</th>" in table
    assert "Rückkehr ins Ausland" not in html
    assert "Vermittlungen je Monat, in Deutschland und im Ausland" in html


def test_the_charts_are_drawn_left_to_right_on_a_right_to_left_page():
    # An SVG text inherits the page's direction: under dir="rtl" a text ends at its x, so the step
    # labels at x=0 left the drawing, the values covered their bars and the legend its swatches.
    funnel = [FunnelStep("active", "aktiv", 10, 3, 7)]
    months = [MonthCount(datetime.date(2026, 1, 1), 1, 2)]
    costs = [CostRow("travel", "Reise", 1, Decimal("10"), Decimal("5"))]

    with translation.override("ar"):
        charts = [
            report_charts.funnel_chart(funnel),
            report_charts.placements_chart(months),
            report_charts.costs_chart(costs),
        ]

    for svg in charts:
        assert 'direction="ltr"' in svg.split(">", 1)[0]


def test_an_empty_chart_does_not_divide_by_zero():
    svg = report_charts.placements_chart([MonthCount(datetime.date(2026, 1, 1), 0, 0)])

    assert "<svg" in svg


# --- exports -------------------------------------------------------------------------------------


def test_figures_csv_parses_back_with_every_section(client, case_worker, figures):
    client.force_login(case_worker)

    response = client.get(reverse("matching:report_figures_csv"), {"start": "2026-01-01", "end": "2026-03-31"})

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="bericht-kennzahlen_2026-01-01_2026-03-31.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Abschnitt", "Angabe", "Wert"]
    cells = {(section, item): value for section, item, value in rows[1:]}
    assert cells[("Filter", "Zeitraum von")] == "2026-01-01"
    assert cells[("Filter", "Berater/in")] == "alle"
    assert cells[("Kandidat/innen je Schritt", "aktiv: insgesamt")] == "1234"
    assert cells[("Kandidat/innen je Schritt", "aktiv: im Ausland")] == "< 5"
    assert cells[("Vermittlungen", "Vermittlungen")] == "13"
    assert cells[("Vermittlungen je Monat", "2026-02: im Ausland")] == "1"
    assert cells[("Dauer von der Aufnahme bis zur Vermittlung", "Median (Tage)")] == "87.5"
    assert cells[("Verbleib", "nach 6 Monaten: Anteil in Arbeit (%)")] == "75.0"
    assert cells[("Verbleib", "nach 12 Monaten: Anteil in Arbeit (%)")] == ""
    assert cells[("Förderkosten", "Sprachkurs: gebunden (€)")] == "12345.50"
    assert cells[("Förderkosten", "Summe: ausgegeben (€)")] == "2450.25"
    assert cells[("Kosten je Vermittlung", "Je Vermittlung, alle Förderung im Zeitraum (€)")] == "188.48"
    fairness = "Fairness: Geschlecht"
    assert cells[(fairness, "divers: aktive Kandidat/innen")] == "< 5"
    introduced = str(Step.INTRODUCED.label)
    assert cells[(fairness, f"weiblich: {introduced}: unter vier Fünfteln")] == "ja"
    assert cells[(fairness, f"weiblich: {introduced}: Verhältnis zur besten Gruppe")] == "0.62"
    assert cells[(fairness, f"männlich: {introduced}: unter vier Fünfteln")] == "nein"


def test_figures_xlsx_has_number_cells(client, case_worker, figures):
    client.force_login(case_worker)

    response = client.get(reverse("matching:report_figures_xlsx"), {"start": "2026-01-01", "end": "2026-03-31"})

    assert 'filename="bericht-kennzahlen_2026-01-01_2026-03-31.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = {(row[0].value, row[1].value): row[2] for row in sheet.iter_rows(min_row=2)}
    active = cells[("Kandidat/innen je Schritt", "aktiv: insgesamt")]
    assert active.value == 1234
    assert active.number_format == "#,##0"
    assert cells[("Kandidat/innen je Schritt", "aktiv: im Ausland")].value == "< 5"
    committed = cells[("Förderkosten", "Sprachkurs: gebunden (€)")]
    assert committed.value == pytest.approx(12345.5)
    assert committed.number_format == "#,##0.00"
    assert cells[("Verbleib", "nach 6 Monaten: Anteil in Arbeit (%)")].value == pytest.approx(75.0)
    assert cells[("Filter", "Zeitraum bis (einschließlich)")].value == datetime.datetime(2026, 3, 31)


def test_each_export_writes_an_audit_row(client, case_worker, figures):
    client.force_login(case_worker)

    for name in EXPORTS:
        _content(client.get(reverse(name), {**PERIOD, "where": "germany"}))

    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("pk"))
    assert len(events) == 4
    assert {event.actor for event in events} == {case_worker}
    assert {event.target_type for event in events} == {"matching.report"}
    assert [event.summary_data["params"]["format"] for event in events] == ["csv", "xlsx", "csv", "xlsx"]
    assert all("where=germany" in event.summary_data["params"]["filter"] for event in events)
    assert "2026-01-01" in events[0].summary
    assert "2026-06-30" in events[0].summary


ROWS = [
    ["P-0001", "25-34", "SY", datetime.date(2026, 2, 1), Decimal("120.50"), 3],
    ["P-0002", "=cmd|' /C calc'!A0", "AF", None, Decimal("0.00"), 0],
]


@pytest.fixture
def rows(monkeypatch):
    seen = []
    header = ["Nummer", "Altersgruppe", "Staatsangehörigkeit", "Beginn", "Kosten", "Tage"]
    monkeypatch.setattr("matching.report_export.anonymised_header", lambda: header)
    monkeypatch.setattr("matching.report_export.anonymised_rows", lambda filters: seen.append(filters) or iter(ROWS))
    return seen


def test_rows_csv_is_streamed_and_parses_back(client, case_worker, rows):
    client.force_login(case_worker)

    response = client.get(reverse("matching:report_rows_csv"), PERIOD)

    assert response.streaming
    assert 'filename="bericht-datensaetze_2026-01-01_2026-06-30.csv"' in response["Content-Disposition"]
    parsed = list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))
    assert parsed == [
        ["Nummer", "Altersgruppe", "Staatsangehörigkeit", "Beginn", "Kosten", "Tage"],
        ["P-0001", "25-34", "SY", "2026-02-01", "120.50", "3"],
        ["P-0002", "'=cmd|' /C calc'!A0", "AF", "", "0.00", "0"],
    ]
    assert rows == [ReportFilters(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30))]


def test_rows_xlsx_parses_back(client, case_worker, rows):
    client.force_login(case_worker)

    response = client.get(reverse("matching:report_rows_xlsx"), PERIOD)

    assert 'filename="bericht-datensaetze_2026-01-01_2026-06-30.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Nummer"
    assert values[1] == ["P-0001", "25-34", "SY", datetime.datetime(2026, 2, 1), pytest.approx(120.5), 3]
    assert values[2][1] == "'=cmd|' /C calc'!A0"
    assert sheet.cell(row=2, column=5).data_type == "n"


def test_the_rows_export_has_one_anonymised_row_per_introduction(client, case_worker, company_a):
    from tests.employers.factories import PositionFactory
    from tests.matching.factories import introduce

    candidate = CandidateFactory(first_name="Zarifa", last_name="Quandt", case_worker=case_worker)
    introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)
    client.force_login(case_worker)
    year = timezone.localdate().year

    response = client.get(reverse("matching:report_rows_csv"), {"start": f"{year}-01-01", "end": f"{year}-12-31"})

    rows = list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))
    assert len(rows) == 2  # the header and the one introduction
    assert len(rows[0]) == len(rows[1])
    assert "Zarifa" not in str(rows)
    assert "Quandt" not in str(rows)


def test_the_costs_chart_leaves_out_kinds_without_costs():
    svg = report_charts.costs_chart(
        [
            CostRow("travel", "Fahrten", 2, Decimal("0.00"), Decimal("386.40")),
            CostRow("childcare", "Kinderbetreuung", 0, Decimal("0.00"), Decimal("0.00")),
        ]
    )
    assert "Fahrten" in svg
    assert "386,40 €" in svg
    assert "Kinderbetreuung" not in svg


def test_a_small_count_gives_no_rate_away_but_keeps_its_flag(client, case_worker, monkeypatch):
    """1 of 19 men placed: "< 5" with a rate of 5.3 % would say it was one; the flag stays."""
    table = FairnessTable(
        "gender",
        "Geschlecht",
        [
            FairnessRow("female", "weiblich", 25, [StepRate("placed", 7, 0.28, 1.0, False)]),
            FairnessRow("male", "männlich", 19, [StepRate("placed", 1, 1 / 19, 0.188, True)]),
        ],
    )
    monkeypatch.setattr("matching.report_views.fairness_tables", lambda filters: [table])
    monkeypatch.setattr("matching.report_views.report_build", lambda filters: Report(filters))
    client.force_login(case_worker)

    html = client.get(reverse(PAGE), PERIOD).content.decode()
    rows = list(
        csv.reader(
            io.StringIO(_content(client.get(reverse("matching:report_figures_csv"), PERIOD)).decode("utf-8-sig"))
        )
    )

    male = html[html.index("männlich") : html.index("</tr>", html.index("männlich"))]
    assert "&lt; 5" in male
    assert "5,3" not in male
    assert "0,19" not in male
    assert 'data-testid="flag"' in male
    assert "28,0" in html  # the women's 7 of 25 are shown
    cells = {(section, item): value for section, item, value in rows[1:]}
    placed = str(Step.PLACED.label)
    assert cells[("Fairness: Geschlecht", f"männlich: {placed}: Anzahl")] == "< 5"
    assert cells[("Fairness: Geschlecht", f"männlich: {placed}: Quote (%)")] == ""
    assert cells[("Fairness: Geschlecht", f"männlich: {placed}: Verhältnis zur besten Gruppe")] == ""
    assert cells[("Fairness: Geschlecht", f"männlich: {placed}: unter vier Fünfteln")] == "ja"
