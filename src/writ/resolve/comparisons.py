"""What the linkage model compares, level by level, and how each level is said in words.

Each comparison is a list of levels from the most to the least alike; a pair of records falls in
the first level whose condition holds. Splink learns a match weight for every level. The labels
here are what a reviewer reads in an explanation: "date of birth: day and month swapped (-1.2)".

Every level's condition is written once here and rendered two ways: as Splink's SQL (for batch
linkage on DuckDB or Spark) and as a Python test of two feature rows (for the single-record
look-up, which scores a few candidates without starting a database). Both follow SQL's
three-valued logic: a comparison with an unknown value is unknown, not false, and ``NOT`` of
unknown stays unknown. ``tests/test_resolve_scoring.py`` checks that the two renderings put
every pair in the same level.

Names are compared as two comparisons, given and family name, but a pair whose names are the
same words in another order (given and family names swapped, or a one-field name split at
another word) is one piece of evidence, not two: the family-name comparison weighs it, and the
given-name comparison's ``reordered`` level is held at no weight (``counted_in``).

Some levels carry a **term-frequency adjustment** (``tf``): Splink's own, which replaces the
level's average chance of agreeing by coincidence (u) with the frequency of the very value the
two records share, so "Nguyen" counts for less than "Okonkwo" (see ``writ.resolve.model``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jellyfish

if TYPE_CHECKING:  # Splink is imported only where a level is rendered as SQL
    from splink.internals.comparison_level_creator import ComparisonLevelCreator

Row = Mapping[str, Any]
Value = Callable[[Row, Row], bool | None]  # a condition on (left, right): True, False or unknown
Make = Callable[[], "ComparisonLevelCreator"]  # the same condition as a Splink comparison level


def _cll() -> Any:
    import splink.comparison_level_library as cll

    return cll


@dataclass(frozen=True)
class Cond:
    """A condition on a pair of feature rows, as Splink SQL (``make``) and in Python (``value``)."""

    make: Make
    value: Value

    def holds(self, left: Row, right: Row) -> bool:
        return self.value(left, right) is True


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    cond: Cond
    is_null: bool = False
    # Known, not learned: how often one person's two records fall in this level. Set where
    # households (twins, a father and son of one name at one address) would otherwise teach
    # the unsupervised training that the level is common among matches.
    fixed_m: float | None = None
    # The feature column whose value's frequency adjusts this level's weight (Splink's term
    # frequency adjustment); None for no adjustment.
    tf: str | None = None
    # Evidence another comparison weighs: the level adds nothing here (m = u, held fixed).
    counted_in: str | None = None

    def holds(self, left: Row, right: Row) -> bool:
        return self.cond.holds(left, right)

    def make(self) -> ComparisonLevelCreator:
        return self.cond.make()


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

    @property
    def tf_columns(self) -> tuple[str, ...]:
        return tuple(sorted({level.tf for level in self.levels if level.tf}))


# -- conditions: leaves ---------------------------------------------------------------------------


def _both(left: Row, a: str, right: Row, b: str) -> tuple[Any, Any] | None:
    x, y = left.get(a), right.get(b)
    if x is None or y is None:
        return None
    return x, y


def eq(a: str, b: str | None = None) -> Cond:
    """``a_l = b_r`` (``b`` defaults to ``a``)."""
    b = b or a

    def value(left: Row, right: Row) -> bool | None:
        both = _both(left, a, right, b)
        return None if both is None else both[0] == both[1]

    if a == b:
        return Cond(lambda: _cll().ExactMatchLevel(a), value)
    return Cond(lambda: _cll().CustomLevel(f"{a}_l = {b}_r"), value)


def _jw_sql(a: str, b: str, threshold: float) -> Make:
    from splink.internals.comparison_level_creator import ComparisonLevelCreator

    class CrossJaroWinkler(ComparisonLevelCreator):
        """Jaro-Winkler of one column on the left and another on the right, in the dialect's
        own function (Splink's level compares one column with itself only)."""

        def create_sql(self, sql_dialect: Any) -> str:
            function = sql_dialect.jaro_winkler_function_name
            return f'{function}("{a}_l", "{b}_r") >= {threshold}'

        def create_label_for_charts(self) -> str:
            return f"Jaro-Winkler of {a}_l and {b}_r >= {threshold}"

    return CrossJaroWinkler


def jaro_winkler(a: str, threshold: float, b: str | None = None) -> Cond:
    # jellyfish and DuckDB's jaro_winkler_similarity agree (same algorithm, prefix scale 0.1).
    b = b or a

    def value(left: Row, right: Row) -> bool | None:
        both = _both(left, a, right, b)
        if both is None:
            return None
        return jellyfish.jaro_winkler_similarity(both[0], both[1]) >= threshold

    if a == b:
        return Cond(lambda: _cll().JaroWinklerLevel(a, threshold), value)
    return Cond(lambda: _jw_sql(a, b, threshold)(), value)


def damerau_levenshtein(column: str, distance: int) -> Cond:
    def value(left: Row, right: Row) -> bool | None:
        both = _both(left, column, right, column)
        if both is None:
            return None
        return jellyfish.damerau_levenshtein_distance(both[0], both[1]) <= distance

    return Cond(lambda: _cll().DamerauLevenshteinLevel(column, distance), value)


def array_intersect(column: str) -> Cond:
    def value(left: Row, right: Row) -> bool | None:
        both = _both(left, column, right, column)
        return None if both is None else bool(set(both[0]) & set(both[1]))

    return Cond(lambda: _cll().ArrayIntersectLevel(column), value)


def custom(sql: str, value: Value) -> Cond:
    return Cond(lambda: _cll().CustomLevel(sql), value)


# -- conditions: SQL's three-valued AND, OR, NOT -------------------------------------------------


def all_of(*conds: Cond) -> Cond:
    def value(left: Row, right: Row) -> bool | None:
        values = [c.value(left, right) for c in conds]
        if any(v is False for v in values):
            return False
        return None if any(v is None for v in values) else True

    return Cond(lambda: _cll().And(*(c.make() for c in conds)), value)


def any_of(*conds: Cond) -> Cond:
    def value(left: Row, right: Row) -> bool | None:
        values = [c.value(left, right) for c in conds]
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False

    return Cond(lambda: _cll().Or(*(c.make() for c in conds)), value)


def not_(cond: Cond) -> Cond:
    def value(left: Row, right: Row) -> bool | None:
        inner = cond.value(left, right)
        return None if inner is None else not inner

    return Cond(lambda: _cll().Not(cond.make()), value)


def _null(column: str) -> Level:
    return Level(
        "missing",
        "missing on one record",
        Cond(
            lambda: _cll().NullLevel(column),
            lambda left, right: left.get(column) is None or right.get(column) is None,
        ),
        is_null=True,
    )


def _else(label: str, fixed_m: float | None = None) -> Level:
    return Level(
        "different",
        label,
        Cond(lambda: _cll().ElseLevel(), lambda left, right: True),
        fixed_m=fixed_m,
    )


# -- name conditions -------------------------------------------------------------------------------

# Every word of the given names is the other record's family name and the other way round.
NAMES_SWAPPED = all_of(eq("given", "family"), eq("family", "given"))
# The same words, in any order (a one-field name split at another word, names swapped).
SAME_WORDS = eq("name_sorted")
# Swapped, and spelt nearly the same: a swap and a typo.
SWAPPED_CLOSE = all_of(jaro_winkler("given", 0.92, "family"), jaro_winkler("family", 0.92, "given"))
NAMES_REORDERED = all_of(not_(eq("family")), any_of(NAMES_SWAPPED, SAME_WORDS, SWAPPED_CLOSE))


ONE_OF_TWO = any_of(
    eq("family_first", "family"),
    eq("family", "family_first"),
    eq("family_last", "family"),
    eq("family", "family_last"),
)

# One record has only the first of the other's given names ("Maria" / "Maria Guadalupe").
GIVEN_DROPPED = any_of(eq("given", "given_first"), eq("given_first", "given"))

# -- date conditions -------------------------------------------------------------------------------


def _birth_partial(left: Row, right: Row) -> bool | None:
    years = eq("birth_year").value(left, right)
    if not years:
        return years
    if left.get("birth_date") is not None and right.get("birth_date") is not None:
        return False
    lm, rm = left.get("birth_month"), right.get("birth_month")
    return lm is None or rm is None or lm == rm


def _within_5_years(left: Row, right: Row) -> bool | None:
    both = _both(left, "birth_year", right, "birth_year")
    return None if both is None else abs(int(both[0]) - int(both[1])) < 5


DAY_MONTH_SWAPPED = all_of(
    eq("birth_year"), eq("birth_month", "birth_day"), eq("birth_day", "birth_month")
)

_STREET_CLOSE = jaro_winkler("street", 0.9)
_NUMBER_SAME = eq("street_number")


# -- the comparisons ----------------------------------------------------------------------------

GIVEN_NAME = Comparison(
    name="given_name",
    label="given name",
    columns=(
        "given",
        "given_first",
        "given_keys",
        "given_phonetic",
        "given_compact",
        "family",
        "name_sorted",
    ),
    levels=(
        _null("given"),
        Level("exact", "the same", eq("given"), tf="given"),
        Level(
            "reordered",
            "names in another order (counted once, under family name)",
            NAMES_REORDERED,
            counted_in="family_name",
        ),
        Level(
            "given_reordered",
            "the same given names in another order",
            all_of(eq("family"), SAME_WORDS),
        ),
        Level(
            "dropped",
            "one record has only the first of the other's given names",
            GIVEN_DROPPED,
            tf="given_first",
        ),
        Level(
            "first_name",
            "first given name the same, other given names differ",
            eq("given_first"),
            tf="given_first",
        ),
        Level("nickname", "a nickname or short form", array_intersect("given_keys")),
        Level("compact", "written together on one record, apart on the other", eq("given_compact")),
        Level("close", "spelt nearly the same", jaro_winkler("given", 0.92)),
        Level("sounds", "sounds the same", eq("given_phonetic")),
        Level("similar", "spelt somewhat alike", jaro_winkler("given", 0.8)),
        _else("different"),
    ),
)

FAMILY_NAME = Comparison(
    name="family_name",
    label="family name",
    columns=(
        "family",
        "family_first",
        "family_last",
        "family_phonetic",
        "family_compact",
        "given",
        "name_sorted",
    ),
    levels=(
        _null("family"),
        Level("exact", "the same", eq("family"), tf="family"),
        Level(
            "swapped",
            "given and family names swapped (every word)",
            NAMES_SWAPPED,
            tf="name_sorted",
        ),
        Level(
            "reordered",
            "the same words in another order",
            SAME_WORDS,
            tf="name_sorted",
        ),
        Level(
            "swapped_close",
            "given and family names swapped, spelt nearly the same",
            SWAPPED_CLOSE,
        ),
        Level(
            "compact",
            "written together on one record, apart on the other",
            eq("family_compact"),
        ),
        Level(
            "one_of_two",
            "double surname written in full on one record, cut to one on the other",
            ONE_OF_TWO,
        ),
        Level(
            "first_same",
            "first family name the same, second differs",
            eq("family_first"),
            tf="family_first",
        ),
        Level("close", "spelt nearly the same", jaro_winkler("family", 0.92)),
        Level("sounds", "sounds the same", eq("family_phonetic")),
        Level("similar", "spelt somewhat alike", jaro_winkler("family", 0.8)),
        _else("different"),
    ),
)

BIRTH_DATE = Comparison(
    name="birth_date",
    label="date of birth",
    columns=("birth_year", "birth_date", "birth_month", "birth_day"),
    levels=(
        _null("birth_year"),
        Level("exact", "the same", eq("birth_date")),
        Level(
            "partial",
            "only partly known on one record, the known part agrees",
            custom(
                "birth_year_l = birth_year_r AND (birth_date_l IS NULL OR birth_date_r IS NULL)"
                " AND (birth_month_l IS NULL OR birth_month_r IS NULL"
                " OR birth_month_l = birth_month_r)",
                _birth_partial,
            ),
        ),
        Level("day_month_swapped", "day and month swapped", DAY_MONTH_SWAPPED),
        Level(
            "one_digit",
            "one digit differs or two digits transposed",
            damerau_levenshtein("birth_date", 1),
        ),
        Level("same_year", "same year, month or day differ", eq("birth_year")),
        Level(
            "within_5_years",
            "different, less than five years apart",
            custom(
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
        Level("exact", "the same", eq("a_number")),
        Level(
            "one_char",
            "one digit differs or two are transposed",
            damerau_levenshtein("a_number", 1),
        ),
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
        Level("exact", "the same", eq("passport")),
        Level(
            "one_char",
            "one character differs or two are transposed",
            damerau_levenshtein("passport", 1),
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
        Level("exact", "the same", eq("id_number")),
        Level("one_char", "one character differs", damerau_levenshtein("id_number", 1)),
        Level("two_chars", "two characters differ", damerau_levenshtein("id_number", 2)),
        _else("different"),
    ),
)

GENDER = Comparison(
    name="gender",
    label="sex",
    columns=("gender",),
    levels=(
        _null("gender"),
        Level("exact", "the same", eq("gender")),
        _else("different"),
    ),
)

# Nationality and country of birth are different facts (a person born in Mexico may hold Guatemalan
# nationality): each is compared with its own kind only.
NATIONALITY = Comparison(
    name="nationality",
    label="nationality",
    columns=("nationality",),
    levels=(
        _null("nationality"),
        Level("exact", "the same", eq("nationality")),
        _else("different"),
    ),
)

BIRTH_COUNTRY = Comparison(
    name="birth_country",
    label="country of birth",
    columns=("birth_country",),
    levels=(
        _null("birth_country"),
        Level("exact", "the same", eq("birth_country")),
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
            custom(
                "street_l = street_r AND street_number_l = street_number_r",
                all_of(eq("street"), eq("street_number")).value,
            ),
        ),
        Level(
            "close",
            "street spelt nearly the same, same house number",
            all_of(_STREET_CLOSE, _NUMBER_SAME),
        ),
        Level("same_street", "same street, house number differs or unknown", _STREET_CLOSE),
        _else("different"),
    ),
)

LOCALITY = Comparison(
    name="locality",
    label="town",
    columns=("locality",),
    levels=(
        _null("locality"),
        Level("exact", "the same", eq("locality")),
        Level("close", "spelt nearly the same", jaro_winkler("locality", 0.9)),
        _else("different"),
    ),
)

POSTCODE = Comparison(
    name="postcode",
    label="postcode",
    columns=("postcode",),
    levels=(
        _null("postcode"),
        Level("exact", "the same", eq("postcode")),
        Level("one_char", "one character differs", damerau_levenshtein("postcode", 1)),
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
    NATIONALITY,
    BIRTH_COUNTRY,
    ADDRESS,
    LOCALITY,
    POSTCODE,
)
BY_NAME = {comparison.name: comparison for comparison in ALL_COMPARISONS}
TF_COLUMNS: tuple[str, ...] = tuple(
    sorted({column for comparison in ALL_COMPARISONS for column in comparison.tf_columns})
)


def comparisons_for(columns: Collection[str]) -> list[Comparison]:
    """The comparisons whose main column has a value somewhere in the data."""
    return [c for c in ALL_COMPARISONS if c.columns[0] in columns]
