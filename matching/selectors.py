"""Read-only queries of the review, scoped to the user who asks.

Case workers and admins see every match; employer users see anonymised summaries
of their own open positions only, and only where the programme enables it.
Lists issue the same number of queries for 10 or 1,000 rows: the rank and the
decision of each row are subqueries of the one list query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bridges.models import AuditEvent, Region, User
from bridges.permissions import require_case_work
from candidates.models import Candidate, CandidateLanguage, Consent, Status
from employers.models import Position
from employers.selectors import positions_visible_to
from matching import references, services
from matching.models import Match, MatchDecision, MatchRun, ScoringConfig
from matching.review import PAIR_AUDIT_TYPE, pair_audit_id

# Runs that rescore everything; their progress is shown on the dashboard.
FULL_TRIGGERS = [MatchRun.Trigger.FULL, MatchRun.Trigger.NIGHTLY, MatchRun.Trigger.CONFIG, MatchRun.Trigger.SWEEP]


def decision_subquery(field: str) -> Subquery:
    decisions = MatchDecision.objects.filter(
        candidate_id=OuterRef("candidate_id"), position_id=OuterRef("position_id")
    ).values(field)[:1]
    return Subquery(decisions)


def _rank(side: str) -> Coalesce:
    """1 + the number of matches of the same position (or candidate) with a higher score."""
    higher = (
        Match.objects.filter(**{f"{side}_id": OuterRef(f"{side}_id"), "score__gt": OuterRef("score")})
        .order_by()
        .values(f"{side}_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(higher, output_field=IntegerField()), Value(0)) + 1


def decided() -> Exists:
    """Whether a person has decided on the row's pair: an EXISTS on the decisions of the pair, which
    PostgreSQL runs as an anti-join for `~decided()` and, under a LIMIT along the score index,
    stops after the first undecided rows."""
    return Exists(
        MatchDecision.objects.filter(candidate_id=OuterRef("candidate_id"), position_id=OuterRef("position_id"))
    )


def _with_decisions(queryset: QuerySet[Match]) -> QuerySet[Match]:
    return queryset.annotate(decision_status=decision_subquery("status"), decision_reason=decision_subquery("reason"))


def matches_for_position(*, user: User, position: Position) -> QuerySet[Match]:
    """The ranked shortlist of a position: its candidates by score, with rank and decision."""
    require_case_work(user)
    queryset = Match.objects.filter(position=position).select_related("candidate__place__region")
    return _with_decisions(queryset).annotate(rank=_rank("position")).order_by("-score", "candidate_id")


def matches_for_candidate(*, user: User, candidate: Candidate) -> QuerySet[Match]:
    """The ranked positions of a candidate, with rank and decision."""
    require_case_work(user)
    queryset = Match.objects.filter(candidate=candidate).select_related(
        "position__employer", "position__place", "position__region", "position__occupation"
    )
    return _with_decisions(queryset).annotate(rank=_rank("candidate")).order_by("-score", "position_id")


def matches_overview(*, user: User) -> QuerySet[Match]:
    """Every stored match, best first, for the overview page."""
    require_case_work(user)
    queryset = Match.objects.select_related(
        "candidate__place__region", "position__employer", "position__place", "position__region"
    )
    return _with_decisions(queryset).annotate(rank=_rank("position")).order_by("-score", "pk")


def recent_matches(*, user: User, limit: int = 5, days: int = 7) -> list[Match]:
    """The best matches of the last days on which nobody has decided yet (the dashboard card).

    Walks the score index (`match_score`) best first and stops at `limit` rows without a
    decision (NOT EXISTS on the decision's pair index): a few index reads, not a scan and a
    sort of every recent match."""
    require_case_work(user)
    since = timezone.now() - timedelta(days=days)
    queryset = (
        Match.objects.filter(~decided(), computed_at__gte=since)
        .select_related("candidate", "position__employer")
        # What the card shows: not the match's explanation and components, nor the whole candidate.
        .only(
            "score",
            *Candidate.name_fields("candidate"),
            "position__title",
            "position__employer__name",
        )
        .order_by("-score", "pk")
    )
    return list(queryset[:limit])


def _with_liveness(run: MatchRun | None) -> MatchRun | None:
    """Set `run.worker_lost`: it says running, but no worker holds the matching lock any more
    (the sweep marks it failed and starts it again within a minute)."""
    if run is not None:
        run.worker_lost = run.status == MatchRun.Status.RUNNING and not services.matching_lock_held()
    return run


def latest_full_run() -> MatchRun | None:
    run = MatchRun.objects.filter(trigger__in=FULL_TRIGGERS).select_related("config").order_by("-started_at").first()
    return _with_liveness(run)


def run_get_for_user(*, user: User, pk: int) -> MatchRun:
    require_case_work(user)
    return _with_liveness(get_object_or_404(MatchRun.objects.select_related("config"), pk=pk))


def candidate_for_review(*, user: User, pk: int) -> Candidate:
    require_case_work(user)
    return get_object_or_404(Candidate.objects.select_related("place__region", "case_worker"), pk=pk)


def position_for_review(*, user: User, pk: int) -> Position:
    require_case_work(user)
    return get_object_or_404(Position.objects.select_related("employer", "occupation", "place", "region"), pk=pk)


@dataclass
class PairRecord:
    """A candidate–position pair with its stored match and the decision on it (either may be None)."""

    candidate: Candidate
    position: Position
    match: Match | None
    decision: MatchDecision | None


def pair_get_for_user(*, user: User, candidate_pk: int, position_pk: int) -> PairRecord:
    """One pair for the explanation page; 404 when the candidate or the position does not exist."""
    candidate = candidate_for_review(user=user, pk=candidate_pk)
    position = position_for_review(user=user, pk=position_pk)
    match = (
        Match.objects.filter(candidate=candidate, position=position)
        .select_related("run__config")
        .annotate(rank=_rank("position"))
        .first()
    )
    decision = MatchDecision.objects.filter(candidate=candidate, position=position).select_related("decided_by").first()
    return PairRecord(candidate=candidate, position=position, match=match, decision=decision)


def pair_history(*, candidate_id: int, position_id: int) -> QuerySet[AuditEvent]:
    """The decisions taken on a pair, newest first (from the audit trail: undos included)."""
    return AuditEvent.objects.filter(
        target_type=PAIR_AUDIT_TYPE, target_id=pair_audit_id(candidate_id, position_id)
    ).select_related("actor")


# --- employers: anonymised summaries ------------------------------------------------------------


def summaries_enabled() -> bool:
    return ScoringConfig.active().employers_see_summaries


def position_for_summaries(*, user: User, pk: int) -> Position:
    """An open position whose summaries the user may see: employers their own only (else 404)."""
    if not user.is_authenticated or not (user.is_employer or user.works_cases):
        raise PermissionDenied
    queryset = positions_visible_to(user=user).filter(status=Position.Status.OPEN)
    return get_object_or_404(queryset, pk=pk)


@dataclass
class MatchSummary:
    """What an employer may learn about a matched candidate: no name, contact, birth date,
    residence status, documents or id; the reference stands for the person (`matching.references`:
    the same at every rescore, another one on each position)."""

    reference: str
    score: float
    matched_skills: list[str]
    missing_skills: list[str]
    other_skills: int
    languages: list[tuple[str, str]]
    years: float
    years_in_occupation: float
    region: str
    perspective: str


def employer_references(*, position: Position, also: Iterable[int] = ()) -> dict[int, str]:
    """The employer's reference of each candidate with a stored match on the position (and of the
    candidates `also` names), by candidate id, in one query. Unique among the position's matches,
    so the employer's summaries and the case workers' list show the same reference."""
    candidate_ids = set(Match.objects.filter(position=position).values_list("candidate_id", flat=True))
    return references.employer_references(position_id=position.pk, candidate_ids=candidate_ids.union(also))


def _summary_candidates(position: Position) -> QuerySet[Match]:
    """The position's matches that a case worker did not dismiss, with `profiling`: whether the
    candidate's consent to anonymised profiles stands (checked at every request)."""
    dismissed = MatchDecision.objects.filter(position=position, status=MatchDecision.Status.DISMISSED).values(
        "candidate_id"
    )
    profiling = Consent.objects.profiling().filter(candidate_id=OuterRef("candidate_id"))
    return (
        Match.objects.filter(position=position)
        .exclude(candidate_id__in=dismissed)
        .annotate(profiling=Exists(profiling))
    )


