"""The linkage model: Splink settings from writ's comparisons, trained without labels, saved as a
versioned JSON artefact.

The artefact holds the m and u probability of every comparison level (what Splink learned), the
prior, the thresholds and the Splink settings it was trained with. Its version is a hash of its
parameters, so two matches that name the same version were made by the same model. The artefact
is backend-neutral: the same parameters are loaded into a DuckDB or a Spark linker.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writ.resolve.comparisons import BY_NAME, Comparison, comparisons_for
from writ.resolve.features import FEATURE_VERSION

if TYPE_CHECKING:  # Splink is imported where settings are built, not where a model is read
    from splink import SettingsCreator
    from splink.internals.blocking_rule_creator import BlockingRuleCreator
    from splink.internals.comparison_creator import ComparisonCreator

ARTEFACT_FORMAT = "writ-linkage-model/2"
UNOBSERVED = 1e-6
MIN_WEIGHT, MAX_WEIGHT = -12.0, 24.0  # bounds on one level's learned weight (log2 m/u)
SIGNIFICANT = 6  # learned values are kept to this many significant digits: one input, one model
TF_MIN_COUNT = 2  # values seen fewer times than this in training count as seen once
TF_WEIGHT = 1.0  # how much of Splink's term-frequency adjustment applies


def rounded(value: float) -> float:
    """``value`` to ``SIGNIFICANT`` significant digits, so that the last bits of a float sum (which
    depend on how the database split the work between threads) never change a model."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{SIGNIFICANT}g}")


@dataclass(frozen=True)
class TermFrequencies:
    """How often each value of one column occurs among the training records.

    Values seen at least ``TF_MIN_COUNT`` times are listed; any other value (rarer, or new since
    training) counts as seen once. The frequency of a value is its count over ``total``.
    """

    total: int
    counts: Mapping[str, int]

    def frequency(self, value: Any) -> float | None:
        if value is None or self.total <= 0:
            return None
        return self.counts.get(str(value), 1) / self.total

    @classmethod
    def of(cls, values: Iterable[Any]) -> TermFrequencies:
        counts: dict[str, int] = {}
        total = 0
        for value in values:
            if value is None:
                continue
            total += 1
            counts[str(value)] = counts.get(str(value), 0) + 1
        kept = {v: n for v, n in sorted(counts.items()) if n >= TF_MIN_COUNT}
        return cls(total, kept)

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "counts": dict(sorted(self.counts.items()))}


@dataclass(frozen=True)
class Thresholds:
    """Match-weight cut-offs: at or above ``accept`` merge, at or above ``review`` ask a human."""

    accept: float = 9.0
    review: float = 0.0

    def __post_init__(self) -> None:
        if self.review > self.accept:
            raise ValueError(
                f"thresholds: review ({self.review}) must not be above accept ({self.accept})"
            )

    def outcome(self, weight: float) -> str:
        if weight >= self.accept:
            return "accept"
        if weight >= self.review:
            return "review"
        return "reject"


