"""Read-only queries on candidates, scoped to the user who asks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    Lookup,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bridges.models import Language, OccupationLabel, Place, SkillLabel, User
from bridges.permissions import require_case_work
from bridges.widgets import valid_values
from candidates.models import Candidate, CandidateLanguage, Consent, WorkExperience

# Candidate data is for case workers and admins only; employers see what an
# introduction shares with them, through the matching app, never these pages.


def candidate_list(*, user: User) -> QuerySet[Candidate]:
    """Candidates for list pages and exports, with what a list row shows prefetched (the standing
    consents as `standing_consents`)."""
    require_case_work(user)
    return Candidate.objects.select_related("place", "case_worker").prefetch_related(
        Prefetch("languages", queryset=CandidateLanguage.objects.select_related("language")),
        "desired_occupations",
        Prefetch(
            "consents",
            queryset=Consent.objects.active().select_related("employer").order_by("recipient", "pk"),
            to_attr="standing_consents",
        ),
    )


# --- search ---------------------------------------------------------------------------------
#
# What the list's search box finds: each word (all of them must match) in the name, e-mail
# address, phone or town, or in any German or English label of an occupation the candidate
# wants or has worked in, or of a skill the candidate has. Parts of words count ("Pfleg").
#
# On PostgreSQL case and accents are folded ("muller" finds "Müller", "sahin" "Şahin") by
# `bridges_fold` (lower(unaccent()), migration candidates 0008), and every comparison is a
# trigram-indexed `LIKE`. The labels (228,000 rows with ESCO) are matched first, in their own
# index, and lead to the candidates by occupation and skill id through the indexed link tables:
# a per-candidate search document with every label would have to be rewritten whenever a label
# or a candidate's skills change (a taxonomy import touches all), and full-text search would
# lose the parts of German compounds ("Pflege" in "Altenpflegerin"). A word's candidates are
# one `UNION ALL` of the five parts (person, town, wanted, worked in, skill), each read through
# an index: the ids of the matching labels and towns are an array computed once
# (`= ANY(ARRAY(SELECT ...))`), which PostgreSQL looks up in the link tables' indexes. As
# `IN (SELECT ...)` it expected a few labels to bring thousands of rows and read the link tables
# whole, and as five ORed conditions it checked every candidate against each: 9–16 ms for
# "Pflege" at 10,000 candidates, growing with them, against ~3.5 ms now, growing with the matches.
#
# On SQLite (`make run` without configuration) there is no unaccent or trigram index: the
# same fields are compared with case-insensitive LIKE (ASCII letters only), as before.


class Fold(Func):
    """lower(unaccent(...)) on PostgreSQL, as indexed (migration candidates 0008)."""

    function = "bridges_fold"
    output_field = TextField()


class _PersonDocument(Func):
    # Exactly the indexed expression of candidate_search_trgm: the index is used only then.
    template = "bridges_fold(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()


def _folds() -> bool:
    return connection.vendor == "postgresql"


def occupation_ids_labelled(text: str, *, folded: bool | None = None) -> QuerySet:
    """The ids of the occupations with a label (any language) containing `text`, as a subquery."""
    if folded if folded is not None else _folds():
        labels = OccupationLabel.objects.alias(folded=Fold("text")).filter(folded__contains=Fold(Value(text)))
    else:
        labels = OccupationLabel.objects.filter(text__icontains=text)
    return labels.values("occupation_id")


def skill_ids_labelled(text: str, *, folded: bool | None = None) -> QuerySet:
    """The ids of the skills with a label (any language) containing `text`, as a subquery."""
    if folded if folded is not None else _folds():
        labels = SkillLabel.objects.alias(folded=Fold("text")).filter(folded__contains=Fold(Value(text)))
    else:
        labels = SkillLabel.objects.filter(text__icontains=text)
    return labels.values("skill_id")


def _wanting(occupation_ids: QuerySet) -> QuerySet:
    return Candidate.desired_occupations.through.objects.filter(occupation_id__in=occupation_ids).values("candidate_id")


class _AnyOf(Lookup):
    """`column = ANY(ARRAY(subquery))` (PostgreSQL): the subquery's ids are computed once, as an
    array, and the column's index is looked up for each, where `IN (subquery)` lets the planner
    guess how many rows the ids bring, and read the whole table when it guesses many."""

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]


def _ids_of(queryset: QuerySet, column: str, ids: QuerySet) -> QuerySet:
    """The candidate ids of `queryset`'s rows whose `column` is among `ids` (a subquery)."""
    key = "pk" if queryset.model is Candidate else "candidate_id"
    return queryset.filter(_AnyOf(F(column), Subquery(ids))).order_by().values(key)


