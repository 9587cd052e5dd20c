"""Middleware of the portal: the language choice (German unless the user picked another
language with the switch) and the refusal of NUL characters in addresses."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
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
