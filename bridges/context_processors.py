"""Navigation per role, so that base.html shows each user only the pages of their role, and
where the language switch returns to."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bridges.http import referer_path
from bridges.models import Role

# The introductions' short name in the bar: the case worker's bar has little room at 1200-1399 px.
INTRODUCTIONS = pgettext_lazy("navigation", "Introductions")
REPORT = pgettext_lazy("navigation", "Report")

# (label, URL name) per role; later issues add their pages here.
NAVIGATION = {
    Role.CASE_WORKER: [
        (_("Dashboard"), "matching:dashboard"),
        (_("Matches"), "matching:overview"),
        (INTRODUCTIONS, "matching:introductions"),
        (_("Candidates"), "candidates:list"),
        (_("Employers"), "employers:staff_employers"),
        (_("Positions"), "employers:staff_positions"),
        (REPORT, "matching:report"),
        (_("Job board"), "jobs:list"),
    ],
    Role.EMPLOYER: [
        (_("Dashboard"), "employers:dashboard"),
        (_("Our positions"), "employers:positions"),
        (INTRODUCTIONS, "proposals:list"),
        (_("Company profile"), "employers:profile"),
        (_("Colleagues"), "employers:colleagues"),
        (_("Job board"), "jobs:list"),
    ],
    Role.ADMIN: [
        (_("Dashboard"), "matching:dashboard"),
        (_("Matches"), "matching:overview"),
        (INTRODUCTIONS, "matching:introductions"),
        (_("Candidates"), "candidates:list"),
        (_("Employers"), "employers:staff_employers"),
        (_("Positions"), "employers:staff_positions"),
        (REPORT, "matching:report"),
        (_("Administration"), "admin:index"),
    ],
    # The page headings say more ("How matching works"); the bar keeps to short words.
    Role.CANDIDATE: [
        (pgettext_lazy("navigation", "My profile"), "me:home"),
        (pgettext_lazy("navigation", "Consents"), "me:consents"),
        (pgettext_lazy("navigation", "Introductions"), "me:introductions"),
        (pgettext_lazy("navigation", "Matching"), "me:how"),
        (pgettext_lazy("navigation", "My data"), "me:data"),
    ],
}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        entries = [(_("Job board"), "jobs:list"), (_("Log in"), "account_login")]
    else:
        entries = NAVIGATION[Role(user.role)]
    return {"nav_items": _items(request, entries), "language_next": _language_next(request)}


def _language_next(request: HttpRequest) -> str:
    """Where the language switch leads back to: this page, or for a page shown in answer to a form
    (a form with errors, at an address that only receives forms) the page the form was sent from
    (the Referer, same site only), else the start page. Opening the form's address would answer 405."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return referer_path(request, default=reverse("start"))


def _items(request: HttpRequest, entries: list) -> list[dict]:
    items = [{"label": label, "url": reverse(name), "active": False} for label, name in entries]
    # The entry with the longest matching path is the current one (/employer/ vs /employer/positions/).
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return items
