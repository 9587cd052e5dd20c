"""seed_demo: introductions at every stage, made through the services, and nothing twice."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from bridges.models import Notification
from candidates.models import Budget, SupportMeasure
from matching.models import FollowUp, Introduction, IntroductionEvent, Placement
from matching.pipeline import Stage
from matching.report import report_build
from matching.report_scope import ReportFilters

pytestmark = pytest.mark.django_db


def test_the_demo_has_introductions_at_every_stage_a_year_of_history_and_seeds_them_once():
    """One seeding serves every check: seeding the demo is the slowest step of the suite."""
    call_command("seed_demo", stdout=io.StringIO())
    _assert_introductions_at_every_stage()
    _assert_a_year_of_history_for_the_report()

    counts = (Introduction.objects.count(), IntroductionEvent.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Introduction.objects.count(), IntroductionEvent.objects.count()) == counts


def _assert_introductions_at_every_stage():
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


def _assert_a_year_of_history_for_the_report():
    today = timezone.localdate()

    placed = Placement.objects.filter(start_date__lt=today - datetime.timedelta(days=30))
    assert placed.count() >= 5  # placements spread over the past months
    assert placed.filter(kind=Placement.Kind.RETURN).exists()  # and a return to the home region
    assert FollowUp.objects.exclude(outcome="").exists()  # retention recorded
    assert Introduction.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=200)).exists()
    assert set(Introduction.objects.exclude(close_reason="").values_list("close_reason", flat=True)) >= {
        "language",
        "no_permission",
        "candidate_withdrew",
        "qualification",
    }
    assert set(Budget.objects.values_list("year", flat=True)) == {today.year - 1, today.year, today.year + 1}
    statuses = set(SupportMeasure.objects.values_list("status", flat=True))
    assert statuses == {"planned", "done", "cancelled"}
    waiting = SupportMeasure.objects.get(status="planned")
    assert waiting.planned_cost > 500  # above the limit: an admin approves it in the demo
    for introduction in Introduction.objects.select_related("candidate", "position"):  # still in order
        moments = list(introduction.events.values_list("at", flat=True))
        assert moments == sorted(moments)
        assert introduction.created_at <= moments[0]
        assert introduction.candidate.created_at < introduction.created_at  # intake first
        consent = introduction.candidate.consents.filter(employer=introduction.position.employer_id).first()
        assert consent.given_at <= introduction.created_at

    # The funder's report over the past year is not empty, and every intake precedes its placement.
    report = report_build(ReportFilters(start=today - datetime.timedelta(days=365), end=today))
    assert report.placements_here >= 5
    assert report.returns >= 1
    assert report.time_to_placement.q1 > 0
    assert report.retention[0].due >= 3
    assert report.cost_per_placement_all > 0
    assert any(reason.count for reason in report.close_reasons)

    counts = (Introduction.objects.count(), SupportMeasure.objects.count(), Budget.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Introduction.objects.count(), SupportMeasure.objects.count(), Budget.objects.count()) == counts
