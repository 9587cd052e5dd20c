"""The employer's side of introductions: the list, the shared profile (exactly what was shared, while
the introduction is open and the consent stands), the shared documents, and the employer's answers
(interested, offer, decline with a reason, interview dates), on real PostgreSQL."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridges.models import AuditEvent, CEFRLevel
from candidates.models import Education, WorkExperience
from candidates.services import consent_withdraw
from matching import introductions as svc
from matching import pipeline, selectors
from matching.models import Interview, IntroductionEvent, SharedSection
from matching.pipeline import Reason, Stage
from tests.candidates.factories import PDF_BYTES, CandidateFactory, CandidateLanguageFactory, pdf_document
from tests.employers.factories import PositionFactory
from tests.matching.factories import MatchFactory, introduce

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _english(client):
    # The assertions read the English source strings; German is the default language.
    client.cookies["django_language"] = "en"


@pytest.fixture
def position(company_a):
    return PositionFactory(employer=company_a, title="Schweißer/in Erfurt")


@pytest.fixture
def candidate(case_worker):
    candidate = CandidateFactory(
        first_name="Amina",
        last_name="Al-Hassan",
        case_worker=case_worker,
        phone="+49 361 5550199",
        email="amina@example.org",
        street="Domplatz 7",
        date_of_birth=datetime.date(1991, 4, 17),
    )
    CandidateLanguageFactory(candidate=candidate, level=CEFRLevel.B2)
    Education.objects.create(candidate=candidate, degree_level="bachelor", field="Maschinenbau-Geheimfach")
    WorkExperience.objects.create(candidate=candidate, job_title="Schweißerin bei Metallbau Aleppo", years=4)
    return candidate


@pytest.fixture
def documents(candidate, case_worker, private_media):
    shared = pdf_document(candidate, case_worker, title="Schweißzertifikat")
    other = pdf_document(candidate, case_worker, title="Ärztliches Gutachten", kind="other")
    return shared, other


@pytest.fixture
def introduction(candidate, position, case_worker, documents):
    return introduce(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=[SharedSection.LANGUAGES, SharedSection.EXPERIENCE],
        documents=[documents[0]],
        message="Frau Al-Hassan kann ab Juni anfangen.",
    )


def _detail(pk):
    return reverse("proposals:detail", kwargs={"pk": pk})


def _document(pk, doc):
    return reverse("proposals:document", kwargs={"pk": pk, "doc": doc})


def _answer(name, pk):
    return reverse(f"proposals:{name}", kwargs={"pk": pk})


def _html(response) -> str:
    return response.content.decode()


def _future(days=7, hour=10, minute=30) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def _slot_data(*slots, comment="") -> dict:
    """POST data of the interview form: slots as (datetime-local text, place, link)."""
    data = {
        "slots-TOTAL_FORMS": "3",
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "3",
        "interview-comment": comment,
    }
    for index, (starts_at, place, link) in enumerate(slots):
        data[f"slots-{index}-starts_at"] = starts_at
        data[f"slots-{index}-place"] = place
        data[f"slots-{index}-online_link"] = link
    return data


def _local(value: datetime.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _walk(introduction, stage, actor):
    path = {
        Stage.PROPOSED: [],
        Stage.INTERESTED: [Stage.INTERESTED],
        Stage.INTERVIEW: [Stage.INTERVIEW],
        Stage.TRIAL: [Stage.INTERVIEW, Stage.TRIAL],
        Stage.OFFER: [Stage.INTERESTED, Stage.OFFER],
    }[stage]
    for step in path:
        introduction = svc.introduction_move(introduction=introduction, to=step, actor=actor)
    return introduction


# --- exactly what was shared ----------------------------------------------------------------------


def test_the_message_and_contact_details_keep_their_own_direction(client, employer_a, candidate, position, case_worker):
    # On an Arabic page a German message ended with its full stop on the left, and a phone number
    # read from its end ("0199 5550 361 49+").
    introduction = introduce(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=[SharedSection.CONTACT],
        documents=[],
        message="Frau Al-Hassan kann ab Juni anfangen.",
    )
    client.force_login(employer_a)

    html = _html(client.get(_detail(introduction.pk)))

    assert (
        '<div class="card-body" data-testid="message" dir="auto"><p>Frau Al-Hassan kann ab Juni anfangen.</p>' in html
    )
    assert '<span dir="ltr">+49 361 5550199</span>' in html
    assert '<a href="mailto:amina@example.org" dir="ltr">amina@example.org</a>' in html


def test_employer_sees_only_the_chosen_sections_and_documents(client, employer_a, introduction, documents):
    client.force_login(employer_a)

    response = client.get(_detail(introduction.pk))

    assert response.status_code == 200
    html = _html(response)
    # Shared: the name, the message, languages, experience, the one document.
    assert "Amina Al-Hassan" in html
    assert "Frau Al-Hassan kann ab Juni anfangen." in html
    assert "German" in html
    assert "B2" in html
    assert "Schweißerin bei Metallbau Aleppo" in html
    assert "Schweißzertifikat" in html
    assert _document(introduction.pk, documents[0].pk) in html
    # Not shared: contact, birth date, residence status, education, the other document.
    for absent in (
        "+49 361 5550199",
        "amina@example.org",
        "Domplatz 7",
        "1991",
        "04/17",
        "17.04.",
        "Residence permit",
        "Residence status",
        "Maschinenbau-Geheimfach",
        "Ärztliches Gutachten",
        _document(introduction.pk, documents[1].pk),
    ):
        assert absent not in html, absent


def test_every_section_appears_when_shared(client, employer_a, candidate, position, case_worker):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker, sections=SharedSection.values)
    client.force_login(employer_a)

    html = _html(client.get(_detail(introduction.pk)))

    for section in SharedSection.values:
        assert f'data-testid="section-{section}"' in html
    assert "+49 361 5550199" in html
    assert "Maschinenbau-Geheimfach" in html
    assert "Residence permit" in html


def test_unshared_related_rows_are_never_loaded(client, employer_a, introduction):
    client.force_login(employer_a)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(_detail(introduction.pk)).status_code == 200

    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "candidates_education" not in sql
    assert "candidates_candidate_skills" not in sql
    assert "candidates_note" not in sql
    assert "candidates_workexperience" in sql  # shared


def test_viewing_the_shared_profile_is_audited(client, employer_a, introduction, candidate):
    client.force_login(employer_a)

    client.get(_detail(introduction.pk))

    event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).latest("at")
    assert (event.actor, event.target_type, event.target_id) == (employer_a, "candidates.candidate", str(candidate.pk))
    assert "Schweißer/in Erfurt" in event.summary


def test_the_shared_document_downloads_like_a_case_workers_download(client, employer_a, introduction, documents):
    client.force_login(employer_a)

    response = client.get(_document(introduction.pk, documents[0].pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(actor=employer_a, action=AuditEvent.Action.DOWNLOAD).count() == 1


def test_a_document_that_was_not_shared_is_a_404(client, employer_a, introduction, documents, case_worker):
    foreign = pdf_document(CandidateFactory(), case_worker, title="Fremd")
    client.force_login(employer_a)

    assert client.get(_document(introduction.pk, documents[1].pk)).status_code == 404
    assert client.get(_document(introduction.pk, foreign.pk)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


# --- only their own organisation ----------------------------------------------------------------


def test_the_list_holds_only_the_own_organisations_introductions(
    client, employer_a, introduction, company_b, case_worker
):
    other = introduce(
        candidate=CandidateFactory(first_name="Omar", last_name="Khalil"),
        position=PositionFactory(employer=company_b, title="Stelle bei B"),
        actor=case_worker,
    )
    client.force_login(employer_a)

    response = client.get(reverse("proposals:list"))

    assert [row.pk for row in response.context["page"].object_list] == [introduction.pk]
    html = _html(response)
    assert "Amina Al-Hassan" in html
    assert "Omar Khalil" not in html
    assert "Stelle bei B" not in html
    assert other.pk not in [row.pk for row in response.context["page"].object_list]


def test_employer_b_gets_404_for_as_introduction_and_documents(client, employer_b, company_b, introduction, documents):
    client.force_login(employer_b)

    assert client.get(_detail(introduction.pk)).status_code == 404
    for document in documents:
        assert client.get(_document(introduction.pk, document.pk)).status_code == 404
    assert client.post(_answer("interested", introduction.pk)).status_code == 404
    assert client.post(_answer("decline", introduction.pk), {"decline-reason": Reason.TIMING}).status_code == 404
    assert (
        client.post(_answer("interviews", introduction.pk), _slot_data((_local(_future()), "Erfurt", ""))).status_code
        == 404
    )
    introduction.refresh_from_db()
    assert introduction.stage == Stage.PROPOSED
    assert not Interview.objects.exists()


def test_the_position_filter_cannot_reach_another_organisation(
    client, employer_a, introduction, company_b, case_worker
):
    foreign = PositionFactory(employer=company_b)
    introduce(candidate=CandidateFactory(), position=foreign, actor=case_worker)
    client.force_login(employer_a)

    response = client.get(reverse("proposals:list"), {"position": foreign.pk})

    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].object_list] == [introduction.pk]
    assert "Select a valid choice" in _html(response)


# --- consent withdrawn or introduction closed: gone at the next request ---------------------------


def _assert_no_longer_shared(client, introduction, documents):
    assert client.get(_detail(introduction.pk)).status_code == 404
    assert client.get(_document(introduction.pk, documents[0].pk)).status_code == 404
    response = client.get(reverse("proposals:list"), {"stage": "all"})
    html = _html(response)
    assert "Amina Al-Hassan" not in html
    assert "no longer shared" in html
    reference = selectors.employer_references(position=introduction.position, also=[introduction.candidate_id])
    assert f"Candidate no. {reference[introduction.candidate_id]}" in html
    assert client.post(_answer("interested", introduction.pk)).status_code == 404


def test_withdrawn_consent_hides_the_shared_data_at_the_next_request(
    client, employer_a, introduction, documents, candidate, case_worker
):
    client.force_login(employer_a)
    assert client.get(_detail(introduction.pk)).status_code == 200

    consent_withdraw(consent=candidate.consents.get(), actor=case_worker)

    _assert_no_longer_shared(client, introduction, documents)


def test_a_closed_introduction_hides_the_shared_data(client, employer_a, introduction, documents, case_worker):
    client.force_login(employer_a)
    assert client.get(_detail(introduction.pk)).status_code == 200

    svc.introduction_move(introduction=introduction, to=Stage.CLOSED, actor=case_worker, reason=Reason.POSITION_FILLED)

    _assert_no_longer_shared(client, introduction, documents)


def test_the_reference_is_the_one_of_the_match_summaries(client, employer_a, introduction, candidate, case_worker):
    MatchFactory(candidate=candidate, position=introduction.position)
    for _ in range(3):
        MatchFactory(position=introduction.position)
    consent_withdraw(consent=candidate.consents.get(), actor=case_worker)
    client.force_login(employer_a)

    response = client.get(reverse("proposals:list"))

    row = response.context["page"].object_list[0]
    assert row.reference == selectors.employer_references(position=introduction.position)[candidate.pk]


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_filters_by_position_and_stage_newest_first(client, employer_a, company_a, case_worker, introduction):
    other_position = PositionFactory(employer=company_a, title="Lagerist/in")
    newer = introduce(candidate=CandidateFactory(), position=other_position, actor=case_worker)
    closed = introduce(candidate=CandidateFactory(), position=other_position, actor=case_worker)
    svc.introduction_move(introduction=closed, to=Stage.DECLINED, actor=employer_a, reason=Reason.TIMING)
    client.force_login(employer_a)

    def listed(**params):
        return [row.pk for row in client.get(reverse("proposals:list"), params).context["page"].object_list]

    assert listed() == [newer.pk, introduction.pk]  # open ones by default, newest first
    assert listed(stage="all") == [closed.pk, newer.pk, introduction.pk]
    assert listed(stage="all", position=other_position.pk) == [closed.pk, newer.pk]
    assert listed(position=introduction.position_id) == [introduction.pk]
    svc.introduction_move(introduction=newer, to=Stage.INTERESTED, actor=employer_a)
    assert listed(stage="waiting") == [introduction.pk]


def test_the_list_issues_a_constant_number_of_queries(
    client, employer_a, company_a, case_worker, django_assert_max_num_queries
):
    position = PositionFactory(employer=company_a)
    client.force_login(employer_a)

    def add(count):
        for _ in range(count):
            candidate = CandidateFactory()
            made = introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)
            MatchFactory(candidate=candidate, position=made.position)
        hidden = introduce(candidate=CandidateFactory(), position=position, actor=case_worker)
        consent_withdraw(consent=hidden.candidate.consents.get(), actor=case_worker)

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("proposals:list"), {"stage": "all"}).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("proposals:list"), {"stage": "all"})
    assert len(response.context["page"].object_list) == 24


def test_the_list_pages(client, employer_a, company_a, case_worker):
    position = PositionFactory(employer=company_a)
    for _ in range(26):
        introduce(candidate=CandidateFactory(), position=position, actor=case_worker)
    client.force_login(employer_a)

    first = client.get(reverse("proposals:list"))
    second = client.get(reverse("proposals:list"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 1


def test_a_user_without_a_company_sees_an_empty_list(client, employer_a):
    client.force_login(employer_a)

    response = client.get(reverse("proposals:list"))

    assert response.status_code == 200
    assert not response.context["page"].object_list


# --- the employer's answers ---------------------------------------------------------------------


def test_interested_moves_the_stage_and_writes_the_timeline(client, employer_a, introduction):
    client.force_login(employer_a)

    response = client.post(_answer("interested", introduction.pk), {"interested-comment": "Gern ein Gespräch."})

    assert response.status_code == 302
    assert response.url == _detail(introduction.pk)
    introduction.refresh_from_db()
    assert introduction.stage == Stage.INTERESTED
    event = introduction.events.filter(kind=IntroductionEvent.Kind.STAGE).last()
    assert (event.from_stage, event.to_stage, event.actor, event.comment) == (
        Stage.PROPOSED,
        Stage.INTERESTED,
        employer_a,
        "Gern ein Gespräch.",
    )
    page = client.get(response.url)
    assert "the programme knows you are interested" in _html(page)
    assert "Gern ein Gespräch." in _html(page)


def test_an_offer_after_interest(client, employer_a, introduction, case_worker):
    _walk(introduction, Stage.INTERESTED, case_worker)
    client.force_login(employer_a)

    response = client.post(_answer("offer", introduction.pk), {"offer-comment": ""})

    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.stage == Stage.OFFER


def test_decline_with_a_reason_closes_the_introduction(client, employer_a, introduction):
    client.force_login(employer_a)

    response = client.post(
        _answer("decline", introduction.pk), {"decline-reason": Reason.LANGUAGE, "decline-comment": "Deutsch B2 nötig"}
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("proposals:list"))
    introduction.refresh_from_db()
    assert (introduction.stage, introduction.close_reason) == (Stage.DECLINED, Reason.LANGUAGE)
    event = introduction.events.last()
    assert (event.to_stage, event.reason, event.comment, event.actor) == (
        Stage.DECLINED,
        Reason.LANGUAGE,
        "Deutsch B2 nötig",
        employer_a,
    )
    assert client.get(_detail(introduction.pk)).status_code == 404


def test_proposing_interview_dates(client, employer_a, introduction):
    first, second = _future(7, 10, 30), _future(8, 14, 0)
    client.force_login(employer_a)

    response = client.post(
        _answer("interviews", introduction.pk),
        _slot_data(
            (_local(first), "Werk 2, Erfurt", ""),
            (_local(second), "", "https://meet.example/abc"),
            comment="Fragen Sie nach Frau Weber.",
        ),
    )

    assert response.status_code == 302
    interviews = list(Interview.objects.filter(introduction=introduction).order_by("starts_at"))
    # Read as Berlin time, whatever the server's clock zone.
    assert [i.starts_at for i in interviews] == [first, second]
    assert [(i.place, i.online_link, i.status, i.proposed_by) for i in interviews] == [
        ("Werk 2, Erfurt", "", Interview.Status.PROPOSED, employer_a),
        ("", "https://meet.example/abc", Interview.Status.PROPOSED, employer_a),
    ]
    introduction.refresh_from_db()
    assert introduction.stage == Stage.INTERESTED  # a proposal says the employer is interested
    kinds = list(introduction.events.values_list("kind", flat=True))
    assert kinds[-2:] == [IntroductionEvent.Kind.STAGE, IntroductionEvent.Kind.INTERVIEW_PROPOSED]
    html = _html(client.get(_detail(introduction.pk)))
    assert "Werk 2, Erfurt" in html
    assert "https://meet.example/abc" in html
    assert html.count('data-testid="interview"') == 2


def test_the_page_shows_proposed_confirmed_and_lapsed_interviews(client, employer_a, introduction, case_worker):
    proposed = svc.interviews_propose(
        introduction=introduction,
        actor=employer_a,
        slots=[svc.Slot(_future(5), place="Halle 1"), svc.Slot(_future(6), place="Halle 2")],
    )
    svc.interview_confirm(interview=proposed[1], actor=case_worker)
    client.force_login(employer_a)

    html = _html(client.get(_detail(introduction.pk)))

    assert "confirmed" in html
    assert "not chosen" in html
    assert "Interview confirmed" in html


# --- invalid answers: 400, a clear message, nothing written -------------------------------------


def _nothing_written(introduction, events):
    introduction.refresh_from_db()
    assert introduction.stage == Stage.PROPOSED
    assert introduction.events.count() == events
    assert not Interview.objects.exists()


def test_decline_without_a_reason_is_refused(client, employer_a, introduction):
    events = introduction.events.count()
    client.force_login(employer_a)

    response = client.post(_answer("decline", introduction.pk), {"decline-reason": "", "decline-comment": "nein"})

    assert response.status_code == 400
    assert "a decline is recorded only with its reason" in _html(response)
    assert "Your answer was not recorded" in _html(response)
    _nothing_written(introduction, events)


def test_decline_with_a_reason_of_another_stage_is_refused(client, employer_a, introduction):
    events = introduction.events.count()
    client.force_login(employer_a)

    response = client.post(_answer("decline", introduction.pk), {"decline-reason": Reason.CANDIDATE_WITHDREW})

    assert response.status_code == 400
    _nothing_written(introduction, events)


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        ((_local(timezone.now() - datetime.timedelta(days=1)), "Erfurt", ""), "Propose a date in the future."),
        ((_local(_future()), "", ""), "Give a place or an online link."),
        (("", "Erfurt", ""), "Give the date and time."),
        (("morgen", "Erfurt", ""), "Enter a valid date/time."),
        ((_local(_future()), "", "kein link"), "Enter a valid URL."),
    ],
)
def test_an_invalid_interview_date_is_refused(client, employer_a, introduction, slot, message):
    events = introduction.events.count()
    client.force_login(employer_a)

    response = client.post(_answer("interviews", introduction.pk), _slot_data(slot))

    assert response.status_code == 400
    assert message in _html(response)
    _nothing_written(introduction, events)


def test_an_interview_proposal_without_any_date_is_refused(client, employer_a, introduction):
    events = introduction.events.count()
    client.force_login(employer_a)

    response = client.post(_answer("interviews", introduction.pk), _slot_data(comment="Wann passt es?"))

    assert response.status_code == 400
    assert "Propose at least one date." in _html(response)
    _nothing_written(introduction, events)


def test_one_bad_date_among_good_ones_writes_nothing(client, employer_a, introduction):
    events = introduction.events.count()
    client.force_login(employer_a)

    response = client.post(
        _answer("interviews", introduction.pk),
        _slot_data((_local(_future()), "Erfurt", ""), (_local(_future(9)), "", "")),
    )

    assert response.status_code == 400
    _nothing_written(introduction, events)


def test_a_move_the_table_does_not_allow_is_refused_with_its_reason(client, employer_a, introduction, case_worker):
    _walk(introduction, Stage.OFFER, case_worker)
    events = introduction.events.count()
    client.force_login(employer_a)

    response = client.post(_answer("interested", introduction.pk))

    assert response.status_code == 400
    assert "cannot move to" in _html(response)
    introduction.refresh_from_db()
    assert introduction.stage == Stage.OFFER
    assert introduction.events.count() == events


def test_interview_dates_after_an_offer_are_refused(client, employer_a, introduction, case_worker):
    _walk(introduction, Stage.OFFER, case_worker)
    client.force_login(employer_a)

    response = client.post(_answer("interviews", introduction.pk), _slot_data((_local(_future()), "Erfurt", "")))

    assert response.status_code == 400
    assert "Interviews can be proposed only before an offer." in _html(response)
    assert not Interview.objects.exists()


# --- the buttons follow the transition table ----------------------------------------------------


@pytest.mark.parametrize("stage", pipeline.OPEN_STAGES)
def test_the_answers_shown_follow_the_table(client, employer_a, introduction, case_worker, stage):
    _walk(introduction, stage, case_worker)
    client.force_login(employer_a)

    html = _html(client.get(_detail(introduction.pk)))

    allowed = pipeline.allowed(stage, actor=pipeline.EMPLOYER)
    assert (_answer("interested", introduction.pk) in html) == (Stage.INTERESTED in allowed)
    assert (_answer("offer", introduction.pk) in html) == (Stage.OFFER in allowed)
    assert (_answer("decline", introduction.pk) in html) == (Stage.DECLINED in allowed)
    assert (_answer("interviews", introduction.pk) in html) == (stage in svc.INTERVIEW_STAGES)


def test_the_decline_form_offers_the_declines_reasons_only(client, employer_a, introduction):
    client.force_login(employer_a)

    form = client.get(_detail(introduction.pk)).context["forms"]["decline"]

    assert [code for code, _label in form.fields["reason"].choices if code] == list(
        pipeline.reasons_for(Stage.DECLINED)
    )


def test_the_decline_reasons_are_in_the_employers_own_words(client, employer_a, introduction):
    """Not the programme's "Arbeitgeber lehnt ab: Sprache", which case workers and the funder read."""
    client.force_login(employer_a)
    client.cookies["django_language"] = "de"

    form = client.get(_detail(introduction.pk)).context["forms"]["decline"]
    labels = dict(form.fields["reason"].choices)

    assert labels[Reason.LANGUAGE] == "die Sprachkenntnisse reichen nicht aus"
    assert not [label for label in labels.values() if "Arbeitgeber" in str(label)]


