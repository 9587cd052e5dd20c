"""/healthz reports the database, the cache and the broker, without a login."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_reports_database_cache_and_broker(client):
    response = client.get(reverse("healthz"), HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    body = response.json()
    text = str(body)
    assert "Database" in text
    assert "Cache" in text
    assert "Redis" in text
