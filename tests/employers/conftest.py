"""Fixtures of the employers app (the companies of employer A and B are suite-wide, tests/conftest.py)."""

import pytest


@pytest.fixture
def english(client, settings):
    """Pages in English, so that assertions on text do not depend on the German catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
