"""What every model admin and inline of the project gets on registration (see
`BridgesAdminSite.register`): answers to hostile or broken input that Django's admin
would otherwise turn into a server error or minutes of work."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from bridges.widgets import valid_values

# Rows an inline may add in one save, besides those it has (an admin adds more by saving
# again). A POST may claim any TOTAL_FORMS, and Django would build up to 1,000 forms more
# than an inline's `max_num`: with five inlines, a minute of work.
NEW_INLINE_ROWS = 20


class _ValidValuesMixin:
    """Django's autocomplete looks up the posted values as they come and fails on one that is
    no id ("Field 'id' expected a number"). Only valid values are looked up; the form field
    reports the rest as its error."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, [str(v) for v in valid_values(target, value)], attr)


class ValidAutocompleteSelect(_ValidValuesMixin, AutocompleteSelect):
    pass


class ValidAutocompleteSelectMultiple(_ValidValuesMixin, AutocompleteSelectMultiple):
    pass


class _AutocompleteMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class GuardedModelAdminMixin(_AutocompleteMixin):
    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            # A date-hierarchy year beyond any date (?created_at__year=2147483648): the admin
            # answers it like any other invalid filter, with the list and "?e=1".
            raise IncorrectLookupParameters(error) from error


class GuardedInlineMixin(_AutocompleteMixin):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if self.max_num is None:  # an inline's own ceiling stands
            existing = formset.model._default_manager.filter(**{formset.fk.name: obj}).count() if obj else 0
            formset.max_num = formset.absolute_max = existing + NEW_INLINE_ROWS
        return formset


def guarded(admin_class: type) -> type:
    """`admin_class` (a model admin or an inline) with the guards mixed in, its inlines too."""
    if issubclass(admin_class, (GuardedModelAdminMixin, GuardedInlineMixin)):
        return admin_class
    attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
    if hasattr(admin_class, "inlines"):
        attrs["inlines"] = [guarded(inline) for inline in admin_class.inlines]
    mixin = GuardedInlineMixin if hasattr(admin_class, "fk_name") else GuardedModelAdminMixin
    return type(admin_class.__name__, (mixin, admin_class), attrs)


class ReadOnlyAdmin:
    """For a model admin or inline of records that change only through a service (or are the
    portal's own record): listed and shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def action_reason_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, *, form, title: str, action: str
) -> TemplateResponse:
    """The intermediate page of an admin action that needs a reason or note first: the selected
    records and `form`, on `admin/<app>/<model>/<action>.html` (which extends
    admin/action_with_reason.html)."""
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": opts,
        "queryset": queryset,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": action,
    }
    return TemplateResponse(request, f"admin/{opts.app_label}/{opts.model_name}/{action}.html", context)
