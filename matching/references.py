"""The anonymous reference of a candidate in an employer's match summaries.

An employer sees the candidates matched to an own position without name or id; the
reference ("Kandidat/in Nr. X7K2QM") is what they tell their case worker, who finds it in
the position's ranked list. It is derived, never stored: the first six symbols of an HMAC
(`salted_hmac`, keyed with SECRET_KEY) of the position id and the candidate id, written with
32 symbols that cannot be mistaken for each other (no 0/O, no 1/I). So it

- stays the same at every rescore, whatever the scores and the order;
- differs per position, so that summaries of two positions cannot be linked to one person;
- reveals nothing about the candidate's id to anyone without the secret key.

Within one position's matches it is unique: where references clash (about once in a million
positions with 50 matches), each of them grows by two symbols until they differ. That is
deterministic and keeps the six symbols as their start. A new SECRET_KEY gives new references.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.utils.encoding import force_bytes

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: 5 bits each
LENGTH = 6
GROWTH = 2
SALT = "bridges.matching.references.employer_reference"
SYMBOLS = 256 // 5  # 51


@functools.lru_cache(maxsize=4)
def _keyed(secret: str):
    """The HMAC keyed as `salted_hmac(SALT, …, algorithm="sha256")` keys it, to be copied per
    message: deriving the key for each of a position's hundreds of candidates took most of the
    ranked list's time."""
    return hmac.new(hashlib.sha256(force_bytes(SALT) + force_bytes(secret)).digest(), digestmod=hashlib.sha256)


def _number(position_id: int, candidate_id: int) -> int:
    mac = _keyed(settings.SECRET_KEY).copy()
    mac.update(f"{position_id}:{candidate_id}".encode())
    return int.from_bytes(mac.digest(), "big")


def _symbols(value: int, count: int) -> str:
    symbols = []
    for _ in range(count):
        value, symbol = divmod(value, len(ALPHABET))
        symbols.append(ALPHABET[symbol])
    return "".join(symbols)


def code(*, position_id: int, candidate_id: int) -> str:
    """All 51 symbols (255 bits of the HMAC) of which a reference is the start."""
    return _symbols(_number(position_id, candidate_id), SYMBOLS)


def employer_references(*, position_id: int, candidate_ids: Iterable[int]) -> dict[int, str]:
    """The reference of each candidate on the position, unique among `candidate_ids`."""
    numbers = {int(pk): _number(position_id, int(pk)) for pk in candidate_ids}
    lengths = dict.fromkeys(numbers, LENGTH)
    shown = {pk: _symbols(number, LENGTH) for pk, number in numbers.items()}
    while True:
        by_text: dict[str, list[int]] = defaultdict(list)
        for pk, text in shown.items():
            by_text[text].append(pk)
        grown = False
        for pks in by_text.values():
            if len(pks) > 1:
                for pk in pks:
                    if lengths[pk] < SYMBOLS:
                        lengths[pk] = min(lengths[pk] + GROWTH, SYMBOLS)
                        shown[pk] = _symbols(numbers[pk], lengths[pk])
                        grown = True
        if not grown:  # unique (or, beyond any real chance, one HMAC for two pairs)
            return shown


def normalise(text: str) -> str:
    """A reference as a person may type it: any case, with spaces."""
    return "".join(text.split()).upper()
