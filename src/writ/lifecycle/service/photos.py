"""Photos of record: the photo the agency holds of the person on an immigration case (a booking
photo), shown on the case page and the field worklist so that officers know whom they are
looking for.

The content lives outside the database in a content-addressed store (SHA-256), like evidence;
the row records where the photo came from and the legal basis for holding it. Setting one is an
audited change; every read of the image is an audited read, decided by policy
(``photo-of-record`` in ``policies/lifecycle.cedar``). A new photo supersedes the old one, whose
row stays. writ never compares, matches or analyses images: the only look at the content is the
file signature, to refuse what is not a JPEG, PNG or WebP image.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from writ.cases.evidence import EvidenceStore, FileEvidenceStore, stored_if_committed
from writ.lifecycle.documents import utc
from writ.lifecycle.service.records import case_row, now_utc, parse_ts, ts
from writ.model.actor import Actor
from writ.model.resource import Resource
from writ.service import NotFound, Services
from writ.store.tables.lifecycle import photos_of_record

MAX_BYTES = 5 * 1024 * 1024
# File signatures of the image formats a photo of record may have. SVG and the like are refused:
# a photo is served to browsers, and an image format that can carry script is not a photo.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass(frozen=True)
class PhotoOfRecord:
    """A photo's record: never its content, which only ``photo_of_record`` returns."""

    id: str
    case_id: str
    subject_name: str
    sha256: str
    size: int
    media_type: str
    source: str
    legal_basis: str
    taken_at: datetime | None
    recorded_by: str
    recorded_at: datetime

    @property
    def alt(self) -> str:
        """The text a screen reader says in place of the image."""
        return f"Photo of record of {self.subject_name}"


PhotoFiles = FileEvidenceStore
"""The photos' content-addressed store: the same kind of store as evidence, its own folder."""


class PhotoIntegrityError(Exception):
    """The stored content no longer matches its SHA-256: recorded as an alert, then raised."""


def photo_files(root: Path) -> PhotoFiles:
    """The content-addressed store for photos of record under ``root`` (``$WRIT_HOME/photos``)."""
    return FileEvidenceStore(root)


def media_type_of(content: bytes) -> str | None:
    """The image format by its file signature, or None: no other look at the content."""
    for signature, media_type in SIGNATURES:
        if content.startswith(signature):
            return media_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def photo_resource(case: RowMapping, photo_id: str) -> Resource:
    """A photo carries the markings of its case: unit, compartments, sealed."""
    return Resource(
        "photo-of-record",
        photo_id,
        unit=case["unit"],
        compartments=frozenset(case["compartments"] or ()),
        sealed=bool(case["sealed"]),
    )


def current_photo_row(session: Session, case_id: str) -> RowMapping | None:
    return (
        session.execute(
            select(photos_of_record).where(
                photos_of_record.c.case_id == case_id,
                photos_of_record.c.superseded_at.is_(None),
            )
        )
        .mappings()
        .first()
    )


def _view(row: RowMapping, subject_name: str) -> PhotoOfRecord:
    return PhotoOfRecord(
        id=row["id"],
        case_id=row["case_id"],
        subject_name=subject_name,
        sha256=row["sha256"],
        size=row["size"],
        media_type=row["media_type"],
        source=row["source"],
        legal_basis=row["legal_basis"],
        taken_at=parse_ts(row["taken_at"]),
        recorded_by=row["recorded_by"],
        recorded_at=parse_ts(row["recorded_at"]) or now_utc(),
    )


def visible_photo(
    svc: Services, actor: Actor, session: Session, case: RowMapping
) -> PhotoOfRecord | None:
    """The current photo's record, if there is one and the actor may see it (no content read,
    so no audit entry of its own: the image route audits each read)."""
    row = current_photo_row(session, case["id"])
    if row is None:
        return None
    if not svc.policy.decide(actor, "read", photo_resource(case, row["id"])).allowed:
        return None
    return _view(row, case["subject_name"])


def _named(svc: Services, sha256: str) -> bool:
    """Whether a committed photo of record names this content."""
    with svc.store.engine.connect() as connection:
        found = connection.execute(
            select(photos_of_record.c.id).where(photos_of_record.c.sha256 == sha256)
        )
        return found.first() is not None