@dataclass(frozen=True)
class LevelParameters:
    key: str
    label: str
    m: float | None
    u: float | None

    @property
    def weight(self) -> float:
        """log2(m/u): the evidence this level adds to a pair's match weight."""
        if not self.m or not self.u:
            return 0.0
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class LinkageModel:
    """A trained model: what to compare, the learned parameters and the thresholds."""

    comparisons: dict[str, list[LevelParameters]]
    prior: float  # probability that two random records are the same person
    thresholds: Thresholds = field(default_factory=Thresholds)
    trained_on: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    feature_version: int = FEATURE_VERSION
    # column -> frequencies of its values, for the levels with a term-frequency adjustment
    term_frequencies: Mapping[str, TermFrequencies] = field(default_factory=dict)
    tf_weight: float = TF_WEIGHT

    @cached_property
    def version(self) -> str:
        """``m-`` and 12 hex digits of the parameters' hash: the same model, the same version."""
        payload = {
            "comparisons": {k: [asdict(v) for v in vs] for k, vs in self.comparisons.items()},
            "prior": self.prior,
            "thresholds": asdict(self.thresholds),
            "feature_version": self.feature_version,
            "term_frequencies": self._tf_json(),
            "tf_weight": self.tf_weight,
        }
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        return f"m-{digest[:12]}"

    def _tf_json(self) -> dict[str, Any]:
        return {c: tf.to_json() for c, tf in sorted(self.term_frequencies.items())}

    def comparison(self, name: str) -> Comparison:
        return BY_NAME[name]

    def frequency(self, column: str, value: Any) -> float | None:
        """The term frequency of ``value`` in ``column`` (None: no adjustment)."""
        tf = self.term_frequencies.get(column)
        return None if tf is None else tf.frequency(value)

    @property
    def tf_columns(self) -> tuple[str, ...]:
        """The columns whose term frequencies adjust a level of this model's comparisons."""
        return tuple(
            sorted(
                {
                    level.tf
                    for name in self.comparisons
                    for level in BY_NAME[name].levels
                    if level.tf and level.tf in self.term_frequencies
                }
            )
        )

    def with_thresholds(self, thresholds: Thresholds) -> LinkageModel:
        return LinkageModel(
            self.comparisons,
            self.prior,
            thresholds,
            self.trained_on,
            self.created_at,
            self.feature_version,
            self.term_frequencies,
            self.tf_weight,
        )

    def splink_settings(self) -> SettingsCreator:
        """Splink settings carrying this model's parameters, for any backend."""
        return settings_creator(
            [BY_NAME[name] for name in self.comparisons],
            parameters=self.comparisons,
            prior=self.prior,
            tf_columns=set(self.tf_columns),
            tf_weight=self.tf_weight,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": ARTEFACT_FORMAT,
            "version": self.version,
            "created_at": self.created_at,
            "feature_version": self.feature_version,
            "prior": self.prior,
            "thresholds": asdict(self.thresholds),
            "comparisons": {
                name: [asdict(level) for level in levels]
                for name, levels in self.comparisons.items()
            },
            "trained_on": self.trained_on,
            "term_frequencies": self._tf_json(),
            "tf_weight": self.tf_weight,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinkageModel:
        if data.get("format") != ARTEFACT_FORMAT:
            raise ValueError(
                f"linkage model: format {data.get('format')!r} is not {ARTEFACT_FORMAT!r}"
            )
        unknown = set(data["comparisons"]) - set(BY_NAME)
        if unknown:
            raise ValueError(f"linkage model {data.get('version')}: unknown comparisons {unknown}")
        model = cls(
            comparisons={
                name: [LevelParameters(**level) for level in levels]
                for name, levels in data["comparisons"].items()
            },
            prior=float(data["prior"]),
            thresholds=Thresholds(**data["thresholds"]),
            trained_on=dict(data.get("trained_on") or {}),
            created_at=str(data.get("created_at") or ""),
            feature_version=int(data["feature_version"]),
            term_frequencies={
                column: TermFrequencies(int(tf["total"]), dict(tf["counts"]))
                for column, tf in (data.get("term_frequencies") or {}).items()
            },
            tf_weight=float(data.get("tf_weight", TF_WEIGHT)),
        )
        if data.get("version") and data["version"] != model.version:
            raise ValueError(
                f"linkage model: stated version {data['version']} does not match its "
                f"parameters ({model.version}); the artefact was altered"
            )
        return model

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path) -> LinkageModel:
        return cls.from_json(json.loads(path.read_text("utf-8")))


def _splink_comparison(
    comparison: Comparison,
    parameters: list[LevelParameters] | None,
    tf_columns: set[str] = frozenset(),  # type: ignore[assignment]
    tf_weight: float = TF_WEIGHT,
) -> ComparisonCreator:
    from splink.internals.comparison_library import CustomComparison

    learned = {level.key: level for level in parameters or []}
    levels: list[Any] = []
    for level in comparison.levels:
        creator = level.make().configure(label_for_charts=level.key)
        known = learned.get(level.key)
        if level.counted_in is not None:
            # Weighed by another comparison: no evidence here, and none to learn.
            creator = creator.configure(
                m_probability=0.5, u_probability=0.5, fix_m_probability=True, fix_u_probability=True
            )
        elif known is not None and not level.is_null and known.m is not None:
            creator = creator.configure(m_probability=known.m, u_probability=known.u)
        elif level.fixed_m is not None:
            creator = creator.configure(m_probability=level.fixed_m, fix_m_probability=True)
        if level.tf is not None and level.tf in tf_columns:
            # Splink's own adjustment: the level's u is replaced by the frequency of the value
            # the two records share (the greater of the two, should they differ).
            creator = creator.configure(
                tf_adjustment_column=level.tf,
                tf_adjustment_weight=tf_weight,
                disable_tf_exact_match_detection=True,
            )
        levels.append(creator)
    return CustomComparison(
        comparison_levels=levels,
        output_column_name=comparison.name,
        comparison_description=comparison.label,
    )


def prediction_blocking_rules(columns: set[str]) -> list[BlockingRuleCreator | dict[str, Any]]:
    """Which pairs are scored at all: any pair that shares one of these keys.

    Identity documents; the sound of the family name and the birth year (which also reaches a
    day or month mistyped, and day and month swapped); a first given name, or the first or last
    family name, with the full birth date (a double surname cut, a misspelt family name); the
    sound of both names with the birth day and month (a mistyped year); the same words of both
    names in any order with the birth year; one record's first given name as the other's first
    family name, with the full birth date (a swap with a typo in the other name); given and
    family names swapped by their sound with the birth year; postcode, town and street.
    """
    from splink import block_on

    rules: list[BlockingRuleCreator | dict[str, Any]] = []
    for column in ("a_number", "passport", "id_number"):
        if column in columns:
            rules.append(block_on(column))
    dates = "birth_date" in columns
    if dates:
        rules += [block_on("family_phonetic", "birth_year"), block_on("given_first", "birth_date")]
        rules += [block_on("family_last", "birth_date"), block_on("family_first", "birth_date")]
        rules += [
            block_on("given_phonetic", "family_phonetic", "birth_month", "birth_day"),
            block_on("name_sorted", "birth_year"),
            {"blocking_rule": f"{CROSS_GIVEN} AND l.birth_date = r.birth_date"},
            {"blocking_rule": f"{CROSS_FAMILY} AND l.birth_date = r.birth_date"},
        ]
    rules += _name_only_rules(dates)
    if "postcode" in columns:
        rules.append(block_on("postcode", "street_number"))
        if dates:
            rules.append(block_on("postcode", "birth_date"))
    if "locality" in columns and "street" in columns:
        rules.append(block_on("locality", "street"))
    return rules


