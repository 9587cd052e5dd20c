"""The audit trail's rule: every page that shows or changes candidate personal data is recorded.

This module owns
- `PERSONAL_DATA_URLS`, the one list of URL names that show personal data (with the record type
  and URL argument an entry names), checked by tests/bridges/test_audit_coverage.py over every URL;
- `@audited`, the marker every view under such a URL carries: a page answered without an entry
  of its own (a GET of an edit section, a list, a form shown again) gets a "viewed" entry;
- `AuditedAdminMixin`, the same for the admin's pages, which also records which fields an admin
  changed and every deletion;
- `AuditMiddleware`, which gives every entry of a request the client's IP and records every
  refused access (403, 404) to a personal-data URL.

Entries name record types, ids, URL names and field names, never the personal data itself.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from allauth.account.adapter import get_adapter
from django.apps import apps
from django.contrib.admin.utils import unquote
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from bridges.models import AuditEvent
from bridges.services import AuditContext, audit_context, audit_log

# Summaries written before entries stopped naming people (kept so that those entries still read
# in each reader's language; erasure blanks them: bridges.audit_retention.scrub_audit_summaries).
LEGACY_SUMMARIES = (
    gettext_noop("%(name)s: match with position %(id)s"),
    gettext_noop("%(name)s: introduction to %(position)s"),
    gettext_noop("%(name)s: introductions"),
)

ADMIN_MODEL = "<admin model>"  # the record type is the admin page's model ("candidates.consent")


@dataclass(frozen=True)
class Rule:
    """URL names matching `pattern` (fnmatch, namespaced) show personal data of `target` records,
    identified by the URL argument `id_kwarg`; a rule without target marks URLs that do not."""

    pattern: str
    target: str | None
    id_kwarg: str | None = None


# The first rule that matches a URL name decides. A new URL under a personal-data namespace is
# personal data until it is listed here as not: its view must carry @audited (or be an admin of
# AuditedAdminMixin), or tests/bridges/test_audit_coverage.py fails.
PERSONAL_DATA_URLS: tuple[Rule, ...] = (
    # Under the namespaces below, but without personal data:
    Rule("candidates:employer_search", None),  # organisations' names for the consent form
    Rule("matching:run_progress", None),  # a match run's progress
    Rule("matching:rescore_all", None),  # starts a rescore
    Rule("matching:allocation_compute", None),  # starts computing the suggested allocation
    Rule("matching:allocation_status", None),  # whether that computation is done
    Rule("admin:candidates_budget_*", None),  # budgets per year and kind
    Rule("admin:matching_matchrun_*", None),  # when a run ran, how long
    Rule("admin:matching_allocationrun_*", None),  # when an allocation was computed, its totals
    Rule("admin:matching_scoringconfig_*", None),  # weights and thresholds
    Rule("me:welcome*", None),  # accepting an invitation: a code and a password
    # Candidate pages: profile, sections, intake and duplicate check, notes, consents, documents,
    # support measures, import and export.
    Rule("candidates:*", "candidates.candidate", "pk"),
    # Matches, explanations, decisions and introductions (case workers).
    Rule("matching:explain", "candidates.candidate", "candidate"),
    Rule("matching:decide", "candidates.candidate", "candidate"),
    Rule("matching:introduce", "candidates.candidate", "candidate"),
    Rule("matching:candidate_*", "candidates.candidate", "pk"),
    Rule("matching:position_matches", "employers.position", "pk"),
    Rule("matching:employer_position_matches", "employers.position", "pk"),
    Rule("matching:introductions*", "matching.introduction"),
    Rule("matching:introduction*", "matching.introduction", "pk"),
    Rule("matching:board*", "matching.introduction", "pk"),
    Rule("matching:interview_confirm", "matching.introduction", "pk"),
    Rule("matching:follow_up_record", "matching.introduction", "pk"),
    Rule("matching:report*", "matching.report"),  # the funder's report and its exports
    Rule("matching:*", "matching.match"),  # the dashboard, the overview, the allocation, anything new
    # The employers' introductions: the shared profile and documents.
    Rule("proposals:*", "matching.introduction", "pk"),
    # The candidate's own view: their own record (the id is the login's, not in the URL).
    Rule("me:*", "candidates.candidate"),
    # The admin's pages on candidates and everything about them.
    Rule("admin:candidates_*", ADMIN_MODEL, "object_id"),
    Rule("admin:matching_*", ADMIN_MODEL, "object_id"),
    Rule("admin:autocomplete", "admin.autocomplete"),  # answers with records' names
)


def rule_for(url_name: str) -> Rule | None:
    """The rule for a namespaced URL name, None where no rule names it."""
    return next((rule for rule in PERSONAL_DATA_URLS if fnmatch.fnmatchcase(url_name, rule.pattern)), None)


def is_personal(url_name: str) -> bool:
    rule = rule_for(url_name)
    return rule is not None and rule.target is not None


def is_audited(view: Callable) -> bool:
    """Whether a resolved view carries the marker (@audited, or an admin page of an AuditedAdminMixin)."""
    seen = view
    while seen is not None:
        if getattr(seen, "audited", False) or isinstance(getattr(seen, "model_admin", None), AuditedAdminMixin):
            return True
        seen = getattr(seen, "__wrapped__", None)
    return False


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP as allauth's rate limits see it (behind a proxy: ALLAUTH_TRUSTED_PROXY_COUNT)."""
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):  # no address, or a proxy header that does not fit
        return None


