"""The anonymised rows under the funder's report, for export: one row per introduction (and its
placement, if any) of candidates in scope, without names, contact data, birth dates or free text —
an age band instead of the birth date, nationality as top 10 + other, a pseudonymous candidate
number that does not reveal the database id.

Interface: the report page's export views call `anonymised_rows` and write CSV or XLSX.

Which introductions: those of candidates in scope (case worker, origin) with a position where the
filter asks, made in the period (`created_at` within it); their placement (at most one) and its
follow-ups go on the same row, whenever they happened.

What leaves the database and what does not:

- the candidate as a pseudonym: the first 10 hex digits of HMAC-SHA256 over the id, keyed with
  `SECRET_KEY` — stable across exports (rows of one person can be linked), not reversible and
  not computable without the key;
- gender, age band at the period's last day, nationality and country of origin each as the 10 most
  frequent among the period's active candidates in scope + "other" (a rare country would single a
  person out), German level, perspective;
- the position's occupation, Germany or abroad and its country, the employer's sector (not its
  name, nor any staff member: staff are personal data too);
- the introduction's dates and stages, the reason it closed and the days it took, the placement's
  kind and start, the follow-up outcomes, and the number and actual cost of the candidate's
  support measures.

Never: names, e-mail, phone, street, postal code, town, birth date, notes, messages, comments,
reasons given in free text. Everything is read with `values()` in a constant number of queries
(three: JIT off, the top countries, the rows) and streamed with `iterator()`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from bridges.models.taxonomy import pick_label
from candidates.models import Gender, Perspective, SupportMeasure
from employers.models import Position, Sector
from matching import pipeline
from matching.fairness import (
    age_band_expression,
    age_band_labels,
    country_key,
    country_label,
    german_level_expression,
    german_level_key,
    german_level_labels,
    top_codes,
)
from matching.models import FollowUp, Placement
from matching.report_scope import ReportFilters, candidate_steps, introductions_in_scope

PSEUDONYM_LENGTH = 10
CHUNK = 2000


def pseudonym(candidate_id: int) -> str:
    """A stable pseudonymous candidate number: HMAC-SHA256 of the id keyed with SECRET_KEY."""
    key = f"bridges.report.pseudonym:{settings.SECRET_KEY}".encode()
    return hmac.new(key, str(candidate_id).encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def anonymised_header() -> list[str]:
    """Column headings, translated."""
    return [
        _("Candidate (pseudonym)"),
        _("Gender"),
        _("Age band at the end of the period"),
        _("Nationality"),
        _("Country of origin"),
        _("German level"),
        _("Career perspective"),
        _("Occupation of the position"),
        _("Place of work"),
        _("Country of the position"),
        _("Employer's sector"),
        _("Introduced on"),
        _("Stage"),
        _("Furthest stage reached"),
        _("Reason for closing"),
        _("Days to close"),
        _("Placement"),
        _("Placement start"),
        _("Follow-up after 6 months"),
        _("Follow-up after 12 months"),
        _("Support measures"),
        _("Actual cost of support measures (EUR)"),
    ]


def _top_countries(filters: ReportFilters) -> tuple[set[str], set[str]]:
    """The 10 most frequent nationalities and countries of origin among the period's active
    candidates in scope (the fairness table's groups), from one query."""
    pairs = candidate_steps(filters).order_by().values("nationality", "country_of_origin").annotate(n=Count("pk"))
    nationalities, origins = Counter(), Counter()
    for row in pairs:
        nationalities[row["nationality"]] += row["n"]
        origins[row["country_of_origin"]] += row["n"]
    return set(top_codes(nationalities)), set(top_codes(origins))


def _follow_up(months: int) -> Subquery:
    return Subquery(
        FollowUp.objects.filter(placement__introduction=OuterRef("pk"), months=months).values("outcome")[:1]
    )


def anonymised_rows(filters: ReportFilters) -> Iterator[list]:
    """The rows (plain str/int/date/Decimal values, in `anonymised_header` order), streamed."""
    top_nationalities, top_origins = _top_countries(filters)
    measures = SupportMeasure.objects.filter(candidate=OuterRef("candidate_id")).order_by().values("candidate")
    introductions = (
        introductions_in_scope(filters)
        .filter(created_at__gte=filters.since, created_at__lt=filters.until)
        .annotate(
            age_band=age_band_expression(filters.end, prefix="candidate__"),
            german=german_level_expression("candidate_id"),
            follow_up_6=_follow_up(6),
            follow_up_12=_follow_up(12),
            measures_count=Coalesce(
                Subquery(
                    measures.annotate(n=Count("pk", filter=~Q(status=SupportMeasure.Status.CANCELLED))).values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            measures_cost=Coalesce(
                Subquery(
                    measures.annotate(s=Sum("actual_cost", filter=Q(status=SupportMeasure.Status.DONE))).values("s"),
                    output_field=DecimalField(max_digits=12, decimal_places=2),
                ),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            ),
        )
        .order_by("created_at", "pk")
        .values_list(
            "candidate_id",
            "candidate__gender",
            "age_band",
            "candidate__nationality",
            "candidate__country_of_origin",
            "german",
            "candidate__perspective",
            "position__occupation_id",
            "position__occupation__labels",
            "position__location",
            "position__country",
            "position__employer__sector",
            "created_at",
            "stage",
            "reached_stage",
            "close_reason",
            "closed_at",
            "placement__kind",
            "placement__start_date",
            "follow_up_6",
            "follow_up_12",
            "measures_count",
            "measures_cost",
        )
    )
    yield from _rows(introductions, top_nationalities, top_origins)


def _labels(choices) -> dict[str, str]:
    """Choice labels translated once for the whole export (not once per cell)."""
    return {"": "", **{value: str(label) for value, label in choices}}


def _rows(introductions, top_nationalities: set[str], top_origins: set[str]) -> Iterator[list]:
    genders = {**_labels(Gender.choices), "": _("not stated")}
    bands = age_band_labels()
    levels = german_level_labels()
    perspectives = _labels(Perspective.choices)
    locations = _labels(Position.Location.choices)
    sectors = _labels(Sector.choices)
    stages = _labels(pipeline.Stage.choices)
    reasons = _labels(pipeline.Reason.choices)
    kinds = _labels(Placement.Kind.choices)
    outcomes = _labels(FollowUp.Outcome.choices)
    country_names = {"": ""}
    group_names: dict[str, str] = {}
    occupations: dict[str, str] = {}

    def country_name(code: str) -> str:
        if code not in country_names:
            country_names[code] = str(countries.name(code)) or code
        return country_names[code]

    def group_name(key: str) -> str:
        if key not in group_names:
            group_names[key] = country_label(key)
        return group_names[key]

    for (
        candidate_id,
        gender,
        age_band,
        nationality,
        origin,
        german,
        perspective,
        occupation_id,
        occupation_labels,
        location,
        position_country,
        sector,
        created_at,
        stage,
        reached_stage,
        close_reason,
        closed_at,
        placement_kind,
        placement_start,
        follow_up_6,
        follow_up_12,
        measures_count,
        measures_cost,
    ) in introductions.iterator(chunk_size=CHUNK):
        if occupation_id not in occupations:
            occupations[occupation_id] = pick_label(occupation_labels)
        yield [
            pseudonym(candidate_id),
            genders.get(gender, gender),
            bands.get(age_band, age_band),
            group_name(country_key(nationality, top_nationalities)),
            group_name(country_key(origin, top_origins)),
            levels[german_level_key(german)],
            perspectives.get(perspective, perspective),
            occupations[occupation_id],
            locations.get(location, location),
            country_name("DE" if location == Position.Location.GERMANY else position_country),
            sectors.get(sector, sector),
            timezone.localdate(created_at),
            stages.get(stage, stage),
            stages.get(reached_stage, reached_stage),
            reasons.get(close_reason, close_reason),
            (closed_at - created_at).days if closed_at else None,
            kinds.get(placement_kind or "", placement_kind),
            placement_start,
            outcomes.get(follow_up_6 or "", follow_up_6),
            outcomes.get(follow_up_12 or "", follow_up_12),
            measures_count,
            measures_cost,
        ]
