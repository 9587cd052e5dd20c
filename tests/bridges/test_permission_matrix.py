"""The permission matrix: every URL pattern of the project × anonymous, employer A, employer B,
case worker, admin and candidate (candidate A's own login), on one seeded world
(tests/permission_world.py).

URLs come from walking the URL configuration (tests/urlwalk.py), their kwargs from real objects:
employer-owned ones are company B's, so employer A always asks for another tenant's record
(a 404) and employer B for its own. A URL pattern without a row in MATRIX (or, for the admin,
a model without a row in ADMIN_MODELS) fails `test_every_url_has_a_row` by name.

Every response served to anonymous users, the employers and the candidate is searched for the
seeded personal values of the candidates not shared with them (for the candidate: everyone but
themselves).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.admin.sites import site as admin_site
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

from candidates.models import Document
from matching import selectors
from tests.permission_world import ROLES, SEARCHED_ROLES, World, build_world, personal_values
from tests.urlwalk import all_sample_urls


@dataclass(frozen=True)
class Redirect:
    """A 302 to the URL of that name, or to that path where no URL pattern has it (the query string
    is not compared)."""

    to: str

    def __str__(self) -> str:
        return f"302→{self.to}"


LOGIN = Redirect("account_login")

# The rows: (anonymous, employer A, employer B, case worker, admin, candidate), for a GET. Employer A
# asks for company B's records (another tenant's: a 404), employer B for its own; the candidate is
# candidate A, whose records are in no URL but their own view's (me:*).
PUBLIC = (200, 200, 200, 200, 200, 200)
ANY_USER = (LOGIN, 200, 200, 200, 200, 200)  # the own account's pages
EMPLOYER = (LOGIN, 200, 200, 403, 403, 403)  # the employers' own pages; staff and candidates have theirs
EMPLOYER_POST = (LOGIN, 405, 405, 403, 403, 403)
COMPANY_B = (LOGIN, 404, 200, 200, 200, 403)  # a record of company B, also for staff
COMPANY_B_EMPLOYERS = (LOGIN, 404, 200, 403, 403, 403)  # a record of company B, employers' side only
STAFF = (LOGIN, 403, 403, 200, 200, 403)  # case workers' pages: another role's page is a 403
STAFF_POST = (LOGIN, 403, 403, 405, 405, 403)
STAFF_HIDDEN = (LOGIN, 404, 404, 200, 200, 404)  # pages that do not exist for employers and candidates
ADMIN_SITE = (Redirect("admin:login"), 403, 403, 403, 200, 403)
OWN = (LOGIN, 404, 404, 404, 404, 200)  # the candidate's own view: it does not exist for anyone else
OWN_POST = (LOGIN, 404, 404, 404, 404, 405)
BY_ROLE = (
    LOGIN,
    Redirect("employers:dashboard"),
    Redirect("employers:dashboard"),
    Redirect("matching:dashboard"),
    Redirect("admin:index"),
    Redirect("me:home"),
)

MATRIX: dict[str, tuple] = {
    "start": BY_ROLE,
    "healthz": PUBLIC,
    "ping": PUBLIC,
    "favicon": (Redirect("/static/favicon.svg"),) * 6,
    "set_language": (Redirect("start"),) * 6,
    "notification_settings": ANY_USER,
    "api_tokens": (LOGIN, 200, 200, 200, 200, 404),  # a candidate has no API (nor tokens for it)
    "api_token_revoke": (LOGIN, 405, 405, 405, 405, 404),
    # the API: problem details (401) instead of the login page; company B's position is a 404 for employer A;
    # a candidate reads nothing but the public job board
    "api:schema": PUBLIC,
    "api:docs": PUBLIC,
    "api:job-list": PUBLIC,
    "api:job-detail": PUBLIC,
    "api:position-list": (401, 200, 200, 200, 200, 403),
    "api:position-detail": (401, 404, 200, 200, 200, 403),
    "api:position-status": (401, 405, 405, 405, 405, 405),  # POST only
    "api:employer-list": (401, 200, 200, 200, 200, 403),
    "api:employer-detail": (401, 404, 200, 200, 200, 403),
    "api:candidate-list": (401, 403, 403, 200, 200, 403),
    "api:candidate-detail": (401, 403, 403, 200, 200, 403),
    "api:match-list": (401, 403, 403, 200, 200, 403),
    "api:match-detail": (401, 403, 403, 200, 200, 403),
    "api:report": (401, 403, 403, 200, 200, 403),  # without a period: the default one
    "api:introduction-list": (401, 200, 200, 200, 200, 403),
    "api:introduction-detail": (401, 404, 200, 200, 200, 403),
    "api:introduction-move": (401, 405, 405, 405, 405, 403),  # POST only; nothing for a candidate
    "api:placement-list": (401, 403, 403, 200, 200, 403),
    "api:placement-detail": (401, 403, 403, 200, 200, 403),
    "api:measure-list": (401, 403, 403, 200, 200, 403),
    "api:measure-detail": (401, 403, 403, 200, 200, 403),
    # allauth (the keys in URLs are invalid ones: they name no record)
    "account_login": (200, *BY_ROLE[1:]),
    "account_signup": (200, *BY_ROLE[1:]),
    "account_confirm_login_code": BY_ROLE,
    "account_logout": ANY_USER,
    "account_change_password": ANY_USER,
    "account_set_password": (LOGIN, *(Redirect("account_change_password"),) * 5),
    "account_email": ANY_USER,
    "account_reauthenticate": ANY_USER,
    "account_confirm_email": PUBLIC,
    "account_email_verification_sent": PUBLIC,
    "account_inactive": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    # allauth.mfa: the second factor (staff must have one; employers and candidates may)
    "mfa_index": ANY_USER,
    "mfa_activate_totp": (LOGIN, *(Redirect("account_reauthenticate"),) * 5),  # asks for the password again first
    "mfa_deactivate_totp": (
        LOGIN,
        404,
        404,
        Redirect("account_reauthenticate"),
        Redirect("account_reauthenticate"),
        404,
    ),  # 404: the employers and the candidate have no authenticator
    "mfa_authenticate": BY_ROLE,  # only during a login waiting for its code
    "mfa_reauthenticate": (
        LOGIN,
        Redirect("account_reauthenticate"),
        Redirect("account_reauthenticate"),
        200,
        200,
        Redirect("account_reauthenticate"),
    ),  # by code, for those who have one
    "mfa_view_recovery_codes": (LOGIN, 404, 404, 404, 404, 404),  # nobody in the world has generated codes
    "mfa_download_recovery_codes": (LOGIN, 404, 404, 404, 404, 404),
    "mfa_generate_recovery_codes": (LOGIN, *(Redirect("account_reauthenticate"),) * 5),
    # the admin site (the models' pages: ADMIN_MODELS below)
    "admin:index": ADMIN_SITE,
    "admin:app_list": ADMIN_SITE,
    "admin:jsi18n": ADMIN_SITE,
    "admin:password_change": ADMIN_SITE,
    "admin:password_change_done": ADMIN_SITE,
    "admin:autocomplete": (Redirect("admin:login"), 403, 403, 403, 403, 403),  # 403 without its parameters
    "admin:login": (LOGIN, 403, 403, 403, Redirect("admin:index"), 403),
    "admin:logout": (Redirect("admin:login"), 403, 403, 403, 405, 403),
    "admin:view_on_site": (Redirect("admin:login"), 403, 403, 403, Redirect("jobs:detail"), 403),
    "admin:auth_user_password_change": (LOGIN, 403, 403, 403, 200, 403),
    # candidates: the case workers' pages
    "candidates:list": STAFF,
    "candidates:create": STAFF,
    "candidates:duplicates": STAFF_POST,
    "candidates:employer_search": STAFF,
    "candidates:export": STAFF,
    "candidates:import": STAFF,
    "candidates:detail": STAFF,
    "candidates:edit": STAFF,
    "candidates:note_add": STAFF_POST,
    "candidates:consent_add": STAFF_POST,
    "candidates:consent_withdraw": STAFF_POST,
    "candidates:measure_plan": STAFF_POST,
    "candidates:measure_approve": STAFF_POST,
    "candidates:measure_complete": STAFF_POST,
    "candidates:measure_cancel": STAFF_POST,
    "candidates:document_upload": STAFF,
    "candidates:document_download": STAFF,
    "candidates:document_delete": STAFF,
    "candidates:privacy_export": STAFF_HIDDEN,
    "candidates:privacy_export_json": STAFF_HIDDEN,
    "candidates:erase": STAFF_HIDDEN,
    # the case workers' side of the candidate's own view (the request is candidate A's, on their record)
    "candidates:portal_invite": STAFF_POST,
    "candidates:portal_request_done": STAFF_POST,
    # employers: the own organisation, and the staff's pages on behalf of a company
    "employers:dashboard": EMPLOYER,
    "employers:register": (LOGIN, Redirect("employers:dashboard"), Redirect("employers:dashboard"), 403, 403, 403),
    "employers:profile": EMPLOYER,
    "employers:regions": EMPLOYER,
    "employers:contacts": EMPLOYER,
    "employers:colleagues": EMPLOYER,
    # a real invitation of company B: members of a company cannot accept it (400)
    "employers:invitation_accept": (Redirect("account_signup"), 400, 400, 403, 403, 403),
    "employers:positions": EMPLOYER,
    "employers:position_create": EMPLOYER,
    "employers:position_skills_prefill": (LOGIN, 200, 200, 200, 200, 403),  # the position form's skills
    "employers:position_detail": COMPANY_B,
    "employers:position_edit": COMPANY_B,
    "employers:position_duplicate": (LOGIN, 404, 405, 405, 405, 403),
    "employers:position_status": (LOGIN, 404, 405, 405, 405, 403),
    "employers:staff_employers": STAFF,
    "employers:staff_employer_create": STAFF,
    "employers:staff_employer_detail": STAFF,
    "employers:staff_employer_review": STAFF_POST,
    "employers:staff_profile": COMPANY_B,
    "employers:staff_regions": COMPANY_B,
    "employers:staff_contacts": COMPANY_B,
    "employers:staff_position_create": COMPANY_B,
    "employers:staff_positions": STAFF,
    # the public job board (company B's open position)
    "jobs:list": PUBLIC,
    "jobs:feed": PUBLIC,
    "jobs:detail": PUBLIC,
    # matching: the case workers' pages, the report, the employers' anonymised summaries
    "matching:dashboard": STAFF,
    "matching:overview": STAFF,
    "matching:allocation": STAFF,
    "matching:allocation_compute": STAFF_POST,
    "matching:allocation_status": STAFF,
    "matching:position_matches": STAFF,
    "matching:candidate_matches": STAFF,
    "matching:explain": STAFF,
    "matching:decide": STAFF_POST,
    "matching:run_progress": STAFF,
    "matching:rescore_all": (LOGIN, 403, 403, 403, 405, 403),  # admins only, by POST
    "matching:introduce": STAFF,
    "matching:candidate_introduce": STAFF,
    "matching:candidate_introductions": STAFF,
    "matching:introductions": STAFF,
    "matching:introductions_bulk": STAFF_POST,
    "matching:board": STAFF,
    "matching:introduction": STAFF,
    "matching:introduction_move": STAFF_POST,
    "matching:board_move": STAFF_POST,
    "matching:introduction_sharing": STAFF_POST,
    "matching:introduction_next_step": STAFF_POST,
    "matching:introduction_interviews": STAFF_POST,
    "matching:interview_confirm": STAFF_POST,
    "matching:introduction_placement": STAFF_POST,
    "matching:follow_up_record": STAFF_POST,
    "matching:report": STAFF_HIDDEN,
    "matching:report_figures_csv": STAFF_HIDDEN,
    "matching:report_figures_xlsx": STAFF_HIDDEN,
    "matching:report_rows_csv": STAFF_HIDDEN,
    "matching:report_rows_xlsx": STAFF_HIDDEN,
    "matching:employer_position_matches": COMPANY_B,
    # proposals: the employers' side of introductions (company B's introduction)
    "proposals:list": EMPLOYER,
    "proposals:detail": COMPANY_B_EMPLOYERS,
    "proposals:document": COMPANY_B_EMPLOYERS,
    "proposals:interested": EMPLOYER_POST,
    "proposals:offer": EMPLOYER_POST,
    "proposals:decline": EMPLOYER_POST,
    "proposals:interviews": EMPLOYER_POST,
    # the candidate's own view (candidate A's introduction and consent): a 404 for everyone else
    "me:home": OWN,
    "me:welcome": (200, *BY_ROLE[1:]),  # accepting an invitation; a logged-in user goes to their start page
    "me:welcome_code": (200, *BY_ROLE[1:]),  # candidate B's open invitation
    "me:confirm": OWN_POST,
    "me:correction": OWN_POST,
    "me:consents": OWN,
    "me:consent_withdraw": OWN_POST,
    "me:consent_request": OWN_POST,
    "me:introductions": OWN,
    "me:introduction": OWN,
    "me:how": OWN,
    "me:data": OWN,
    "me:export": OWN,
    "me:erasure": OWN_POST,
    # taxonomy look-ups for the forms
    "taxonomy:occupations": ANY_USER,
    "taxonomy:skills": ANY_USER,
    "taxonomy:places": ANY_USER,
    "taxonomy:regions": ANY_USER,
}

# --- the admin: one row per registered model ---------------------------------------------------

# The admin's status on a model's pages (changelist, add, change, delete, history); everybody
# else is sent to the login (anonymous) or refused (403).
ADMIN_FULL = {"changelist": 200, "add": 200, "change": 200, "delete": 200, "history": 200}
ADMIN_READ_ONLY = {**ADMIN_FULL, "add": 403, "delete": 403}
ADMIN_MODELS: dict[str, dict] = {
    "account.emailaddress": ADMIN_FULL,
    "auth.group": ADMIN_FULL,
    "bridges.apitoken": {**ADMIN_FULL, "add": 403},
    "bridges.auditevent": ADMIN_READ_ONLY,
    "mfa.authenticator": {**ADMIN_FULL, "add": 403},
    "bridges.iscogroup": ADMIN_FULL,
    "bridges.language": ADMIN_FULL,
    "bridges.notification": {**ADMIN_FULL, "add": 403},
    "bridges.occupation": ADMIN_FULL,
    "bridges.place": ADMIN_FULL,
    "bridges.region": ADMIN_FULL,
    "bridges.skill": ADMIN_FULL,
    "bridges.user": ADMIN_FULL,
    "candidates.budget": ADMIN_FULL,
    "candidates.candidate": ADMIN_FULL,
    "candidates.candidaterequest": {**ADMIN_FULL, "add": 403},
    "candidates.portalinvitation": {**ADMIN_FULL, "add": 403},  # its fields are read-only
    "candidates.consent": ADMIN_FULL,
    "candidates.document": {**ADMIN_FULL, "add": 403},
    "candidates.note": ADMIN_FULL,
    "candidates.supportmeasure": ADMIN_READ_ONLY,
    "django_celery_beat.clockedschedule": ADMIN_FULL,
    "django_celery_beat.crontabschedule": ADMIN_FULL,
    "django_celery_beat.intervalschedule": ADMIN_FULL,
    "django_celery_beat.periodictask": ADMIN_FULL,
    "django_celery_beat.solarschedule": ADMIN_FULL,
    "employers.contactperson": ADMIN_FULL,
    "employers.employer": ADMIN_FULL,
    "employers.engagementregion": ADMIN_FULL,
    "employers.invitation": ADMIN_FULL,
    "employers.membership": ADMIN_FULL,
    "employers.position": ADMIN_FULL,
    "matching.introduction": ADMIN_READ_ONLY,
    "matching.match": ADMIN_READ_ONLY,
    "matching.matchdecision": {**ADMIN_FULL, "add": 403},
    "matching.matchrun": ADMIN_READ_ONLY,
    "matching.allocationrun": ADMIN_READ_ONLY,
    "matching.placement": ADMIN_READ_ONLY,
    "matching.scoringconfig": {**ADMIN_FULL, "delete": 403},
}


# --- the URLs and their kwargs -----------------------------------------------------------------


def _admin_model_rows() -> dict[str, tuple]:
    rows = {}
    for model in admin_site._registry:
        label = model._meta.label_lower
        pages = ADMIN_MODELS.get(label)
        if pages is None:
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        for page, status in pages.items():
            rows[prefix + page] = (LOGIN, 403, 403, 403, status, 403)
    return rows


def expected_rows() -> dict[str, tuple]:
    return {**_admin_model_rows(), **MATRIX}


URLS = {url.name: url for url in all_sample_urls()}
CASES = [(name, role) for name in sorted(URLS) for role in ROLES]

# The world object behind a kwarg, by kwarg name; "pk" by the URL's name (the first prefix that fits).
KWARG_OBJECTS = {
    "candidate": "candidate",
    "position": "position",
    "employer": "employer",
    "consent": "consent",
    "measure": "measure",
    "doc": "document",
    "interview": "interview",
    "follow_up": "follow_up",
    "id": "user",
    "content_type_id": "content_type",
    "request_id": "candidate_request",
}
PK_OBJECTS = [
    ("api:employer-", "employer"),
    ("api:candidate-", "candidate"),
    ("api:match-", "match"),
    ("api:introduction-", "introduction"),
    ("api:placement-", "placement"),
    ("api:measure-", "measure"),
    ("api:", "position"),
    ("api_token_revoke", "api_token"),
    ("candidates:portal_request_done", "candidate_of_a"),  # candidate A's request, on their record
    ("candidates:", "candidate"),
    ("employers:position_", "position"),
    ("employers:staff_employer_", "employer"),
    ("jobs:", "position"),
    ("matching:position_matches", "position"),
    ("matching:employer_position_matches", "position"),
    ("matching:candidate_", "candidate"),
    ("matching:run_progress", "run"),
    ("matching:follow_up_record", "placed_introduction"),
    ("matching:", "introduction"),
    ("proposals:", "introduction"),
    ("me:introduction", "introduction_of_a"),  # the candidate's own
    ("me:consent_", "consent_of_a"),
]
# Kwargs that name no record: the walk's sample values stand (allauth's keys are then invalid ones).
LITERAL_KWARGS = {"section": "personal", "app_label": "candidates"}
SAMPLE_KWARGS = {"key", "uidb36"}


def _admin_model_label(name: str) -> str | None:
    for model in admin_site._registry:
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model._meta.label_lower
    return None


def _pk_object(name: str) -> str:
    for prefix, key in PK_OBJECTS:
        if name.startswith(prefix):
            return key
    raise AssertionError(f"{name}: no world object for <pk>; add its prefix to PK_OBJECTS")


def build_path(world: World, name: str, *, missing: bool = False) -> str:
    """The URL of `name` with its kwargs filled from the world (with `missing`, its records' ids by
    one that names no record)."""
    sample = resolve(URLS[name].path)
    kwargs = {}
    for kwarg, value in sample.kwargs.items():
        if kwarg in SAMPLE_KWARGS:
            kwargs[kwarg] = value
        elif kwarg in LITERAL_KWARGS:
            kwargs[kwarg] = LITERAL_KWARGS[kwarg]
        elif kwarg == "token":
            kwargs[kwarg] = world.objects["invitation"].token
        elif kwarg == "code":
            kwargs[kwarg] = world.codes["b"]  # candidate B's open invitation to their own view
        elif kwarg == "object_id" and name == "admin:view_on_site":
            kwargs[kwarg] = str(world.objects["position"].pk)
        elif kwarg == "object_id":
            kwargs[kwarg] = str(world.admin_objects[_admin_model_label(name)].pk)
        elif kwarg == "pk":
            kwargs[kwarg] = world.objects[_pk_object(name)].pk
        elif kwarg in KWARG_OBJECTS:
            kwargs[kwarg] = world.objects[KWARG_OBJECTS[kwarg]].pk
        else:
            raise AssertionError(f"{name}: no world object for <{kwarg}>; extend KWARG_OBJECTS")
    if missing:
        kwargs = {key: _missing(key, value) for key, value in kwargs.items()}
    return reverse(name, kwargs=kwargs)


def _missing(kwarg: str, value):
    if kwarg in SAMPLE_KWARGS or kwarg in LITERAL_KWARGS or kwarg in {"token", "code", "content_type_id"}:
        return value
    return str(MISSING_ID) if isinstance(value, str) else MISSING_ID


# --- the world, once per module ------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seeded world inside one transaction for the module, rolled back at its end; each case
    runs in a savepoint within it. Documents go to a temporary private storage."""
    storage = Document._meta.get_field("file").storage
    saved = storage._location
    media = tmp_path_factory.mktemp("private_media")

    def locate(location):
        storage._location = location
        for cached in ("base_location", "location"):
            storage.__dict__.pop(cached, None)

    locate(str(media))
    # Database access only while seeding and rolling back: the cases get theirs from django_db.
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seeded = build_world()
            for role, user in seeded.users.items():
                if user is not None:
                    client = Client()
                    client.force_login(user)
                    seeded.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            locate(saved)
            raise
    yield seeded
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
    locate(saved)


