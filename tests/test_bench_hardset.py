"""The hard linkage benchmark: its generator (``bench/hardset``) and its scoring.

At a small size: one seed gives the same bytes; the development and the held-out parts differ in
seed and population; every trap and noise class the per-trap table reports is present; the three
sources have different schemas and date conventions; the transliterations are the libraries'; and
the mappings ingest cleanly through writ's real ingest, on SQLite and PostgreSQL, with every truth
row joinable to an ingested person.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from hardset import PARTS, generate
from hardset.generate import read_truth
from hardset.romanize import SYSTEMS, ascii_fold
from hardset.sources import SOURCES
from helpers import actor
from linkage_eval import Truth, review_figures, score, trap_table
from writ.ingest.rows import entity_id
from writ.ingest.service import ingest
from writ.service import Services
from writ.store.tables.core import statements

CUSTODIAN = actor("custodian", user="records-1", unit="HQ", purpose="records-management")
PEOPLE = 700


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return generate(tmp_path_factory.mktemp("dev"), part="dev", people=PEOPLE)


@pytest.fixture(scope="module")
def heldout(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return generate(tmp_path_factory.mktemp("heldout"), part="heldout", people=PEOPLE)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_one_seed_gives_the_same_bytes_and_another_seed_does_not(dev, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    again = generate(tmp_path / "again", part="dev", people=PEOPLE)
    assert _files(again.out_dir) == _files(dev.out_dir)
    other = generate(tmp_path / "other", part="dev", people=PEOPLE, seed=dev.seed + 1)
    assert _files(other.out_dir)["bookings.csv"] != _files(dev.out_dir)["bookings.csv"]


def test_the_parts_differ_in_seed_population_and_names(dev, heldout) -> None:  # type: ignore[no-untyped-def]
    assert PARTS["dev"].seed != PARTS["heldout"].seed
    assert dev.seed != heldout.seed
    dev_cultures = Counter(r.culture for r in dev.truth)
    heldout_cultures = Counter(r.culture for r in heldout.truth)
    only_heldout = set(heldout_cultures) - set(dev_cultures)
    assert only_heldout, "the held-out part has naming traditions the development part lacks"
    dev_names = {r.family for r in dev.truth}
    heldout_names = {r.family for r in heldout.truth}
    shared = dev_names & heldout_names
    assert len(shared) < 0.5 * len(heldout_names), "most held-out family names are new"
    assert shared, "the commonest names (Nguyen, Garcia, ...) are in both parts"


def test_the_population_has_many_names_skewed_to_a_few(tmp_path: Path) -> None:
    big = generate(tmp_path / "big", part="dev", people=2500)
    people = {r.person_id: r.family for r in big.truth}
    counts = Counter(people.values())
    assert len(counts) > 500
    with (big.out_dir / "court_records.csv").open(encoding="utf-8") as handle:
        given = {r["first_name"].lower() for r in csv.DictReader(handle)}
    assert len(given) > 500
    (commonest, count), *_ = counts.most_common(1)
    assert count > 20 * (len(people) / len(counts)), commonest  # Nguyen, Kim, Garcia ...


TRAPS = {"twin", "namesake", "junior", "household", "common_name"}
NOISE = {
    "name_swap",
    "dropped_surname",
    "hyphen_space",
    "middle_dropped",
    "nickname",
    "spelling_variant",
    "typo",
    "translit",
    "dob_missing",
    "dob_year_only",
    "dob_digit",
    "dob_transposed",
    "dob_day_month",
    "a_id_digit",
    "passport_renewed",
    "other_address",
    "weak_evidence",
}


def test_every_trap_and_noise_class_is_present_in_both_parts(dev, heldout) -> None:  # type: ignore[no-untyped-def]
    for part in (dev, heldout):
        traps = {t for r in part.truth for t in r.traps}
        noise = {n for r in part.truth for n in r.noise}
        assert traps >= TRAPS, TRAPS - traps
        assert noise >= NOISE, NOISE - noise


def test_traps_are_what_they_say(dev) -> None:  # type: ignore[no-untyped-def]
    rows = read_truth(dev.truth_path)
    assert [r.person_id for r in rows] == [r.person_id for r in dev.truth]
    twins: dict[str, set[str]] = {}
    namesakes: dict[str, set[str]] = {}
    for r in rows:
        if r.twin_group:
            twins.setdefault(r.twin_group, set()).add(r.person_id)
        if r.namesake_group:
            namesakes.setdefault(r.namesake_group, set()).add(r.person_id)
    assert all(len(p) >= 1 for p in twins.values())
    assert any(len(p) == 2 for p in twins.values()), "some twin pairs have records of both"
    assert any(len(p) == 2 for p in namesakes.values())
    households = {r.person_id: r.household for r in rows}
    for group in twins.values():
        assert len({households[p] for p in group}) == 1, "twins share a household"
    for group in namesakes.values():
        assert len({households[p] for p in group}) == len(group), "namesakes live apart"


def _header(path: Path) -> list[str]:
    if path.suffix == ".jsonl":
        return list(json.loads(path.read_text(encoding="utf-8").splitlines()[0]))
    with path.open(encoding="utf-8") as handle:
        return next(csv.reader(handle))


def test_each_source_has_its_own_schema_and_date_convention(dev) -> None:  # type: ignore[no-untyped-def]
    headers = {name: set(_header(dev.out_dir / s.file)) for name, s in SOURCES.items()}
    names = list(headers)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert headers[a] != headers[b]
    with (dev.out_dir / "bookings.csv").open(encoding="utf-8") as handle:
        booking = next(r for r in csv.DictReader(handle) if r["dob"])
    assert "," in booking["name"] and booking["name"] == booking["name"].upper()
    month, _day, year = booking["dob"].split("/")
    assert len(year) == 4 and int(month) <= 12
    with (dev.out_dir / "court_records.csv").open(encoding="utf-8") as handle:
        court = [r["dob"] for r in csv.DictReader(handle) if r["dob"]]
    assert any(len(d) == 10 and d[4] == "-" for d in court)
    assert any(len(d) == 4 for d in court), "some court records know only the year"
    visas = [
        json.loads(line)
        for line in (dev.out_dir / "visa_benefits.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    born = next(v["date_of_birth"] for v in visas if v["date_of_birth"])
    assert born.split()[1].isalpha() and len(born.split()[1]) == 3  # 03 APR 1985
    assert any(v["name_in_native_script"] for v in visas)
    assert all(len(v["nationality"]) == 3 for v in visas)


def test_romanisations_come_from_the_libraries(dev) -> None:  # type: ignore[no-untyped-def]
    visas = [
        json.loads(line)
        for line in (dev.out_dir / "visa_benefits.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    noise = {t.record_id: set(t.noise) for t in dev.truth if t.source == "visa_benefits"}
    clean = {"typo", "spelling_variant", "nickname", "name_swap", "middle_dropped"}
    cyrillic = [
        v
        for v in visas
        if v["nationality"] in ("RUS", "UKR")
        and v["name_in_native_script"]
        and not noise[v["receipt_number"]] & clean
    ]
    assert cyrillic
    outputs = set()
    for v in cyrillic:
        for system in SYSTEMS["cyrillic-ru"] + SYSTEMS["cyrillic-uk"]:
            outputs.add(
                ascii_fold(" ".join(system(w) for w in v["name_in_native_script"].split())).upper()
            )
    matched = sum(
        1
        for v in cyrillic
        if set(f"{v['given_names']} {v['surname']}".split()) <= set(" ".join(outputs).split())
    )
    assert matched > 0.9 * len(cyrillic)
    # one name, two systems, two spellings: the variants are real
    ru = SYSTEMS["cyrillic-ru"]
    assert ru[0]("Юлия") != ru[1]("Юлия")
    han = SYSTEMS["han"]
    assert han[0]("张") == "Zhang" and han[1]("张") == "Chang"


def test_the_mappings_ingest_cleanly_and_the_truth_joins(
    services: Services, tmp_path: Path
) -> None:
    data = generate(tmp_path / "small", part="heldout", people=150)
    for source, mapping in data.mappings.items():
        summary = ingest(services, CUSTODIAN, mapping)
        assert summary.balanced
        assert summary.quarantined == 0, source
        assert summary.read == sum(1 for t in data.truth if t.source == source)
    with services.store.transaction() as session:
        rows = session.execute(
            select(statements.c.entity_id, statements.c.prop, statements.c.validation_error)
        ).all()
    errors = [r for r in rows if r.validation_error]
    assert not errors, errors[:5]
    entities = {r.entity_id for r in rows}
    for t in data.truth:
        assert entity_id(t.source, t.record_id, t.entity) in entities
    props = Counter(r.prop for r in rows)
    for prop in ("birthDate", "idNumber", "nationality", "birthCountry", "alias", "number"):
        assert props[prop] > 0, prop


def test_scores_and_the_per_trap_table_count_what_they_say() -> None:
    truth = Truth({"a1": "A", "a2": "A", "t1": "T1", "t2": "T2", "c": "C"})
    truth.noise = {"a2": frozenset({"name_swap"})}
    truth.traps = {"t1": frozenset({"twin"}), "t2": frozenset({"twin"})}
    truth.groups = {"t1": {"twin": "g"}, "t2": {"twin": "g"}}
    clusters = [frozenset({"a1"}), frozenset({"a2"}), frozenset({"t1", "t2"}), frozenset({"c"})]
    scores = score(truth, clusters)
    assert (scores.precision, scores.recall, scores.f1) == (0.0, 0.0, 0.0)
    assert scores.false_merges == 1 and scores.multi_record_subjects == 1
    table = trap_table(truth, clusters)
    assert table["name_swap"].true_pairs == 1 and table["name_swap"].found == 0
    assert table["twin"].false_subjects == 1 and table["twin"].false_pairs == 1
    merged = [frozenset({"a1", "a2"}), frozenset({"t1"}), frozenset({"t2"}), frozenset({"c"})]
    assert score(truth, merged).f1 == 1.0
    assert trap_table(truth, merged)["name_swap"].found == 1


def test_review_precision_counts_items_whose_subjects_share_a_real_person() -> None:
    truth = Truth({"a1": "A", "a2": "A", "b": "B", "c": "C"})
    pair_same = (("a1", "S1"), ("a2", "S2"))
    pair_other = (("a1", "S1"), ("b", "S3"))
    cluster_item = (("a1", "S1"), ("b", "S3"), ("a2", "S2"), ("c", "S4"))
    share, precision = review_figures(truth, 4, [pair_same, pair_other, cluster_item])
    assert share == 0.75
    assert precision == 2 / 3
    assert review_figures(truth, 4, []) == (0.0, 0.0)


def test_the_splink_peers_run_on_the_ingested_records(services: Services, tmp_path: Path) -> None:
    from splink_peers import splink_textbook, splink_tuned
    from writ.resolve.records import load_people

    data = generate(tmp_path / "peers", part="dev", people=150)
    for mapping in data.mappings.values():
        ingest(services, CUSTODIAN, mapping)
    with services.store.transaction() as session:
        records = [p.record for p in load_people(session)]
    truth = Truth({entity_id(t.source, t.record_id, t.entity): t.person_id for t in data.truth})
    for peer in (splink_textbook, splink_tuned):
        clusters, compared, note = peer(records)
        members = [uid for cluster in clusters for uid in cluster]
        assert sorted(members) == sorted(r.uid for r in records), peer.__name__
        assert compared > 0 and note
        assert score(truth, clusters).f1 > 0.5, peer.__name__