def _target(request: HttpRequest) -> tuple[str, str, str] | None:
    """(record type, record id, page) for the request's URL, None for a URL without personal data."""
    match = getattr(request, "resolver_match", None)
    rule = rule_for(match.view_name) if match else None
    if rule is None or rule.target is None:
        return None
    target_type = rule.target
    if target_type == ADMIN_MODEL:
        # admin:<app>_<model>_<page>
        app, _sep, rest = match.url_name.partition("_")
        target_type = f"{app}.{rest.rpartition('_')[0]}"
    target_id = str(match.kwargs.get(rule.id_kwarg, "")) if rule.id_kwarg else ""
    extras = " ".join(f"{key}={value}" for key, value in match.kwargs.items() if key != rule.id_kwarg)
    page = f"{match.view_name} {extras}".strip()
    return target_type, target_id[:64], page


# --- how an entry's page reads (display only: entries keep the URL name they were written with) ---

_PAGE = "audit page"
# The pages of PERSONAL_DATA_URLS by URL name, as a person names them; the admin's pages are named
# after their model (ADMIN_PAGES). tests/bridges/test_audit_trail.py checks that none is missing.
PAGE_NAMES: dict[str, Promise] = {
    "candidates:list": pgettext_lazy(_PAGE, "Candidates"),
    "candidates:create": pgettext_lazy(_PAGE, "New candidate"),
    "candidates:detail": pgettext_lazy(_PAGE, "Candidate profile"),
    "candidates:edit": pgettext_lazy(_PAGE, "Candidate profile, edit"),
    "candidates:duplicates": pgettext_lazy(_PAGE, "Duplicate check"),
    "candidates:export": pgettext_lazy(_PAGE, "Candidates, export"),
    "candidates:import": pgettext_lazy(_PAGE, "Candidates, import"),
    "candidates:consent_add": pgettext_lazy(_PAGE, "Consent, record"),
    "candidates:consent_withdraw": pgettext_lazy(_PAGE, "Consent, withdraw"),
    "candidates:document_upload": pgettext_lazy(_PAGE, "Document, upload"),
    "candidates:document_download": pgettext_lazy(_PAGE, "Document, download"),
    "candidates:document_delete": pgettext_lazy(_PAGE, "Document, delete"),
    "candidates:erase": pgettext_lazy(_PAGE, "Candidate, erase"),
    "candidates:measure_plan": pgettext_lazy(_PAGE, "Support measure, plan"),
    "candidates:measure_approve": pgettext_lazy(_PAGE, "Support measure, approve"),
    "candidates:measure_cancel": pgettext_lazy(_PAGE, "Support measure, cancel"),
    "candidates:measure_complete": pgettext_lazy(_PAGE, "Support measure, done"),
    "candidates:note_add": pgettext_lazy(_PAGE, "Note, add"),
    "candidates:portal_invite": pgettext_lazy(_PAGE, "Own view, invitation"),
    "candidates:portal_request_done": pgettext_lazy(_PAGE, "Own view, request done"),
    "candidates:privacy_export": pgettext_lazy(_PAGE, "Data export (GDPR)"),
    "candidates:privacy_export_json": pgettext_lazy(_PAGE, "Data export as JSON (GDPR)"),
    "matching:dashboard": pgettext_lazy(_PAGE, "Dashboard"),
    "matching:overview": pgettext_lazy(_PAGE, "Matches"),
    "matching:allocation": pgettext_lazy(_PAGE, "Suggested allocation"),
    "matching:candidate_matches": pgettext_lazy(_PAGE, "Matches of a candidate"),
    "matching:position_matches": pgettext_lazy(_PAGE, "Matches of a position"),
    "matching:employer_position_matches": pgettext_lazy(_PAGE, "Matches of an employer's position"),
    "matching:explain": pgettext_lazy(_PAGE, "Match, explanation"),
    "matching:decide": pgettext_lazy(_PAGE, "Match, decision"),
    "matching:introduce": pgettext_lazy(_PAGE, "Introduction, new"),
    "matching:candidate_introduce": pgettext_lazy(_PAGE, "Introduction of a candidate, new"),
    "matching:candidate_introductions": pgettext_lazy(_PAGE, "Introductions of a candidate"),
    "matching:introductions": pgettext_lazy(_PAGE, "Introductions"),
    "matching:introductions_bulk": pgettext_lazy(_PAGE, "Introductions, bulk change"),
    "matching:board": pgettext_lazy(_PAGE, "Introductions, board"),
    "matching:board_move": pgettext_lazy(_PAGE, "Introductions, board, move"),
    "matching:introduction": pgettext_lazy(_PAGE, "Introduction"),
    "matching:introduction_move": pgettext_lazy(_PAGE, "Introduction, next stage"),
    "matching:introduction_next_step": pgettext_lazy(_PAGE, "Introduction, next step"),
    "matching:introduction_interviews": pgettext_lazy(_PAGE, "Introduction, interviews"),
    "matching:interview_confirm": pgettext_lazy(_PAGE, "Introduction, interview confirmed"),
    "matching:introduction_placement": pgettext_lazy(_PAGE, "Introduction, placement"),
    "matching:introduction_sharing": pgettext_lazy(_PAGE, "Introduction, shared profile"),
    "matching:follow_up_record": pgettext_lazy(_PAGE, "Introduction, follow-up"),
    "matching:report": pgettext_lazy(_PAGE, "Report for the funder"),
    "matching:report_figures_csv": pgettext_lazy(_PAGE, "Report for the funder, figures as CSV"),
    "matching:report_figures_xlsx": pgettext_lazy(_PAGE, "Report for the funder, figures as XLSX"),
    "matching:report_rows_csv": pgettext_lazy(_PAGE, "Report for the funder, anonymised rows as CSV"),
    "matching:report_rows_xlsx": pgettext_lazy(_PAGE, "Report for the funder, anonymised rows as XLSX"),
    "me:home": pgettext_lazy(_PAGE, "Own view, start"),
    "me:confirm": pgettext_lazy(_PAGE, "Own view, confirm the profile"),
    "me:correction": pgettext_lazy(_PAGE, "Own view, correction"),
    "me:consents": pgettext_lazy(_PAGE, "Own view, consents"),
    "me:consent_withdraw": pgettext_lazy(_PAGE, "Own view, consent, withdraw"),
    "me:consent_request": pgettext_lazy(_PAGE, "Own view, consent, ask again"),
    "me:introductions": pgettext_lazy(_PAGE, "Own view, introductions"),
    "me:introduction": pgettext_lazy(_PAGE, "Own view, introduction"),
    "me:how": pgettext_lazy(_PAGE, "Own view, how matching works"),
    "me:data": pgettext_lazy(_PAGE, "Own view, my data"),
    "me:export": pgettext_lazy(_PAGE, "Own view, data export"),
    "me:erasure": pgettext_lazy(_PAGE, "Own view, erasure"),
    "proposals:list": pgettext_lazy(_PAGE, "Employer, introductions"),
    "proposals:detail": pgettext_lazy(_PAGE, "Employer, introduction"),
    "proposals:document": pgettext_lazy(_PAGE, "Employer, introduction, document"),
    "proposals:interested": pgettext_lazy(_PAGE, "Employer, introduction, interested"),
    "proposals:decline": pgettext_lazy(_PAGE, "Employer, introduction, decline"),
    "proposals:interviews": pgettext_lazy(_PAGE, "Employer, introduction, interviews"),
    "proposals:offer": pgettext_lazy(_PAGE, "Employer, introduction, offer"),
    "admin:autocomplete": pgettext_lazy(_PAGE, "Admin search as you type"),
}
ADMIN_PAGES: dict[str, Promise] = {
    "changelist": pgettext_lazy(_PAGE, "%(models)s (admin, list)"),
    "add": pgettext_lazy(_PAGE, "%(model)s (admin, add)"),
    "change": pgettext_lazy(_PAGE, "%(model)s (admin)"),
    "delete": pgettext_lazy(_PAGE, "%(model)s (admin, delete)"),
    "history": pgettext_lazy(_PAGE, "%(model)s (admin, history)"),
}
# The URL arguments a page names besides its record (e.g. the position of a match).
PAGE_ARGUMENTS: dict[str, Promise] = {
    "pk": pgettext_lazy(_PAGE, "no."),
    "candidate": pgettext_lazy(_PAGE, "candidate"),
    "position": pgettext_lazy(_PAGE, "position"),
    "consent": pgettext_lazy(_PAGE, "consent"),
    "doc": pgettext_lazy(_PAGE, "document"),
    "measure": pgettext_lazy(_PAGE, "support measure"),
    "follow_up": pgettext_lazy(_PAGE, "follow-up"),
    "interview": pgettext_lazy(_PAGE, "interview"),
    "request_id": pgettext_lazy(_PAGE, "request"),
    "section": pgettext_lazy(_PAGE, "section"),
}


