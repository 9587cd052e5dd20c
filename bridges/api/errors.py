"""Error answers as RFC 9457 problem details (`application/problem+json`): type, title, status,
detail, and for invalid input the fields' messages under `errors`."""

from __future__ import annotations

from http import HTTPStatus

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler

PROBLEM = "application/problem+json"


def problem_details(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's error page (500), never a traceback
    status = response.status_code
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = _("Some of what was sent is not valid.")
        body["errors"] = data if isinstance(data, dict) else {"non_field_errors": data}
    elif isinstance(data, dict) and "detail" in data:
        body["detail"] = str(data["detail"])
    else:
        body["detail"] = str(data)
    response.data = body
    response.content_type = PROBLEM
    return response


def form_errors(errors) -> dict:
    """A Django form's `errors` (or one formset row's) as the `errors` of problem details: messages by field."""
    return {name: [str(message) for message in messages] for name, messages in errors.items()}


def service_error(error) -> exceptions.ValidationError:
    """A service's Django ValidationError as the API's 400 (messages by field, as a form's)."""
    return exceptions.ValidationError(serializers.as_serializer_error(error))
