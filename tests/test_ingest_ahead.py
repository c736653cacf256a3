"""The mapping thread: items in order, errors where they happened, nothing left running; and the
cycle collector spaced out while ingests run."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from writ.ingest.ahead import ahead, spaced_collections


def test_items_come_in_order_and_the_thread_never_runs_far_ahead():
    produced: list[int] = []

    def numbers() -> Iterator[int]:
        for n in range(50):
            produced.append(n)
            yield n

    taken = []
    for n in ahead(numbers(), depth=2):
        taken.append(n)
        # The queue holds at most two, and the thread may hold one more in hand.
        assert len(produced) - len(taken) <= 3
    assert taken == list(range(50))


def test_an_error_in_the_items_is_raised_where_the_item_would_have_come():
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("court.csv line 3: broken")

    got = []
    with pytest.raises(ValueError, match="line 3"):
        for n in ahead(failing()):
            got.append(n)
    assert got == [1]


def test_stopping_early_stops_the_thread():
    before = {t.name for t in threading.enumerate()}

    def endless() -> Iterator[int]:
        n = 0
        while True:
            n += 1
            yield n

    items = ahead(endless(), depth=1)
    assert next(items) == 1
    items.close()
    assert "writ-ingest-ahead" not in {t.name for t in threading.enumerate()} - before


def test_collections_are_spaced_while_ingests_run_and_restored_after_the_last() -> None:
    before = gc.get_threshold()
    with spaced_collections():
        spaced = gc.get_threshold()
        assert spaced[0] > before[0]
        with spaced_collections():  # a second ingest at the same time
            assert gc.get_threshold() == spaced
        assert gc.get_threshold() == spaced  # the first is still running
    assert gc.get_threshold() == before


def test_the_thresholds_come_back_when_an_ingest_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), spaced_collections():
        raise RuntimeError("the store went away")
    assert gc.get_threshold() == before
