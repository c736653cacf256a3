"""Entity resolution services: batch and incremental matching, look-up, review, merge and split.

Every service runs inside ``Services.operation``: the policy is asked, the work and its audit
entry commit together. Subjects keep their ids (``writ.resolve.cluster.assign_subject_ids``);
every change of assignment is an event that names what each record's subject was before, and
``undo`` puts it back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from writ.audit.ledger import utcnow
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.resolve import candidates
from writ.resolve import repository as repo
from writ.resolve.cluster import NOT_SAME, SAME, UNSURE, VERDICTS, assign_subject_ids, cluster
from writ.resolve.explain import reasons, summary
from writ.resolve.features import PersonRecord, prepare
from writ.resolve.model import LinkageModel, Thresholds
from writ.resolve.records import SourcedPerson, load_people, probe_keys
from writ.resolve.scoring import scorer_for
from writ.service import AccessDenied, NotFound, Services
from writ.service.subjects import load_statements, person_resource
from writ.store.tables.resolve import resolve_events, resolve_records, resolve_subjects

if TYPE_CHECKING:
    # Splink and DuckDB load only when a service scores pairs (run, match_new, train_model):
    # reading the queue or deciding an item does not need them.
    from writ.resolve.linkage import Backend, ScoredPair

__all__ = [
    "NOT_SAME",
    "SAME",
    "UNSURE",
    "VERDICTS",
    "Candidate",
    "ChangeResult",
    "ClusterRow",
    "JudgementView",
    "RecordView",
    "ResolutionEvent",
    "ReviewItem",
    "RunSummary",
    "SubjectResolution",
    "Thresholds",
    "decide",
    "export_clusters",
    "match_new",
    "match_one",
    "merge",
    "review_list",
    "review_show",
    "run",
    "split",
    "subject_records",
    "subject_resolution",
    "train_model",
    "undo",
]

BATCH = Resource("resolution", "batch")
INCREMENTAL = Resource("resolution", "incremental")
EXPORT = Resource("resolution", "clusters")
QUEUE = Resource("match", "queue")
NO_MODEL = (
    "no linkage model for the features writ prepares today (none yet, or one trained by an "
    "earlier version): run `writ resolve run` first"
)


@dataclass(frozen=True)
class RunSummary:
    kind: str
    model_version: str
    records: int
    pairs_kept: int
    accepted: int
    in_review: int
    subjects: int
    records_moved: int
    event_id: int
    seconds: float


@dataclass(frozen=True)
class RecordView:
    entity_id: str
    source: str
    record_id: str
    subject_id: str
    caption: str
    values: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    subject_id: str
    record: RecordView
    weight: float
    probability: float
    outcome: str
    explanation: list[str]
    model_version: str


@dataclass(frozen=True)
class JudgementView:
    id: int
    verdict: str
    user: str
    reason: str
    created_at: str
    machine_said: dict[str, Any] | None


@dataclass(frozen=True)
class ReviewItem:
    match_id: int
    left: RecordView
    right: RecordView
    weight: float
    outcome: str
    model_version: str
    summary: str
    explanation: list[str]
    judgements: list[JudgementView] = field(default_factory=list)


@dataclass(frozen=True)
class ChangeResult:
    event_id: int
    kind: str
    changes: dict[str, list[str]]  # entity id -> [subject before, subject after]
    judgements: list[int]


@dataclass(frozen=True)
class ClusterRow:
    source: str
    record_id: str
    subject_id: str
    entity_id: str


# -- training and batch ---------------------------------------------------------------------


def train_model(
    svc: Services,
    actor: Actor,
    thresholds: Thresholds | None = None,
    backend: Backend | None = None,
) -> LinkageModel:
    """Train a model on every person in the store, without labels, and make it the active one."""
    from writ.resolve import linkage

    backend = backend or linkage.DUCKDB
    with svc.operation(actor, "execute", BATCH, audit_action="resolution.train") as op:
        people = load_people(op.session)
        rows = [prepare(p.record) for p in people]
        model = linkage.train(rows, thresholds or _thresholds(op.session), backend=backend)
        repo.save_model(op.session, model, actor.user, utcnow())
        op.details.update(model_version=model.version, records=len(rows))
        return model


def _thresholds(session: Session) -> Thresholds:
    model = repo.active_model(session)
    return model.thresholds if model else Thresholds()


def run(
    svc: Services,
    actor: Actor,
    retrain: bool = False,
    thresholds: Thresholds | None = None,
    backend: Backend | None = None,
) -> RunSummary:
    """Match every person in the store from scratch (training a model first if there is none).

    Judgements stay in force, subjects keep their ids, every pair is scored by one model.
    """
    started = time.perf_counter()
    from writ.resolve import linkage

    backend = backend or linkage.DUCKDB
    with svc.operation(actor, "execute", BATCH, audit_action="resolution.run") as op:
        session, now = op.session, utcnow()
        people = load_people(session)
        rows = [prepare(p.record) for p in people]
        model = repo.active_model(session)
        if model is None or retrain:
            model = linkage.train(rows, thresholds or _thresholds(session), backend=backend)
            repo.save_model(session, model, actor.user, now)
        elif thresholds is not None and thresholds != model.thresholds:
            model = model.with_thresholds(thresholds)
            repo.save_model(session, model, actor.user, now)
        pairs = linkage.predict(model, rows, backend=backend)
        repo.supersede_all_matches(session, now)
        repo.write_matches(session, pairs, model, now)
        previous = {eid: row.subject_id for eid, row in repo.record_features(session).items()}
        provisional = {p.entity_id: previous.get(p.entity_id, "") for p in people}
        _store_records(session, people, rows, provisional, actor.user, model.version, now)
        event_id = repo.add_event(session, "run", actor.user, "batch run", now, model.version)
        uids = {p.entity_id for p in people}
        moved = _recluster(session, model, uids, previous, pairs, actor, event_id, now)
        result = _summary("run", model, len(rows), pairs, moved, event_id, started, session)
        op.details.update(_audit(result))
        return result


def match_new(svc: Services, actor: Actor, backend: Backend | None = None) -> RunSummary:
    """Match people not yet resolved against the known subjects, without re-running everything.

    Each new record is scored only against the records it shares a look-up key with (same
    A-number, same family-name sound and birth year, ...) and against the other new records.
    """
    started = time.perf_counter()
    from writ.resolve import linkage

    backend = backend or linkage.DUCKDB
    with svc.operation(actor, "execute", INCREMENTAL, audit_action="resolution.match") as op:
        session, now = op.session, utcnow()
        model = repo.active_model(session)
        if model is None:
            raise LookupError(NO_MODEL)
        known = set(session.scalars(select(resolve_records.c.entity_id)))
        people = [p for p in load_people(session) if p.entity_id not in known]
        rows = [prepare(p.record) for p in people]
        keys = set().union(*(probe_keys(r) for r in rows)) if rows else set()
        stored = repo.record_features(session, repo.candidates_by_keys(session, keys))
        known_rows = [dict(r.features) for r in stored.values()]
        pairs = linkage.predict(model, rows, backend=backend) + linkage.score_between(
            model, rows, known_rows, backend=backend
        )
        kept = repo.write_matches(session, pairs, model, now)
        provisional = {p.entity_id: "" for p in people}
        _store_records(session, people, rows, provisional, actor.user, model.version, now)
        event_id = repo.add_event(session, "match", actor.user, "new records", now, model.version)
        touched = {p.entity_id for p in people} | {
            e
            for pair in pairs
            for e in (pair.left, pair.right)
            if pair.outcome(model.thresholds) == "accept"
        }
        moved = _recluster_around(session, model, touched, actor, event_id, now)
        result = _summary("match", model, len(rows), pairs, moved, event_id, started, session)
        op.details.update(_audit(result), pairs_stored=kept)
        return result


def _store_records(
    session: Session,
    people: Sequence[SourcedPerson],
    rows: Sequence[dict[str, Any]],
    subject_of: Mapping[str, str],
    user: str,
    version: str,
    now: str,
) -> None:
    """Write the records; a record new to resolution has no subject until it is clustered."""
    stored = []
    for person, row in zip(people, rows, strict=True):
        features = dict(row)
        features["caption"] = _caption(person.record)
        stored.append((person.entity_id, person.source, person.record_id, features))
    repo.upsert_records(session, stored, dict(subject_of), user, version, now)


def _caption(record: PersonRecord) -> str:
    given = " ".join(record.values("firstName", "middleName"))
    family = record.first("lastName")
    name = f"{given} {family}".strip() if (given or family) else record.first("name") or ""
    born = record.first("birthDate")
    return f"{name} (born {born})" if born else name or record.uid


def _recluster(
    session: Session,
    model: LinkageModel,
    uids: set[str],
    previous: Mapping[str, str],
    pairs: Sequence[ScoredPair] | None,
    actor: Actor,
    event_id: int,
    now: str,
    revive: Mapping[str, str] | None = None,
    judgement_ids: Sequence[int] = (),
) -> dict[str, list[str]]:
    """Cluster ``uids`` again from their pairs and judgements; write and log what moved."""
    stored = repo.record_features(session, uids)
    features = {eid: dict(row.features) for eid, row in stored.items()}
    if pairs is None:
        pairs = repo.matches_among(session, uids)
    judged = repo.judgements_in_force(session, uids)
    clusters = cluster(
        sorted(uids), pairs, model.thresholds, features, judged, scorer=scorer_for(model)
    )
    real_previous = {e: s for e, s in previous.items() if s}
    assignment = assign_subject_ids(clusters, real_previous, repo.new_subject_id, revive)
    current = {eid: row.subject_id for eid, row in stored.items()}
    changes = repo.apply_assignment(session, assignment, current, actor.user, model.version, now)
    changes = {e: [real_previous.get(e, ""), new] for e, (_, new) in changes.items()}
    repo.finish_event(session, event_id, changes, list(judgement_ids))
    return changes


def _recluster_around(
    session: Session,
    model: LinkageModel,
    seeds: set[str],
    actor: Actor,
    event_id: int,
    now: str,
    revive: Mapping[str, str] | None = None,
    judgement_ids: Sequence[int] = (),
) -> dict[str, list[str]]:
    """Re-cluster the subjects of ``seeds`` and of the records they are accepted matches of."""
    stored = repo.record_features(session, seeds)
    subjects = {row.subject_id for row in stored.values()}
    members = repo.subject_members(session, subjects) | seeds
    neighbours = repo.accepted_neighbours(session, members)
    around = repo.record_features(session, neighbours)
    members |= repo.subject_members(session, {row.subject_id for row in around.values()})
    members |= neighbours
    previous = {eid: row.subject_id for eid, row in repo.record_features(session, members).items()}
    return _recluster(
        session, model, members, previous, None, actor, event_id, now, revive, judgement_ids
    )


def _summary(
    kind: str,
    model: LinkageModel,
    records: int,
    pairs: Sequence[ScoredPair],
    moved: Mapping[str, list[str]],
    event_id: int,
    started: float,
    session: Session,
) -> RunSummary:
    outcomes = [p.outcome(model.thresholds) for p in pairs]
    subjects = session.scalar(
        select(func.count())
        .select_from(resolve_subjects)
        .where(resolve_subjects.c.status == "active")
    )
    return RunSummary(
        kind=kind,
        model_version=model.version,
        records=records,
        pairs_kept=sum(1 for o in outcomes if o != "reject"),
        accepted=outcomes.count("accept"),
        in_review=outcomes.count("review"),
        subjects=int(subjects or 0),
        records_moved=len(moved),
        event_id=event_id,
        seconds=round(time.perf_counter() - started, 3),
    )


def _audit(result: RunSummary) -> dict[str, Any]:
    return {
        "model_version": result.model_version,
        "records": result.records,
        "accepted": result.accepted,
        "in_review": result.in_review,
        "records_moved": result.records_moved,
        "event_id": result.event_id,
    }


# -- look-up --------------------------------------------------------------------------------


def match_one(
    svc: Services,
    actor: Actor,
    props: Mapping[str, Sequence[str]],
    limit: int = 10,
) -> list[Candidate]:
    """Is this person already known? Ranked candidate subjects, each with its explanation.

    ``props`` are followthemoney Person properties (``firstName``, ``lastName``, ``birthDate``,
    ``idNumber``, ``passportNumber``, ...). Candidates come from indexes (the look-up keys; the
    name index when the keys bring nobody the model would keep; ``writ.resolve.candidates``),
    are scored by the active model in Python with
    the batch linker's levels and weights (``writ.resolve.scoring``), and are ranked by match
    weight, best record per subject. Records the actor may not read are left out without a
    trace in the answer.
    """
    with svc.operation(actor, "search", Resource("subject", "lookup")) as op:
        model = _model(op.session)
        probe = prepare(PersonRecord("probe", {k: list(v) for k, v in props.items()}))
        scorer = scorer_for(model)
        stored = candidates.by_keys(op.session, probe)
        scored = [(scorer.score(probe, row.features), row) for row in stored.values()]
        if all(pair.weight < model.thresholds.review for pair, _ in scored):
            more = candidates.by_name(op.session, probe, props)
            scored += [
                (scorer.score(probe, r.features), r) for e, r in more.items() if e not in stored
            ]
        pairs = sorted(scored, key=lambda s: (-s[0].weight, s[1].entity_id))
        best: dict[str, Candidate] = {}
        for pair, row in pairs:
            if len(best) >= limit:
                break
            if row.subject_id in best:
                continue
            if not svc.policy.decide(actor, "read", candidates.person_resource(row)).allowed:
                continue
            best[row.subject_id] = Candidate(
                subject_id=row.subject_id,
                record=_record_view(row),
                weight=round(pair.weight, 2),
                probability=pair.probability,
                outcome=pair.outcome(model.thresholds),
                explanation=[r.text for r in reasons(pair.levels, pair.weights, pair.conflicts)],
                model_version=model.version,
            )
        op.details.update(candidates=len(best), scored=len(pairs), model_version=model.version)
        return list(best.values())


def _may_read(svc: Services, actor: Actor, session: Session, entity_id: str) -> bool:
    return svc.policy.decide(actor, "read", person_resource(session, entity_id)).allowed


def _record_view(row: Any, values: dict[str, list[str]] | None = None) -> RecordView:
    return RecordView(
        entity_id=row.entity_id,
        source=row.source,
        record_id=row.record_id,
        subject_id=row.subject_id,
        caption=str(row.features.get("caption") or row.entity_id),
        values=values or {},
    )


# -- review ---------------------------------------------------------------------------------


def review_list(svc: Services, actor: Actor, limit: int = 50) -> list[ReviewItem]:
    """Pairs waiting for a person: in review, not yet judged, not already one subject."""
    with svc.operation(actor, "review", QUEUE, audit_action="match.queue") as op:
        items = []
        for row in repo.review_rows(op.session, limit * 4):
            item = _open_item(svc, actor, op.session, row)
            if item is not None:
                items.append(item)
            if len(items) >= limit:
                break
        op.details["items"] = len(items)
        return items


def _open_item(svc: Services, actor: Actor, session: Session, row: Any) -> ReviewItem | None:
    stored = repo.record_features(session, {row.left_id, row.right_id})
    if len(stored) < 2:
        return None
    left, right = stored[row.left_id], stored[row.right_id]
    if left.subject_id == right.subject_id:
        return None
    if repo.judgements_in_force(session, {row.left_id}).get((row.left_id, row.right_id)):
        return None
    if not (
        _may_read(svc, actor, session, row.left_id) and _may_read(svc, actor, session, row.right_id)
    ):
        return None
    return _item(row, _record_view(left), _record_view(right))


def _item(
    row: Any, left: RecordView, right: RecordView, history: list[JudgementView] | None = None
) -> ReviewItem:
    return ReviewItem(
        match_id=row.id,
        left=left,
        right=right,
        weight=round(row.weight, 2),
        outcome=row.outcome,
        model_version=row.model_version,
        summary=summary(row.weight, row.outcome),
        explanation=[r.text for r in reasons(row.levels, row.weights, row.conflicts)],
        judgements=history or [],
    )


def review_show(svc: Services, actor: Actor, match_id: int) -> ReviewItem:
    """Both records of a scored pair with every value, the explanation and the judgements."""
    with svc.operation(actor, "review", audit_action="match.read") as op:
        row = repo.match_row(op.session, match_id)
        if row is None:
            raise NotFound(f"no match {match_id}")
        op.authorize(Resource("match", str(match_id)))
        _check_read(svc, actor, op.session, (row.left_id, row.right_id))
        stored = repo.record_features(op.session, {row.left_id, row.right_id})
        views = []
        for entity_id in (row.left_id, row.right_id):
            values: dict[str, list[str]] = {}
            for stmt in load_statements(op.session, [entity_id]):
                if stmt.superseded_at is None:
                    values.setdefault(stmt.prop, []).append(stmt.value)
            views.append(_record_view(stored[entity_id], values))
        history = [
            _judgement(j) for j in repo.judgement_history(op.session, row.left_id, row.right_id)
        ]
        op.details.update(left=row.left_id, right=row.right_id)
        return _item(row, views[0], views[1], history)


def _check_read(svc: Services, actor: Actor, session: Session, entity_ids: Sequence[str]) -> None:
    for entity_id in entity_ids:
        resource = person_resource(session, entity_id)
        decision = svc.policy.decide(actor, "read", resource)
        if not decision.allowed:
            raise AccessDenied(actor, "read", resource, decision)


def _judgement(row: Any) -> JudgementView:
    return JudgementView(
        id=row.id,
        verdict=row.verdict,
        user=row.user,
        reason=row.reason,
        created_at=row.created_at,
        machine_said=row.machine_said,
    )


def _require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise ValueError("a judgement needs a reason: say why, in a sentence")
    return reason.strip()


def decide(svc: Services, actor: Actor, match_id: int, verdict: str, reason: str) -> ChangeResult:
    """Judge a scored pair: same, not same or unsure. The subjects around it are re-clustered."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    reason = _require_reason(reason)
    with svc.operation(actor, "decide", audit_action="match.decide") as op:
        session, now = op.session, utcnow()
        row = repo.match_row(session, match_id)
        if row is None:
            raise NotFound(f"no match {match_id}")
        op.authorize(Resource("match", str(match_id)))
        _check_read(svc, actor, session, (row.left_id, row.right_id))
        model = _model(session)
        event_id = repo.add_event(session, "decide", actor.user, reason, now, model.version)
        said = {"weight": row.weight, "outcome": row.outcome, "model_version": row.model_version}
        judgement = repo.add_judgement(
            session,
            row.left_id,
            row.right_id,
            verdict,
            actor.user,
            reason,
            now,
            match_id,
            said,
            event_id,
        )
        changes = _recluster_around(
            session,
            model,
            {row.left_id, row.right_id},
            actor,
            event_id,
            now,
            judgement_ids=[judgement],
        )
        op.details.update(verdict=verdict, left=row.left_id, right=row.right_id, event_id=event_id)
        return ChangeResult(event_id, "decide", changes, [judgement])


