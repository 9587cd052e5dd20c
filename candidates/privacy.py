"""Data-subject rights (GDPR Art. 15, 17, 20): everything the portal holds about one candidate, as
one export, and the erasure that anonymises a candidate on request or when the retention period ends.

What the export covers is declared in `EXPORT_SECTIONS` (a section per kind of record, with the
model labels it stands for) and what it leaves out on purpose in `NOT_PERSONAL` (with the reason):
`tests/candidates/test_privacy_registry.py` walks the app registry and fails on any model with a
path to a candidate that is in neither, so that a new model cannot be forgotten.

This app never imports `matching`: its records are reached through the candidate's reverse
relations (`candidate.introductions`, `candidate.matches`, ...).
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery, TextField
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from bridges.audit_retention import purge_audit_events, scrub_audit_summaries
from bridges.models import AuditEvent, Notification, User
from bridges.services import audit_log
from bridges.taxonomy_words import language_gap_sentence, language_names, skill_labels
from bridges.working_language import in_working_language
from candidates.measures import measures_for_subject
from candidates.models import (
    Candidate,
    Consent,
    Document,
    Education,
    MeasureKind,
    Status,
    SupportMeasure,
    WorkExperience,
)
from candidates.portal import LOGIN_DOMAIN

EXPORT_FORMAT_VERSION = 1
# What replaces a personal value that must go but whose row stays.
ERASED = "[erased]"
# Shorter strings are not searched for elsewhere: "Al" would match half the database.
MIN_NEEDLE = 3
PAIR_AUDIT_TYPE = "matching.pair"  # matching.review.Pair: "<candidate id>-<position id>"


# --- plain values ---------------------------------------------------------------------------------


def _plain(value):
    """A value as JSON has it: dates as ISO text, decimals as text, records as their name."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return None  # the stored path says nothing; the bytes are not exported
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (list, dict, int, float, bool, str)) or value is None:
        return value
    return str(value)


