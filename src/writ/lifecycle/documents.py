"""Legal documents on file, as typed records.

Every document carries who issued it, who signed it and in what role, when it was issued, when it is
in effect, and what is attached. The kind-specific fields follow the form or order they stand for.
A document is never edited in place: a revocation or a later order is a new fact on file.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from writ.lifecycle.countries import country_code

APPEAL_PERIOD = timedelta(days=30)
"""Time to appeal an immigration judge's decision to the BIA (8 CFR 1003.38(b))."""


class DocumentError(ValueError):
    """A document record that does not fit its kind: names the record, the field and the rule."""


def utc(value: datetime) -> datetime:
    """The same instant as an aware UTC datetime; a naive value (as SQLite returns) is UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True, kw_only=True)
class LegalDocument:
    """What every document on file has: issuer, signer and role, dates, validity, attachments."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""

    id: str
    issued_at: datetime
    issuer: str
    signer: str
    signer_role: str
    effective_from: datetime | None = None
    effective_until: datetime | None = None
    revoked_at: datetime | None = None
    attachments: tuple[str, ...] = ()
    note: str = ""

    def in_effect(self, at: datetime) -> bool:
        """Whether the document has effect at ``at``: started, not expired, not revoked."""
        start = self.effective_from or self.issued_at
        if at < start:
            return False
        if self.effective_until is not None and at >= self.effective_until:
            return False
        return self.revoked_at is None or at < self.revoked_at

    def describe(self) -> str:
        issued = f"{self.issued_at:%Y-%m-%d %H:%M}"
        return f"{self.title} {self.id} issued {issued} by {self.signer} ({self.signer_role})"


@dataclass(frozen=True, kw_only=True)
class ArrestWarrant(LegalDocument):
    kind = "i200"
    title = "I-200 warrant of arrest"


@dataclass(frozen=True, kw_only=True)
class RemovalWarrant(LegalDocument):
    kind = "i205"
    title = "I-205 warrant of removal"

    order_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class NoticeToAppear(LegalDocument):
    kind = "i862"
    title = "I-862 notice to appear"

    served_at: datetime | None = None
    charges: tuple[str, ...] = ()


PROBABLE_CAUSE_BASES = frozenset(
    {
        "final_order",
        "pending_proceedings",
        "biometric_match_and_records",
        "statements_to_officer",
        "database_match",
    }
)
"""Probable-cause bases an I-247A lists (ICE policy 10074.2); a database match alone is flagged."""


@dataclass(frozen=True, kw_only=True)
class Detainer(LegalDocument):
    kind = "i247a"
    title = "I-247A immigration detainer"

    probable_cause: tuple[str, ...] = ()
    served_at: datetime | None = None
    hold_started_at: datetime | None = None

    def __post_init__(self) -> None:
        unknown = set(self.probable_cause) - PROBABLE_CAUSE_BASES
        if unknown:
            raise DocumentError(
                f"document {self.id}: probable_cause {sorted(unknown)} is not one of "
                f"{sorted(PROBABLE_CAUSE_BASES)}"
            )


@dataclass(frozen=True, kw_only=True)
class WarrantlessArrest(LegalDocument):
    """The record of a warrantless arrest: its basis and the examination by a second officer."""

    kind = "warrantless_arrest"
    title = "warrantless arrest record"

    arrested_at: datetime
    arresting_officer: str
    basis: str
    examining_officer: str | None = None
    examined_at: datetime | None = None

    def examined_by_second_officer(self) -> bool:
        return bool(
            self.examining_officer
            and self.examined_at is not None
            and self.examining_officer != self.arresting_officer
        )


@dataclass(frozen=True, kw_only=True)
class CounselAdvisal(LegalDocument):
    """8 CFR 287.3(c): reasons for arrest, right to counsel, legal-services list, statements."""

    kind = "advisal"
    title = "advisal of rights"

    reasons_given: bool = False
    right_to_counsel: bool = False
    legal_services_list: bool = False
    statements_warning: bool = False

    def complete(self) -> bool:
        return self.reasons_given and self.right_to_counsel and self.legal_services_list


