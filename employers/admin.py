"""Admin for employers and positions.

The review decision is not a form field: admins approve or reject companies with
the list actions, which go through `services.employer_review` so that the
company's users get their e-mail and the positions their re-scoring mark.
Changes saved here mark the affected positions for re-scoring as well.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bridges.admin_guards import action_reason_page
from employers import services
from employers.models import (
    ContactPerson,
    Employer,
    EngagementRegion,
    Invitation,
    LanguageRequirement,
    Membership,
    Position,
    PositionSkill,
)

DEFAULT_REJECTION_NOTE = _("Rejected in the admin; please contact the programme.")


class RejectionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the companies"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text=_("Sent by e-mail to the users of each company rejected."),
    )


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


class EngagementRegionInline(admin.TabularInline):
    model = EngagementRegion
    extra = 0
    autocomplete_fields = ["region"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    # A website typed without scheme is taken as https:// (Django 6's default, without the warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "postal_code", "place", "sector", "size", "verification", "created_at"]
    list_filter = ["verification", "sector", "size"]
    search_fields = ["name", "postal_code", "place__name", "contacts__name", "members__user__email"]
    autocomplete_fields = ["place"]
    # The decision is made with the actions, which inform the company.
    readonly_fields = ["verification", "review_note", "reviewed_by", "reviewed_at", "created_at", "updated_at"]
    inlines = [ContactPersonInline, EngagementRegionInline, MembershipInline]
    list_select_related = ["place", "place__region"]
    date_hierarchy = "created_at"
    actions = ["approve_selected", "reject_selected"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.employer_changed_in_admin(employer=form.instance, actor=request.user)

    def _review(self, request: HttpRequest, queryset: QuerySet[Employer], *, approve: bool, note: str) -> None:
        target = Employer.Verification.APPROVED if approve else Employer.Verification.REJECTED
        done = skipped = informed = 0
        without_users = []
        for employer in queryset:
            if employer.verification == target:
                skipped += 1  # no second e-mail for the same decision
                continue
            try:
                review = services.employer_review(
                    employer=employer, approve=approve, note=note, actor=request.user, request=request
                )
            except ValidationError as error:
                self.message_user(request, f"{employer}: {' '.join(error.messages)}", messages.ERROR)
            else:
                done += 1
                informed += review.informed
                if not review.informed:
                    without_users.append(employer.name)
        if done:
            text = (
                ngettext("%(count)d company was approved.", "%(count)d companies were approved.", done)
                if approve
                else ngettext("%(count)d company was rejected.", "%(count)d companies were rejected.", done)
            )
            mailed = (
                ngettext("%(count)d user was informed by e-mail.", "%(count)d users were informed by e-mail.", informed)
                if informed
                else gettext("No user was informed by e-mail.")
            )
            self.message_user(request, f"{text % {'count': done}} {mailed % {'count': informed}}", messages.SUCCESS)
        if without_users:
            text = ngettext(
                "No e-mail was sent to %(names)s: it has no users yet.",
                "No e-mail was sent to %(names)s: they have no users yet.",
                len(without_users),
            )
            self.message_user(request, text % {"names": ", ".join(without_users)}, messages.WARNING)
        if skipped:
            text = ngettext(
                "%(count)d company had this decision already and was left as it was.",
                "%(count)d companies had this decision already and were left as they were.",
                skipped,
            )
            self.message_user(request, text % {"count": skipped}, messages.WARNING)

    @admin.action(description=_("Approve selected companies"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Employer]) -> None:
        self._review(request, queryset, approve=True, note="")

    @admin.action(description=_("Reject selected companies"), permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Employer]) -> TemplateResponse | None:
        """An intermediate page asks for the note that the companies receive."""
        if "apply" in request.POST:
            form = RejectionForm(request.POST)
            if form.is_valid():
                self._review(request, queryset, approve=False, note=form.cleaned_data["note"])
                return None
        else:
            form = RejectionForm(initial={"note": DEFAULT_REJECTION_NOTE})
        return action_reason_page(
            self, request, queryset, form=form, title=_("Reject companies"), action="reject_selected"
        )


class PositionSkillInline(admin.TabularInline):
    model = PositionSkill
    extra = 0
    autocomplete_fields = ["skill"]


class LanguageRequirementInline(admin.TabularInline):
    model = LanguageRequirement
    extra = 0
    autocomplete_fields = ["language"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "employer", "position_type", "location", "status", "expires_on", "created_at"]
    list_filter = ["status", "position_type", "location", "employer__verification"]
    search_fields = ["title", "employer__name", "occupation__all_labels__text"]
    autocomplete_fields = ["employer", "occupation", "place", "region"]
    readonly_fields = ["rescore_requested_at", "created_by", "created_at", "updated_at"]
    inlines = [PositionSkillInline, LanguageRequirementInline]
    list_select_related = ["employer"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.position_changed_in_admin(position=form.instance, actor=request.user)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "employer", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["accepted_at"]
    search_fields = ["email", "employer__name"]
    autocomplete_fields = ["employer"]
    readonly_fields = ["invited_by", "created_at", "accepted_at", "accepted_by"]
    list_select_related = ["employer", "invited_by"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "employer", "joined_at"]
    search_fields = ["user__email", "user__last_name", "employer__name"]
    autocomplete_fields = ["user", "employer"]
    readonly_fields = ["joined_at"]
    list_select_related = ["user", "employer"]


@admin.register(ContactPerson)
class ContactPersonAdmin(admin.ModelAdmin):
    list_display = ["name", "employer", "role", "email", "phone", "is_public"]
    list_filter = ["is_public"]
    search_fields = ["name", "email", "employer__name"]
    autocomplete_fields = ["employer"]
    list_select_related = ["employer"]


@admin.register(EngagementRegion)
class EngagementRegionAdmin(admin.ModelAdmin):
    list_display = ["employer", "country", "region", "kind"]
    list_filter = ["kind", "country"]
    search_fields = ["employer__name", "region__name_de", "region__name_en", "note"]
    autocomplete_fields = ["employer", "region"]
    list_select_related = ["employer", "region"]