def _row(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict:
    """Every concrete field of `obj` (a new field is exported without a change here): choices as
    their label in the active language, relations as the related record's name."""
    row = {}
    skip = {"candidate", *exclude}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        if field.choices:
            value = getattr(obj, f"get_{field.name}_display")()
            row[field.name] = str(value) if getattr(obj, field.attname) not in (None, "") else ""
        elif field.is_relation:
            related = getattr(obj, field.name)
            row[field.name] = str(related) if related is not None else None
        else:
            row[field.name] = _plain(getattr(obj, field.attname))
    return row


def _labels(model: type[models.Model]) -> dict[str, str]:
    return {field.name: str(field.verbose_name) for field in model._meta.concrete_fields}


# --- the sections of the export -------------------------------------------------------------------


def _profile(candidate: Candidate) -> list[dict]:
    row = _row(candidate)
    row["skills"] = sorted(str(skill) for skill in candidate.skills.all())
    row["desired_occupations"] = sorted(str(occupation) for occupation in candidate.desired_occupations.all())
    row["relocation_regions"] = sorted(str(region) for region in candidate.relocation_regions.all())
    row["driving_licences"] = candidate.get_driving_licences_display()
    row["support_needs"] = candidate.get_support_needs_display()
    return [row]


def _rows(accessor: str, *, exclude: Iterable[str] = (), related: Iterable[str] = ()) -> Callable:
    def collect(candidate: Candidate) -> list[dict]:
        queryset = getattr(candidate, accessor).select_related(*related).order_by("pk")
        return [_row(obj, exclude=exclude) for obj in queryset]

    return collect


def _documents(candidate: Candidate) -> list[dict]:
    documents = candidate.documents.select_related("uploaded_by", "measure").order_by("uploaded_at", "pk")
    return [{"id": doc.pk, **_row(doc, exclude=["file"])} for doc in documents]


def _matches(candidate: Candidate) -> list[dict]:
    matches = candidate.matches.select_related("position__employer").order_by("-score", "pk")
    return [
        {
            "position": match.position.title,
            "employer": match.position.employer.name,
            "score": round(match.score, 1),
            "rank_for_candidate": match.rank_for_candidate,
            "rank_for_position": match.rank_for_position,
            "computed_at": _plain(match.computed_at),
            "explanation": _explanation_words(match.explanation or {}),
        }
        for match in matches
    ]


def _allocation_pairs(candidate: Candidate) -> list[dict]:
    """The stored suggested allocations that name the candidate (recomputed from the matches)."""
    pairs = apps.get_model("matching", "AllocationPair").objects.filter(candidate=candidate)
    pairs = pairs.select_related("position__employer", "run").order_by("-run__created_at", "pk")
    return [
        {
            "position": pair.position.title,
            "employer": pair.position.employer.name,
            "score": round(pair.score, 1),
            "in_suggested": pair.in_suggested,
            "in_greedy": pair.in_greedy,
            "is_pinned": pair.is_pinned,
            "ignored_pin": pair.ignored_pin,
            "finished": _plain(pair.run.finished_at),
        }
        for pair in pairs
    ]


def _explanation_words(explanation: dict) -> list[str]:
    """A stored match explanation as sentences in the active language (its ids made names)."""
    matched, missing = explanation.get("matched_skills") or [], explanation.get("missing_essential") or []
    gaps = explanation.get("language_gaps") or []
    skills = skill_labels([*matched, *missing])
    languages = language_names(gap.get("language", "") for gap in gaps)
    words = []
    if matched:
        words.append(_("Skills that match: %(skills)s") % {"skills": ", ".join(skills.get(pk, "?") for pk in matched)})
    if missing:
        words.append(
            _("Essential skills missing: %(skills)s") % {"skills": ", ".join(skills.get(pk, "?") for pk in missing)}
        )
    words.extend(language_gap_sentence(gap, languages) for gap in gaps)
    return words


def _decisions(candidate: Candidate) -> list[dict]:
    decisions = candidate.match_decisions.select_related("position__employer", "decided_by").order_by("pk")
    return [{"employer": decision.position.employer.name, **_row(decision, exclude=["id"])} for decision in decisions]


def _introductions(candidate: Candidate) -> list[dict]:
    introductions = (
        candidate.introductions.select_related("position__employer", "case_worker", "created_by", "scoring_config")
        .prefetch_related("shared_documents")
        .order_by("created_at", "pk")
    )
    rows = []
    for introduction in introductions:
        row = _row(introduction, exclude=["scoring_snapshot"])
        # Who received what: the organisation, the sections and the documents it was shown.
        row["employer"] = introduction.position.employer.name
        row["shared_sections"] = list(introduction.shared_sections)
        row["shared_documents"] = [str(doc) for doc in introduction.shared_documents.all()]
        rows.append(row)
    return rows


def _introduction_children(accessor: str, *, order: str) -> Callable:
    def collect(candidate: Candidate) -> list[dict]:
        rows = []
        for introduction in candidate.introductions.order_by("pk"):
            for obj in getattr(introduction, accessor).select_related(*_user_fields(accessor)).order_by(order, "pk"):
                rows.append(_row(obj))
        return rows

    return collect


def _user_fields(accessor: str) -> list[str]:
    return {"events": ["actor"], "interviews": ["proposed_by", "confirmed_by"]}.get(accessor, [])


def _placements(candidate: Candidate) -> list[dict]:
    placements = candidate.placements.select_related("position__employer", "recorded_by").order_by("start_date", "pk")
    return [{"employer": placement.position.employer.name, **_row(placement)} for placement in placements]


def _follow_ups(candidate: Candidate) -> list[dict]:
    rows = []
    for placement in candidate.placements.order_by("pk"):
        rows.extend(_row(obj) for obj in placement.follow_ups.select_related("recorded_by").order_by("months"))
    return rows


def _audit(candidate: Candidate) -> list[dict]:
    events = AuditEvent.objects.filter(subject_audit_q(candidate)).select_related("actor").order_by("at", "pk")
    return [
        {
            "at": _plain(event.at),
            "actor": str(event.actor) if event.actor_id else None,
            "action": str(event.get_action_display()),
            "record_type": event.target_type,
            "record_id": event.target_id,
            "summary": event.summary_text(),
        }
        for event in events
    ]


def _admin_log(candidate: Candidate) -> list[dict]:
    entries = LogEntry.objects.filter(subject_admin_log_q(candidate)).select_related("user", "content_type")
    return [
        {
            "at": _plain(entry.action_time),
            "actor": str(entry.user),
            "action": {1: "added", 2: "changed", 3: "deleted"}.get(entry.action_flag, ""),
            "record_type": entry.content_type.model if entry.content_type_id else "",
            "record": entry.object_repr,
            "change": entry.get_change_message(),
        }
        for entry in entries.order_by("action_time", "pk")
    ]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    models: tuple[str, ...]  # the model labels whose rows this section exports
    collect: Callable[[Candidate], list[dict]]
    labels_from: str = ""  # the model whose verbose names label the page's fields


EXPORT_SECTIONS: tuple[Section, ...] = (
    Section(
        "profile",
        _("Profile"),
        (
            "candidates.Candidate",
            "candidates.Candidate_skills",
            "candidates.Candidate_desired_occupations",
            "candidates.Candidate_relocation_regions",
        ),
        _profile,
        "candidates.Candidate",
    ),
    Section(
        "languages",
        _("Languages"),
        ("candidates.CandidateLanguage",),
        _rows("languages", related=["language"]),
        "candidates.CandidateLanguage",
    ),
    Section("education", _("Education"), ("candidates.Education",), _rows("education"), "candidates.Education"),
    Section(
        "experience",
        _("Work experience"),
        ("candidates.WorkExperience",),
        _rows("experience", related=["occupation"]),
        "candidates.WorkExperience",
    ),
    Section("documents", _("Documents"), ("candidates.Document",), _documents, "candidates.Document"),
    Section(
        "consents",
        _("Consents and their history"),
        ("candidates.Consent",),
        _rows("consents", related=["employer", "recorded_by", "withdrawn_by"]),
        "candidates.Consent",
    ),
    Section("notes", _("Notes"), ("candidates.Note",), _rows("notes", related=["author"]), "candidates.Note"),
    Section("matches", _("Matches shown"), ("matching.Match",), _matches, "matching.Match"),
    Section(
        "allocations",
        _("Suggested allocations"),
        ("matching.AllocationPair",),
        _allocation_pairs,
        "matching.AllocationPair",
    ),
    Section(
        "match_decisions", _("Decisions on matches"), ("matching.MatchDecision",), _decisions, "matching.MatchDecision"
    ),
    Section(
        "introductions",
        _("Introductions"),
        ("matching.Introduction", "matching.Introduction_shared_documents"),
        _introductions,
        "matching.Introduction",
    ),
    Section(
        "introduction_events",
        _("Stage changes and other steps of the introductions"),
        ("matching.IntroductionEvent",),
        _introduction_children("events", order="at"),
        "matching.IntroductionEvent",
    ),
    Section(
        "interviews",
        _("Interviews"),
        ("matching.Interview",),
        _introduction_children("interviews", order="starts_at"),
        "matching.Interview",
    ),
    Section("placements", _("Placements"), ("matching.Placement",), _placements, "matching.Placement"),
    Section("follow_ups", _("Follow-ups"), ("matching.FollowUp",), _follow_ups, "matching.FollowUp"),
    Section(
        "support_measures",
        _("Support measures"),
        ("candidates.SupportMeasure",),
        measures_for_subject,
        "candidates.SupportMeasure",
    ),
    Section(
        "own_view_invitations",
        _("Invitations to the own view"),
        ("candidates.PortalInvitation",),
        _rows("portal_invitations", exclude=["code_hash"], related=["created_by"]),
        "candidates.PortalInvitation",
    ),
    Section(
        "requests",
        _("Requests to the case worker"),
        ("candidates.CandidateRequest",),
        _rows("requests", related=["done_by"]),
        "candidates.CandidateRequest",
    ),
    Section("audit", _("Audit trail"), ("bridges.AuditEvent",), _audit),
    Section("admin_log", _("Changes in the administration"), ("admin.LogEntry",), _admin_log),
)

# Models with a path to a candidate that the export leaves out on purpose, and why.
NOT_PERSONAL: dict[str, str] = {
    "matching.MatchRun": "a technical record of a scoring run: the id of the candidate a single-record run "
    "scored, counts and timings; no personal data",
}


def covered_models() -> set[str]:
    return {label for section in EXPORT_SECTIONS for label in section.models}


def subject_export(candidate: Candidate) -> dict:
    """Everything the portal holds about `candidate`, in plain JSON types, section by section.

    Choice values and titles are in the active language; the page and the JSON download both
    render this."""
    data = {
        "format": "bridges-data-subject-export",
        "version": EXPORT_FORMAT_VERSION,
        "candidate_id": candidate.pk,
        "created_at": _plain(timezone.now()),
        "sections": {},
    }
    for section in EXPORT_SECTIONS:
        data["sections"][section.key] = section.collect(candidate)
    return data


# Labels of the keys that are no model field of their section.
EXTRA_LABELS = {
    "employer": _("employer"),
    "position": _("position"),
    "score": _("score"),
    "skills": _("skills"),
    "desired_occupations": _("desired occupations"),
    "relocation_regions": _("regions in Germany for a move"),
    "shared_documents": _("shared documents"),
    "planned_cost_eur": _("planned cost (EUR)"),
    "actual_cost_eur": _("actual cost (EUR)"),
    "planned_at": _("planned at"),
    "documents": _("documents"),
    "at": _("at"),
    "finished": _("computed"),
    "actor": _("by"),
    "action": _("action"),
    "record_type": _("record type"),
    "record_id": _("record id"),
    "record": _("record"),
    "summary": _("summary"),
    "change": _("change"),
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}.*)?$")


