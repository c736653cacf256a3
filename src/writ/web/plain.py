"""Plain words for what the store keeps as codes: followthemoney property labels, country names,
ISO 8601 durations, kinds of record. Registered as Jinja2 filters by ``templating``."""

from __future__ import annotations

import re
from functools import lru_cache

from followthemoney import model, registry
from followthemoney.property import Property

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")


@lru_cache(maxsize=1024)
def _property(schema: str, prop: str) -> Property | None:
    found = model.get(schema) or model.get("Thing")
    return found.get(prop) if found is not None else None


def prop_label(prop: str, schema: str = "Person") -> str:
    """A property's label from the followthemoney schema: ``birthDate`` is "Birth date"."""
    found = _property(schema, prop)
    if found is not None:
        return str(found.label)
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", prop).replace("_", " ")
    return words[:1].upper() + words[1:].lower()


def country_name(code: str | None) -> str:
    """A country's name for its code ("ng" is Nigeria); the code itself when it is none."""
    if not code:
        return ""
    name = registry.country.caption(str(code).lower())
    return str(name) if name else str(code)


def prop_value(value: str, prop: str, schema: str = "Person") -> str:
    """A value as a person reads it: countries by name, everything else as on file."""
    found = _property(schema, prop)
    if found is not None and found.type == registry.country:
        return country_name(value)
    return value


def is_reference(prop: str, schema: str = "Person") -> bool:
    """Whether the property's values are ids of other entities (an address entity, a holder)."""
    found = _property(schema, prop)
    return found is not None and found.type == registry.entity


def duration(value: str | None) -> str:
    """An ISO 8601 duration in words: ``P75Y`` is "75 years", ``PT48H`` "48 hours"."""
    if not value:
        return ""
    match = _DURATION.fullmatch(str(value).strip().upper())
    if match is None or not any(match.groupdict().values()):
        return str(value)
    parts = []
    for unit in _UNITS:
        count = match.group(unit)
        if count is not None:
            n = int(count)
            parts.append(f"{n} {unit if n != 1 else unit[:-1]}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def schema_label(schema: str) -> str:
    """A schema's label: "Person", "Organization", "Address"."""
    found = model.get(schema)
    return str(found.label) if found is not None else schema


FILTERS = {
    "prop_label": prop_label,
    "prop_value": prop_value,
    "country_name": country_name,
    "duration": duration,
    "schema_label": schema_label,
}
TESTS = {"reference": is_reference}
