"""Case-worker pages for candidates: list, detail, intake and editing in sections.

Every view is for case workers and admins only (403 for everyone else); every
view of a profile is written to the audit trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bridges.audit import audited
from bridges.http import next_url
from bridges.models import AuditEvent, Role
from bridges.permissions import case_worker_required
from bridges.services import audit_log
from candidates import services
from candidates.filters import CandidateFilter
from candidates.forms import (
    SECTIONS,
    ConsentForm,
    IntakeForm,
    LanguageFormSet,
    MeasureDoneForm,
    MeasureForm,
    NoteForm,
    PortalInviteForm,
)
from candidates.measures import approval_limit, budgets_left
from candidates.selectors import (
    candidate_find_duplicates,
    candidate_get_for_user,
    consent_employers,
    consent_employers_chosen,
    consent_overview,
)
from candidates.selectors import candidate_list as list_candidates

PAGE_SIZE = 25
EMPLOYER_OPTIONS = 20  # organisations per answer of the consent form's search


@audited
@case_worker_required
def candidate_list(request: HttpRequest) -> HttpResponse:
    filterset = CandidateFilter(request.GET, queryset=list_candidates(user=request.user))
    if filterset.is_valid() and filterset.form.cleaned_data.get("q"):
        # A search is the costly part: run it once, for the ids in order, rather than once to
        # count and once more for the page; then read the page's 25 rows by id.
        page = Paginator(list(filterset.qs.values_list("pk", flat=True)), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list_candidates(user=request.user).filter(pk__in=page.object_list).in_bulk()
        page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    else:
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for candidate in page.object_list:
        candidate.consent_overview = consent_overview(candidate.standing_consents)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "candidates/list.html", context)


def _detail_context(request: HttpRequest, candidate, **forms) -> dict:
    from candidates.forms_documents import DocumentForm

    context = {
        "candidate": candidate,
        "sections": SECTIONS,
        "note_form": NoteForm(),
        "consent_form": ConsentForm(initial=ConsentForm.prefill(request.GET)),
        "consent_overview": consent_overview(candidate.consents.all()),
        # Where to go once the consent is recorded, e.g. back to the introduction that needed it.
        "consent_next": next_url(request, default=""),
        "document_form": DocumentForm(candidate=candidate),
        "today": timezone.localdate(),
        "measures": candidate.measures.select_related(
            "planned_by", "approved_by", "introduction__position"
        ).prefetch_related("documents"),
        "measure_form": MeasureForm(
            initial=MeasureForm.prefill(request.GET), candidate=candidate, admin=request.user.role == Role.ADMIN
        ),
        "measure_done_form": MeasureDoneForm(),
        # Planning looks ahead: this year's budgets and next year's.
        "budgets": budgets_left(years=[timezone.localdate().year, timezone.localdate().year + 1]),
        "approval_limit": approval_limit(),
        # The candidate's own view: the login, the last invitation, what the candidate asked for.
        "portal_form": PortalInviteForm(
            initial={"channel": "email" if candidate.email else "printed", "language": translation.get_language()}
        ),
        "portal_invitation": candidate.portal_invitations.first(),
        "portal_requests": candidate.requests.filter(done_at__isnull=True).select_related("consent"),
    }
    context.update(forms)
    return context


@audited
@case_worker_required
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    audit_log(actor=request.user, action=AuditEvent.Action.VIEW, target=candidate, summary=gettext_lazy("profile"))
    return render(request, "candidates/detail.html", _detail_context(request, candidate))


@audited
@case_worker_required
def candidate_create(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    languages = LanguageFormSet(request.POST or None, prefix="languages")
    duplicates = []
    if request.method == "POST" and form.is_valid() & languages.is_valid():
        data = form.cleaned_data
        duplicates = candidate_find_duplicates(
            user=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            email=data["email"],
            phone=data["phone"],
        )
        if not duplicates or data["confirm_new"]:
            candidate = form.save(commit=False)
            candidate.case_worker = request.user
            candidate.last_confirmed = timezone.localdate()
            services.candidate_save(candidate=candidate, actor=request.user, formsets=[languages])
            messages.success(request, _("The profile of %(name)s was created.") % {"name": candidate.full_name})
            return redirect(candidate)
        _audit_duplicates_shown(request, duplicates)
        messages.warning(request, _("There may already be a profile of this person. Please check before saving."))
    context = {"form": form, "language_formset": languages, "duplicates": duplicates}
    return render(request, "candidates/create.html", context)


@audited
@case_worker_required
def candidate_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    if candidate.is_erased:
        messages.info(request, _("This profile was anonymised; it cannot be edited."))
        return redirect(candidate)
    title, form_class, formset_class = SECTIONS[section]
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=candidate) if form_class else None
    formset = formset_class(data, instance=candidate, prefix=section) if formset_class else None
    if request.method == "POST" and (form is None or form.is_valid()) & (formset is None or formset.is_valid()):
        instance = form.save(commit=False) if form else candidate
        m2m = {name: form.cleaned_data[name] for name in form.fields if name in _m2m_names(instance)} if form else {}
        services.candidate_save(candidate=instance, actor=request.user, m2m=m2m, formsets=[formset] if formset else [])
        messages.success(request, _("“%(section)s” was saved.") % {"section": title})
        return redirect(candidate)
    context = {"candidate": candidate, "section": section, "title": title, "form": form, "formset": formset}
    return render(request, "candidates/edit.html", context)


def _m2m_names(instance) -> set[str]:
    return {field.name for field in instance._meta.many_to_many}


@audited
@case_worker_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.note_add(candidate=candidate, text=form.cleaned_data["text"], actor=request.user)
        messages.success(request, _("The note was added."))
        return redirect(candidate)
    return render(request, "candidates/detail.html", _detail_context(request, candidate, note_form=form), status=400)


@audited
@case_worker_required
@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_give(candidate=candidate, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect(next_url(request, default=candidate.section_url("consents")))
    messages.error(request, _("The consent was not recorded. Please check the form."))
    return render(request, "candidates/detail.html", _detail_context(request, candidate, consent_form=form), status=400)


@audited
@case_worker_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent: int) -> HttpResponse:
    candidate = candidate_get_for_user(user=request.user, pk=pk)
    record = get_object_or_404(candidate.consents, pk=consent)
    services.consent_withdraw(consent=record, actor=request.user)
    messages.success(request, _("The consent was withdrawn."))
    return redirect(candidate.section_url("consents"))


@case_worker_required
def employer_search(request: HttpRequest) -> HttpResponse:
    """htmx: the organisations whose name contains the search text, as <option> elements for the
    consent form's employer field (the chosen one stays chosen)."""
    text = request.GET.get("autocomplete_q", "").strip()
    field = request.GET.get("field", "")
    chosen = consent_employers_chosen(user=request.user, ids=request.GET.getlist(field) if field else [])
    found = consent_employers(user=request.user, text=text, limit=EMPLOYER_OPTIONS + len(chosen))
    options = [employer for employer in found if employer not in chosen][:EMPLOYER_OPTIONS]
    return render(request, "candidates/_employer_options.html", {"selected": chosen, "options": options})


@audited
@case_worker_required
@require_POST
def duplicate_check(request: HttpRequest) -> HttpResponse:
    """htmx: the intake form asks, while it is filled in, whether the person is known already."""
    form = IntakeForm(request.POST)
    form.is_valid()  # only to get typed values; errors are shown when the form is sent
    data = form.cleaned_data
    duplicates = candidate_find_duplicates(
        user=request.user,
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        date_of_birth=data.get("date_of_birth"),
        email=data.get("email", ""),
        phone=data.get("phone", ""),
    )
    _audit_duplicates_shown(request, duplicates)
    return render(request, "candidates/_duplicates.html", {"duplicates": duplicates})


def _audit_duplicates_shown(request: HttpRequest, duplicates) -> None:
    """The duplicate check shows names and birth dates of other profiles: each one shown is recorded."""
    for duplicate in duplicates:
        audit_log(
            actor=request.user,
            action=AuditEvent.Action.VIEW,
            target=duplicate,
            summary=gettext_lazy("shown as a possible duplicate"),
        )
