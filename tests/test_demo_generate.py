"""The synthetic demo sources: deterministic, fully accounted for, and as noisy as promised.

Every noise tag the ground truth claims is checked against the bytes in the files, so the tags
cannot drift from what the data really holds.
"""

from __future__ import annotations

import csv
import json
import os
import unicodedata
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pycountry
import pytest
import yaml

from writ.demo.generate import GeneratedDemo, GroundTruthRow, generate
from writ.demo.names import CULTURE_BY_KEY, TRANSLITERATIONS, surname_for
from writ.demo.people import DemoPerson

SOURCES = ("bookings", "court_records", "visa_benefits", "legacy_cases")
# Where each source keeps a person's names, birth date and A-number, per mapping entity.
DOB_COLUMN = {
    ("bookings", "person"): ("dob", ("%m/%d/%Y",)),
    ("court_records", "person"): ("dob", ("%d/%m/%Y", "%Y-%m-%d")),
    ("visa_benefits", "person"): ("date_of_birth", ("%Y-%m-%d",)),
    ("visa_benefits", "relative"): ("relative_date_of_birth", ("%Y-%m-%d",)),
    ("legacy_cases", "person"): ("dob", ("%Y-%m-%d",)),
}
A_NUMBER_COLUMN = {
    ("bookings", "person"): "a_number",
    ("visa_benefits", "person"): "a_number",
    ("visa_benefits", "relative"): "relative_a_number",
    ("legacy_cases", "person"): "a_number",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> GeneratedDemo:
    return generate(tmp_path_factory.mktemp("demo"), seed=int(os.environ.get("DEMO_SEED", "7")))


@pytest.fixture(scope="module")
def rows(demo: GeneratedDemo) -> dict[tuple[str, int], dict[str, str]]:
    """Every well-formed row of every source, by (source, line)."""
    found: dict[tuple[str, int], dict[str, str]] = {}
    for source in SOURCES:
        for line, values in read_source(demo.data_files[source]).items():
            found[(source, line)] = values
    return found


def read_source(path: Path) -> dict[int, dict[str, str]]:
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        objects = (json.loads(text) for text in lines)
        return {
            number: {key: value or "" for key, value in obj.items()}
            for number, obj in enumerate(objects, start=1)
        }
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return {
            number: dict(zip(header, fields, strict=True))
            for number, fields in enumerate(reader, start=2)
            if len(fields) == len(header)
        }


def plain(text: str) -> str:
    """Case and accents folded, for comparing what two systems wrote."""
    text = text.translate(str.maketrans("ŁłĐđ", "LlDd"))
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def written_name(source: str, entity: str, values: dict[str, str]) -> tuple[str, str]:
    """(given names, family name) as the row wrote them, in the row's own order."""
    if source == "bookings":
        family, given = values["name"].split(", ", 1)
        return given, family
    if source == "court_records":
        return values["first_name"], values["last_name"]
    if source == "visa_benefits":
        prefix = "relative_" if entity == "relative" else ""
        return values[f"{prefix}given_name"], values[f"{prefix}family_name"]
    text = values["associate_name" if entity == "associate" else "subject_name"]
    words = text.split(" ")
    family_words = [word for word in words if word.isupper()]
    return " ".join(words[len(family_words) :]), " ".join(family_words)


def mentions(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]], tag: str
) -> list[tuple[GroundTruthRow, DemoPerson, dict[str, str]]]:
    people = {person.person_id: person for person in demo.people}
    return [
        (truth, people[truth.person_id], rows[(truth.source, truth.line)])
        for truth in demo.truth
        if tag in truth.noise and not truth.expected_quarantine
    ]


def spelling_group(name: str) -> set[str]:
    return {plain(spelling) for group in TRANSLITERATIONS if name in group for spelling in group}


