"""The candidate's own view (issue #16): invitation, the candidate's login, confirming the profile,
requests to the case worker, consents withdrawn by the candidate, introductions, the export."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from bridges.models import AuditEvent, CEFRLevel, Notification, Role, User
from candidates import portal, privacy
from candidates.models import Candidate, CandidateRequest, Consent, PortalInvitation
from matching import introductions as svc
from matching import services
from matching.pipeline import Stage
from selfservice.words import STAGE_WORDS
from tests.candidates.factories import CandidateFactory, LanguageFactory
from tests.employers.factories import LanguageRequirementFactory, MembershipFactory, PositionFactory
from tests.factories import CaseWorkerFactory, UserFactory
from tests.matching.factories import MatchFactory, introduce

PASSWORD = "Brücken-bauen-2026!"


@pytest.fixture
def case_worker(db):
    return CaseWorkerFactory()


@pytest.fixture
def candidate(case_worker):
    return CandidateFactory(email="amina@example.org", case_worker=case_worker)


def _invite(candidate, case_worker, channel="email", language="de"):
    return portal.invitation_create(
        candidate=candidate, channel=channel, language=language, actor=case_worker, request=RequestFactory().get("/")
    )


def _candidate_login(candidate, case_worker, client=None) -> User:
    invitation, _code = _invite(candidate, case_worker)
    user = portal.invitation_accept(invitation=invitation, password=PASSWORD, login=portal.login_for(invitation))
    if client is not None:
        client.force_login(user)
    return user


# --- invitations ------------------------------------------------------------------------------------


def test_an_e_mail_invitation_sends_the_link_in_the_chosen_language(
    candidate, case_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, code = _invite(candidate, case_worker, language="ar")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amina@example.org"]
    assert reverse("me:welcome_code", kwargs={"code": code}) in message.body
    assert "مرحبًا" in message.body  # Arabic, the invitation's language
    # Only a hash of the code is kept.
    assert invitation.code_hash != code
    assert code not in invitation.code_hash
    assert len(code) == portal.CODE_LENGTH
    assert set(code) <= set(portal.CODE_ALPHABET)
    assert AuditEvent.objects.filter(actor=case_worker, target_id=str(candidate.pk), action="create").exists()


def test_a_new_invitation_replaces_the_open_one(candidate, case_worker):
    first, first_code = _invite(candidate, case_worker)
    second, second_code = _invite(candidate, case_worker, channel="printed")

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert not first.is_open
    assert portal.invitation_for_code(first_code) is None
    assert portal.invitation_for_code(code_with_dashes(second_code)) == second


def code_with_dashes(code: str) -> str:
    return portal.code_display(code).lower()


@pytest.mark.parametrize("case", ["no e-mail", "address of another login", "anonymised"])
def test_an_invitation_by_e_mail_is_refused_with_a_reason_and_writes_nothing(case, candidate, case_worker):
    if case == "no e-mail":
        Candidate.objects.filter(pk=candidate.pk).update(email="")
    elif case == "address of another login":
        UserFactory(email="amina@example.org")
    else:
        Candidate.objects.filter(pk=candidate.pk).update(erased_at=timezone.now())
    candidate.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        _invite(candidate, case_worker)

    assert error.value.messages[0]
    assert not PortalInvitation.objects.exists()


def test_accepting_makes_a_candidate_login_tied_to_the_candidate(candidate, case_worker):
    invitation, code = _invite(candidate, case_worker, language="ar")

    user = portal.invitation_accept(invitation=invitation, password=PASSWORD, login=portal.login_for(invitation))

    candidate.refresh_from_db()
    assert candidate.user == user
    assert (user.role, user.email, user.language, user.is_staff) == (Role.CANDIDATE, "amina@example.org", "ar", False)
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
    assert user.get_start_url() == reverse("me:home")
    # Once only.
    assert portal.invitation_for_code(code) is None
    with pytest.raises(ValidationError):
        portal.invitation_accept(invitation=invitation, password=PASSWORD, login=user.email)


def test_a_printed_code_gives_a_login_name_to_which_no_mail_goes(candidate, case_worker):
    invitation, _code = _invite(candidate, case_worker, channel="printed")

    user = portal.invitation_accept(invitation=invitation, password=PASSWORD, login=portal.login_for(invitation))

    assert user.email.endswith("@konto.bridges.invalid")
    assert portal.is_login_name(user.email)
    assert invitation.email == ""


def test_a_new_code_for_a_candidate_with_a_login_sets_a_new_password(candidate, case_worker):
    user = _candidate_login(candidate, case_worker)
    invitation, _code = _invite(candidate, case_worker, channel="printed")

    again = portal.invitation_accept(
        invitation=invitation, password="Ein-neues-Passwort-77", login=portal.login_for(invitation)
    )

    assert again.pk == user.pk
    assert again.email == user.email
    assert again.check_password("Ein-neues-Passwort-77")
    assert User.objects.filter(role=Role.CANDIDATE).count() == 1


def test_an_expired_code_is_not_valid(candidate, case_worker):
    invitation, code = _invite(candidate, case_worker)
    PortalInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert portal.invitation_for_code(code) is None


# --- the welcome page -------------------------------------------------------------------------------


def test_the_welcome_page_logs_the_candidate_in_in_their_language(client, candidate, case_worker):
    _invitation, code = _invite(candidate, case_worker, language="ar")

    response = client.post(
        reverse("me:welcome"), {"code": code_with_dashes(code), "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("me:home")
    assert response.cookies["django_language"].value == "ar"
    page = client.get(reverse("me:home"))
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "AAAA-BBBB-CCCC-DDDD", "password1": PASSWORD, "password2": PASSWORD}, "code"),
        ({"code": "short", "password1": PASSWORD, "password2": PASSWORD}, "code"),
        ({"password1": PASSWORD, "password2": PASSWORD + "x"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
    ],
)
def test_bad_input_on_the_welcome_page_is_explained_and_keeps_the_code_valid(
    client, candidate, case_worker, data, field
):
    _invitation, code = _invite(candidate, case_worker)
    data = {"code": code, **data}

    response = client.post(reverse("me:welcome"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not User.objects.filter(role=Role.CANDIDATE).exists()
    assert portal.invitation_for_code(code) is not None


def test_the_link_of_an_unknown_code_is_a_clear_404(client, db):
    response = client.get(reverse("me:welcome_code", kwargs={"code": "AAAABBBBCCCCDDDD"}))

    assert response.status_code == 404
    assert "selfservice/welcome_invalid.html" in [t.name for t in response.templates]


def test_guessing_codes_is_rate_limited(client, db):
    data = {"code": "AAAA-BBBB-CCCC-DDDD", "password1": PASSWORD, "password2": PASSWORD}
    statuses = [client.post(reverse("me:welcome"), data).status_code for _ in range(12)]

    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429


# --- the candidate's actions --------------------------------------------------------------------------


def test_confirming_the_profile_makes_it_fresh_for_the_matching(client, candidate, case_worker):
    user = _candidate_login(candidate, case_worker, client)
    Candidate.objects.filter(pk=candidate.pk).update(
        last_confirmed=datetime.date(2025, 1, 1), rescore_requested_at=None
    )

    response = client.post(reverse("me:confirm"))

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.last_confirmed == timezone.localdate()
    assert candidate.rescore_requested_at is not None
    assert AuditEvent.objects.filter(actor=user, target_id=str(candidate.pk), action="update").exists()


def test_the_own_profile_says_available_now_where_no_date_is_recorded(client, candidate, case_worker):
    """Empty means available now, as the matching and the case worker's and employer's pages read it."""
    _candidate_login(candidate, case_worker, client)
    Candidate.objects.filter(pk=candidate.pk).update(available_from=None)

    empty = client.get(reverse("me:home"))
    Candidate.objects.filter(pk=candidate.pk).update(available_from=datetime.date(2031, 3, 1))
    dated = client.get(reverse("me:home"))

    def shown(response) -> str:
        fields = {field.label: field.value for section in response.context["sections"] for field in section.fields}
        return fields["Verfügbar ab"]

    assert shown(empty) == "sofort"
    assert shown(dated) == "01.03.2031"


def test_a_correction_goes_to_the_case_worker(client, candidate, case_worker):
    _candidate_login(candidate, case_worker, client)

    empty = client.post(reverse("me:correction"), {"text": "  "})
    sent = client.post(reverse("me:correction"), {"text": "Ich habe jetzt B2 in Deutsch."})

    assert empty.status_code == 400
    assert sent.status_code == 302
    request = CandidateRequest.objects.get()
    assert (request.kind, request.text, request.done_at) == ("correction", "Ich habe jetzt B2 in Deutsch.", None)
    notification = Notification.objects.get(recipient=case_worker)
    assert notification.template == "candidates/email/candidate_request"
    # The case worker sees it on the candidate page and marks it done.
    client.force_login(case_worker)
    page = client.get(candidate.get_absolute_url())
    assert "Ich habe jetzt B2 in Deutsch." in page.content.decode()
    client.post(reverse("candidates:portal_request_done", kwargs={"pk": candidate.pk, "request_id": request.pk}))
    request.refresh_from_db()
    assert request.done_by == case_worker
    assert request.done_at is not None


def test_an_erasure_request_is_sent_once(client, candidate, case_worker):
    _candidate_login(candidate, case_worker, client)

    client.post(reverse("me:erasure"), {"text": ""})
    again = client.post(reverse("me:erasure"), {"text": "bitte"})

    assert list(CandidateRequest.objects.values_list("kind", flat=True)) == ["erasure"]
    assert again.status_code == 400
    assert again.context["erasure_asked"] is not None  # the page says it was asked for already
    assert "erasure_asked" in client.get(reverse("me:data")).context


def test_withdrawing_a_consent_hides_the_shared_profile_from_the_employer_at_once(client, candidate, case_worker):
    position = PositionFactory()
    employer_user = UserFactory()
    MembershipFactory(user=employer_user, employer=position.employer)
    introduction = introduce(candidate=candidate, position=position, actor=case_worker, sections=["contact"])
    consent = Consent.objects.get(candidate=candidate, employer=position.employer)
    employer_page = reverse("proposals:detail", kwargs={"pk": introduction.pk})
    client.force_login(employer_user)
    assert candidate.last_name in client.get(employer_page).content.decode()

    user = _candidate_login(candidate, case_worker, client)
    listed = client.get(reverse("me:consents")).content.decode()
    assert reverse("me:consent_withdraw", kwargs={"pk": consent.pk}) in listed
    response = client.post(reverse("me:consent_withdraw", kwargs={"pk": consent.pk}))

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == user
    client.force_login(employer_user)
    assert candidate.last_name not in client.get(employer_page).content.decode()
    # Asking for a new one goes to the case worker once.
    client.force_login(user)
    client.post(reverse("me:consent_request", kwargs={"pk": consent.pk}))
    client.post(reverse("me:consent_request", kwargs={"pk": consent.pk}))
    assert CandidateRequest.objects.filter(kind="consent", consent=consent).count() == 1


def test_the_introductions_are_the_candidates_own_in_plain_words(client, candidate, case_worker):
    position = PositionFactory(title="Pflegehelfer/in")
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    MatchFactory(candidate=candidate, position=position, score=77.7)
    other = CandidateFactory(first_name="Zaid", last_name="Niemand")
    introduce(candidate=other, position=PositionFactory(title="Schweißer/in"), actor=case_worker)
    _candidate_login(candidate, case_worker, client)

    listed = client.get(reverse("me:introductions")).content.decode()
    detail = client.get(reverse("me:introduction", kwargs={"pk": introduction.pk}))

    assert "Pflegehelfer/in" in listed
    assert "Schweißer/in" not in listed
    assert detail.status_code == 200
    text = detail.content.decode()
    assert str(STAGE_WORDS[Stage.PROPOSED]) in text
    assert "77" not in re.sub(r"<[^>]+>", " ", text)  # no score
    assert "Niemand" not in text


def test_the_candidate_reads_the_interview_appointment_once_it_is_agreed(client, candidate, case_worker):
    company = MembershipFactory().employer
    employer_user = company.members.get().user
    introduction = introduce(candidate=candidate, position=PositionFactory(employer=company), actor=case_worker)
    at = timezone.localtime() + datetime.timedelta(days=9)
    first, _second = svc.interviews_propose(
        introduction=introduction,
        actor=employer_user,
        slots=[
            svc.Slot(at.replace(hour=10, minute=0), place="Werkhalle 2"),
            svc.Slot(at.replace(hour=14, minute=30), place="Büro"),
        ],
    )
    _candidate_login(candidate, case_worker, client)
    page = reverse("me:introduction", kwargs={"pk": introduction.pk})

    proposed = client.get(page).content.decode()
    svc.interview_confirm(interview=first, actor=case_worker)
    agreed = client.get(page).content.decode()

    assert 'data-testid="own-interviews"' not in proposed  # the company's proposals are not agreed yet
    assert 'data-testid="own-interviews"' in agreed
    assert f"{at:%d.%m.%Y} 10:00" in agreed
    assert "Werkhalle 2" in agreed
    assert "14:30" not in agreed  # the date not chosen


def test_the_own_introduction_speaks_to_the_candidate_not_about_them(client, candidate, case_worker):
    """The case workers' explanation says "the candidate has" and names ISCO groups and CEFR steps;
    the candidate's own page says "you" in plain words."""
    english = LanguageFactory(code="en", name_en="English", name_de="Englisch")
    position = PositionFactory(title="Pflegehelfer/in")
    LanguageRequirementFactory(position=position, language=english, min_level=CEFRLevel.B1, required=False)
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    services.rescore_candidate(candidate_id=candidate.pk)
    _candidate_login(candidate, case_worker, client)

    page = client.get(reverse("me:introduction", kwargs={"pk": introduction.pk})).content.decode()
    text = page.split("<main", 1)[1].split("</main>", 1)[0]  # the page, not the bar with the role

    assert "Englisch B1 erwünscht, diese Sprache sprechen Sie noch nicht" in text
    assert "Wie nah Ihre Sprachkenntnisse an dem sind, was die Stelle verlangt." in text
    for staff_words in ("Kandidat", "ISCO", "GER-Stufen"):
        assert staff_words not in text, staff_words