def test_date_inputs_are_datetime_local(client, employer_a, introduction):
    client.force_login(employer_a)

    html = _html(client.get(_detail(introduction.pk)))

    assert html.count('type="datetime-local"') == 3


# --- the timeline as the employer sees it -------------------------------------------------------


def test_the_timeline_hides_internal_comments_and_next_steps(client, employer_a, introduction, case_worker):
    svc.next_step_set(
        introduction=introduction, actor=case_worker, next_step="Intern: Akte prüfen", due=timezone.localdate()
    )
    svc.introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=employer_a, comment="Klingt gut")
    svc.introduction_move(introduction=introduction, to=Stage.OFFER, actor=case_worker, comment="Intern: Gehalt?")
    client.force_login(employer_a)

    html = _html(client.get(_detail(introduction.pk)))

    assert "Klingt gut" in html
    assert "Intern: Gehalt?" not in html
    assert "Intern: Akte prüfen" not in html
    timeline = html.split('data-testid="timeline"')[1]
    assert "Proposed" in timeline
    assert "Employer interested" in timeline
    assert "Offer" in timeline


# --- permission matrix ----------------------------------------------------------------------------

GET_PAGES = ["list", "detail", "document"]
POST_PAGES = ["interested", "offer", "decline", "interviews"]


