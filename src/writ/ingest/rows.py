"""One source row through its mapping: a record with its values, or the problems that stop it.

Pure: no store here. ``RowMapper.map`` is the only judge of whether a row is taken or quarantined.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from followthemoney import model

from writ.ingest import transforms
from writ.ingest.mapping import EntityMapping, Mapping, PropertyMapping
from writ.ingest.readers import Unreadable
from writ.ingest.transforms import TransformError, clean_text

RECORD_ID_MAX = 256

WRONG_COLUMNS = "wrong_columns"
UNREADABLE_ROW = "unreadable_row"
MISSING_KEY = "missing_key"
MISSING_REQUIRED = "missing_required"
UNPARSEABLE_REQUIRED = "unparseable_required"
REASONS = (WRONG_COLUMNS, UNREADABLE_ROW, MISSING_KEY, MISSING_REQUIRED, UNPARSEABLE_REQUIRED)


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be taken: the field, its value and the rule it breaks."""

    reason: str
    field: str
    value: str | None
    message: str


class Value(NamedTuple):
    """One value a record gives one property of one entity: a statement to be."""

    entity_id: str
    schema: str
    prop: str
    value: str
    original_value: str | None
    validation_error: str | None = None


@dataclass
class Record:
    record_id: str
    row_sha256: str
    values: list[Value] = field(default_factory=list)


