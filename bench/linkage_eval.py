"""Scoring predicted subjects against the truth: pairwise figures, false merges, per-trap table.

A *true pair* is two records of one real person; a *predicted pair* two records of one predicted
subject. Precision, recall and F1 are over pairs. A *false-merge subject* is a predicted subject
of two or more records that holds records of two or more real people; its rate is over the
subjects of two or more records.

The per-trap table breaks the figures down by what a record carries (noise: ``name_swap``,
``dob_digit``, ``translit``, ...) and by what its person is part of (traps: ``twin``,
``namesake``, ``household``, ``junior``, ``common_name``): for each class, the true pairs that
touch it, how many were found, and the false pairs (and false-merge subjects) that join two
people related that way (twins, namesakes, one household, one junior and his father, two
unrelated people of one common family name) or that touch a record with that noise.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

Clusters = list[frozenset[str]]
Pair = tuple[str, str]
ReviewItem = tuple[tuple[str, str], ...]  # (record, its proposed subject) per record of an item

RELATIONS = ("twin", "namesake", "junior", "household", "common_name")


@dataclass
class Truth:
    person: dict[str, str]  # record uid -> person
    noise: dict[str, frozenset[str]] = field(default_factory=dict)
    traps: dict[str, frozenset[str]] = field(default_factory=dict)
    groups: dict[str, dict[str, str]] = field(default_factory=dict)  # uid -> relation -> group id

    def true_pairs(self) -> set[Pair]:
        by_person: dict[str, list[str]] = defaultdict(list)
        for uid, person in self.person.items():
            by_person[person].append(uid)
        return pairs_of(by_person.values())

    def relation(self, a: str, b: str) -> str:
        """How two records of different people are related (the first that applies)."""
        ga, gb = self.groups.get(a, {}), self.groups.get(b, {})
        for name in ("twin", "namesake", "junior", "household"):
            if ga.get(name) and ga.get(name) == gb.get(name):
                return name
        common = "common_name" in self.traps.get(a, ()) and "common_name" in self.traps.get(b, ())
        if common and ga.get("family") and ga.get("family") == gb.get("family"):
            return "common_name"
        return "unrelated"


def pairs_of(groups: Iterable[Iterable[str]]) -> set[Pair]:
    out: set[Pair] = set()
    for group in groups:
        out.update(combinations(sorted(group), 2))
    return out


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    false_merges: int
    multi_record_subjects: int
    true_pairs: int
    predicted_pairs: int

    @property
    def false_merge_rate(self) -> float:
        return self.false_merges / self.multi_record_subjects if self.multi_record_subjects else 0.0


def score(truth: Truth, clusters: Clusters) -> Scores:
    true_pairs = truth.true_pairs()
    predicted = pairs_of(clusters)
    hits = len(true_pairs & predicted)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    multi = [c for c in clusters if len(c) > 1]
    false_merges = sum(1 for c in multi if len({truth.person[u] for u in c}) > 1)
    return Scores(precision, recall, f1, false_merges, len(multi), len(true_pairs), len(predicted))


@dataclass
class TrapRow:
    true_pairs: int = 0
    found: int = 0
    false_pairs: int = 0
    false_subjects: int = 0


def trap_table(truth: Truth, clusters: Clusters) -> dict[str, TrapRow]:
    """class -> true pairs touching it, found, false pairs and false-merge subjects it explains."""
    rows: dict[str, TrapRow] = defaultdict(TrapRow)
    predicted = pairs_of(clusters)
    for a, b in truth.true_pairs():
        classes = truth.noise.get(a, frozenset()) | truth.noise.get(b, frozenset())
        classes |= truth.traps.get(a, frozenset())
        classes |= {"(all)"}
        hit = (a, b) in predicted
        for c in classes:
            rows[c].true_pairs += 1
            rows[c].found += hit
    for cluster in clusters:
        if len(cluster) < 2:
            continue
        seen: set[str] = set()
        for a, b in combinations(sorted(cluster), 2):
            if truth.person[a] == truth.person[b]:
                continue
            classes = {truth.relation(a, b), "(all)"}
            classes |= truth.noise.get(a, frozenset()) | truth.noise.get(b, frozenset())
            for c in classes:
                rows[c].false_pairs += 1
            seen |= classes
        for c in seen:
            rows[c].false_subjects += 1
    return dict(rows)


def print_trap_table(title: str, tables: Mapping[str, Mapping[str, TrapRow]]) -> None:
    """One table per set: a row per class, for each method found/true and false subjects."""
    methods = list(tables)
    classes: Counter[str] = Counter()
    for table in tables.values():
        for name, row in table.items():
            classes[name] = max(classes[name], row.true_pairs + row.false_pairs)
    order = sorted(classes, key=lambda c: (c != "(all)", c not in RELATIONS, c))
    names = f"{'':22} {'':>10}"
    head = f"{'class':22} {'true pairs':>10}"
    for m in methods:
        names += f" | {m[:24]:^24}"
        head += f" | {'found':>9} {'share':>6} {'FM subj':>7}"
    print(f"## per-trap table: {title} (found = true pairs found; FM subj = false-merge subjects)")
    print(names)
    print(head)
    for c in order:
        true_pairs = max(t.get(c, TrapRow()).true_pairs for t in tables.values())
        line = f"{c:22} {true_pairs:10d}"
        for m in methods:
            row = tables[m].get(c, TrapRow())
            share = f"{row.found / row.true_pairs:6.1%}" if row.true_pairs else "     -"
            line += f" | {row.found:9d} {share} {row.false_subjects:7d}"
        print(line)


def review_figures(truth: Truth, records: int, items: list[ReviewItem]) -> tuple[float, float]:
    """``review_share``: open items per record; ``review_precision``: share of items that are
    true matches — two of the item's proposed subjects hold records of one real person."""
    share = len(items) / records if records else 0.0
    true = 0
    for item in items:
        subjects: dict[str, set[str]] = defaultdict(set)
        for uid, subject in item:
            if uid in truth.person:
                subjects[truth.person[uid]].add(subject)
        true += any(len(s) > 1 for s in subjects.values())
    return share, (true / len(items) if items else 0.0)
