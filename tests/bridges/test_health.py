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


def test_ping_answers_ok_through_the_whole_middleware_stack(client, case_worker):
    """The load test's floor (benchmarks/load.py): plain "ok" for anyone, with the headers every
    page gets, and a signed-in case worker's session passes the staff checks."""
    anonymous = client.get(reverse("ping"))
    client.force_login(case_worker)
    signed_in = client.get(reverse("ping"))

    for response in (anonymous, signed_in):
        assert response.status_code == 200
        assert response.content == b"ok"
        assert response["Content-Type"] == "text/plain"
        assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in signed_in["Cache-Control"]
