"""The candidates' admin: fields read as on the candidate page, not as stored JSON."""

import pytest
from django.urls import reverse

from tests.candidates.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_the_driving_licences_and_support_needs_are_checkboxes_not_json(client, admin_user):
    candidate = CandidateFactory(driving_licences=["B", "forklift"], support_needs=["language_course"])
    client.force_login(admin_user)
    client.cookies["django_language"] = "en"

    html = client.get(reverse("admin:candidates_candidate_change", args=[candidate.pk])).content.decode()

    assert 'type="checkbox" name="driving_licences" value="forklift"' in html
    assert "forklift licence" in html
    assert 'type="checkbox" name="support_needs" value="language_course"' in html
    assert 'name="last_name"' in html
    assert 'name="skills"' in html
    assert "[&quot;B&quot;" not in html
    assert '["B"' not in html
