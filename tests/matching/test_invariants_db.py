"""Invariants through the database: personal details that must never influence a score."""

from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates.models import Candidate, Gender
from matching import engine, loader
from tests.matching.test_pipeline import build_population

pytestmark = pytest.mark.django_db


def scores() -> np.ndarray:
    inputs = loader.load()
    matrix, _components, _exclusions = engine.score_matrix(inputs.candidates, inputs.positions, inputs.config)
    order_c = np.argsort(inputs.candidates.ids)
    order_p = np.argsort(inputs.positions.ids)
    return matrix[np.ix_(order_c, order_p)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first_name=st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=30).filter(str.strip),
    last_name=st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=30).filter(str.strip),
    gender=st.sampled_from([choice for choice, _label in Gender.choices] + [""]),
    born=st.dates(min_value=date(1950, 1, 1), max_value=date(2008, 1, 1)),
)
def test_name_gender_and_birth_date_never_change_a_score(first_name, last_name, gender, born):
    if not Candidate.objects.exists():
        build_population()
    before = scores()

    Candidate.objects.update(first_name=first_name, last_name=last_name, gender=gender, date_of_birth=born)

    assert np.array_equal(before, scores())


def test_nationality_never_changes_the_score_of_a_position_in_germany():
    build_population()
    positions = loader.load().positions
    in_germany = np.flatnonzero(~positions.abroad[np.argsort(positions.ids)])  # columns of scores(), by id
    before = scores()

    Candidate.objects.update(nationality="ER")

    assert len(in_germany) >= 2
    assert np.array_equal(before[:, in_germany], scores()[:, in_germany])
