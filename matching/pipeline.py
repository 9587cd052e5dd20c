"""The stages of an introduction and the one table of moves between them.

Nothing else changes a stage: every move goes through `matching.introductions.introduction_move`
(the case workers' form, the board, bulk actions and the employer's answer all call it), which
checks the move against `TRANSITIONS` and the reason against `REASONS`, and writes one
`IntroductionEvent` row (who, when, from, to, reason, comment).

    proposed → interested | declined(reason) → interview → trial → offer → placed
    any open stage → withdrawn (by the candidate) | closed(reason)
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    INTERESTED = "interested", _("employer interested")
    INTERVIEW = "interview", _("interview")
    TRIAL = "trial", _("trial work or internship")
    OFFER = "offer", _("offer")
    PLACED = "placed", _("placed")
    DECLINED = "declined", _("declined by the employer")
    WITHDRAWN = "withdrawn", _("withdrawn by the candidate")
    CLOSED = "closed", _("closed")


class Reason(models.TextChoices):
    """Why an introduction ended without a placement: what the funder counts."""

    QUALIFICATION = "qualification", _("employer declined: qualification")
    LANGUAGE = "language", _("employer declined: language")
    TIMING = "timing", _("employer declined: timing")
    EMPLOYER_OTHER = "employer_other", _("employer declined: other reason")
    CANDIDATE_WITHDREW = "candidate_withdrew", _("candidate withdrew")
    NO_PERMISSION = "no_permission", _("no work permission or visa")
    NOT_REACHED = "not_reached", _("candidate not reached")
    POSITION_FILLED = "position_filled", _("position filled")
    OTHER = "other", _("other")


# Who may make a move: the employer (answering online) or a case worker / admin.
EMPLOYER = "employer"
STAFF = "staff"
_STAFF = frozenset({STAFF})
_BOTH = frozenset({EMPLOYER, STAFF})

# Open stages in their order on the way to a placement (the board's columns).
OPEN_STAGES: tuple[str, ...] = (Stage.PROPOSED, Stage.INTERESTED, Stage.INTERVIEW, Stage.TRIAL, Stage.OFFER)
CLOSING_STAGES: tuple[str, ...] = (Stage.DECLINED, Stage.WITHDRAWN, Stage.CLOSED)
FINAL_STAGES: tuple[str, ...] = (Stage.PLACED, *CLOSING_STAGES)

# The stage filter's choices (the case workers' list and board, the API): every open stage, every
# ended one, or one stage. The groups' values are no stage's value: "closed" is a stage of its own.
STAGE_GROUPS: dict[str, tuple[str, ...]] = {"open": OPEN_STAGES, "ended": FINAL_STAGES}
STAGE_FILTER_CHOICES = [("open", _("all open")), ("ended", _("all ended")), *Stage.choices]


def stages_of(value: str) -> tuple[str, ...]:
    """The stages a value of the stage filter stands for: a group's, or the one stage."""
    return STAGE_GROUPS.get(value, (value,))


_CLOSE = {Stage.DECLINED: _BOTH, Stage.WITHDRAWN: _STAFF, Stage.CLOSED: _STAFF}

# from stage → {to stage: who may move it}
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Stage.PROPOSED: {Stage.INTERESTED: _BOTH, Stage.INTERVIEW: _STAFF, **_CLOSE},
    Stage.INTERESTED: {Stage.INTERVIEW: _STAFF, Stage.TRIAL: _STAFF, Stage.OFFER: _BOTH, **_CLOSE},
    Stage.INTERVIEW: {Stage.TRIAL: _STAFF, Stage.OFFER: _BOTH, **_CLOSE},
    Stage.TRIAL: {Stage.OFFER: _BOTH, **_CLOSE},
    Stage.OFFER: {Stage.PLACED: _STAFF, **_CLOSE},
}

# The reasons a closing stage takes; exactly one is required.
REASONS: dict[str, tuple[str, ...]] = {
    Stage.DECLINED: (Reason.QUALIFICATION, Reason.LANGUAGE, Reason.TIMING, Reason.EMPLOYER_OTHER),
    Stage.WITHDRAWN: (Reason.CANDIDATE_WITHDREW,),
    Stage.CLOSED: (Reason.NO_PERMISSION, Reason.NOT_REACHED, Reason.POSITION_FILLED, Reason.OTHER),
}


def is_open(stage: str) -> bool:
    return stage in OPEN_STAGES


def allowed(stage: str, *, actor: str) -> list[str]:
    """The stages `actor` (EMPLOYER or STAFF) may move an introduction at `stage` to, in table order."""
    return [to for to, who in TRANSITIONS.get(stage, {}).items() if actor in who]


def may_move(stage: str, to: str, *, actor: str) -> bool:
    return actor in TRANSITIONS.get(stage, {}).get(to, frozenset())


def reasons_for(stage: str) -> tuple[str, ...]:
    return REASONS.get(stage, ())


def reason_choices(stage: str) -> list[tuple[str, str]]:
    return [(code, Reason(code).label) for code in reasons_for(stage)]


# The decline reasons in the employer's own words (their form and timeline): the labels above are
# the programme's ("employer declined: language"), read by case workers and the funder.
EMPLOYER_REASON_LABELS = {
    Reason.QUALIFICATION: _("the qualification does not fit"),
    Reason.LANGUAGE: _("the language skills are not sufficient"),
    Reason.TIMING: _("the timing does not fit"),
    Reason.EMPLOYER_OTHER: _("another reason"),
}


def employer_reason_label(code: str) -> str:
    """A reason as the employer reads it: their own words for a decline, else the programme's."""
    return str(EMPLOYER_REASON_LABELS.get(code) or Reason(code).label)
