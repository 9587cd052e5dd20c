"""demo_employers_load without the reference data or the taxonomy it expects: rows are skipped, nothing fails.

Apart from tests/employers/test_demo.py, whose tests share data loaded once for the module.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from bridges.demo_taxonomy import demo_taxonomy_load
from employers.demo import demo_employers_load
from employers.models import Employer, Position

pytestmark = pytest.mark.django_db


def test_missing_reference_data_and_taxonomy_skip_rows_without_failing():
    result = demo_employers_load()

    assert result["employers"] == result["positions"] == 0
    assert result["skipped"] > 0
    assert not Employer.objects.exists()


def test_missing_regions_abroad_skip_only_the_regions_of_engagement():
    call_command("load_reference_data", "--countries", "DE", stdout=StringIO())
    demo_taxonomy_load()

    result = demo_employers_load()

    assert result["employers"] >= 14
    assert result["engagement_regions"] == 0
    assert result["skipped"] > 0
    for position in Position.objects.filter(location=Position.Location.ABROAD):
        assert position.region is None
        assert position.country
