"""Support measures through the services: validation, four-eyes approval above and below the
limit, and the budget's arithmetic, also when two case workers plan at the same moment."""

import datetime
import html
import re
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from bridges.models import AuditEvent
from candidates import measures as svc
from candidates.models import Budget, MeasureKind, SupportMeasure
from tests.candidates.factories import CandidateFactory
from tests.factories import CaseWorkerFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2027, 3, 1)


@pytest.fixture
def budget(db):
    return Budget.objects.create(year=2027, kind=MeasureKind.LANGUAGE_COURSE, amount=Decimal("1000.00"))


@pytest.fixture
def candidate(db):
    return CandidateFactory()


def plan(candidate, actor, cost, **kwargs):
    return svc.measure_plan(
        candidate=candidate,
        actor=actor,
        kind=kwargs.pop("kind", MeasureKind.LANGUAGE_COURSE),
        title=kwargs.pop("title", "Deutschkurs B2"),
        start_date=kwargs.pop("start_date", START),
        planned_cost=Decimal(cost),
        **kwargs,
    )


# --- validation ---------------------------------------------------------------------------------


def test_a_measure_is_planned_against_its_budget_and_audited(candidate, case_worker, budget):
    measure = plan(candidate, case_worker, "450.00", provider="VHS Erfurt", closes="Deutsch B1 → B2")

    assert (measure.budget, measure.status, measure.planned_by) == (budget, "planned", case_worker)
    assert svc.budget_figures(budget) == svc.BudgetFigures(Decimal("1000.00"), Decimal("450.00"), Decimal("0.00"))
    assert AuditEvent.objects.filter(target_id=str(candidate.pk), summary__contains="Deutschkurs B2").exists()


@pytest.mark.parametrize(
    ("cost", "end"),
    [("-1.00", None), ("100.00", START - datetime.timedelta(days=1))],
    ids=["negative cost", "end before start"],
)
def test_invalid_measures_are_refused_and_nothing_is_written(candidate, case_worker, budget, cost, end):
    with pytest.raises(ValidationError):
        plan(candidate, case_worker, cost, end_date=end)

    assert not SupportMeasure.objects.exists()


def test_without_a_budget_planning_is_refused(candidate, case_worker, budget):
    with pytest.raises(ValidationError) as error:
        plan(candidate, case_worker, "100.00", kind=MeasureKind.TRAVEL)

    assert error.value.code == "no_budget"


def test_an_employer_cannot_plan(candidate, employer_a, budget):
    with pytest.raises(PermissionDenied):
        plan(candidate, employer_a, "100.00")


# --- the budget ---------------------------------------------------------------------------------


def test_beyond_the_budget_a_case_worker_is_refused_and_an_admin_needs_a_reason(
    candidate, case_worker, admin_user, budget
):
    plan(candidate, case_worker, "800.00")

    with pytest.raises(ValidationError) as refused:
        plan(candidate, case_worker, "300.00")
    with pytest.raises(ValidationError):
        plan(candidate, admin_user, "300.00")
    override = plan(candidate, admin_user, "300.00", over_budget_reason="Prüfung vorgezogen, Mittel aus Q3")

    assert refused.value.code == "over_budget"
    assert override.over_budget_reason == "Prüfung vorgezogen, Mittel aus Q3"
    assert svc.budget_figures(budget).left == Decimal("-100.00")


def test_committed_spent_and_left_follow_the_measures(candidate, case_worker, admin_user, budget):
    other = CaseWorkerFactory()
    done = plan(candidate, case_worker, "300.00")
    cancelled = plan(candidate, case_worker, "200.00")
    plan(candidate, case_worker, "100.00")
    svc.measure_approve(measure=done, actor=other)
    svc.measure_complete(measure=done, actor=case_worker, actual_cost=Decimal("280.50"))
    svc.measure_cancel(measure=cancelled, actor=case_worker)

    figures = svc.budget_figures(budget)

    assert (figures.committed, figures.spent, figures.left) == (
        Decimal("100.00"),
        Decimal("280.50"),
        Decimal("619.50"),
    )


