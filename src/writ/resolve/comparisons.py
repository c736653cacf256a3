"""What the linkage model compares, level by level, and how each level is said in words.

Each comparison is a list of levels from the most to the least alike; a pair of records falls in
the first level whose condition holds. Splink learns a match weight for every level. The labels
here are what a reviewer reads in an explanation: "date of birth: day and month swapped (-1.2)".

Every level's condition is written once here and rendered two ways: as Splink's SQL (for batch
linkage on DuckDB or Spark) and as a Python test of two feature rows (for the single-record
look-up, which scores a few candidates without starting a database). Both follow SQL's rule that
a comparison with an unknown value is not true. ``tests/test_resolve_scoring.py`` checks that the
two renderings put every pair in the same level.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import jellyfish
import splink.comparison_level_library as cll
from splink.internals.comparison_level_creator import ComparisonLevelCreator

Row = Mapping[str, Any]
Holds = Callable[[Row, Row], bool]  # the level's condition on a (left, right) pair of rows
Make = Callable[[], ComparisonLevelCreator]  # the same condition as a Splink comparison level


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    make: Make
    holds: Holds
    is_null: bool = False
    # Known, not learned: how often one person's two records fall in this level. Set where
    # households (twins, a father and son of one name at one address) would otherwise teach
    # the unsupervised training that the level is common among matches.
    fixed_m: float | None = None


@dataclass(frozen=True)
class Comparison:
    name: str  # Splink's output column name; also the key in a model artefact
    label: str  # what a reviewer reads: "date of birth"
    columns: tuple[str, ...]  # the feature columns it needs (the first must be present)
    levels: tuple[Level, ...]
    strong: bool = False  # an identity document: strong evidence

    def level(self, key: str) -> Level:
        for level in self.levels:
            if level.key == key:
                return level
        raise KeyError(f"comparison {self.name}: no level {key!r}")

    def level_of(self, left: Row, right: Row) -> str:
        """The key of the first level whose condition holds for the pair (Python rendering)."""
        for level in self.levels:
            if level.holds(left, right):
                return level.key
        raise ValueError(f"comparison {self.name}: no level holds and there is no else level")


# -- conditions, each as (Splink level, Python test) ---------------------------------------------


def _eq(left: Row, a: str, right: Row, b: str) -> bool:
    """SQL ``a_l = b_r``: false when either value is unknown."""
    x, y = left.get(a), right.get(b)
    return x is not None and y is not None and x == y


def _known(left: Row, right: Row, column: str) -> bool:
    return left.get(column) is not None and right.get(column) is not None


def exact(column: str) -> tuple[Make, Holds]:
    return (
        lambda: cll.ExactMatchLevel(column),
        lambda left, right: _eq(left, column, right, column),
    )


def jaro_winkler(column: str, threshold: float) -> tuple[Make, Holds]:
    # jellyfish and DuckDB's jaro_winkler_similarity agree (same algorithm, prefix scale 0.1).
    return (
        lambda: cll.JaroWinklerLevel(column, threshold),
        lambda left, right: (
            _known(left, right, column)
            and jellyfish.jaro_winkler_similarity(left[column], right[column]) >= threshold
        ),
    )


def damerau_levenshtein(column: str, distance: int) -> tuple[Make, Holds]:
    return (
        lambda: cll.DamerauLevenshteinLevel(column, distance),
        lambda left, right: (
            _known(left, right, column)
            and jellyfish.damerau_levenshtein_distance(left[column], right[column]) <= distance
        ),
    )


def array_intersect(column: str) -> tuple[Make, Holds]:
    return (
        lambda: cll.ArrayIntersectLevel(column),
        lambda left, right: (
            _known(left, right, column) and bool(set(left[column]) & set(right[column]))
        ),
    )


def custom(sql: str, holds: Holds) -> tuple[Make, Holds]:
    return (lambda: cll.CustomLevel(sql), holds)


def _null(column: str) -> Level:
    return Level(
        "missing",
        "missing on one record",
        lambda: cll.NullLevel(column),
        lambda left, right: left.get(column) is None or right.get(column) is None,
        is_null=True,
    )


def _else(label: str, fixed_m: float | None = None) -> Level:
    return Level("different", label, cll.ElseLevel, lambda left, right: True, fixed_m=fixed_m)


def _names_swapped(left: Row, right: Row) -> bool:
    return _eq(left, "given_first", right, "family_first") and _eq(
        left, "family_first", right, "given_first"
    )


NAMES_SWAPPED = custom(
    "given_first_l = family_first_r AND family_first_l = given_first_r", _names_swapped
)


def _one_of_two(left: Row, right: Row) -> bool:
    return (
        _eq(left, "family_first", right, "family")
        or _eq(left, "family", right, "family_first")
        or _eq(left, "family_last", right, "family")
        or _eq(left, "family", right, "family_last")
    )


def _birth_partial(left: Row, right: Row) -> bool:
    return (
        _eq(left, "birth_year", right, "birth_year")
        and (left.get("birth_date") is None or right.get("birth_date") is None)
        and (
            left.get("birth_month") is None
            or right.get("birth_month") is None
            or left["birth_month"] == right["birth_month"]
        )
    )


def _day_month_swapped(left: Row, right: Row) -> bool:
    return (
        _eq(left, "birth_year", right, "birth_year")
        and _eq(left, "birth_month", right, "birth_day")
        and _eq(left, "birth_day", right, "birth_month")
    )


def _within_5_years(left: Row, right: Row) -> bool:
    return (
        _known(left, right, "birth_year")
        and abs(int(left["birth_year"]) - int(right["birth_year"])) < 5
    )


def _same_address(left: Row, right: Row) -> bool:
    return _eq(left, "street", right, "street") and _eq(
        left, "street_number", right, "street_number"
    )


_STREET_CLOSE = jaro_winkler("street", 0.9)
_NUMBER_SAME = exact("street_number")


# -- the comparisons ----------------------------------------------------------------------------

GIVEN_NAME = Comparison(
    name="given_name",
    label="given name",
    columns=("given", "given_first", "given_keys", "given_phonetic", "family", "family_first"),
    levels=(
        _null("given"),
        Level("exact", "the same", *exact("given")),
        Level("swapped", "given and family names swapped", *NAMES_SWAPPED),
        Level(
            "first_name",
            "first given name the same, other given names differ",
            *exact("given_first"),
        ),
        Level("nickname", "a nickname or short form", *array_intersect("given_keys")),
        Level("close", "spelt nearly the same", *jaro_winkler("given", 0.92)),
        Level("sounds", "sounds the same", *exact("given_phonetic")),
        Level("similar", "spelt somewhat alike", *jaro_winkler("given", 0.8)),
        _else("different"),
    ),
)

FAMILY_NAME = Comparison(
    name="family_name",
    label="family name",
    columns=("family", "family_first", "family_last", "family_phonetic", "given_first"),
    levels=(
        _null("family"),
        Level("exact", "the same", *exact("family")),
        Level("swapped", "given and family names swapped", *NAMES_SWAPPED),
        Level(
            "one_of_two",
            "double surname written in full on one record, cut to one on the other",
            *custom(
                "(family_first_l = family_r OR family_l = family_first_r"
                " OR family_last_l = family_r OR family_l = family_last_r)",
                _one_of_two,
            ),
        ),
        Level(
            "first_same",
            "first family name the same, second differs",
            *exact("family_first"),
        ),
        Level("close", "spelt nearly the same", *jaro_winkler("family", 0.92)),
        Level("sounds", "sounds the same", *exact("family_phonetic")),
        Level("similar", "spelt somewhat alike", *jaro_winkler("family", 0.8)),
        _else("different"),
    ),
)

BIRTH_DATE = Comparison(
    name="birth_date",
    label="date of birth",
    columns=("birth_year", "birth_date", "birth_month", "birth_day"),
    levels=(
        _null("birth_year"),
        Level("exact", "the same", *exact("birth_date")),
        Level(
            "partial",
            "only partly known on one record, the known part agrees",
            *custom(
                "birth_year_l = birth_year_r AND (birth_date_l IS NULL OR birth_date_r IS NULL)"
                " AND (birth_month_l IS NULL OR birth_month_r IS NULL"
                " OR birth_month_l = birth_month_r)",
                _birth_partial,
            ),
        ),
        Level(
            "day_month_swapped",
            "day and month swapped",
            *custom(
                "birth_year_l = birth_year_r AND birth_month_l = birth_day_r"
                " AND birth_day_l = birth_month_r",
                _day_month_swapped,
            ),
        ),
        Level(
            "one_digit",
            "one digit differs or two digits transposed",
            *damerau_levenshtein("birth_date", 1),
        ),
        Level(
            "same_year",
            "same year, month or day differ",
            *custom(
                "birth_year_l = birth_year_r",
                lambda left, right: _eq(left, "birth_year", right, "birth_year"),
            ),
        ),
        Level(
            "within_5_years",
            "different, less than five years apart",
            *custom(
                "ABS(CAST(birth_year_l AS INT) - CAST(birth_year_r AS INT)) < 5", _within_5_years
            ),
        ),
        # A parent and a child of the same name at the same address differ here, and only here.
        _else("five or more years apart", fixed_m=0.01),
    ),
)

A_NUMBER = Comparison(
    name="a_number",
    label="A-number",
    columns=("a_number",),
    strong=True,
    levels=(
        _null("a_number"),
        Level("exact", "the same", *exact("a_number")),
        _else("two different A-numbers"),
    ),
)

PASSPORT = Comparison(
    name="passport",
    label="passport number",
    columns=("passport",),
    strong=True,
    levels=(
        _null("passport"),
        Level("exact", "the same", *exact("passport")),
        Level("one_char", "one character differs", *damerau_levenshtein("passport", 1)),
        _else("different passports"),
    ),
)

ID_NUMBER = Comparison(
    name="id_number",
    label="identity number",
    columns=("id_number",),
    strong=True,
    levels=(
        _null("id_number"),
        Level("exact", "the same", *exact("id_number")),
        Level("one_char", "one character differs", *damerau_levenshtein("id_number", 1)),
        Level("two_chars", "two characters differ", *damerau_levenshtein("id_number", 2)),
        _else("different"),
    ),
)

GENDER = Comparison(
    name="gender",
    label="sex",
    columns=("gender",),
    levels=(
        _null("gender"),
        Level("exact", "the same", *exact("gender")),
        _else("different"),
    ),
)

COUNTRY = Comparison(
    name="country",
    label="nationality or country of birth",
    columns=("country",),
    levels=(
        _null("country"),
        Level("exact", "the same", *exact("country")),
        _else("different"),
    ),
)

# House number and street are one comparison: they are not independent evidence.
ADDRESS = Comparison(
    name="address",
    label="address",
    columns=("street", "street_number"),
    levels=(
        _null("street"),
        Level(
            "exact",
            "same street and house number",
            *custom("street_l = street_r AND street_number_l = street_number_r", _same_address),
        ),
        Level(
            "close",
            "street spelt nearly the same, same house number",
            lambda: cll.And(_STREET_CLOSE[0](), _NUMBER_SAME[0]()),
            lambda left, right: _STREET_CLOSE[1](left, right) and _NUMBER_SAME[1](left, right),
        ),
        Level("same_street", "same street, house number differs or unknown", *_STREET_CLOSE),
        _else("different"),
    ),
)

LOCALITY = Comparison(
    name="locality",
    label="town",
    columns=("locality",),
    levels=(
        _null("locality"),
        Level("exact", "the same", *exact("locality")),
        Level("close", "spelt nearly the same", *jaro_winkler("locality", 0.9)),
        _else("different"),
    ),
)

POSTCODE = Comparison(
    name="postcode",
    label="postcode",
    columns=("postcode",),
    levels=(
        _null("postcode"),
        Level("exact", "the same", *exact("postcode")),
        Level("one_char", "one character differs", *damerau_levenshtein("postcode", 1)),
        _else("different"),
    ),
)

ALL_COMPARISONS: tuple[Comparison, ...] = (
    GIVEN_NAME,
    FAMILY_NAME,
    BIRTH_DATE,
    A_NUMBER,
    PASSPORT,
    ID_NUMBER,
    GENDER,
    COUNTRY,
    ADDRESS,
    LOCALITY,
    POSTCODE,
)
BY_NAME = {comparison.name: comparison for comparison in ALL_COMPARISONS}


def comparisons_for(columns: Collection[str]) -> list[Comparison]:
    """The comparisons whose main column has a value somewhere in the data."""
    return [c for c in ALL_COMPARISONS if c.columns[0] in columns]
