"""Dates with their time read in the same order as the plain dates of each language: Arabic's
are day-first like its dates (Django's `ar` has no format for them; bridges/formats/ar adds it),
German's and English's are Django's own."""

from datetime import datetime

import pytest
from django.utils import translation
from django.utils.formats import date_format

RLM = "\u200f"
MOMENT = datetime(2026, 12, 5, 10, 0)  # 5 December


def formatted(language: str, name: str) -> str:
    with translation.override(language):
        return date_format(MOMENT, name)


def test_an_arabic_date_with_its_time_is_day_first_like_a_date():
    assert formatted("ar", "SHORT_DATE_FORMAT") == f"05{RLM}/12{RLM}/2026"
    assert formatted("ar", "SHORT_DATETIME_FORMAT") == f"05{RLM}/12{RLM}/2026 10:00 ص"
    assert formatted("ar", "DATETIME_FORMAT") == "5 ديسمبر، 2026 10:00 ص"


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("de", "SHORT_DATETIME_FORMAT", "05.12.2026 10:00"),
        ("de", "DATETIME_FORMAT", "5. Dezember 2026 10:00"),
        ("de", "SHORT_DATE_FORMAT", "05.12.2026"),
        ("en", "SHORT_DATETIME_FORMAT", "12/05/2026 10 a.m."),
        ("en", "SHORT_DATE_FORMAT", "12/05/2026"),
    ],
)
def test_german_and_english_formats_are_djangos(language, name, expected):
    assert formatted(language, name) == expected
