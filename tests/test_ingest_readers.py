"""Readers stream (line, row) pairs; a line that is no row comes as Unreadable, never skipped."""

import json
import sqlite3
from pathlib import Path

import pytest

from writ.ingest.mapping import load_mapping
from writ.ingest.readers import SourceError, Unreadable, open_source

MAPPING = """\
source:
  name: visas
  title: Visa extract
  legal_basis: {{authority: "INA § 222(f)", data_category: immigration-benefits, retention: P75Y}}
reader:
{reader}
columns: [case_no, name, dob]
key: [case_no]
entities:
  person:
    schema: Person
    properties:
      - property: name
        column: name
"""


def mapping_for(tmp_path: Path, reader: str):
    path = tmp_path / "visas.yml"
    path.write_text(MAPPING.format(reader=reader))
    return load_mapping(path)


def csv_source(tmp_path: Path, text: str, **options: str):
    (tmp_path / "visas.csv").write_bytes(text.encode(options.pop("encoding", "utf-8")))
    extra = "".join(f"\n  {key}: {json.dumps(value)}" for key, value in options.items())
    return open_source(mapping_for(tmp_path, f"  format: csv\n  path: visas.csv{extra}"))


def test_csv_rows_carry_the_line_they_start_on(tmp_path):
    source = csv_source(
        tmp_path,
        'case_no,name,dob\nV1,"SMITH, JOHN",1980\nV2,"multi\nline, NAME",1981\n\nV3,X,1982\n',
    )
    assert list(source.rows()) == [
        (2, {"case_no": "V1", "name": "SMITH, JOHN", "dob": "1980"}),
        (3, {"case_no": "V2", "name": "multi\nline, NAME", "dob": "1981"}),
        (6, {"case_no": "V3", "name": "X", "dob": "1982"}),
    ]
    assert source.size == (tmp_path / "visas.csv").stat().st_size
    assert len(source.identity) == 64


def test_csv_lines_with_too_many_or_too_few_fields_keep_what_they_have(tmp_path):
    source = csv_source(tmp_path, "case_no,name,dob\nV1,A,1980,surplus\nV2,B\n")
    rows = list(source.rows())
    assert rows[0] == (2, {"case_no": "V1", "name": "A", "dob": "1980", "(field 4)": "surplus"})
    assert rows[1] == (3, {"case_no": "V2", "name": "B"})


def test_a_byte_order_mark_a_delimiter_and_an_encoding(tmp_path):
    source = csv_source(tmp_path, "\ufeffcase_no;name;dob\nV1;José;1980\n", delimiter=";")
    assert list(source.rows()) == [(2, {"case_no": "V1", "name": "José", "dob": "1980"})]
    (tmp_path / "visas.csv").write_bytes("case_no,name,dob\nV1,José,1980\n".encode("latin-1"))
    mapping = mapping_for(tmp_path, "  format: csv\n  path: visas.csv\n  encoding: latin-1")
    assert [row for _, row in open_source(mapping).rows()] == [
        {"case_no": "V1", "name": "José", "dob": "1980"}
    ]


def test_a_byte_that_is_not_of_the_encoding_is_reported_with_its_line(tmp_path):
    (tmp_path / "visas.csv").write_bytes(
        "case_no,name,dob\nV1,A,1980\nV2,José,1980\n".encode("latin-1")
    )
    source = open_source(mapping_for(tmp_path, "  format: csv\n  path: visas.csv"))
    with pytest.raises(SourceError, match=r"visas\.csv line 3: cannot be read as utf-8"):
        list(source.rows())
    mapping = mapping_for(tmp_path, "  format: csv\n  path: visas.csv\n  encoding: utf-16")
    with pytest.raises(SourceError, match="is not ASCII-compatible"):
        open_source(mapping)


def test_a_header_that_is_not_the_mappings_columns_is_refused_before_any_row(tmp_path):
    with pytest.raises(SourceError) as caught:
        csv_source(tmp_path, "case_no,full_name,dob,extra\nV1,A,1980,x\n")
    assert str(caught.value) == (
        "visas.csv line 1: the columns are not the mapping's: missing name; "
        "unexpected full_name, extra"
    )