def _folded_search(word: str) -> Q:
    pattern = Fold(Value(word))
    occupation_ids = occupation_ids_labelled(word, folded=True)
    by_person = Candidate.objects.alias(
        document=_PersonDocument(F("first_name"), F("last_name"), F("email"), F("phone"))
    ).filter(document__contains=pattern)
    places = Place.objects.alias(folded=Fold("name")).filter(folded__contains=pattern).order_by().values("pk")
    matching = (
        by_person.order_by()
        .values("pk")
        .union(
            _ids_of(Candidate.objects.all(), "place_id", places),
            _ids_of(Candidate.desired_occupations.through.objects.all(), "occupation_id", occupation_ids),
            _ids_of(WorkExperience.objects.all(), "occupation_id", occupation_ids),
            _ids_of(Candidate.skills.through.objects.all(), "skill_id", skill_ids_labelled(word, folded=True)),
            all=True,
        )
    )
    return Q(pk__in=matching)


def _simple_search(word: str) -> Q:
    occupation_ids = occupation_ids_labelled(word, folded=False)
    skill_ids = skill_ids_labelled(word, folded=False)
    return (
        Q(first_name__icontains=word)
        | Q(last_name__icontains=word)
        | Q(email__icontains=word)
        | Q(phone__icontains=word)
        | Q(place__name__icontains=word)
        | Exists(_wanting(occupation_ids).filter(candidate_id=OuterRef("pk")))
        | Exists(WorkExperience.objects.filter(candidate=OuterRef("pk"), occupation_id__in=occupation_ids))
        | Exists(Candidate.skills.through.objects.filter(candidate_id=OuterRef("pk"), skill_id__in=skill_ids))
    )


def candidate_search(queryset: QuerySet[Candidate], text: str, *, folded: bool | None = None) -> QuerySet[Candidate]:
    """The candidates of `queryset` that match every word of `text` (see above). `folded`: the
    PostgreSQL search (default: when the database is PostgreSQL)."""
    if folded is None:
        folded = _folds()
    condition = _folded_search if folded else _simple_search
    for word in text.split():
        queryset = queryset.filter(condition(word))
    return queryset


def candidate_get_for_user(*, user: User, pk: int) -> Candidate:
    """One candidate with every section of the detail page; 404 when it does not exist."""
    require_case_work(user)
    queryset = Candidate.objects.select_related(
        "place", "place__region", "region_of_origin", "return_region", "case_worker"
    ).prefetch_related(
        Prefetch("languages", queryset=CandidateLanguage.objects.select_related("language")),
        "education",
        "experience__occupation",
        "skills",
        "desired_occupations",
        "relocation_regions",
        "documents__uploaded_by",
        "notes__author",
        Prefetch("consents", queryset=Consent.objects.select_related("employer", "recorded_by", "withdrawn_by")),
    )
    return get_object_or_404(queryset, pk=pk)


@dataclass
class ConsentOverview:
    """What a candidate's consents allow, as the candidate page states it (from prefetched rows)."""

    consents: list[Consent]  # standing ones first, each group newest first
    share_with: list  # the organisations the profile may go to (standing consents to share)
    to_check: list[Consent]  # standing consents to share that name no single organisation
    profiling: bool  # a standing consent to the anonymised summaries employers see
    processing: bool  # a standing consent to data processing by the programme