def _model(session: Session) -> LinkageModel:
    model = repo.active_model(session)
    if model is None:
        raise LookupError(NO_MODEL)
    return model


# -- merge, split, undo ---------------------------------------------------------------------


def _subject_records(session: Session, subject_id: str) -> list[str]:
    members = sorted(repo.subject_members(session, {subject_id}))
    if not members:
        raise NotFound(f"no subject {subject_id} (or it has no records)")
    return members


def merge(svc: Services, actor: Actor, subject_a: str, subject_b: str, reason: str) -> ChangeResult:
    """Join two subjects: a "same" judgement between them, which outranks the A-number rule."""
    reason = _require_reason(reason)
    with svc.operation(
        actor, "decide", Resource("subject", subject_a), audit_action="subject.merge"
    ) as op:
        session, now = op.session, utcnow()
        first, second = _subject_records(session, subject_a), _subject_records(session, subject_b)
        _check_read(svc, actor, session, first + second)
        model = _model(session)
        event_id = repo.add_event(session, "merge", actor.user, reason, now, model.version)
        judgement = repo.add_judgement(
            session, first[0], second[0], SAME, actor.user, reason, now, event_id=event_id
        )
        changes = _recluster_around(
            session,
            model,
            set(first) | set(second),
            actor,
            event_id,
            now,
            judgement_ids=[judgement],
        )
        op.details.update(subjects=[subject_a, subject_b], event_id=event_id)
        return ChangeResult(event_id, "merge", changes, [judgement])


