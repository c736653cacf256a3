"""Every transform: what it makes of good text, and the error it gives for bad text."""

import pytest

from writ.ingest import transforms
from writ.ingest.transforms import DateFormat, TransformError, parse_date


def formats(*patterns: str) -> tuple[DateFormat, ...]:
    return tuple(DateFormat.parse(pattern) for pattern in patterns)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("  Maria   José ", "Maria José"),
        ("\tA\nB ", "A B"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_clean_text_trims_and_collapses_white_space(raw, text):
    assert transforms.clean_text(raw) == text


def test_strip_and_upper():
    assert transforms.strip("Maria José") == "Maria José"  # noqa: B005 - not str.strip
    assert transforms.upper("gt-123 ñ") == "GT-123 Ñ"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Mexico", "mx"),
        ("México", "mx"),
        ("MEX", "mx"),
        ("mx", "mx"),
        ("United States", "us"),
        ("USA", "us"),
        ("Côte d’Ivoire", "ci"),
        ("Ivory Coast", "ci"),
        ("Viet Nam", "vn"),
        ("Burma", "mm"),
        ("El Salvador", "sv"),
        ("Kosovo", "xk"),
    ],
)
def test_country_names_and_codes_become_followthemoney_codes(text, code):
    assert transforms.country(text) == code


def test_an_unknown_country_is_an_error_that_quotes_it():
    with pytest.raises(TransformError, match='"Neverland" is not a known country'):
        transforms.country("Neverland")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("A-012-345-678", "012345678"),
        ("A012345678", "012345678"),
        ("a 123 456 78", "012345678"),
        ("12345678", "012345678"),
        ("A12345678", "012345678"),
        ("987654321", "987654321"),
    ],
)
def test_a_numbers_lose_prefix_and_dashes_and_pad_to_nine_digits(text, number):
    assert transforms.a_number(text) == number


@pytest.mark.parametrize("text", ["A123", "1234567890", "A-12B-456-78", "AA12345678", "١٢٣٤٥٦٧٨"])
def test_anything_but_eight_or_nine_digits_is_not_an_a_number(text):
    with pytest.raises(TransformError, match="is not an A-number"):
        transforms.a_number(text)


@pytest.mark.parametrize(
    ("text", "number"),
    [(" x12 345-67 ", "X1234567"), ("G1234567", "G1234567"), ("ab-12-cd", "AB12CD")],
)
def test_passport_numbers(text, number):
    assert transforms.passport(text) == number


@pytest.mark.parametrize("text", ["X12/345", "N°123", "-", "Ö1234"])
def test_a_passport_number_is_letters_and_digits(text):
    with pytest.raises(TransformError, match="is not a passport number"):
        transforms.passport(text)


def test_name_last_first_splits_last_first_and_middle():
    parts = transforms.name_last_first("GARCIA LOPEZ, MARIA JOSE")
    assert parts.properties() == [
        ("name", "MARIA JOSE GARCIA LOPEZ"),
        ("lastName", "GARCIA LOPEZ"),
        ("firstName", "MARIA"),
        ("middleName", "JOSE"),
    ]


def test_name_last_first_keeps_spelling_and_handles_several_middle_names_and_a_suffix():
    parts = transforms.name_last_first("de la Cruz,  Juan Pablo  Andrés , Jr.")
    assert parts.last == "de la Cruz"
    assert parts.first == "Juan"
    assert parts.middle == "Pablo Andrés"
    assert parts.suffix == "Jr."
    assert parts.name == "Juan Pablo Andrés de la Cruz Jr."


def test_name_last_first_with_only_a_last_name():
    assert transforms.name_last_first("NGUYEN,").properties() == [
        ("name", "NGUYEN"),
        ("lastName", "NGUYEN"),
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("MARIA GARCIA", 'is not a name written "LAST, FIRST MIDDLE"'),
        (", MARIA", "has no last name"),
        ("A, B, C, D", "has more commas"),
    ],
)
def test_name_last_first_refuses_other_forms(text, problem):
    with pytest.raises(TransformError, match=problem):
        transforms.name_last_first(text)


def test_full_dates_in_the_declared_format():
    assert parse_date("05/17/1984", formats("%m/%d/%Y")).value == "1984-05-17"
    assert parse_date("17.05.1984", formats("%d.%m.%Y")).value == "1984-05-17"
    assert parse_date("17 May 1984", formats("%d %B %Y")).value == "1984-05-17"
    assert parse_date("17  sep 1984", formats("%d %b %Y")).value == "1984-09-17"
    assert parse_date("19840517", formats("%Y%m%d")).value == "1984-05-17"
    assert parse_date("5/7/1984", formats("%m/%d/%Y")).value == "1984-05-07"


def test_partial_dates_keep_their_precision():
    accepted = formats("%Y-%m-%d", "%Y-%m", "%Y")
    assert parse_date("1980", accepted).value == "1980"
    assert parse_date("1980-05", accepted).value == "1980-05"
    assert parse_date("1980-05-03", accepted).value == "1980-05-03"
    assert parse_date("05/1980", formats("%m/%Y")).value == "1980-05"


def test_day_and_month_that_cannot_be_told_apart_are_flagged_not_guessed():
    both = formats("%m/%d/%Y", "%d/%m/%Y")
    parsed = parse_date("03/04/1990", both)
    assert parsed.value == "1990"
    assert parsed.ambiguity == "day and month are ambiguous: 1990-03-04 or 1990-04-03"


def test_readings_that_agree_or_only_one_of_which_is_a_date_are_not_ambiguous():
    both = formats("%m/%d/%Y", "%d/%m/%Y")
    assert parse_date("04/04/1990", both) == transforms.DateValue("1990-04-04")
    assert parse_date("13/04/1990", both) == transforms.DateValue("1990-04-13")
    assert parse_date("04/13/1990", both) == transforms.DateValue("1990-04-13")


def test_a_date_that_is_no_date_in_any_format_is_an_error():
    with pytest.raises(TransformError, match=r'"31/02/1990" is not a date in the formats %d/%m/%Y'):
        parse_date("31/02/1990", formats("%d/%m/%Y"))
    with pytest.raises(TransformError):
        parse_date("yesterday", formats("%Y-%m-%d", "%Y"))
    with pytest.raises(TransformError):
        parse_date("1984-13-01", formats("%Y-%m-%d"))
    with pytest.raises(TransformError):
        parse_date("17 Mai 1984", formats("%d %B %Y"))


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("%d/%m/%y", "two-digit years"),
        ("%d/%m", "has no year"),
        ("%Y-%d", "has a day but no month"),
        ("%Y %H:%M", "only %Y, %m, %d, %b and %B"),
        ("%Y-%m-%m", "gives a part of the date twice"),
        ("%Y %b %m", "gives a part of the date twice"),
    ],
)
def test_date_formats_that_would_guess_or_lose_information_are_refused(pattern, problem):
    with pytest.raises(TransformError, match=problem):
        DateFormat.parse(pattern)
