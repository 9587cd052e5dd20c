"""The naive reference of the scoring model: one pair at a time, plain Python.

It reads the same `CandidateArrays` / `PositionArrays` as `matching.engine` and follows the
model in the engine's docstring line by line, without vectorisation. Tests compare the engine
against it, the benchmark measures it, and `explain_pair` uses it to compute what would change
a pair's score (the "what would change it" hint) by re-scoring a modified copy of the candidate.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from matching.engine import (
    COMPONENTS,
    EARTH_RADIUS_KM,
    EXCL_DISTANCE,
    EXCL_IRRELEVANT,
    EXCL_LANGUAGE,
    EXCL_NONE,
    EXCL_PERMISSION,
    EXCL_STAYS,
    NOT_ALLOWED,
    OPEN,
    RETURN,
    STAY,
    CandidateArrays,
    EngineConfig,
    PositionArrays,
    column_scale,
)

LEVEL_NAMES = {0: "none", 1: "A1", 2: "A2", 3: "B1", 4: "B2", 5: "C1", 6: "C2", 7: "native"}


def _csr(matrix: sp.spmatrix) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix, copy=True)
    matrix.sum_duplicates()
    return matrix


def _row_values(matrix: sp.csr_matrix, i: int) -> dict[int, float]:
    """{column: value} of the stored non-zeros of row i."""
    if not isinstance(matrix, sp.csr_matrix):
        matrix = _csr(matrix)
    lo, hi = matrix.indptr[i], matrix.indptr[i + 1]
    return {
        int(col): float(value)
        for col, value in zip(matrix.indices[lo:hi], matrix.data[lo:hi], strict=True)
        if value != 0
    }


def _row_set(matrix: sp.csr_matrix, i: int) -> set[int]:
    return set(_row_values(matrix, i))


def _nan_or(value: float, default: float) -> float:
    return default if math.isnan(value) else value


def candidate_row(c: CandidateArrays, i: int) -> dict:
    """Everything the model reads about candidate i, as plain Python values."""
    return {
        "skills": _row_set(c.skills, i),
        "occupations": _row_set(c.occupations, i),
        "occupation_years": _row_values(c.occupation_years, i),
        "isco4": _row_set(c.isco4, i),
        "isco4_years": _row_values(c.isco4_years, i),
        "isco2": _row_set(c.isco2, i),
        "languages": [int(level) for level in c.languages[i]],
        "lat": float(c.lat[i]),
        "lon": float(c.lon[i]),
        "commute_km": float(c.commute_km[i]),
        "relocate": bool(c.relocate[i]),
        "perspective": int(c.perspective[i]),
        "origin_country": int(c.origin_country[i]),
        "origin_region": int(c.origin_region[i]),
        "return_country": int(c.return_country[i]),
        "return_region": int(c.return_region[i]),
        "permission": int(c.permission[i]),
        "permission_until": float(c.permission_until[i]),
        "available_from": float(c.available_from[i]),
        "last_confirmed": float(c.last_confirmed[i]),
    }


def position_row(p: PositionArrays, j: int) -> dict:
    """Everything the model reads about position j, as plain Python values."""
    occupation = int(p.occupation[j])
    n_occ = p.occupation_essential.shape[0]
    essential = _row_set(p.essential, j)
    occupation_essential = _row_set(p.occupation_essential, occupation) if 0 <= occupation < n_occ else set()
    specific = (
        (lambda skills: skills)
        if p.specific_skills is None
        else (lambda skills: {s for s in skills if p.specific_skills[s]})
    )
    return {
        "essential": essential,
        "specific_essential": specific(essential),
        "optional": _row_set(p.optional, j),
        "occupation": occupation,
        "occupation_essential": occupation_essential,
        "occupation_specific": specific(occupation_essential),
        "elementary": bool(p.elementary is not None and p.elementary[j]),
        "isco4": int(p.isco4[j]),
        "isco2": int(p.isco2[j]),
        "requirements": [
            (lang, int(level), bool(p.language_required[j, lang]))
            for lang, level in enumerate(p.language_level[j])
            if level > 0
        ],
        "abroad": bool(p.abroad[j]),
        "lat": float(p.lat[j]),
        "lon": float(p.lon[j]),
        "country": int(p.country[j]),
        "region": int(p.region[j]),
        "engagement_countries": _row_set(p.engagement_countries, j),
        "engagement_regions": _row_set(p.engagement_regions, j),
        "requires_permission": bool(p.requires_permission[j]),
        "start": float(p.start[j]),
    }


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def is_relevant(cand: dict, pos: dict, candidate_essential: set[int]) -> bool:
    """Does the candidate come from the position's line of work (see the model in `matching.engine`)?
    `candidate_essential`: the essential skills of the candidate's occupations."""
    return bool(
        pos["occupation"] in cand["occupations"]
        or pos["isco4"] in cand["isco4"]
        or pos["occupation_specific"] & candidate_essential
        or pos["specific_essential"] & cand["skills"]
    )