def export_for_page(data: dict) -> list[dict]:
    """The export's sections for the readable page: a title and, per row, (label, value) pairs,
    dates in the reader's format."""
    pages = []
    for section in EXPORT_SECTIONS:
        labels = {**EXTRA_LABELS, **(_labels(apps.get_model(section.labels_from)) if section.labels_from else {})}
        rows = [
            [(labels.get(key, key.replace("_", " ")), _display(value)) for key, value in row.items()]
            for row in data["sections"][section.key]
        ]
        pages.append({"key": section.key, "title": section.title, "rows": rows})
    return pages


def _display(value) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        items = [_display(item) for item in value]
        return ("; " if any(":" in item for item in items) else ", ").join(items)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_display(item)}" for key, item in value.items())
    if isinstance(value, str) and ISO_DATE.match(value):
        moment = datetime.datetime.fromisoformat(value)
        if "T" in value:
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        return formats.date_format(moment.date(), "SHORT_DATE_FORMAT")
    return str(value)


# --- what is about the candidate elsewhere --------------------------------------------------------


def _related_ids(candidate: Candidate) -> dict[type[models.Model], list[int]]:
    """The ids of the candidate's own records that an audit or admin-log row may name."""
    related = {
        Candidate: [candidate.pk],
        Document: list(candidate.documents.values_list("pk", flat=True)),
        Consent: list(candidate.consents.values_list("pk", flat=True)),
        SupportMeasure: list(candidate.measures.values_list("pk", flat=True)),
    }
    for accessor in ("notes", "languages", "education", "experience", "introductions", "placements"):
        manager = getattr(candidate, accessor)
        related[manager.model] = list(manager.values_list("pk", flat=True))
    return related