CUSTODY_DECISIONS = frozenset({"detain", "bond", "recognizance", "release"})


@dataclass(frozen=True, kw_only=True)
class CustodyDecision(LegalDocument):
    kind = "custody_decision"
    title = "custody determination"

    decision: str

    def __post_init__(self) -> None:
        if self.decision not in CUSTODY_DECISIONS:
            raise DocumentError(
                f"document {self.id}: decision {self.decision!r} is not one of "
                f"{sorted(CUSTODY_DECISIONS)}"
            )


ORDER_DISPOSITIONS = frozenset(
    {
        "removal",
        "removal_alternate_voluntary_departure",
        "relief_granted",
        "terminated",
        "appeal_dismissed",
        "remanded",
        "reopened",
    }
)
COURTS = frozenset({"IJ", "BIA"})


@dataclass(frozen=True, kw_only=True)
class ImmigrationOrder(LegalDocument):
    """An immigration judge's or the BIA's order; whether it is final is for finality.py."""

    kind = "order"
    title = "immigration order"

    court: str
    disposition: str
    in_absentia: bool = False
    appeal_waived: bool = False
    appeal_due: datetime | None = None
    certified_to_bia: bool = False
    voluntary_departure_until: datetime | None = None
    designated_countries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.court not in COURTS:
            raise DocumentError(f"document {self.id}: court {self.court!r} is not IJ or BIA")
        if self.disposition not in ORDER_DISPOSITIONS:
            raise DocumentError(
                f"document {self.id}: disposition {self.disposition!r} is not one of "
                f"{sorted(ORDER_DISPOSITIONS)}"
            )
        _normalise_countries(self, "designated_countries")

    def orders_removal(self) -> bool:
        return self.disposition in {"removal", "removal_alternate_voluntary_departure"}

    def appeal_deadline(self) -> datetime:
        return self.appeal_due or self.issued_at + APPEAL_PERIOD


@dataclass(frozen=True, kw_only=True)
class Appeal(LegalDocument):
    """A notice of appeal to the BIA (EOIR-26); ``revoked_at`` records a withdrawal."""

    kind = "appeal"
    title = "notice of appeal to the BIA"

    order_id: str | None = None


STAY_KINDS = frozenset({"automatic", "court_ordered", "administrative"})


@dataclass(frozen=True, kw_only=True)
class Stay(LegalDocument):
    kind = "stay"
    title = "stay of removal"

    stay_kind: str
    communicated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.stay_kind not in STAY_KINDS:
            raise DocumentError(
                f"document {self.id}: stay_kind {self.stay_kind!r} is not one of "
                f"{sorted(STAY_KINDS)}"
            )

    def communicated(self) -> datetime:
        return self.communicated_at or self.issued_at


@dataclass(frozen=True, kw_only=True)
class Withholding(LegalDocument):
    """Withholding of removal to one country (INA 241(b)(3); 8 CFR 208.16)."""

    kind = "withholding"
    title = "withholding of removal"

    country: str

    def __post_init__(self) -> None:
        _normalise_country(self, "country")


@dataclass(frozen=True, kw_only=True)
class CatDeferral(LegalDocument):
    """Deferral of removal under the Convention Against Torture to one country (8 CFR 208.17)."""

    kind = "cat_deferral"
    title = "CAT deferral of removal"

    country: str

    def __post_init__(self) -> None:
        _normalise_country(self, "country")


@dataclass(frozen=True, kw_only=True)
class TemporaryProtectedStatus(LegalDocument):
    kind = "tps"
    title = "temporary protected status"

    country: str

    def __post_init__(self) -> None:
        _normalise_country(self, "country")


@dataclass(frozen=True, kw_only=True)
class DeferredAction(LegalDocument):
    kind = "daca"
    title = "DACA deferred action"


APPLICATION_KINDS = frozenset(
    {
        "asylum",
        "withholding",
        "cat",
        "cancellation",
        "adjustment",
        "u_visa",
        "t_visa",
        "sijs",
        "motion_to_reopen",
        "motion_to_reopen_in_absentia",
        "other",
    }
)
FORUMS = frozenset({"court", "uscis"})


