"""The batch linker as writ runs it: DuckDB opened with spill and memory limit, training on a
sample of a large batch, and which pairs names alone bring to scoring."""

from __future__ import annotations

import os
import tempfile

from test_resolve_support import hand_set_model, person
from writ.resolve.linkage import DUCKDB, compared_pairs, predict, train, training_sample
from writ.resolve.model import LinkageModel


def test_duckdb_spills_to_the_temporary_directory_not_the_working_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = DUCKDB.open()
    (setting,) = db._con.execute("SELECT current_setting('temp_directory')").fetchone()
    assert setting.startswith(tempfile.gettempdir()) and not setting.startswith(str(tmp_path))


def test_duckdb_spills_before_it_holds_most_of_the_machine_s_memory():
    db = DUCKDB.open()
    (limit,) = db._con.execute("SELECT current_setting('memory_limit')").fetchone()
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    number, unit = limit.split()
    limit_bytes = float(number) * {"MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]
    assert 0.5 * total < limit_bytes < 0.7 * total


def test_a_large_batch_is_trained_on_a_seeded_sample_in_record_order():
    rows = [{"unique_id": f"r{i:04d}"} for i in range(1000)]
    sample = training_sample(rows, 100, seed=7)
    assert len(sample) == 100 and len({r["unique_id"] for r in sample}) == 100
    assert [r["unique_id"] for r in sample] == sorted(r["unique_id"] for r in sample)
    assert training_sample(rows, 100, seed=7) == sample
    assert training_sample(rows, 100, seed=8) != sample
    assert training_sample(rows, 1000, seed=7) is rows


GIVEN = ("Maria", "Jose", "Ana", "Luis", "Carmen", "Pedro", "Rosa", "Juan", "Elena", "Diego")
FAMILY = ("Lopez", "Garcia", "Hernandez", "Martinez", "Gonzalez", "Perez", "Sanchez", "Ramirez")


def _records(people: int) -> list[dict[str, object]]:
    rows = []
    for p in range(people):
        given, family = GIVEN[p % len(GIVEN)], FAMILY[(p // len(GIVEN)) % len(FAMILY)]
        born = f"{1950 + p % 50}-{1 + p % 12:02d}-{1 + p % 28:02d}"
        rows.append(
            person(
                f"p{p}a",
                firstName=given,
                lastName=family,
                birthDate=born,
                idNumber=f"A{100000000 + p}",
            )
        )
        rows.append(
            person(
                f"p{p}b",
                firstName=given,
                lastName=family,
                birthDate=born,
                idNumber=f"A{100000000 + p}" if p % 3 else "",
            )
        )
        rows.append(
            person(
                f"p{p}c",
                firstName=given[:-1] + "h",
                lastName=family,
                birthDate=born[:4] if p % 2 else born,
            )
        )
    return rows


def test_the_model_says_how_many_records_it_was_trained_on_out_of_how_many():
    rows = _records(200)
    model = train(rows, max_records=300)
    assert model.trained_on["records"] == 300 and model.trained_on["of_records"] == len(rows)
    assert train(rows, max_records=300).version == model.version  # the same sample, the same model
    whole = train(rows)
    assert whole.trained_on["records"] == whole.trained_on["of_records"] == len(rows)


def test_names_alone_block_only_pairs_where_a_birth_date_is_missing():
    rows = [
        person("a", firstName="Maria", lastName="Lopez", birthDate="1980-01-02"),
        person("b", firstName="Maria", lastName="Lopez", birthDate="1991-05-06"),
        person("c", firstName="Maria", lastName="Lopez"),
        person("d", firstName="Lopez", lastName="Maria", birthDate="1980-07-08"),
        person("e", firstName="Lopez", lastName="Maria", birthDate="1991"),
    ]
    scored = {pair.key for pair in predict(hand_set_model(), rows, min_weight=-1000)}
    # a-b: both born, in different years: no birth-date rule reaches them, nor do names alone;
    # the same names are enough where one full birth date is unknown (a-c, b-c, d-e).
    # Names swapped are scored when the birth years agree (a-d, b-e) or one is unknown (c-d, c-e).
    expected = {("a", "c"), ("b", "c"), ("d", "e"), ("a", "d"), ("b", "e"), ("c", "d"), ("c", "e")}
    assert scored == expected


def test_pairs_are_read_whether_or_not_the_model_compares_a_numbers():
    rows = _records(40)
    model = hand_set_model()
    assert "a_number" in model.comparisons
    pairs = predict(model, rows, min_weight=-100)
    assert pairs and any(p.levels.get("a_number") == "exact" for p in pairs)
    # A model without the A-number comparison (a source that has none): Splink's output has no
    # a_number columns, and reading it must not ask for them.
    without = LinkageModel(
        comparisons={k: v for k, v in model.comparisons.items() if k != "a_number"},
        prior=model.prior,
        thresholds=model.thresholds,
    )
    bare = predict(without, rows, min_weight=-100)
    assert {p.key for p in bare} == {p.key for p in pairs}
    assert all("a_number" not in p.levels and not p.conflicts for p in bare)


def test_names_that_agree_with_a_birth_year_one_digit_off_are_scored():
    rows = [
        person("a", firstName="Maria", lastName="Lopez", birthDate="1985-03-12"),
        person("b", firstName="Maria", lastName="Lopez", birthDate="1986-03-12"),
        person("c", firstName="Maria", lastName="Lopez", birthDate="1995-03-12"),
        person("d", firstName="Lopez", lastName="Maria", birthDate="1985-03-12"),
    ]
    scored = {pair.key: pair for pair in predict(hand_set_model(), rows, min_weight=-1000)}
    assert scored[("a", "b")].levels["birth_date"] == "one_digit"
    assert scored[("a", "c")].levels["birth_date"] == "one_digit"
    assert scored[("a", "d")].levels["family_name"] == "swapped"


def test_the_number_of_compared_pairs_is_counted_rule_by_rule():
    rows = _records(30)
    counts = compared_pairs(rows)
    assert counts and all(n >= 0 for _, n in counts)
    scored = predict(hand_set_model(), rows, min_weight=-1e9)
    assert sum(n for _, n in counts) == len(scored)