# --- the cases -----------------------------------------------------------------------------------


def _get(world: World, role: str, path: str):
    client = Client()
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client.get(path)


def _outcome(response) -> int | Redirect:
    if response.status_code != 302:
        return response.status_code
    path = urlsplit(response.url).path
    try:
        return Redirect(resolve(path).view_name)
    except Resolver404:
        return Redirect(path)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
    return headers + "\n" + content.decode("utf-8", errors="replace")


# Responses searched for personal values, by case (reported by test_matrix_size).
SEARCHED: dict[tuple[str, str], int] = {}


def test_every_url_has_a_row():
    missing = sorted(set(URLS) - set(expected_rows()))

    assert not missing, (
        "URL pattern(s) without a row in the permission matrix; add one to MATRIX (or, for an admin "
        f"model, to ADMIN_MODELS) in tests/bridges/test_permission_matrix.py: {', '.join(missing)}"
    )


def test_every_row_names_a_url():
    assert not sorted(set(expected_rows()) - set(URLS)), "rows of the matrix for URLs that no longer exist"


def test_every_admin_model_has_a_row():
    registered = {model._meta.label_lower for model in admin_site._registry}

    assert registered == set(ADMIN_MODELS), (
        f"admin models without a row in ADMIN_MODELS: {sorted(registered - set(ADMIN_MODELS))}; "
        f"rows without a registered model: {sorted(set(ADMIN_MODELS) - registered)}"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{name}-{role}" for name, role in CASES])
def test_permission_matrix(world, name, role):
    row = expected_rows().get(name)
    assert row is not None, f"{name}: no row in MATRIX (tests/bridges/test_permission_matrix.py)"
    path = build_path(world, name)

    response = _get(world, role, path)

    if role in SEARCHED_ROLES:
        body = _body(response)
        SEARCHED[name, role] = len(body)
        hits = [
            (candidate.pk, value)
            for candidate in world.hidden_candidates(role)
            for value in personal_values(candidate)
            if value in body
        ]
        assert not hits, f"{name} {path} as {role} shows personal data not shared with them: {hits}"
    expected = row[ROLES.index(role)]
    assert _outcome(response) == expected, f"{name} {path} as {role}: {_outcome(response)}, expected {expected}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "introduction", "shared"), [("employer_a", "introduction_of_a", "a"), ("employer_b", "introduction", "b")]
)
def test_the_search_finds_what_was_shared(world, role, introduction, shared):
    """The control of the leak search: each employer's shared profile shows every seeded value of
    the candidate shared with them (all sections were shared), and none of the others'."""
    path = reverse("proposals:detail", kwargs={"pk": world.objects[introduction].pk})

    body = _body(_get(world, role, path))

    candidate = world.candidates[shared]
    with translation.override("de"):  # the page's language
        shown = [
            candidate.full_name,
            candidate.email,
            candidate.phone,
            candidate.street,
            candidate.date_of_birth.strftime("%d.%m.%Y"),
            str(candidate.get_residence_status_display()),
        ]
    assert [value for value in shown if value not in body] == []
    assert set(shown) - {candidate.full_name} <= set(personal_values(candidate))
    hidden = [value for candidate in world.hidden_candidates(role) for value in personal_values(candidate)]
    assert [value for value in hidden if value in body] == []


