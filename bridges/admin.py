"""Admin for users: admins create case workers and admins here (never through sign-up)."""

from allauth.mfa.models import Authenticator
from celery.schedules import ParseException
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as celery_beat_admin
from django_celery_beat.models import CrontabSchedule

from bridges.admin_guards import ReadOnlyAdmin
from bridges.api_tokens import api_token_revoke
from bridges.models import (
    ApiToken,
    AuditEvent,
    IscoGroup,
    Language,
    Notification,
    Occupation,
    OccupationLabel,
    OccupationSkill,
    Place,
    Region,
    Role,
    Skill,
    SkillLabel,
    User,
)
from bridges.services import user_invite


class UserCreationForm(forms.ModelForm):
    """A new account without a password: the colleague sets it through the e-mailed link."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "role", "language"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A user with this e-mail address already exists."))
        return email


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = [
            "password",
            "email",
            "first_name",
            "last_name",
            "language",
            "digest_enabled",
            "role",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
        ]

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == Role.EMPLOYER and (cleaned.get("is_staff") or cleaned.get("is_superuser")):
            raise ValidationError(_("Employer users cannot have staff or superuser status."))
        if role == Role.ADMIN and not cleaned.get("is_staff"):
            raise ValidationError(_("Administrators need staff status."))
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["email", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "language"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language", "digest_enabled"]}),
        (_("Role and permissions"), {"fields": ["role", "is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "role", "language"]})]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]

    def save_model(self, request, obj, form, change):
        if change and "is_active" in form.changed_data and not obj.is_active:
            # A deactivated account's sessions end now, and stay ended if it is activated again.
            obj.session_epoch += 1
        if not change:
            obj.is_staff = obj.role == Role.ADMIN
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change:
            user_invite(user=obj, request=request)


# --- Taxonomy and audit -------------------------------------------------------


class OccupationSkillInline(admin.TabularInline):
    model = OccupationSkill
    extra = 0
    autocomplete_fields = ["skill"]


class OccupationLabelInline(admin.TabularInline):
    model = OccupationLabel
    extra = 0


class SkillLabelInline(admin.TabularInline):
    model = SkillLabel
    extra = 0


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "isco_group", "code", "uri"]
    search_fields = ["all_labels__text", "uri", "code", "isco_group"]
    list_filter = ["isco_group"]
    inlines = [OccupationLabelInline, OccupationSkillInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["__str__", "skill_type", "uri"]
    search_fields = ["all_labels__text", "uri"]
    list_filter = ["skill_type"]
    inlines = [SkillLabelInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, _duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(IscoGroup)
class IscoGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "__str__"]
    search_fields = ["code"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_de", "name_en", "name_ar"]
    search_fields = ["code", "name_de", "name_en", "name_ar"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_de", "name_ar", "country", "kind"]
    list_filter = ["country"]
    search_fields = ["code", "name_en", "name_de", "name_ar"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "region", "population", "latitude", "longitude"]
    list_filter = ["country"]
    search_fields = ["name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]


# Audit record types that are not a model: the decisions on a pair (matching.review.Pair), the pages
# about many records, the admin's search as you type.
RECORD_TYPES = {
    "matching.pair": _("candidate and position (decision)"),
    "matching.allocation": _("Suggested allocation"),
    "matching.report": _("Report for the funder"),
    "admin.autocomplete": _("admin search as you type"),
}


def record_type_label(target_type: str) -> str:
    """An audit record type in words where it is a model ("Kandidat/in"), else as written."""
    if target_type in RECORD_TYPES:
        return str(RECORD_TYPES[target_type])
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


class RecordTypeFilter(admin.SimpleListFilter):
    title = _("record type")
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        types = AuditEvent.objects.order_by().values_list("target_type", flat=True).distinct()
        return sorted(((value, record_type_label(value)) for value in types), key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # written by the portal only
    """The audit trail. One candidate's entries: record type "Kandidat/in" and `?target_id=<id>`
    (the candidate's admin page links there); one user's: the "by" filter or their e-mail address."""

    list_display = ["at", "actor", "action", "summary_display", "target_display", "target_id", "ip"]
    list_filter = ["action", RecordTypeFilter, ("actor", admin.RelatedOnlyFieldListFilter)]
    # The record id exactly (12 is not 112), the summary as written (in English), the user's address.
    search_fields = ["=target_id", "summary", "actor__email"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    fields = ["at", "actor", "action", "summary_display", "target_display", "target_id", "ip"]
    readonly_fields = fields

    @admin.display(description=_("summary"))
    def summary_display(self, obj: AuditEvent) -> str:
        return obj.summary_text()

    @admin.display(description=_("record type"), ordering="target_type")
    def target_display(self, obj: AuditEvent) -> str:
        return record_type_label(obj.target_type)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The e-mail outbox, for looking into mails that did not go out (the portal writes and sends them)."""

    list_display = ["created_at", "recipient", "template", "sent_at", "attempts", "last_error_short"]
    list_filter = ["template", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__email", "template"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    fields = ["recipient", "template", "created_at", "sent_at", "attempts", "next_attempt_at", "last_error", "context"]
    readonly_fields = fields

    @admin.display(description=_("last error"))
    def last_error_short(self, obj: Notification) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Users' API tokens: who has one, for what, until when, last used; revoke one (users make and
    revoke their own on their settings page; the token itself is never stored)."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "name", "prefix"]
    list_select_related = ["user"]
    fields = list_display
    readonly_fields = fields
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, actor=request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request)  # the list and its action only


# --- Celery beat's schedules ------------------------------------------------------


admin.site.unregister(CrontabSchedule)


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(celery_beat_admin.CrontabScheduleAdmin):
    """django-celery-beat's, except that a schedule re-shown with an invalid field (the form's
    error says which) has no description, instead of failing in celery's parser."""

    @admin.display(description=_("description"))
    def human_readable(self, obj: CrontabSchedule) -> str:
        try:
            return obj.human_readable
        except (ParseException, ValueError):
            return "–"


# --- Second factors (allauth.mfa) -----------------------------------------------------


admin.site.unregister(Authenticator)
# allauth's model has no verbose name: Django's default ("authenticator") is no message id, so the
# admin's index, titles and breadcrumbs read it in English. Meta's own attributes stay allauth's
# (`original_attrs`: what migrations compare). The app's name "MFA" is in bridges.locale_overrides.
Authenticator._meta.verbose_name = _("second factor")
Authenticator._meta.verbose_name_plural = _("second factors")


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Who has which second factor. An admin deletes a colleague's when phone and recovery codes are
    lost; the next login asks for a new one. Never shown or changed: the secrets in `data`."""

    list_display = ["user_email", "kind", "created", "last_used"]
    list_filter = ["type"]
    search_fields = ["user__email"]
    fields = ["user_email", "kind", "created", "last_used"]
    readonly_fields = fields

    @admin.display(description=_("user"), ordering="user__email")
    def user_email(self, obj: Authenticator) -> str:
        return obj.user.email

    @admin.display(description=_("kind"), ordering="type")
    def kind(self, obj: Authenticator) -> str:
        return obj.get_type_display()

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, obj: Authenticator):
        return obj.created_at

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, obj: Authenticator):
        return obj.last_used_at or "–"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