@dataclass
class Rejected:
    problems: list[Problem]
    row: dict[str, str | None] | None
    record_id: str | None = None

    @property
    def content_sha256(self) -> str:
        """What identifies the rejected content, so the same bad row is not quarantined twice."""
        if self.row is not None:
            raw = json.dumps(sorted(self.row.items()), ensure_ascii=False)
        else:
            first = self.problems[0]
            raw = json.dumps([first.field, first.value, first.message], ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()


def entity_id(source: str, record_id: str, entity_name: str) -> str:
    """The id of the entity ``entity_name`` of a record: stable, whatever the values say."""
    return hashlib.sha1("\x1f".join((source, record_id, entity_name)).encode()).hexdigest()


def record_id(values: list[str]) -> str:
    return "|".join(values)


def row_sha256(columns: tuple[str, ...], row: dict[str, str | None]) -> str:
    raw = json.dumps([row.get(column) for column in columns], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


_Cleaned = tuple[list[tuple[str, str]], str | None]  # (property, value) pairs, validation error


def _transform(mapping: PropertyMapping) -> Callable[[str], _Cleaned]:
    """The function that turns trimmed text into the mapping's property values."""
    prop = mapping.property
    if mapping.transform == "name_last_first":
        return lambda text: (transforms.name_last_first(text).properties(), None)
    if mapping.transform == "date":
        formats = mapping.formats

        def date(text: str) -> _Cleaned:
            parsed = transforms.parse_date(text, formats)
            return [(prop, parsed.value)], parsed.ambiguity

        return date
    simple: Callable[[str], str] = getattr(transforms, mapping.transform)
    return lambda text: ([(prop, simple(text))], None)


class _Failed(NamedTuple):
    """What a transform said when it refused a text (kept without its traceback)."""

    message: str


class Memo:
    """Remembers what a pure transform gave for a text, or why it refused it.

    Source columns repeat: birth dates, countries, names. Bounded, so memory stays flat however
    long the source: when full it starts again. A transform whose texts rarely repeat (an
    A-number, a docket) stops being remembered once ``probe`` calls show it does not pay.
    """

    def __init__(
        self,
        clean: Callable[[str], _Cleaned],
        size: int = 50_000,
        probe: int = 20_000,
        min_hits: float = 0.3,
    ) -> None:
        self.clean = clean
        self.size = size
        self.probe = probe
        self.min_hits = min_hits
        self.seen: dict[str, _Cleaned | _Failed] = {}
        self.calls = 0
        self.hits = 0
        self.active = True

    def __call__(self, text: str) -> _Cleaned:
        if not self.active:
            return self.clean(text)
        self.calls += 1
        known = self.seen.get(text)
        if known is None:
            try:
                known = self.clean(text)
            except TransformError as exc:
                known = _Failed(str(exc))
            if len(self.seen) >= self.size:
                self.seen.clear()
            self.seen[text] = known
        else:
            self.hits += 1
        if self.calls == self.probe and self.hits < self.min_hits * self.probe:
            self.active = False  # the texts do not repeat: remembering them only costs
            self.seen.clear()
        if isinstance(known, _Failed):
            raise TransformError(known.message)
        return known


class _PropertyRule:
    """A compiled property mapping: read its text from the row, clean it, judge it."""

    def __init__(self, mapping: PropertyMapping) -> None:
        self.mapping = mapping
        self.clean = Memo(_transform(mapping))
        # The name a problem report uses: the column(s), or the property for a constant.
        self.field = "+".join(mapping.columns) if mapping.columns else mapping.property

    def raw(self, row: dict[str, str | None]) -> str | None:
        mapping = self.mapping
        if mapping.value is not None:
            return mapping.value
        if len(mapping.columns) == 1:
            return row[mapping.columns[0]]
        parts = [row[column] for column in mapping.columns]
        return mapping.join.join(part for part in parts if part and clean_text(part)) or None

    def apply(
        self, row: dict[str, str | None], entity: str, schema: str, out: list[Value]
    ) -> Problem | None:
        mapping = self.mapping
        raw = self.raw(row)
        text = clean_text(raw)
        if text is None:
            if mapping.required:
                return Problem(
                    MISSING_REQUIRED, self.field, raw, f"{self.field} is required and empty"
                )
            return None
        try:
            pairs, flag = self.clean(text)
        except TransformError as exc:
            if mapping.required:
                return Problem(UNPARSEABLE_REQUIRED, self.field, raw, f"{self.field}: {exc}")
            out.append(Value(entity, schema, mapping.property, text, raw, f"{self.field}: {exc}"))
            return None
        error = f"{self.field}: {flag}" if flag else None
        out.extend(Value(entity, schema, prop, value, raw, error) for prop, value in pairs)
        return None


def identifying_properties(schema_name: str) -> frozenset[str]:
    """The properties an entity of this schema is identified by, of which it needs a value to be
    made: followthemoney's required properties other than references, for the schemata that are
    not people or organisations (a ``Passport`` or an ``Identification`` is its ``number``).

    A person or an organisation can be known by a name in parts, an identifier or a birth date,
    so for them (and for schemata with no required property, such as ``Address``) any value
    taken from a column will do.
    """
    schema = model.get(schema_name)
    if schema is None or schema.is_a("LegalEntity"):
        return frozenset()
    return frozenset(
        name for name in schema.required if schema.properties[name].type.name != "entity"
    )


class _EntityRule:
    """A compiled entity or relationship mapping."""

    def __init__(self, entity: EntityMapping) -> None:
        self.name = entity.name
        self.schema = entity.schema
        self.identifying = identifying_properties(entity.schema)
        self.rules = [_PropertyRule(p) for p in entity.properties if p.entity is None]
        self.references = [(p.property, p.entity) for p in entity.properties if p.entity]
        self.ends: list[tuple[str, str]] = []
        if entity.source_end and entity.target_end:
            schema = model.get(entity.schema)
            assert schema is not None and schema.edge_source and schema.edge_target
            self.ends = [
                (schema.edge_source, entity.source_end),
                (schema.edge_target, entity.target_end),
            ]

    def values(
        self, row: dict[str, str | None], eid: str, problems: list[Problem]
    ) -> tuple[list[Value], bool]:
        """The entity's values, and whether it is made: a value came from a column and, where the
        schema is identified by some properties (a document's number), one of those has one."""
        values: list[Value] = []
        from_columns = False
        for rule in self.rules:
            before = len(values)
            problem = rule.apply(row, eid, self.schema, values)
            if problem is not None:
                problems.append(problem)
            from_columns = from_columns or (bool(rule.mapping.columns) and len(values) > before)
        if self.identifying and not any(v.prop in self.identifying for v in values):
            return values, False
        return values, from_columns


class RowMapper:
    """Maps the rows of one source through its mapping."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.source = mapping.source.name
        self.columns = mapping.columns
        self.column_set = frozenset(mapping.columns)
        self.entities = [_EntityRule(entity) for entity in mapping.entities]
        self.relationships = [_EntityRule(entity) for entity in mapping.relationships]

    def map(self, row: dict[str, str | None] | Unreadable) -> Record | Rejected:
        if isinstance(row, Unreadable):
            return Rejected([Problem(UNREADABLE_ROW, row.field, row.text, row.reason)], None)
        if row.keys() != self.column_set:
            return Rejected([self._wrong_columns(row)], row)
        problems: list[Problem] = []
        key = self._key(row, problems)
        rid = key or ""
        ids: dict[str, str] = {}
        built: list[tuple[_EntityRule, list[Value]]] = []
        for rule in self.entities:
            eid = entity_id(self.source, rid, rule.name)
            values, emitted = rule.values(row, eid, problems)
            if emitted:
                ids[rule.name] = eid
                built.append((rule, values))
        out: list[Value] = []
        for rule, values in built:
            out.extend(values)
            eid = ids[rule.name]
            out.extend(
                Value(eid, rule.schema, prop, ids[target], None)
                for prop, target in rule.references
                if target in ids
            )
        for rule in self.relationships:
            if not all(end in ids for _, end in rule.ends):
                continue
            eid = entity_id(self.source, rid, rule.name)
            values, _ = rule.values(row, eid, problems)
            out.extend(values)
            out.extend(Value(eid, rule.schema, prop, ids[end], None) for prop, end in rule.ends)
        if problems or key is None:
            return Rejected(problems, row, key)
        return Record(key, row_sha256(self.columns, row), _unique(out))

    def _wrong_columns(self, row: dict[str, str | None]) -> Problem:
        missing = [column for column in self.columns if column not in row]
        unexpected = [column for column in row if column not in self.column_set]
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if unexpected:
            parts.append(f"unexpected {', '.join(unexpected)}")
        return Problem(
            WRONG_COLUMNS,
            (missing or unexpected)[0],
            None,
            f"the columns are not the mapping's: {'; '.join(parts)}",
        )

    def _key(self, row: dict[str, str | None], problems: list[Problem]) -> str | None:
        parts = []
        for column in self.mapping.key:
            text = clean_text(row[column])
            if text is None:
                problems.append(
                    Problem(MISSING_KEY, column, row[column], f"key column {column} is empty")
                )
                return None
            parts.append(text)
        key = record_id(parts)
        if len(key) > RECORD_ID_MAX:
            problems.append(
                Problem(
                    MISSING_KEY,
                    "+".join(self.mapping.key),
                    key,
                    f"the key is longer than {RECORD_ID_MAX} characters",
                )
            )
            return None
        return key


def _unique(values: list[Value]) -> list[Value]:
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for value in values:
        identity = (value.entity_id, value.prop, value.value)
        if identity not in seen:
            seen.add(identity)
            unique.append(value)
    return unique
