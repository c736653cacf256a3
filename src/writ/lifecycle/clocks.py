"""Timed rules: when a clock starts, what stops it, when it is due, and what is overdue.

Clock definitions are data (``clocks.yaml``). The events a clock reads come from the documents on
file and the custody events, so an overdue item is derived, never typed in by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from writ.lifecycle.documents import (
    Detainer,
    LegalDocument,
    WarrantlessArrest,
)
from writ.lifecycle.facts import Facts
from writ.lifecycle.finality import order_finality


class ClockDefinitionError(ValueError):
    """A clock definition that does not fit the format: names the clock and the field."""


@dataclass(frozen=True)
class ClockDefinition:
    id: str
    title: str
    citation: str
    starts: str
    stops: tuple[str, ...]
    stop_when: str
    schedule: tuple[timedelta, ...]
    repeat: timedelta | None
    while_custody: tuple[str, ...]


@dataclass(frozen=True)
class ClockStatus:
    """One running or met clock on one case."""

    clock: str
    title: str
    citation: str
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None
    overdue: bool

    def met_late(self) -> bool:
        return self.stopped_at is not None and self.stopped_at > self.due_at


def _duration(clock_id: str, raw: Mapping[str, Any], key: str) -> timedelta | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise ClockDefinitionError(f"clock {clock_id}: {key} {value!r} is not a positive number")
    unit = "hours" if key.endswith("hours") else "days"
    return timedelta(**{unit: float(value)})


def parse_clock(raw: Mapping[str, Any]) -> ClockDefinition:
    clock_id = str(raw.get("id", "?"))
    allowed = {
        "id",
        "title",
        "citation",
        "starts",
        "stops",
        "stop_when",
        "due_after_hours",
        "due_after_days",
        "then_every_days",
        "while_custody",
    }
    unknown = set(raw) - allowed
    if unknown:
        raise ClockDefinitionError(f"clock {clock_id}: unknown field(s) {sorted(unknown)}")
    for key in ("id", "title", "citation", "starts", "stops"):
        if not raw.get(key):
            raise ClockDefinitionError(f"clock {clock_id}: {key} is required")
    stop_when = str(raw.get("stop_when", "any"))
    if stop_when not in {"any", "all"}:
        raise ClockDefinitionError(f"clock {clock_id}: stop_when {stop_when!r} is not any or all")
    hours = _duration(clock_id, raw, "due_after_hours")
    days = raw.get("due_after_days")
    schedule: tuple[timedelta, ...]
    if hours is not None:
        schedule = (hours,)
    elif isinstance(days, list) and days:
        schedule = tuple(timedelta(days=float(d)) for d in days)
    elif isinstance(days, int | float) and not isinstance(days, bool):
        schedule = (timedelta(days=float(days)),)
    else:
        raise ClockDefinitionError(
            f"clock {clock_id}: due_after_hours or due_after_days is required"
        )
    return ClockDefinition(
        id=clock_id,
        title=str(raw["title"]),
        citation=str(raw["citation"]),
        starts=str(raw["starts"]),
        stops=tuple(str(s) for s in raw["stops"]),
        stop_when=stop_when,
        schedule=schedule,
        repeat=_duration(clock_id, raw, "then_every_days"),
        while_custody=tuple(str(s) for s in raw.get("while_custody", ())),
    )


@lru_cache(maxsize=1)
def default_clocks() -> tuple[ClockDefinition, ...]:
    text = resources.files("writ.lifecycle").joinpath("clocks.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return tuple(parse_clock(raw) for raw in data["clocks"])


def clock_events(
    documents: Sequence[LegalDocument],
    now: datetime,
    custody_events: Mapping[str, Iterable[datetime]] | None = None,
) -> dict[str, tuple[datetime, ...]]:
    """The named instants clocks read: each document kind's issue times, arrests, final order,
    detainer holds, charging, plus the custody events the store records (booking, release...)."""
    events: dict[str, list[datetime]] = {}

    def add(name: str, when: datetime | None) -> None:
        if when is not None:
            events.setdefault(name, []).append(when)

    for doc in documents:
        add(doc.kind, doc.issued_at)
        if isinstance(doc, WarrantlessArrest):
            add("warrantless_arrest", doc.arrested_at)
            add("arrest", doc.arrested_at)
        if isinstance(doc, Detainer):
            add("detainer_hold", doc.hold_started_at)
        if doc.kind in {"i862", "i200"}:
            add("charging", doc.issued_at)
    finality = order_finality(documents, now)
    if finality.final:
        add("final_order", finality.since)
    for name, instants in (custody_events or {}).items():
        for when in instants:
            add(name, when)
    return {name: tuple(sorted(v)) for name, v in events.items()}


def clock_status(definition: ClockDefinition, facts: Facts) -> ClockStatus | None:
    """The clock's state on this case, or None when it has not started or is not running."""
    starts = facts.clock(definition.starts)
    if not starts:
        return None
    if definition.while_custody and facts.custody.status not in definition.while_custody:
        return None
    start = starts[-1]
    stop_lists = [[t for t in facts.clock(s) if t >= start] for s in definition.stops]
    if definition.repeat is None:
        due = start + definition.schedule[0]
        stopped = _stopped(stop_lists, definition.stop_when)
        overdue = stopped is None and facts.now > due
        return ClockStatus(
            definition.id, definition.title, definition.citation, start, due, stopped, overdue
        )
    reviews = sorted(t for lst in stop_lists for t in lst if t <= facts.now)
    n = len(reviews)
    if n < len(definition.schedule):
        due = start + definition.schedule[n]
    else:
        due = reviews[-1] + definition.repeat
    return ClockStatus(
        definition.id,
        definition.title,
        definition.citation,
        start,
        due,
        None,
        facts.now > due,
    )


def _stopped(stop_lists: list[list[datetime]], stop_when: str) -> datetime | None:
    firsts = [min(lst) if lst else None for lst in stop_lists]
    if stop_when == "any":
        present = [t for t in firsts if t is not None]
        return min(present) if present else None
    if any(t is None for t in firsts):
        return None
    return max(t for t in firsts if t is not None)


def overdue_clocks(
    facts: Facts, definitions: Sequence[ClockDefinition] | None = None
) -> list[ClockStatus]:
    """Every clock on this case that is running past its due time."""
    result = []
    for definition in definitions if definitions is not None else default_clocks():
        status = clock_status(definition, facts)
        if status is not None and status.overdue:
            result.append(status)
    return result