def subject_audit_q(candidate: Candidate) -> Q:
    """The audit rows about `candidate`: on the candidate, on a candidate–position pair, or on one
    of the candidate's own records."""
    q = Q(target_type=PAIR_AUDIT_TYPE, target_id__startswith=f"{candidate.pk}-")
    for model, ids in _related_ids(candidate).items():
        if ids:
            q |= Q(target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in ids])
    return q


def subject_admin_log_q(candidate: Candidate) -> Q:
    """Django admin's log entries about `candidate` or one of its records."""
    q = Q(pk__in=[])
    for model, ids in _related_ids(candidate).items():
        if ids:
            content_type = ContentType.objects.get_for_model(model)
            q |= Q(content_type=content_type, object_id__in=[str(pk) for pk in ids])
    return q


# --- erasure (Art. 17) -----------------------------------------------------------------------------


def _needles(candidate: Candidate) -> list[str]:
    """The candidate's identifying strings, as other tables might hold them in free text."""
    born = candidate.date_of_birth
    values = [
        candidate.full_name,
        candidate.first_name,
        candidate.last_name,
        candidate.email,
        candidate.phone,
        candidate.street,
        born.isoformat() if born else "",
        born.strftime("%d.%m.%Y") if born else "",
    ]
    values += list(candidate.documents.values_list("original_name", flat=True))
    values += list(candidate.documents.values_list("title", flat=True))
    unique = {value.strip() for value in values if value and len(value.strip()) >= MIN_NEEDLE}
    return sorted(unique, key=len, reverse=True)  # the full name before its parts


