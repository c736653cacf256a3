"""What the linkage model compares, level by level, and how each level is said in words.

Each comparison is a list of levels from the most to the least alike; a pair of records falls in
the first level whose condition holds. Splink learns a match weight for every level. The labels
here are what a reviewer reads in an explanation: "date of birth: day and month swapped (-1.2)".
Levels are built for any Splink backend (DuckDB, Spark) from the same definitions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import splink.comparison_level_library as cll
from splink.internals.comparison_level_creator import ComparisonLevelCreator


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    make: Callable[[], ComparisonLevelCreator]
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


def _sql(condition: str) -> Callable[[], ComparisonLevelCreator]:
    return lambda: cll.CustomLevel(condition)


def _null(column: str) -> Level:
    return Level("missing", "missing on one record", lambda: cll.NullLevel(column), is_null=True)


def _else(label: str) -> Level:
    return Level("different", label, cll.ElseLevel)


GIVEN_NAME = Comparison(
    name="given_name",
    label="given name",
    columns=("given", "given_first", "given_keys", "given_phonetic", "family", "family_first"),
    levels=(
        _null("given"),
        Level("exact", "the same", lambda: cll.ExactMatchLevel("given")),
        Level(
            "swapped",
            "given and family names swapped",
            _sql("given_first_l = family_first_r AND family_first_l = given_first_r"),
        ),
        Level(
            "first_name",
            "first given name the same, other given names differ",
            lambda: cll.ExactMatchLevel("given_first"),
        ),
        Level(
            "nickname",
            "a nickname or short form",
            lambda: cll.ArrayIntersectLevel("given_keys"),
        ),
        Level("close", "spelt nearly the same", lambda: cll.JaroWinklerLevel("given", 0.92)),
        Level("sounds", "sounds the same", lambda: cll.ExactMatchLevel("given_phonetic")),
        Level("similar", "spelt somewhat alike", lambda: cll.JaroWinklerLevel("given", 0.8)),
        _else("different"),
    ),
)

FAMILY_NAME = Comparison(
    name="family_name",
    label="family name",
    columns=("family", "family_first", "family_last", "family_phonetic", "given_first"),
    levels=(
        _null("family"),
        Level("exact", "the same", lambda: cll.ExactMatchLevel("family")),
        Level(
            "swapped",
            "given and family names swapped",
            _sql("given_first_l = family_first_r AND family_first_l = given_first_r"),
        ),
        Level(
            "one_of_two",
            "double surname written in full on one record, cut to one on the other",
            _sql(
                "(family_first_l = family_r OR family_l = family_first_r"
                " OR family_last_l = family_r OR family_l = family_last_r)"
            ),
        ),
        Level(
            "first_same",
            "first family name the same, second differs",
            lambda: cll.ExactMatchLevel("family_first"),
        ),
        Level("close", "spelt nearly the same", lambda: cll.JaroWinklerLevel("family", 0.92)),
        Level("sounds", "sounds the same", lambda: cll.ExactMatchLevel("family_phonetic")),
        Level("similar", "spelt somewhat alike", lambda: cll.JaroWinklerLevel("family", 0.8)),
        _else("different"),
    ),
)

BIRTH_DATE = Comparison(
    name="birth_date",
    label="date of birth",
    columns=("birth_year", "birth_date", "birth_month", "birth_day"),
    levels=(
        _null("birth_year"),
        Level("exact", "the same", lambda: cll.ExactMatchLevel("birth_date")),
        Level(
            "partial",
            "only partly known on one record, the known part agrees",
            _sql(
                "birth_year_l = birth_year_r AND (birth_date_l IS NULL OR birth_date_r IS NULL)"
                " AND (birth_month_l IS NULL OR birth_month_r IS NULL"
                " OR birth_month_l = birth_month_r)"
            ),
        ),
        Level(
            "day_month_swapped",
            "day and month swapped",
            _sql(
                "birth_year_l = birth_year_r AND birth_month_l = birth_day_r"
                " AND birth_day_l = birth_month_r"
            ),
        ),
        Level(
            "one_digit",
            "one digit differs or two digits transposed",
            lambda: cll.DamerauLevenshteinLevel("birth_date", 1),
        ),
        Level("same_year", "same year, month or day differ", _sql("birth_year_l = birth_year_r")),
        Level(
            "within_5_years",
            "different, less than five years apart",
            _sql("ABS(CAST(birth_year_l AS INT) - CAST(birth_year_r AS INT)) < 5"),
        ),
        # A parent and a child of the same name at the same address differ here, and only here.
        Level("different", "five or more years apart", cll.ElseLevel, fixed_m=0.01),
    ),
)

A_NUMBER = Comparison(
    name="a_number",
    label="A-number",
    columns=("a_number",),
    strong=True,
    levels=(
        _null("a_number"),
        Level("exact", "the same", lambda: cll.ExactMatchLevel("a_number")),
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
        Level("exact", "the same", lambda: cll.ExactMatchLevel("passport")),
        Level(
            "one_char",
            "one character differs",
            lambda: cll.DamerauLevenshteinLevel("passport", 1),
        ),
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
        Level("exact", "the same", lambda: cll.ExactMatchLevel("id_number")),
        Level(
            "one_char",
            "one character differs",
            lambda: cll.DamerauLevenshteinLevel("id_number", 1),
        ),
        Level(
            "two_chars",
            "two characters differ",
            lambda: cll.DamerauLevenshteinLevel("id_number", 2),
        ),
        _else("different"),
    ),
)

GENDER = Comparison(
    name="gender",
    label="sex",
    columns=("gender",),
    levels=(
        _null("gender"),
        Level("exact", "the same", lambda: cll.ExactMatchLevel("gender")),
        _else("different"),
    ),
)

COUNTRY = Comparison(
    name="country",
    label="nationality or country of birth",
    columns=("country",),
    levels=(
        _null("country"),
        Level("exact", "the same", lambda: cll.ExactMatchLevel("country")),
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
            _sql("street_l = street_r AND street_number_l = street_number_r"),
        ),
        Level(
            "close",
            "street spelt nearly the same, same house number",
            lambda: cll.And(
                cll.JaroWinklerLevel("street", 0.9), cll.ExactMatchLevel("street_number")
            ),
        ),
        Level(
            "same_street",
            "same street, house number differs or unknown",
            lambda: cll.JaroWinklerLevel("street", 0.9),
        ),
        _else("different"),
    ),
)

LOCALITY = Comparison(
    name="locality",
    label="town",
    columns=("locality",),
    levels=(
        _null("locality"),
        Level("exact", "the same", lambda: cll.ExactMatchLevel("locality")),
        Level("close", "spelt nearly the same", lambda: cll.JaroWinklerLevel("locality", 0.9)),
        _else("different"),
    ),
)

POSTCODE = Comparison(
    name="postcode",
    label="postcode",
    columns=("postcode",),
    levels=(
        _null("postcode"),
        Level("exact", "the same", lambda: cll.ExactMatchLevel("postcode")),
        Level(
            "one_char",
            "one character differs",
            lambda: cll.DamerauLevenshteinLevel("postcode", 1),
        ),
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
