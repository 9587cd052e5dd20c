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
(two) and streamed with `iterator()`.
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
    return _rows(introductions, top_nationalities, top_origins)


def _rows(introductions, top_nationalities: set[str], top_origins: set[str]) -> Iterator[list]:
    genders = {**dict(Gender.choices), "": _("not stated")}
    bands = age_band_labels()
    levels = german_level_labels()
    perspectives = dict(Perspective.choices)
    locations = dict(Position.Location.choices)
    sectors = dict(Sector.choices)
    stages = dict(pipeline.Stage.choices)
    reasons = dict(pipeline.Reason.choices)
    kinds = dict(Placement.Kind.choices)
    outcomes = dict(FollowUp.Outcome.choices)
    germany = str(countries.name("DE"))
    for (
        candidate_id,
        gender,
        age_band,
        nationality,
        origin,
        german,
        perspective,
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
        if location == Position.Location.GERMANY:
            country = germany
        else:
            country = str(countries.name(position_country)) if position_country else ""
        yield [
            pseudonym(candidate_id),
            str(genders.get(gender, gender)),
            str(bands.get(age_band, age_band)),
            country_label(country_key(nationality, top_nationalities)),
            country_label(country_key(origin, top_origins)),
            str(levels[german_level_key(german)]),
            str(perspectives.get(perspective, perspective)),
            pick_label(occupation_labels),
            str(locations.get(location, location)),
            country,
            str(sectors.get(sector, "")) if sector else "",
            timezone.localdate(created_at),
            str(stages.get(stage, stage)),
            str(stages.get(reached_stage, reached_stage)),
            str(reasons.get(close_reason, "")) if close_reason else "",
            (closed_at - created_at).days if closed_at else None,
            str(kinds.get(placement_kind, "")) if placement_kind else "",
            placement_start,
            str(outcomes.get(follow_up_6, "")) if follow_up_6 else "",
            str(outcomes.get(follow_up_12, "")) if follow_up_12 else "",
            measures_count,
            measures_cost,
        ]