def _scrub(value, needles: list[str]):
    """`value` (text, or JSON made of lists and dicts) with every needle replaced, in any case."""
    if isinstance(value, str):
        lowered = value.lower()
        for needle in needles:
            start = lowered.find(needle.lower())
            while start != -1:
                value = value[:start] + ERASED + value[start + len(needle) :]
                lowered = value.lower()
                start = lowered.find(needle.lower(), start + len(ERASED))
        return value
    if isinstance(value, list):
        return [_scrub(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, needles) for key, item in value.items()}
    return value


def _mentions(field: str, needles: list[str]) -> Q:
    q = Q(pk__in=[])
    for needle in needles:
        q |= Q(**{f"{field}__icontains": needle})
    return q


def audit_scrub_personal_data(*, about: Q, needles: list[str]) -> int:
    """The summaries of the audit entries `about` a candidate, and of any entry that quotes one of
    the `needles`, are blanked (per record, through `bridges.audit_retention.scrub_audit_summaries`,
    the one change the database lets through). Who did what to which record, when and from where
    stays. Returns how many entries changed."""
    texts = AuditEvent.objects.annotate(data_text=Cast("summary_data", TextField()))
    records = (
        texts.filter(about | _mentions("summary", needles) | _mentions("data_text", needles))
        .exclude(summary="", summary_data=None)
        .values_list("target_type", "target_id")
        .distinct()
    )
    return sum(scrub_audit_summaries(target_type, target_id) for target_type, target_id in records)


def _scrub_admin_log(*, about: Q, needles: list[str]) -> None:
    """Django admin's log names a record by its text (a note's first words, a candidate's name)."""
    for entry in LogEntry.objects.filter(
        about | _mentions("object_repr", needles) | _mentions("change_message", needles)
    ):
        LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=_scrub(entry.object_repr, needles), change_message=_scrub(entry.change_message, needles)
        )
    LogEntry.objects.filter(about).update(object_repr=ERASED)