def consent_overview(consents: Iterable[Consent]) -> ConsentOverview:
    """What one candidate's consents allow; pass prefetched rows (`candidate.consents.all()`, or
    the list's `standing_consents`): no query then."""
    consents = sorted(consents, key=lambda consent: consent.given_at, reverse=True)
    standing = [consent for consent in consents if consent.is_active]
    sharing = [consent for consent in standing if consent.purpose == Consent.Purpose.SHARING]
    employers = {consent.employer_id: consent.employer for consent in sharing if consent.employer_id}
    return ConsentOverview(
        consents=standing + [consent for consent in consents if not consent.is_active],
        share_with=sorted(employers.values(), key=lambda employer: employer.name.casefold()),
        to_check=[consent for consent in sharing if consent.needs_review],
        profiling=any(consent.purpose == Consent.Purpose.PROFILING for consent in standing),
        processing=any(consent.purpose == Consent.Purpose.PROCESSING for consent in standing),
    )


def candidates_with_consents_to_check(*, user: User) -> int:
    """How many candidates have a standing consent to share that names no single organisation
    (the candidate list's filter ?consent=to_check lists them); one query."""
    require_case_work(user)
    flagged = Consent.objects.active().filter(purpose=Consent.Purpose.SHARING, needs_review=True)
    return Candidate.objects.filter(Exists(flagged.filter(candidate=OuterRef("pk")))).count()


def _organisations() -> QuerySet:
    # The organisation model through the consent's foreign key: this app never imports `employers`.
    return Consent._meta.get_field("employer").related_model.objects.select_related("place")


def consent_employers(*, user: User, text: str = "", limit: int = 20) -> list:
    """Organisations a consent to share may name, by name (all of them: a consent may be given
    before a company is approved); those whose name contains `text` when it is given."""
    require_case_work(user)
    employers = _organisations()
    if text:
        employers = employers.filter(name__icontains=text)
    return list(employers.order_by(Lower("name"), "pk")[:limit])


def consent_employers_chosen(*, user: User, ids: Sequence) -> list:
    """The organisations of these ids (values that are no id are dropped)."""
    require_case_work(user)
    employers = _organisations()
    valid = valid_values(employers.model._meta.pk, ids)
    return list(employers.filter(pk__in=valid)) if valid else []


class LanguageChoice(NamedTuple):
    pk: int
    code: str
    name: str  # in the active language


