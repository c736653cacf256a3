"""Feature preparation: names, dates and identifiers as the matcher compares them."""

from __future__ import annotations

import pytest

from writ.resolve.dates import parse_birth_date
from writ.resolve.features import PersonRecord, prepare
from writ.resolve.identifiers import a_number, document_number
from writ.resolve.names import fold, name_features, nickname_keys, split_full_name, standard_word
from writ.resolve.rules import identifier_conflicts


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Muñoz", "munoz"),
        ("José Ángel", "jose angel"),
        ("O'Brien", "obrien"),
        ("Al-Masri", "al masri"),
        ("Олександр", "oleksandr"),
        ("Nguyễn Thị", "nguyen thi"),
        ("  GARCÍA   lópez ", "garcia lopez"),
    ],
)
def test_transliteration_and_accent_folding(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_arabic_script_is_transliterated_to_latin_letters() -> None:
    assert fold("محمد").isascii()
    assert fold("محمد") != ""


@pytest.mark.parametrize("spelling", ["Mohammed", "Mohamed", "Muhammad", "MOHAMMAD", "Mehmet"])
def test_romanisation_variants_share_one_spelling(spelling: str) -> None:
    assert standard_word(fold(spelling), "given") == "muhammad"


def test_yusuf_variants_and_unlisted_names_are_left_alone() -> None:
    assert {standard_word(fold(n), "given") for n in ("Yusuf", "Youssef", "Yousef")} == {"yusuf"}
    assert standard_word("kamran", "given") == "kamran"


def test_nicknames_and_short_forms_come_from_the_curated_list() -> None:
    assert "robert" in nickname_keys("bob")
    assert "william" in nickname_keys("bill")
    assert set(nickname_keys("bob")) & set(nickname_keys("robert"))
    assert not set(nickname_keys("maria")) & set(nickname_keys("robert"))


def test_double_surname_is_kept_whole_and_cut_both_ways() -> None:
    names = name_features("María José", "García de la López")
    assert names.given == "maria jose"
    assert names.given_first == "maria"
    assert names.family == "garcia lopez"
    assert (names.family_first, names.family_last) == ("garcia", "lopez")


@pytest.mark.parametrize(
    ("full", "given", "family"),
    [
        ("GARCIA LOPEZ, MARIA JOSE", "MARIA JOSE", "GARCIA LOPEZ"),
        ("DÍAZ RODRÍGUEZ Raúl", "Raúl", "DÍAZ RODRÍGUEZ"),
        ("BA Aissatou Fatoumata", "Aissatou Fatoumata", "BA"),
        ("John Smith", "John", "Smith"),
        ("Madonna", "", "Madonna"),
    ],
)
def test_one_field_names_are_split_by_comma_capitals_or_position(
    full: str, given: str, family: str
) -> None:
    assert split_full_name(full) == (given, family)


@pytest.mark.parametrize(
    ("text", "parts", "full"),
    [
        ("1985-03-02", ("1985", "03", "02"), "1985-03-02"),
        ("19850302", ("1985", "03", "02"), "1985-03-02"),
        ("1985-03", ("1985", "03", None), None),
        ("1985", ("1985", None, None), None),
        ("1985-00-00", ("1985", None, None), None),
        ("not a date", (None, None, None), None),
        (None, (None, None, None), None),
    ],
)
def test_birth_dates_full_partial_and_placeholders(
    text: str | None, parts: tuple[str | None, ...], full: str | None
) -> None:
    date = parse_birth_date(text)
    assert (date.year, date.month, date.day) == parts
    assert date.full == full


@pytest.mark.parametrize(
    ("text", "number"),
    [("A-012-345-678", "012345678"), ("A12345678", "012345678"), ("012345678", "012345678"),
     ("A 1234", None), ("", None)],
)  # fmt: skip
def test_a_numbers_are_normalised_to_nine_digits(text: str, number: str | None) -> None:
    assert a_number(text) == number


def test_document_numbers_keep_letters_and_digits_only() -> None:
    assert document_number(" x-12 345 ") == "X12345"
    assert document_number("--") is None


def test_prepare_reads_followthemoney_properties() -> None:
    row = prepare(
        PersonRecord(
            "e1",
            {
                "firstName": ["Bob"],
                "lastName": ["Smith"],
                "birthDate": ["1980-05"],
                "idNumber": ["A-012-345-678"],
                "passportNumber": ["c 123"],
                "gender": ["Male"],
                "nationality": ["MX"],
                "birthCountry": ["gt"],
                "full": ["12 Maple St, Riverton"],
            },
        )
    )
    assert row["given_keys"] and "robert" in row["given_keys"]
    assert (row["birth_year"], row["birth_month"], row["birth_date"]) == ("1980", "05", None)
    assert row["a_number"] == "012345678"
    assert row["passport"] == "C123"
    assert row["gender"] == "m"
    # Nationality and country of birth are two facts, each compared with its own kind.
    assert (row["nationality"], row["birth_country"]) == ("mx", "gt")
    assert (row["street_number"], row["street"]) == ("12", "maple st")


def test_names_in_any_order_and_written_together_or_apart() -> None:
    swapped = prepare(PersonRecord("a", {"firstName": ["Nguyen"], "lastName": ["Thi Lan"]}))
    one_field = prepare(PersonRecord("b", {"name": ["Thị Lan Nguyễn"]}))
    assert swapped["name_sorted"] == one_field["name_sorted"] == "lan nguyen thi"
    hyphen = prepare(PersonRecord("c", {"firstName": ["Mary-Ann"], "lastName": ["De la Cruz"]}))
    together = prepare(PersonRecord("d", {"firstName": ["Maryann"], "lastName": ["DELACRUZ"]}))
    assert (hyphen["given_compact"], hyphen["family_compact"]) == ("maryann", "delacruz")
    assert (together["given_compact"], together["family_compact"]) == ("maryann", "delacruz")


def test_rigour_transliterates_with_its_own_spellings() -> None:
    assert fold("Шевченко") == "shevchenko"
    assert fold("Юлія") == "yuliya"


def test_name_only_records_are_split() -> None:
    row = prepare(PersonRecord("e1", {"name": ["SIDDIQUI Kamran"]}))
    assert (row["given"], row["family"]) == ("kamran", "siddiqui")


def test_two_different_a_numbers_conflict_and_one_missing_does_not() -> None:
    one, other = "012345678", "087654321"
    assert identifier_conflicts({"a_number": one}, {"a_number": other}) == ["a_number"]
    assert identifier_conflicts({"a_number": one}, {"a_number": one}) == []
    assert identifier_conflicts({"a_number": one}, {"a_number": None}) == []
    # One digit mistyped or two transposed is a typing error, not a second A-number.
    assert identifier_conflicts({"a_number": one}, {"a_number": "012345679"}) == []
    assert identifier_conflicts({"a_number": one}, {"a_number": "012345687"}) == []
    assert identifier_conflicts({"passport": "X"}, {"passport": "Y"}) == []
