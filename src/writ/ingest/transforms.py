"""Transforms: how a source's text becomes a followthemoney value.

Each transform takes text already trimmed by :func:`clean_text` and returns the value, or raises
:class:`TransformError` saying why the text is not a value of that kind. Nothing here guesses: a
date whose day and month cannot be told apart keeps only what every reading agrees on, and says so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pycountry
from followthemoney import registry

_DATE_DIRECTIVES = frozenset({"Y", "m", "d", "b", "B"})
_PASSPORT_NOISE = re.compile(r"[\s\-]+")
_PASSPORT = re.compile(r"[A-Z0-9]+")
_A_NUMBER_NOISE = re.compile(r"[\s\-]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


class TransformError(ValueError):
    """The text is not a value of the transform's kind; the message says why."""


def clean_text(raw: object) -> str | None:
    """Trim and collapse white space; empty text is no value at all."""
    if raw is None:
        return None
    return " ".join(str(raw).split()) or None


def strip(text: str) -> str:
    return text


def upper(text: str) -> str:
    return text.upper()


@lru_cache(maxsize=4096)
def country(text: str) -> str:
    """A country name or code to the lower-case ISO 3166-1 alpha-2 code followthemoney uses."""
    code = _iso_countries().get(_fold(text))
    if code is None:
        # followthemoney knows many more spellings, but builds its table slowly: only when needed.
        code = registry.country.clean(text)
    if code is None:
        raise TransformError(f'"{text}" is not a known country name or code')
    return str(code)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NON_ALNUM.sub(" ", letters).split())


@lru_cache(maxsize=1)
def _iso_countries() -> dict[str, str]:
    """ISO 3166-1 codes and names, folded, to the alpha-2 code in lower case."""
    table: dict[str, str] = {}
    for entry in pycountry.countries:
        code = entry.alpha_2.lower()
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(entry, attribute, None)
            if value:
                table[_fold(value)] = code
    return table


def a_number(text: str) -> str:
    """An alien registration number: "A" prefix, dashes and spaces removed, padded to 9 digits."""
    digits = _A_NUMBER_NOISE.sub("", text)
    if digits[:1] in ("A", "a"):
        digits = digits[1:]
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (8, 9):
        raise TransformError(f'"{text}" is not an A-number (8 or 9 digits)')
    return digits.zfill(9)


def passport(text: str) -> str:
    """A passport number: upper-case, spaces and dashes removed, letters and digits only."""
    number = _PASSPORT_NOISE.sub("", text).upper()
    if not _PASSPORT.fullmatch(number):
        raise TransformError(f'"{text}" is not a passport number (letters and digits)')
    return number


@dataclass(frozen=True)
class NameParts:
    name: str
    last: str
    first: str | None = None
    middle: str | None = None
    suffix: str | None = None

    def properties(self) -> list[tuple[str, str]]:
        """The followthemoney Person properties these parts fill, in a stable order."""
        pairs = [("name", self.name), ("lastName", self.last)]
        if self.first:
            pairs.append(("firstName", self.first))
        if self.middle:
            pairs.append(("middleName", self.middle))
        if self.suffix:
            pairs.append(("nameSuffix", self.suffix))
        return pairs


