"""ETags on the API's reads: a client that sends the ETag back (If-None-Match) gets 304 and no
body while nothing changed.

An answer to a token or a session is `Cache-Control: private, no-cache`: no shared cache keeps
it, and the client's own copy is checked with the ETag before each use (NoStoreMiddleware's
`no-store`, which the pages get, would forbid that copy and, in Django, the ETag). Anonymous
reads (the public job board) keep the default."""

from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import patch_cache_control

API = "/api/v1/"


class ApiConditionalGetMiddleware(ConditionalGetMiddleware):
    def process_response(self, request, response):
        if not request.path.startswith(API):
            return response
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        return super().process_response(request, response)
