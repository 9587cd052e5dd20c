"""Turns the explanation of a match into what a person reads, in the active language.

Two sources give the same shape: the live explanation of a pair from
`matching.services.pair_explain` (with hard exclusions and the computed "what
would change it" hint) where the pipeline provides it, else the explanation the
pipeline stored with the match. Skills are named by their labels, languages by
their names and CEFR levels, and every gap by the support measure that would
close it, since the programme can pay for these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridges.taxonomy_words import language_gap_sentence, language_names, level_label, skill_labels
from matching.engine import COMPONENTS
from matching.models import ScoringConfig

COMPONENT_LABELS = {
    "occupation": gettext_lazy("Occupation"),
    "essential_skills": gettext_lazy("Essential skills"),
    "optional_skills": gettext_lazy("Optional skills"),
    "language": gettext_lazy("Languages"),
    "experience": gettext_lazy("Experience"),
    "place": gettext_lazy("Place"),
    "perspective": gettext_lazy("Perspective"),
    "availability": gettext_lazy("Availability"),
    "freshness": gettext_lazy("Profile up to date"),
}

COMPONENT_HELP = {
    "occupation": gettext_lazy("Same occupation, same ISCO group, or related through shared essential skills."),
    "essential_skills": gettext_lazy("Share of the position's essential skills the candidate has."),
    "optional_skills": gettext_lazy("Share of the position's optional skills the candidate has."),
    "language": gettext_lazy("How close the candidate's levels are to the required levels (CEFR steps)."),
    "experience": gettext_lazy("Years of experience in the occupation or its group."),
    "place": gettext_lazy(
        "Distance within the commute radius; abroad: the candidate's home region against the position's region "
        "and the employer's regions of engagement."
    ),
    "perspective": gettext_lazy("Staying in Germany, returning home, or open, against where the position is."),
    "availability": gettext_lazy("Available on or before the start date."),
    "freshness": gettext_lazy("When the profile was last confirmed."),
}

EXCLUSION_NONE, EXCLUSION_PERMISSION, EXCLUSION_LANGUAGE, EXCLUSION_STAYS, EXCLUSION_DISTANCE = 0, 1, 2, 3, 4
EXCLUSION_IRRELEVANT = 5

EXCLUSION_TEXTS = {
    EXCLUSION_PERMISSION: gettext_lazy(
        "Excluded: the position needs a work permission that the candidate does not have, "
        "or that ends before the start."
    ),
    EXCLUSION_LANGUAGE: gettext_lazy("Excluded: a required language is too far below the level the position asks for."),
    EXCLUSION_STAYS: gettext_lazy("Excluded: the position is abroad and the candidate wants to stay in Germany."),
    EXCLUSION_DISTANCE: gettext_lazy(
        "Excluded: the place of work is beyond the candidate's commute radius and the candidate does not want to move."
    ),
    EXCLUSION_IRRELEVANT: gettext_lazy(
        "Not proposed: the candidate has neither the same or a related occupation nor any specific essential skill "
        "of the position."
    ),
}

NOTE_TEXTS = {
    "work_permission_with_approval": gettext_lazy(
        "The candidate may work only with the approval of the immigration office (Ausländerbehörde): plan time for it."
    ),
    "available_after_start": gettext_lazy("The candidate is available only after the start date."),
    "lateral_entry": gettext_lazy(
        "Lateral entrant (Quereinstieg): no related occupation or specific skill yet. Listed below the candidates "
        "with a fit, because the position needs no vocational training."
    ),
}


@dataclass
class ComponentRow:
    name: str
    label: str
    help: str
    value: float | None  # 0..1; None: the position asks for nothing to compare (not counted)
    weight: float
    points: float  # this component's part of the score (0..100)

    @property
    def compared(self) -> bool:
        return self.value is not None

    @property
    def percent(self) -> int | None:
        return None if self.value is None else round(self.value * 100)


@dataclass
class PairExplanation:
    """Everything the explanation page shows about a pair, already in sentences."""

    live: bool
    score: float | None = None
    exclusion: int = EXCLUSION_NONE
    exclusion_text: str = ""  # every rule that excludes the pair, in the engine's order
    components: list[ComponentRow] = field(default_factory=list)
    matched_skills: list[str] = field(default_factory=list)
    missing_essential: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    language_gaps: list[str] = field(default_factory=list)
    # The same, addressed to the candidate (their own view): "…, you have B1".
    language_gaps_to_candidate: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    # (sentence, kind of support measure) for planning the measure in one step (candidates.MeasureKind)
    support_measures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hint: str = ""

    @property
    def is_empty(self) -> bool:
        return self.score is None and not self.exclusion


def live_explainer() -> Callable | None:
    """The live explainer of the pipeline (a seam: tests replace it to explain from stored data)."""
    from matching import services  # services imports the ORM-heavy loader; explain stays light

    return services.pair_explain


# --- small sentences ------------------------------------------------------------------------


def support_sentences(
    measures: Iterable[str], gaps: list[dict], names: dict[str, str], missing_skills: list[str]
) -> list[str]:
    """The support measures that would close the gaps (the programme can pay for them)."""
    sentences = []
    for measure in dict.fromkeys(measures):
        if measure == "language_course":
            targets = [
                _("%(language)s up to %(level)s")
                % {
                    "language": names.get(gap.get("language", ""), gap.get("language", "")),
                    "level": level_label(gap.get("required")),
                }
                for gap in gaps
            ]
            if targets:
                sentences.append(_("Language course: %(targets)s") % {"targets": ", ".join(targets)})
            else:
                sentences.append(_("Language course"))
        elif measure == "training":
            if missing_skills:
                sentences.append(
                    _("Training in the missing skills: %(skills)s") % {"skills": ", ".join(missing_skills)}
                )
            else:
                sentences.append(_("Training in the missing skills"))
        elif measure == "relocation":
            sentences.append(_("Relocation support: moving closer to the place of work"))
        elif measure == "travel":
            sentences.append(_("Travel support: the journey to the place of work"))
    return sentences


# The kind of support measure (candidates.MeasureKind) a named measure is planned as.
MEASURE_KINDS = {
    "language_course": "language_course",
    "training": "training",
    "relocation": "accommodation",
    "travel": "travel",
}

# The measure that pays for each change of a "what would change it" hint (`reference.explain_pair`).
MEASURE_OF_CHANGE = {"language": "language_course", "skills": "training", "relocation": "relocation"}


def derived_support(data: dict) -> list[str]:
    """The measures a gap calls for, where the source does not name them. An excluded pair gets only
    the measures of its hint, which makes it eligible: none when no measure can."""
    if data.get("exclusion"):
        return [MEASURE_OF_CHANGE[change["kind"]] for change in (data.get("hint") or {}).get("changes") or []]
    measures = []
    if data.get("language_gaps"):
        measures.append("language_course")
    if data.get("missing_essential"):
        measures.append("training")
    return measures


def change_phrase(change: dict, names: dict[str, str]) -> str:
    """One change of a hint as a phrase: "German B1", "the missing essential skills", "a move"."""
    if change.get("kind") == "language":
        language = names.get(change.get("language") or "", change.get("language") or "")
        return _("%(language)s %(level)s") % {"language": language, "level": level_label(change.get("level"))}
    if change.get("kind") == "skills":
        return _("the missing essential skills")
    if change.get("kind") == "relocation":
        return _("a move closer to the place of work")
    return ""


def hint_sentence(hint: dict | None, names: dict[str, str]) -> str:
    """The computed "what would change it", e.g. "With German B1 this pair becomes eligible: about 64 points"."""
    phrases = [phrase for change in (hint or {}).get("changes") or [] if (phrase := change_phrase(change, names))]
    if not phrases:
        return ""
    values = {"changes": get_text_list(phrases, _("and")), "points": max(round(float(hint.get("delta") or 0)), 0)}
    if hint.get("becomes_eligible"):
        return _("With %(changes)s this pair becomes eligible: about %(points)s points.") % values
    return _("With %(changes)s the score rises by about %(points)s points.") % values


# --- components -----------------------------------------------------------------------------


def component_value(value) -> float | None:
    """A stored component as a number in 0..1; None where there was nothing to compare."""
    if value is None or value != value:  # None or NaN
        return None
    return min(max(float(value), 0.0), 1.0)


def component_rows(components: dict, weights: dict[str, float]) -> list[ComponentRow]:
    """Each component's value and weight, and its part of the score (weighted mean × 100 over the
    components compared)."""
    values = {name: component_value(components.get(name)) for name in COMPONENTS}
    total = sum(weights.get(name, 0.0) for name in COMPONENTS if values[name] is not None) or 1.0
    rows = []
    for name in COMPONENTS:
        value = values[name]
        weight = float(weights.get(name, 0.0))
        rows.append(
            ComponentRow(
                name=name,
                label=str(COMPONENT_LABELS[name]),
                help=str(COMPONENT_HELP[name]),
                value=value,
                weight=weight,
                points=0.0 if value is None else 100 * weight * value / total,
            )
        )
    return rows


# --- the whole explanation ------------------------------------------------------------------


def explain_pair(
    *,
    candidate_id: int,
    position_id: int,
    match,
    scoring: ScoringConfig,
    stored_weights: dict[str, float] | None = None,
) -> PairExplanation:
    """The explanation of one pair: live where the pipeline offers it, else the stored one.

    `scoring` is the active configuration (its weights explain the live pair); `stored_weights`
    those of the run that stored the match, which made its score (default: the active ones).
    """
    weights = scoring.weights()
    explainer = live_explainer()
    if explainer is not None:
        data = dict(explainer(candidate_id=candidate_id, position_id=position_id, scoring=scoring) or {})
        stored = match.explanation if match is not None else {}
        data.setdefault("support", stored.get("support") or derived_support(data))
        data.setdefault("notes", stored.get("notes") or [])
        return explanation_from_data(data, weights, live=True)
    if match is None:
        return PairExplanation(live=False)
    data = {**(match.explanation or {}), "score": match.score, "components": match.components or {}}
    return explanation_from_data(data, stored_weights or weights, live=False)


def pair_explanation(*, candidate_id: int, position_id: int, match) -> PairExplanation:
    """The explanation of a pair as people read it: the case workers' page and the admin both show this.

    The active configuration's weights explain the live pair; a match explained from storage
    keeps the weights of the run that scored it.
    """
    run = match.run if match is not None and match.run_id else None
    run_config = run.config if run is not None and run.config_id else None
    return explain_pair(
        candidate_id=candidate_id,
        position_id=position_id,
        match=match,
        scoring=ScoringConfig.active(),
        stored_weights=run_config.weights() if run_config else None,
    )


def explanation_from_data(data: dict, weights: dict[str, float], *, live: bool) -> PairExplanation:
    """Sentences from the explanation's data (ids, codes and numbers)."""
    gaps = list(data.get("language_gaps") or [])
    hint = data.get("hint") or None
    codes = [gap.get("language", "") for gap in gaps] + ([hint.get("language", "")] if hint else [])
    names = language_names(codes)
    skill_ids = [
        *(data.get("matched_skills") or []),
        *(data.get("missing_essential") or []),
        *(data.get("missing_optional") or []),
    ]
    labels = skill_labels(skill_ids)

    def named(ids) -> list[str]:
        return [labels.get(int(pk), f"#{pk}") for pk in ids or []]

    missing_essential = named(data.get("missing_essential"))
    missing_optional = named(data.get("missing_optional"))
    exclusion = int(data.get("exclusion") or EXCLUSION_NONE)
    score = data.get("score")
    score = None if exclusion or score is None else float(score)
    # One sentence per known measure, in the order named.
    support_codes = [code for code in dict.fromkeys(data.get("support") or []) if code in MEASURE_KINDS]
    support = support_sentences(support_codes, gaps, names, missing_essential or missing_optional)
    return PairExplanation(
        live=live,
        score=score,
        exclusion=exclusion,
        exclusion_text=" ".join(
            str(EXCLUSION_TEXTS[code]) for code in (data.get("reasons") or [exclusion]) if code in EXCLUSION_TEXTS
        ),
        components=component_rows(data.get("components") or {}, weights) if data.get("components") else [],
        matched_skills=named(data.get("matched_skills")),
        missing_essential=missing_essential,
        missing_optional=missing_optional,
        language_gaps=[language_gap_sentence(gap, names) for gap in gaps],
        language_gaps_to_candidate=[language_gap_sentence(gap, names, to_the_candidate=True) for gap in gaps],
        support=support,
        support_measures=[
            (sentence, MEASURE_KINDS[code]) for code, sentence in zip(support_codes, support, strict=True)
        ],
        notes=[str(NOTE_TEXTS[note]) for note in data.get("notes") or [] if note in NOTE_TEXTS],
        hint=hint_sentence(hint, names),
    )


@dataclass
class Bar:
    label: str
    percent: int | None  # None: nothing to compare
    text: str = ""  # the percentage as the page writes it (digits need no localising: 0–100)


def component_labels() -> dict[str, str]:
    """The components' labels in the active language (once per list, not once per bar)."""
    return {name: str(label) for name, label in COMPONENT_LABELS.items()}


def component_bars(components: dict, labels: dict[str, str] | None = None) -> list[Bar]:
    """The small bars of a list row: each component's value in per cent, in the engine's order."""
    labels = labels or component_labels()
    bars = []
    for name in COMPONENTS:
        value = component_value(components.get(name))
        percent = None if value is None else round(value * 100)
        bars.append(Bar(label=labels[name], percent=percent, text="" if percent is None else str(percent)))
    return bars
