"""Admin for users: admins create case workers and admins here (never through sign-up)."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bridges.models import Role, User
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
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Role and permissions"), {"fields": ["role", "is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name", "role", "language"]})]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.is_staff = obj.role == Role.ADMIN
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change:
            user_invite(user=obj, request=request)