def _url(name, introduction, documents):
    if name == "list":
        return reverse("proposals:list")
    if name == "document":
        return _document(introduction.pk, documents[0].pk)
    return reverse(f"proposals:{name}", kwargs={"pk": introduction.pk})


@pytest.mark.parametrize("name", GET_PAGES + POST_PAGES)
def test_anonymous_is_sent_to_login(client, introduction, documents, name):
    url = _url(name, introduction, documents)

    response = client.post(url) if name in POST_PAGES else client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("employer_a", 200), ("employer_b", 404), ("case_worker", 403), ("admin", 403)],
)
@pytest.mark.parametrize("name", GET_PAGES)
def test_get_pages_by_persona(client, personas, company_b, introduction, documents, name, persona, expected):
    client.force_login(personas[persona])

    response = client.get(_url(name, introduction, documents))

    if name == "list" and persona == "employer_b":
        assert response.status_code == 200  # their own (empty) list
        assert "Amina Al-Hassan" not in _html(response)
    else:
        assert response.status_code == expected


POST_DATA = {
    "interested": {"interested-comment": ""},
    "offer": {"offer-comment": ""},
    "decline": {"decline-reason": Reason.QUALIFICATION},
    "interviews": _slot_data((_local(_future()), "Erfurt", "")),
}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("employer_a", 302), ("employer_b", 404), ("case_worker", 403), ("admin", 403)],
)
@pytest.mark.parametrize("name", POST_PAGES)
def test_answers_by_persona(client, personas, company_b, introduction, documents, case_worker, name, persona, expected):
    if name == "offer":
        _walk(introduction, Stage.INTERESTED, case_worker)
    events = introduction.events.count()
    client.force_login(personas[persona])

    response = client.post(_url(name, introduction, documents), POST_DATA[name])

    assert response.status_code == expected
    if expected != 302:
        assert introduction.events.count() == events


@pytest.mark.parametrize("name", POST_PAGES)
def test_answers_take_post_only(client, employer_a, introduction, documents, name):
    client.force_login(employer_a)

    assert client.get(_url(name, introduction, documents)).status_code == 405