def languages_by_use() -> tuple[list[LanguageChoice], list[LanguageChoice]]:
    """The languages some candidate speaks, and all the others, each by name; in one query, read
    as values (the candidate list's sidebar asks on every page: building ~190 models took 2 ms)."""
    spoken = Case(
        When(pk__in=RawSQL(_SPOKEN_LANGUAGES, []), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    rows = (
        Language.objects.annotate(spoken=spoken)
        .in_name_order()  # as the options of every other language field
        .values_list("pk", "code", "name_de", "name_en", "name_ar", "spoken")
    )
    in_use, others = [], []
    active = translation.get_language()  # once, not for each of the ~190 languages
    for pk, code, name_de, name_en, name_ar, is_spoken in rows:
        name = Language.name_of(name_de, name_en, name_ar, active)
        (in_use if is_spoken else others).append(LanguageChoice(pk, code, name))
    return in_use, others


# The distinct languages of the candidates, one index probe each on the language_id index: the
# smallest, then the smallest above it, and so on (a "loose index scan"; PostgreSQL and SQLite
# run it as written). `id IN (SELECT language_id ...)` hashed all ~25,000 rows on every list page
# (7–12 ms at 10,000 candidates); a correlated EXISTS per language was planned as a scan per
# language nobody speaks (0.4 s).
_SPOKEN_TABLE = CandidateLanguage._meta.db_table
_SPOKEN_LANGUAGES = f"""
    WITH RECURSIVE spoken(id) AS (
        SELECT min(language_id) FROM {_SPOKEN_TABLE}
        UNION ALL
        SELECT (SELECT min(language_id) FROM {_SPOKEN_TABLE} WHERE language_id > spoken.id) FROM spoken
        WHERE spoken.id IS NOT NULL
    )
    SELECT id FROM spoken WHERE id IS NOT NULL
"""


# Why two profiles may be the same person, in the order the intake page names them.
DUPLICATE_REASONS = {
    "name": _("same name and date of birth"),
    "email": _("same e-mail address"),
    "phone": _("same phone number"),
}


@dataclass
class PossibleDuplicate:
    candidate: Candidate
    reasons: list[str]  # keys of DUPLICATE_REASONS

    @property
    def reason_labels(self) -> list[str]:
        return [str(DUPLICATE_REASONS[reason]) for reason in self.reasons]


def duplicate_keys(*, first_name="", last_name="", date_of_birth=None, email="", phone="") -> dict[str, tuple]:
    """The keys under which two profiles count as the same person (see DUPLICATE_REASONS)."""
    keys = {}
    if first_name and first_name.strip() and last_name and last_name.strip() and date_of_birth:
        keys["name"] = (first_name.strip().lower(), last_name.strip().lower(), date_of_birth)
    if email and email.strip():
        keys["email"] = (email.strip().lower(),)
    if phone and phone.strip():
        keys["phone"] = (phone.strip(),)
    return keys


def candidate_find_duplicates(
    *,
    user: User,
    first_name: str = "",
    last_name: str = "",
    date_of_birth=None,
    email: str = "",
    phone: str = "",
    exclude_pk: int | None = None,
) -> list[Candidate]:
    """Profiles that may be the same person: same name and birth date, or same e-mail or phone."""
    person = {
        "first_name": first_name,
        "last_name": last_name,
        "date_of_birth": date_of_birth,
        "email": email,
        "phone": phone,
    }
    [found] = candidate_find_duplicates_of_many(user=user, people=[person])
    return [duplicate.candidate for duplicate in found if duplicate.candidate.pk != exclude_pk][:10]


def candidate_find_duplicates_of_many(
    *, user: User, people: Sequence[Mapping], with_profile: bool = False
) -> list[list[PossibleDuplicate]]:
    """For each person (first_name, last_name, date_of_birth, email, phone), the profiles that may
    be the same person, with the reasons; in one query however many people there are.

    `with_profile` also reads each profile's languages and desired occupations (an import
    compares them with its rows; the intake page, which asks as it is filled in, does not).
    """
    require_case_work(user)
    identities = [duplicate_keys(**person) for person in people]
    names = [keys["name"] for keys in identities if "name" in keys]
    emails = {keys["email"][0] for keys in identities if "email" in keys}
    phones = {keys["phone"][0] for keys in identities if "phone" in keys}
    if not (names or emails or phones):
        return [[] for _person in people]
    # A superset of the same names (each part matches some person's), narrowed down below.
    same_name = Q(
        first_lower__in={first for first, _last, _born in names},
        last_lower__in={last for _first, last, _born in names},
        date_of_birth__in={born for _first, _last, born in names},
    )
    candidates = (
        Candidate.objects.annotate(
            first_lower=Lower("first_name"), last_lower=Lower("last_name"), email_lower=Lower("email")
        )
        .filter(same_name | Q(email_lower__in=emails) | Q(phone__in=phones))
        .select_related("place")
    )
    if with_profile:
        candidates = candidates.prefetch_related(
            Prefetch("languages", queryset=CandidateLanguage.objects.select_related("language")),
            "desired_occupations",
        )
    by_key: dict[tuple, list[Candidate]] = defaultdict(list)
    order = {}
    for position, candidate in enumerate(candidates):
        order[candidate.pk] = position
        identity = duplicate_keys(
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            date_of_birth=candidate.date_of_birth,
            email=candidate.email,
            phone=candidate.phone,
        )
        for reason, key in identity.items():
            by_key[(reason, *key)].append(candidate)
    found = []
    for keys in identities:
        duplicates: dict[int, PossibleDuplicate] = {}
        for reason, key in keys.items():
            for candidate in by_key.get((reason, *key), []):
                duplicates.setdefault(candidate.pk, PossibleDuplicate(candidate, [])).reasons.append(reason)
        # In the order of the list of candidates (by name), as the intake page shows them.
        found.append(sorted(duplicates.values(), key=lambda duplicate: order[duplicate.candidate.pk]))
    return found
