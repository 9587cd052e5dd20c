"""Request helpers that every app shares."""

from __future__ import annotations

import unicodedata

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest, *, default: str) -> str:
    """The page to return to: the request's `next` (form first, then query) if it is a path
    on this site, else `default`.

    The portal writes `next` itself, always as a path ("/..."): anything else is refused.
    Other hosts and schemes would make an open redirect; a bare word would make
    `redirect()` look it up as a URL name and fail (NoReverseMatch, a server error);
    control characters and spaces never occur in a path the portal wrote.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not any(char.isspace() or unicodedata.category(char).startswith("C") for char in target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default
