"""Mapping files: load one source's YAML declaration and check it against followthemoney.

A mapping that cannot be used — no legal basis, an unknown property, a date without formats — is
refused before any row is read, with the file, the line and the problem.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from followthemoney import model
from followthemoney.schema import Schema

from writ.ingest.transforms import DateFormat, TransformError

ENTITY_SCHEMATA = ("Person", "Passport", "Identification", "Address", "Organization", "Vehicle")
RELATIONSHIP_SCHEMATA = ("Family", "Associate", "Employment")
TRANSFORMS = ("strip", "upper", "date", "name_last_first", "country", "a_number", "passport")
READER_FORMATS = ("csv", "jsonl", "sql")
NAME_PARTS = ("name", "firstName", "middleName", "lastName", "nameSuffix")

_SOURCE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_DURATION = re.compile(r"P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?")


class MappingError(ValueError):
    """The mapping file cannot be used; the message names the file, the line and the problem."""


@dataclass(frozen=True)
class LegalBasis:
    authority: str
    data_category: str
    retention: str


@dataclass(frozen=True)
class SourceInfo:
    name: str
    title: str
    legal_basis: LegalBasis


@dataclass(frozen=True)
class ReaderSpec:
    format: str
    path: Path | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    url: str | None = None
    query: str | None = None


@dataclass(frozen=True)
class PropertyMapping:
    """Where one property's value comes from and how it is cleaned."""

    property: str
    line: int
    columns: tuple[str, ...] = ()
    join: str = " "
    value: str | None = None
    entity: str | None = None
    transform: str = "strip"
    formats: tuple[DateFormat, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class EntityMapping:
    """A named entity (or relationship) built from each row."""

    name: str
    schema: str
    properties: tuple[PropertyMapping, ...]
    line: int
    source_end: str | None = None
    target_end: str | None = None


@dataclass(frozen=True)
class Mapping:
    path: Path
    sha256: str
    source: SourceInfo
    reader: ReaderSpec
    columns: tuple[str, ...]
    key: tuple[str, ...]
    entities: tuple[EntityMapping, ...]
    relationships: tuple[EntityMapping, ...]


class _Dict(dict[str, Any]):
    """A YAML mapping that remembers the line of itself and of each of its values."""

    line: int = 0
    lines: dict[str, int]


class _List(list[Any]):
    line: int = 0
    lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Dict:
    loader.flatten_mapping(node)
    result = _Dict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise MappingError(f"line {key_node.start_mark.line + 1}: {key!r} is given twice")
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.lines[str(key)] = value_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> _List:
    result = _List(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_mapping(path: Path | str) -> Mapping:
    """Read and check the mapping file at ``path``."""
    path = Path(path).resolve()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MappingError(f"{path}: cannot read the mapping: {exc.strerror}") from exc
    try:
        document = yaml.load(raw, Loader=_Loader)  # _Loader is a SafeLoader
    except MappingError as exc:
        raise MappingError(f"{path.name} {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise MappingError(f"{path.name}{where}: not valid YAML: {problem}") from exc
    return _Checker(path).mapping(document, hashlib.sha256(raw).hexdigest())


class _Checker:
    """Turns the YAML document into a ``Mapping``, refusing the first thing that is wrong."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, line: int, where: str, problem: str) -> MappingError:
        place = f" {where}:" if where else ""
        return MappingError(f"{self.path.name} line {line}:{place} {problem}")

    def table(self, parent: _Dict, key: str, where: str, required: bool = True) -> _Dict:
        value = parent.get(key)
        if value is None and not required:
            empty = _Dict()
            empty.line, empty.lines = parent.line, {}
            return empty
        if not isinstance(value, _Dict):
            line = parent.lines.get(key, parent.line)
            problem = "is missing" if key not in parent else "must be a mapping of keys to values"
            raise self.fail(line, _join(where, key), problem)
        return value

    def text(self, parent: _Dict, key: str, where: str, required: bool = True) -> str | None:
        value = parent.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(parent.lines.get(key, parent.line), _join(where, key), "is missing")
            return None
        if isinstance(value, (_Dict, _List)):
            raise self.fail(parent.lines[key], _join(where, key), "must be text")
        return str(value).strip() if isinstance(value, str) else str(value)

    def names(self, parent: _Dict, key: str, where: str) -> tuple[str, ...]:
        value = parent.get(key)
        line = parent.lines.get(key, parent.line)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(line, _join(where, key), "must be a list of column names")
        names = tuple(str(item) for item in value)
        for name in names:
            if names.count(name) > 1:
                raise self.fail(line, _join(where, key), f"{name!r} is listed twice")
        return names

    def only(self, table: _Dict, where: str, allowed: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(
                    table.lines[key],
                    _join(where, key),
                    f"unknown key{_suggest(key, allowed)}; allowed: {', '.join(allowed)}",
                )

    # -- the document ----------------------------------------------------------------------

    def mapping(self, document: Any, sha256: str) -> Mapping:
        if not isinstance(document, _Dict):
            raise self.fail(1, "", "a mapping file is a YAML mapping with source, reader, ...")
        self.only(
            document,
            "",
            ("source", "reader", "columns", "key", "entities", "relationships"),
        )
        source = self.source(self.table(document, "source", ""))
        reader = self.reader(self.table(document, "reader", ""))
        columns = self.names(document, "columns", "")
        key = self.names(document, "key", "")
        for name in key:
            if name not in columns:
                raise self.fail(document.lines["key"], "key", f"{name!r} is not in columns")
        entity_tables = self.table(document, "entities", "")
        if not entity_tables:
            raise self.fail(entity_tables.line, "entities", "declare at least one entity")
        entities = tuple(
            self.entity(name, self.table(entity_tables, name, "entities"), columns)
            for name in entity_tables
        )
        by_name = {entity.name: entity for entity in entities}
        for entity in entities:
            self.check_references(entity, by_name, "entities")
        relationship_tables = self.table(document, "relationships", "", required=False)
        relationships = tuple(
            self.relationship(
                name, self.table(relationship_tables, name, "relationships"), columns, by_name
            )
            for name in relationship_tables
        )
        return Mapping(
            path=self.path,
            sha256=sha256,
            source=source,
            reader=reader,
            columns=columns,
            key=key,
            entities=entities,
            relationships=relationships,
        )

    def source(self, table: _Dict) -> SourceInfo:
        self.only(table, "source", ("name", "title", "legal_basis"))
        name = self.text(table, "name", "source")
        assert name is not None
        if not _SOURCE_NAME.fullmatch(name) or len(name) > 64:
            raise self.fail(
                table.lines["name"],
                "source.name",
                f"{name!r} must be lower-case letters, digits and _, starting with a letter "
                "(at most 64)",
            )
        title = self.text(table, "title", "source")
        if "legal_basis" not in table:
            raise self.fail(
                table.line,
                "source.legal_basis",
                "is missing: a source without a declared legal basis is refused",
            )
        basis = self.table(table, "legal_basis", "source")
        where = "source.legal_basis"
        self.only(basis, where, ("authority", "data_category", "retention"))
        authority = self.text(basis, "authority", where)
        category = self.text(basis, "data_category", where)
        retention = self.text(basis, "retention", where)
        assert title is not None and authority is not None and category is not None
        assert retention is not None
        if not _DURATION.fullmatch(retention):
            raise self.fail(
                basis.lines["retention"],
                f"{where}.retention",
                f"{retention!r} is not an ISO 8601 duration of years, months, weeks and days "
                "(P75Y, P10Y6M, P90D)",
            )
        return SourceInfo(name, title, LegalBasis(authority, category, retention))

    def reader(self, table: _Dict) -> ReaderSpec:
        fmt = self.text(table, "format", "reader")
        if fmt not in READER_FORMATS:
            raise self.fail(
                table.lines["format"],
                "reader.format",
                f"{fmt!r} is not one of {', '.join(READER_FORMATS)}",
            )
        if fmt == "sql":
            self.only(table, "reader", ("format", "url", "query"))
            return ReaderSpec(
                format=fmt,
                url=self.text(table, "url", "reader"),
                query=self.text(table, "query", "reader"),
            )
        allowed = ("format", "path", "encoding") + (("delimiter",) if fmt == "csv" else ())
        self.only(table, "reader", allowed)
        path = self.text(table, "path", "reader", required=False)
        encoding = self.text(table, "encoding", "reader", required=False) or "utf-8"
        delimiter = str(table.get("delimiter", ","))
        if len(delimiter) != 1:
            raise self.fail(table.lines["delimiter"], "reader.delimiter", "must be one character")
        return ReaderSpec(
            format=fmt,
            path=(self.path.parent / path).resolve() if path else None,
            encoding=encoding,
            delimiter=delimiter,
        )

    def entity(self, name: str, table: _Dict, columns: tuple[str, ...]) -> EntityMapping:
        where = f"entities.{name}"
        self.only(table, where, ("schema", "properties"))
        schema = self.schema(table, where, ENTITY_SCHEMATA)
        properties = self.properties(table, where, schema, columns)
        return EntityMapping(name, schema.name, properties, table.line)

    def relationship(
        self,
        name: str,
        table: _Dict,
        columns: tuple[str, ...],
        entities: dict[str, EntityMapping],
    ) -> EntityMapping:
        where = f"relationships.{name}"
        self.only(table, where, ("schema", "from", "to", "properties"))
        schema = self.schema(table, where, RELATIONSHIP_SCHEMATA)
        ends = []
        for end, prop_name in (("from", schema.edge_source), ("to", schema.edge_target)):
            target = self.text(table, end, where)
            assert target is not None and prop_name is not None
            if target not in entities:
                raise self.fail(
                    table.lines[end],
                    f"{where}.{end}",
                    f"{target!r} is not an entity of this mapping{_suggest(target, entities)}",
                )
            prop = schema.get(prop_name)
            assert prop is not None and prop.range is not None
            if not _schema(entities[target].schema).is_a(prop.range):
                raise self.fail(
                    table.lines[end],
                    f"{where}.{end}",
                    f"{schema.name}.{prop_name} must be a {prop.range.name}, and {target!r} is "
                    f"a {entities[target].schema}",
                )
            ends.append(target)
        properties = self.properties(table, where, schema, columns, required=False)
        for mapping in properties:
            if mapping.property in (schema.edge_source, schema.edge_target):
                raise self.fail(
                    mapping.line,
                    f"{where}.properties",
                    f"{mapping.property} is set by from/to",
                )
        relationship = EntityMapping(name, schema.name, properties, table.line, ends[0], ends[1])
        self.check_references(relationship, entities, "relationships")
        return relationship

    def schema(self, table: _Dict, where: str, allowed: tuple[str, ...]) -> Schema:
        name = self.text(table, "schema", where)
        assert name is not None
        if name not in allowed:
            raise self.fail(
                table.lines["schema"],
                f"{where}.schema",
                f"{name!r} is not one of {', '.join(allowed)}{_suggest(name, allowed)}",
            )
        schema = model.get(name)
        assert schema is not None
        return schema

    def properties(
        self,
        table: _Dict,
        where: str,
        schema: Schema,
        columns: tuple[str, ...],
        required: bool = True,
    ) -> tuple[PropertyMapping, ...]:
        items = table.get("properties")
        if items is None and not required:
            return ()
        line = table.lines.get("properties", table.line)
        if not isinstance(items, _List) or not items:
            raise self.fail(line, f"{where}.properties", "must be a list of property mappings")
        result = []
        for index, item in enumerate(items):
            item_where = f"{where}.properties[{index}]"
            if not isinstance(item, _Dict):
                raise self.fail(items.lines[index], item_where, "must be a mapping")
            result.append(self.property_mapping(item, item_where, schema, columns))
        return tuple(result)

    def property_mapping(
        self, item: _Dict, where: str, schema: Schema, columns: tuple[str, ...]
    ) -> PropertyMapping:
        allowed = (
            "property",
            "column",
            "columns",
            "join",
            "value",
            "entity",
            "transform",
            "formats",
            "required",
        )
        self.only(item, where, allowed)
        transform = self.text(item, "transform", where, required=False) or "strip"
        if transform not in TRANSFORMS:
            raise self.fail(
                item.lines["transform"],
                f"{where}.transform",
                f"{transform!r} is not a transform{_suggest(transform, TRANSFORMS)}; "
                f"known: {', '.join(TRANSFORMS)}",
            )
        prop_name = self.property_name(item, where, schema, transform)
        sources = [key for key in ("column", "columns", "value", "entity") if key in item]
        if len(sources) != 1:
            raise self.fail(
                item.line,
                where,
                "give exactly one of column, columns, value or entity"
                + (f", not {' and '.join(sources)}" if sources else ""),
            )
        source = sources[0]
        selected: tuple[str, ...] = ()
        if source == "column":
            selected = (self.text(item, "column", where) or "",)
        elif source == "columns":
            selected = self.names(item, "columns", where)
        for column in selected:
            if column not in columns:
                raise self.fail(
                    item.lines[source],
                    f"{where}.{source}",
                    f"{column!r} is not in columns{_suggest(column, columns)}",
                )
        if "join" in item and source != "columns":
            raise self.fail(item.lines["join"], f"{where}.join", "join goes with columns")
        prop = schema.get(prop_name)
        assert prop is not None
        self.check_type(item, where, prop.type.name, source, transform)
        formats = self.date_formats(item, where, transform)
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise self.fail(item.lines["required"], f"{where}.required", "must be true or false")
        if required and source in ("value", "entity"):
            raise self.fail(
                item.lines["required"], f"{where}.required", f"a {source} is always there"
            )
        return PropertyMapping(
            property=prop_name,
            line=item.line,
            columns=selected,
            join=str(item.get("join", " ")),
            value=self.text(item, "value", where) if source == "value" else None,
            entity=self.text(item, "entity", where) if source == "entity" else None,
            transform=transform,
            formats=formats,
            required=required,
        )

    def property_name(self, item: _Dict, where: str, schema: Schema, transform: str) -> str:
        if transform == "name_last_first":
            if "property" in item:
                raise self.fail(
                    item.lines["property"],
                    f"{where}.property",
                    "name_last_first fills name, firstName, middleName, lastName and nameSuffix;"
                    " leave property out",
                )
            missing = [part for part in NAME_PARTS if schema.get(part) is None]
            if missing:
                raise self.fail(
                    item.lines["transform"],
                    f"{where}.transform",
                    f"name_last_first needs a schema with {', '.join(NAME_PARTS)}; "
                    f"{schema.name} has no {', '.join(missing)}",
                )
            return "name"
        name = self.text(item, "property", where)
        assert name is not None
        prop = schema.get(name)
        if prop is None or prop.hidden or prop.stub:
            raise self.fail(
                item.lines["property"],
                f"{where}.property",
                f"{name!r} is not a {schema.name} property"
                f"{_suggest(name, [p.name for p in schema.properties.values() if not p.stub])}",
            )
        return name

    def check_type(
        self, item: _Dict, where: str, type_name: str, source: str, transform: str
    ) -> None:
        line = item.lines.get("transform", item.line)
        if type_name == "entity" and source != "entity":
            raise self.fail(line, where, "a property that refers to an entity takes entity: NAME")
        if source == "entity" and type_name != "entity":
            raise self.fail(item.lines["entity"], where, "only entity properties take entity:")
        if type_name == "date" and transform != "date":
            raise self.fail(line, where, "a date property needs transform: date with formats")
        if type_name == "country" and transform != "country":
            raise self.fail(line, where, "a country property needs transform: country")
        if transform == "date" and type_name != "date":
            raise self.fail(line, where, "transform date goes only on a date property")
        if transform == "country" and type_name != "country":
            raise self.fail(line, where, "transform country goes only on a country property")

    def date_formats(self, item: _Dict, where: str, transform: str) -> tuple[DateFormat, ...]:
        if transform != "date":
            if "formats" in item:
                raise self.fail(item.lines["formats"], f"{where}.formats", "only for dates")
            return ()
        if "formats" not in item:
            raise self.fail(item.line, f"{where}.formats", "a date needs its formats")
        patterns = self.names(item, "formats", where)
        try:
            return tuple(DateFormat.parse(pattern) for pattern in patterns)
        except TransformError as exc:
            raise self.fail(item.lines["formats"], f"{where}.formats", str(exc)) from exc

    def check_references(
        self, entity: EntityMapping, entities: dict[str, EntityMapping], section: str
    ) -> None:
        schema = model.get(entity.schema)
        assert schema is not None
        for mapping in entity.properties:
            if mapping.entity is None:
                continue
            where = f"{section}.{entity.name}.properties"
            target = entities.get(mapping.entity)
            if target is None:
                raise self.fail(
                    mapping.line,
                    where,
                    f"{mapping.entity!r} is not an entity of this mapping"
                    f"{_suggest(mapping.entity, entities)}",
                )
            if target.name == entity.name:
                raise self.fail(mapping.line, where, f"{entity.name} cannot refer to itself")
            prop = schema.get(mapping.property)
            assert prop is not None and prop.range is not None
            if not _schema(target.schema).is_a(prop.range):
                raise self.fail(
                    mapping.line,
                    where,
                    f"{entity.schema}.{mapping.property} must be a {prop.range.name}, and "
                    f"{target.name!r} is a {target.schema}",
                )


def _schema(name: str) -> Schema:
    schema = model.get(name)
    assert schema is not None
    return schema


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]}?)" if close else ""