def _admin_page_label(view_name: str) -> str | None:
    """An admin page ("admin:matching_introduction_change") after its model, None for another page."""
    app_model, _sep, view = view_name.removeprefix("admin:").rpartition("_")
    app, _sep, model_name = app_model.partition("_")
    if view not in ADMIN_PAGES or not model_name:
        return None
    try:
        opts = apps.get_model(app, model_name)._meta
    except LookupError:
        return None
    return str(ADMIN_PAGES[view]) % {
        "model": capfirst(opts.verbose_name),
        "models": capfirst(opts.verbose_name_plural),
    }


def page_label(page: str) -> str:
    """An entry's page as `_target` writes it ("me:introduction pk=3") as a person reads it
    ("Own view, introduction (no. 3)"); a page without a name stays as written."""
    view_name, _sep, extras = page.partition(" ")
    label = _admin_page_label(view_name) if view_name.startswith("admin:") else None
    if label is None:
        if view_name not in PAGE_NAMES:
            return page
        label = str(PAGE_NAMES[view_name])
    arguments = []
    for extra in extras.split():
        key, _eq, value = extra.partition("=")
        arguments.append(f"{PAGE_ARGUMENTS.get(key, key)} {value}")
    return f"{label} ({', '.join(arguments)})" if arguments else label


