"""Role checks for views. Another role's page is a 403; another organisation's record a 404."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from bridges.models import Role


def role_required(*roles: Role, hidden: bool = False) -> Callable:
    """Allow the view only to logged-in users with one of `roles` (login is enforced by middleware);
    the others get a 403, or with `hidden` a 404: for them the page does not exist."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated or request.user.role not in roles:
                raise Http404 if hidden else PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


case_worker_required = role_required(Role.CASE_WORKER, Role.ADMIN)
employer_required = role_required(Role.EMPLOYER)
# Everything but the candidate's own view (its pages are under selfservice): API tokens, for example.
portal_user_required = role_required(Role.EMPLOYER, Role.CASE_WORKER, Role.ADMIN, hidden=True)


def require_case_work(user) -> None:
    """For selectors and services that only case workers and admins may call: anyone else gets a
    403 (the views check the role first; this guards the data when they are called elsewhere)."""
    if not (user.is_authenticated and user.works_cases):
        raise PermissionDenied
