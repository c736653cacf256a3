"""The three agency sources, each with its own schema, conventions and noise.

- ``bookings`` (CSV): a county jail's 287(g) extract. One name field, ``FAMILY, GIVEN MIDDLE`` in
  capitals without accents; US dates (``%m/%d/%Y``); the A-number typed in three ways; place of
  birth as an English country name. Clerks swap the name order of family-name-first cultures,
  drop second surnames, take nicknames, slip on digits and on day and month.
- ``court_records`` (CSV): separate first, middle and last names in mixed case, often keeping
  accents; ISO dates, often missing or only the year; second surnames mostly dropped; an address
  split into street, city, state and ZIP when there is one.
- ``visa_benefits`` (JSON Lines): passport-style names in capitals, romanised by the system of
  the person's passport, with the name in its own script beside it; ``DD MON YYYY`` dates;
  passport number and country, nationality and birth country as ISO alpha-3 codes; a renewed
  passport on a later application.

Every record lists the noise applied to it (``Record.noise``), so results can be broken down;
``weak_evidence`` marks a record with neither a full birth date nor a document number.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pycountry

from hardset.cultures import CULTURES
from hardset.noise import (
    Variants,
    date_digit_error,
    day_month_swapped,
    identifier_error,
    nickname,
    typo,
)
from hardset.population import TODAY, Person
from hardset.romanize import SYSTEMS, ascii_fold, romanise

PER_CHARACTER = ("han", "han-tw", "hangul")  # scripts romanised one syllable at a time


@dataclass
class Record:
    source: str
    record_id: str
    person_id: str
    row: dict[str, str]
    noise: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Rates:
    """How often each kind of noise hits a record of a source."""

    primary_system: float  # the record uses the person's own passport romanisation
    swap_family_first: float  # given and family names swapped, family-name-first cultures
    swap_other: float
    drop_second_surname: float
    hyphenate: float  # double surname or syllables joined with a hyphen or a space
    drop_middle: float
    nickname: float
    variant: float
    typo: float
    dob_missing: float
    dob_year_only: float
    dob_digit: float
    dob_day_month: float
    a_number: float  # share of people with an A-number whose record shows it
    id_error: float
    address: float
    moved: float  # the record has an older, different address


RATES = {
    "bookings": Rates(
        0.55,
        0.3,
        0.05,
        0.4,
        0.15,
        0.35,
        0.12,
        0.06,
        0.07,
        0.03,
        0.0,
        0.07,
        0.05,
        0.45,
        0.05,
        0.9,
        0.2,
    ),
    "court_records": Rates(
        0.55,
        0.2,
        0.04,
        0.55,
        0.1,
        0.5,
        0.05,
        0.06,
        0.07,
        0.3,
        0.15,
        0.05,
        0.04,
        0.15,
        0.04,
        0.45,
        0.25,
    ),
    "visa_benefits": Rates(
        0.92,
        0.03,
        0.01,
        0.08,
        0.05,
        0.1,
        0.0,
        0.02,
        0.02,
        0.02,
        0.0,
        0.02,
        0.02,
        0.85,
        0.03,
        0.6,
        0.3,
    ),
}


@dataclass(frozen=True)
class Name:
    given: list[str]
    middle: list[str]
    family: list[str]


def _roman(person: Person, text: str, system: int, separator: str) -> str:
    script = CULTURES[person.culture].script
    if script in PER_CHARACTER:
        return separator.join(romanise(script, system, ch) for ch in text if not ch.isspace())
    return " ".join(romanise(script, system, word) for word in text.split())


def _name(
    person: Person, rates: Rates, rng: np.random.Generator, v: Variants, noise: set[str]
) -> Name:
    culture = CULTURES[person.culture]
    systems = SYSTEMS[culture.script]
    system = person.system
    if systems and rng.random() > rates.primary_system:
        other = int(rng.integers(len(systems)))
        if other % len(systems) != system % len(systems):
            system = other
    separator = ""
    if culture.script in PER_CHARACTER and rng.random() < rates.hyphenate:
        separator = str(rng.choice([" ", "-"]))
    given = [_roman(person, g, system, separator) for g in person.given]
    family = [_roman(person, f, system, separator) for f in person.family]
    middle = [_roman(person, person.patronymic, system, "")] if person.patronymic else []
    primary = [_roman(person, g, person.system, "") for g in person.given]
    family_primary = [_roman(person, f, person.system, "") for f in person.family]
    joined = [[n.replace(" ", "").replace("-", "") for n in names] for names in (given, family)]
    if systems and joined != [primary, family_primary]:
        noise.add("translit")
    if separator:
        noise.add("hyphen_space")
    middle = given[1:] + middle
    given = given[:1]
    if middle and rng.random() < rates.drop_middle:
        middle = []
        noise.add("middle_dropped")
    if len(family) == 2:
        if rng.random() < rates.drop_second_surname:
            family = family[:1]
            noise.add("dropped_surname")
        elif rng.random() < rates.hyphenate:
            family = ["-".join(family)]
            noise.add("hyphen_space")
    if rng.random() < rates.nickname:
        short = nickname(ascii_fold(given[0]), rng)
        if short:
            given = [short]
            noise.add("nickname")
    if culture.script == "latin" and rng.random() < rates.variant:
        parts = given if rng.random() < 0.6 else family
        new = v.variant(ascii_fold(parts[0]), rng)
        if new:
            parts[0] = new
            noise.add("spelling_variant")
    if rng.random() < rates.typo:
        parts = given if rng.random() < 0.5 else family
        wrong = typo(parts[0], rng)
        if wrong != parts[0]:
            parts[0] = wrong
            noise.add("typo")
    swap = rates.swap_family_first if culture.family_first else rates.swap_other
    if rng.random() < swap:
        noise.add("name_swap")
        return Name(family, middle, given)
    return Name(given, middle, family)


def _born(
    person: Person, rates: Rates, rng: np.random.Generator, noise: set[str]
) -> tuple[dt.date | None, bool]:
    """The birth date a record shows, and whether only its year is shown."""
    if rng.random() < rates.dob_missing:
        noise.add("dob_missing")
        return None, False
    born = person.born
    if rng.random() < rates.dob_digit:
        wrong = date_digit_error(born, rng)
        if wrong:
            born, kind = wrong
            noise.add(kind)
    if rng.random() < rates.dob_day_month:
        swapped = day_month_swapped(born)
        if swapped:
            born = swapped
            noise.add("dob_day_month")
    if rng.random() < rates.dob_year_only:
        noise.add("dob_year_only")
        return born, True
    return born, False


def _a_number(person: Person, rates: Rates, rng: np.random.Generator, noise: set[str]) -> str:
    if not person.a_number or rng.random() > rates.a_number:
        return ""
    value = person.a_number
    if rng.random() < rates.id_error:
        value, kind = identifier_error(value, rng)
        noise.add(f"a_{kind}")
    return value


def _address(
    person: Person, rates: Rates, rng: np.random.Generator, builder_faker: Any, noise: set[str]
) -> tuple[str, str, str, str] | None:
    if rng.random() > rates.address:
        return None
    a = person.address
    if rng.random() < rates.moved:
        noise.add("other_address")
        return (builder_faker.street_address().upper(), a.city, a.state, a.zip[:3] + "11")
    return (a.street, a.city, a.state, a.zip)


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code


def _alpha3(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(country.alpha_3) if country else code


def _counts(rng: np.random.Generator, person: Person) -> dict[str, int]:
    adult = (TODAY - person.born).days > 18 * 365
    foreign = person.birth_country != "US"
    counts = {"bookings": 0, "court_records": 0, "visa_benefits": 0}
    if adult and rng.random() < 0.42:
        counts["bookings"] = 1 + int(rng.geometric(0.7)) - 1
    if adult and rng.random() < 0.33:
        counts["court_records"] = 1 + int(rng.geometric(0.8)) - 1
    if rng.random() < (0.62 if foreign else 0.04):
        counts["visa_benefits"] = 1 + int(rng.geometric(0.85)) - 1
    # traps must show up in the records to be traps
    if person.traps & {"twin", "namesake", "junior"} and not any(counts.values()):
        counts["bookings" if adult else "visa_benefits"] = 1
    return counts


class _Faker:
    """The street addresses of moved people, from one seeded en_US Faker."""

    def __init__(self, rng: np.random.Generator) -> None:
        from faker import Faker

        self.faker = Faker("en_US")
        self.faker.seed_instance(int(rng.integers(1 << 31)))

    def street_address(self) -> str:
        return str(self.faker.street_address())


_FAKERS: dict[int, _Faker] = {}


def render(person: Person, rng: np.random.Generator, variants: Variants) -> Iterator[Record]:
    faker = _FAKERS.setdefault(id(rng), _Faker(rng))
    for source, count in _counts(rng, person).items():
        for n in range(count):
            record = SOURCES[source].make(person, n, rng, variants, faker)
            if _weak(record.row):
                record.noise.add("weak_evidence")
            yield record


def _weak(row: dict[str, str]) -> bool:
    """A record with no full birth date and no document number: only names (and an address)."""
    born = row.get("dob") or row.get("date_of_birth") or ""
    full_date = len(born) >= 10  # 04/03/1985, 1985-03-04, 04 MAR 1985
    numbers = row.get("a_number") or row.get("passport_number")
    return not full_date and not numbers


_SEQ: dict[str, int] = {}


def _next(source: str, rng: np.random.Generator) -> int:
    _SEQ[source] = _SEQ.get(source, 0) + 1 + int(rng.integers(0, 3))
    return _SEQ[source]


def reset_numbering() -> None:
    _SEQ.clear()
    _FAKERS.clear()


def _booking(person: Person, n: int, rng: np.random.Generator, v: Variants, faker: Any) -> Record:
    rates, noise = RATES["bookings"], set()
    name = _name(person, rates, rng, v, noise)
    family = ascii_fold(" ".join(name.family)).upper()
    given = ascii_fold(" ".join(name.given + name.middle)).upper()
    born, _ = _born(person, rates, rng, noise)
    a = _a_number(person, rates, rng, noise)
    if a:
        style = rng.integers(3)
        a = (f"A-{a[:3]}-{a[3:6]}-{a[6:]}", f"A{a}", a.lstrip("0"))[int(style)]
        if len(a) < 8:
            a = a.zfill(8)
    address = _address(person, rates, rng, faker, noise)
    booked = dt.date(2015, 1, 1) + dt.timedelta(days=int(rng.integers(0, 4000)))
    row = {
        "booking_no": f"B{booked.year}{_next('bookings', rng):07d}",
        "booking_date": booked.strftime("%m/%d/%Y"),
        "name": f"{family}, {given}",
        "dob": born.strftime("%m/%d/%Y") if born else "",
        "sex": person.sex,
        "place_of_birth": _country_name(person.birth_country) if rng.random() < 0.7 else "",
        "a_number": a,
        "address": f"{address[0]}, {address[1]}, {address[2]} {address[3]}" if address else "",
        "charge": str(rng.choice(CHARGES)),
    }
    return Record("bookings", row["booking_no"], person.pid, row, noise)


def _court(person: Person, n: int, rng: np.random.Generator, v: Variants, faker: Any) -> Record:
    rates, noise = RATES["court_records"], set()
    name = _name(person, rates, rng, v, noise)
    keep_accents = rng.random() < 0.5

    def text(parts: Sequence[str]) -> str:
        joined = " ".join(parts)
        return joined if keep_accents else ascii_fold(joined)

    born, year_only = _born(person, rates, rng, noise)
    address = _address(person, rates, rng, faker, noise)
    court = str(rng.choice(COURTS))
    case = f"{2014 + int(rng.integers(0, 12))}-CR-{_next('court_records', rng):06d}"
    dob = ""
    if born:
        dob = str(born.year) if year_only else born.isoformat()
    row = {
        "court": court,
        "case_number": case,
        "first_name": text(name.given),
        "middle_name": text(name.middle),
        "last_name": text(name.family),
        "dob": dob,
        "a_number": _a_number(person, rates, rng, noise),
        "street": address[0].title() if address else "",
        "city": address[1] if address else "",
        "state": address[2] if address else "",
        "zip": address[3] if address else "",
        "charge": str(rng.choice(CHARGES)),
        "disposition": str(rng.choice(DISPOSITIONS)),
    }
    return Record("court_records", f"{court}|{case}", person.pid, row, noise)


def _visa(person: Person, n: int, rng: np.random.Generator, v: Variants, faker: Any) -> Record:
    rates, noise = RATES["visa_benefits"], set()
    name = _name(person, rates, rng, v, noise)
    culture = CULTURES[person.culture]
    born, _ = _born(person, rates, rng, noise)
    passport = person.passport
    if passport and n > 0 and rng.random() < 0.4:
        passport = f"{passport[:-3]}{(int(passport[-3:]) + 337) % 1000:03d}"
        noise.add("passport_renewed")
    if passport and rng.random() > 0.95:
        passport = ""
    if passport and rng.random() < rates.id_error:
        passport, kind = identifier_error(passport, rng)
        noise.add(f"passport_{kind}")
    address = _address(person, rates, rng, faker, noise)
    native = ""
    if culture.script != "latin" and rng.random() < 0.8:
        given = person.given + ([person.patronymic] if person.patronymic else [])
        parts = (person.family + given) if culture.family_first else given + person.family
        native = ("" if culture.script in PER_CHARACTER else " ").join(parts)
    row = {
        "receipt_number": f"{rng.choice(CENTRES)}{_next('visa_benefits', rng) + 9_100_000_000}",
        "form_type": str(rng.choice(FORMS)),
        "surname": ascii_fold(" ".join(name.family)).upper(),
        "given_names": ascii_fold(" ".join(name.given + name.middle)).upper(),
        "name_in_native_script": native,
        "sex": person.sex,
        "date_of_birth": born.strftime("%d %b %Y").upper() if born else "",
        "birth_country": _alpha3(person.birth_country) if rng.random() < 0.95 else "",
        "nationality": _alpha3(person.nationality),
        "passport_number": passport,
        "passport_country": _alpha3(person.nationality) if passport else "",
        "a_number": _a_number(person, rates, rng, noise),
        "us_address": f"{address[0]}, {address[1]}, {address[2]} {address[3]}" if address else "",
    }
    return Record("visa_benefits", row["receipt_number"], person.pid, row, noise)


CHARGES = (
    "DRIVING WHILE LICENSE SUSPENDED",
    "THEFT UNDER $500",
    "ASSAULT 3RD DEGREE",
    "DUI",
    "POSSESSION OF CONTROLLED SUBSTANCE",
    "TRESPASS",
    "FAILURE TO APPEAR",
    "NO VALID DRIVER LICENSE",
)
CENTRES = ("EAC", "WAC", "LIN", "SRC", "IOE")
COURTS = ("CTY-CRIM-1", "CTY-CRIM-2", "DIST-3", "MUNI-7")
DISPOSITIONS = ("dismissed", "guilty plea", "deferred adjudication", "pending", "acquitted")
FORMS = ("I-130", "I-485", "I-589", "I-765", "I-821D", "DS-160", "I-129F")


@dataclass(frozen=True)
class Source:
    file: str
    columns: tuple[str, ...]
    make: Callable[[Person, int, np.random.Generator, Variants, Any], Record]
    jsonl: bool = False

    def write(self, path: Path, records: Sequence[Record]) -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            if self.jsonl:
                for r in records:
                    handle.write(json.dumps(r.row, ensure_ascii=False) + "\n")
                return
            writer = csv.DictWriter(handle, fieldnames=self.columns)
            writer.writeheader()
            writer.writerows(r.row for r in records)


SOURCES: dict[str, Source] = {
    "bookings": Source(
        "bookings.csv",
        (
            "booking_no",
            "booking_date",
            "name",
            "dob",
            "sex",
            "place_of_birth",
            "a_number",
            "address",
            "charge",
        ),
        _booking,
    ),
    "court_records": Source(
        "court_records.csv",
        (
            "court",
            "case_number",
            "first_name",
            "middle_name",
            "last_name",
            "dob",
            "a_number",
            "street",
            "city",
            "state",
            "zip",
            "charge",
            "disposition",
        ),
        _court,
    ),
    "visa_benefits": Source(
        "visa_benefits.jsonl",
        (
            "receipt_number",
            "form_type",
            "surname",
            "given_names",
            "name_in_native_script",
            "sex",
            "date_of_birth",
            "birth_country",
            "nationality",
            "passport_number",
            "passport_country",
            "a_number",
            "us_address",
        ),
        _visa,
        jsonl=True,
    ),
}
