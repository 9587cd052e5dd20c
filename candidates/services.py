"""Use cases that write candidate data. Each runs in one transaction, validates,
sets the re-scoring mark and writes the audit trail."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy

from bridges.models import AuditEvent, User
from bridges.services import audit_log
from bridges.tasks import enqueue
from candidates.models import Candidate, Consent, Note


def candidate_touch(*, candidate: Candidate) -> None:
    """Set the re-scoring mark: matching rescores this candidate and clears the mark."""
    Candidate.objects.filter(pk=candidate.pk).mark_for_rescore()
    enqueue("matching.rescore_candidate", candidate.pk)


@transaction.atomic
def candidate_save(
    *,
    candidate: Candidate,
    actor: User | None,
    m2m: dict[str, Iterable] | None = None,
    formsets: Iterable = (),
) -> Candidate:
    """Create or change a candidate, with its many-to-many fields and inline formsets.

    `candidate` is an unsaved or changed instance (e.g. from a ModelForm with
    commit=False); `formsets` are bound, valid inline formsets whose rows belong
    to it. Everything is saved or nothing is.
    """
    created = candidate.pk is None
    candidate.full_clean()
    candidate.rescore_requested_at = timezone.now()
    candidate.save()
    enqueue("matching.rescore_candidate", candidate.pk)
    for field, values in (m2m or {}).items():
        getattr(candidate, field).set(values)
    for formset in formsets:
        formset.instance = candidate
        formset.save()
    audit_log(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=candidate,
        summary=candidate.full_name,
    )
    return candidate


@transaction.atomic
def note_add(*, candidate: Candidate, text: str, actor: User) -> Note:
    note = Note(candidate=candidate, text=text.strip(), author=actor)
    note.full_clean()
    note.save()
    candidate_touch(candidate=candidate)
    audit_log(actor=actor, action=AuditEvent.Action.UPDATE, target=candidate, summary=gettext_lazy("note added"))
    return note


@transaction.atomic
def consent_give(
    *,
    candidate: Candidate,
    purpose: str,
    wording_version: str,
    method: str,
    actor: User,
    employer=None,
    given_at=None,
) -> Consent:
    """Record a consent; a consent to share names one organisation (its name is kept as recorded).

    The same consent (purpose, organisation and wording) standing already is refused: a form sent
    twice records it once. A new wording of a standing consent is recorded beside it.
    """
    # Two requests for one candidate (a double click) wait here for each other.
    Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    same = Consent.objects.active().filter(
        candidate=candidate, purpose=purpose, employer=employer, wording_version=wording_version.strip()
    )
    existing = same.order_by("-given_at").first()
    if existing is not None:
        raise ValidationError(
            gettext("This consent was recorded already (given %(given)s).")
            % {"given": formats.date_format(timezone.localtime(existing.given_at), "SHORT_DATETIME_FORMAT")},
            code="duplicate",
        )
    consent = Consent(
        candidate=candidate,
        purpose=purpose,
        employer=employer,
        recipient=employer.name if employer is not None else "",
        wording_version=wording_version.strip(),
        method=method,
        given_at=given_at or timezone.now(),
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    candidate_touch(candidate=candidate)
    audit_log(actor=actor, action=AuditEvent.Action.CONSENT, target=candidate, **_consent_summary(consent, given=True))
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: User) -> Consent:
    """Withdraw a consent in one action; withdrawing twice keeps the first timestamp."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = actor
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        candidate_touch(candidate=consent.candidate)
        audit_log(
            actor=actor,
            action=AuditEvent.Action.CONSENT,
            target=consent.candidate,
            **_consent_summary(consent, given=False),
        )
    return consent


def _consent_summary(consent: Consent, *, given: bool) -> dict:
    """The audit summary of a consent given or withdrawn, with its purpose in the reader's language."""
    if consent.recipient:
        summary = (
            gettext_lazy("consent given: %(purpose)s, %(recipient)s")
            if given
            else gettext_lazy("consent withdrawn: %(purpose)s, %(recipient)s")
        )
    else:
        summary = (
            gettext_lazy("consent given: %(purpose)s") if given else gettext_lazy("consent withdrawn: %(purpose)s")
        )
    return {
        "summary": summary,
        "params": {"purpose": Consent.Purpose(consent.purpose).label, "recipient": consent.recipient},
    }