def match_summaries(*, position: Position, limit: int) -> list[MatchSummary]:
    """Anonymised summaries of a position's best matches, best first, each under its stable reference;
    pairs a case worker dismissed and candidates without a standing consent to anonymised profiles
    are left out. What could identify a person is coarsened (see `_summary_region`)."""
    requirements = list(position.skill_requirements.select_related("skill"))
    essential = {r.skill_id: r.skill.label for r in requirements if r.relation_type == "essential"}
    asked = {r.skill_id: r.skill.label for r in requirements}
    matches = list(
        _summary_candidates(position)
        .filter(profiling=True)
        .select_related("candidate__place__region", "candidate__region_of_origin", "candidate__return_region")
        .prefetch_related(
            Prefetch("candidate__languages", queryset=CandidateLanguage.objects.select_related("language")),
            "candidate__experience",
            Prefetch("candidate__skills", to_attr="skill_list"),
        )
        .order_by("-score", "pk")[:limit]
    )
    refs = employer_references(position=position, also=[match.candidate_id for match in matches])
    regions = [_home_region(match.candidate, abroad=position.is_abroad) for match in matches]
    crowded = _regions_with_enough_candidates({region.pk for region in regions if region}, abroad=position.is_abroad)
    summaries = []
    for match, region in zip(matches, regions, strict=True):
        candidate = match.candidate
        skill_ids = {skill.pk for skill in candidate.skill_list}
        experience = list(candidate.experience.all())
        summaries.append(
            MatchSummary(
                reference=refs[match.candidate_id],
                score=match.score,
                matched_skills=[label for pk, label in asked.items() if pk in skill_ids],
                missing_skills=[label for pk, label in essential.items() if pk not in skill_ids],
                other_skills=len(skill_ids - asked.keys()),
                languages=[(item.language.name, item.get_level_display()) for item in candidate.languages.all()],
                years=round(sum(item.duration_years for item in experience) * 2) / 2,
                years_in_occupation=round(
                    sum(item.duration_years for item in experience if item.occupation_id == position.occupation_id) * 2
                )
                / 2,
                region=_summary_region(
                    candidate, region=region, abroad=position.is_abroad, shown=bool(region and region.pk in crowded)
                ),
                perspective=candidate.get_perspective_display(),
            )
        )
    return summaries


