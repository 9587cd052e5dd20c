"""The candidate list's search: on PostgreSQL accents and case folded through trigram indexes
(migration candidates 0008), elsewhere the simple case-insensitive search."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridges.models import CEFRLevel, Language
from candidates.models import Candidate, CandidateLanguage, WorkExperience
from candidates.selectors import candidate_search, occupation_ids_labelled, skill_ids_labelled
from tests.candidates.factories import CandidateFactory, PlaceFactory
from tests.factories import OccupationFactory, SkillFactory


@pytest.fixture
def people(db):
    """Five candidates, each findable by one thing only."""
    carer = OccupationFactory(labels={"de": "Altenpfleger/in", "en": "elderly care worker"})
    welder = OccupationFactory(labels={"de": "Schweißer/in", "en": "welder"})
    forklift = SkillFactory(labels={"de": "Staplerschein", "en": "forklift licence"})
    cologne = PlaceFactory(geonameid=2886242, name="Köln")
    mueller = CandidateFactory(first_name="Jürgen", last_name="Müller", email="jm@example.org", phone="0151 1111")
    sahin = CandidateFactory(first_name="Ayşe", last_name="Şahin", email="as@example.org", phone="0151 2222")
    wants_care = CandidateFactory(first_name="Omar", last_name="Khalil", email="ok@example.org", phone="0151 3333")
    wants_care.desired_occupations.add(carer)
    welded = CandidateFactory(first_name="Lena", last_name="Weber", email="lw@example.org", phone="0151 4444")
    WorkExperience.objects.create(candidate=welded, occupation=welder, job_title="Schweißer")
    drives = CandidateFactory(
        first_name="Hamid", last_name="Nouri", email="hn@example.org", phone="0151 5555", place=cologne
    )
    drives.skills.add(forklift)
    return {"mueller": mueller, "sahin": sahin, "wants_care": wants_care, "welded": welded, "drives": drives}


def found(text: str, **options) -> set[str]:
    return set(candidate_search(Candidate.objects.all(), text, **options).values_list("last_name", flat=True))


def test_postgresql_search_folds_accents_and_case_and_finds_parts_of_words(people):
    assert connection.vendor == "postgresql"
    assert found("Muller") == found("MÜLLER") == found("müll") == {"Müller"}
    assert found("sahin") == found("Ayse") == {"Şahin"}
    assert found("Pfleg") == found("pflege") == found("CARE WORK") == {"Khalil"}  # desired occupation
    assert found("schweiss") == found("welder") == {"Weber"}  # work experience; ß folds to ss
    assert found("stapler") == found("Forklift") == {"Nouri"}  # skill
    assert found("koln") == {"Nouri"}  # town
    assert found("ok@example") == {"Khalil"}
    assert found("0151 4444") == {"Weber"}  # every word must match: "0151" and "4444"
    assert found("Jürgen Müller") == {"Müller"}
    assert found("Jürgen Weber") == set()
    assert found("nothing-like-this") == set()


def test_the_simple_search_of_sqlite_finds_the_same_fields(people):
    # What SQLite runs (no unaccent there): case-insensitive, accents as written.
    assert found("müller", folded=False) == {"Müller"}
    assert found("Pfleg", folded=False) == {"Khalil"}
    assert found("welder", folded=False) == {"Weber"}
    assert found("stapler", folded=False) == {"Nouri"}
    assert found("Köln", folded=False) == {"Nouri"}
    assert found("ok@example", folded=False) == {"Khalil"}
    assert found("lena weber", folded=False) == {"Weber"}
    assert found("Muller", folded=False) == set()


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Folding a row's text costs as much as it would on a large table: else, on tables this
        # small, the planner may rather fold every row of another index than read the trigram one.
        cursor.execute("SET LOCAL cpu_operator_cost = 10")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_search_uses_the_trigram_indexes(people):
    # The plan, not a timing: the tables are read through their trigram indexes. The label lookups
    # are planned on their own as well: on tables as small as these, the planner may rather walk
    # the candidates' few occupations and check their labels one by one.
    plan = _plan(candidate_search(Candidate.objects.all(), "pflege"))
    for index in ("candidate_search_trgm", "place_name_trgm"):
        assert index in plan, plan
    assert "occupation_label_trgm" in _plan(occupation_ids_labelled("pflege", folded=True))
    assert "skill_label_trgm" in _plan(skill_ids_labelled("pflege", folded=True))


@pytest.mark.parametrize(
    ("ordering", "index"),
    [(None, "candidate_name_order"), ("-changed", "candidate_changed"), ("available", "candidate_available")],
)
def test_the_list_pages_in_its_orders_read_an_index_not_a_sort(people, case_worker, ordering, index):
    # The first page of 10,000 candidates by name sorted them all (31 ms); with the index it reads 25.
    from candidates.filters import CandidateFilter
    from candidates.selectors import candidate_list

    filterset = CandidateFilter({"ordering": ordering} if ordering else {}, queryset=candidate_list(user=case_worker))
    with connection.cursor() as cursor:
        # On a table this small a sort is cheaper; with sorting priced out the planner takes the
        # index where one gives the order, and sorts (still) where none does.
        cursor.execute("SET LOCAL enable_sort = off")
    plan = _plan(filterset.qs[:25])
    assert index in plan, plan
    assert "Sort" not in plan.split(index)[0], plan


def test_a_search_page_reads_the_search_once(client, case_worker, people):
    client.force_login(case_worker)
    url = reverse("candidates:list")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "müller"})

    assert [c.last_name for c in response.context["page"].object_list] == ["Müller"]
    assert response.context["page"].paginator.count == 1
    assert sum("bridges_fold" in query["sql"] for query in queries.captured_queries) == 1


def test_search_query_count_does_not_grow_with_the_results(client, case_worker, people):
    german = Language.objects.get_or_create(code="de", defaults={"name_en": "German", "name_de": "Deutsch"})[0]
    client.force_login(case_worker)
    url = reverse("candidates:list")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"q": "example"}).status_code == 200
    for number in range(40):
        candidate = CandidateFactory(email=f"more{number}@example.org")
        CandidateLanguage.objects.create(candidate=candidate, language=german, level=CEFRLevel.B1)

    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"q": "example", "page": 2})

    assert response.context["page"].paginator.count == 45
    assert len(response.context["page"].object_list) == 20
    assert len(many) == len(few)


def test_country_and_language_options_are_plain_html_with_the_choice_selected(client, case_worker, settings):
    Language.objects.get_or_create(code="de", defaults={"name_en": "German", "name_de": "Deutsch"})
    client.force_login(case_worker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    html = client.get(reverse("candidates:list"), {"country_of_origin": "ER"}).content.decode()

    select = re.search(r'<select name="country_of_origin"[^>]*>', html).group(0)
    assert 'id="id_country_of_origin"' in select
    assert "data-searchable" in select
    assert "form-select" in select
    assert re.search(r'<label\s+for="id_country_of_origin"', html)
    assert '<option value="ER" selected>Eritrea</option>' in html
    assert '<option value="DE">Deutschland</option>' in html  # the names in the page's language
    assert re.search(r'<select name="language"[^>]*>.*<optgroup label="Alle anderen Sprachen">', html, re.DOTALL)


def test_the_sidebar_offers_first_the_languages_the_candidates_speak(db):
    from candidates.selectors import languages_by_use

    languages = [Language.objects.create(code=f"q{k}", name_en=f"Lang {k}", name_de=f"Sprache {k}") for k in range(6)]
    assert languages_by_use()[0] == []  # nobody speaks any: the walk over the index ends at once
    # Spoken: the first and the last of the ids, one in between twice, with gaps between them.
    for language in (languages[0], languages[2], languages[2], languages[5]):
        CandidateLanguage.objects.create(candidate=CandidateFactory(), language=language, level=CEFRLevel.B1)

    with CaptureQueriesContext(connection) as queries:
        in_use, others = languages_by_use()

    assert len(queries) == 1
    assert [language.code for language in in_use] == ["q0", "q2", "q5"]
    assert {"q1", "q3", "q4"} <= {language.code for language in others}
    assert not {"q0", "q2", "q5"} & {language.code for language in others}


def test_arabic_names_are_found_without_diacritics_and_with_either_spelling_of_a_letter(db):
    assert connection.vendor == "postgresql"
    hassan = CandidateFactory(first_name="أَحْمَد", last_name="الحَسَن", email="", phone="")
    fatima = CandidateFactory(first_name="فاطمة", last_name="الزهراء", email="", phone="")
    CandidateFactory(first_name="Ahmad", last_name="Hassan", email="", phone="")

    def arabic(text: str) -> set[int]:
        return set(candidate_search(Candidate.objects.all(), text).values_list("pk", flat=True))

    assert arabic("الحسن") == arabic("احمد") == arabic("أحمد الحسن") == {hassan.pk}  # without the marks
    assert arabic("الحَسَن") == {hassan.pk}  # with them
    assert arabic("فاطمه") == arabic("فاطمة") == {fatima.pk}  # ta marbuta written as ha
    assert arabic("ـفاطـمة") == {fatima.pk}  # tatweel, a stretching stroke, is no letter
    assert found("hassan") == {"Hassan"}  # Latin folds as before