def set_photo(
    svc: Services,
    actor: Actor,
    case_id: str,
    content: bytes,
    *,
    source: str,
    legal_basis: str,
    files: EvidenceStore,
    taken_at: datetime | None = None,
) -> PhotoOfRecord:
    """Hold ``content`` as the case's photo of record; the previous one is superseded."""
    if not source.strip():
        raise ValueError(f"photo of record for case {case_id}: source is required")
    if not legal_basis.strip():
        raise ValueError(f"photo of record for case {case_id}: legal_basis is required")
    if not content:
        raise ValueError(f"photo of record for case {case_id}: the file is empty")
    if len(content) > MAX_BYTES:
        raise ValueError(
            f"photo of record for case {case_id}: {len(content)} bytes is more than {MAX_BYTES}"
        )
    media_type = media_type_of(content)
    if media_type is None:
        raise ValueError(
            f"photo of record for case {case_id}: the file is not a JPEG, PNG or WebP image"
        )
    taken = utc(taken_at) if taken_at is not None else None
    now = now_utc()
    if taken is not None and taken > now:
        raise ValueError(f"photo of record for case {case_id}: taken_at is in the future")
    photo_id = "PH-" + uuid.uuid4().hex[:12].upper()
    with (
        stored_if_committed(files, lambda digest: _named(svc, digest)) as put,
        svc.operation(actor, "create", audit_action="photo-of-record.set") as op,
    ):
        case = case_row(op.session, case_id)
        op.authorize(photo_resource(case, photo_id))
        previous = current_photo_row(op.session, case_id)
        if previous is not None:
            op.session.execute(
                update(photos_of_record)
                .where(photos_of_record.c.id == previous["id"])
                .values(superseded_at=ts(now))
            )
        digest = put(content)
        op.session.execute(
            insert(photos_of_record).values(
                id=photo_id,
                case_id=case_id,
                sha256=digest,
                size=len(content),
                media_type=media_type,
                source=source.strip(),
                legal_basis=legal_basis.strip(),
                taken_at=ts(taken) if taken is not None else None,
                recorded_by=actor.user,
                recorded_at=ts(now),
            )
        )
        op.details.update(
            {
                "case": case_id,
                "photo": photo_id,
                "sha256": digest,
                "size": len(content),
                "source": source.strip(),
                "legal_basis": legal_basis.strip(),
                "supersedes": previous["id"] if previous is not None else None,
            }
        )
        view = PhotoOfRecord(
            id=photo_id,
            case_id=case_id,
            subject_name=case["subject_name"],
            sha256=digest,
            size=len(content),
            media_type=media_type,
            source=source.strip(),
            legal_basis=legal_basis.strip(),
            taken_at=taken,
            recorded_by=actor.user,
            recorded_at=now,
        )
    return view


def photo_of_record(
    svc: Services, actor: Actor, case_id: str, files: EvidenceStore
) -> tuple[PhotoOfRecord, bytes]:
    """The case's current photo and its content, hash re-checked; every read is audited."""
    failure: dict[str, Any] | None = None
    with svc.operation(actor, "read", audit_action="photo-of-record.read") as op:
        case = case_row(op.session, case_id)
        row = current_photo_row(op.session, case_id)
        op.authorize(photo_resource(case, row["id"] if row is not None else f"{case_id}/none"))
        if row is None:
            raise NotFound(f"case {case_id}: no photo of record")
        try:
            content = files.get(row["sha256"])
        except FileNotFoundError:
            content = b""
        observed = hashlib.sha256(content).hexdigest() if content else "missing"
        op.details.update({"case": case_id, "photo": row["id"], "sha256": row["sha256"]})
        if observed != row["sha256"]:
            op.outcome = "alert"
            failure = {"photo": row["id"], "expected": row["sha256"], "observed": observed}
            op.details["observed"] = observed
        view = _view(row, case["subject_name"])
    if failure is not None:
        raise PhotoIntegrityError(
            f"photo {failure['photo']} on case {case_id}: content hash {failure['observed']} "
            f"does not match the recorded SHA-256 {failure['expected']}; not served, alert recorded"
        )
    return view, content