@pytest.mark.django_db(transaction=True)
def test_two_plans_at_the_same_moment_cannot_together_exceed_the_budget(candidate, budget):
    planners = [CaseWorkerFactory(), CaseWorkerFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def act(user):
        try:
            barrier.wait()
            plan(candidate, user, "600.00")
            outcomes.append("planned")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(user,)) for user in planners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["over_budget", "planned"]
    assert SupportMeasure.objects.count() == 1


# --- four eyes and the approval limit -----------------------------------------------------------


def test_the_planner_cannot_approve_their_own_measure(candidate, case_worker, budget):
    measure = plan(candidate, case_worker, "100.00")

    with pytest.raises(ValidationError) as error:
        svc.measure_approve(measure=measure, actor=case_worker)

    assert error.value.code == "four_eyes"
    measure.refresh_from_db()
    assert measure.status == "planned"


def test_below_the_limit_another_case_worker_approves_above_it_only_an_admin(
    candidate, case_worker, admin_user, budget, settings
):
    settings.MEASURE_APPROVAL_LIMIT_EUR = 500
    Budget.objects.filter(pk=budget.pk).update(amount=Decimal("2000.00"))
    colleague = CaseWorkerFactory()
    small = plan(candidate, case_worker, "500.00")
    large = plan(candidate, case_worker, "500.01")

    svc.measure_approve(measure=small, actor=colleague)
    with pytest.raises(ValidationError) as error:
        svc.measure_approve(measure=large, actor=colleague)
    svc.measure_approve(measure=large, actor=admin_user)

    small.refresh_from_db()
    large.refresh_from_db()
    assert error.value.code == "limit"
    assert (small.status, small.approved_by) == ("approved", colleague)
    assert (large.status, large.approved_by) == ("approved", admin_user)


def test_the_database_refuses_an_approval_by_the_planner(candidate, case_worker, budget):
    measure = plan(candidate, case_worker, "100.00")

    with pytest.raises(IntegrityError), transaction.atomic():
        SupportMeasure.objects.filter(pk=measure.pk).update(approved_by=case_worker, status="approved")

    measure.refresh_from_db()
    assert measure.approved_by is None


def test_a_measure_moves_only_along_its_states(candidate, case_worker, budget):
    colleague = CaseWorkerFactory()
    measure = plan(candidate, case_worker, "100.00")

    with pytest.raises(ValidationError):
        svc.measure_complete(measure=measure, actor=case_worker, actual_cost=Decimal("90"))
    svc.measure_approve(measure=measure, actor=colleague)
    with pytest.raises(ValidationError):
        svc.measure_complete(measure=measure, actor=case_worker, actual_cost=Decimal("-1"))
    svc.measure_complete(measure=measure, actor=case_worker, actual_cost=Decimal("90"))
    with pytest.raises(ValidationError):
        svc.measure_cancel(measure=measure, actor=case_worker)

    measure.refresh_from_db()
    assert (measure.status, measure.actual_cost) == ("done", Decimal("90.00"))


def test_the_admin_lists_budgets_with_committed_spent_and_left_and_measures_read_only(
    client, candidate, case_worker, admin_user, budget, django_assert_max_num_queries
):
    for year in (2028, 2029):
        Budget.objects.create(year=year, kind=MeasureKind.TRAVEL, amount=Decimal("50.00"))
    done = plan(candidate, case_worker, "300.00")
    svc.measure_approve(measure=done, actor=admin_user)
    svc.measure_complete(measure=done, actor=case_worker, actual_cost=Decimal("250.00"))
    plan(candidate, case_worker, "100.00")
    client.force_login(admin_user)

    with django_assert_max_num_queries(12):
        page = client.get("/admin/candidates/budget/").content.decode()

    assert "1.000,00 €" in page  # amount
    assert "100,00 €" in page  # committed
    assert "250,00 €" in page  # spent
    assert "650,00 €" in page  # left
    assert client.get("/admin/candidates/supportmeasure/").status_code == 200
    assert client.get("/admin/candidates/supportmeasure/add/").status_code == 403


def test_case_workers_and_employers_do_not_reach_the_budget_admin(client, case_worker, employer_a):
    for user in (case_worker, employer_a):
        client.force_login(user)
        assert client.get("/admin/candidates/budget/").status_code in (302, 403)


# --- the candidate page -------------------------------------------------------------------------


