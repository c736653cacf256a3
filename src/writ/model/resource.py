"""What a policy decides about: any object, with the markings that protect it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Resource:
    """An object of kind ``kind`` (person, case, source, audit, ...) and its markings."""

    kind: str
    id: str
    unit: str = ""
    compartments: frozenset[str] = field(default_factory=frozenset)
    sealed: bool = False
    owner: str = ""