def split(
    svc: Services, actor: Actor, subject_id: str, entity_ids: Sequence[str], reason: str
) -> ChangeResult:
    """Take records out of a subject into a subject of their own; the larger part keeps the id.

    Written as judgements: the records taken out are "the same" as each other, the rest are "the
    same" as each other, and the two parts are "not the same" — which keeps them apart for good.
    """
    reason = _require_reason(reason)
    with svc.operation(
        actor, "decide", Resource("subject", subject_id), audit_action="subject.split"
    ) as op:
        session, now = op.session, utcnow()
        members = _subject_records(session, subject_id)
        moved = sorted(set(entity_ids))
        stray = [e for e in moved if e not in members]
        if stray:
            raise ValueError(f"split {subject_id}: records {stray} are not in this subject")
        rest = [e for e in members if e not in moved]
        if not moved or not rest:
            raise ValueError(f"split {subject_id}: name some but not all of its records")
        _check_read(svc, actor, session, members)
        model = _model(session)
        event_id = repo.add_event(session, "split", actor.user, reason, now, model.version)
        judgements = [
            repo.add_judgement(
                session, moved[0], rest[0], NOT_SAME, actor.user, reason, now, event_id=event_id
            )
        ]
        for part in (moved, rest):
            for other in part[1:]:
                judgements.append(
                    repo.add_judgement(
                        session, part[0], other, SAME, actor.user, reason, now, event_id=event_id
                    )
                )
        changes = _recluster_around(
            session, model, set(members), actor, event_id, now, judgement_ids=judgements
        )
        op.details.update(subject=subject_id, records=moved, event_id=event_id)
        return ChangeResult(event_id, "split", changes, judgements)


