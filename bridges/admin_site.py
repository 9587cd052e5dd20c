"""The admin site: staff only, and the portal's one login form (allauth, rate-limited)."""

from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from bridges.widgets import valid_values


class _ValidValuesMixin:
    """Django's autocomplete looks up the posted values as they come and fails on one that is
    no id ("Field 'id' expected a number", a server error). Only valid values are looked up;
    the form field reports the rest as its error."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, [str(v) for v in valid_values(target, value)], attr)


class ValidAutocompleteSelect(_ValidValuesMixin, AutocompleteSelect):
    pass


class ValidAutocompleteSelectMultiple(_ValidValuesMixin, AutocompleteSelectMultiple):
    pass


class ValidAutocompleteMixin:
    """For model admins and inlines: autocomplete fields with `ValidAutocompleteSelect`."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _with_valid_autocomplete(admin_class: type) -> type:
    if issubclass(admin_class, ValidAutocompleteMixin):
        return admin_class
    attrs = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
    if hasattr(admin_class, "inlines"):
        attrs["inlines"] = [_with_valid_autocomplete(inline) for inline in admin_class.inlines]
    return type(admin_class.__name__, (ValidAutocompleteMixin, admin_class), attrs)


class BridgesAdminSite(admin.AdminSite):
    site_header = _("bridges administration")
    site_title = _("bridges administration")
    index_title = _("Administration")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            # Anonymous users go to the portal's login; logged-in users without
            # staff rights (employers, case workers) are refused outright
            # instead of being shown a second login form.
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every admin and inline of every app gets the autocomplete that survives invalid
        # input, without each admin module having to remember a base class.
        admin_class = _with_valid_autocomplete(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)

    @login_not_required
    def login(self, request, extra_context=None):
        return secure_admin_login(super().login)(request, extra_context)