def summaries_withheld(*, position: Position) -> int:
    """For case workers: how many of the position's matches (not dismissed) the employer does not
    see because the candidate has not consented to anonymised profiles (or withdrew); one query."""
    return _summary_candidates(position).aggregate(n=Count("pk", filter=Q(profiling=False)))["n"]


# A region is named in a summary only when at least this many active candidates share it; else the
# country stands for it. In a small group, a region with few people can point at one person.
REGION_MIN_CANDIDATES = 5


def _home_region(candidate: Candidate, *, abroad: bool) -> Region | None:
    """The region a summary may name: abroad the home region (where the candidate would return,
    else where they come from), in Germany the Bundesland they live in."""
    if abroad:
        return candidate.return_region or candidate.region_of_origin
    return candidate.place.region if candidate.place else None


def _regions_with_enough_candidates(region_ids: set[int], *, abroad: bool) -> set[int]:
    """Of these regions, those that at least REGION_MIN_CANDIDATES active candidates share, counted
    by the same rule as `_home_region`; in one query."""
    if not region_ids:
        return set()
    active = Candidate.objects.filter(status=Status.ACTIVE)
    if abroad:
        active = active.annotate(home=Coalesce("return_region_id", "region_of_origin_id"))
    else:
        active = active.annotate(home=F("place__region_id"))
    counts = (
        active.filter(home__in=region_ids).order_by().values("home").annotate(n=Count("pk")).values_list("home", "n")
    )
    return {home for home, n in counts if n >= REGION_MIN_CANDIDATES}


def _summary_region(candidate: Candidate, *, region: Region | None, abroad: bool, shown: bool) -> str:
    """Abroad: the home region and its country; in Germany: the Bundesland. Only the country when
    fewer than REGION_MIN_CANDIDATES active candidates share the region (`shown` is False)."""
    if region is not None:
        country = str(region.country.name)
        if not shown:
            return country
        return region.name if not abroad and region.country == "DE" else f"{region.name}, {country}"
    if abroad:
        country = candidate.return_country or candidate.country_of_origin
        return str(country.name) if country else ""
    return str(candidate.place.country.name) if candidate.place else ""


# --- capacity-aware allocation ----------------------------------------------------------------


def allocation_matches(*, user: User, location: str = "") -> list[Match]:
    """The stored matches of open public positions (optionally only in Germany or abroad), with
    the decision status of each pair, in one query: the input of the suggested allocation."""
    require_case_work(user)
    positions = Position.objects.public()
    if location in Position.Location.values:
        positions = positions.filter(location=location)
    queryset = (
        Match.objects.filter(position__in=positions.values("pk"))
        .select_related("candidate", "position__employer", "position__place", "position__region")
        .annotate(decision_status=decision_subquery("status"))
        .order_by("position_id", "-score", "candidate_id")
    )
    return list(queryset)