def _record_view(request: HttpRequest, action: str, target: tuple[str, str] | None = None) -> None:
    found = _target(request)
    if found is None:
        return
    target_type, target_id, page = found
    if target is not None:
        target_type, target_id = target
    audit_log(
        actor=request.user,
        action=action,
        target=target_type,
        target_id=target_id,
        summary=gettext_lazy("page %(page)s"),
        params={"page": page},
    )


def _context() -> tuple[AuditContext, bool]:
    context = audit_context.get()
    return (context, False) if context is not None else (AuditContext(), True)


def audited_response(
    request: HttpRequest,
    answer: Callable[[], HttpResponse],
    *,
    action: str = AuditEvent.Action.VIEW,
    target: Callable[[], tuple[str, str] | None] | None = None,
) -> HttpResponse:
    """Answer the request; a successful answer that wrote no entry of its own is recorded as `action`."""
    context, own = _context()
    token = audit_context.set(context) if own else None
    try:
        before = context.written
        response = answer()
        if 200 <= response.status_code < 300 and context.written == before:
            _record_view(request, action, target() if target else None)
        return response
    finally:
        if token is not None:
            audit_context.reset(token)


def audited(view: Callable | None = None, *, action: str = AuditEvent.Action.VIEW) -> Callable:
    """Mark a view that shows or changes candidate personal data and record each of its pages.

    A service that writes its own entry (a change, a download, an export) suffices; a page
    answered without one (a GET, a form shown again with its errors) is recorded as `action`.
    Refusals (403, 404) are recorded by AuditMiddleware. Use it outermost: `@audited` first.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return audited_response(request, lambda: view(request, *args, **kwargs), action=action)

        wrapper.audited = True
        return wrapper

    return decorator(view) if view is not None else decorator


class AuditMiddleware:
    """Gives the request's audit entries the client's IP, and records every refused access
    (403 or 404) to a personal-data URL, whichever layer refused it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit_context.set(AuditContext(ip=client_ip(request)))
        try:
            response = self.get_response(request)
            if response.status_code in (403, 404):
                self._record_refusal(request, response.status_code)
            return response
        finally:
            audit_context.reset(token)

    @staticmethod
    def _record_refusal(request: HttpRequest, status: int) -> None:
        found = _target(request)
        if found is None:
            return
        target_type, target_id, page = found
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.REFUSED,
            target=target_type,
            target_id=target_id,
            summary=gettext_lazy("refused (%(status)s): %(page)s"),
            params={"status": status, "page": page},
        )