def name_last_first(text: str) -> NameParts:
    """Split "LAST, FIRST MIDDLE[, SUFFIX]", keeping the source's spelling and case."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) < 2:
        raise TransformError(f'"{text}" is not a name written "LAST, FIRST MIDDLE"')
    if len(parts) > 3:
        raise TransformError(f'"{text}" has more commas than "LAST, FIRST MIDDLE, SUFFIX"')
    last, given = parts[0], parts[1].split()
    suffix = parts[2] if len(parts) == 3 and parts[2] else None
    if not last:
        raise TransformError(f'"{text}" has no last name before the comma')
    first = given[0] if given else None
    middle = " ".join(given[1:]) or None
    name = " ".join(part for part in (first, middle, last, suffix) if part)
    return NameParts(name=name, last=last, first=first, middle=middle, suffix=suffix)


_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_DIRECTIVE_PATTERNS = {
    "Y": r"(?P<Y>\d{4})",
    "m": r"(?P<m>\d{1,2})",
    "d": r"(?P<d>\d{1,2})",
    "b": r"(?P<b>[A-Za-z]{3})",
    "B": r"(?P<B>[A-Za-z]{3,9})",
    "%": "%",
}


@dataclass(frozen=True)
class DateFormat:
    """A strptime-style format (English month names) and the precision of the date it gives."""

    pattern: str
    precision: int  # 1 year, 2 month, 3 day
    regex: re.Pattern[str]

    @classmethod
    def parse(cls, pattern: str) -> DateFormat:
        directives = re.findall(r"%(.)", pattern)
        unknown = sorted(set(directives) - _DATE_DIRECTIVES - {"%"})
        if "y" in directives:
            raise TransformError(
                f'date format "{pattern}": two-digit years (%y) are a guess; use %Y'
            )
        if unknown:
            raise TransformError(
                f'date format "{pattern}": only %Y, %m, %d, %b and %B are allowed, '
                f"not {', '.join('%' + d for d in unknown)}"
            )
        if "Y" not in directives:
            raise TransformError(f'date format "{pattern}" has no year (%Y)')
        repeated = sorted({d for d in directives if d != "%" and directives.count(d) > 1})
        months = [d for d in directives if d in ("m", "b", "B")]
        if repeated or len(months) > 1:
            raise TransformError(f'date format "{pattern}" gives a part of the date twice')
        has_day = "d" in directives
        if has_day and not months:
            raise TransformError(f'date format "{pattern}" has a day but no month')
        return cls(pattern, 3 if has_day else 2 if months else 1, _compile(pattern))

    def read(self, text: str) -> str | None:
        """The ISO date ``text`` is in this format, or None if it is not a date in it."""
        match = self.regex.fullmatch(text)
        if match is None:
            return None
        parts = match.groupdict()
        year = int(parts["Y"])
        month = _month(parts) if self.precision >= 2 else 1
        day = int(parts["d"]) if self.precision == 3 else 1
        if month is None or year < 1:
            return None
        try:
            parsed = date(year, month, day)
        except ValueError:
            return None
        return parsed.isoformat()[: (4, 7, 10)[self.precision - 1]]


def _compile(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(%.)", pattern)
    regex = ""
    for part in parts:
        if part.startswith("%") and len(part) == 2:
            regex += _DIRECTIVE_PATTERNS[part[1]]
        else:
            regex += r"\s+".join(re.escape(word) for word in part.split(" "))
    return re.compile(regex, re.IGNORECASE)


def _month(parts: dict[str, str | None]) -> int | None:
    if parts.get("m") is not None:
        return int(parts["m"] or 0)
    name = (parts.get("b") or parts.get("B") or "").lower()
    for number, month in enumerate(_MONTHS, start=1):
        if (len(name) == 3 and month.startswith(name)) or month == name:
            return number
    return None


@dataclass(frozen=True)
class DateValue:
    """An ISO date (possibly partial) and, when readings disagreed, why it is only partial."""

    value: str
    ambiguity: str | None = None


def parse_date(text: str, formats: tuple[DateFormat, ...]) -> DateValue:
    """Read a date in any of the formats; disagreeing readings keep only what they share."""
    readings = sorted({reading for fmt in formats if (reading := fmt.read(text)) is not None})
    if not readings:
        patterns = ", ".join(fmt.pattern for fmt in formats)
        raise TransformError(f'"{text}" is not a date in the formats {patterns}')
    if len(readings) == 1:
        return DateValue(readings[0])
    shared = _shared_components(readings)
    alternatives = " or ".join(readings)
    if not shared:
        raise TransformError(f'"{text}" is ambiguous: {alternatives}')
    return DateValue(shared, f"day and month are ambiguous: {alternatives}")


def _shared_components(readings: list[str]) -> str:
    split = [reading.split("-") for reading in readings]
    shared: list[str] = []
    for components in zip(*split, strict=False):
        if len(set(components)) != 1:
            break
        shared.append(components[0])
    return "-".join(shared)
