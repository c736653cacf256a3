"""``writ demo generate``: invented agency extracts, their mappings and the truth behind them.

Four sources about one invented population, each in its own system's conventions and with the
noise real extracts have, plus twins and namesakes as traps for record linkage. The same seed
always gives the same bytes. Nothing here describes a real person.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from writ.demo.people import DemoPerson, Population, build_population
from writ.demo.readme import readme_text
from writ.demo.sources import SOURCES, Source
from writ.demo.writing import SourceRow

GROUND_TRUTH_COLUMNS = (
    "source",
    "record_id",
    "person_id",
    "entity",
    "line",
    "expected_quarantine",
    "validation_errors",
    "noise",
)
MIN_PEOPLE = 20


@dataclass(frozen=True)
class GroundTruthRow:
    """Which invented person one entity of one source row is, and what the row gets wrong.

    ``record_id`` is the id ingest gives the row (key values joined with ``|``), empty when the
    key is missing; ``line`` is the row's line in its file (a CSV header is line 1).
    """

    source: str
    record_id: str
    person_id: str
    entity: str
    line: int
    expected_quarantine: str
    validation_errors: tuple[str, ...]
    noise: tuple[str, ...]


@dataclass(frozen=True)
class GeneratedDemo:
    """What ``generate`` wrote, and the truth it was made from."""

    out_dir: Path
    seed: int
    people: tuple[DemoPerson, ...]
    truth: tuple[GroundTruthRow, ...]
    data_files: dict[str, Path]
    mappings: dict[str, Path]
    ground_truth: Path
    readme: Path

    def rows_per_source(self) -> dict[str, int]:
        """Rows written per source (lines of data, whether ingest will take them or not)."""
        lines = {(row.source, row.line) for row in self.truth}
        return dict(sorted(Counter(source for source, _ in lines).items()))

    def expected_quarantine(self) -> dict[str, list[int]]:
        """Per source, the lines built to be refused by ingest."""
        refused: dict[str, set[int]] = {}
        for row in self.truth:
            if row.expected_quarantine:
                refused.setdefault(row.source, set()).add(row.line)
        return {source: sorted(lines) for source, lines in sorted(refused.items())}

    def noise_counts(self) -> dict[str, int]:
        """How many person mentions carry each kind of noise."""
        return dict(sorted(Counter(tag for row in self.truth for tag in row.noise).items()))

    def trap_counts(self) -> dict[str, int]:
        """Twin and namesake pairs, and how many of them sit side by side in one source."""
        sources_of: dict[str, set[str]] = {}
        for row in self.truth:
            sources_of.setdefault(row.person_id, set()).add(row.source)
        counts: Counter[str] = Counter()
        for person in self.people:
            for trap, other in (("twin", person.twin_of), ("namesake", person.namesake_of)):
                if other and person.person_id < other:
                    counts[f"{trap}_pairs"] += 1
                    if sources_of.get(person.person_id, set()) & sources_of.get(other, set()):
                        counts[f"{trap}_pairs_in_same_source"] += 1
        counts["people_in_two_or_more_sources"] = sum(
            1 for sources in sources_of.values() if len(sources) >= 2
        )
        return dict(sorted(counts.items()))


def generate(out_dir: Path, people: int = 400, seed: int = 7) -> GeneratedDemo:
    """Write the synthetic sources, their mappings, the ground truth and a README to ``out_dir``."""
    if people < MIN_PEOPLE:
        raise ValueError(f"demo: people={people} is too few to hold the traps; use {MIN_PEOPLE}+")
    rng = random.Random(seed)
    population = Population(build_population(rng, people))
    plan = _plan(rng, population)
    out_dir.mkdir(parents=True, exist_ok=True)
    truth: list[GroundTruthRow] = []
    data_files: dict[str, Path] = {}
    mappings: dict[str, Path] = {}
    for source in SOURCES:
        rows = source.render(rng, plan[source.name], population)
        data_files[source.name] = _write_rows(out_dir, source, rows)
        truth.extend(_truth(source, rows))
        mappings[source.name] = _copy_mapping(out_dir, source)
    ground_truth = _write_ground_truth(out_dir, truth)
    demo = GeneratedDemo(
        out_dir=out_dir,
        seed=seed,
        people=tuple(population.people),
        truth=tuple(truth),
        data_files=data_files,
        mappings=mappings,
        ground_truth=ground_truth,
        readme=out_dir / "README.txt",
    )
    demo.readme.write_text(readme_text(demo), encoding="utf-8")
    return demo


# Chance that a person is in each source, and the chance of each further record there.
_PRESENCE = {"bookings": 0.5, "court_records": 0.4, "visa_benefits": 0.5, "legacy_cases": 0.3}
_REPEAT = {"bookings": 0.22, "court_records": 0.15, "visa_benefits": 0.08, "legacy_cases": 0.0}


def _plan(rng: random.Random, population: Population) -> dict[str, list[DemoPerson]]:
    """Which people each source holds, and how many times (a person is booked more than once)."""
    plan: dict[str, list[DemoPerson]] = {source.name: [] for source in SOURCES}
    for person in population.people:
        eligible = _eligible_sources(person)
        chosen = [name for name in eligible if rng.random() < _PRESENCE[name]]
        if person.twin_of or person.namesake_of:
            chosen = sorted({"bookings", *chosen, rng.choice(eligible[1:])}, key=eligible.index)
        if not chosen:
            chosen = [rng.choice(eligible)]
        for name in chosen:
            plan[name].append(person)
            while rng.random() < _REPEAT[name]:
                plan[name].append(person)
    return plan


def _eligible_sources(person: DemoPerson) -> list[str]:
    """Visa files hold only the foreign-born; legacy files only those adult before 2012."""
    eligible = ["bookings", "court_records"]
    if person.country_of_birth != "US":
        eligible.append("visa_benefits")
        if person.birth_date.year <= 1992:
            eligible.append("legacy_cases")
    return eligible


def _first_line(source: Source) -> int:
    return 2 if source.file_name.endswith(".csv") else 1


def _write_rows(out_dir: Path, source: Source, rows: list[SourceRow]) -> Path:
    path = out_dir / source.file_name
    with path.open("w", encoding="utf-8", newline="") as handle:
        if source.file_name.endswith(".csv"):
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(source.columns)
            for row in rows:
                fields = [row.values.get(column) or "" for column in source.columns]
                writer.writerow(fields + row.extra_fields)
        else:
            for row in rows:
                handle.write(json.dumps(row.values, ensure_ascii=False) + "\n")
    return path


def _truth(source: Source, rows: list[SourceRow]) -> list[GroundTruthRow]:
    first = _first_line(source)
    return [
        GroundTruthRow(
            source=source.name,
            record_id=source.record_id(row),
            person_id=person_id,
            entity=entity,
            line=first + index,
            expected_quarantine=row.quarantine,
            validation_errors=tuple(row.validation_errors),
            noise=tuple(row.noise.get(entity, ())),
        )
        for index, row in enumerate(rows)
        for entity, person_id in row.people.items()
    ]


def _write_ground_truth(out_dir: Path, truth: list[GroundTruthRow]) -> Path:
    path = out_dir / "ground_truth.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(GROUND_TRUTH_COLUMNS)
        for row in truth:
            writer.writerow(
                (
                    row.source,
                    row.record_id,
                    row.person_id,
                    row.entity,
                    row.line,
                    row.expected_quarantine,
                    ";".join(row.validation_errors),
                    ";".join(row.noise),
                )
            )
    return path


def _copy_mapping(out_dir: Path, source: Source) -> Path:
    mapping = resources.files("writ.demo").joinpath("mappings", f"{source.name}.yml")
    path = out_dir / f"{source.name}.yml"
    path.write_text(mapping.read_text(encoding="utf-8"), encoding="utf-8")
    return path
