"""The suggested allocation: which candidate could go to which open position, at most one
position per candidate and at most `openings` candidates per position, maximising the total
score over the stored matches; shown next to the greedy choice (highest scores first).

It is a suggestion, never an action: nothing is shortlisted, introduced or assigned here.
Pairs a case worker pinned are forced in, pairs they dismissed are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from bridges.audit import audited
from bridges.models import AuditEvent
from bridges.permissions import case_worker_required
from bridges.services import audit_log
from employers.models import Position
from matching import allocation as engine  # the view below is called `allocation`
from matching import selectors
from matching.introduction_queries import open_introductions_by_pair
from matching.models import Match, MatchDecision

LOCATION_CHOICES = [("", _("all places of work")), *Position.Location.choices]


@dataclass
class PositionAllocation:
    """One position with the candidates the suggestion and the greedy choice give it."""

    position: Position
    suggested: list[Match] = field(default_factory=list)
    greedy: list[Match] = field(default_factory=list)

    @property
    def suggested_total(self) -> float:
        return sum(match.score for match in self.suggested)

    @property
    def greedy_total(self) -> float:
        return sum(match.score for match in self.greedy)


@dataclass
class Allocation:
    positions: list[PositionAllocation]
    suggested_total: float
    suggested_filled: int
    greedy_total: float
    greedy_filled: int
    openings: int
    pairs: int
    ignored_pins: list[Match]


def _resolve_pins(matches: list[Match], openings: dict[int, int]) -> tuple[list[int], list[Match]]:
    """Pinned pair indices that can all hold at once (best score first: one position per candidate,
    no more than the openings), and the pins that had to be left out."""
    pinned = sorted(
        (k for k, match in enumerate(matches) if match.decision_status == MatchDecision.Status.PINNED),
        key=lambda k: (-matches[k].score, k),
    )
    taken: set[int] = set()
    used: dict[int, int] = {}
    kept, ignored = [], []
    for k in pinned:
        match = matches[k]
        if match.candidate_id in taken or used.get(match.position_id, 0) >= openings[match.position_id]:
            ignored.append(match)
            continue
        taken.add(match.candidate_id)
        used[match.position_id] = used.get(match.position_id, 0) + 1
        kept.append(k)
    return kept, ignored


def compute_allocation(matches: list[Match]) -> Allocation:
    """The optimal and the greedy allocation of the given matches (no queries)."""
    positions: dict[int, Position] = {}
    candidate_ids: dict[int, int] = {}
    for match in matches:
        positions.setdefault(match.position_id, match.position)
        candidate_ids.setdefault(match.candidate_id, len(candidate_ids))
    position_index = {pk: i for i, pk in enumerate(positions)}
    openings = {pk: position.openings for pk, position in positions.items()}
    pinned, ignored = _resolve_pins(matches, openings)
    forbidden = [k for k, match in enumerate(matches) if match.decision_status == MatchDecision.Status.DISMISSED]
    arguments = {
        "candidate_index": [candidate_ids[match.candidate_id] for match in matches],
        "position_index": [position_index[match.position_id] for match in matches],
        "score": [match.score for match in matches],
        "openings": [openings[pk] for pk in positions],
        "pinned": pinned,
        "forbidden": forbidden,
    }
    chosen, total, filled = engine.allocate(**arguments)
    greedy_chosen, greedy_total, greedy_filled = engine.greedy(**arguments)

    pinned_set = set(pinned)
    rows = {pk: PositionAllocation(position=position) for pk, position in positions.items()}
    for k in chosen.tolist():
        match = matches[k]
        match.is_pinned = k in pinned_set
        rows[match.position_id].suggested.append(match)
    for k in greedy_chosen.tolist():
        rows[matches[k].position_id].greedy.append(matches[k])
    for row in rows.values():
        row.suggested.sort(key=lambda m: (-m.score, m.candidate_id))
        row.greedy.sort(key=lambda m: (-m.score, m.candidate_id))
    ordered = sorted(rows.values(), key=lambda row: (row.position.title.lower(), row.position.pk))
    return Allocation(
        positions=ordered,
        suggested_total=total,
        suggested_filled=filled,
        greedy_total=greedy_total,
        greedy_filled=greedy_filled,
        openings=sum(openings.values()),
        pairs=len(matches),
        ignored_pins=ignored,
    )


@audited
@case_worker_required
def allocation(request: HttpRequest) -> HttpResponse:
    location = request.GET.get("location", "")
    if location not in Position.Location.values:
        location = ""
    matches = selectors.allocation_matches(user=request.user, location=location)
    result = compute_allocation(matches)
    # The suggested pairs already introduced show that instead of an "Introduce" link (one query).
    suggested = [match for row in result.positions for match in row.suggested]
    introduced = open_introductions_by_pair((match.candidate_id, match.position_id) for match in suggested)
    for match in suggested:
        match.open_introduction = introduced.get((match.candidate_id, match.position_id))
    audit_log(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        target="matching.allocation",
        summary=_("suggested allocation (%(location)s): %(pairs)s pairs, %(filled)s/%(openings)s openings"),
        params={
            "location": dict(LOCATION_CHOICES)[location],
            "pairs": result.pairs,
            "filled": result.suggested_filled,
            "openings": result.openings,
        },
    )
    context = {"result": result, "location": location, "location_choices": LOCATION_CHOICES}
    return render(request, "matching/allocation.html", context)