@dataclass(frozen=True, kw_only=True)
class PendingApplication(LegalDocument):
    """An application or motion on file; pending until ``decided_at``."""

    kind = "application"
    title = "application"

    application_kind: str
    forum: str
    decided_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.application_kind not in APPLICATION_KINDS:
            raise DocumentError(
                f"document {self.id}: application_kind {self.application_kind!r} is not one of "
                f"{sorted(APPLICATION_KINDS)}"
            )
        if self.forum not in FORUMS:
            raise DocumentError(f"document {self.id}: forum {self.forum!r} is not court or uscis")

    def pending(self, at: datetime) -> bool:
        return self.in_effect(at) and (self.decided_at is None or at < self.decided_at)


CLAIM_STATES = (
    "open",
    "under_investigation",
    "adjudicated_citizen",
    "adjudicated_not_citizen",
)


@dataclass(frozen=True, kw_only=True)
class CitizenshipClaim(LegalDocument):
    """A claim to US citizenship (ICE Directive 16001.2), adjudicated by legal and a second."""

    kind = "citizenship_claim"
    title = "US-citizenship claim"

    state: str = "open"
    investigated_by: str | None = None
    legal_signoff_by: str | None = None
    second_signoff_by: str | None = None
    proposed_outcome: str | None = None
    adjudicated_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.state not in CLAIM_STATES:
            raise DocumentError(
                f"document {self.id}: state {self.state!r} is not one of {list(CLAIM_STATES)}"
            )
        if self.proposed_outcome not in (None, "adjudicated_citizen", "adjudicated_not_citizen"):
            raise DocumentError(
                f"document {self.id}: proposed_outcome {self.proposed_outcome!r} is not "
                "adjudicated_citizen or adjudicated_not_citizen"
            )

    @property
    def stage(self) -> str:
        """Where the procedure stands: ``open``, ``awaiting_legal_signoff``,
        ``awaiting_second_signoff`` or the adjudicated state. (Its ``state`` stays
        ``under_investigation`` until the second sign-off.)"""
        if self.state == "under_investigation":
            return "awaiting_second_signoff" if self.legal_signoff_by else "awaiting_legal_signoff"
        return self.state

    def sign_off_refusal(self, user: str, roles: frozenset[str]) -> str | None:
        """Why ``user`` may not sign this claim off now, or None when they may: legal signs
        first, then a second, different person."""
        if self.state != "under_investigation":
            return (
                f"claim {self.id} is {self.state.replace('_', ' ')}: it must be investigated first"
            )
        if self.legal_signoff_by is None:
            return None if "legal" in roles else f"claim {self.id}: the first sign-off is by legal"
        if user == self.legal_signoff_by:
            return f"claim {self.id}: the second sign-off must be by another person"
        return None

    def properly_adjudicated(self) -> bool:
        """Adjudicated with an investigation, a legal sign-off and a second, different person."""
        people = [self.investigated_by, self.legal_signoff_by, self.second_signoff_by]
        return (
            self.state.startswith("adjudicated")
            and self.adjudicated_at is not None
            and all(people)
            and self.legal_signoff_by != self.second_signoff_by
        )


@dataclass(frozen=True, kw_only=True)
class CountryDesignation(LegalDocument):
    """A recorded designation of a removal country (INA 241(b)), with the notice given."""

    kind = "country_designation"
    title = "designation of removal country"

    country: str
    notice_served_at: datetime | None = None

    def __post_init__(self) -> None:
        _normalise_country(self, "country")


@dataclass(frozen=True, kw_only=True)
class TravelDocument(LegalDocument):
    kind = "travel_document"
    title = "travel document"

    country: str
    number: str = ""

    def __post_init__(self) -> None:
        _normalise_country(self, "country")


@dataclass(frozen=True, kw_only=True)
class Conviction(LegalDocument):
    """A criminal judgment on file (a fact enforcement priorities may use)."""

    kind = "conviction"
    title = "criminal conviction"

    category: str
    offense: str = ""


@dataclass(frozen=True, kw_only=True)
class CustodyReview(LegalDocument):
    """A post-order custody review (8 CFR 241.4)."""

    kind = "custody_review"
    title = "post-order custody review"

    decision: str = "continue"