def _candidate_essential(cand: dict, occupation_essential) -> set[int]:
    """The essential skills of the candidate's occupations."""
    skills: set[int] = set()
    for occupation in cand["occupations"]:
        skills |= occupation_essential(occupation)
    return skills


def rules(cand: dict, pos: dict, occupation_essential, config: EngineConfig) -> tuple[bool, set[int], list[int]]:
    """(is the pair relevant, the essential skills of the candidate's occupations, every hard constraint
    it violates in EXCL_* order)."""
    candidate_essential = _candidate_essential(cand, occupation_essential)
    relevant = is_relevant(cand, pos, candidate_essential)
    return relevant, candidate_essential, violated(cand, pos, config, relevant=relevant)


def violated(cand: dict, pos: dict, config: EngineConfig, *, relevant: bool) -> list[int]:
    """Every hard constraint the pair violates, in EXCL_* order (the first is the pair's exclusion code)."""
    start = _nan_or(pos["start"], float(config.today))
    codes = []
    if pos["requires_permission"] and not pos["abroad"]:
        until = cand["permission_until"]
        if cand["permission"] == NOT_ALLOWED or (not math.isnan(until) and until < start):
            codes.append(EXCL_PERMISSION)
    if any(
        required and level - cand["languages"][lang] > config.max_language_gap
        for lang, level, required in pos["requirements"]
    ):
        codes.append(EXCL_LANGUAGE)
    if pos["abroad"] and cand["perspective"] == STAY:
        codes.append(EXCL_STAYS)
    if not pos["abroad"] and not cand["relocate"]:
        coordinates = (cand["lat"], cand["lon"], pos["lat"], pos["lon"])
        if not any(math.isnan(x) for x in coordinates):
            radius = _nan_or(cand["commute_km"], config.default_commute_km)
            if haversine_km(*coordinates) > radius:
                codes.append(EXCL_DISTANCE)
    lateral_allowed = pos["elementary"] and config.lateral_entry_factor > 0
    if config.relevance_gate and not relevant and not lateral_allowed:
        codes.append(EXCL_IRRELEVANT)
    return codes


def score_rows(cand: dict, pos: dict, occupation_essential, config: EngineConfig) -> tuple[float, dict, int]:
    """Score one candidate row against one position row: (score or -inf, components, exclusion code).

    `occupation_essential(o)` returns the set of essential skills of occupation o. A component
    with nothing to compare is NaN and left out of the score.
    """
    today = float(config.today)
    start = _nan_or(pos["start"], today)
    relevant, candidate_essential, reasons = rules(cand, pos, occupation_essential, config)
    exclusion = (reasons or [EXCL_NONE])[0]

    # Occupation.
    related = 0.0
    if pos["occupation_essential"]:
        related = len(pos["occupation_essential"] & candidate_essential) / len(pos["occupation_essential"])
    occupation_value = max(
        1.0 if pos["occupation"] in cand["occupations"] else 0.0,
        0.75 if pos["isco4"] in cand["isco4"] else 0.0,
        0.5 if pos["isco2"] in cand["isco2"] else 0.0,
        0.6 * related,
    )

    # Skills.
    essential = len(pos["essential"] & cand["skills"]) / len(pos["essential"]) if pos["essential"] else math.nan
    optional = len(pos["optional"] & cand["skills"]) / len(pos["optional"]) if pos["optional"] else math.nan

    # Languages.
    language = math.nan
    if pos["requirements"]:
        total = weight_sum = 0.0
        for lang, level, required in pos["requirements"]:
            gap = max(0, level - cand["languages"][lang])
            weight = 1.0 if required else 0.5
            total += max(0.0, 1.0 - gap / 3) * weight
            weight_sum += weight
        language = total / weight_sum

    # Experience.
    exact_years = cand["occupation_years"].get(pos["occupation"], 0.0)
    group_years = cand["isco4_years"].get(pos["isco4"], 0.0)
    years = exact_years + 0.5 * max(0.0, group_years - exact_years)
    experience = min(1.0, years / config.experience_full_years)

    # Place.
    if not pos["abroad"]:
        coordinates = (cand["lat"], cand["lon"], pos["lat"], pos["lon"])
        if any(math.isnan(x) for x in coordinates):
            place = 0.5
        else:
            distance = haversine_km(*coordinates)
            radius = _nan_or(cand["commute_km"], config.default_commute_km)
            place = 1.0 - 0.5 * distance / (radius if radius > 0 else 1.0) if distance <= radius else 0.4
    else:
        regions = {cand["origin_region"], cand["return_region"]} - {-1}
        countries = {cand["origin_country"], cand["return_country"]} - {-1}
        place = max(
            1.0 if pos["region"] in regions else 0.0,
            0.8 if pos["country"] in countries else 0.0,
            0.5 if regions & pos["engagement_regions"] else 0.0,
            0.3 if countries & pos["engagement_countries"] else 0.0,
        )

    # Perspective, availability, freshness.
    if pos["abroad"]:
        home = pos["country"] in {cand["origin_country"], cand["return_country"]} - {-1}
        perspective = {RETURN: 1.0, OPEN: 0.7}.get(cand["perspective"], 0.0) if home else 0.0
    else:
        perspective = {STAY: 1.0, OPEN: 0.8, RETURN: 0.4}.get(cand["perspective"], 0.0)
    late = _nan_or(cand["available_from"], today) - start
    availability = 1.0 if late <= 0 else max(0.0, 1.0 - late / 90)
    if math.isnan(cand["last_confirmed"]):
        freshness = 0.3
    else:
        freshness = min(1.0, max(0.0, 1.0 - (today - cand["last_confirmed"] - 90.0) / 275.0))

    components = dict(
        zip(
            COMPONENTS,
            (occupation_value, essential, optional, language, experience, place, perspective, availability, freshness),
            strict=True,
        )
    )
    weighted = 0.0
    for name in COMPONENTS:
        if not math.isnan(components[name]):
            weighted += config.weights.get(name, 0.0) * components[name]
    total_weight = sum(float(config.weights.get(name, 0.0)) for name in COMPONENTS if not math.isnan(components[name]))
    score = weighted * column_scale(total_weight)
    if config.relevance_gate and not relevant:
        score *= config.lateral_entry_factor  # a lateral entry (or excluded, below)
    return (-math.inf if exclusion else score), components, exclusion


