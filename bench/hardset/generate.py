"""Write one part of the hard benchmark: three agency sources, their mappings and the truth.

    from hardset import generate
    generated = generate(Path("out"), part="dev", people=6300)

Parts differ in seed AND population: each has its own mix of naming traditions and its own half
of every name list (the commonest names are in both). The same part, size and seed always give
the same bytes.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hardset.cultures import CULTURES, raw_names
from hardset.noise import Variants
from hardset.population import Builder, Person, name_commonness
from hardset.romanize import ascii_fold, romanise
from hardset.sources import SOURCES, Record, render, reset_numbering

MAPPINGS = Path(__file__).parent / "mappings"
TRUTH_COLUMNS = (
    "source",
    "record_id",
    "entity",
    "person_id",
    "culture",
    "noise",
    "traps",
    "household",
    "twin_group",
    "namesake_group",
    "junior_group",
    "family",
)


@dataclass(frozen=True)
class Part:
    name: str
    seed: int
    half: int  # which half of each name list this part draws from
    mix: dict[str, float]  # culture -> share of households


PARTS: dict[str, Part] = {
    "dev": Part(
        "dev",
        20_261,
        0,
        {
            "mexican": 17,
            "central_american": 12,
            "colombian_venezuelan": 4,
            "us": 9,
            "chinese": 8,
            "vietnamese": 7,
            "korean": 4,
            "indian": 6,
            "russian": 5,
            "ukrainian": 4,
            "maghrebi": 5,
            "nigerian": 5,
            "haitian": 3,
            "brazilian": 3,
            "turkish": 3,
            "greek": 2,
            "kenyan": 2,
            "italian": 1,
        },
    ),
    "heldout": Part(
        "heldout",
        73_907,
        1,
        {
            "central_american": 18,
            "mexican": 8,
            "colombian_venezuelan": 6,
            "us": 7,
            "taiwanese": 4,
            "chinese": 6,
            "vietnamese": 8,
            "korean": 6,
            "nepali": 4,
            "bangladeshi": 4,
            "indian": 3,
            "bulgarian": 3,
            "russian": 3,
            "ukrainian": 5,
            "georgian": 2,
            "armenian": 2,
            "uzbek": 3,
            "ghanaian": 4,
            "kenyan": 3,
            "british_caribbean": 3,
            "indonesian": 3,
            "romanian": 3,
            "maghrebi": 2,
        },
    ),
}

NAMESAKE_SHARE = 0.006


@dataclass(frozen=True)
class TruthRow:
    source: str
    record_id: str
    entity: str
    person_id: str
    culture: str
    noise: tuple[str, ...]
    traps: tuple[str, ...]
    household: str
    twin_group: str
    namesake_group: str
    junior_group: str
    family: str  # the first family name as the person's passport romanises it, folded


@dataclass(frozen=True)
class Generated:
    out_dir: Path
    part: str
    seed: int
    people: int
    mappings: dict[str, Path]  # source -> mapping file
    truth: tuple[TruthRow, ...]
    truth_path: Path


def _variants(cultures: Iterable[str]) -> Variants:
    names: set[str] = set()
    for key in cultures:
        if CULTURES[key].script != "latin":
            continue
        for kind in ("male", "female", "family_male", "family_female"):
            names.update(raw_names(key, kind))
    return Variants(names)


def _build(part: Part, people: int, rng: np.random.Generator) -> list[Person]:
    builder = Builder(part.mix, part.half, rng)
    target = int(people * 1.26)  # some people get no record at all
    while len(builder.people) < target * (1 - NAMESAKE_SHARE):
        builder.household()
    adults = [p for p in builder.people if p.born.year < 2004 and not p.namesake_group]
    # namesakes are likelier among common names, as in life: weight by the family name's count
    counts: dict[str, int] = {}
    for p in adults:
        counts[p.family[0]] = counts.get(p.family[0], 0) + 1
    weights = np.array([counts[p.family[0]] for p in adults], dtype=float)
    chosen = rng.choice(
        len(adults), size=int(target * NAMESAKE_SHARE), replace=False, p=weights / weights.sum()
    )
    for i in sorted(int(c) for c in chosen):
        builder.namesake_of(adults[i])
    name_commonness(builder.people)
    return builder.people


def generate(
    out_dir: Path, part: str = "dev", people: int = 6300, seed: int | None = None
) -> Generated:
    """Write ``part`` (``dev`` or ``heldout``) of about ``people`` people into ``out_dir``."""
    spec = PARTS[part]
    seed = spec.seed if seed is None else seed
    rng = np.random.default_rng(seed)
    reset_numbering()
    population = _build(spec, people, rng)
    variants = _variants(spec.mix)
    records: dict[str, list[Record]] = {name: [] for name in SOURCES}
    for person in population:
        for record in render(person, rng, variants):
            records[record.source].append(record)
    out_dir.mkdir(parents=True, exist_ok=True)
    mappings: dict[str, Path] = {}
    truth: list[TruthRow] = []
    for name, source in SOURCES.items():
        rows = sorted(records[name], key=lambda r: r.record_id)
        source.write(out_dir / source.file, rows)
        mapping = out_dir / f"{name}.yml"
        shutil.copyfile(MAPPINGS / f"{name}.yml", mapping)
        mappings[name] = mapping
        truth += [_truth_row(r, _person(population, r.person_id)) for r in rows]
    truth_path = out_dir / "truth.csv"
    with truth_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TRUTH_COLUMNS)
        for row in truth:
            writer.writerow(
                [
                    row.source,
                    row.record_id,
                    row.entity,
                    row.person_id,
                    row.culture,
                    ";".join(row.noise),
                    ";".join(row.traps),
                    row.household,
                    row.twin_group,
                    row.namesake_group,
                    row.junior_group,
                    row.family,
                ]
            )
    (out_dir / "README.txt").write_text(
        f"SYNTHETIC data for writ's hard linkage benchmark, part {part}, seed {seed}.\n"
        "Every person in it is invented; names come from Faker's name lists.\n",
        encoding="utf-8",
    )
    people_on_file = len({r.person_id for r in truth})
    return Generated(out_dir, part, seed, people_on_file, mappings, tuple(truth), truth_path)


_BY_ID: dict[int, dict[str, Person]] = {}


def _person(population: list[Person], pid: str) -> Person:
    index = _BY_ID.get(id(population))
    if index is None:
        _BY_ID.clear()
        index = _BY_ID[id(population)] = {p.pid: p for p in population}
    return index[pid]


def _truth_row(record: Record, person: Person) -> TruthRow:
    return TruthRow(
        source=record.source,
        record_id=record.record_id,
        entity="person",
        person_id=f"{person.pid}",
        culture=person.culture,
        noise=tuple(sorted(record.noise)),
        traps=tuple(sorted(person.traps)),
        household=person.household,
        twin_group=person.twin_group,
        namesake_group=person.namesake_group,
        junior_group=person.junior_group,
        family=_family_key(person),
    )


def _family_key(person: Person) -> str:
    script = CULTURES[person.culture].script
    return ascii_fold(romanise(script, person.system, person.family[0])).lower()


def read_truth(path: Path) -> list[TruthRow]:
    with path.open(encoding="utf-8") as handle:
        return [
            TruthRow(
                source=row["source"],
                record_id=row["record_id"],
                entity=row["entity"],
                person_id=row["person_id"],
                culture=row["culture"],
                noise=tuple(filter(None, row["noise"].split(";"))),
                traps=tuple(filter(None, row["traps"].split(";"))),
                household=row["household"],
                twin_group=row["twin_group"],
                namesake_group=row["namesake_group"],
                junior_group=row["junior_group"],
                family=row["family"],
            )
            for row in csv.DictReader(handle)
        ]


def dumps(record: dict[str, str]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=False)
