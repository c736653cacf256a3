"""Readers: stream a source's rows as ``(line, row)`` pairs, one at a time, memory flat.

A row is a dict of column name to text (``None`` when empty in JSON or SQL). A line that cannot be
made into a row at all is yielded as :class:`Unreadable`, so that it is counted and quarantined,
never skipped. A source that cannot be read at all (no file, a header that is not the mapping's
columns) raises :class:`SourceError` before the first row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from writ.ingest.mapping import Mapping, ReaderSpec

SQL_BATCH = 1000
_TEXT_LIMIT = 2000
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

Row = dict[str, str | None]


class SourceError(ValueError):
    """The source cannot be read; the message names the file (and line) and the problem."""


@dataclass(frozen=True)
class Unreadable:
    """A line that is not a row: its text, the field at fault (if any) and why."""

    field: str
    text: str | None
    reason: str


@dataclass
class Source:
    """An opened source: what it is called, what identifies its content, and its rows."""

    name: str
    identity: str
    spec: ReaderSpec
    columns: tuple[str, ...]
    path: Path | None = None
    url: str | None = None
    size: int | None = None
    _handle: BinaryIO | None = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, Row | Unreadable]]:
        """Every row with its line number (the row's position, for SQL), in order."""
        if self.spec.format == "sql":
            assert self.url is not None and self.spec.query is not None
            return _sql_rows(self.url, self.spec.query, self.columns)
        assert self.path is not None
        return self._file_rows(self.path)

    def _file_rows(self, path: Path) -> Iterator[tuple[int, Row | Unreadable]]:
        with path.open("rb") as handle:
            self._handle = handle
            lines = _decoded_lines(handle, path.name, self.spec.encoding)
            if self.spec.format == "csv":
                yield from _csv_rows(lines, self.spec)
            else:
                yield from _jsonl_rows(lines)

    def bytes_read(self) -> int | None:
        """How far into the file reading has got (for progress), if it is a file."""
        if self._handle is None or self._handle.closed:
            return None
        return self._handle.tell()


def open_source(mapping: Mapping, file: Path | str | None = None) -> Source:
    """The source the mapping declares, or ``file`` in its place; checks it can be read."""
    spec = mapping.reader
    if spec.format == "sql":
        if file is not None:
            raise SourceError(f"{mapping.path.name}: --file is for csv and jsonl sources, not sql")
        assert spec.url is not None and spec.query is not None
        url = _expand(spec.url, mapping.path.name)
        shown = make_url(url).render_as_string(hide_password=True)
        identity = hashlib.sha256(f"{shown}\n{spec.query}".encode()).hexdigest()
        return Source(f"sql:{shown}", identity, spec, mapping.columns, url=url)
    path = Path(file).resolve() if file is not None else spec.path
    if path is None:
        raise SourceError(f"{mapping.path.name}: reader.path is not given; pass --file PATH")
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    _check_encoding(path.name, spec.encoding)
    if spec.format == "csv":
        _check_csv_header(path, spec, mapping.columns)
    return Source(
        str(path), _file_sha256(path), spec, mapping.columns, path=path, size=path.stat().st_size
    )


def _expand(url: str, where: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise SourceError(f"{where}: reader.url needs the environment variable {name}")
        return os.environ[name]

    return _ENV.sub(value, url)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_encoding(name: str, encoding: str) -> None:
    try:
        codec = codecs.lookup(encoding)
    except LookupError as exc:
        raise SourceError(f"{name}: reader.encoding {encoding!r} is not an encoding") from exc
    if "\n".encode(codec.name) != b"\n":
        raise SourceError(
            f"{name}: reader.encoding {encoding!r} is not ASCII-compatible; convert the file to "
            "UTF-8 first"
        )


def _decoded_lines(handle: BinaryIO, name: str, encoding: str) -> Iterator[str]:
    """The file's lines, decoded one by one so that a bad byte is reported with its line."""
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{name} line {number}: cannot be read as {encoding}: {exc.reason} "
                f"at byte {exc.start + 1} of the line"
            ) from exc


def _check_columns(where: str, found: list[str], columns: tuple[str, ...]) -> None:
    repeated = sorted({name for name in found if found.count(name) > 1})
    if repeated:
        raise SourceError(f"{where}: column {', '.join(repeated)} appears more than once")
    missing = [name for name in columns if name not in found]
    unexpected = [name for name in found if name not in columns]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if unexpected:
            parts.append(f"unexpected {', '.join(unexpected)}")
        raise SourceError(f"{where}: the columns are not the mapping's: {'; '.join(parts)}")


def _check_csv_header(path: Path, spec: ReaderSpec, columns: tuple[str, ...]) -> None:
    with path.open("rb") as handle:
        lines = _decoded_lines(handle, path.name, spec.encoding)
        header = next(csv.reader(lines, delimiter=spec.delimiter), None)
    if header is None:
        raise SourceError(f"{path.name}: the file is empty; the first line must be the header")
    _check_columns(f"{path.name} line 1", [name.strip() for name in header], columns)


def _csv_rows(lines: Iterator[str], spec: ReaderSpec) -> Iterator[tuple[int, Row | Unreadable]]:
    reader = csv.reader(lines, delimiter=spec.delimiter)
    header = [column.strip() for column in next(reader)]
    width = len(header)
    line = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, Unreadable("", None, f"not a CSV line: {exc}")
            line = reader.line_num + 1
            continue
        if fields:
            row: Row = dict(zip(header, fields, strict=False))
            if len(fields) > width:
                for position, extra in enumerate(fields[width:], start=width + 1):
                    row[f"(field {position})"] = extra
            yield line, row
        line = reader.line_num + 1


def _jsonl_rows(lines: Iterator[str]) -> Iterator[tuple[int, Row | Unreadable]]:
    for line, raw in enumerate(lines, start=1):
        if raw.strip():
            yield line, _json_row(raw)


def _json_row(raw: str) -> Row | Unreadable:
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        return Unreadable("", raw.strip()[:_TEXT_LIMIT], f"not valid JSON: {exc.msg}")
    if not isinstance(document, dict):
        return Unreadable("", raw.strip()[:_TEXT_LIMIT], "not a JSON object")
    row: Row = {}
    for name, value in document.items():
        if isinstance(value, (dict, list)):
            shown = json.dumps(value, ensure_ascii=False)[:_TEXT_LIMIT]
            return Unreadable(
                name, shown, f"{name} holds a JSON {type(value).__name__}, not a value"
            )
        row[name] = _text(value)
    return row


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    return str(value)


def _sql_rows(
    url: str, query: str, columns: tuple[str, ...]
) -> Iterator[tuple[int, Row | Unreadable]]:
    engine = create_engine(url)
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=SQL_BATCH).execute(
                text(query)
            )
            names = list(result.keys())
            _check_columns(f"sql:{shown}", names, columns)
            for position, values in enumerate(result, start=1):
                yield (
                    position,
                    {name: _text(value) for name, value in zip(names, values, strict=True)},
                )
    except SQLAlchemyError as exc:
        raise SourceError(
            f"sql:{shown}: {exc.__class__.__name__}: {exc.args[0] if exc.args else exc}"
        ) from exc
    finally:
        engine.dispose()