def _occupation_lookup(p: PositionArrays):
    occupation_essential = _csr(p.occupation_essential)
    cache: dict[int, set[int]] = {}

    def lookup(occupation: int) -> set[int]:
        if occupation not in cache:
            cache[occupation] = _row_set(occupation_essential, occupation)
        return cache[occupation]

    return lookup


def score_pair(
    candidates: CandidateArrays, positions: PositionArrays, i: int, j: int, config: EngineConfig
) -> tuple[float, dict, int]:
    """(score or -inf, {component: value}, exclusion code) of candidate i and position j."""
    return score_rows(candidate_row(candidates, i), position_row(positions, j), _occupation_lookup(positions), config)


def _as_csr(arrays, names: tuple[str, ...]):
    return replace(arrays, **{name: _csr(getattr(arrays, name)) for name in names})


def score_all(
    candidates: CandidateArrays, positions: PositionArrays, config: EngineConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same triple as `engine.score_matrix`, one pair at a time."""
    candidates = _as_csr(candidates, ("skills", "occupations", "occupation_years", "isco4", "isco4_years", "isco2"))
    positions = _as_csr(positions, ("essential", "optional", "occupation_essential"))
    positions = _as_csr(positions, ("engagement_countries", "engagement_regions"))
    n_c, n_p = len(candidates.ids), len(positions.ids)
    cand_rows = [candidate_row(candidates, i) for i in range(n_c)]
    pos_rows = [position_row(positions, j) for j in range(n_p)]
    lookup = _occupation_lookup(positions)
    scores = np.full((n_c, n_p), -np.inf)
    components = np.zeros((n_c, n_p, len(COMPONENTS)))
    exclusion = np.zeros((n_c, n_p), dtype=np.int8)
    for i, cand in enumerate(cand_rows):
        for j, pos in enumerate(pos_rows):
            score, values, code = score_rows(cand, pos, lookup, config)
            scores[i, j] = score
            components[i, j] = [values[name] for name in COMPONENTS]
            exclusion[i, j] = code
    return scores, components, exclusion


def top_k(scores: np.ndarray, config: EngineConfig) -> dict[tuple[int, int], tuple[int, int]]:
    """{(candidate, position): (rank for position, rank for candidate)} of the kept pairs
    (the union of both top-K lists; ties go to the lower index)."""
    n_c, n_p = scores.shape
    kept: dict[tuple[int, int], list[int]] = {}

    def eligible(i: int, j: int) -> bool:
        return math.isfinite(scores[i, j]) and scores[i, j] >= config.min_score

    for j in range(n_p):
        ranked = sorted((i for i in range(n_c) if eligible(i, j)), key=lambda i: (-scores[i, j], i))
        for rank, i in enumerate(ranked[: config.top_k_per_position], start=1):
            kept.setdefault((i, j), [0, 0])[0] = rank
    for i in range(n_c):
        ranked = sorted((j for j in range(n_p) if eligible(i, j)), key=lambda j: (-scores[i, j], j))
        for rank, j in enumerate(ranked[: config.top_k_per_candidate], start=1):
            kept.setdefault((i, j), [0, 0])[1] = rank
    return {pair: (ranks[0], ranks[1]) for pair, ranks in kept.items()}


def language_gap_text(gap: dict, language_name: str) -> str:
    """English one-liner for a language gap, e.g. "German B2 required, candidate has B1"."""
    kind = "required" if gap["required_flag"] else "wanted"
    return f"{language_name} {LEVEL_NAMES[gap['required']]} {kind}, candidate has {LEVEL_NAMES[gap['has']]}"


# Exclusions that a funded measure can lift: a language course, relocation support.
FIXABLE = {EXCL_LANGUAGE, EXCL_DISTANCE}


def explain_pair(candidates: CandidateArrays, positions: PositionArrays, i: int, j: int, config: EngineConfig) -> dict:
    """Why candidate i and position j score what they score, and what would change it.

    The hint ("what would change it") of an excluded pair is the smallest change the programme can pay
    for that makes it eligible: every required language raised to the lowest level that is no longer
    excluded, and a move when the distance excludes it; none when another rule excludes the pair (work
    permission, staying in Germany, no relevance). Of an eligible pair it is the one change that raises
    the score most: the largest language gap closed, or the missing essential skills learnt.
    `hint["changes"]`: [{"kind": "language", "language": column, "level": level} | {"kind": "skills"} |
    {"kind": "relocation"}].
    """
    cand, pos = candidate_row(candidates, i), position_row(positions, j)
    lookup = _occupation_lookup(positions)
    score, components, exclusion = score_rows(cand, pos, lookup, config)
    relevant, _essential, reasons = rules(cand, pos, lookup, config)

    language_gaps = [
        {"language": lang, "required": level, "has": cand["languages"][lang], "required_flag": required}
        for lang, level, required in pos["requirements"]
        if cand["languages"][lang] < level
    ]
    missing_essential = sorted(pos["essential"] - cand["skills"])

    # Candidate changes that the programme can support, each re-scored on a copy of the row.
    options = []
    if reasons and set(reasons) <= FIXABLE:
        levels, changes = list(cand["languages"]), []
        for gap in language_gaps:
            lowest = gap["required"] - config.max_language_gap
            if gap["required_flag"] and gap["has"] < lowest:
                levels[gap["language"]] = lowest
                changes.append({"kind": "language", "language": gap["language"], "level": lowest})
        relocate = cand["relocate"] or EXCL_DISTANCE in reasons
        if EXCL_DISTANCE in reasons:
            changes.append({"kind": "relocation"})
        options.append((changes, {**cand, "languages": levels, "relocate": relocate}))
    elif not reasons:
        if language_gaps:
            # The largest gap; a required language before a nice-to-have one, then the lower index.
            gap = min(language_gaps, key=lambda g: (-(g["required"] - g["has"]), not g["required_flag"], g["language"]))
            levels = list(cand["languages"])
            levels[gap["language"]] = gap["required"]
            change = {"kind": "language", "language": gap["language"], "level": gap["required"]}
            options.append(([change], {**cand, "languages": levels}))
        if missing_essential:
            options.append(([{"kind": "skills"}], {**cand, "skills": cand["skills"] | set(missing_essential)}))

    hint = {"changes": [], "delta": 0.0, "becomes_eligible": False}
    best = -math.inf if exclusion else score
    for changes, changed in options:
        new_score = score_rows(changed, pos, lookup, config)[0]
        if new_score > best:
            best = new_score
            hint = {
                "changes": changes,
                "delta": new_score if exclusion else new_score - score,
                "becomes_eligible": bool(exclusion),
            }

    return {
        "score": score,
        "exclusion": exclusion,
        "reasons": reasons,
        "lateral": bool(not relevant and not reasons and config.relevance_gate),
        "components": components,
        "matched_skills": sorted(cand["skills"] & (pos["essential"] | pos["optional"])),
        "missing_essential": missing_essential,
        "missing_optional": sorted(pos["optional"] - cand["skills"]),
        "language_gaps": language_gaps,
        "hint": hint,
    }