@pytest.mark.django_db
def test_the_search_finds_the_candidates_own_profile(world):
    """The control of the leak search for the candidate: their own profile shows each of their own
    seeded values, so that a page of the own view with another candidate's would be found."""
    body = _body(_get(world, "candidate", reverse("me:home")))

    candidate = world.candidates["a"]
    with translation.override("de"):  # the page's language
        shown = [
            candidate.first_name,
            candidate.last_name,
            candidate.email,
            candidate.phone,
            candidate.street,
            candidate.date_of_birth.strftime("%d.%m.%Y"),
            str(candidate.get_residence_status_display()),
        ]
    assert [value for value in shown if value not in body] == []
    assert set(shown) <= set(personal_values(candidate))
    hidden = [value for candidate in world.hidden_candidates("candidate") for value in personal_values(candidate)]
    assert [value for value in hidden if value in body] == []
    assert world.candidates["a"] not in world.hidden_candidates("candidate")


@pytest.mark.django_db
def test_the_search_covers_the_anonymised_summaries(world):
    """Employer B's summaries list all three candidates, those not shared with B too, so the
    search of that page (a case of the matrix) looks where a leak would be."""
    position = world.objects["position"]
    path = reverse("matching:employer_position_matches", kwargs={"pk": position.pk})

    body = _body(_get(world, "employer_b", path))

    references = selectors.employer_references(position=position).values()
    assert len(references) == len(world.candidates)
    assert all(f'id="summary-{reference}"' in body for reference in references)


