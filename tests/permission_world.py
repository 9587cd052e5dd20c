"""One seeded world for the permission matrix (tests/bridges/test_permission_matrix.py).

Two companies with positions, three candidates (one shared with company A by an introduction,
one with company B, one with nobody), matches, introductions, an interview, a placement with
its follow-ups, a support measure on a budget, documents, notes, consents and one row of every
other model the admin lists. Each has personal values no other record has, so that a response
can be searched for them. Candidate A has their own login (the role "candidate", issue #16) and
has sent their case worker a request from their own view; candidate B is invited to theirs.

Employer-owned objects in URLs are company B's: employer B opens its own record, employer A
opens another tenant's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone, translation
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from bridges.api_tokens import api_token_create
from bridges.models import AuditEvent, IscoGroup, Notification, Region, User
from candidates import measures, portal
from candidates.models import (
    Budget,
    Candidate,
    CandidateRequest,
    Consent,
    MeasureKind,
    PortalInvitation,
    ResidenceStatus,
)
from candidates.services import note_add
from employers.models import Invitation
from matching import allocation_service
from matching import introductions as intro_svc
from matching.models import Match, SharedSection
from matching.pipeline import Stage
from tests.candidates.factories import (
    CandidateFactory,
    ConsentFactory,
    LanguageFactory,
    ProfilingConsentFactory,
    pdf_document,
)
from tests.employers.factories import (
    ContactPersonFactory,
    EmployerFactory,
    EngagementRegionFactory,
    MembershipFactory,
    PositionFactory,
)
from tests.factories import AdminFactory, CandidateUserFactory, CaseWorkerFactory, SkillFactory, UserFactory
from tests.matching.factories import MatchDecisionFactory, MatchFactory, MatchRunFactory, ScoringConfigFactory

ROLES = ("anonymous", "employer_a", "employer_b", "case_worker", "admin", "candidate")
EMPLOYER_FACING = ("anonymous", "employer_a", "employer_b")
# The roles whose every response is searched for the personal values they must not receive.
SEARCHED_ROLES = (*EMPLOYER_FACING, "candidate")


@dataclass
class World:
    users: dict[str, User]
    objects: dict[str, Model]  # by the name the URL kwargs use (see kwargs_for)
    candidates: dict[str, Candidate]  # "a", "b": shared with that company; "none": with nobody
    codes: dict[str, str] = field(default_factory=dict)  # the open invitation's code, by candidate key
    admin_objects: dict[str, Model] = field(default_factory=dict)  # by model label, lower case
    sessions: dict[str, str] = field(default_factory=dict)  # session keys of the logged-in roles

    def hidden_candidates(self, role: str) -> list[Candidate]:
        """The candidates whose personal data `role` must never receive (the candidate's login is
        candidate A's: they see only their own)."""
        shared = {"employer_a": "a", "employer_b": "b", "candidate": "a"}.get(role)
        return [candidate for key, candidate in self.candidates.items() if key != shared]


def personal_values(candidate: Candidate) -> list[str]:
    """The strings by which a response would give the candidate away."""
    birth = candidate.date_of_birth
    values = [
        candidate.first_name,
        candidate.last_name,
        candidate.email,
        candidate.phone,
        candidate.street,
        birth.isoformat(),
        birth.strftime("%d.%m.%Y"),
    ]
    status = ResidenceStatus(candidate.residence_status)
    for language in ("de", "en"):
        with translation.override(language):
            values.append(str(status.label))
    return values


# Seeded values that appear nowhere else (the residence statuses differ, so that the label of a
# hidden candidate is not also the label of a shared one).
PEOPLE = {
    "a": {
        "first_name": "Ysolde",
        "last_name": "Quarrington",
        "email": "ysolde.quarrington@mail.example",
        "phone": "+49 361 7770101",
        "street": "Quarringtonweg 11",
        "date_of_birth": datetime.date(1987, 3, 14),
        "residence_status": ResidenceStatus.BLUE_CARD,
    },
    "b": {
        "first_name": "Brannoc",
        "last_name": "Wethersby",
        "email": "brannoc.wethersby@mail.example",
        "phone": "+49 361 7770202",
        "street": "Wethersbystieg 22",
        "date_of_birth": datetime.date(1992, 11, 23),
        "residence_status": ResidenceStatus.PERMISSION_TO_REMAIN,
    },
    "none": {
        "first_name": "Zephyrine",
        "last_name": "Oakhurst",
        "email": "zephyrine.oakhurst@mail.example",
        "phone": "+49 361 7770303",
        "street": "Oakhurstgasse 33",
        "date_of_birth": datetime.date(1979, 8, 9),
        "residence_status": ResidenceStatus.TOLERATION,
    },
}

ALL_SECTIONS = list(SharedSection.values)


def build_world() -> World:
    """Seed the world (needs database access and the documents' storage pointed somewhere)."""
    case_worker = CaseWorkerFactory(email="berater@bridges.example")
    admin = AdminFactory(email="admin@bridges.example")
    employer_a = UserFactory(email="a@firma-a.example")
    employer_b = UserFactory(email="b@firma-b.example")
    company_a = EmployerFactory(name="Firma A GmbH")
    company_b = EmployerFactory(name="Firma B GmbH")
    MembershipFactory(user=employer_a, employer=company_a)
    membership_b = MembershipFactory(user=employer_b, employer=company_b)
    contact_b = ContactPersonFactory(employer=company_b)
    region_b = EngagementRegionFactory(employer=company_b)
    invitation_b = Invitation.objects.create(employer=company_b, email="neu@firma-b.example", invited_by=employer_b)

    position_a = PositionFactory(employer=company_a, title="Schweißer/in bei A", created_by=employer_a)
    position_b = PositionFactory(employer=company_b, title="Elektriker/in bei B", created_by=employer_b)
    position_b_filled = PositionFactory(employer=company_b, title="Lagerist/in bei B", created_by=employer_b)

    people = {key: CandidateFactory(case_worker=case_worker, **values) for key, values in PEOPLE.items()}
    for candidate in people.values():
        # The anonymised summaries on the employers' match pages show only profiles with this consent.
        ProfilingConsentFactory(candidate=candidate)

    config = ScoringConfigFactory(name="Matrix", is_active=True, employers_see_summaries=True)
    run = MatchRunFactory(config=config)
    for candidate in people.values():
        for position in (position_a, position_b):
            MatchFactory(candidate=candidate, position=position, run=run)
    decision = MatchDecisionFactory(candidate=people["none"], position=position_b, decided_by=case_worker)
    allocation_run, _new = allocation_service.request_allocation(user=case_worker)
    allocation_service.run_allocation(allocation_run.pk)

    documents = {key: pdf_document(candidate, case_worker, title=f"Zeugnis {key}") for key, candidate in people.items()}
    consent_a = ConsentFactory(candidate=people["a"], employer=company_a)
    consent_b = ConsentFactory(candidate=people["b"], employer=company_b)
    intro_a = intro_svc.introduction_create(
        candidate=people["a"],
        position=position_a,
        actor=case_worker,
        sections=ALL_SECTIONS,
        documents=[documents["a"]],
    )
    intro_b = intro_svc.introduction_create(
        candidate=people["b"],
        position=position_b,
        actor=case_worker,
        sections=ALL_SECTIONS,
        documents=[documents["b"]],
    )
    [interview_b] = intro_svc.interviews_propose(
        introduction=intro_b,
        actor=case_worker,
        slots=[intro_svc.Slot(starts_at=timezone.now() + datetime.timedelta(days=7), place="Erfurt")],
    )
    placed_b = intro_svc.introduction_create(
        candidate=people["b"], position=position_b_filled, actor=case_worker, sections=ALL_SECTIONS
    )
    for stage in (Stage.INTERESTED, Stage.OFFER):
        placed_b = intro_svc.introduction_move(introduction=placed_b, to=stage, actor=case_worker)
    placement = intro_svc.placement_record(
        introduction=placed_b,
        actor=case_worker,
        kind="employment",
        start_date=timezone.localdate() - datetime.timedelta(days=200),
        place="Erfurt",
    )
    follow_up = placement.follow_ups.order_by("months").first()

    budget = Budget.objects.create(year=timezone.localdate().year, kind=MeasureKind.LANGUAGE_COURSE, amount=5000)
    measure = measures.measure_plan(
        candidate=people["b"],
        actor=case_worker,
        kind=MeasureKind.LANGUAGE_COURSE,
        title="Deutschkurs B2",
        start_date=timezone.localdate(),
        planned_cost=Decimal("450.00"),
    )
    note = note_add(candidate=people["b"], text="Gespräch geführt", actor=case_worker)

    # The own view: candidate A's login (as accepting an invitation makes it: named like the
    # person, verified address), a request A sent from there; B invited by a printed code.
    candidate_login = CandidateUserFactory(
        email="ysolde@konto.bridges.example", first_name=PEOPLE["a"]["first_name"], last_name=PEOPLE["a"]["last_name"]
    )
    people["a"].user = candidate_login
    people["a"].save(update_fields=["user"])
    candidate_request = portal.request_send(
        candidate=people["a"],
        kind=CandidateRequest.Kind.CORRECTION,
        text="Meine Telefonnummer hat sich geändert.",
        actor=candidate_login,
    )
    invitation_of_b, code_of_b = portal.invitation_create(
        candidate=people["b"], channel=PortalInvitation.Channel.PRINTED, language="de", actor=case_worker, request=None
    )

    group = Group.objects.create(name="Matrix")
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    beat = {
        "periodictask": PeriodicTask.objects.create(name="matrix", task="matching.rescore_all", interval=interval),
        "intervalschedule": interval,
        "crontabschedule": CrontabSchedule.objects.create(minute="0", hour="3"),
        "clockedschedule": ClockedSchedule.objects.create(clocked_time=timezone.now()),
        "solarschedule": SolarSchedule.objects.create(event="sunrise", latitude=50.98, longitude=11.03),
    }
    isco = IscoGroup.objects.get_or_create(code="7212", defaults={"labels": {"de": "Schweißer", "en": "Welders"}})[0]
    region = Region.objects.get_or_create(code="SY-HL", defaults={"country": "SY", "name_en": "Aleppo"})[0]

    users = {
        "anonymous": None,
        "employer_a": employer_a,
        "employer_b": employer_b,
        "case_worker": case_worker,
        "admin": admin,
        "candidate": candidate_login,
    }
    objects = {
        "candidate": people["b"],
        "position": position_b,
        "employer": company_b,
        "introduction": intro_b,
        "introduction_of_a": intro_a,  # the candidate's own introduction (me:introduction)
        "candidate_of_a": people["a"],  # the candidate's own record
        "consent_of_a": consent_a,  # the candidate's own consent (me:consent_*)
        "candidate_request": candidate_request,  # candidate A's
        "placed_introduction": placed_b,
        "placement": placement,
        "interview": interview_b,
        "follow_up": follow_up,
        "consent": consent_b,
        "measure": measure,
        "document": documents["b"],
        "run": run,
        "invitation": invitation_b,
        "api_token": api_token_create(user=employer_b, name="ATS", days=30)[0],
        "match": Match.objects.get(candidate=people["b"], position=position_b),
        "user": employer_b,
        "content_type": ContentType.objects.get_for_model(position_b),
    }
    admin_objects = {
        "auth.group": group,
        "account.emailaddress": EmailAddress.objects.get(user=employer_b),
        **{f"django_celery_beat.{name}": obj for name, obj in beat.items()},
        "bridges.user": employer_b,
        "bridges.occupation": position_b.occupation,
        "bridges.skill": SkillFactory(),
        "bridges.iscogroup": isco,
        "bridges.language": LanguageFactory(),
        "bridges.region": region,
        "bridges.place": position_b.place,
        "bridges.apitoken": objects["api_token"],
        "bridges.auditevent": AuditEvent.objects.order_by("pk").first(),
        "bridges.notification": Notification.objects.order_by("pk").first()
        or Notification.objects.create(recipient=employer_b, template="matrix"),
        "candidates.candidate": people["b"],
        "candidates.consent": consent_b,
        "candidates.note": note,
        "candidates.document": documents["b"],
        "candidates.budget": budget,
        "candidates.portalinvitation": invitation_of_b,
        "candidates.candidaterequest": candidate_request,
        "candidates.supportmeasure": measure,
        "employers.employer": company_b,
        "employers.position": position_b,
        "employers.invitation": invitation_b,
        "employers.membership": membership_b,
        "employers.contactperson": contact_b,
        "employers.engagementregion": region_b,
        "matching.match": position_b.matches.filter(candidate=people["b"]).get(),
        "matching.matchrun": run,
        "matching.allocationrun": allocation_run,
        "matching.scoringconfig": config,
        "matching.matchdecision": decision,
        "matching.introduction": intro_b,
        "matching.placement": placement,
    }
    for model in admin_site._registry:
        # A model added to the admin later: any row the world made of it serves.
        if admin_objects.get(model._meta.label_lower) is None:
            admin_objects[model._meta.label_lower] = model._default_manager.order_by("pk").first()
    missing = sorted(label for label, row in admin_objects.items() if row is None)
    assert not missing, f"tests/permission_world.py seeds no row of the admin's model(s) {missing}: add one"
    assert not Consent.objects.filter(candidate=people["none"], employer__isnull=False).exists()
    return World(users=users, objects=objects, candidates=people, admin_objects=admin_objects, codes={"b": code_of_b})
