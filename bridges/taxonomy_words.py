"""Small sentences about the taxonomy in the active language: language levels, language and skill
names, a language gap. Shared by the match explanations (`matching.explain`) and the data-subject
export (`candidates.privacy`).
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridges.models import CEFRLevel, Language, Skill


def level_label(level: int | None) -> str:
    """A CEFR level as people write it (B2, native language); 0 or None is no knowledge."""
    if not level:
        return _("none")
    try:
        return str(CEFRLevel(int(level)).label)
    except ValueError:
        return str(level)


def language_names(codes: Iterable[str]) -> dict[str, str]:
    """Language names in the active language, by ISO code (one query)."""
    codes = {code for code in codes if code}
    if not codes:
        return {}
    return {language.code: language.name for language in Language.objects.filter(code__in=codes)}


def skill_labels(ids: Iterable[int]) -> dict[int, str]:
    """Skill labels in the active language, by id (one query)."""
    ids = {int(pk) for pk in ids}
    if not ids:
        return {}
    return {skill.pk: skill.label for skill in Skill.objects.filter(pk__in=ids)}


# A language gap in a sentence, by (addressed to the candidate, the language is required, they
# speak it at some level).
_GAP_SENTENCES = {
    (False, True, False): gettext_lazy("%(language)s %(level)s required, candidate does not speak it"),
    (False, True, True): gettext_lazy("%(language)s %(level)s required, candidate has %(has)s"),
    (False, False, False): gettext_lazy("%(language)s %(level)s desirable, candidate does not speak it"),
    (False, False, True): gettext_lazy("%(language)s %(level)s desirable, candidate has %(has)s"),
    (True, True, False): gettext_lazy("%(language)s %(level)s required, you do not speak it yet"),
    (True, True, True): gettext_lazy("%(language)s %(level)s required, you have %(has)s"),
    (True, False, False): gettext_lazy("%(language)s %(level)s desirable, you do not speak it yet"),
    (True, False, True): gettext_lazy("%(language)s %(level)s desirable, you have %(has)s"),
}


def language_gap_sentence(gap: dict, names: dict[str, str], *, to_the_candidate: bool = False) -> str:
    """E.g. "German B2 required, candidate has B1" / „Deutsch B2 erforderlich, Kandidat/in hat B1“;
    `to_the_candidate`: addressed to the person (their own view), "German B2 required, you have B1"."""
    has = gap.get("has") or 0
    sentence = _GAP_SENTENCES[(to_the_candidate, bool(gap.get("required_flag", True)), bool(has))]
    return str(sentence) % {
        "language": names.get(gap.get("language", ""), gap.get("language", "")),
        "level": level_label(gap.get("required")),
        "has": level_label(has),
    }
