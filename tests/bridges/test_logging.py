"""Request logging: a refused page is one line at WARNING, without a traceback."""

import io
import logging

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed():
    """What the configured handlers of django.request and its parents print during the test."""
    out = io.StringIO()
    swapped = []
    logger = logging.getLogger("django.request")
    while logger is not None:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and not type(handler).__module__.startswith("_pytest"):
                swapped.append((handler, handler.setStream(out)))
        logger = logger.parent if logger.propagate else None
    assert swapped, "a handler prints the requests' log"
    yield out
    for handler, stream in swapped:
        handler.setStream(stream)


@pytest.mark.parametrize("debug", [False, True])
def test_a_403_is_logged_once_as_one_line_without_a_traceback(client, employer_a, caplog, printed, debug):
    client.force_login(employer_a)

    with override_settings(DEBUG=debug), caplog.at_level(logging.INFO):
        response = client.get(reverse("candidates:list"))

    assert response.status_code == 403
    records = [record for record in caplog.records if record.name == "django.request"]
    assert [(record.levelno, record.getMessage()) for record in records] == [
        (logging.WARNING, "Forbidden (Permission denied): /candidates/")
    ]
    assert records[0].exc_info is None
    assert printed.getvalue() == "Forbidden (Permission denied): /candidates/\n"
