"""The errors agency records carry, each a small function that says what it did.

Typed-digit errors (one digit off, two neighbours transposed) in dates and identifiers; day and
month swapped; typos in names; nicknames (the ``nicknames`` package's curated English list);
spelling variants (another name of the pool that sounds the same, by metaphone, and is spelt
nearly the same: Mohamed / Muhammad, Kathryn / Catherine); hyphen and space variants.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

import jellyfish
import numpy as np

KEYBOARD_NEIGHBOURS = {
    # US QWERTY rows: a typo hits a neighbouring key
    c: n
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i, c in enumerate(row)
    for n in [row[max(i - 1, 0) : i] + row[i + 1 : i + 2]]
}


def typo(name: str, rng: np.random.Generator) -> str:
    """One slip of the keyboard: a neighbouring key, a letter dropped, doubled or transposed."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 3:
        return name
    i = int(rng.choice(letters[1:]))  # the first letter is rarely wrong
    kind = rng.integers(4)
    c = name[i]
    if kind == 0 and c.lower() in KEYBOARD_NEIGHBOURS:
        options = KEYBOARD_NEIGHBOURS[c.lower()]
        new = str(rng.choice(list(options)))
        return name[:i] + (new.upper() if c.isupper() else new) + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i + 1 :]
    if kind == 2:
        return name[:i] + c + name[i:]
    if i + 1 < len(name) and name[i + 1].isalpha() and name[i + 1] != c:
        return name[:i] + name[i + 1] + c + name[i + 2 :]
    return name[:i] + name[i + 1 :]


def digit_off(digits: str, rng: np.random.Generator, positions: Iterable[int] | None = None) -> str:
    """One digit typed as another (often a neighbour on the keypad)."""
    where = [i for i in (positions or range(len(digits))) if digits[i].isdigit()]
    if not where:
        return digits
    i = int(rng.choice(where))
    d = int(digits[i])
    new = (d + int(rng.choice([-1, 1, 3, -3, 5]))) % 10
    return digits[:i] + str(new) + digits[i + 1 :]


def transpose(digits: str, rng: np.random.Generator, positions: Iterable[int] | None = None) -> str:
    """Two neighbouring characters typed in the wrong order."""
    where = [
        i
        for i in (positions or range(len(digits) - 1))
        if i + 1 < len(digits) and digits[i] != digits[i + 1] and digits[i].isalnum()
    ]
    if not where:
        return digits
    i = int(rng.choice(where))
    return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]


def _valid(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def date_digit_error(born: dt.date, rng: np.random.Generator) -> tuple[dt.date, str] | None:
    """The birth date with one digit off or two digits transposed, still a real date."""
    text = born.strftime("%Y%m%d")
    for _ in range(20):
        if rng.random() < 0.7:
            # the year's last two digits and the day are where people slip
            wrong, kind = digit_off(text, rng, [2, 3, 6, 7, 5]), "dob_digit"
        else:
            wrong, kind = transpose(text, rng, [2, 6, 4]), "dob_transposed"
        date = _valid(wrong)
        if date and date != born and 1900 < date.year < 2026:
            return date, kind
    return None


def day_month_swapped(born: dt.date) -> dt.date | None:
    if born.day > 12 or born.day == born.month:
        return None
    return dt.date(born.year, born.day, born.month)


def identifier_error(value: str, rng: np.random.Generator) -> tuple[str, str]:
    if rng.random() < 0.6:
        return digit_off(value, rng), "id_digit"
    return transpose(value, rng), "id_transposed"


@cache
def _nicknamer() -> object:
    from nicknames import NickNamer

    return NickNamer()


def nickname(name: str, rng: np.random.Generator) -> str | None:
    """A nickname or short form of an English given name, or None when the list has none."""
    options = sorted(_nicknamer().nicknames_of(name.lower()))  # type: ignore[attr-defined]
    options = [o for o in options if len(o) > 1]
    if not options:
        return None
    return str(rng.choice(options)).title()


class Variants:
    """Spelling variants found in the name pools themselves: same metaphone, few edits apart."""

    def __init__(self, names: Iterable[str]) -> None:
        by_sound: dict[str, set[str]] = defaultdict(set)
        for name in names:
            if name.isascii() and name.isalpha() and len(name) > 2:
                by_sound[jellyfish.metaphone(name)].add(name)
        self._by_sound = {k: sorted(v) for k, v in by_sound.items() if len(v) > 1}

    def of(self, name: str) -> list[str]:
        group = self._by_sound.get(jellyfish.metaphone(name), []) if name.isascii() else []
        low = name.lower()
        return [
            v
            for v in group
            if v.lower() != low and jellyfish.damerau_levenshtein_distance(v.lower(), low) <= 3
        ]

    def variant(self, name: str, rng: np.random.Generator) -> str | None:
        options = self.of(name)
        return str(rng.choice(options)) if options else None


def are_variants(a: str, b: str) -> bool:
    """Given names a twin would not have: the same sound, or one a nickname of the other."""
    la, lb = a.lower(), b.lower()
    if la == lb or jellyfish.metaphone(a) == jellyfish.metaphone(b):
        return True
    if jellyfish.jaro_winkler_similarity(la, lb) > 0.85:
        return True
    namer = _nicknamer()
    return lb in namer.nicknames_of(la) or la in namer.nicknames_of(lb)  # type: ignore[attr-defined]
