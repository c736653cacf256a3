"""The transform memo: what the transform gives, or the same refusal; bounded; and off for texts
that do not repeat. Mapping with it gives exactly the records mapping without it gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from writ.demo.generate import generate
from writ.ingest.mapping import load_mapping
from writ.ingest.readers import open_source
from writ.ingest.rows import Memo, RowMapper, _Cleaned
from writ.ingest.transforms import TransformError


class Counted:
    """A transform that upper-cases, refuses "bad", and counts its calls."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, text: str) -> _Cleaned:
        self.calls.append(text)
        if text == "bad":
            raise TransformError('"bad" is not a value')
        return [("name", text.upper())], None


def test_a_text_seen_before_gives_the_same_result_without_the_transform() -> None:
    clean = Counted()
    memo = Memo(clean)
    assert memo("maria") == ([("name", "MARIA")], None)
    assert memo("maria") == ([("name", "MARIA")], None)
    assert clean.calls == ["maria"]


def test_a_refused_text_is_refused_again_with_the_same_reason() -> None:
    clean = Counted()
    memo = Memo(clean)
    for _ in range(3):
        with pytest.raises(TransformError, match='"bad" is not a value'):
            memo("bad")
    assert clean.calls == ["bad"]


def test_the_memo_is_bounded() -> None:
    memo = Memo(Counted(), size=10, probe=10_000)
    for n in range(1_000):
        assert memo(f"name {n}") == ([("name", f"NAME {n}")], None)
        assert len(memo.seen) <= 10


def test_texts_that_do_not_repeat_stop_being_remembered() -> None:
    clean = Counted()
    memo = Memo(clean, probe=100, min_hits=0.3)
    for n in range(100):
        memo(f"A{n:09d}")
    assert not memo.active and not memo.seen
    assert memo("A000000001") == ([("name", "A000000001")], None)
    assert memo("A000000001") == ([("name", "A000000001")], None)
    assert clean.calls[-2:] == ["A000000001", "A000000001"]  # no longer remembered


def test_texts_that_repeat_stay_remembered() -> None:
    clean = Counted()
    memo = Memo(clean, probe=100, min_hits=0.3)
    for n in range(300):
        memo(f"19{n % 20:02d}")
    assert memo.active
    assert len(clean.calls) == 20


def _mapped(mapping_path: Path, remember: bool) -> list[object]:
    mapping = load_mapping(mapping_path)
    mapper = RowMapper(mapping)
    for entity in (*mapper.entities, *mapper.relationships):
        for rule in entity.rules:
            rule.clean.active = remember
    rows = list(open_source(mapping).rows())
    # Twice over: the second pass is where a memo would answer from what it remembered.
    return [mapper.map(row) for _, row in rows + rows]


def test_the_demo_sources_map_the_same_with_and_without_the_memo(tmp_path: Path) -> None:
    demo = generate(tmp_path / "demo", people=150, seed=11)
    for mapping_path in demo.mappings.values():
        assert _mapped(mapping_path, remember=True) == _mapped(mapping_path, remember=False)