def test_the_export_is_the_candidates_data_and_audited(client, candidate, case_worker):
    user = _candidate_login(candidate, case_worker, client)
    CandidateFactory(first_name="Zaid", last_name="Niemand")

    response = client.get(reverse("me:export"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    assert data["candidate_id"] == candidate.pk
    assert "Niemand" not in response.content.decode()
    assert data["sections"]["own_view_invitations"]
    assert "code_hash" not in data["sections"]["own_view_invitations"][0]
    assert AuditEvent.objects.filter(actor=user, action="export", target_id=str(candidate.pk)).exists()


def test_the_pages_are_the_candidates_alone(client, candidate, case_worker):
    """A case worker or an employer has no own view: the pages do not exist for them (404)."""
    for user in (case_worker, UserFactory()):
        client.force_login(user)
        assert client.get(reverse("me:home")).status_code == 404
    client.logout()
    assert client.get(reverse("me:home")).status_code == 302  # to the login


def test_erasure_closes_the_candidates_login(candidate, case_worker):
    user = _candidate_login(candidate, case_worker)
    portal.request_send(candidate=candidate, kind="correction", text="Mein Name ist falsch", actor=user)
    _invite(candidate, case_worker, channel="printed")

    privacy.erase_candidate(candidate=candidate, actor=case_worker, reason="Antrag der Person")

    user.refresh_from_db()
    assert not user.is_active
    assert not user.has_usable_password()
    assert "amina" not in user.email
    assert user.first_name == ""
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not PortalInvitation.objects.filter(candidate=candidate).exists()
    assert CandidateRequest.objects.get().text == ""


def test_the_link_opens_in_the_invitations_language_until_the_person_switches(client, candidate, case_worker):
    _invitation, code = _invite(candidate, case_worker, language="ar")
    link = reverse("me:welcome_code", kwargs={"code": code})

    first = client.get(link)
    assert '<html lang="ar" dir="rtl">' in first.content.decode()
    assert first.cookies["django_language"].value == "ar"

    client.cookies["django_language"] = "de"
    switched = client.get(link)
    assert '<html lang="de" dir="ltr">' in switched.content.decode()


def test_a_candidate_has_no_api_tokens(client, candidate, case_worker):
    from bridges.api_tokens import api_token_create

    user = _candidate_login(candidate, case_worker, client)

    assert client.get(reverse("api_tokens")).status_code == 404
    assert reverse("api_tokens") not in client.get(reverse("notification_settings")).content.decode()
    with pytest.raises(ValidationError):
        api_token_create(user=user, name="x", days=30)


def test_the_candidates_lists_read_a_constant_number_of_rows(
    client, candidate, case_worker, django_assert_max_num_queries
):
    _candidate_login(candidate, case_worker, client)
    for _i in range(6):
        introduce(candidate=candidate, position=PositionFactory(), actor=case_worker)

    for name in ("me:home", "me:consents", "me:introductions"):
        with django_assert_max_num_queries(13):
            assert client.get(reverse(name)).status_code == 200