def undo(svc: Services, actor: Actor, event_id: int, reason: str) -> ChangeResult:
    """Undo a merge, split or decision: its judgements are withdrawn and the ids come back."""
    reason = _require_reason(reason)
    with svc.operation(actor, "decide", audit_action="subject.undo") as op:
        session, now = op.session, utcnow()
        event = repo.event_row(session, event_id)
        if event is None:
            raise NotFound(f"no resolution event {event_id}")
        if event.kind not in ("merge", "split", "decide"):
            raise ValueError(
                f"event {event_id} is a {event.kind}; only merge, split and decide undo"
            )
        if repo.undone_by(session, event_id) is not None:
            raise ValueError(f"event {event_id} was already undone")
        touched = set(event.changes)
        for j in repo.judgement_rows(session, list(event.judgements)):
            touched |= {j.left_id, j.right_id}
        op.authorize(Resource("subject", f"event:{event_id}"))
        _check_read(svc, actor, session, sorted(touched))
        model = _model(session)
        new_event = repo.add_event(
            session, "undo", actor.user, reason, now, model.version, event_id
        )
        withdrawn = []
        for j in repo.judgement_rows(session, list(event.judgements)):
            earlier = [
                h for h in repo.judgement_history(session, j.left_id, j.right_id) if h.id < j.id
            ]
            verdict = earlier[-1].verdict if earlier else repo.WITHDRAWN
            withdrawn.append(
                repo.add_judgement(
                    session,
                    j.left_id,
                    j.right_id,
                    verdict,
                    actor.user,
                    reason,
                    now,
                    event_id=new_event,
                )
            )
        revive = {eid: before for eid, (before, _) in event.changes.items() if before}
        changes = _recluster_around(
            session, model, touched, actor, new_event, now, revive, withdrawn
        )
        op.details.update(undoes=event_id, event_id=new_event)
        return ChangeResult(new_event, "undo", changes, withdrawn)


