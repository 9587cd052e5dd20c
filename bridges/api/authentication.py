"""`Authorization: Bearer brg_…`: a personal API token (bridges.api_tokens)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from bridges.api_tokens import api_token_check


class TokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        token = api_token_check(header[1].decode("latin-1"))
        if token is None:
            raise AuthenticationFailed(_("The token is not valid: unknown, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from /settings/api-tokens/.",
        }