def _plan_data(**overrides) -> dict:
    data = {
        "kind": MeasureKind.LANGUAGE_COURSE,
        "title": "Deutschkurs B2",
        "provider": "VHS Erfurt",
        "start_date": START.isoformat(),
        "end_date": "",
        "planned_cost": "450.00",
        "closes": "Deutsch B1 → B2",
    }
    data.update(overrides)
    return data


def test_a_case_worker_plans_on_the_candidate_page_and_a_colleague_approves(client, candidate, case_worker, budget):
    client.force_login(case_worker)

    response = client.post(reverse("candidates:measure_plan", args=[candidate.pk]), _plan_data())
    measure = SupportMeasure.objects.get()
    own = client.post(reverse("candidates:measure_approve", args=[candidate.pk, measure.pk]), follow=True)
    page = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    client.force_login(CaseWorkerFactory())
    client.post(reverse("candidates:measure_approve", args=[candidate.pk, measure.pk]))

    assert response.status_code == 302
    assert response["Location"].endswith("#measures")
    assert "Deutschkurs B2" in page
    assert "550,00&nbsp;€" in page  # what is left of the budget, the amount and its sign kept together
    assert "geplant" in own.content.decode()
    measure.refresh_from_db()
    assert measure.status == "approved"


def test_planning_beyond_the_budget_on_the_page_is_refused_and_writes_nothing(client, candidate, case_worker, budget):
    client.force_login(case_worker)

    response = client.post(reverse("candidates:measure_plan", args=[candidate.pk]), _plan_data(planned_cost="1000.01"))
    invalid = client.post(reverse("candidates:measure_plan", args=[candidate.pk]), _plan_data(planned_cost="-5"))

    assert response.status_code == 400
    assert "nur noch 1.000,00 €" in response.content.decode()
    assert invalid.status_code == 400
    assert not SupportMeasure.objects.exists()
    # The form sits far down the page: its errors are summarised above it, where the focus goes, once.
    page = invalid.content.decode()
    summary = page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Kosten können nicht negativ sein." in summary
    assert page.count("Kosten können nicht negativ sein.") == 1


def test_done_and_cancel_on_the_page(client, candidate, case_worker, admin_user, budget):
    first = plan(candidate, case_worker, "200.00")
    second = plan(candidate, case_worker, "100.00")
    svc.measure_approve(measure=first, actor=admin_user)
    client.force_login(case_worker)

    bad = client.post(reverse("candidates:measure_complete", args=[candidate.pk, first.pk]), {"actual_cost": "-1"})
    client.post(reverse("candidates:measure_complete", args=[candidate.pk, first.pk]), {"actual_cost": "180.00"})
    client.post(reverse("candidates:measure_cancel", args=[candidate.pk, second.pk]))

    assert bad.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.actual_cost, second.status) == ("done", Decimal("180.00"), "cancelled")


def test_another_candidates_measure_is_404(client, candidate, case_worker, budget):
    measure = plan(CandidateFactory(), case_worker, "100.00")
    client.force_login(CaseWorkerFactory())

    for name in ("candidates:measure_approve", "candidates:measure_cancel", "candidates:measure_complete"):
        assert client.post(reverse(name, args=[candidate.pk, measure.pk]), {"actual_cost": "1"}).status_code == 404
    measure.refresh_from_db()
    assert measure.status == "planned"


MEASURE_URLS = ["measure_plan", "measure_approve", "measure_complete", "measure_cancel"]


def _measure_url(name, candidate, measure) -> str:
    args = [candidate.pk] if name == "measure_plan" else [candidate.pk, measure.pk]
    return reverse(f"candidates:{name}", args=args)


@pytest.mark.parametrize("name", MEASURE_URLS)
def test_anonymous_is_sent_to_login_and_employers_get_403(
    client, candidate, case_worker, employer_a, employer_b, budget, name
):
    measure = plan(candidate, case_worker, "100.00")
    url = _measure_url(name, candidate, measure)

    anonymous = client.post(url, _plan_data())
    answers = []
    for user in (employer_a, employer_b):
        client.force_login(user)
        answers.append(client.post(url, {**_plan_data(), "actual_cost": "1"}).status_code)

    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert answers == [403, 403]
    assert SupportMeasure.objects.count() == 1
    measure.refresh_from_db()
    assert measure.status == "planned"


