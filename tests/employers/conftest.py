"""Persona fixtures of the employers app: two approved companies with one user each."""

import pytest

from tests.employers.factories import EmployerFactory, MembershipFactory


@pytest.fixture
def company_a(employer_a):
    company = EmployerFactory(name="Firma A GmbH")
    MembershipFactory(user=employer_a, employer=company)
    return company


@pytest.fixture
def company_b(employer_b):
    company = EmployerFactory(name="Firma B GmbH")
    MembershipFactory(user=employer_b, employer=company)
    return company


@pytest.fixture
def english(client, settings):
    """Pages in English, so that assertions on text do not depend on the German catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
