"""One row through its mapping: which entities it makes, what refers to what, what stops it."""

from pathlib import Path

from writ.ingest.mapping import load_mapping
from writ.ingest.readers import Unreadable
from writ.ingest.rows import Record, Rejected, RowMapper, entity_id

FIXTURES = Path(__file__).parent / "ingest_fixtures"

ROW = {
    "booking_no": "B-1",
    "full_name": "GARCIA LOPEZ, MARIA JOSE",
    "dob": "05/17/1984",
    "country_of_birth": "Mexico",
    "a_number": "A-012-345-678",
    "passport_no": "g 1234567",
    "passport_country": "MEX",
    "street": "12 Main St",
    "city": "Newark",
    "contact_name": "Jose Garcia",
    "contact_relation": "brother",
}


def mapper() -> RowMapper:
    return RowMapper(load_mapping(FIXTURES / "bookings.yml"))


def take(row: dict[str, str | None]) -> Record:
    outcome = mapper().map(row)
    assert isinstance(outcome, Record), outcome
    return outcome


def values_of(record: Record, name: str) -> dict[str, str]:
    eid = entity_id("county_bookings", record.record_id, name)
    return {v.prop: v.value for v in record.values if v.entity_id == eid}


def test_a_full_row_makes_every_entity_and_the_relationship():
    record = take(ROW)
    person = values_of(record, "person")
    ids = {name: entity_id("county_bookings", "B-1", name) for name in ("person", "address")}
    assert person == {
        "name": "MARIA JOSE GARCIA LOPEZ",
        "lastName": "GARCIA LOPEZ",
        "firstName": "MARIA",
        "middleName": "JOSE",
        "birthDate": "1984-05-17",
        "birthCountry": "mx",
        "idNumber": "012345678",
        "addressEntity": ids["address"],
    }
    assert values_of(record, "passport") == {
        "number": "G1234567",
        "country": "mx",
        "holder": ids["person"],
    }
    assert values_of(record, "address") == {"full": "12 Main St, Newark", "city": "Newark"}
    assert values_of(record, "emergency_contact") == {
        "relationship": "brother",
        "person": ids["person"],
        "relative": entity_id("county_bookings", "B-1", "contact"),
    }


def test_every_value_keeps_its_original_text():
    record = take(ROW)
    originals = {(v.prop, v.value): v.original_value for v in record.values}
    assert originals[("idNumber", "012345678")] == "A-012-345-678"
    assert originals[("number", "G1234567")] == "g 1234567"
    assert originals[("firstName", "MARIA")] == "GARCIA LOPEZ, MARIA JOSE"
    assert originals[("holder", entity_id("county_bookings", "B-1", "person"))] is None


def test_an_entity_without_values_is_not_made_and_nothing_refers_to_it():
    empty = dict.fromkeys(("passport_no", "passport_country", "street", "city", "contact_name"), "")
    record = take({**ROW, **empty})
    assert values_of(record, "passport") == {}
    assert values_of(record, "address") == {}
    assert "addressEntity" not in values_of(record, "person")
    assert values_of(record, "emergency_contact") == {}


def test_a_document_with_only_its_country_is_not_made():
    # The passport's country is filled on every row; its number only on some. A Passport with no
    # number identifies nothing: it is not made, and the person does not refer to it.
    record = take({**ROW, "passport_no": ""})
    assert values_of(record, "passport") == {}
    assert not any(v.schema == "Passport" for v in record.values)
    assert values_of(record, "person")["birthCountry"] == "mx"  # the rest of the row stays


def test_ids_depend_on_the_key_only():
    first = take(ROW)
    second = take({**ROW, "full_name": "GARCIA, MARIA"})
    assert {v.entity_id for v in first.values} == {v.entity_id for v in second.values}
    assert first.row_sha256 != second.row_sha256


def test_a_bad_optional_value_is_kept_with_its_error():
    record = take({**ROW, "country_of_birth": "Neverland", "a_number": "A12"})
    person = {
        v.prop: v
        for v in record.values
        if v.schema == "Person" and v.prop in ("birthCountry", "idNumber")
    }
    assert person["birthCountry"].value == "Neverland"
    assert person["birthCountry"].validation_error == (
        'country_of_birth: "Neverland" is not a known country name or code'
    )
    assert person["idNumber"].value == "A12"
    assert "is not an A-number" in (person["idNumber"].validation_error or "")


def test_an_ambiguous_required_date_is_taken_with_only_its_year_and_flagged():
    record = take({**ROW, "dob": "03/04/1990"})
    (dob,) = [v for v in record.values if v.prop == "birthDate"]
    assert (dob.value, dob.original_value) == ("1990", "03/04/1990")
    assert dob.validation_error == "dob: day and month are ambiguous: 1990-03-04 or 1990-04-03"


def rejected(row: object) -> Rejected:
    outcome = mapper().map(row)  # type: ignore[arg-type]
    assert isinstance(outcome, Rejected), outcome
    return outcome


def test_the_reasons_a_row_is_not_taken():
    missing_key = rejected({**ROW, "booking_no": "  "})
    assert [(p.reason, p.field) for p in missing_key.problems] == [("missing_key", "booking_no")]
    assert missing_key.record_id is None

    bad_date = rejected({**ROW, "dob": "31/02/1990"})
    assert [(p.reason, p.field, p.value) for p in bad_date.problems] == [
        ("unparseable_required", "dob", "31/02/1990")
    ]
    assert bad_date.record_id == "B-1"

    no_name = rejected({**ROW, "full_name": ""})
    assert [(p.reason, p.field) for p in no_name.problems] == [("missing_required", "full_name")]

    both = rejected({**ROW, "full_name": "NO COMMA", "dob": ""})
    assert [p.reason for p in both.problems] == ["unparseable_required", "missing_required"]

    extra = rejected({**ROW, "(field 12)": "surplus"})
    assert [(p.reason, p.field) for p in extra.problems] == [("wrong_columns", "(field 12)")]
    short = rejected({"booking_no": "B-2", "full_name": "A, B"})
    assert short.problems[0].reason == "wrong_columns"
    assert short.problems[0].message.startswith(
        "the columns are not the mapping's: missing dob, country_of_birth"
    )

    unreadable = rejected(Unreadable("", "{not json", "not valid JSON: Expecting property name"))
    assert unreadable.problems[0].reason == "unreadable_row"
    assert unreadable.row is None


def test_the_same_bad_row_has_the_same_content_hash():
    first = rejected({**ROW, "dob": "31/02/1990"})
    again = rejected({**ROW, "dob": "31/02/1990"})
    other = rejected({**ROW, "dob": "30/02/1990"})
    assert first.content_sha256 == again.content_sha256 != other.content_sha256
