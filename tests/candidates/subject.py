"""One candidate with a record of every kind the portal keeps about a person, each holding
distinctive personal values (the data-subject export and erasure tests search for them)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridges.models import AuditEvent, CEFRLevel
from bridges.services import audit_log
from candidates import documents, services
from candidates.models import Candidate, Education, Note, SupportMeasure, WorkExperience
from matching import allocation_service, notifications, review
from matching import introductions as svc
from matching.models import FollowUp, MatchDecision
from matching.pipeline import Stage
from tests.candidates.factories import CandidateFactory, CandidateLanguageFactory, LanguageFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import MatchFactory, introduce

FIRST = "Zephyrine"
LAST = "Quasthoff-Oyelaran"
EMAIL = "zephyrine.quasthoff@example.org"
PHONE = "+49 176 5550198"
BORN = datetime.date(1987, 3, 14)
STREET = "Ginsterweg 17"
DOCUMENT_BYTES = b"%PDF-1.4\n% KONTENT-Xylophon-4711 Lebenslauf\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
DOCUMENT_MARKER = "KONTENT-Xylophon-4711"
NOTE = "Notiz Wolkenkuckucksheim"
# What must be gone after the erasure: name, e-mail, phone, birth date (ISO and German), street,
# the document's contents.
SECRETS = [FIRST, LAST, EMAIL, PHONE, BORN.isoformat(), BORN.strftime("%d.%m.%Y"), STREET, DOCUMENT_MARKER, NOTE]


def make_subject(*, case_worker, company) -> Candidate:
    """The candidate and everything about them, written through the services where there is one."""
    candidate = CandidateFactory(
        first_name=FIRST,
        last_name=LAST,
        email=EMAIL,
        phone=PHONE,
        date_of_birth=BORN,
        street=STREET,
        postal_code="99084",
        gender="female",
        nationality="SY",
        case_worker=case_worker,
        support_needs_note=f"braucht Kinderbetreuung, {FIRST} fragt nach (geboren {BORN:%d.%m.%Y})",
    )
    CandidateLanguageFactory(candidate=candidate, language=LanguageFactory(), level=CEFRLevel.B1)
    Education.objects.create(candidate=candidate, degree_level="vocational", field="Elektrik", institution="Schule X")
    WorkExperience.objects.create(candidate=candidate, job_title="Elektrikerin", employer_name="Firma Y", years=3)
    audit_log(actor=case_worker, action=AuditEvent.Action.VIEW, target=candidate, summary=candidate.full_name)
    services.note_add(candidate=candidate, text=NOTE, actor=case_worker)
    document = documents.document_add(
        candidate=candidate,
        uploaded_file=SimpleUploadedFile(f"Lebenslauf_{LAST}.pdf", DOCUMENT_BYTES, content_type="application/pdf"),
        kind="cv",
        title=f"Lebenslauf {FIRST} {LAST}",
        actor=case_worker,
    )
    position = PositionFactory(employer=company)
    MatchFactory(candidate=candidate, position=position, score=77.0)
    other = PositionFactory(employer=company)
    MatchFactory(candidate=candidate, position=other, score=40.0)
    review.match_decide(
        candidate_id=candidate.pk,
        position_id=other.pk,
        status=MatchDecision.Status.DISMISSED,
        reason=MatchDecision.Reason.OTHER,
        note=f"{FIRST} möchte nicht nach Gera",
        actor=case_worker,
    )
    # A stored suggested allocation that names the candidate (the task's work, run here directly).
    allocation_service.run_allocation(allocation_service.request_allocation()[0].pk)
    today = timezone.localdate()
    introduction = introduce(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=["contact", "birth"],
        documents=[document],
        message=f"Frau {LAST} ist sehr zuverlässig",
        next_step=f"{FIRST} anrufen",
        next_step_due=today,
    )
    # An admin changed the note in the admin: its log entry names the note by its text.
    LogEntry.objects.create(
        user=case_worker,
        content_type=ContentType.objects.get_for_model(Note),
        object_id=str(candidate.notes.get().pk),
        object_repr=NOTE,
        action_flag=CHANGE,
        change_message="[]",
    )
    # The case worker's e-mail reminder of the next step names the candidate.
    notifications.next_step_reminders_send(today=today)
    svc.introduction_move(
        introduction=introduction, to=Stage.INTERESTED, actor=case_worker, comment=f"{FIRST} freut sich"
    )
    svc.introduction_move(introduction=introduction, to=Stage.OFFER, actor=case_worker)
    svc.placement_record(
        introduction=introduction, actor=case_worker, kind="employment", start_date=today, place="Erfurt"
    )
    svc.follow_up_record(
        follow_up=FollowUp.objects.get(placement__introduction=introduction, months=6),
        actor=case_worker,
        outcome=FollowUp.Outcome.IN_WORK,
        note=f"{FIRST} ist zufrieden",
    )
    measure = SupportMeasure.objects.create(
        candidate=candidate,
        kind="language_course",
        title=f"Sprachkurs für {FIRST}",
        start_date=today,
        planned_cost=Decimal("450.00"),
        actual_cost=Decimal("430.00"),
        status=SupportMeasure.Status.DONE,
        planned_by=case_worker,
        over_budget_reason=f"{LAST} braucht ihn dringend",
    )
    audit_log(
        actor=case_worker,
        action=AuditEvent.Action.UPDATE,
        target=candidate,
        summary=gettext_lazy("support measure planned: %(title)s, %(cost)s"),
        params={"title": measure.title, "cost": "450,00 €"},
    )
    LogEntry.objects.create(
        user=case_worker,
        content_type=ContentType.objects.get_for_model(Candidate),
        object_id=str(candidate.pk),
        object_repr=str(candidate),
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["E-Mail", "{EMAIL}", "{BORN:%d.%m.%Y}"]}}}}]',
    )
    candidate.refresh_from_db()
    return candidate