def _about(obj) -> tuple[object, str]:
    """The record an admin entry is about: the candidate where the object belongs to one (so that
    the candidate's entries show everything), and how the object is named in the summary."""
    candidate = getattr(obj, "candidate", None) or getattr(getattr(obj, "introduction", None), "candidate", None)
    label = f"{obj._meta.model_name} {obj.pk}"
    return (candidate, label) if candidate is not None and candidate is not obj else (obj, label)


class AuditedAdminMixin:
    """For the model admin of records with candidate personal data: every list, change, history and
    delete page is recorded; a change records the names of the fields (and inline rows) that
    changed, never their values; a deletion is recorded in the audit trail (the admin's own log,
    django_admin_log, can be deleted by any admin and holds the record's name)."""

    def _audited(self, request, answer, object_id=None):
        def target() -> tuple[str, str] | None:
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            if obj is None:
                return None
            about, _label = _about(obj)
            return about._meta.label_lower, str(about.pk)

        return audited_response(request, answer, target=target if object_id else None)

    def changelist_view(self, request, extra_context=None):
        return self._audited(request, lambda: super(AuditedAdminMixin, self).changelist_view(request, extra_context))

    def add_view(self, request, form_url="", extra_context=None):
        return self._audited(request, lambda: super(AuditedAdminMixin, self).add_view(request, form_url, extra_context))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        answer = lambda: super(AuditedAdminMixin, self).change_view(request, object_id, form_url, extra_context)  # noqa: E731
        return self._audited(request, answer, object_id)

    def history_view(self, request, object_id, extra_context=None):
        answer = lambda: super(AuditedAdminMixin, self).history_view(request, object_id, extra_context)  # noqa: E731
        return self._audited(request, answer, object_id)

    def delete_view(self, request, object_id, extra_context=None):
        answer = lambda: super(AuditedAdminMixin, self).delete_view(request, object_id, extra_context)  # noqa: E731
        return self._audited(request, answer, object_id)

    def construct_change_message(self, request, form, formsets, add):
        message = super().construct_change_message(request, form, formsets, add)
        fields = list(form.changed_data)
        for formset in formsets or []:
            for inline_form in formset.forms:
                if inline_form.has_changed():
                    fields.extend(f"{formset.prefix}.{name}" for name in inline_form.changed_data)
            fields.extend(f"{formset.prefix}.DELETE" for _obj in getattr(formset, "deleted_objects", []))
        about, label = _about(form.instance)
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.CREATE if add else AuditEvent.Action.UPDATE,
            target=about,
            summary=gettext_lazy("admin: %(record)s, fields: %(fields)s"),
            params={"record": label, "fields": ", ".join(dict.fromkeys(fields)) or "–"},
        )
        return message

    def _audit_deletion(self, request, obj) -> None:
        about, label = _about(obj)
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.DELETE,
            target=about,
            summary=gettext_lazy("admin: %(record)s deleted"),
            params={"record": label},
        )

    def delete_model(self, request, obj) -> None:
        self._audit_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self._audit_deletion(request, obj)
        super().delete_queryset(request, queryset)
