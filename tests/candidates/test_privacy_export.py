"""The data-subject export (GDPR Art. 15/20): case workers and admins get a candidate's complete
data as a printable page and as JSON; for everyone else the pages do not exist. Each export is
audited and never cached."""

import json

import pytest
from django.urls import reverse

from bridges.models import AuditEvent, Language
from candidates import privacy
from tests.candidates import subject
from tests.candidates.factories import CandidateFactory
from tests.factories import SkillFactory
from tests.matching.factories import MatchFactory, explanation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]


@pytest.fixture
def person(case_worker, company_a):
    return subject.make_subject(case_worker=case_worker, company=company_a)


def export_urls(candidate) -> list[str]:
    return [
        reverse("candidates:privacy_export", args=[candidate.pk]),
        reverse("candidates:privacy_export_json", args=[candidate.pk]),
        reverse("candidates:erase", args=[candidate.pk]),
    ]


def test_anonymous_is_sent_to_login(client):
    candidate = CandidateFactory()
    for url in export_urls(candidate):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login"))
        assert client.post(url, {"reason": "Antrag"}).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employers_get_404_and_nothing_of_the_candidate(client, personas, company_a, company_b, person, persona):
    # Employer A even has the candidate introduced and placed: the export is still not theirs.
    client.force_login(personas[persona])
    for url in export_urls(person):
        for response in (client.get(url), client.post(url, {"reason": "Antrag"})):
            assert response.status_code == 404, url
            assert subject.LAST.encode() not in response.content
    person.refresh_from_db()
    assert person.erased_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_export_as_page_and_json(client, personas, person, persona):
    client.force_login(personas[persona])

    page = client.get(reverse("candidates:privacy_export", args=[person.pk]))
    download = client.get(reverse("candidates:privacy_export_json", args=[person.pk]))

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    for value in (subject.LAST, subject.EMAIL, subject.PHONE, subject.NOTE, f"Lebenslauf_{subject.LAST}.pdf"):
        assert value in html
    assert "privacy-export.css" in html
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    assert download["Content-Type"].startswith("application/json")
    assert "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data["candidate_id"] == person.pk
    assert data["sections"]["profile"][0]["email"] == subject.EMAIL
    exports = AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, target_type="candidates.candidate", target_id=str(person.pk)
    )
    assert sorted(exports.values_list("summary", flat=True)) == [
        "data-subject export (HTML)",
        "data-subject export (JSON)",
    ]
    assert exports.filter(actor=personas[persona]).count() == 2


def test_another_candidates_export_and_an_unknown_id_are_404(client, case_worker):
    client.force_login(case_worker)
    assert client.get(reverse("candidates:privacy_export", args=[999999])).status_code == 404
    assert client.get(reverse("candidates:privacy_export_json", args=[999999])).status_code == 404


