"""Browsers ask for /favicon.ico on every site; it leads to the portal's SVG icon."""

import logging

import pytest
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_anonymous_browsers_to_the_svg_icon(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response.url == static("favicon.svg")
    icon = client.get(response.url)
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)
    assert not [record for record in caplog.records if record.name == "django.request"]
