"""Evidence: content-addressed files (SHA-256), a chain of custody, and a hash check on every read.

An item is never deleted. Disposal is an event on its chain, allowed once its retention date has
passed and only with a reason; the record and the content stay.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from writ.audit.ledger import utcnow
from writ.cases.records import Case, load_case, new_id, notify, record_event
from writ.model.actor import Actor
from writ.service.operation import NotFound, Services
from writ.store.tables.cases import custody_events, evidence

CUSTODY_EVENTS = (
    "collected",
    "received",
    "transferred",
    "checked_out",
    "checked_in",
    "verified",
    "verification_failed",
    "disposed",
)
_SHA256 = re.compile(r"[0-9a-f]{64}")


class EvidenceStore(Protocol):
    """Where evidence content lives, addressed by its SHA-256 (hex)."""

    def put(self, content: bytes) -> str: ...

    def get(self, sha256: str) -> bytes: ...

    def has(self, sha256: str) -> bool: ...

    def discard(self, sha256: str) -> None: ...


@contextmanager
def stored_if_committed(
    files: EvidenceStore, rows: Callable[[str], bool]
) -> Iterator[Callable[[bytes], str]]:
    """A ``put`` for content that a row committed in the block names; if the block fails (a
    refusal, a value the store rejects, a failed commit), the files it added are taken away
    again, unless a committed row names them meanwhile (``rows(sha256)``): a failed request
    leaves no file without its row behind.
    """
    added: list[str] = []

    def put(content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        fresh = not files.has(digest)
        files.put(content)
        if fresh:
            added.append(digest)
        return digest

    try:
        yield put
    except BaseException:
        for digest in added:
            if not rows(digest):
                files.discard(digest)
        raise


class FileEvidenceStore:
    """Evidence on local disk: ``<root>/ab/cd/<sha256>``, written once, read-only afterwards."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"{sha256!r} is not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def discard(self, sha256: str) -> None:
        """Remove content no row names (the request that brought it failed)."""
        self.path(sha256).unlink(missing_ok=True)


class EvidenceIntegrityError(Exception):
    """The content no longer matches its recorded SHA-256. Recorded as an alert, then raised."""

    def __init__(self, evidence_id: str, expected: str, observed: str) -> None:
        self.evidence_id = evidence_id
        self.expected = expected
        self.observed = observed
        super().__init__(
            f"evidence {evidence_id}: content hash {observed} does not match the recorded "
            f"SHA-256 {expected}; the item was not served and the alert is recorded"
        )


@dataclass(frozen=True)
class Evidence:
    id: str
    case_id: str
    sha256: str
    size: int
    filename: str
    description: str
    status: str
    custodian: str
    retain_until: str
    collected_at: str
    disposed_at: str | None
    disposal_reason: str | None


@dataclass(frozen=True)
class CustodyEvent:
    id: int
    event: str
    actor: str
    from_party: str | None
    to_party: str | None
    at: str
    sha256_observed: str | None
    note: str


def _load(session: Session, evidence_id: str) -> tuple[Evidence, Case]:
    row = session.execute(select(evidence).where(evidence.c.id == evidence_id)).first()
    if row is None:
        raise NotFound(f"no evidence {evidence_id}", "evidence", evidence_id)
    m = row._mapping
    item = Evidence(
        m["id"],
        m["case_id"],
        m["sha256"],
        m["size"],
        m["filename"],
        m["description"],
        m["status"],
        m["custodian"],
        m["retain_until"],
        m["collected_at"],
        m["disposed_at"],
        m["disposal_reason"],
    )
    return item, load_case(session, item.case_id)


def _event(
    session: Session,
    item: Evidence,
    event: str,
    actor: Actor,
    *,
    from_party: str | None = None,
    to_party: str | None = None,
    observed: str | None = None,
    note: str = "",
) -> None:
    session.execute(
        insert(custody_events).values(
            evidence_id=item.id,
            event=event,
            actor=actor.user,
            from_party=from_party,
            to_party=to_party,
            at=utcnow(),
            sha256_observed=observed,
            note=note,
        )
    )
    record_event(
        session,
        case_id=item.case_id,
        kind=f"custody.{event}",
        summary=f"Evidence {item.filename}: {event.replace('_', ' ')}"
        + (f" to {to_party}" if to_party else "")
        + (f" ({note})" if note else ""),
        source="custody",
        actor=actor.user,
        ref=f"evidence:{item.id}",
    )


