"""Reading and writing the resolve tables inside a service's session."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from writ.resolve.cluster import NOT_SAME, SAME, UNSURE, Assignment, pair_key
from writ.resolve.features import COLUMNS, FEATURE_VERSION
from writ.resolve.model import ARTEFACT_FORMAT, LinkageModel
from writ.resolve.pairs import ScoredPair
from writ.resolve.records import lookup_keys
from writ.store.tables.resolve import (
    resolve_events,
    resolve_judgements,
    resolve_keys,
    resolve_matches,
    resolve_models,
    resolve_records,
    resolve_subjects,
)

WITHDRAWN = "withdrawn"  # written only by an undo: the pair is as if never judged
IN_FORCE = (SAME, NOT_SAME, UNSURE)
CHUNK = 500


def new_subject_id() -> str:
    return f"S-{uuid.uuid4().hex[:12]}"


def features_sha(features: Mapping[str, Any]) -> str:
    raw = json.dumps({c: features.get(c) for c in COLUMNS}, sort_keys=True)
    return hashlib.sha1(raw.encode()).hexdigest()


def _chunks(items: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(items))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# -- models ---------------------------------------------------------------------------------


_MODELS: dict[str, LinkageModel] = {}  # version -> parsed artefact; a version never changes


def active_model(session: Session) -> LinkageModel | None:
    active = (
        select(resolve_models.c.version)
        .where(resolve_models.c.active.is_(True))
        .order_by(resolve_models.c.created_at.desc())
    )
    version = session.scalar(active.limit(1))
    if version is None:
        return None
    model = _MODELS.get(version)
    if model is None:
        artefact = session.scalar(
            select(resolve_models.c.artefact).where(resolve_models.c.version == version)
        )
        data = json.loads(artefact or "{}")
        if not usable(data):
            return None  # made for another preparation of the features: the next run retrains
        model = _MODELS[version] = LinkageModel.from_json(data)
    return model


def usable(artefact: Mapping[str, Any]) -> bool:
    """Whether a stored artefact is a model of this format for the features prepared today."""
    return (
        artefact.get("format") == ARTEFACT_FORMAT
        and artefact.get("feature_version") == FEATURE_VERSION
    )


def save_model(session: Session, model: LinkageModel, user: str, now: str) -> None:
    session.execute(update(resolve_models).values(active=False))
    exists = session.execute(
        select(resolve_models.c.version).where(resolve_models.c.version == model.version)
    ).first()
    if exists:
        session.execute(
            update(resolve_models)
            .where(resolve_models.c.version == model.version)
            .values(active=True)
        )
        return
    session.execute(
        resolve_models.insert().values(
            version=model.version,
            artefact=json.dumps(model.to_json(), sort_keys=True),
            trained_by=user,
            created_at=now,
            active=True,
        )
    )


# -- records and assignments ----------------------------------------------------------------


def record_features(session: Session, entity_ids: Iterable[str] | None = None) -> dict[str, Any]:
    """entity id -> stored row (features, subject, source, record id)."""
    query = select(resolve_records)
    if entity_ids is None:
        return {r.entity_id: r for r in session.execute(query)}
    result = {}
    for chunk in _chunks(entity_ids):
        for row in session.execute(query.where(resolve_records.c.entity_id.in_(chunk))):
            result[row.entity_id] = row
    return result


def subject_members(session: Session, subject_ids: Iterable[str]) -> set[str]:
    members: set[str] = set()
    for chunk in _chunks(subject_ids):
        members |= set(
            session.scalars(
                select(resolve_records.c.entity_id).where(resolve_records.c.subject_id.in_(chunk))
            )
        )
    return members


def upsert_records(
    session: Session,
    rows: Iterable[tuple[str, str, str, dict[str, Any]]],
    subject_of: Mapping[str, str],
    user: str,
    model_version: str,
    now: str,
) -> None:
    """Insert or refresh records (entity id, source, record id, features) and their keys."""
    rows = list(rows)
    existing = set()
    for chunk in _chunks(r[0] for r in rows):
        existing |= set(
            session.scalars(
                select(resolve_records.c.entity_id).where(resolve_records.c.entity_id.in_(chunk))
            )
        )
    for entity_id, source, record_id, features in rows:
        values = {
            "source": source,
            "record_id": record_id,
            "features": features,
            "features_sha": features_sha(features),
        }
        if entity_id in existing:
            session.execute(
                update(resolve_records)
                .where(resolve_records.c.entity_id == entity_id)
                .values(**values)
            )
        else:
            session.execute(
                resolve_records.insert().values(
                    entity_id=entity_id,
                    subject_id=subject_of[entity_id],
                    assigned_at=now,
                    assigned_by=user,
                    model_version=model_version,
                    **values,
                )
            )
    for chunk in _chunks(r[0] for r in rows):
        session.execute(resolve_keys.delete().where(resolve_keys.c.entity_id.in_(chunk)))
    key_rows = [
        {"key": key, "entity_id": entity_id}
        for entity_id, _, _, features in rows
        for key in sorted(lookup_keys(features))
    ]
    if key_rows:
        session.execute(resolve_keys.insert(), key_rows)


def candidates_by_keys(session: Session, keys: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(keys):
        found |= set(
            session.scalars(
                select(resolve_keys.c.entity_id).where(resolve_keys.c.key.in_(chunk)).distinct()
            )
        )
    return found


def apply_assignment(
    session: Session,
    assignment: Assignment,
    previous: Mapping[str, str],
    user: str,
    model_version: str | None,
    now: str,
) -> dict[str, list[str]]:
    """Write the new subject of each record that moved; keep the subjects table in step."""
    changes: dict[str, list[str]] = {}
    for entity_id, subject in assignment.subject_of.items():
        old = previous.get(entity_id)
        if old != subject:
            changes[entity_id] = [old or "", subject]
            session.execute(
                update(resolve_records)
                .where(resolve_records.c.entity_id == entity_id)
                .values(
                    subject_id=subject,
                    assigned_at=now,
                    assigned_by=user,
                    model_version=model_version,
                )
            )
    live = set(assignment.subject_of.values())
    known = set()
    for chunk in _chunks(live | set(previous.values())):
        known |= set(
            session.scalars(
                select(resolve_subjects.c.subject_id).where(
                    resolve_subjects.c.subject_id.in_(chunk)
                )
            )
        )
    touched = {new for _, new in changes.values()} | {old for old, _ in changes.values() if old}
    for subject in sorted(live & touched):
        if subject in known:
            session.execute(
                update(resolve_subjects)
                .where(resolve_subjects.c.subject_id == subject)
                .values(status="active", merged_into=None, updated_at=now)
            )
        else:
            session.execute(
                resolve_subjects.insert().values(
                    subject_id=subject, status="active", created_at=now, updated_at=now
                )
            )
    for subject in sorted(set(previous.values()) - live):
        session.execute(
            update(resolve_subjects)
            .where(resolve_subjects.c.subject_id == subject)
            .values(
                status="merged" if subject in assignment.merged else "empty",
                merged_into=assignment.merged.get(subject),
                updated_at=now,
            )
        )
    return changes


# -- matches --------------------------------------------------------------------------------


def write_matches(
    session: Session, pairs: Iterable[ScoredPair], model: LinkageModel, now: str
) -> int:
    """Store scored pairs at or above review; supersede the earlier score of each pair."""
    rows: list[dict[str, Any]] = []
    for pair in pairs:
        if pair.weight < model.thresholds.review:
            continue
        rows.append(
            {
                "left_id": pair.left,
                "right_id": pair.right,
                "weight": pair.weight,
                "probability": pair.probability,
                "outcome": pair.outcome(model.thresholds),
                "conflicts": list(pair.conflicts),
                "levels": pair.levels,
                "weights": {k: round(v, 4) for k, v in pair.weights.items()},
                "model_version": model.version,
                "created_at": now,
            }
        )
    lefts: dict[str, set[str]] = {}
    for kept in pairs_kept(rows):
        lefts.setdefault(kept[0], set()).add(kept[1])
    for left, rights in lefts.items():
        session.execute(
            update(resolve_matches)
            .where(
                resolve_matches.c.left_id == left,
                resolve_matches.c.right_id.in_(sorted(rights)),
                resolve_matches.c.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
    if rows:
        session.execute(resolve_matches.insert(), rows)
    return len(rows)


def pairs_kept(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(row["left_id"]), str(row["right_id"])) for row in rows]


def supersede_all_matches(session: Session, now: str) -> None:
    session.execute(
        update(resolve_matches)
        .where(resolve_matches.c.superseded_at.is_(None))
        .values(superseded_at=now)
    )


def _pair_from_row(row: Any) -> ScoredPair:
    return ScoredPair(
        left=row.left_id,
        right=row.right_id,
        weight=row.weight,
        probability=row.probability,
        levels=dict(row.levels),
        weights=dict(row.weights),
        conflicts=tuple(row.conflicts),
    )


def matches_among(session: Session, entity_ids: set[str]) -> list[ScoredPair]:
    """Current scored pairs with both records in ``entity_ids``."""
    pairs: dict[tuple[str, str], ScoredPair] = {}
    for chunk in _chunks(entity_ids):
        for row in session.execute(
            select(resolve_matches).where(
                resolve_matches.c.superseded_at.is_(None), resolve_matches.c.left_id.in_(chunk)
            )
        ):
            if row.right_id in entity_ids:
                pairs[(row.left_id, row.right_id)] = _pair_from_row(row)
    return list(pairs.values())


def accepted_neighbours(session: Session, entity_ids: set[str]) -> set[str]:
    """Records joined to any of ``entity_ids`` by a current accepted match."""
    found: set[str] = set()
    for chunk in _chunks(entity_ids):
        for row in session.execute(
            select(resolve_matches.c.left_id, resolve_matches.c.right_id).where(
                resolve_matches.c.superseded_at.is_(None),
                resolve_matches.c.outcome == "accept",
                or_(resolve_matches.c.left_id.in_(chunk), resolve_matches.c.right_id.in_(chunk)),
            )
        ):
            found |= {row.left_id, row.right_id}
    return found


def match_row(session: Session, match_id: int) -> Any:
    return session.execute(select(resolve_matches).where(resolve_matches.c.id == match_id)).first()


def review_rows(session: Session, limit: int) -> list[Any]:
    """Open review pairs, strongest first (the caller drops those already judged or merged)."""
    return list(
        session.execute(
            select(resolve_matches)
            .where(resolve_matches.c.superseded_at.is_(None), resolve_matches.c.outcome == "review")
            .order_by(resolve_matches.c.weight.desc(), resolve_matches.c.id)
            .limit(limit)
        )
    )


# -- judgements and events ------------------------------------------------------------------


def judgements_in_force(
    session: Session, entity_ids: set[str] | None
) -> dict[tuple[str, str], str]:
    """The newest judgement of each pair (within ``entity_ids``), unless it was withdrawn."""
    query = select(
        resolve_judgements.c.id,
        resolve_judgements.c.left_id,
        resolve_judgements.c.right_id,
        resolve_judgements.c.verdict,
    )
    latest: dict[tuple[str, str], str] = {}
    if entity_ids is None:
        rows: Iterable[Any] = session.execute(query)
    else:
        rows = []
        for chunk in _chunks(entity_ids):
            rows += list(
                session.execute(
                    query.where(
                        or_(
                            resolve_judgements.c.left_id.in_(chunk),
                            resolve_judgements.c.right_id.in_(chunk),
                        )
                    )
                )
            )
    for row in sorted(rows, key=lambda r: r.id):
        latest[(row.left_id, row.right_id)] = row.verdict
    return {k: v for k, v in latest.items() if v in IN_FORCE}


def judgement_history(session: Session, a: str, b: str) -> list[Any]:
    left, right = pair_key(a, b)
    return list(
        session.execute(
            select(resolve_judgements)
            .where(
                and_(resolve_judgements.c.left_id == left, resolve_judgements.c.right_id == right)
            )
            .order_by(resolve_judgements.c.id)
        )
    )


def add_judgement(
    session: Session,
    a: str,
    b: str,
    verdict: str,
    user: str,
    reason: str,
    now: str,
    match_id: int | None = None,
    machine_said: dict[str, Any] | None = None,
    event_id: int | None = None,
) -> int:
    left, right = pair_key(a, b)
    result = session.execute(
        resolve_judgements.insert().values(
            left_id=left,
            right_id=right,
            verdict=verdict,
            user=user,
            reason=reason,
            match_id=match_id,
            machine_said=machine_said,
            event_id=event_id,
            created_at=now,
        )
    )
    return _inserted_id(result)


def add_event(
    session: Session,
    kind: str,
    user: str,
    reason: str,
    now: str,
    model_version: str | None = None,
    undoes: int | None = None,
) -> int:
    result = session.execute(
        resolve_events.insert().values(
            kind=kind,
            user=user,
            reason=reason,
            model_version=model_version,
            changes={},
            judgements=[],
            undoes=undoes,
            created_at=now,
        )
    )
    return _inserted_id(result)


def _inserted_id(result: Any) -> int:
    return int(result.inserted_primary_key[0])


def finish_event(
    session: Session, event_id: int, changes: dict[str, list[str]], judgement_ids: list[int]
) -> None:
    session.execute(
        update(resolve_events)
        .where(resolve_events.c.id == event_id)
        .values(changes=changes, judgements=judgement_ids)
    )


def event_row(session: Session, event_id: int) -> Any:
    return session.execute(select(resolve_events).where(resolve_events.c.id == event_id)).first()


def undone_by(session: Session, event_id: int) -> int | None:
    return session.scalar(select(resolve_events.c.id).where(resolve_events.c.undoes == event_id))


def judgement_rows(session: Session, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    return list(session.execute(select(resolve_judgements).where(resolve_judgements.c.id.in_(ids))))
