"""factory_boy factories for matching: Match rows written directly (no engine), runs,
decisions and scoring configurations."""

import factory

from matching.engine import COMPONENTS
from matching.models import Match, MatchDecision, MatchRun, ScoringConfig
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory


def explanation(**overrides) -> dict:
    """A stored explanation in the pipeline's format, empty unless overridden."""
    data = {
        "matched_skills": [],
        "missing_essential": [],
        "missing_optional": [],
        "language_gaps": [],
        "support": [],
        "notes": [],
    }
    data.update(overrides)
    return data


class ScoringConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringConfig

    name = factory.Sequence(lambda n: f"Konfiguration {n}")
    is_active = False


class MatchRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchRun

    trigger = MatchRun.Trigger.FULL
    status = MatchRun.Status.SUCCEEDED


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match
        skip_postgeneration_save = True  # the hook below adds to the candidate, not to the match

    candidate = factory.SubFactory(CandidateFactory)
    position = factory.SubFactory(PositionFactory)
    score = 50.0
    components = factory.LazyFunction(lambda: dict.fromkeys(COMPONENTS, 0.5))
    explanation = factory.LazyFunction(explanation)

    @factory.post_generation
    def relevant(self, create, extracted, **kwargs):
        """A stored match is a relevant pair: the candidate wants the position's occupation (pass
        relevant=False for a pair the rules would not propose)."""
        if create and extracted is not False:
            self.candidate.desired_occupations.add(self.position.occupation_id)


class MatchDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchDecision

    candidate = factory.SubFactory(CandidateFactory)
    position = factory.SubFactory(PositionFactory)
    status = MatchDecision.Status.SHORTLISTED


def introduce(*, candidate, position, actor, consent: bool = True, **kwargs):
    """An introduction made through the service, with the candidate's consent for the position's
    organisation recorded first (unless consent=False); the pair is made relevant."""
    from matching.introductions import introduction_create
    from tests.candidates.factories import ConsentFactory

    candidate.desired_occupations.add(position.occupation_id)
    if consent:
        ConsentFactory(candidate=candidate, employer=position.employer)
    return introduction_create(candidate=candidate, position=position, actor=actor, **kwargs)