def add_evidence(
    svc: Services,
    actor: Actor,
    case_id: str,
    content: bytes,
    *,
    filename: str,
    description: str,
    retain_until: str,
    files: EvidenceStore,
) -> Evidence:
    """Store the content under its SHA-256 and open its chain of custody with ``collected``."""
    try:
        datetime.strptime(retain_until, "%Y-%m-%d")
    except ValueError:
        raise ValueError(
            f'evidence {filename}: retain_until "{retain_until}" is not a date'
        ) from None
    with (
        stored_if_committed(files, lambda digest: _named(svc, digest)) as put,
        svc.operation(actor, "create", audit_action="evidence.collect") as op,
    ):
        case = load_case(op.session, case_id)
        op.authorize(case.resource("evidence"))
        digest = put(content)
        evidence_id = new_id()
        op.session.execute(
            insert(evidence).values(
                id=evidence_id,
                case_id=case_id,
                sha256=digest,
                size=len(content),
                filename=filename,
                description=description,
                status="held",
                custodian=actor.user,
                retain_until=retain_until,
                collected_at=utcnow(),
            )
        )
        item, _ = _load(op.session, evidence_id)
        _event(op.session, item, "collected", actor, to_party=actor.user, observed=digest)
        op.details.update(evidence=evidence_id, sha256=digest, size=len(content))
        return item


def _named(svc: Services, sha256: str) -> bool:
    """Whether a committed evidence row names this content."""
    with svc.store.engine.connect() as connection:
        found = connection.execute(select(evidence.c.id).where(evidence.c.sha256 == sha256))
        return found.first() is not None


def record_custody(
    svc: Services,
    actor: Actor,
    evidence_id: str,
    event: str,
    *,
    to_party: str | None = None,
    note: str = "",
) -> Evidence:
    """A hand-over on the chain: ``received``, ``transferred``, ``checked_out``, ``checked_in``."""
    if event not in ("received", "transferred", "checked_out", "checked_in"):
        raise ValueError(
            f"evidence {evidence_id}: custody event {event!r} is not one of received, "
            "transferred, checked_out, checked_in (use verify_evidence, dispose_evidence)"
        )
    if event in ("transferred", "checked_out") and not to_party:
        raise ValueError(f"evidence {evidence_id}: {event} needs to_party")
    with svc.operation(actor, "update", audit_action=f"evidence.{event}") as op:
        item, case = _load(op.session, evidence_id)
        op.authorize(case.resource("evidence", evidence_id))
        if item.status == "disposed":
            raise ValueError(f"evidence {evidence_id}: disposed on {item.disposed_at}; no events")
        if event == "checked_out" and item.status == "checked-out":
            raise ValueError(f"evidence {evidence_id}: already checked out")
        if event == "checked_in" and item.status != "checked-out":
            raise ValueError(f"evidence {evidence_id}: not checked out")
        status = {"checked_out": "checked-out", "checked_in": "held"}.get(event, item.status)
        custodian = {
            "transferred": to_party,
            "received": actor.user,
            "checked_out": to_party,
            "checked_in": actor.user,
        }[event]
        op.session.execute(
            update(evidence)
            .where(evidence.c.id == evidence_id)
            .values(status=status, custodian=custodian)
        )
        _event(
            op.session,
            item,
            event,
            actor,
            from_party=item.custodian,
            to_party=custodian,
            note=note,
        )
        op.details.update(event=event, from_party=item.custodian, to_party=custodian)
        return _load(op.session, evidence_id)[0]


def _check(
    svc: Services,
    op_session: Session,
    actor: Actor,
    item: Evidence,
    case: Case,
    files: EvidenceStore,
) -> tuple[bytes | None, str]:
    """Read and hash the content; on a mismatch record the alert and notify owner and custodian."""
    try:
        content: bytes | None = files.get(item.sha256)
    except FileNotFoundError:
        content = None
    observed = hashlib.sha256(content).hexdigest() if content is not None else "missing"
    if observed == item.sha256:
        return content, observed
    _event(
        op_session,
        item,
        "verification_failed",
        actor,
        observed=observed,
        note="content does not match the recorded SHA-256",
    )
    for recipient in sorted({case.owner, item.custodian}):
        notify(
            op_session,
            recipient,
            "alert",
            f"ALERT: evidence {item.filename} on case {case.number} failed its hash check "
            f"(expected {item.sha256[:12]}…, found {observed[:12]}…).",
            "evidence",
            item.id,
        )
    return None, observed


