"""Candidates through the API: case workers and admins read them (every profile read is audited);
employers get a 403 for the whole resource, whatever the id; erased candidates are not listed."""

import pytest
from django.utils import timezone

from bridges.models import AuditEvent
from candidates.models import Candidate
from tests.candidates.factories import CandidateFactory
from tests.login import token_client

pytestmark = pytest.mark.django_db


def test_a_case_worker_reads_candidates_and_each_profile_read_is_audited(case_worker):
    amina = CandidateFactory(first_name="Amina", last_name="Haddad", nationality="SY")
    CandidateFactory(first_name="Gelöscht", last_name="X")
    Candidate.objects.filter(first_name="Gelöscht").update(erased_at=timezone.now())
    client = token_client(case_worker)

    listed = client.get("/api/v1/candidates/")
    one = client.get(f"/api/v1/candidates/{amina.pk}/")

    assert [row["last_name"] for row in listed.json()["results"]] == ["Haddad"]
    assert one.status_code == 200
    assert one.json()["nationality"] == "SY"
    assert one.json()["residence_status"] == amina.residence_status
    event = AuditEvent.objects.get(target_type="candidates.candidate", target_id=str(amina.pk), action="view")
    assert event.actor == case_worker


def test_employers_get_403_for_candidates_whatever_the_id(employer_a, company_a):
    amina = CandidateFactory()
    client = token_client(employer_a)

    for path in ("/api/v1/candidates/", f"/api/v1/candidates/{amina.pk}/", "/api/v1/candidates/999999/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response["Content-Type"] == "application/problem+json"
        assert amina.last_name not in response.text


def test_an_employer_sees_only_its_own_organisation(employer_a, company_a, employer_b):
    from tests.employers.factories import EmployerFactory, MembershipFactory

    other = EmployerFactory(name="Firma B GmbH")
    MembershipFactory(user=employer_b, employer=other)
    client = token_client(employer_a)

    assert [row["name"] for row in client.get("/api/v1/employers/").json()["results"]] == ["Firma A GmbH"]
    assert client.get(f"/api/v1/employers/{other.pk}/").status_code == 404
