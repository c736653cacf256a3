"""The fields a person fills in to file a legal document of each kind, read from the document
types themselves, so that a form never asks for less or other than ``add_document`` checks."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from datetime import datetime

from writ.lifecycle.documents import (
    APPLICATION_KINDS,
    COURTS,
    CUSTODY_DECISIONS,
    DOCUMENT_TYPES,
    FORUMS,
    ORDER_DISPOSITIONS,
    PROBABLE_CAUSE_BASES,
    STAY_KINDS,
)

# Fields with a closed list of values, as the document types check them ("kind.field" where
# the same name means something else in another kind).
CHOICES: dict[str, frozenset[str]] = {
    "probable_cause": PROBABLE_CAUSE_BASES,
    "custody_decision.decision": CUSTODY_DECISIONS,
    "court": COURTS,
    "disposition": ORDER_DISPOSITIONS,
    "stay_kind": STAY_KINDS,
    "application_kind": APPLICATION_KINDS,
    "forum": FORUMS,
}
# Set by writ, never typed: the id, a revocation (its own action), a claim's procedure.
NOT_ENTERED = frozenset(
    {
        "id",
        "revoked_at",
        "state",
        "investigated_by",
        "legal_signoff_by",
        "second_signoff_by",
        "proposed_outcome",
        "adjudicated_at",
    }
)
COUNTRY_FIELDS = frozenset({"country", "designated_countries"})


@dataclass(frozen=True)
class DocumentField:
    name: str
    input: str  # text | datetime | bool | list | choice | choices | country | countries
    required: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    title: str
    fields: tuple[DocumentField, ...]


def _choices(kind: str, name: str) -> frozenset[str] | None:
    return CHOICES.get(f"{kind}.{name}", CHOICES.get(name))


def _input(kind: str, name: str, hint: typing.Any) -> str:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    many = typing.get_origin(hint) is tuple
    if _choices(kind, name) is not None:
        return "choices" if many else "choice"
    if name in COUNTRY_FIELDS:
        return "countries" if many else "country"
    if many:
        return "list"
    if hint is datetime:
        return "datetime"
    if hint is bool:
        return "bool"
    return "text"


def document_kinds() -> list[DocumentKind]:
    """Every kind of legal document but the citizenship claim (it has its own procedure)."""
    kinds = []
    for kind, cls in DOCUMENT_TYPES.items():
        if kind == "citizenship_claim":
            continue
        hints = typing.get_type_hints(cls)
        fields = tuple(
            DocumentField(
                name=f.name,
                input=_input(kind, f.name, hints[f.name]),
                required=f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING,
                choices=tuple(sorted(_choices(kind, f.name) or ())),
            )
            for f in dataclasses.fields(cls)
            if f.name not in NOT_ENTERED
        )
        kinds.append(DocumentKind(kind, cls.title, fields))
    return kinds
