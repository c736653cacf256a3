"""Work queues: tabbed tables with counts, sorting, filters and paging, all kept in the URL.

A queue is data: its title, who sees it, its columns and filters, and the service call that
lists its items. ``queue_list.QUEUES`` holds the queues of every concern.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from writ.model.actor import Actor
from writ.service import AccessDenied, Services

Row = dict[str, Any]
PAGE_SIZE = 25


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str
    roles: frozenset[str]
    columns: tuple[Column, ...]
    items: Callable[[Services, Actor], list[Row]]
    link: Callable[[Row], str]
    filters: tuple[str, ...] = ()
    default_sort: str = ""
    empty: str = "Nothing is waiting here."


@dataclass
class QueueView:
    """One tab as shown: its rows after filters, sort and paging, and the choices for each."""

    queue: Queue
    count: int
    rows: list[Row] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    sort: str = ""
    descending: bool = False
    filter_options: dict[str, list[str]] = field(default_factory=dict)
    filter_values: dict[str, str] = field(default_factory=dict)


def visible(queues: list[Queue], actor: Actor) -> list[Queue]:
    return [q for q in queues if q.roles & actor.roles]


def load(svc: Services, actor: Actor, queue: Queue) -> list[Row]:
    """The queue's items, or none if the policy refuses this person (the denial is audited)."""
    try:
        return queue.items(svc, actor)
    except AccessDenied:
        return []


def view(
    queue: Queue,
    rows: list[Row],
    *,
    sort: str = "",
    descending: bool = False,
    page: int = 1,
    filters: dict[str, str] | None = None,
) -> QueueView:
    filters = {k: v for k, v in (filters or {}).items() if k in queue.filters and v}
    options = {
        key: sorted({str(r.get(key, "")) for r in rows if r.get(key) not in (None, "")})
        for key in queue.filters
    }
    chosen = [r for r in rows if all(str(r.get(k, "")) == v for k, v in filters.items())]
    keys = {c.key for c in queue.columns}
    sort = sort if sort in keys else queue.default_sort
    if sort:
        chosen.sort(key=lambda r: (r.get(sort) is None, r.get(sort) or ""), reverse=descending)
    pages = max(1, math.ceil(len(chosen) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    return QueueView(
        queue,
        len(chosen),
        chosen[start : start + PAGE_SIZE],
        page,
        pages,
        sort,
        descending,
        options,
        filters,
    )
