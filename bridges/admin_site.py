"""The admin site: staff only, the portal's one login form (allauth, rate-limited), and the index's
groups (the shared app's reference data apart from its users)."""

from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from bridges import admin_guards
from bridges.audit import audited_response

# The shared app's taxonomy and reference tables: on the index under a heading of their own, apart
# from its users ("Users and roles"); the app itself is "Users, roles and reference data".
REFERENCE_MODELS = frozenset({"IscoGroup", "Language", "Occupation", "Place", "Region", "Skill"})


class BridgesAdminSite(admin.AdminSite):
    site_header = _("bridges administration")
    site_title = _("bridges administration")
    index_title = _("Administration")
    # The admin's lists are wide (matches: candidate, position, score, decision, rank, run, links):
    # they get the whole window; the index and the breadcrumbs lead to every model.
    enable_nav_sidebar = False

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
        # Every admin and inline of every app gets the guards against invalid input,
        # without each admin module having to remember a base class.
        admin_class = admin_guards.guarded(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for index, app in enumerate(app_list):
            if app["app_label"] != "bridges":
                continue
            reference = [model for model in app["models"] if model["object_name"] in REFERENCE_MODELS]
            if reference:
                app["models"] = [model for model in app["models"] if model["object_name"] not in REFERENCE_MODELS]
                app["name"] = _("Users and roles")
                app_list.insert(index + 1, {**app, "name": _("Reference data"), "models": reference})
                app_list = [one for one in app_list if one["models"]]
                app_list.sort(key=lambda one: str(one["name"]).lower())
            break
        return app_list

    def app_index(self, request, app_label, extra_context=None):
        # The title and the breadcrumbs (templates/admin/bridges/app_index.html) name the app,
        # whose page may show its models under two headings; Django's name the first heading.
        app_name = apps.get_app_config(app_label).verbose_name
        context = {"app_name": app_name, "title": _("%(app)s administration") % {"app": app_name}}
        return super().app_index(request, app_label, {**context, **(extra_context or {})})

    def autocomplete_view(self, request):
        # The admin's search-as-you-type answers with records' names (candidates' too): recorded.
        return audited_response(request, lambda: super(BridgesAdminSite, self).autocomplete_view(request))

    autocomplete_view.audited = True

    @login_not_required
    def login(self, request, extra_context=None):
        return secure_admin_login(super().login)(request, extra_context)
