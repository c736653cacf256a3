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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from splink import SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.comparison_library import CustomComparison

from writ.resolve.comparisons import BY_NAME, Comparison, comparisons_for
from writ.resolve.features import FEATURE_VERSION

ARTEFACT_FORMAT = "writ-linkage-model/1"
UNOBSERVED = 1e-6
MIN_WEIGHT, MAX_WEIGHT = -12.0, 24.0  # bounds on one level's learned weight (log2 m/u)


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

    @cached_property
    def version(self) -> str:
        """``m-`` and 12 hex digits of the parameters' hash: the same model, the same version."""
        payload = {
            "comparisons": {k: [asdict(v) for v in vs] for k, vs in self.comparisons.items()},
            "prior": self.prior,
            "thresholds": asdict(self.thresholds),
            "feature_version": self.feature_version,
        }
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        return f"m-{digest[:12]}"

    def comparison(self, name: str) -> Comparison:
        return BY_NAME[name]

    def with_thresholds(self, thresholds: Thresholds) -> LinkageModel:
        return LinkageModel(
            self.comparisons,
            self.prior,
            thresholds,
            self.trained_on,
            self.created_at,
            self.feature_version,
        )

    def splink_settings(self) -> SettingsCreator:
        """Splink settings carrying this model's parameters, for any backend."""
        return settings_creator(
            [BY_NAME[name] for name in self.comparisons],
            parameters=self.comparisons,
            prior=self.prior,
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
    comparison: Comparison, parameters: list[LevelParameters] | None
) -> ComparisonCreator:
    learned = {level.key: level for level in parameters or []}
    levels: list[ComparisonLevelCreator | dict[str, Any]] = []
    for level in comparison.levels:
        creator = level.make().configure(label_for_charts=level.key)
        known = learned.get(level.key)
        if known is not None and not level.is_null and known.m is not None:
            creator = creator.configure(m_probability=known.m, u_probability=known.u)
        elif level.fixed_m is not None:
            creator = creator.configure(m_probability=level.fixed_m, fix_m_probability=True)
        levels.append(creator)
    return CustomComparison(
        comparison_levels=levels,
        output_column_name=comparison.name,
        comparison_description=comparison.label,
    )


def prediction_blocking_rules(columns: set[str]) -> list[BlockingRuleCreator | dict[str, Any]]:
    """Which pairs are scored at all: any pair that shares one of these keys."""
    rules: list[BlockingRuleCreator | dict[str, Any]] = []
    for column in ("a_number", "passport", "id_number"):
        if column in columns:
            rules.append(block_on(column))
    if "birth_date" in columns:
        rules += [block_on("family_phonetic", "birth_year"), block_on("given_first", "birth_date")]
        rules += [block_on("family_last", "birth_date"), block_on("family_first", "birth_date")]
    rules += _name_only_rules("birth_date" in columns)
    if "postcode" in columns:
        rules.append(block_on("postcode", "street_number"))
        if "birth_date" in columns:
            rules.append(block_on("postcode", "birth_date"))
    if "locality" in columns and "street" in columns:
        rules.append(block_on("locality", "street"))
    return rules


NAMES = "l.given_phonetic = r.given_phonetic AND l.family_phonetic = r.family_phonetic"
SWAPPED = "l.given_first = r.family_first AND l.family_first = r.given_first"


def _name_only_rules(dates: bool) -> list[BlockingRuleCreator | dict[str, Any]]:
    """Pairs that share only names: the sound of both names, or both names swapped.

    Where birth dates are known, a block of names alone grows with the square of a common name's
    count (hundreds of records among a million), and the pairs in it whose two records both have
    a birth date are already reached by the rules that add the birth date (the family name's
    sound and the birth year also reaches day and month swapped). So the sound of both names
    blocks only pairs where one side's birth date is missing; written as one rule per side, so
    that the database filters each side before the join. Names swapped keep the birth year when
    both sides have one (no birth-date rule reaches a swap).
    """
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
) -> SettingsCreator:
    columns = {column for comparison in comparisons for column in comparison.columns}
    kwargs: dict[str, Any] = {}
    if prior is not None:
        kwargs["probability_two_random_records_match"] = prior
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[_splink_comparison(c, (parameters or {}).get(c.name)) for c in comparisons],
        blocking_rules_to_generate_predictions=(
            blocking_rules if blocking_rules is not None else prediction_blocking_rules(columns)
        ),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        **kwargs,
    )


def learned_parameters(
    linker: Any, comparisons: list[Comparison]
) -> dict[str, list[LevelParameters]]:
    """Read m and u of every level back from a trained Splink linker."""
    result: dict[str, list[LevelParameters]] = {}
    trained = {c.output_column_name: c for c in linker._settings_obj.comparisons}
    for comparison in comparisons:
        splink_levels = trained[comparison.name].comparison_levels
        levels = []
        for level, splink_level in zip(comparison.levels, splink_levels, strict=True):
            if level.is_null:
                levels.append(LevelParameters(level.key, level.label, None, None))
                continue
            m = _probability(splink_level._m_probability)
            u = _probability(splink_level._u_probability)
            # A level never seen in training adds no evidence either way (m = u), rather than
            # Splink's generic default.
            if m is None or u is None:
                m = u = u or m or UNOBSERVED
            # Nor may one level veto or prove a match alone on a few training pairs' say-so.
            m = min(max(m, u * 2**MIN_WEIGHT), u * 2**MAX_WEIGHT, 1.0)
            levels.append(LevelParameters(level.key, level.label, m, u))
        result[comparison.name] = levels
    return result


def _probability(value: Any) -> float | None:
    if not isinstance(value, int | float) or math.isnan(value):
        return None  # unknown, or Splink's "level not observed"
    return float(value)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def comparisons_for_model(columns: set[str]) -> list[Comparison]:
    return comparisons_for(columns)