@pytest.mark.parametrize("name", MEASURE_URLS)
def test_case_workers_and_admins_reach_every_measure_action(client, candidate, case_worker, admin_user, budget, name):
    measure = plan(candidate, CaseWorkerFactory(), "100.00")
    if name == "measure_complete":
        svc.measure_approve(measure=measure, actor=admin_user)

    for user in (case_worker, admin_user):
        client.force_login(user)
        response = client.post(
            _measure_url(name, candidate, measure), {**_plan_data(planned_cost="10"), "actual_cost": "1"}
        )
        assert response.status_code == 302, (user, response.status_code)
    assert client.get(_measure_url(name, candidate, measure)).status_code == 405


# --- from an explanation's gap to a planned measure ---------------------------------------------


def test_a_gap_in_the_explanation_becomes_a_planned_measure_in_one_step(
    client, case_worker, company_a, budget, monkeypatch
):
    from matching import explain
    from tests.employers.factories import PositionFactory
    from tests.matching.factories import MatchFactory, explanation

    monkeypatch.setattr(explain, "live_explainer", lambda: None)  # the stored explanation, whatever is live
    position = PositionFactory(employer=company_a, title="Schweißer/in")
    candidate = CandidateFactory()
    MatchFactory(
        candidate=candidate,
        position=position,
        explanation=explanation(
            language_gaps=[{"language": "de", "required": 4, "has": 3, "required_flag": True}],
            support=["language_course"],
        ),
    )
    client.force_login(case_worker)

    page = client.get(reverse("matching:explain", args=[candidate.pk, position.pk])).content.decode()
    link = re.search(r'href="([^"]+)"\s+data-testid="plan-measure"|data-testid="plan-measure"\s+href="([^"]+)"', page)
    url = html.unescape(next(group for group in link.groups() if group))
    form = client.get(url).context["measure_form"]
    data = {**_plan_data(), **{key: value for key, value in form.initial.items() if key != "title"}}
    client.post(reverse("candidates:measure_plan", args=[candidate.pk]), data)

    assert form.initial["kind"] == MeasureKind.LANGUAGE_COURSE
    assert form.initial["position"] == position.pk
    assert form.initial["closes"].startswith("Sprachkurs")
    measure = SupportMeasure.objects.get()
    assert (measure.kind, measure.position, measure.closes) == (
        MeasureKind.LANGUAGE_COURSE,
        position,
        form.initial["closes"],
    )


# --- the introduction it serves, its documents, the timeline -------------------------------------


@pytest.fixture
def introduction(candidate, case_worker, company_a):
    from tests.employers.factories import PositionFactory
    from tests.matching.factories import introduce

    return introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)


def test_a_measure_for_an_introduction_takes_its_position(candidate, case_worker, budget, introduction):
    measure = plan(candidate, case_worker, "100.00", introduction=introduction)
    assert (measure.introduction, measure.position) == (introduction, introduction.position)


def test_another_candidates_introduction_is_refused(case_worker, budget, introduction):
    with pytest.raises(ValidationError) as error:
        plan(CandidateFactory(), case_worker, "100.00", introduction=introduction)
    assert "introduction" in error.value.message_dict
    assert not SupportMeasure.objects.exists()


def test_done_and_cancelled_record_who_and_when(candidate, case_worker, admin_user, budget):
    done = svc.measure_approve(measure=plan(candidate, case_worker, "200.00"), actor=admin_user)
    svc.measure_complete(measure=done, actor=case_worker, actual_cost=Decimal("190.00"))
    cancelled = svc.measure_cancel(measure=plan(candidate, case_worker, "50.00"), actor=admin_user)
    done.refresh_from_db()
    assert (done.closed_by, cancelled.closed_by) == (case_worker, admin_user)
    assert done.closed_at is not None
    assert cancelled.closed_at is not None


