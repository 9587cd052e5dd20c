"""Request helpers that every app shares: where to send a person back to."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

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
    return target if _own_path(target, request) else default


def referer_path(request: HttpRequest, *, default: str) -> str:
    """The page the request was sent from (its Referer) as a path on this site, else `default`
    (no Referer, another site's, or one `next_url` would refuse)."""
    parts = urlsplit(request.META.get("HTTP_REFERER", ""))
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if parts.netloc == request.get_host() and _own_path(path, request) else default


def _own_path(target: str, request: HttpRequest) -> bool:
    return (
        target.startswith("/")
        and not any(char.isspace() or unicodedata.category(char).startswith("C") for char in target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    )