NAMES = "l.given_phonetic = r.given_phonetic AND l.family_phonetic = r.family_phonetic"
CROSS_GIVEN = "l.given_first = r.family_first"
CROSS_FAMILY = "l.family_first = r.given_first"
SWAPPED = "l.given_phonetic = r.family_phonetic AND l.family_phonetic = r.given_phonetic"


def _name_only_rules(dates: bool) -> list[BlockingRuleCreator | dict[str, Any]]:
    """Pairs that share only names: the sound of both names, or of both names swapped.

    Where birth dates are known, a block of names alone grows with the square of a common name's
    count (hundreds of records among a million), and the pairs in it whose two records both have
    a birth date are already reached by the rules that add the birth date. So the sound of both
    names blocks only pairs where one side's birth date is missing; written as one rule per side,
    so that the database filters each side before the join. Names swapped keep the birth year
    when both sides have one (no other birth-date rule reaches a swap).
    """
    from splink import block_on

    if not dates:
        return [block_on("given_phonetic", "family_phonetic"), {"blocking_rule": SWAPPED}]
    return [
        {"blocking_rule": f"{NAMES} AND l.birth_date IS NULL"},
        {"blocking_rule": f"{NAMES} AND r.birth_date IS NULL"},
        {"blocking_rule": f"{SWAPPED} AND l.birth_year = r.birth_year"},
        {"blocking_rule": f"{SWAPPED} AND l.birth_year IS NULL"},
        {"blocking_rule": f"{SWAPPED} AND r.birth_year IS NULL"},
    ]


def settings_creator(
    comparisons: list[Comparison],
    parameters: dict[str, list[LevelParameters]] | None = None,
    prior: float | None = None,
    blocking_rules: list[BlockingRuleCreator | dict[str, Any]] | None = None,
    tf_columns: set[str] | None = None,
    tf_weight: float = TF_WEIGHT,
) -> SettingsCreator:
    """Splink settings for ``comparisons``; ``tf_columns`` turns on the term-frequency adjustment
    of the levels that name one of them (prediction only: training learns m and u without)."""
    from splink import SettingsCreator

    columns = {column for comparison in comparisons for column in comparison.columns}
    kwargs: dict[str, Any] = {}
    if prior is not None:
        kwargs["probability_two_random_records_match"] = prior
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _splink_comparison(c, (parameters or {}).get(c.name), set(tf_columns or ()), tf_weight)
            for c in comparisons
        ],
        blocking_rules_to_generate_predictions=(
            blocking_rules if blocking_rules is not None else prediction_blocking_rules(columns)
        ),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        **kwargs,
    )


def bounded(
    comparison: Comparison, m: dict[str, float | None], u: dict[str, float | None]
) -> list[LevelParameters]:
    """Every level's parameters from learned m and u: a level never seen adds no evidence either
    way (m = u), no level may veto or prove a match alone (``MIN_WEIGHT``, ``MAX_WEIGHT``), a
    level another comparison weighs has none, and every value is rounded (``SIGNIFICANT``)."""
    levels = []
    for level in comparison.levels:
        if level.is_null or level.counted_in is not None:
            levels.append(LevelParameters(level.key, level.label, None, None))
            continue
        lm, lu = m.get(level.key), u.get(level.key)
        if lm is None or lu is None:
            lm = lu = lu or lm or UNOBSERVED
        lm = min(max(lm, lu * 2**MIN_WEIGHT), lu * 2**MAX_WEIGHT, 1.0)
        levels.append(LevelParameters(level.key, level.label, rounded(lm), rounded(lu)))
    return levels


def learned_parameters(
    linker: Any, comparisons: list[Comparison]
) -> dict[str, list[LevelParameters]]:
    """Read m and u of every level back from a trained Splink linker."""
    result: dict[str, list[LevelParameters]] = {}
    trained = {c.output_column_name: c for c in linker._settings_obj.comparisons}
    for comparison in comparisons:
        splink_levels = trained[comparison.name].comparison_levels
        m: dict[str, float | None] = {}
        u: dict[str, float | None] = {}
        for level, splink_level in zip(comparison.levels, splink_levels, strict=True):
            m[level.key] = _probability(splink_level._m_probability)
            u[level.key] = _probability(splink_level._u_probability)
        result[comparison.name] = bounded(comparison, m, u)
    return result


def _probability(value: Any) -> float | None:
    if not isinstance(value, int | float) or math.isnan(value):
        return None  # unknown, or Splink's "level not observed"
    return float(value)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def comparisons_for_model(columns: set[str]) -> list[Comparison]:
    return comparisons_for(columns)
