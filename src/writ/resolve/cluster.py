"""From scored pairs and human judgements to clusters, and from clusters to stable subject ids.

Clustering is greedy and constrained, strongest evidence first:

1. every "same" judgement joins its two records' clusters (a human may join two A-numbers);
2. every accepted pair, by falling match weight, joins its clusters unless that would put two
   different A-numbers in one cluster, or put together two records a human judged "not same",
   or — when a scorer is given — put together two records that the model, compared directly,
   would reject as a pair (a weight below the review threshold) or that a declared guard holds
   back (twins, namesakes: ``writ.resolve.rules``).

The last rule stops chains: a record that knows little (no birth date, no identifier) can be an
accepted match of two different people, and would otherwise join them through itself. It does
not apply to a cluster a person's "same" joined: a merged subject stays whole.

So a "not same" judgement keeps the two *clusters* apart for good, not only the two records: no
chain of other matches can join them. "unsure" takes the pair itself out of automatic merging.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from writ.resolve.model import Thresholds
from writ.resolve.pairs import ScoredPair
from writ.resolve.rules import ONE_PER_PERSON, values_conflict
from writ.resolve.scoring import PairScorer

# Whether two records, compared directly, are too unlike to be put in one cluster.
Veto = Callable[[str, str], bool]

SAME = "same"
NOT_SAME = "not_same"
UNSURE = "unsure"
VERDICTS = (SAME, NOT_SAME, UNSURE)


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


@dataclass
class _Cluster:
    members: set[str]
    identifiers: dict[str, set[str]]  # one-per-person identifier -> values held by the cluster
    judged: bool = False  # a person's "same" judgement joined records of it


class ConstrainedClusters:
    """Union of records into clusters that refuses merges the rules or a human forbid."""

    def __init__(
        self,
        uids: Iterable[str],
        identifiers: Mapping[str, Mapping[str, str | None]],
        not_same: Iterable[tuple[str, str]],
        veto: Veto | None = None,
    ) -> None:
        self._veto = veto
        self._parent: dict[str, str] = {}
        self._clusters: dict[str, _Cluster] = {}
        for uid in uids:
            self._add(uid, identifiers.get(uid, {}))
        self._apart: dict[str, set[str]] = {}
        for a, b in not_same:
            self._apart.setdefault(a, set()).add(b)
            self._apart.setdefault(b, set()).add(a)

    def _add(self, uid: str, identifiers: Mapping[str, str | None]) -> None:
        self._parent[uid] = uid
        self._clusters[uid] = _Cluster(
            {uid}, {c: {v} for c in ONE_PER_PERSON if (v := identifiers.get(c))}
        )

    def find(self, uid: str) -> str:
        root = uid
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[uid] != root:
            self._parent[uid], uid = root, self._parent[uid]
        return root

    def blocked_by(self, a: str, b: str, human: bool = False) -> str | None:
        """Why the clusters of a and b may not be joined (None when they may)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        first, second = self._clusters[ra], self._clusters[rb]
        small, large = sorted((first, second), key=lambda c: len(c.members))
        for uid in small.members:
            if self._apart.get(uid, set()) & large.members:
                return "judged not the same"
        if not human:
            for column in ONE_PER_PERSON:
                mine, theirs = first.identifiers.get(column), second.identifiers.get(column)
                if mine and theirs and values_conflict(mine, theirs):
                    return f"different {column}"
            trusted = first.judged or second.judged
            if (
                not trusted
                and self._veto is not None
                and any(self._veto(x, y) for x in small.members for y in large.members)
            ):
                return "two of their records, compared directly, are not a match or are held back"
        return None

    def join(self, a: str, b: str, human: bool = False) -> bool:
        """Join the clusters of a and b if allowed; True when they are (now) one cluster."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.blocked_by(a, b, human) is not None:
            return False
        first, second = self._clusters[ra], self._clusters[rb]
        if len(first.members) < len(second.members):
            ra, rb, first, second = rb, ra, second, first
        self._parent[rb] = ra
        first.members |= second.members
        first.judged = first.judged or second.judged or human
        for column, values in second.identifiers.items():
            first.identifiers.setdefault(column, set()).update(values)
        del self._clusters[rb]
        return True

    def clusters(self) -> list[frozenset[str]]:
        return sorted((frozenset(c.members) for c in self._clusters.values()), key=min)


def cluster(
    uids: Iterable[str],
    pairs: Iterable[ScoredPair],
    thresholds: Thresholds,
    identifiers: Mapping[str, Mapping[str, str | None]],
    judgements: Mapping[tuple[str, str], str] | None = None,
    scorer: PairScorer | None = None,
) -> list[frozenset[str]]:
    """Cluster records from scored pairs and the current judgement of each judged pair.

    ``identifiers`` are the records' feature rows (at least their one-per-person identifiers;
    all of them when a ``scorer`` is given, which then vetoes joins as the module says).
    """
    judged = dict(judgements or {})
    uid_list = list(uids)
    known = set(uid_list)
    judged = {k: v for k, v in judged.items() if k[0] in known and k[1] in known}
    veto = None
    if scorer is not None:
        rows = identifiers

        def veto(a: str, b: str) -> bool:
            direct = scorer.score(rows[a], rows[b])
            return direct.weight < thresholds.review or bool(direct.guards)

    clusters = ConstrainedClusters(
        uid_list, identifiers, [k for k, v in judged.items() if v == NOT_SAME], veto
    )
    for a, b in sorted(k for k, v in judged.items() if v == SAME):
        clusters.join(a, b, human=True)
    accepted = [
        p
        for p in pairs
        if p.outcome(thresholds) == "accept" and pair_key(p.left, p.right) not in judged
    ]
    accepted.sort(key=lambda p: (-p.weight, p.left, p.right))
    for pair in accepted:
        clusters.join(pair.left, pair.right)
    return clusters.clusters()


@dataclass(frozen=True)
class Assignment:
    """Subject ids for a new clustering, and what happened to the old subjects."""

    subject_of: dict[str, str]  # record uid -> subject id
    merged: dict[str, str]  # old subject id that lost all its records -> subject that has them
    created: list[str]  # new subject ids


def assign_subject_ids(
    clusters: Iterable[frozenset[str]],
    previous: Mapping[str, str],
    new_id: Callable[[], str],
    revive: Mapping[str, str] | None = None,
) -> Assignment:
    """Give each cluster a subject id, keeping ids stable.

    A cluster keeps the id of the old subject it shares most records with; when an old subject is
    split, the part with most of its records keeps the id (ties: the larger cluster, then the
    smaller id). Records added to a subject never change its id. A cluster left without an id
    takes back a subject id it had before (``revive``: record -> its earlier subject, as when a
    merge is undone) if no other cluster holds that id; otherwise it gets a new id.
    """
    cluster_list = sorted(clusters, key=min)
    candidates: list[tuple[int, int, str, str, int]] = []
    for index, members in enumerate(cluster_list):
        overlap: dict[str, int] = {}
        for uid in members:
            if uid in previous:
                overlap[previous[uid]] = overlap.get(previous[uid], 0) + 1
        for subject, count in overlap.items():
            candidates.append((-count, -len(members), subject, min(members), index))
    candidates.sort()
    id_of_cluster: dict[int, str] = {}
    taken: set[str] = set()
    for _, _, subject, _, index in candidates:
        if index in id_of_cluster or subject in taken:
            continue
        id_of_cluster[index] = subject
        taken.add(subject)
    for index, members in enumerate(cluster_list):
        if index in id_of_cluster or not revive:
            continue
        earlier: dict[str, int] = {}
        for uid in members:
            if uid in revive and revive[uid] not in taken:
                earlier[revive[uid]] = earlier.get(revive[uid], 0) + 1
        if earlier:
            subject = min(earlier, key=lambda s: (-earlier[s], s))
            id_of_cluster[index] = subject
            taken.add(subject)
    created = []
    subject_of: dict[str, str] = {}
    for index, members in enumerate(cluster_list):
        if index not in id_of_cluster:
            id_of_cluster[index] = new_id()
            created.append(id_of_cluster[index])
        for uid in members:
            subject_of[uid] = id_of_cluster[index]
    merged: dict[str, str] = {}
    for uid, old in previous.items():
        if old not in taken and uid in subject_of:
            merged.setdefault(old, subject_of[uid])
    return Assignment(subject_of, merged, created)
