"""Working one step ahead: the next batches are read and mapped in a thread while the store
writes this one.

Mapping is Python work; writing is mostly waiting for the database (COPY, index upkeep, the
commit's fsync), and the driver lets go of the interpreter while it waits, so the two overlap.
The queue between them is bounded, so memory stays flat however long the source is.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_POLL = 0.1  # seconds: how often a blocked producer checks whether the consumer has gone


def ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yield ``items`` in order while a thread computes up to ``depth`` of them in advance.

    An exception raised by ``items`` is raised here, where the item would have been. Closing
    this generator early (the consumer stopped or failed) stops the thread before it returns.
    """
    handoff: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, payload: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put((kind, payload), timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put("error", exc)
            return
        put("done", None)

    worker = threading.Thread(target=produce, name="writ-ingest-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, payload = handoff.get()
            if kind == "done":
                return
            if kind == "error":
                assert isinstance(payload, BaseException)
                raise payload
            yield payload  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
