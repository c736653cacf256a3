"""From a person's followthemoney properties to the columns the linkage model compares.

The preparation is plain Python and the same for every backend, so DuckDB and Spark compare the
very same values; the comparisons themselves are Splink's SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from writ.resolve.dates import parse_birth_date
from writ.resolve.identifiers import a_number, document_number
from writ.resolve.names import fold, name_features, split_full_name

# Bump when the preparation changes: a model is only valid for the features it was trained on.
FEATURE_VERSION = 2

GIVEN_PROPS = ("firstName", "middleName", "secondName")
FAMILY_PROPS = ("lastName",)
ID_NUMBER_PROPS = ("socialSecurityNumber", "taxNumber", "registrationNumber")
# Nationality and country of birth are different facts, each compared with its own kind.
NATIONALITY_PROPS = ("nationality", "citizenship")
BIRTH_COUNTRY_PROPS = ("birthCountry",)
_DIGITS = re.compile(r"\d+")

# Every column the model may compare, in the order rows are built.
COLUMNS = (
    "unique_id",
    "given",
    "given_first",
    "given_keys",
    "given_phonetic",
    "given_compact",
    "family",
    "family_first",
    "family_last",
    "family_phonetic",
    "family_compact",
    "name_sorted",
    "birth_date",
    "birth_year",
    "birth_month",
    "birth_day",
    "gender",
    "nationality",
    "birth_country",
    "a_number",
    "passport",
    "id_number",
    "street_number",
    "street",
    "locality",
    "postcode",
)


@dataclass(frozen=True)
class PersonRecord:
    """One person as one source record describes them: followthemoney properties and values."""

    uid: str
    props: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def values(self, *props: str) -> list[str]:
        return [value for prop in props for value in self.props.get(prop, ()) if value]

    def first(self, *props: str) -> str | None:
        values = self.values(*props)
        return values[0] if values else None


def _gender(text: str | None) -> str | None:
    folded = fold(text)
    if folded[:1] in ("m", "f"):
        return folded[:1]
    return None


def _country(text: str | None) -> str | None:
    return text.strip().lower() or None if text else None


def _given_and_family(record: PersonRecord) -> tuple[str | None, str | None]:
    given = " ".join(record.values(*GIVEN_PROPS)) or None
    family = record.first(*FAMILY_PROPS)
    if given is None and family is None:
        full = record.first("name")
        if full:
            given, family = split_full_name(full)
    return given, family


def _street(record: PersonRecord) -> tuple[str | None, str | None]:
    """(house number, street name) from ``street`` or the first words of a ``full`` address."""
    street = record.first("street") or record.first("full")
    number = record.first("streetNumber")
    if street and number is None:
        match = _DIGITS.match(street.strip())
        if match:
            number = match.group(0)
            street = street.strip()[match.end() :]
    if street and "," in street and record.first("street") is None:
        street = street.split(",")[0]
    return number, fold(street) or None


def prepare(record: PersonRecord) -> dict[str, Any]:
    """The comparison columns for one person record; unknown values are None."""
    given, family = _given_and_family(record)
    names = name_features(given, family)
    birth = parse_birth_date(record.first("birthDate"))
    a_numbers = [n for n in (a_number(v) for v in record.values("idNumber", "aNumber")) if n]
    other_ids = [v for v in record.values("idNumber") if a_number(v) is None]
    id_number = document_number(record.first(*ID_NUMBER_PROPS) or next(iter(other_ids), None))
    street_number, street = _street(record)
    return {
        "unique_id": record.uid,
        "given": names.given,
        "given_first": names.given_first,
        "given_keys": list(names.given_keys) or None,
        "given_phonetic": names.given_phonetic,
        "given_compact": names.given_compact,
        "family": names.family,
        "family_first": names.family_first,
        "family_last": names.family_last,
        "family_phonetic": names.family_phonetic,
        "family_compact": names.family_compact,
        "name_sorted": names.name_sorted,
        "birth_date": birth.full,
        "birth_year": birth.year,
        "birth_month": birth.month,
        "birth_day": birth.day,
        "gender": _gender(record.first("gender")),
        "nationality": _country(record.first(*NATIONALITY_PROPS)),
        "birth_country": _country(record.first(*BIRTH_COUNTRY_PROPS)),
        "a_number": min(a_numbers) if a_numbers else None,
        "passport": document_number(record.first("passportNumber")),
        "id_number": id_number,
        "street_number": street_number,
        "street": street,
        "locality": fold(record.first("city")) or None,
        "postcode": document_number(record.first("postalCode")),
    }


def prepare_all(records: Iterable[PersonRecord]) -> list[dict[str, Any]]:
    return [prepare(record) for record in records]


def present_columns(rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """The columns that have a value in at least one row: the model compares only those."""
    return {column for column in COLUMNS if any(row.get(column) for row in rows)}