def test_an_empty_file_and_a_missing_file_are_refused(tmp_path):
    with pytest.raises(SourceError, match="the file is empty"):
        csv_source(tmp_path, "")
    mapping = mapping_for(tmp_path, "  format: csv\n  path: visas.csv")
    with pytest.raises(SourceError, match="no such file"):
        open_source(mapping, tmp_path / "nowhere.csv")


def test_file_replaces_the_mappings_path(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("case_no,name,dob\nV9,Z,1999\n")
    source = open_source(mapping_for(tmp_path, "  format: csv\n  path: visas.csv"), other)
    assert source.name == str(other)
    assert [line for line, _ in source.rows()] == [2]


def test_json_lines(tmp_path):
    path = tmp_path / "visas.jsonl"
    lines = [
        '{"case_no": "V1", "name": "A", "dob": null}',
        "",
        '{"case_no": 2, "name": true, "dob": 1980.5}',
        "{not json",
        "[1, 2]",
        '{"case_no": "V4", "name": ["A", "B"], "dob": "1980"}',
        '{"case_no": "V5", "name": "E"}',
    ]
    path.write_text("\n".join(lines) + "\n")
    source = open_source(mapping_for(tmp_path, "  format: jsonl\n  path: visas.jsonl"))
    rows = list(source.rows())
    assert rows[0] == (1, {"case_no": "V1", "name": "A", "dob": None})
    assert rows[1] == (3, {"case_no": "2", "name": "true", "dob": "1980.5"})
    assert rows[2][0] == 4 and isinstance(rows[2][1], Unreadable)
    assert rows[2][1].reason.startswith("not valid JSON")
    assert rows[3] == (5, Unreadable("", "[1, 2]", "not a JSON object"))
    assert rows[4] == (6, Unreadable("name", '["A", "B"]', "name holds a JSON list, not a value"))
    assert rows[5] == (7, {"case_no": "V5", "name": "E"})


def test_sql_query_rows_are_numbered_by_position(tmp_path):
    database = tmp_path / "visas.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE visas (case_no TEXT, name TEXT, dob DATE, n INTEGER)")
        connection.executemany(
            "INSERT INTO visas VALUES (?, ?, ?, ?)",
            [("V2", "B", "1981-02-03", 2), ("V1", "A", None, 1)],
        )
    reader = f"  format: sql\n  url: sqlite:///{database}\n  query: >\n"
    reader += "    SELECT case_no, name, dob FROM visas ORDER BY case_no"
    source = open_source(mapping_for(tmp_path, reader))
    assert source.name == f"sql:sqlite:///{database}"
    assert list(source.rows()) == [
        (1, {"case_no": "V1", "name": "A", "dob": None}),
        (2, {"case_no": "V2", "name": "B", "dob": "1981-02-03"}),
    ]
    wrong = open_source(mapping_for(tmp_path, reader.replace("case_no, name, dob", "*")))
    with pytest.raises(SourceError, match="unexpected n"):
        list(wrong.rows())
    with pytest.raises(SourceError, match="--file is for csv and jsonl"):
        open_source(mapping_for(tmp_path, reader), tmp_path / "x.csv")


def test_sql_url_takes_secrets_from_the_environment(tmp_path, monkeypatch):
    reader = (
        "  format: sql\n  url: postgresql://reader:${VISA_DB_PASSWORD}@db/visas\n  query: SELECT 1"
    )
    mapping = mapping_for(tmp_path, reader)
    with pytest.raises(SourceError, match="needs the environment variable VISA_DB_PASSWORD"):
        open_source(mapping)
    monkeypatch.setenv("VISA_DB_PASSWORD", "s3cret")
    source = open_source(mapping)
    assert source.name == "sql:postgresql://reader:***@db/visas"
    assert "s3cret" in (source.url or "")


def test_reading_is_streamed_not_loaded(tmp_path):
    path = tmp_path / "visas.csv"
    with path.open("w") as handle:
        handle.write("case_no,name,dob\n")
        for number in range(50_000):
            handle.write(f"V{number},NAME {number},1980\n")
    source = open_source(mapping_for(tmp_path, "  format: csv\n  path: visas.csv"))
    rows = source.rows()
    next(rows)
    read = source.bytes_read()
    assert read is not None and read < source.size / 10