def test_the_measure_form_offers_only_this_candidates_introductions(client, candidate, case_worker, introduction):
    from tests.employers.factories import PositionFactory
    from tests.matching.factories import introduce

    other = introduce(candidate=CandidateFactory(), position=PositionFactory(), actor=case_worker)
    client.force_login(case_worker)
    query = f"?measure_introduction={introduction.pk}&measure_position={introduction.position_id}"

    page = client.get(reverse("candidates:detail", args=[candidate.pk]) + query).content.decode()
    posted = client.post(
        reverse("candidates:measure_plan", args=[candidate.pk]), _plan_data(introduction=str(other.pk))
    )

    assert re.search(rf'<option value="{introduction.pk}" selected>', page)
    assert f'<option value="{other.pk}"' not in page
    assert posted.status_code == 400
    assert not SupportMeasure.objects.exists()


def test_the_introduction_page_links_to_planning_a_measure_for_it(client, case_worker, introduction):
    client.force_login(case_worker)
    page = client.get(reverse("matching:introduction", args=[introduction.pk])).content.decode()
    assert f"?measure_introduction={introduction.pk}&amp;measure_position={introduction.position_id}#measures" in page


def test_an_invoice_is_uploaded_for_a_measure_and_downloaded_only_through_the_document_view(
    client, candidate, case_worker, admin_user, employer_a, budget, private_media
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.candidates.factories import PDF_BYTES

    measure = svc.measure_approve(measure=plan(candidate, case_worker, "200.00"), actor=admin_user)
    client.force_login(case_worker)
    upload = reverse("candidates:document_upload", args=[candidate.pk])

    form = client.get(f"{upload}?measure={measure.pk}&kind=invoice").content.decode()
    response = client.post(
        upload,
        {
            "kind": "invoice",
            "title": "Rechnung VHS",
            "measure": measure.pk,
            "file": SimpleUploadedFile("r.pdf", PDF_BYTES),
        },
    )
    document = measure.documents.get()
    page = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    download = reverse("candidates:document_download", args=[candidate.pk, document.pk])
    fetched = client.get(download)
    client.force_login(employer_a)
    refused = client.get(download)
    client.logout()
    anonymous = client.get(download)

    assert re.search(rf'<option value="{measure.pk}" selected>', form)
    assert response["Location"].endswith("#measures")
    assert (document.kind, document.candidate) == ("invoice", candidate)
    assert f'href="{download}">Rechnung VHS</a> (Rechnung' in page
    assert b"".join(fetched.streaming_content) == PDF_BYTES
    assert refused.status_code == 403  # employers never reach a candidate's documents
    assert anonymous.status_code == 302


def test_a_document_cannot_be_filed_under_another_candidates_measure(candidate, case_worker, budget, private_media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from candidates import documents
    from tests.candidates.factories import PDF_BYTES, pdf_document

    foreign = plan(CandidateFactory(), case_worker, "100.00")
    upload = SimpleUploadedFile("x.pdf", PDF_BYTES)
    with pytest.raises(ValidationError):
        documents.document_add(
            candidate=candidate, uploaded_file=upload, kind="offer", title="", actor=case_worker, measure=foreign
        )
    assert not candidate.documents.exists()
    assert pdf_document(candidate, case_worker).measure is None


def test_the_candidates_timeline_shows_each_step_of_a_measure(
    client, candidate, case_worker, admin_user, budget, introduction
):
    measure = svc.measure_approve(
        measure=plan(candidate, case_worker, "200.00", introduction=introduction), actor=admin_user
    )
    svc.measure_complete(measure=measure, actor=case_worker, actual_cost=Decimal("1234.50"))
    client.force_login(case_worker)

    page = client.get(reverse("matching:candidate_introductions", args=[candidate.pk])).content.decode()
    rows = re.findall(r'data-kind="measure">(.*?)</tr>', page, re.S)

    assert len(rows) == 3
    assert "Fördermaßnahme geplant: Deutschkurs B2" in rows[0]
    assert "Fördermaßnahme genehmigt" in rows[1]
    assert "Fördermaßnahme abgeschlossen" in rows[2]
    assert "1.234,50 €" in rows[2]


def test_the_data_subject_export_gives_every_measure_with_its_documents(
    candidate, case_worker, admin_user, budget, private_media, introduction, django_assert_max_num_queries
):
    import json

    from tests.candidates.factories import pdf_document

    done = svc.measure_approve(
        measure=plan(candidate, case_worker, "200.00", introduction=introduction, provider="VHS"), actor=admin_user
    )
    svc.measure_complete(measure=done, actor=case_worker, actual_cost=Decimal("190.50"))
    svc.measure_cancel(measure=plan(candidate, case_worker, "50.00", title="Fahrt"), actor=case_worker)
    invoice = pdf_document(candidate, case_worker, title="Rechnung", kind="invoice")
    type(invoice).objects.filter(pk=invoice.pk).update(measure=done)
    plan(CandidateFactory(), case_worker, "10.00", title="not theirs")

    with django_assert_max_num_queries(3):
        rows = svc.measures_for_subject(candidate)

    json.dumps(rows)  # plain JSON types only
    assert [(row["title"], row["status"]) for row in rows] == [
        ("Deutschkurs B2", "abgeschlossen"),
        ("Fahrt", "abgesagt"),
    ]
    assert rows[0]["actual_cost_eur"] == "190.50"
    assert rows[0]["provider"] == "VHS"
    assert rows[0]["position"] == introduction.position.title
    assert rows[0]["documents"] == [{"kind": "Rechnung für eine Fördermaßnahme", "name": "Rechnung"}]
    assert rows[0]["approved_by"]
    assert rows[1]["closed_at"]


def test_the_dashboard_lists_the_measures_each_person_may_approve(client, candidate, case_worker, admin_user, budget):
    Budget.objects.create(year=2027, kind=MeasureKind.TRAINING, amount=Decimal("5000.00"))
    small = plan(candidate, case_worker, "120.00", title="Fahrkarte")
    large = plan(candidate, case_worker, "900.00", title="Schweißkurs", kind=MeasureKind.TRAINING)
    colleague = CaseWorkerFactory()

    def listed(user):
        client.force_login(user)
        page = client.get(reverse("matching:dashboard")).content.decode()
        return re.findall(r'data-testid="measure-to-approve">\s*<a href="[^"]+">([^<]+)</a>', page)

    assert listed(case_worker) == []  # never one's own
    assert listed(colleague) == ["Fahrkarte"]  # above the limit only an admin
    assert listed(admin_user) == ["Fahrkarte", "Schweißkurs"]
    svc.measure_approve(measure=large, actor=admin_user)
    svc.measure_cancel(measure=small, actor=admin_user)
    assert listed(admin_user) == []


def test_an_admin_approves_in_the_admin_but_never_their_own(client, candidate, case_worker, admin_user, budget):
    theirs = plan(candidate, case_worker, "700.00", title="Kurs A")
    own = plan(candidate, admin_user, "100.00", title="Kurs B")
    client.force_login(admin_user)

    response = client.post(
        "/admin/candidates/supportmeasure/",
        {"action": "approve", "index": 0, "_selected_action": [theirs.pk, own.pk]},
        follow=True,
    )

    page = response.content.decode()
    theirs.refresh_from_db()
    own.refresh_from_db()
    assert (theirs.status, theirs.approved_by, own.status) == ("approved", admin_user, "planned")
    assert "1 Maßnahme genehmigt." in page
    assert "Kurs B: " in page


def test_a_measure_is_planned_against_the_budget_of_its_funding_source(client, candidate, case_worker, budget):
    client.force_login(case_worker)
    page = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    assert 'name="funding_source"' not in page  # no budget names a source: nothing to choose

    esf = Budget.objects.create(
        year=2027, kind=MeasureKind.LANGUAGE_COURSE, funding_source="ESF Plus", amount=Decimal("300.00")
    )
    page = client.get(reverse("candidates:detail", args=[candidate.pk])).content.decode()
    response = client.post(
        reverse("candidates:measure_plan", args=[candidate.pk]),
        _plan_data(planned_cost="250.00", funding_source="ESF Plus"),
    )
    too_much = client.post(
        reverse("candidates:measure_plan", args=[candidate.pk]),
        _plan_data(planned_cost="60.00", funding_source="ESF Plus"),
    )

    assert '<option value="ESF Plus">ESF Plus</option>' in page
    assert response.status_code == 302
    assert SupportMeasure.objects.get().budget == esf
    assert too_much.status_code == 400  # 50 € left in that source, though the general budget has 1,000 €
    assert svc.budget_figures(budget).committed == Decimal("0.00")
