"""The four invented agency systems, each writing people down its own way.

A renderer turns the people a source holds into that source's rows: its columns, its date and name
conventions, its noise. Each also adds a few rows broken on purpose (``quarantine`` says how ingest
must refuse them) and a few with one bad optional value (``validation_errors`` names the column).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from writ.demo.people import KINSHIP_CLASSES, DemoPerson, Population, invent_address, kinship
from writ.demo.writing import (
    SYNTHETIC_NOTICE,
    SourceRow,
    a_number_text,
    country_text,
    european_date,
    event_date,
    iso_date,
    us_date,
    written_birth_date,
    written_identifier,
    written_name,
)

Renderer = Callable[[random.Random, list[DemoPerson], Population], list[SourceRow]]


@dataclass(frozen=True)
class Source:
    """An invented agency system: its extract file, its columns and the columns of its key."""

    name: str
    file_name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    render: Renderer

    def record_id(self, row: SourceRow) -> str:
        """The id ingest gives the row: the key values, trimmed, joined with ``|``."""
        parts = [(row.values.get(column) or "").strip() for column in self.key]
        return "" if not all(parts) else "|".join(parts)


FACILITIES = ("Marlow County Jail", "Marlow County North Annex", "Riverton City Holding Facility")
CHARGES = (
    "DRIVING WITHOUT A LICENSE",
    "DUI",
    "PETTY THEFT",
    "SHOPLIFTING",
    "TRESPASS",
    "SIMPLE ASSAULT",
    "FAILURE TO APPEAR",
    "POSSESSION OF CONTROLLED SUBSTANCE",
    "DISORDERLY CONDUCT",
    "FORGERY",
    "RECKLESS DRIVING",
    "PROBATION VIOLATION",
)
# Court code and whether its clerk system writes dates the ISO way (else day/month/year).
COURTS = (("MCSC", True), ("RVMC", False), ("FVMC", False))
DISPOSITIONS = (
    "convicted",
    "dismissed",
    "acquitted",
    "pending",
    "deferred adjudication",
    "nolle prosequi",
)
APPLICATION_TYPES = ("I-130", "I-485", "I-589", "I-765", "I-751", "N-400", "I-821")
APPLICATION_STATUSES = ("pending", "approved", "denied", "withdrawn", "request for evidence")
LEGACY_OFFICES = ("Marlow Sub-Office", "Riverton District Office", "Ashford Field Office")
LEGACY_STATUSES = ("closed", "archived", "transferred", "closed - no action")
ASSOCIATE_RELATIONS = ("associate", "co-worker", "friend", "landlord", "co-defendant")
UNKNOWN_COUNTRY = "Republic of Atlantis"


def bookings(
    rng: random.Random, persons: list[DemoPerson], population: Population
) -> list[SourceRow]:
    broken = ["missing_key", "wrong_columns", "unparseable_required"]
    rows = [_booking(rng, person) for person in persons]
    bad_rows = [_booking(rng, rng.choice(persons)) for _ in broken]
    for row, reason in zip(bad_rows, broken, strict=True):
        row.quarantine = reason
    rows = sorted(rows + bad_rows, key=lambda row: row.when)
    for number, row in enumerate(rows, start=1):
        row.values["booking_id"] = f"{row.when.year % 100:02d}-{number:06d}"
    for row in bad_rows:
        _break_booking(row)
    with_a_number = [
        row for row in rows if row.values["a_number"] and _clean(row, "mistyped_a_number")
    ]
    for row in rng.sample(with_a_number, 2):
        digits = "".join(char for char in row.values["a_number"] or "" if char.isdigit())
        row.values["a_number"] = f"A{digits[:-2]}"
        row.noise["person"].append("invalid_a_number")
        row.validation_errors.append("a_number")
    return rows


def _clean(row: SourceRow, *noise: str) -> bool:
    """Whether a row is well-formed and its person carries none of ``noise`` yet."""
    return not row.quarantine and not set(noise) & set(row.noise["person"])


def _booking(rng: random.Random, person: DemoPerson) -> SourceRow:
    noise: list[str] = []
    name = written_name(rng, person, noise, keeps_accents=False)
    when = event_date(rng, person, date(2014, 1, 1), date(2024, 6, 30))
    a_number = written_identifier(rng, person.a_number, "a_number", noise, missing=0.45)
    address = person.address.upper()
    if rng.random() < 0.1:
        address = ""
        noise.append("missing_address")
    values: dict[str, str | None] = {
        "booking_id": "",
        "booking_date": us_date(when),
        "name": f"{name.family}, {name.given}".upper(),
        "dob": us_date(written_birth_date(rng, person, noise)),
        "sex": person.sex,
        "address": address,
        "a_number": a_number_text(rng, a_number, ("dashed", "prefixed", "plain"))
        if a_number
        else "",
        "facility": rng.choice(FACILITIES),
        "charges": "; ".join(rng.sample(CHARGES, rng.choice((1, 1, 2, 3)))),
        "synthetic": SYNTHETIC_NOTICE,
    }
    return SourceRow(values, {"person": person.person_id}, {"person": noise}, when=when)


def _break_booking(row: SourceRow) -> None:
    if row.quarantine == "missing_key":
        row.values["booking_id"] = ""
    elif row.quarantine == "wrong_columns":
        charges = row.values["charges"] or ""
        row.values["charges"] = f"{charges} (see"
        row.extra_fields = ["narrative)"]
    else:
        family, given = (row.values["name"] or "").split(", ", 1)
        row.values["name"] = f"{given} {family}"
    row.noise["person"].append(f"malformed_{row.quarantine}")


def court_records(
    rng: random.Random, persons: list[DemoPerson], population: Population
) -> list[SourceRow]:
    rows = [_court_case(rng, person) for person in persons]
    rows.append(_court_case(rng, rng.choice(persons)))
    rows[-1].quarantine = "missing_required"
    rows.sort(key=lambda row: row.when)
    numbers: dict[str, int] = {}
    for row in rows:
        court = row.values["court"] or ""
        numbers[court] = numbers.get(court, 0) + 1
        row.values["case_number"] = f"{row.when.year}-CR-{numbers[court]:05d}"
        if row.quarantine:
            row.values["last_name"] = ""
            row.noise["person"].append("malformed_missing_required")
    with_dob = [row for row in rows if row.values["dob"] and _clean(row, "day_month_swapped")]
    for row in rng.sample(with_dob, 2):
        year = row.when.year - 30
        row.values["dob"] = f"{year}-02-30" if "-" in (row.values["dob"] or "") else f"30/02/{year}"
        row.noise["person"].append("invalid_dob")
        row.validation_errors.append("dob")
    return rows


def _court_case(rng: random.Random, person: DemoPerson) -> SourceRow:
    noise: list[str] = []
    name = written_name(rng, person, noise)
    filed = event_date(rng, person, date(2012, 1, 1), date(2024, 6, 30))
    court, iso_dates = rng.choice(COURTS)
    born = written_birth_date(rng, person, noise)
    values: dict[str, str | None] = {
        "court": court,
        "case_number": "",
        "first_name": name.given,
        "last_name": name.family,
        "dob": iso_date(born) if iso_dates else european_date(born),
        "charge": rng.choice(CHARGES).lower(),
        "filed_date": iso_date(filed),
        "disposition": rng.choice(DISPOSITIONS),
        "synthetic": SYNTHETIC_NOTICE,
    }
    return SourceRow(values, {"person": person.person_id}, {"person": noise}, when=filed)


def visa_benefits(
    rng: random.Random, persons: list[DemoPerson], population: Population
) -> list[SourceRow]:
    rows = [_visa_file(rng, person, population) for person in persons]
    bad_rows = [_visa_file(rng, rng.choice(persons), population) for _ in range(2)]
    bad_rows[0].quarantine, bad_rows[1].quarantine = "missing_key", "wrong_columns"
    rows = sorted(rows + bad_rows, key=lambda row: row.when)
    for number, row in enumerate(rows, start=1):
        row.values["file_number"] = f"VB-{row.when.year}-{number:06d}"
    bad_rows[0].values["file_number"] = None
    del bad_rows[1].values["application_status"]
    for row in bad_rows:
        row.noise["person"].append(f"malformed_{row.quarantine}")
    with_country = [row for row in rows if row.values["country_of_birth"] and _clean(row)]
    row = rng.choice(with_country)
    row.values["country_of_birth"] = UNKNOWN_COUNTRY
    row.noise["person"].append("invalid_country")
    row.validation_errors.append("country_of_birth")
    return rows


def _visa_file(rng: random.Random, person: DemoPerson, population: Population) -> SourceRow:
    noise: list[str] = []
    name = written_name(rng, person, noise)
    filed = event_date(rng, person, date(2008, 1, 1), date(2024, 6, 30))
    styles = ("name", "official", "alpha2", "alpha3")
    passport = written_identifier(rng, person.passport, "passport", noise, missing=0.15)
    a_number = written_identifier(rng, person.a_number, "a_number", noise, missing=0.05)
    values: dict[str, str | None] = {
        "file_number": "",
        "given_name": name.given,
        "family_name": name.family,
        "date_of_birth": iso_date(written_birth_date(rng, person, noise)) or None,
        "sex": "male" if person.sex == "M" else "female",
        "country_of_birth": _maybe(rng, country_text(rng, person.country_of_birth, styles), noise),
        "nationality": country_text(rng, person.nationality, styles),
        "passport_number": passport.lower() if rng.random() < 0.1 else passport,
        "a_number": a_number,
        "address": person.address,
        "application_type": rng.choice(APPLICATION_TYPES),
        "application_status": rng.choice(APPLICATION_STATUSES),
        "filed_date": iso_date(filed),
    }
    people = {"person": person.person_id}
    all_noise = {"person": noise}
    values |= _visa_relative(rng, person, population, people, all_noise)
    values["synthetic"] = SYNTHETIC_NOTICE
    return SourceRow({k: v or None for k, v in values.items()}, people, all_noise, when=filed)


def _visa_relative(
    rng: random.Random,
    person: DemoPerson,
    population: Population,
    people: dict[str, str],
    all_noise: dict[str, list[str]],
) -> dict[str, str | None]:
    relatives = population.relatives(person)
    columns = ("relationship", "given_name", "family_name", "date_of_birth", "country_of_birth")
    values: dict[str, str | None] = {f"relative_{column}": None for column in columns}
    values["relative_a_number"] = None
    if not relatives or rng.random() < 0.3:
        return values
    relative = rng.choice(relatives)
    noise: list[str] = []
    name = written_name(rng, relative, noise)
    a_number = written_identifier(rng, relative.a_number, "a_number", noise, missing=0.5)
    values.update(
        relative_relationship=KINSHIP_CLASSES[kinship(relative, person)],
        relative_given_name=name.given,
        relative_family_name=name.family,
        relative_date_of_birth=iso_date(written_birth_date(rng, relative, noise)),
        relative_country_of_birth=country_text(rng, relative.country_of_birth, ("name", "alpha2")),
        relative_a_number=a_number,
    )
    people["relative"] = relative.person_id
    all_noise["relative"] = noise
    return values


def _maybe(rng: random.Random, value: str, noise: list[str]) -> str:
    if rng.random() < 0.05:
        noise.append("missing_country_of_birth")
        return ""
    return value


def legacy_cases(
    rng: random.Random, persons: list[DemoPerson], population: Population
) -> list[SourceRow]:
    rows = [_legacy_case(rng, person, population) for person in persons]
    rows.append(_legacy_case(rng, rng.choice(persons), population))
    rows[-1].quarantine = "missing_key"
    rows.sort(key=lambda row: row.when)
    for number, row in enumerate(rows, start=1):
        row.values["case_id"] = f"LC-{row.when.year}-{number:04d}"
        if row.quarantine:
            row.values["case_id"] = ""
            row.noise["person"].append("malformed_missing_key")
    return rows


def _legacy_case(rng: random.Random, person: DemoPerson, population: Population) -> SourceRow:
    noise: list[str] = []
    name = written_name(rng, person, noise)
    opened = event_date(rng, person, date(1990, 1, 1), date(2011, 12, 31))
    address = person.address
    if rng.random() < 0.3:
        address = invent_address(rng)
        noise.append("old_address")
    a_number = written_identifier(rng, person.a_number, "a_number", noise, missing=0.25)
    values: dict[str, str | None] = {
        "case_id": "",
        "opened": iso_date(opened)[:7],
        "office": rng.choice(LEGACY_OFFICES),
        "subject_name": f"{name.family.upper()} {name.given}",
        "dob": _partial_date(rng, person, noise),
        "country_of_birth": country_text(rng, person.country_of_birth, ("upper", "name")),
        "a_number": a_number_text(rng, a_number, ("prefixed", "spaced")) if a_number else "",
        "last_address": address,
        "associate_name": "",
        "associate_relation": "",
        "status": rng.choice(LEGACY_STATUSES),
        "synthetic": SYNTHETIC_NOTICE,
    }
    people = {"person": person.person_id}
    all_noise = {"person": noise}
    if rng.random() < 0.55:
        relatives = population.relatives(person)
        if relatives and rng.random() < 0.6:
            associate = rng.choice(relatives)
            relation = kinship(associate, person)
        else:
            associate = population.someone_else(rng, person)
            relation = rng.choice(ASSOCIATE_RELATIONS)
        associate_noise: list[str] = []
        associate_name = written_name(rng, associate, associate_noise)
        values["associate_name"] = f"{associate_name.family.upper()} {associate_name.given}"
        values["associate_relation"] = relation
        people["associate"] = associate.person_id
        all_noise["associate"] = associate_noise
    return SourceRow(values, people, all_noise, when=opened)


def _partial_date(rng: random.Random, person: DemoPerson, noise: list[str]) -> str:
    """Old case files often knew only the year, or the year and month, of birth."""
    precision = rng.random()
    born = written_birth_date(rng, person, noise, with_day=precision >= 0.35)
    if born is None:
        return ""
    if precision < 0.35:
        noise.append("partial_dob")
        return str(born.year)
    if precision < 0.6:
        noise.append("partial_dob")
        return iso_date(born)[:7]
    return iso_date(born)


SOURCES: tuple[Source, ...] = (
    Source(
        "bookings",
        "bookings.csv",
        (
            "booking_id",
            "booking_date",
            "name",
            "dob",
            "sex",
            "address",
            "a_number",
            "facility",
            "charges",
            "synthetic",
        ),
        ("booking_id",),
        bookings,
    ),
    Source(
        "court_records",
        "court_records.csv",
        (
            "court",
            "case_number",
            "first_name",
            "last_name",
            "dob",
            "charge",
            "filed_date",
            "disposition",
            "synthetic",
        ),
        ("court", "case_number"),
        court_records,
    ),
    Source(
        "visa_benefits",
        "visa_benefits.jsonl",
        (
            "file_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "country_of_birth",
            "nationality",
            "passport_number",
            "a_number",
            "address",
            "application_type",
            "application_status",
            "filed_date",
            "relative_relationship",
            "relative_given_name",
            "relative_family_name",
            "relative_date_of_birth",
            "relative_country_of_birth",
            "relative_a_number",
            "synthetic",
        ),
        ("file_number",),
        visa_benefits,
    ),
    Source(
        "legacy_cases",
        "legacy_cases.csv",
        (
            "case_id",
            "opened",
            "office",
            "subject_name",
            "dob",
            "country_of_birth",
            "a_number",
            "last_address",
            "associate_name",
            "associate_relation",
            "status",
            "synthetic",
        ),
        ("case_id",),
        legacy_cases,
    ),
)