# An id that names no record. Left out: a secret token (a valid one is meant to open its page) and
# the records employer A may open (company B's position on the public job board).
MISSING_ID = 2_000_000_000
RECORD_KWARGS = {"pk", "object_id", "id", *KWARG_OBJECTS}
ORACLE_URLS = sorted(
    name
    for name, url in URLS.items()
    if RECORD_KWARGS & set(resolve(url.path).kwargs) and expected_rows().get(name, ROLES)[1] != 200
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ORACLE_URLS)
def test_another_tenants_record_answers_like_a_missing_one(world, name):
    """Employer A learns nothing from company B's ids: the answer is the one for an id that does not exist."""
    real = build_path(world, name)
    missing = build_path(world, name, missing=True)
    assert real != missing

    answers = {path: _outcome(_get(world, "employer_a", path)) for path in (real, missing)}

    assert answers[real] == answers[missing], f"{name}: {answers}"


def test_matrix_size():
    """Quoted in the issue: URL patterns × roles, and the responses searched for personal data."""
    size = len(URLS) * len(ROLES)
    print(
        f"permission matrix: {len(URLS)} URL patterns × {len(ROLES)} roles = {size} cases; "
        f"leak search: {len(SEARCHED)} responses ({sum(SEARCHED.values())} characters) to {', '.join(SEARCHED_ROLES)}"
    )

    assert len(CASES) == size
    assert set(SEARCHED) <= {(name, role) for name, role in CASES if role in SEARCHED_ROLES}