# -- reading subjects and export ------------------------------------------------------------


def subject_records(svc: Services, actor: Actor, subject_id: str) -> list[RecordView]:
    """The records resolved into one subject."""
    with svc.operation(actor, "read", Resource("subject", subject_id)) as op:
        rows = repo.record_features(op.session, repo.subject_members(op.session, {subject_id}))
        _check_read(svc, actor, op.session, sorted(rows))
        op.details["records"] = len(rows)
        return [_record_view(rows[e]) for e in sorted(rows)]


@dataclass(frozen=True)
class ResolutionEvent:
    """A merge, split, decision or undo that moved records in or out of a subject."""

    id: int
    kind: str
    user: str
    reason: str
    created_at: str
    changes: dict[str, list[str]]  # entity id -> [subject before, subject after]
    undoes: int | None
    undone_by: int | None


@dataclass(frozen=True)
class SubjectResolution:
    subject_id: str
    records: list[RecordView]
    history: list[ResolutionEvent]


PERSON_EVENTS = ("merge", "split", "decide", "undo")


def subject_resolution(svc: Services, actor: Actor, record_or_subject: str) -> SubjectResolution:
    """The subject a record belongs to now (or the subject of that id): its stable id, its
    records, and every merge, split, decision and undo that touched it or its records."""
    with svc.operation(actor, "read", audit_action="subject.resolution") as op:
        session = op.session
        own = repo.record_features(session, [record_or_subject]).get(record_or_subject)
        subject_id = own.subject_id if own is not None else record_or_subject
        members = sorted(repo.subject_members(session, {subject_id}))
        if not members:
            raise NotFound(f"no subject or resolved record {record_or_subject}")
        op.authorize(Resource("subject", subject_id))
        _check_read(svc, actor, session, members)
        rows = repo.record_features(session, members)
        events = list(
            session.execute(
                select(resolve_events)
                .where(resolve_events.c.kind.in_(PERSON_EVENTS))
                .order_by(resolve_events.c.id)
            )
        )
        undone = {e.undoes: e.id for e in events if e.undoes is not None}
        mine = set(members)
        history = [
            ResolutionEvent(
                id=e.id,
                kind=e.kind,
                user=e.user,
                reason=e.reason,
                created_at=e.created_at,
                changes=dict(e.changes),
                undoes=e.undoes,
                undone_by=undone.get(e.id),
            )
            for e in events
            if mine & set(e.changes) or any(subject_id in pair for pair in e.changes.values())
        ]
        op.details.update(subject=subject_id, records=len(members), events=len(history))
        return SubjectResolution(subject_id, [_record_view(rows[e]) for e in members], history)


def export_clusters(svc: Services, actor: Actor) -> Iterator[ClusterRow]:
    """source, record_id, subject_id (and the person entity) for every resolved person."""
    with svc.operation(actor, "export", EXPORT, audit_action="resolution.export") as op:
        rows = list(
            op.session.execute(
                select(
                    resolve_records.c.source,
                    resolve_records.c.record_id,
                    resolve_records.c.subject_id,
                    resolve_records.c.entity_id,
                ).order_by(
                    resolve_records.c.source,
                    resolve_records.c.record_id,
                    resolve_records.c.entity_id,
                )
            )
        )
        op.details["rows"] = len(rows)
    for row in rows:
        yield ClusterRow(row.source, row.record_id, row.subject_id, row.entity_id)
