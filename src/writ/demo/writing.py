"""How a source system writes one person down: the person's truth, with that record's noise.

Every helper appends the name of each mistake it makes to ``noise``, so that the ground truth can
say, record by record, what a matcher has to see through.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import pycountry

from writ.demo.names import CULTURE_BY_KEY, all_spellings, spellings
from writ.demo.noise import fold_accents, has_accents, mistype_digit, respell, swap_day_month, typo
from writ.demo.people import DemoPerson

SYNTHETIC_NOTICE = "SYNTHETIC DEMO DATA - invented person, not a real record"


@dataclass
class SourceRow:
    """One row of a source extract, with the truth about it for the ground-truth file.

    ``people`` maps each Person entity of the source's mapping to the person it describes, and
    ``noise`` each of them to the mistakes the row makes about that person.
    ``extra_fields`` are stray fields after the last column (a broken CSV line).
    """

    values: dict[str, str | None]
    people: dict[str, str]
    noise: dict[str, list[str]] = field(default_factory=dict)
    validation_errors: list[str] = field(default_factory=list)
    quarantine: str = ""
    extra_fields: list[str] = field(default_factory=list)
    when: date = date(2000, 1, 1)


@dataclass(frozen=True)
class WrittenName:
    given: str
    family: str


def written_name(
    rng: random.Random, person: DemoPerson, noise: list[str], *, keeps_accents: bool = True
) -> WrittenName:
    """The person's name as a record has it: maybe respelled, cut, mistyped, unaccented, swapped."""
    given, middle, surnames = person.given, person.middle, list(person.surnames)
    respellable = [name for name in (given, *surnames) if spellings(name)]
    if respellable and rng.random() < 0.4:
        original = rng.choice(respellable)
        variant = respell(rng, original) or original
        given = variant if given == original else given
        surnames = [variant if name == original else name for name in surnames]
        noise.append("transliteration")
    if len(surnames) == 2 and rng.random() < 0.35:
        surnames = surnames[:1]
        noise.append("double_surname_cut")
    if middle and rng.random() < 0.4:
        middle = ""
    family = " ".join(surnames)
    if rng.random() < 0.07:
        known = _known_spellings(person)
        if (rng.random() < 0.5 and len(given) >= 3) or len(family) < 3:
            given = _typo(rng, given, known)
        else:
            family = _typo(rng, family, known)
        noise.append("typo")
    given = f"{given} {middle}".strip()
    if not keeps_accents:
        given, family = fold_accents(given), fold_accents(family)
    elif has_accents(given + family) and rng.random() < 0.45:
        given, family = fold_accents(given), fold_accents(family)
        noise.append("accents_dropped")
    swap_rate = 0.25 if CULTURE_BY_KEY[person.culture].family_name_first else 0.03
    if rng.random() < swap_rate:
        given, family = family, given
        noise.append("name_order_swapped")
    return WrittenName(given, family)


def _known_spellings(person: DemoPerson) -> frozenset[str]:
    names = (person.given, person.middle, *person.surnames)
    return frozenset(
        fold_accents(spelling).casefold() for name in names for spelling in all_spellings(name)
    )


def _typo(rng: random.Random, text: str, known: frozenset[str]) -> str:
    """A typo that does not happen to spell the name another accepted way (Abdullah → Abdulla)."""
    while True:
        result = typo(rng, text)
        changed = set(result.split()) - set(text.split())
        if not any(fold_accents(word).casefold() in known for word in changed):
            return result


def written_birth_date(
    rng: random.Random, person: DemoPerson, noise: list[str], *, with_day: bool = True
) -> date | None:
    """The birth date as one record has it: sometimes missing, sometimes day and month swapped.

    ``with_day`` is false where only the year is written, so a swap would not show.
    """
    if rng.random() < 0.04:
        noise.append("missing_dob")
        return None
    swapped = swap_day_month(person.birth_date)
    if swapped is not None and with_day and rng.random() < 0.08:
        noise.append("day_month_swapped")
        return swapped
    return person.birth_date


def written_identifier(
    rng: random.Random,
    value: str,
    label: str,
    noise: list[str],
    *,
    missing: float,
    mistyped: float = 0.05,
) -> str:
    """An identifier as one record has it: left out, or keyed with one digit wrong."""
    if not value:
        return ""
    if rng.random() < missing:
        noise.append(f"missing_{label}")
        return ""
    if rng.random() < mistyped:
        noise.append(f"mistyped_{label}")
        return mistype_digit(rng, value)
    return value


def a_number_text(rng: random.Random, digits: str, styles: tuple[str, ...]) -> str:
    """An A-number in one of a system's ways of writing it (``A-012-345-678``, ``A12345678``)."""
    if digits.startswith("0") and rng.random() < 0.6:
        digits = digits[1:]
    style = rng.choice(styles)
    if style == "dashed":
        head = len(digits) - 6
        return f"A-{digits[:head]}-{digits[head : head + 3]}-{digits[head + 3 :]}"
    if style == "spaced":
        head = len(digits) - 6
        return f"A{digits[:head]} {digits[head : head + 3]} {digits[head + 3 :]}"
    if style == "prefixed":
        return f"A{digits}"
    return digits


def country_text(rng: random.Random, code: str, styles: tuple[str, ...]) -> str:
    """A country as a system writes it: a name, a common name, ISO alpha-2 or alpha-3."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise ValueError(f"unknown country code {code!r}")
    style = rng.choice(styles)
    if style == "alpha2":
        return code
    if style == "alpha3":
        return str(country.alpha_3)
    name = str(getattr(country, "common_name", None) or country.name)
    if style == "official":
        name = str(country.name)
    return name.upper() if style == "upper" else name


def event_date(rng: random.Random, person: DemoPerson, first: date, last: date) -> date:
    """A day between ``first`` and ``last`` when the person was at least 18."""
    adult = _years_after(person.birth_date, 18)
    earliest = min(max(first, adult), last)
    return earliest + timedelta(days=rng.randint(0, (last - earliest).days))


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def us_date(day: date | None) -> str:
    return "" if day is None else f"{day.month:02d}/{day.day:02d}/{day.year}"


def european_date(day: date | None) -> str:
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year}"


def iso_date(day: date | None) -> str:
    return "" if day is None else day.isoformat()
