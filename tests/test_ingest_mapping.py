"""Mapping files: a good one loads; a bad one is refused with the file, the line and the problem."""

from pathlib import Path

import pytest

from writ.ingest.mapping import MappingError, load_mapping

FIXTURES = Path(__file__).parent / "ingest_fixtures"
DEMO_MAPPINGS = Path(__file__).parents[1] / "src" / "writ" / "demo" / "mappings"

MINIMAL = """\
source:
  name: court
  title: County court records
  legal_basis:
    authority: "State v. data sharing agreement of 2022-01-01"
    data_category: court-records
    retention: P10Y6M
reader:
  format: csv
  path: court.csv
columns: [docket, name, dob, nationality]
key: [docket]
entities:
  person:
    schema: Person
    properties:
      - column: name
        transform: name_last_first
        required: true
      - property: birthDate
        column: dob
        transform: date
        formats: ["%Y-%m-%d"]
      - property: nationality
        column: nationality
        transform: country
"""


def write(tmp_path: Path, text: str, name: str = "court.yml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(MappingError) as caught:
        load_mapping(write(tmp_path, text))
    return str(caught.value)


def test_the_documented_example_loads(tmp_path):
    mapping = load_mapping(FIXTURES / "bookings.yml")
    assert mapping.source.name == "county_bookings"
    assert mapping.source.legal_basis.retention == "P75Y"
    assert mapping.reader.format == "csv"
    assert mapping.reader.path == FIXTURES / "bookings.csv"
    assert mapping.key == ("booking_no",)
    assert [e.name for e in mapping.entities] == ["person", "passport", "address", "contact"]
    (family,) = mapping.relationships
    assert (family.schema, family.source_end, family.target_end) == ("Family", "person", "contact")
    assert len(mapping.sha256) == 64


def test_the_demo_mappings_load():
    paths = sorted(DEMO_MAPPINGS.glob("*.yml"))
    if not paths:
        pytest.skip("the demo generator's mappings are not there yet")
    for path in paths:
        assert load_mapping(path).source.name


def test_the_hash_is_of_the_file_bytes(tmp_path):
    first = load_mapping(write(tmp_path, MINIMAL))
    second = load_mapping(write(tmp_path, MINIMAL + "# a comment\n"))
    assert first.sha256 != second.sha256


def test_a_mapping_without_a_legal_basis_is_refused(tmp_path):
    text = MINIMAL.replace(
        '  legal_basis:\n    authority: "State v. data sharing agreement of 2022-01-01"\n'
        "    data_category: court-records\n    retention: P10Y6M\n",
        "",
    )
    message = refused(tmp_path, text)
    assert message.startswith("court.yml line 2: source.legal_basis: is missing")
    assert "without a declared legal basis is refused" in message


@pytest.mark.parametrize("key", ["authority", "data_category", "retention"])
def test_each_part_of_the_legal_basis_is_required(tmp_path, key):
    lines = [line for line in MINIMAL.splitlines() if not line.strip().startswith(f"{key}:")]
    message = refused(tmp_path, "\n".join(lines) + "\n")
    assert f"source.legal_basis.{key}: is missing" in message


def test_an_empty_authority_is_no_authority(tmp_path):
    text = MINIMAL.replace('"State v. data sharing agreement of 2022-01-01"', '"  "')
    assert "court.yml line 5: source.legal_basis.authority: is missing" in refused(tmp_path, text)


@pytest.mark.parametrize("retention", ["75 years", "P", "PT5H", "P5Y3"])
def test_retention_is_an_iso_8601_duration(tmp_path, retention):
    message = refused(tmp_path, MINIMAL.replace("P10Y6M", retention))
    assert "line 7: source.legal_basis.retention" in message
    assert "is not an ISO 8601 duration" in message


def test_an_unknown_property_is_named_with_its_line_and_a_suggestion(tmp_path):
    message = refused(tmp_path, MINIMAL.replace("property: birthDate", "property: birthdate"))
    assert message == (
        "court.yml line 20: entities.person.properties[1].property: 'birthdate' is not a Person "
        "property (did you mean birthDate?)"
    )


def test_an_unknown_schema_is_refused(tmp_path):
    message = refused(tmp_path, MINIMAL.replace("schema: Person", "schema: UserAccount"))
    assert "line 15: entities.person.schema: 'UserAccount' is not one of Person" in message


def test_an_unknown_transform_is_refused(tmp_path):
    message = refused(tmp_path, MINIMAL.replace("transform: country", "transform: contry"))
    assert "line 26: entities.person.properties[2].transform" in message
    assert "did you mean country?" in message


def test_a_date_needs_its_formats_and_no_two_digit_years(tmp_path):
    message = refused(tmp_path, MINIMAL.replace('        formats: ["%Y-%m-%d"]\n', ""))
    assert "entities.person.properties[1].formats: a date needs its formats" in message
    message = refused(tmp_path, MINIMAL.replace("%Y-%m-%d", "%d/%m/%y"))
    assert "line 23:" in message and "two-digit years (%y) are a guess" in message


def test_a_date_or_country_property_needs_its_transform(tmp_path):
    message = refused(tmp_path, MINIMAL.replace("        transform: date\n", ""))
    assert "a date property needs transform: date" in message
    message = refused(tmp_path, MINIMAL.replace("        transform: country\n", ""))
    assert "a country property needs transform: country" in message


def test_columns_must_be_declared(tmp_path):
    message = refused(tmp_path, MINIMAL.replace("column: dob", "column: birth"))
    assert "line 21: entities.person.properties[1].column: 'birth' is not in columns" in message
    message = refused(tmp_path, MINIMAL.replace("key: [docket]", "key: [case_no]"))
    assert "line 12: key: 'case_no' is not in columns" in message


def test_a_property_takes_exactly_one_source_of_value(tmp_path):
    text = MINIMAL.replace("        column: dob\n", "        column: dob\n        value: '1980'\n")
    assert "give exactly one of column, columns, value or entity" in refused(tmp_path, text)


def test_an_unknown_key_is_refused_with_a_suggestion(tmp_path):
    text = MINIMAL.replace("        required: true\n", "        requird: true\n")
    message = refused(tmp_path, text)
    assert "line 19: entities.person.properties[0].requird: unknown key" in message
    assert "did you mean required?" in message


def test_references_must_name_an_entity_of_the_right_schema(tmp_path):
    extra = """\
  passport:
    schema: Passport
    properties:
      - property: number
        column: docket
      - property: holder
        entity: {target}
"""
    assert "'persn' is not an entity of this mapping (did you mean person?)" in refused(
        tmp_path, MINIMAL + extra.format(target="persn")
    )
    text = (
        MINIMAL
        + extra.format(target="person")
        + extra.replace("passport:", "other:").format(target="passport")
    )
    assert "Passport.holder must be a LegalEntity, and 'passport' is a Passport" in refused(
        tmp_path, text
    )


def test_an_entity_property_needs_a_reference_not_a_column(tmp_path):
    text = MINIMAL + (
        "  passport:\n    schema: Passport\n    properties:\n"
        "      - property: holder\n        column: name\n"
    )
    assert "a property that refers to an entity takes entity: NAME" in refused(tmp_path, text)


def test_relationship_ends_must_fit_the_schema(tmp_path):
    text = MINIMAL + (
        "  employer:\n    schema: Organization\n    properties:\n"
        "      - property: name\n        column: docket\n"
        "relationships:\n  kin:\n    schema: Family\n    from: person\n    to: employer\n"
    )
    assert "Family.relative must be a Person, and 'employer' is a Organization" in refused(
        tmp_path, text
    )


def test_name_last_first_fills_the_name_parts_itself(tmp_path):
    text = MINIMAL.replace(
        "      - column: name\n        transform: name_last_first\n",
        "      - property: name\n        column: name\n        transform: name_last_first\n",
    )
    assert "name_last_first fills name, firstName" in refused(tmp_path, text)


def test_a_key_given_twice_is_refused(tmp_path):
    text = MINIMAL.replace("key: [docket]\n", "key: [docket]\nkey: [name]\n")
    assert refused(tmp_path, text) == "court.yml line 13: 'key' is given twice"


def test_bad_yaml_names_the_line(tmp_path):
    message = refused(tmp_path, MINIMAL.replace("nationality]", "nationality"))
    assert message.startswith("court.yml line ")
    assert "not valid YAML" in message


def test_sql_reader(tmp_path):
    text = MINIMAL.replace(
        "  format: csv\n  path: court.csv\n",
        "  format: sql\n  url: sqlite:///court.db\n  query: SELECT * FROM court ORDER BY docket\n",
    )
    reader = load_mapping(write(tmp_path, text)).reader
    assert (reader.format, reader.url) == ("sql", "sqlite:///court.db")
    assert "a query" not in text
    assert "reader.query: is missing" in refused(
        tmp_path, text.replace("  query: SELECT * FROM court ORDER BY docket\n", "")
    )
