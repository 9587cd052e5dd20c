"""/healthz reports the database, the cache and the broker as JSON, without a login
(the 503 when Redis is down is in test_redis_down.py)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_reports_database_cache_and_broker_as_json(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {"status": "ok", "checks": {"database": "OK", "cache": "OK", "broker": "OK"}}
