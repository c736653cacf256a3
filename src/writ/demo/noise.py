"""The mistakes real source systems make, applied to invented truth.

Each function makes one kind of mistake; the caller records which ones it applied, so the ground
truth can say what noise every record carries.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date

from writ.demo.names import spellings

# Letters next to each other on a QWERTY keyboard: the commonest substitution typo.
_NEIGHBOURS = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}

# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ø": "O", "ø": "o"})


def fold_accents(text: str) -> str:
    """``text`` with its accents dropped, the way an ASCII-only system stores it."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def has_accents(text: str) -> bool:
    return fold_accents(text) != text


def typo(rng: random.Random, text: str) -> str:
    """``text`` with one keying mistake: two letters swapped, one dropped, doubled or mistyped."""
    positions = [index for index, char in enumerate(text) if char.isalpha()]
    if len(positions) < 3:
        return text
    while True:
        index = rng.choice(positions[1:])
        kind = rng.choice(("swap", "drop", "double", "neighbour"))
        if kind == "swap" and index + 1 < len(text) and text[index + 1].isalpha():
            result = text[:index] + text[index + 1] + text[index] + text[index + 2 :]
        elif kind == "drop":
            result = text[:index] + text[index + 1 :]
        elif kind == "double":
            result = text[: index + 1] + text[index] + text[index + 1 :]
        elif kind == "neighbour" and text[index].lower() in _NEIGHBOURS:
            replacement = rng.choice(_NEIGHBOURS[text[index].lower()])
            if text[index].isupper():
                replacement = replacement.upper()
            result = text[:index] + replacement + text[index + 1 :]
        else:
            continue
        if result != text:
            return result


def respell(rng: random.Random, name: str) -> str | None:
    """Another romanisation of ``name`` (Mohammed → Muhammad), or None if it has none."""
    variants = spellings(name)
    return rng.choice(variants) if variants else None


def mistype_digit(rng: random.Random, number: str) -> str:
    """``number`` with exactly one of its digits keyed wrong."""
    positions = [index for index, char in enumerate(number) if char.isdigit()]
    index = rng.choice(positions)
    wrong = rng.choice([digit for digit in "0123456789" if digit != number[index]])
    return number[:index] + wrong + number[index + 1 :]


def swap_day_month(day: date) -> date | None:
    """The date a clerk makes by writing the day where the month goes, if that is a date."""
    if day.day > 12 or day.day == day.month:
        return None
    return date(day.year, day.day, day.month)
