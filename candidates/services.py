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
    changed = [] if created else _changed_fields(candidate, m2m or {})
    candidate.rescore_requested_at = timezone.now()
    candidate.save()
    enqueue("matching.rescore_candidate", candidate.pk)
    for field, values in (m2m or {}).items():
        getattr(candidate, field).set(values)
    for formset in formsets:
        formset.instance = candidate
        changed.extend(_formset_changes(formset))
        formset.save()
    if created:
        audit_log(actor=actor, action=AuditEvent.Action.CREATE, target=candidate, summary=gettext_lazy("profile"))
    else:
        audit_log(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=candidate,
            summary=gettext_lazy("fields: %(fields)s"),
            params={"fields": ", ".join(dict.fromkeys(changed)) or "–"},
        )
    return candidate


# Kept by the portal itself on every save; not a change anybody made.
_BOOKKEEPING_FIELDS = {"updated_at", "rescore_requested_at"}


def _changed_fields(candidate: Candidate, m2m: dict[str, Iterable]) -> list[str]:
    """The names (never the values) of the fields whose stored value differs from `candidate`'s."""
    fields = [
        field
        for field in Candidate._meta.concrete_fields
        if field.name not in _BOOKKEEPING_FIELDS and not field.primary_key
    ]
    stored = Candidate.objects.filter(pk=candidate.pk).values(*(field.attname for field in fields)).first() or {}
    names = [
        field.name
        for field in fields
        if field.get_prep_value(stored.get(field.attname)) != field.get_prep_value(getattr(candidate, field.attname))
    ]
    for name, values in m2m.items():
        before = set(getattr(candidate, name).values_list("pk", flat=True))
        if before != {getattr(value, "pk", value) for value in values}:
            names.append(name)
    return names


def _formset_changes(formset) -> list[str]:
    """Field names changed in an inline formset, as "<prefix>.<field>" (a removed row: "<prefix>.DELETE")."""
    names = []
    for form in formset.forms:
        if form.has_changed():
            names.extend(f"{formset.prefix}.{name}" for name in form.changed_data)
    return names


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
