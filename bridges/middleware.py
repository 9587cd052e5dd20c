"""Middleware of the portal: the language choice (German unless the user picked another
language with the switch), no caching of anything personal, the refusal of NUL characters
in addresses, and a page for an address that only receives forms."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware without browser negotiation.

    German is the programme's working language: a page is German until the user
    chooses English in the language switch (kept in the language cookie), whatever
    the browser's Accept-Language says.
    """

    def process_request(self, request) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        codes = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in codes else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


API = "/api/v1/"


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer to a logged-in user, to a visitor with a
    session, and on every download.

    What a logged-in person sees may hold personal data (a candidate's residence status, a shared
    profile, a document): no browser cache, shared computer's disk or proxy may keep a copy. A
    visitor's session holds something personal too: the invited address the sign-up form shows,
    a password-reset key, a login waiting for its second factor. A download (an attachment) is
    covered whoever asks. One rule for all answers, rather than a decorator per view, so that a
    new page cannot forget it. Static files never reach this middleware (WhiteNoise answers them
    first), so they stay cacheable; so do the public pages of a visitor without a session.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Logging in or out changes the user during the request: either side counts.
        was_personal = self._personal(request)
        response = self.get_response(request)
        if request.path.startswith(API):
            return response  # the API's answers: private, no-cache with an ETag (bridges.api.middleware)
        if was_personal or self._personal(request) or response.get("Content-Disposition", "").startswith("attachment"):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _personal(request: HttpRequest) -> bool:
        session = getattr(request, "session", None)
        # is_empty() reads no session data: a visitor without a session cookie costs no query.
        return request.user.is_authenticated or (session is not None and not session.is_empty())


class RejectNulMiddleware:
    """Answer 400 with a message to an address whose path or query string holds a NUL character.

    PostgreSQL cannot store or compare text with NUL ("\\x00"): any search, filter or lookup
    that passes one to the database fails with a server error. One check here covers every
    search box, filter, admin list and autocomplete, present and future. Refusing is better
    than stripping: the character never comes from typing, and a silently changed search
    would show results for something the user did not ask for. Form fields (POST) need no
    help: Django's form fields refuse NUL themselves with a field error and keep the rest of
    the input.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET
        if "\x00" in request.path_info or any("\x00" in text for key in query for text in (key, *query.getlist(key))):
            message = _(
                "The address contains a NUL character (%00), which no page of the portal accepts. "
                "Please check the link, or remove the character from your search."
            )
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


class FormAddressPageMiddleware:
    """A page, not the browser's blank error, when someone opens an address that only receives
    forms (a view for POST, which answers a GET with an empty 405): a bookmark, a copied link or a
    page shown in answer to a form and then reloaded. The API keeps its own answers."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method == "GET"
            and not response.content
            and not request.path.startswith(API)
        ):
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response
