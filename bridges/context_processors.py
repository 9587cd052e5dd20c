"""Navigation per role, so that base.html shows each user only the pages of their role."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bridges.models import Role

# (label, URL name) per role; later issues add their pages here.
NAVIGATION = {
    Role.CASE_WORKER: [(_("Dashboard"), "matching:dashboard"), (_("Candidates"), "candidates:list")],
    Role.EMPLOYER: [(_("Dashboard"), "employers:dashboard")],
    Role.ADMIN: [
        (_("Dashboard"), "matching:dashboard"),
        (_("Candidates"), "candidates:list"),
        (_("Administration"), "admin:index"),
    ],
}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name in NAVIGATION[Role(user.role)]:
        url = reverse(name)
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
