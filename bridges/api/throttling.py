"""Request limits per token (a session or an anonymous client: per user or address)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from bridges.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
