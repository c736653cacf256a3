"""The RFC 9162 Merkle tree: roots, inclusion and consistency proofs, and the frontier.

The reference functions below transcribe the RFC's recursive definitions (section 2.1) with
hashlib alone, so the module is checked against the text of the standard rather than itself, and
the published Certificate Transparency vectors check both against the rest of the world.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from writ.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# -- the RFC's definitions, written out ---------------------------------------------------------


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of the entries themselves (2.1.1)."""
    n = len(d)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return sha256(b"\x00" + d[0])
    k = largest_power_of_two_below(n)
    return sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (2.1.3.1)."""
    n = len(d)
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) (2.1.4.1)."""
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) (2.1.4.1)."""
    return ref_subproof(m, d, True)


# -- shared data --------------------------------------------------------------------------------

DATA = [i.to_bytes(4, "big") for i in range(5000)]
LEAVES = [leaf_hash(d) for d in DATA]
# Every index and every old size is checked, and compared with the reference, in trees up to
# EXHAUSTIVE leaves; beyond that every size up to 300 is checked at the positions where the RFC's
# recursion turns (see ``turning_points``), and the hypothesis tests sample anywhere.
EXHAUSTIVE = 64
OTHER_LEAF = leaf_hash(b"not in the tree")


def flip(value: bytes) -> bytes:
    """``value`` with its last bit flipped."""
    return value[:-1] + bytes([value[-1] ^ 1])


def turning_points(size: int) -> list[int]:
    """Positions 1..size at the ends, in the middle and around the RFC's first split."""
    k = largest_power_of_two_below(size)
    points = {1, 2, k - 1, k, k + 1, size // 2, size - 1, size}
    return sorted(point for point in points if 1 <= point <= size)


@functools.cache
def prefix_root(size: int) -> bytes:
    """The root of the tree of the first ``size`` of LEAVES."""
    return root(LEAVES[:size])


def assert_inclusion_holds(index: int, size: int) -> None:
    """The proof for LEAVES[index] verifies, and every kind of tampering with it fails."""
    leaves, tree_root = LEAVES, prefix_root(size)
    proof = inclusion_proof(index, leaves[:size])
    assert verify_inclusion(index, size, leaves[index], proof, tree_root)

    assert not verify_inclusion(index, size, OTHER_LEAF, proof, tree_root)
    assert not verify_inclusion(index, size, flip(leaves[index]), proof, tree_root)
    assert not verify_inclusion(index, size, leaves[index], proof, flip(tree_root))
    assert not verify_inclusion(index, size, leaves[index], proof, EMPTY_ROOT)
    wrong_indices = range(size) if size <= 32 else {index - 1, index + 1, index ^ 1, size - 1}
    for wrong in wrong_indices:
        if 0 <= wrong < size and wrong != index:
            assert not verify_inclusion(wrong, size, leaves[index], proof, tree_root)
    assert not verify_inclusion(size, size, leaves[index], proof, tree_root)
    # Sizes are bound to roots by the signed tree head, but a path must still span its tree.
    assert not verify_inclusion(index, 2 * size, leaves[index], proof, tree_root)
    for position in range(len(proof)):
        altered = [*proof[:position], flip(proof[position]), *proof[position + 1 :]]
        assert not verify_inclusion(index, size, leaves[index], altered, tree_root)
    if proof:
        assert not verify_inclusion(index, size, leaves[index], proof[:-1], tree_root)
    if len(proof) > 1:
        assert not verify_inclusion(index, size, leaves[index], proof[::-1], tree_root)
    assert not verify_inclusion(index, size, leaves[index], [*proof, OTHER_LEAF], tree_root)


def assert_consistency_holds(old_size: int, size: int) -> None:
    """The proof between prefixes of LEAVES verifies; tampering with it, or with history, fails."""
    leaves, old_root, new_root = LEAVES, prefix_root(old_size), prefix_root(size)
    proof = consistency_proof(old_size, leaves[:size])
    assert verify_consistency(old_size, size, old_root, new_root, proof)

    assert not verify_consistency(old_size, size, flip(old_root), new_root, proof)
    assert not verify_consistency(old_size, size, old_root, flip(new_root), proof)
    for position in range(len(proof)):
        altered = [*proof[:position], flip(proof[position]), *proof[position + 1 :]]
        assert not verify_consistency(old_size, size, old_root, new_root, altered)
    if proof:
        assert not verify_consistency(old_size, size, old_root, new_root, proof[:-1])
    assert not verify_consistency(old_size, size, old_root, new_root, [*proof, OTHER_LEAF])
    assert not verify_consistency(old_size, 2 * size, old_root, new_root, proof)

    # The log rewrote an entry the old tree head had already committed to, and proves from there.
    changed = size % old_size
    rewritten = [*leaves[:changed], OTHER_LEAF, *leaves[changed + 1 : size]]
    forged = consistency_proof(old_size, rewritten)
    assert not verify_consistency(old_size, size, old_root, root(rewritten), forged)


# -- hashing and roots --------------------------------------------------------------------------


def test_leaf_node_and_empty_hashes_follow_the_rfc() -> None:
    assert leaf_hash(b"abc") == sha256(b"\x00abc")
    assert node_hash(b"L" * 32, b"R" * 32) == sha256(b"\x01" + b"L" * 32 + b"R" * 32)
    assert sha256(b"") == EMPTY_ROOT
    assert root([]) == EMPTY_ROOT


# The Certificate Transparency reference vectors (the same ones in transparency-dev/merkle).
CT_ENTRIES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
CT_CONSISTENCY = [
    (
        2,
        8,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def test_certificate_transparency_vectors() -> None:
    ct_leaves = [leaf_hash(entry) for entry in CT_ENTRIES]
    for size, expected in enumerate(CT_ROOTS, start=1):
        assert root(ct_leaves[:size]).hex() == expected
    for index, size, path in CT_INCLUSION:
        assert [h.hex() for h in inclusion_proof(index, ct_leaves[:size])] == path
    for old_size, size, path in CT_CONSISTENCY:
        assert [h.hex() for h in consistency_proof(old_size, ct_leaves[:size])] == path
        old_root, new_root = (
            bytes.fromhex(CT_ROOTS[old_size - 1]),
            bytes.fromhex(CT_ROOTS[size - 1]),
        )
        assert verify_consistency(
            old_size, size, old_root, new_root, [bytes.fromhex(h) for h in path]
        )


def test_root_matches_the_rfc_definition_for_every_size_up_to_300() -> None:
    for size in range(301):
        assert root(LEAVES[:size]) == ref_mth(DATA[:size]), size


@settings(deadline=None, max_examples=150)
@given(st.lists(st.binary(max_size=12), max_size=300))
def test_root_matches_the_rfc_definition_for_any_entries(entries: list[bytes]) -> None:
    assert root([leaf_hash(entry) for entry in entries]) == ref_mth(entries)


def test_root_of_larger_trees() -> None:
    for size in (1023, 1024, 1025, 4097):
        assert root(LEAVES[:size]) == ref_mth(DATA[:size]), size


# -- inclusion ----------------------------------------------------------------------------------


def test_every_inclusion_proof_in_small_trees() -> None:
    for size in range(1, EXHAUSTIVE + 1):
        for index in range(size):
            assert inclusion_proof(index, LEAVES[:size]) == ref_path(index, DATA[:size])
            assert_inclusion_holds(index, size)


def test_inclusion_proofs_in_every_tree_up_to_300() -> None:
    for size in range(EXHAUSTIVE + 1, 301):
        for index in turning_points(size):
            assert_inclusion_holds(index - 1, size)


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_inclusion_proofs_in_larger_trees(data: st.DataObject) -> None:
    size = data.draw(st.sampled_from([255, 256, 257, 300, 511, 1000, 4097]) | st.integers(1, 300))
    index = data.draw(st.integers(0, size - 1))
    assert inclusion_proof(index, LEAVES[:size]) == ref_path(index, DATA[:size])
    assert_inclusion_holds(index, size)


def test_a_tree_of_one_leaf_proves_with_an_empty_path() -> None:
    only = LEAVES[0]
    assert root([only]) == only
    assert inclusion_proof(0, [only]) == []
    assert verify_inclusion(0, 1, only, [], only)
    assert not verify_inclusion(0, 1, OTHER_LEAF, [], only)
    assert not verify_inclusion(0, 1, only, [OTHER_LEAF], only)


def test_inclusion_outside_the_tree() -> None:
    with pytest.raises(ValueError, match="leaf index 3 is outside a tree of size 3"):
        inclusion_proof(3, LEAVES[:3])
    with pytest.raises(ValueError, match="leaf index -1"):
        inclusion_proof(-1, LEAVES[:3])
    with pytest.raises(ValueError, match="outside a tree of size 0"):
        inclusion_proof(0, [])
    with pytest.raises(ValueError, match="index -1 is negative"):
        verify_inclusion(-1, 3, LEAVES[0], [], EMPTY_ROOT)
    with pytest.raises(ValueError, match="tree_size -3 is negative"):
        verify_inclusion(0, -3, LEAVES[0], [], EMPTY_ROOT)
    assert not verify_inclusion(0, 0, EMPTY_ROOT, [], EMPTY_ROOT)


# -- consistency --------------------------------------------------------------------------------


def test_every_consistency_proof_in_small_trees() -> None:
    for size in range(1, EXHAUSTIVE + 1):
        for old_size in range(1, size + 1):
            assert consistency_proof(old_size, LEAVES[:size]) == ref_proof(old_size, DATA[:size])
            assert_consistency_holds(old_size, size)


def test_consistency_proofs_in_every_tree_up_to_300() -> None:
    for size in range(EXHAUSTIVE + 1, 301):
        for old_size in turning_points(size):
            assert_consistency_holds(old_size, size)


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_consistency_proofs_in_larger_trees(data: st.DataObject) -> None:
    size = data.draw(st.sampled_from([256, 257, 300, 512, 1000, 4097]) | st.integers(1, 300))
    old_size = data.draw(st.sampled_from([1, size // 2, size - 1, size]) | st.integers(1, size))
    old_size = max(old_size, 1)
    assert consistency_proof(old_size, LEAVES[:size]) == ref_proof(old_size, DATA[:size])
    assert_consistency_holds(old_size, size)


def test_equal_sizes_are_consistent_with_an_empty_proof_and_equal_roots() -> None:
    for size in (1, 2, 7, 8):
        tree_root = root(LEAVES[:size])
        assert consistency_proof(size, LEAVES[:size]) == []
        assert verify_consistency(size, size, tree_root, tree_root, [])
        assert not verify_consistency(size, size, tree_root, flip(tree_root), [])
        assert not verify_consistency(size, size, tree_root, tree_root, [tree_root])


def test_the_empty_tree_is_consistent_with_every_tree() -> None:
    for size in (0, 1, 5):
        assert consistency_proof(0, LEAVES[:size]) == []
        assert verify_consistency(0, size, EMPTY_ROOT, root(LEAVES[:size]), [])
    assert not verify_consistency(0, 5, LEAVES[0], root(LEAVES[:5]), [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, root(LEAVES[:5]), [LEAVES[0]])


def test_a_tree_does_not_shrink() -> None:
    assert not verify_consistency(5, 4, root(LEAVES[:5]), root(LEAVES[:4]), [LEAVES[4]])
    assert not verify_consistency(1, 2, LEAVES[0], root(LEAVES[:2]), [])


def test_consistency_outside_the_tree() -> None:
    with pytest.raises(ValueError, match=r"old tree size 4 is outside 0\.\.3"):
        consistency_proof(4, LEAVES[:3])
    with pytest.raises(ValueError, match="old tree size -1"):
        consistency_proof(-1, LEAVES[:3])
    with pytest.raises(ValueError, match="old_size -1 is negative"):
        verify_consistency(-1, 3, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(ValueError, match="new_size -1 is negative"):
        verify_consistency(0, -1, EMPTY_ROOT, EMPTY_ROOT, [])


def test_leaf_hashes_must_be_hashes() -> None:
    with pytest.raises(ValueError, match="leaf hash 1 must be 32 bytes"):
        root([LEAVES[0], b"raw entry"])
    with pytest.raises(ValueError, match="leaf hash 0 must be 32 bytes"):
        inclusion_proof(0, [b""])
    with pytest.raises(ValueError, match="leaf hash 2 must be 32 bytes"):
        consistency_proof(1, [*LEAVES[:2], "text"])


# -- frontier -----------------------------------------------------------------------------------


def test_frontier_matches_the_root_after_every_append_and_survives_json() -> None:
    frontier = Frontier()
    assert frontier.size == 0
    assert frontier.root() == EMPTY_ROOT
    for size in range(1, 301):
        frontier.append(LEAVES[size - 1])
        assert frontier.size == size
        assert frontier.root() == root(LEAVES[:size]), size
        assert len(frontier.nodes) == size.bit_count()
        restored = Frontier.from_json(frontier.to_json())
        assert restored == frontier
        assert restored.root() == frontier.root()
        frontier = restored  # the ledger reloads it from its row before every append


@settings(deadline=None, max_examples=50)
@given(st.lists(st.binary(max_size=8), max_size=200), st.lists(st.binary(max_size=8)))
def test_frontier_resumes_from_json(first: list[bytes], then: list[bytes]) -> None:
    frontier = Frontier()
    for entry in first:
        frontier.append(leaf_hash(entry))
    resumed = Frontier.from_json(frontier.to_json())
    for entry in then:
        resumed.append(leaf_hash(entry))
    assert resumed.size == len(first) + len(then)
    assert resumed.root() == ref_mth(first + then)


def test_frontier_of_a_larger_tree() -> None:
    frontier = Frontier()
    for leaf in LEAVES:
        frontier.append(leaf)
    assert frontier.root() == root(LEAVES)
    assert len(frontier.nodes) == len(LEAVES).bit_count()


def test_frontier_json_is_sizes_and_hex() -> None:
    frontier = Frontier()
    for leaf in LEAVES[:3]:
        frontier.append(leaf)
    assert json.loads(frontier.to_json()) == {
        "size": 3,
        "nodes": [node_hash(LEAVES[0], LEAVES[1]).hex(), LEAVES[2].hex()],
    }
    assert Frontier.from_json(Frontier().to_json()) == Frontier()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not valid JSON"),
        ("[]", 'expected an object with exactly "size" and "nodes"'),
        ('{"size": 1}', 'expected an object with exactly "size" and "nodes"'),
        ('{"size": -1, "nodes": []}', "size -1 is not a non-negative integer"),
        ('{"size": true, "nodes": []}', "size True is not a non-negative integer"),
        ('{"size": 1, "nodes": "ab"}', "nodes must be a list of hex strings"),
        ('{"size": 3, "nodes": ["' + "00" * 32 + '"]}', "a tree of size 3 has 2 nodes, not 1"),
        ('{"size": 1, "nodes": ["zz"]}', r"nodes\[0\]: 'zz' is not lowercase hex"),
        ('{"size": 1, "nodes": ["abcd"]}', r"nodes\[0\]: expected 64 hex digits, got 4"),
        ('{"size": 1, "nodes": ["' + "AB" * 32 + '"]}', r"nodes\[0\]: 'AB.*' is not lowercase hex"),
    ],
)
def test_frontier_json_errors_name_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match="frontier: " + problem):
        Frontier.from_json(text)


def test_frontier_appends_only_leaf_hashes() -> None:
    with pytest.raises(ValueError, match="leaf hash must be 32 bytes"):
        Frontier().append(b"raw entry")
