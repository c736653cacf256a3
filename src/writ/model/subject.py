"""A subject is a view assembled from statements: every value with the sources it came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from followthemoney import model

from writ.model.statement import Statement


@dataclass(frozen=True)
class Source:
    source: str
    record_id: str
    original_value: str | None
    first_seen: str
    last_seen: str
    validation_error: str | None = None


@dataclass
class Value:
    value: str
    sources: list[Source] = field(default_factory=list)


@dataclass
class Subject:
    """One entity (or a resolved cluster of entities) with every current value and its sources."""

    id: str
    schema: str
    entity_ids: list[str]
    properties: dict[str, list[Value]]
    history: list[Statement] = field(default_factory=list)

    def first(self, prop: str) -> str | None:
        values = self.properties.get(prop)
        return values[0].value if values else None

    @property
    def caption(self) -> str:
        """The name it goes by: of several, one written as a name is written (no word in
        capitals), given by the most sources, accents kept; else the id."""
        for prop in ("name", "lastName", "number", "full"):
            if prop in self.properties:
                if prop == "lastName" and "firstName" in self.properties:
                    return f"{self.first('firstName')} {self.first('lastName')}"
                if prop == "name":
                    return max(self.properties["name"], key=_as_written).value
                return self.first(prop) or self.id
        return self.id

    def caption_or(self, default: str) -> str:
        """The caption, or ``default`` when there is no name on file (never the bare id)."""
        caption = self.caption
        return default if caption == self.id else caption


def _as_written(value: Value) -> tuple[bool, int, bool, bool, int]:
    words = value.value.split()
    return (
        not any(w.isupper() and len(w) > 1 for w in words),
        len({s.source for s in value.sources}),
        not value.value.isascii(),
        value.value[:1].isupper(),
        len(value.value),
    )


def assemble(subject_id: str, statements: Iterable[Statement]) -> Subject:
    """Group statements into a subject; superseded statements go to its history."""
    properties: dict[str, dict[str, Value]] = {}
    history: list[Statement] = []
    entity_ids: list[str] = []
    schemata: list[str] = []
    for stmt in statements:
        if stmt.entity_id not in entity_ids:
            entity_ids.append(stmt.entity_id)
        if stmt.schema not in schemata:
            schemata.append(stmt.schema)
        if stmt.superseded_at is not None:
            history.append(stmt)
            continue
        value = properties.setdefault(stmt.prop, {}).setdefault(stmt.value, Value(stmt.value))
        value.sources.append(
            Source(
                stmt.source,
                stmt.record_id,
                stmt.original_value,
                stmt.first_seen,
                stmt.last_seen,
                stmt.validation_error,
            )
        )
    return Subject(
        id=subject_id,
        schema=common_schema(schemata),
        entity_ids=entity_ids,
        properties={prop: list(values.values()) for prop, values in sorted(properties.items())},
        history=history,
    )


def common_schema(schemata: list[str]) -> str:
    """The most specific followthemoney schema shared by all (Person + LegalEntity → Person)."""
    if not schemata:
        return "Thing"
    result = model.get(schemata[0])
    for name in schemata[1:]:
        other = model.get(name)
        if result is None or other is None:
            return schemata[0]
        result = model.common_schema(result, other)
    return result.name if result is not None else schemata[0]