def test_the_export_holds_every_kind_of_record(person):
    data = privacy.subject_export(person)
    sections = data["sections"]

    assert set(sections) == {section.key for section in privacy.EXPORT_SECTIONS}
    profile = sections["profile"][0]
    assert (profile["first_name"], profile["last_name"], profile["date_of_birth"]) == (
        subject.FIRST,
        subject.LAST,
        subject.BORN.isoformat(),
    )
    assert profile["street"] == subject.STREET
    assert len(sections["languages"]) == 1
    assert sections["education"][0]["institution"] == "Schule X"
    assert sections["experience"][0]["employer_name"] == "Firma Y"
    (document,) = sections["documents"]
    assert document["original_name"] == f"Lebenslauf_{subject.LAST}.pdf"
    assert "file" not in document  # metadata, never the stored path or bytes
    assert {consent["purpose"] for consent in sections["consents"]}
    assert sections["consents"][0]["given_at"]
    assert sections["notes"][0]["text"] == subject.NOTE
    assert sorted(match["score"] for match in sections["matches"]) == [40.0, 77.0]
    (allocation,) = sections["allocations"]  # the dismissed pair is left out of the suggestion
    assert (allocation["score"], allocation["in_suggested"], allocation["in_greedy"]) == (77.0, True, True)
    assert allocation["employer"] == "Firma A GmbH"
    assert allocation["finished"]
    (decision,) = sections["match_decisions"]
    assert decision["note"].startswith(subject.FIRST)
    (introduction,) = sections["introductions"]
    assert introduction["employer"] == "Firma A GmbH"
    assert introduction["shared_sections"] == ["contact", "birth"]
    assert introduction["shared_documents"] == [f"Lebenslauf {subject.FIRST} {subject.LAST}"]
    assert introduction["message"] == f"Frau {subject.LAST} ist sehr zuverlässig"
    events = sections["introduction_events"]
    stages = [(event["from_stage"], event["to_stage"]) for event in events if event["to_stage"]]
    assert len(stages) >= 3  # proposed, interested, offer, placed
    assert any(event["comment"] == f"{subject.FIRST} freut sich" for event in sections["introduction_events"])
    (placement,) = sections["placements"]
    assert placement["employer"] == "Firma A GmbH"
    assert {row["months"] for row in sections["follow_ups"]} == {6, 12}
    (measure,) = sections["support_measures"]
    assert measure["title"] == f"Sprachkurs für {subject.FIRST}"
    assert measure["actual_cost_eur"] == "430.00"
    summaries = [event["summary"] for event in sections["audit"]]
    assert person.full_name in summaries
    assert "matching.pair" in {event["record_type"] for event in sections["audit"]}  # the decision's row
    assert {entry["record"] for entry in sections["admin_log"]} == {person.full_name, subject.NOTE}


def test_the_json_is_plain_json_in_the_readers_language(client, case_worker, person):
    client.force_login(case_worker)
    client.cookies["django_language"] = "en"
    data = json.loads(client.get(reverse("candidates:privacy_export_json", args=[person.pk])).content)
    assert data["sections"]["profile"][0]["gender"] == "female"
    client.cookies["django_language"] = "de"
    data = json.loads(client.get(reverse("candidates:privacy_export_json", args=[person.pk])).content)
    assert data["sections"]["profile"][0]["gender"] == "weiblich"


def test_the_page_has_a_heading_per_section_and_no_inline_script(client, case_worker, person):
    client.force_login(case_worker)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("candidates:privacy_export", args=[person.pk])).content.decode()
    for section in privacy.EXPORT_SECTIONS:
        assert f'id="export-{section.key}-heading"' in html
    assert "onclick" not in html
    assert "<script>" not in html


def test_the_candidate_page_offers_export_and_erasure(client, case_worker):
    candidate = CandidateFactory()
    client.force_login(case_worker)
    html = client.get(candidate.get_absolute_url()).content.decode()
    assert reverse("candidates:privacy_export", args=[candidate.pk]) in html
    assert reverse("candidates:erase", args=[candidate.pk]) in html


def test_the_page_shows_dates_in_the_readers_format(client, case_worker, person):
    client.force_login(case_worker)
    html = client.get(reverse("candidates:privacy_export", args=[person.pk])).content.decode()
    assert "14.03.1987" in html
    assert "1987-03-14" not in html


def test_a_match_explanation_reads_as_sentences_with_names_not_ids(client, case_worker):
    welding = SkillFactory(labels={"de": "Schweißen", "en": "Welding"})
    german = Language.objects.get_or_create(code="de", defaults={"name_en": "German", "name_de": "Deutsch"})[0]
    match = MatchFactory(
        explanation=explanation(
            matched_skills=[welding.pk],
            missing_essential=[welding.pk],
            language_gaps=[{"language": german.code, "required": 4, "has": 3, "required_flag": True}],
        )
    )
    client.force_login(case_worker)

    html = client.get(reverse("candidates:privacy_export", args=[match.candidate_id])).content.decode()

    assert "Passende Fähigkeiten: Schweißen" in html
    assert "Fehlende Kernfähigkeiten: Schweißen" in html
    assert "Deutsch B2 erforderlich, Kandidat/in hat B1" in html
    assert "matched_skills" not in html
