"""seed_demo: introductions at every stage, made through the services, and nothing twice."""

import io

import pytest
from django.core.management import call_command

from bridges.models import Notification
from matching.models import FollowUp, Introduction, IntroductionEvent, Placement
from matching.pipeline import Stage

pytestmark = pytest.mark.django_db


def test_the_demo_has_introductions_at_every_stage_and_seeds_them_once():
    call_command("seed_demo", stdout=io.StringIO())

    stages = set(Introduction.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    demo_employer = set(
        Introduction.objects.filter(position__employer__members__user__email="arbeitgeber@bridges.example").values_list(
            "stage", flat=True
        )
    )
    assert {Stage.PROPOSED, Stage.INTERESTED, Stage.INTERVIEW, Stage.OFFER} <= demo_employer
    # Every introduction's stage is the last move of its timeline.
    for introduction in Introduction.objects.all():
        last = introduction.events.filter(kind=IntroductionEvent.Kind.STAGE).last()
        assert last.to_stage == introduction.stage
    assert Placement.objects.count() >= 1
    # The demo placement started long enough ago for the 6-month follow-up to be due.
    assert any(follow_up.is_due for follow_up in FollowUp.objects.all())
    assert not Notification.objects.exists()  # seeding mails nobody

    counts = (Introduction.objects.count(), IntroductionEvent.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Introduction.objects.count(), IntroductionEvent.objects.count()) == counts