def _scrub_notifications(needles: list[str]) -> None:
    # The outbox keeps the candidate's name in the context of case workers' mails (reminders, the digest).
    texts = Notification.objects.annotate(context_text=Cast("context", TextField()))
    for notification in texts.filter(_mentions("context_text", needles) | _mentions("last_error", needles)):
        Notification.objects.filter(pk=notification.pk).update(
            context=_scrub(notification.context, needles), last_error=_scrub(notification.last_error, needles)
        )


def _coarse_birth_date(born: datetime.date) -> datetime.date:
    """The middle of the birth year: the age bands of the funder's report stay right to within a
    year, and the day is gone."""
    coarse = datetime.date(born.year, 7, 1)
    return coarse if coarse != born else datetime.date(born.year, 6, 30)


@transaction.atomic
def erase_candidate(*, candidate: Candidate, actor: User | None, reason: str) -> bool:
    """Anonymise `candidate` (GDPR Art. 17): personal data, free text and documents go; what the
    funder's report counts stays (gender, nationality, origin, age band, German level, status of
    the introductions and placements, the measures' costs). The record is kept as an anonymous
    row, taken out of matching. Files are deleted once the transaction commits.

    Returns False if the candidate was anonymised before (nothing happens then)."""
    reason = reason.strip()
    if not reason:
        raise ValueError("an erasure needs a reason")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.erased_at is not None:
        return False
    needles = _needles(candidate)
    # Computed before the candidate's notes and documents go, so that rows about them are found.
    about = subject_audit_q(candidate)
    about_in_admin_log = subject_admin_log_q(candidate)

    # Documents: rows now, files after the commit (a rollback keeps both).
    files = [name for name in candidate.documents.values_list("file", flat=True) if name]
    candidate.documents.all().delete()
    storage = Document._meta.get_field("file").storage

    def remove_files() -> None:
        for name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)

    candidate.notes.all().delete()
    # The own view: no invitation stays valid, the login can no longer be used, the requests keep
    # what was asked and when (the erasure request is the record of the erasure), not the text.
    candidate.portal_invitations.all().delete()
    candidate.requests.update(text="")
    if candidate.user_id is not None:
        _login_close(candidate.user)
    # No consent stands for a person who asked to be forgotten: shared profiles are hidden at once.
    Consent.objects.filter(candidate=candidate, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=actor
    )
    Education.objects.filter(candidate=candidate).update(institution="", field="")
    WorkExperience.objects.filter(candidate=candidate).update(employer_name="", job_title="")
    for measure in candidate.measures.all():
        SupportMeasure.objects.filter(pk=measure.pk).update(
            title=_measure_title(measure), over_budget_reason="", provider=_scrub(measure.provider, needles)
        )
    candidate.matches.all().delete()
    apps.get_model("matching", "AllocationPair").objects.filter(candidate=candidate).delete()
    candidate.match_decisions.update(note="")
    introductions = candidate.introductions.all()
    introductions.update(message="", next_step="")
    apps.get_model("matching", "IntroductionEvent").objects.filter(introduction__candidate=candidate).update(comment="")
    apps.get_model("matching", "FollowUp").objects.filter(placement__candidate=candidate).update(note="")

    audit_scrub_personal_data(about=about, needles=needles)
    _scrub_admin_log(about=about_in_admin_log, needles=needles)
    _scrub_notifications(needles)

    born = candidate.date_of_birth
    Candidate.objects.filter(pk=candidate.pk).update(
        first_name="",
        last_name="",
        date_of_birth=_coarse_birth_date(born),
        email="",
        phone="",
        street="",
        postal_code="",
        place=None,
        residence_valid_until=None,
        work_permission_valid_until=None,
        support_needs_note="",
        status=Status.INACTIVE,
        rescore_requested_at=None,
        retention_flagged_at=None,
        erased_at=timezone.now(),
    )
    candidate.refresh_from_db()
    audit_log(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target=candidate,
        summary=_("personal data erased: %(reason)s"),
        params={"reason": _scrub(reason, needles)},
    )
    return True