def retrieve_evidence(
    svc: Services, actor: Actor, evidence_id: str, files: EvidenceStore
) -> tuple[Evidence, bytes]:
    """The content, after re-checking its SHA-256. A mismatch is recorded, then raised."""
    with svc.operation(actor, "read", audit_action="evidence.retrieve") as op:
        item, case = _load(op.session, evidence_id)
        op.authorize(case.resource("evidence", evidence_id))
        content, observed = _check(svc, op.session, actor, item, case, files)
        op.details.update(sha256=item.sha256, observed=observed)
        if content is None:
            op.outcome = "alert"
    if content is None:
        raise EvidenceIntegrityError(evidence_id, item.sha256, observed)
    return item, content


def verify_evidence(svc: Services, actor: Actor, evidence_id: str, files: EvidenceStore) -> str:
    """Re-hash the content and put ``verified`` on the chain; a mismatch is recorded and raised."""
    with svc.operation(actor, "verify", audit_action="evidence.verify") as op:
        item, case = _load(op.session, evidence_id)
        op.authorize(case.resource("evidence", evidence_id))
        content, observed = _check(svc, op.session, actor, item, case, files)
        op.details.update(sha256=item.sha256, observed=observed)
        if content is None:
            op.outcome = "alert"
        else:
            _event(op.session, item, "verified", actor, observed=observed)
    if content is None:
        raise EvidenceIntegrityError(evidence_id, item.sha256, observed)
    return observed


def dispose_evidence(
    svc: Services, actor: Actor, evidence_id: str, reason: str, *, today: str | None = None
) -> Evidence:
    """Record a disposal: only after the retention date, with a reason. Nothing is deleted."""
    if not reason.strip():
        raise ValueError(f"evidence {evidence_id}: disposal needs a reason")
    today = today or datetime.now(UTC).date().isoformat()
    with svc.operation(actor, "approve", audit_action="evidence.dispose") as op:
        item, case = _load(op.session, evidence_id)
        op.authorize(case.resource("evidence", evidence_id))
        if item.status == "disposed":
            raise ValueError(f"evidence {evidence_id}: already disposed on {item.disposed_at}")
        if item.status == "checked-out":
            raise ValueError(f"evidence {evidence_id}: checked out to {item.custodian}")
        if today < item.retain_until:
            raise ValueError(
                f"evidence {evidence_id}: retain_until {item.retain_until} has not passed "
                f"(today {today}); retention forbids disposal"
            )
        now = utcnow()
        op.session.execute(
            update(evidence)
            .where(evidence.c.id == evidence_id)
            .values(status="disposed", disposed_at=now, disposal_reason=reason.strip())
        )
        _event(op.session, item, "disposed", actor, note=reason.strip())
        op.details["reason"] = reason.strip()
        return _load(op.session, evidence_id)[0]


def custody_chain(
    svc: Services, actor: Actor, evidence_id: str
) -> tuple[Evidence, list[CustodyEvent]]:
    """The item and every event on its chain, oldest first."""
    with svc.operation(actor, "read", audit_action="evidence.read") as op:
        item, case = _load(op.session, evidence_id)
        op.authorize(case.resource("evidence", evidence_id))
        rows = op.session.execute(
            select(custody_events)
            .where(custody_events.c.evidence_id == evidence_id)
            .order_by(custody_events.c.id)
        )
        chain = [
            CustodyEvent(
                r.id, r.event, r.actor, r.from_party, r.to_party, r.at, r.sha256_observed, r.note
            )
            for r in rows
        ]
        return item, chain


def case_evidence(svc: Services, actor: Actor, case_id: str) -> list[Evidence]:
    with svc.operation(actor, "read", audit_action="evidence.list") as op:
        case = load_case(op.session, case_id)
        op.authorize(case.resource("evidence"))
        ids = op.session.execute(
            select(evidence.c.id)
            .where(evidence.c.case_id == case_id)
            .order_by(evidence.c.collected_at)
        ).scalars()
        return [_load(op.session, i)[0] for i in ids]