def edit_distance(first: str, second: str) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count as one edit)."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i]
        for j, b in enumerate(second, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def read_date(text: str, formats: tuple[str, ...]) -> date:
    for pattern in formats:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise AssertionError(f"{text!r} is in none of {formats}")


# Determinism and completeness


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", people=150, seed=11)
    second = generate(tmp_path / "b", people=150, seed=11)
    other = generate(tmp_path / "c", people=150, seed=12)
    names = sorted(path.name for path in first.out_dir.iterdir())
    assert names == sorted(path.name for path in second.out_dir.iterdir())
    assert len(names) == 10  # 4 sources, 4 mappings, ground truth, README
    for name in names:
        assert (first.out_dir / name).read_bytes() == (second.out_dir / name).read_bytes(), name
    assert (first.out_dir / "ground_truth.csv").read_bytes() != (
        other.out_dir / "ground_truth.csv"
    ).read_bytes()


def test_every_row_of_every_source_is_in_the_ground_truth_once(demo: GeneratedDemo) -> None:
    with demo.ground_truth.open(encoding="utf-8", newline="") as handle:
        truth = list(csv.DictReader(handle))
    assert list(truth[0])[:3] == ["source", "record_id", "person_id"]
    assert len(truth) == len(demo.truth)
    for source in SOURCES:
        data_lines = demo.data_files[source].read_text(encoding="utf-8").splitlines()
        first = 1 if source == "visa_benefits" else 2
        in_truth = [row for row in truth if row["source"] == source and row["entity"] == "person"]
        assert sorted(int(row["line"]) for row in in_truth) == list(
            range(first, len(data_lines) + 1)
        )
        ids = [row["record_id"] for row in in_truth if row["record_id"]]
        assert len(ids) == len(set(ids)), f"{source}: record ids repeat"
        assert len(ids) >= len(in_truth) - 2


def test_record_ids_are_the_key_values_joined(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    keys = {
        "bookings": ("booking_id",),
        "court_records": ("court", "case_number"),
        "visa_benefits": ("file_number",),
        "legacy_cases": ("case_id",),
    }
    checked = 0
    for truth in demo.truth:
        values = rows.get((truth.source, truth.line))
        if values is None:  # a line with the wrong number of fields
            assert truth.expected_quarantine == "wrong_columns"
            continue
        parts = [values.get(column, "") for column in keys[truth.source]]
        assert truth.record_id == ("|".join(parts) if all(parts) else "")
        checked += 1
    assert checked > 800


def test_second_people_in_a_row_are_in_the_ground_truth(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    second = {(t.source, t.line): t.entity for t in demo.truth if t.entity != "person"}
    for (source, line), values in rows.items():
        if source == "visa_benefits":
            assert bool(values["relative_given_name"]) == (second.get((source, line)) == "relative")
        if source == "legacy_cases":
            assert bool(values["associate_name"]) == (second.get((source, line)) == "associate")
    assert sum(1 for entity in second.values() if entity == "relative") >= 20
    assert sum(1 for entity in second.values() if entity == "associate") >= 20


def test_sources_overlap_in_the_people_they_hold(demo: GeneratedDemo) -> None:
    held: dict[str, set[str]] = defaultdict(set)
    for truth in demo.truth:
        held[truth.source].add(truth.person_id)
    assert set().union(*held.values()) == {person.person_id for person in demo.people}
    for index, first in enumerate(SOURCES):
        for second in SOURCES[index + 1 :]:
            assert len(held[first] & held[second]) >= 15, (first, second)
    assert demo.trap_counts()["people_in_two_or_more_sources"] >= len(demo.people) // 2


def test_people_are_made_of_the_built_in_names_only(demo: GeneratedDemo) -> None:
    for person in demo.people:
        culture = CULTURE_BY_KEY[person.culture]
        given = culture.male if person.sex == "M" else culture.female
        assert person.given in given
        assert not person.middle or person.middle in given
        bases = {surname_for(culture, name, person.sex) for name in culture.surnames}
        assert set(person.surnames) <= bases, person
    assert len({person.culture for person in demo.people}) >= 10


def test_the_data_says_it_is_synthetic(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    assert all("SYNTHETIC" in values["synthetic"] for values in rows.values())
    readme = demo.readme.read_text(encoding="utf-8")
    assert readme.startswith("SYNTHETIC DEMO DATA")
    assert "made up" in readme.lower()
    for path in demo.mappings.values():
        mapping = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "synthetic" in mapping["source"]["title"].lower()
        assert "(synthetic)" in mapping["source"]["legal_basis"]["authority"]


def test_people_under_twenty_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="too few"):
        generate(tmp_path, people=10)


# The mappings


def test_each_mapping_declares_its_file_columns_key_and_legal_basis(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    for source in SOURCES:
        mapping = yaml.safe_load(demo.mappings[source].read_text(encoding="utf-8"))
        assert mapping["source"]["name"] == source
        assert set(mapping["source"]["legal_basis"]) == {"authority", "data_category", "retention"}
        assert (demo.mappings[source].parent / mapping["reader"]["path"]) == demo.data_files[source]
        assert set(mapping["key"]) <= set(mapping["columns"])
        well_formed = [
            values
            for (name, line), values in rows.items()
            if name == source and line not in demo.expected_quarantine().get(source, [])
        ]
        assert all(list(values) == mapping["columns"] for values in well_formed), source


# The noise each tag claims is really in the files


def test_transliteration_variants_are_written(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    groups_seen: set[str] = set()
    found = mentions(demo, rows, "transliteration")
    for truth, person, values in found:
        if "typo" in truth.noise:
            continue
        given, family = written_name(truth.source, truth.entity, values)
        words = set(plain(f"{given} {family}").replace("-", " - ").split())
        true_words = {plain(name) for name in (person.given, *person.surnames)}
        variants = set().union(*(spelling_group(name) for name in (person.given, *person.surnames)))
        new = (words & variants) - true_words
        assert new, (truth, given, family)
        groups_seen |= new
    assert len(found) >= 40
    assert groups_seen & {"muhammad", "mohamed", "mohammad", "mohamad"}
    assert groups_seen & {"alexander", "aleksander", "alexandr"}
    assert len(groups_seen) >= 15


def test_double_surnames_are_cut_to_the_first(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    found = mentions(demo, rows, "double_surname_cut")
    for truth, person, values in found:
        given, family = written_name(truth.source, truth.entity, values)
        if "name_order_swapped" in truth.noise:
            given, family = family, given
        assert len(person.surnames) == 2
        if "typo" not in truth.noise:
            assert plain(family) == plain(person.surnames[0]), (truth, family)
    assert len(found) >= 40


def test_accents_are_dropped_where_the_source_keeps_them(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    found = mentions(demo, rows, "accents_dropped")
    for truth, person, values in found:
        assert truth.source != "bookings"
        assert (
            plain(person.given_names + person.family_name)
            != (person.given_names + person.family_name).casefold()
        )
        given, family = written_name(truth.source, truth.entity, values)
        assert (given + family).isascii(), (truth, given, family)
    assert len(found) >= 40


def test_day_and_month_are_swapped(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    found = mentions(demo, rows, "day_month_swapped")
    for truth, person, values in found:
        column, formats = DOB_COLUMN[(truth.source, truth.entity)]
        born = person.birth_date
        if "partial_dob" in truth.noise:  # year and month only: the month is the day
            assert values[column] == f"{born.year}-{born.day:02d}"
        else:
            assert read_date(values[column], formats) == date(born.year, born.day, born.month)
    assert len(found) >= 10


def test_typos_are_one_or_two_edits_from_the_truth(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    found = mentions(demo, rows, "typo")
    for truth, person, values in found:
        given, family = written_name(truth.source, truth.entity, values)
        truths = [person.given, person.middle, *person.surnames]
        spelled = set().union(*(spelling_group(name) | {plain(name)} for name in truths))
        known = {word for name in spelled for word in name.split()}
        written = plain(f"{given} {family}").split()
        unknown = [word for word in written if word not in known]
        assert unknown, (truth, given, family)
        for word in unknown:
            assert min(edit_distance(word, name) for name in known) <= 2, (truth, word)
    assert len(found) >= 20


def test_name_order_is_swapped(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    found = mentions(demo, rows, "name_order_swapped")
    for truth, person, values in found:
        if {"typo", "transliteration"} & set(truth.noise):
            continue
        given, family = written_name(truth.source, truth.entity, values)
        assert plain(given).startswith(plain(person.surnames[0])), (truth, given, family)
        assert plain(family).startswith(plain(person.given)), (truth, given, family)
    assert len(found) >= 15


def test_mistyped_a_numbers_have_exactly_one_digit_wrong(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    found = mentions(demo, rows, "mistyped_a_number")
    for truth, person, values in found:
        written = "".join(
            c for c in values[A_NUMBER_COLUMN[(truth.source, truth.entity)]] if c.isdigit()
        )
        written = written.zfill(9)
        assert sum(a != b for a, b in zip(written, person.a_number, strict=True)) == 1
    assert len(found) >= 5


def test_missing_fields_are_empty(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    found = mentions(demo, rows, "missing_dob")
    for truth, _, values in found:
        assert values[DOB_COLUMN.get((truth.source, truth.entity), ("dob", ()))[0]] == ""
    assert len(found) >= 10


def test_countries_are_names_or_codes_of_the_true_country(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    people = {person.person_id: person for person in demo.people}
    styles: set[str] = set()
    for truth in demo.truth:
        values = rows.get((truth.source, truth.line))
        if truth.entity != "person" or truth.source not in ("visa_benefits", "legacy_cases"):
            continue
        if values is None or {"invalid_country", "missing_country_of_birth"} & set(truth.noise):
            continue
        person = people[truth.person_id]
        text = values["country_of_birth"]
        country = pycountry.countries.lookup(text)
        assert country.alpha_2 == person.country_of_birth, text
        styles.add(
            {country.alpha_2: "alpha-2", country.alpha_3: "alpha-3"}.get(
                text, "upper-case name" if text.isupper() else "name"
            )
        )
    assert styles == {"alpha-2", "alpha-3", "name", "upper-case name"}


# The traps


def test_twins_share_surname_birth_date_and_address_and_a_source(demo: GeneratedDemo) -> None:
    people = {person.person_id: person for person in demo.people}
    pairs = {tuple(sorted((p.person_id, p.twin_of))) for p in demo.people if p.twin_of}
    assert len(pairs) == 10
    for first_id, second_id in pairs:
        first, second = people[first_id], people[second_id]
        assert first.surnames == second.surnames
        assert first.birth_date == second.birth_date
        assert first.address == second.address
        assert first.given != second.given
    assert demo.trap_counts()["twin_pairs_in_same_source"] == len(pairs)


def test_namesakes_share_a_full_name_but_not_a_birth_date(
    demo: GeneratedDemo, rows: dict[tuple[str, int], dict[str, str]]
) -> None:
    people = {person.person_id: person for person in demo.people}
    pairs = {tuple(sorted((p.person_id, p.namesake_of))) for p in demo.people if p.namesake_of}
    assert len(pairs) == 10
    for first_id, second_id in pairs:
        first, second = people[first_id], people[second_id]
        assert (first.given_names, first.surnames) == (second.given_names, second.surnames)
        assert first.birth_date != second.birth_date
    same_name_written = 0
    for first_id, second_id in pairs:
        names = defaultdict(set)
        for truth in demo.truth:
            if truth.person_id in (first_id, second_id) and truth.source == "bookings":
                values = rows.get((truth.source, truth.line))
                if values:
                    names[values["name"]].add(truth.person_id)
        same_name_written += any(len(ids) == 2 for ids in names.values())
    assert same_name_written >= 3
    assert demo.trap_counts()["namesake_pairs_in_same_source"] == len(pairs)


def test_rows_broken_on_purpose_are_few_named_and_in_the_readme(demo: GeneratedDemo) -> None:
    expected = demo.expected_quarantine()
    reasons = {t.expected_quarantine for t in demo.truth if t.expected_quarantine}
    assert reasons == {"missing_key", "missing_required", "unparseable_required", "wrong_columns"}
    assert set(expected) == set(SOURCES)
    assert sum(len(lines) for lines in expected.values()) == 7
    readme = demo.readme.read_text(encoding="utf-8")
    for source, lines in expected.items():
        for line in lines:
            assert f"{source:<15} line {line:<5}" in readme
