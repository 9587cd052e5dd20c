"""The data migration that turned free-text recipients of consents to share into organisations:
a name that names exactly one organisation (case and spaces aside) is linked; a name shared by
two organisations, or naming none, is kept as text and flagged; other purposes are left alone."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from candidates.models import Consent
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import EmployerFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("candidates.migrations.0004_consent_recipients_to_employers")


def free_text(recipient: str, *, purpose: str = Consent.Purpose.SHARING) -> Consent:
    """A consent as recorded before consents named an organisation: the employer only as text."""
    return Consent.objects.create(
        candidate=CandidateFactory(),
        purpose=purpose,
        recipient=recipient,
        wording_version="2025-01",
        method=Consent.Method.PAPER,
        given_at=timezone.now(),
    )


def run_migration() -> None:
    migration.link(apps, None)


def test_a_name_that_names_one_organisation_is_linked_whatever_its_case_and_spaces():
    amsel = EmployerFactory(name="Amsel Metallbau GmbH")
    EmployerFactory(name="Amsel Metallbau Service GmbH")
    consents = [
        free_text(text) for text in ["Amsel Metallbau GmbH", "  amsel   METALLBAU gmbh ", "AMSEL\tMetallbau GmbH"]
    ]

    run_migration()

    for consent in consents:
        consent.refresh_from_db()
        assert consent.employer == amsel
        assert not consent.needs_review
    # The text as recorded stays, for the record.
    assert consents[1].recipient == "  amsel   METALLBAU gmbh "


def test_an_organisations_name_with_odd_spaces_still_matches():
    hotel = EmployerFactory(name="  Hotel  Ilmgarten Weimar ")
    consent = free_text("hotel ilmgarten weimar")

    run_migration()

    consent.refresh_from_db()
    assert consent.employer == hotel
    assert not consent.needs_review


def test_a_name_two_organisations_share_is_flagged_and_links_nothing():
    first = EmployerFactory(name="Bäckerei Schmidt")
    second = EmployerFactory(name="bäckerei schmidt ")
    consent = free_text("Bäckerei Schmidt")

    run_migration()

    consent.refresh_from_db()
    assert consent.employer is None
    assert consent.needs_review
    assert consent.recipient == "Bäckerei Schmidt"
    assert not Consent.objects.sharing_with(first.pk).exists()
    assert not Consent.objects.sharing_with(second.pk).exists()


def test_a_name_that_names_no_organisation_is_flagged():
    EmployerFactory(name="Amsel Metallbau GmbH")
    unknown = free_text("Metallbau Amsel")
    partial = free_text("Amsel")

    run_migration()

    for consent in (unknown, partial):
        consent.refresh_from_db()
        assert consent.employer is None
        assert consent.needs_review
    assert Consent.objects.filter(needs_review=True).count() == 2


def test_consents_for_other_purposes_are_left_alone():
    EmployerFactory(name="Firma A GmbH")
    processing = free_text("Firma A GmbH", purpose=Consent.Purpose.PROCESSING)
    profiling = free_text("", purpose=Consent.Purpose.PROFILING)
    before = {c.pk: (c.employer_id, c.needs_review, c.recipient) for c in (processing, profiling)}

    run_migration()

    after = {c.pk: (c.employer_id, c.needs_review, c.recipient) for c in Consent.objects.all()}
    assert after == before == {processing.pk: (None, False, "Firma A GmbH"), profiling.pk: (None, False, "")}


def test_a_consent_that_names_its_organisation_already_is_left_alone():
    EmployerFactory(name="Firma A GmbH")
    other = EmployerFactory(name="Firma B GmbH")
    consent = free_text("Firma A GmbH")
    Consent.objects.filter(pk=consent.pk).update(employer=other)

    run_migration()

    consent.refresh_from_db()
    assert consent.employer == other
    assert not consent.needs_review


def test_running_it_again_changes_nothing():
    amsel = EmployerFactory(name="Amsel Metallbau GmbH")
    linked, flagged = free_text("amsel metallbau gmbh"), free_text("Unbekannt GmbH")
    run_migration()

    run_migration()

    linked.refresh_from_db()
    flagged.refresh_from_db()
    assert (linked.employer, linked.needs_review) == (amsel, False)
    assert (flagged.employer, flagged.needs_review) == (None, True)