def _login_close(user: User) -> None:
    """The candidate's own login, kept for the audit trail's "by" but unusable and without the address."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()
    user.email = f"erased-{user.pk}@{LOGIN_DOMAIN}"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.session_epoch += 1
    user.save(update_fields=["email", "first_name", "last_name", "is_active", "password", "session_epoch"])


def _measure_title(measure: SupportMeasure) -> str:
    return in_working_language(MeasureKind(measure.kind).label)


# --- retention ------------------------------------------------------------------------------------


def _latest(queryset, field: str) -> Coalesce:
    # Without rows, the candidate's own change: SQLite's MAX (unlike PostgreSQL's GREATEST) is NULL
    # as soon as one argument is.
    return Coalesce(Subquery(queryset.order_by(f"-{field}").values(field)[:1]), F("updated_at"))


def last_activity() -> Greatest:
    """The time of a candidate's latest activity, as a query expression over `Candidate`: the latest
    of its own changes, its introductions, measures, placements and consents (given or withdrawn)."""
    introduction = apps.get_model("matching", "Introduction")
    placement = apps.get_model("matching", "Placement")
    mine = {"candidate": OuterRef("pk")}
    consents = Consent.objects.filter(**mine)
    return Greatest(
        F("updated_at"),
        _latest(introduction.objects.filter(**mine), "updated_at"),
        _latest(SupportMeasure.objects.filter(**mine), "updated_at"),
        _latest(placement.objects.filter(**mine), "created_at"),
        _latest(consents, "given_at"),
        _latest(consents.filter(withdrawn_at__isnull=False), "withdrawn_at"),
    )


@dataclass(frozen=True)
class SweepResult:
    cleared: int
    flagged: int
    erased: int
    audit_purged: int = 0


RETENTION_REASON = "retention period passed"


def retention_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """Flag candidates without activity for RETENTION_FLAG_AFTER_DAYS to their case worker, clear
    the flag where there was activity since, and anonymise those flagged longer than
    RETENTION_ERASE_AFTER_DAYS. Idempotent: a second run at the same time changes nothing."""
    now = now or timezone.now()
    flag_before = now - datetime.timedelta(days=settings.RETENTION_FLAG_AFTER_DAYS)
    erase_before = now - datetime.timedelta(days=settings.RETENTION_ERASE_AFTER_DAYS)
    candidates = Candidate.objects.filter(erased_at__isnull=True).annotate(activity=last_activity())
    # update() leaves `updated_at` alone: flagging is not activity.
    cleared = Candidate.objects.filter(
        pk__in=candidates.filter(retention_flagged_at__isnull=False, activity__gt=F("retention_flagged_at")).values(
            "pk"
        )
    ).update(retention_flagged_at=None)
    erased = 0
    for candidate in candidates.filter(retention_flagged_at__lte=erase_before).order_by("pk"):
        erased += erase_candidate(candidate=candidate, actor=None, reason=RETENTION_REASON)
    flagged = Candidate.objects.filter(
        pk__in=candidates.filter(retention_flagged_at__isnull=True, activity__lt=flag_before).values("pk")
    ).update(retention_flagged_at=now)
    # Audit entries older than AUDIT_RETENTION_DAYS go too: by this job, and only by it.
    audit_purged = purge_audit_events(before=now - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS))
    return SweepResult(cleared=cleared, flagged=flagged, erased=erased, audit_purged=audit_purged)


def candidates_flagged_for_retention(*, user: User):
    """The user's candidates the retention sweep flagged (the dashboard lists them)."""
    return Candidate.objects.filter(case_worker=user, retention_flagged_at__isnull=False, erased_at__isnull=True)


__all__ = [
    "EXPORT_SECTIONS",
    "NOT_PERSONAL",
    "audit_scrub_personal_data",
    "candidates_flagged_for_retention",
    "covered_models",
    "erase_candidate",
    "export_for_page",
    "last_activity",
    "retention_sweep",
    "subject_export",
]
