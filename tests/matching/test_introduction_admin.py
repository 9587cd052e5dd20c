"""The admin shows introductions and placements read-only: their stages move only through the service."""

import datetime

import pytest
from django.urls import reverse

from matching import introductions as svc
from matching.pipeline import Stage
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import introduce

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(case_worker, company_a):
    position = PositionFactory(employer=company_a, title="Schweißer/in")
    introduction = introduce(
        candidate=CandidateFactory(first_name="Omar", last_name="Khalil"),
        position=position,
        actor=case_worker,
        sections=["languages"],
    )
    for stage in (Stage.INTERESTED, Stage.OFFER):
        introduction = svc.introduction_move(introduction=introduction, to=stage, actor=case_worker)
    svc.placement_record(
        introduction=introduction,
        actor=case_worker,
        kind="employment",
        start_date=datetime.date(2027, 1, 4),
        place="Erfurt",
    )
    introduction.refresh_from_db()
    return introduction


def test_admin_reads_an_introduction_with_its_timeline_and_the_placement(client, admin_user, placed, case_worker):
    case_worker.first_name, case_worker.last_name = "Bernd", "Berater"
    case_worker.save(update_fields=["first_name", "last_name"])
    client.force_login(admin_user)

    listing = client.get(reverse("admin:matching_introduction_changelist")).content.decode()
    page = client.get(reverse("admin:matching_introduction_change", args=[placed.pk])).content.decode()
    placement = client.get(reverse("admin:matching_placement_change", args=[placed.placement.pk])).content.decode()

    assert "Omar Khalil" in listing
    assert "Firma A GmbH" in listing
    # The responsible case worker by name, in the list and on the page, not by e-mail address.
    assert "Bernd Berater" in listing
    assert "Bernd Berater" in page
    assert case_worker.email not in listing
    assert placed.get_absolute_url() in page
    assert "Sprachen" in page  # the shared section, in words
    assert page.count("Angebot") >= 2  # the timeline's moves
    assert "Erfurt" in placement
    assert "2027" in placement


def test_admin_cannot_add_change_or_delete_introductions(client, admin_user, placed):
    client.force_login(admin_user)

    assert client.get(reverse("admin:matching_introduction_add")).status_code == 403
    assert client.get(reverse("admin:matching_introduction_delete", args=[placed.pk])).status_code == 403
    response = client.post(reverse("admin:matching_introduction_change", args=[placed.pk]), {"stage": "proposed"})
    assert response.status_code == 403
    placed.refresh_from_db()
    assert placed.stage == Stage.PLACED


def test_case_worker_cannot_open_the_introductions_admin(client, case_worker, placed):
    client.force_login(case_worker)

    assert client.get(reverse("admin:matching_introduction_changelist")).status_code in (302, 403)
