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

from collections import defaultdict
from collections.abc import Iterable

from django.utils.crypto import salted_hmac

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: 5 bits each
LENGTH = 6
GROWTH = 2
SALT = "bridges.matching.references.employer_reference"


def code(*, position_id: int, candidate_id: int) -> str:
    """All 51 symbols (255 bits of the HMAC) of which a reference is the start."""
    digest = salted_hmac(SALT, f"{position_id}:{candidate_id}", algorithm="sha256").digest()
    value = int.from_bytes(digest, "big")
    symbols = []
    for _ in range(len(digest) * 8 // 5):
        value, symbol = divmod(value, len(ALPHABET))
        symbols.append(ALPHABET[symbol])
    return "".join(symbols)


def employer_references(*, position_id: int, candidate_ids: Iterable[int]) -> dict[int, str]:
    """The reference of each candidate on the position, unique among `candidate_ids`."""
    codes = {int(pk): code(position_id=position_id, candidate_id=pk) for pk in candidate_ids}
    lengths = dict.fromkeys(codes, LENGTH)
    while True:
        shown: dict[str, list[int]] = defaultdict(list)
        for pk, full in codes.items():
            shown[full[: lengths[pk]]].append(pk)
        grown = False
        for pks in shown.values():
            if len(pks) > 1:
                for pk in pks:
                    if lengths[pk] < len(codes[pk]):
                        lengths[pk] += GROWTH
                        grown = True
        if not grown:  # unique (or, beyond any real chance, one HMAC for two pairs)
            return {pk: full[: lengths[pk]] for pk, full in codes.items()}


def normalise(text: str) -> str:
    """A reference as a person may type it: any case, with spaces."""
    return "".join(text.split()).upper()