DOCUMENT_TYPES: dict[str, type[LegalDocument]] = {
    cls.kind: cls
    for cls in (
        ArrestWarrant,
        RemovalWarrant,
        NoticeToAppear,
        Detainer,
        WarrantlessArrest,
        CounselAdvisal,
        CustodyDecision,
        ImmigrationOrder,
        Appeal,
        Stay,
        Withholding,
        CatDeferral,
        TemporaryProtectedStatus,
        DeferredAction,
        PendingApplication,
        CitizenshipClaim,
        CountryDesignation,
        TravelDocument,
        Conviction,
        CustodyReview,
    )
}


def _normalise_country(doc: LegalDocument, name: str) -> None:
    value = getattr(doc, name)
    try:
        object.__setattr__(doc, name, country_code(value))
    except ValueError as exc:
        raise DocumentError(f"document {doc.id}: {name} {exc}") from None


def _normalise_countries(doc: LegalDocument, name: str) -> None:
    values = getattr(doc, name)
    try:
        object.__setattr__(doc, name, tuple(country_code(v) for v in values))
    except ValueError as exc:
        raise DocumentError(f"document {doc.id}: {name} {exc}") from None


COMMON_FIELDS = frozenset(f.name for f in dataclasses.fields(LegalDocument))


def document_from_mapping(data: Mapping[str, Any]) -> LegalDocument:
    """Build a typed document from plain data (YAML, JSON, a form), checking every field."""
    values = dict(data)
    kind = values.pop("kind", None)
    doc_id = values.get("id", "?")
    cls = DOCUMENT_TYPES.get(str(kind))
    if cls is None:
        raise DocumentError(
            f"document {doc_id}: kind {kind!r} is not one of {sorted(DOCUMENT_TYPES)}"
        )
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise DocumentError(f"document {doc_id}: {kind} has no field(s) {sorted(unknown)}")
    args: dict[str, Any] = {}
    for name, raw in values.items():
        args[name] = _convert(doc_id, name, hints[name], raw)
    missing = [
        name
        for name, f in known.items()
        if name not in args
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise DocumentError(f"document {doc_id}: {kind} needs field(s) {missing}")
    try:
        return cls(**args)
    except TypeError as exc:
        raise DocumentError(f"document {doc_id}: {exc}") from None


def document_to_mapping(doc: LegalDocument) -> dict[str, Any]:
    """Plain JSON-able data for a document (datetimes as ISO 8601), the inverse of the above."""
    out: dict[str, Any] = {"kind": doc.kind}
    for f in dataclasses.fields(doc):
        value = getattr(doc, f.name)
        if isinstance(value, datetime):
            value = utc(value).isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def _convert(doc_id: str, name: str, hint: Any, raw: Any) -> Any:
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
        hint = members[0]
    if raw is None:
        if optional:
            return None
        raise DocumentError(f"document {doc_id}: {name} is required")
    if hint is datetime:
        if isinstance(raw, datetime):
            return utc(raw)
        try:
            return utc(datetime.fromisoformat(str(raw)))
        except ValueError:
            raise DocumentError(
                f"document {doc_id}: {name} {raw!r} is not a date and time"
            ) from None
    if hint is bool:
        if not isinstance(raw, bool):
            raise DocumentError(f"document {doc_id}: {name} {raw!r} is not true or false")
        return raw
    if hint is str:
        if not isinstance(raw, str):
            raise DocumentError(f"document {doc_id}: {name} {raw!r} is not text")
        return raw
    if typing.get_origin(hint) is tuple:
        if isinstance(raw, str) or not isinstance(raw, list | tuple):
            raise DocumentError(f"document {doc_id}: {name} {raw!r} is not a list")
        return tuple(str(v) for v in raw)
    raise DocumentError(f"document {doc_id}: {name} has an unsupported type {hint}")


def documents_of(
    documents: tuple[LegalDocument, ...] | list[LegalDocument], kind: str
) -> list[Any]:
    """The documents of one kind, oldest first."""
    return sorted((d for d in documents if d.kind == kind), key=lambda d: d.issued_at)
