"""The Merkle tree of RFC 9162 (Certificate Transparency v2) over SHA-256.

Everything here is pure: it takes leaf hashes and returns hashes and proofs. The ledger decides
what a leaf is; this module only promises that trees, proofs and verification agree with RFC 9162
section 2.1, so that any other implementation of the RFC can check writ's audit ledger.

Sizes and indices follow the RFC: a tree of ``n`` leaves has indices ``0 .. n-1``. Functions that
build something (a root, a proof) raise ``ValueError`` for an index or size outside the tree.
Functions that check something (``verify_*``) return ``False`` for any proof that does not check
out, and raise ``ValueError`` only for a negative size or index, which is a programming error
rather than evidence.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

HASH_SIZE = 32
"""Length in bytes of every hash in the tree."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the root of the tree with no leaves."""

_LEAF_PREFIX = b"\x00"
_LOWER_HEX = re.compile("[0-9a-f]*")
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH (RFC 9162, 2.1.1): the root of the tree whose leaves have these hashes."""
    _check_hashes(leaf_hashes, "leaf hash")
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]) (RFC 9162, 2.1.3.1): the audit path of leaf ``index``, leaf first."""
    size = len(leaf_hashes)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    _check_hashes(leaf_hashes, "leaf hash")
    siblings: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            siblings.append(_mth(leaf_hashes, lo + k, hi))
            hi = lo + k
        else:
            siblings.append(_mth(leaf_hashes, lo, lo + k))
            lo += k
    siblings.reverse()
    return siblings


def verify_inclusion(
    index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows ``leaf_hash`` at ``index`` in the tree of ``tree_size`` and ``root``.

    The verification algorithm of RFC 9162, 2.1.3.2, step by step.
    """
    _check_not_negative(index=index, tree_size=tree_size)
    # 1. An index at or beyond the tree size fails.
    if index >= tree_size:
        return False
    # 2. fn is the leaf index, sn the last index of the tree.
    fn, sn = index, tree_size - 1
    # 3. r starts as the leaf hash.
    r = leaf_hash
    # 4. Fold in each element of the path.
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    # 5. The whole path must have been used, and the result must be the root.
    return sn == 0 and r == root


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(old_size, D[n]) (RFC 9162, 2.1.4.1): the tree of ``old_size`` is a prefix of D[n].

    The RFC defines the proof for 0 < old_size < n. For old_size == n it is empty, as SUBPROOF's
    own rule gives; for old_size == 0 it is empty too, since every tree extends the empty one.
    """
    size = len(leaf_hashes)
    if not 0 <= old_size <= size:
        raise ValueError(f"old tree size {old_size} is outside 0..{size}, the new tree's size")
    _check_hashes(leaf_hashes, "leaf hash")
    if old_size in (0, size):
        return []
    # SUBPROOF(m, D[lo:hi], b), unrolled: each step adds one hash after the proof of the rest.
    outer: list[bytes] = []
    m, lo, hi, whole_old_tree = old_size, 0, size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            outer.append(_mth(leaf_hashes, lo + k, hi))
            hi = lo + k
        else:
            outer.append(_mth(leaf_hashes, lo, lo + k))
            lo += k
            m -= k
            whole_old_tree = False
    # SUBPROOF(m, D[m], b) is empty when the subtree is the old tree itself, else its root.
    proof = [] if whole_old_tree else [_mth(leaf_hashes, lo, hi)]
    proof.extend(reversed(outer))
    return proof


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree (old_size, old_root) is a prefix of (new_size, new_root).

    For 0 < old_size < new_size this is the algorithm of RFC 9162, 2.1.4.2, step by step. The
    trivial cases the RFC leaves out hold only with an empty proof: equal sizes need equal roots,
    and an old size of 0 needs the empty root.
    """
    _check_not_negative(old_size=old_size, new_size=new_size)
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    # 1. An empty path fails.
    if not proof:
        return False
    path = list(proof)
    # 2. When the old tree is a perfect subtree, its root is the first node of the path.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3.
    fn, sn = old_size - 1, new_size - 1
    # 4. Climb past the levels where the old tree's last leaf is a right child.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    return fr == old_root and sr == new_root and sn == 0


class Frontier:
    """The compact range of an append-only tree: enough to append a leaf and compute the root.

    It holds the roots of the perfect subtrees that make up the tree, largest (leftmost) first,
    one for each set bit of the size, so at most 64 hashes for any practical size. ``append`` costs
    O(log n) hashes, and the state serialises to a short JSON text that fits in one database row.
    """

    __slots__ = ("_nodes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._nodes: list[bytes] = []

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    @property
    def nodes(self) -> tuple[bytes, ...]:
        """The perfect-subtree roots, leftmost first."""
        return tuple(self._nodes)

    def append(self, leaf_hash: bytes) -> None:
        """Add one leaf, given by its leaf hash (see ``leaf_hash``)."""
        _check_hash(leaf_hash, "leaf hash")
        self._nodes.append(leaf_hash)
        self._size += 1
        # Each trailing zero bit of the new size completes a perfect subtree: merge its halves.
        bits = self._size
        while not bits & 1:
            right = self._nodes.pop()
            self._nodes[-1] = node_hash(self._nodes[-1], right)
            bits >>= 1

    def root(self) -> bytes:
        """MTH of all leaves appended so far."""
        if not self._nodes:
            return EMPTY_ROOT
        result = self._nodes[-1]
        for node in reversed(self._nodes[:-1]):
            result = node_hash(node, result)
        return result

    def to_json(self) -> str:
        """``{"size": n, "nodes": [hex, ...]}``, compact and with keys in a fixed order."""
        return json.dumps(
            {"size": self._size, "nodes": [node.hex() for node in self._nodes]},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Frontier:
        """Read what ``to_json`` wrote; ``ValueError`` names the field that is wrong."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"frontier: not valid JSON ({error})") from None
        if not isinstance(data, dict) or set(data) != {"size", "nodes"}:
            raise ValueError('frontier: expected an object with exactly "size" and "nodes"')
        size, nodes = data["size"], data["nodes"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"frontier: size {size!r} is not a non-negative integer")
        if not isinstance(nodes, list) or not all(isinstance(node, str) for node in nodes):
            raise ValueError("frontier: nodes must be a list of hex strings")
        if len(nodes) != size.bit_count():
            raise ValueError(
                f"frontier: a tree of size {size} has {size.bit_count()} nodes, not {len(nodes)}"
            )
        frontier = cls()
        frontier._size = size
        frontier._nodes = [
            _hash_from_hex(node, f"frontier: nodes[{i}]") for i, node in enumerate(nodes)
        ]
        return frontier

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frontier):
            return NotImplemented
        return self._size == other._size and self._nodes == other._nodes

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Frontier(size={self._size}, root={self.root().hex()})"


def _mth(leaf_hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) by hashing level by level.

    Pairing neighbours and carrying an odd last node up unchanged gives the same tree as the
    RFC's split at the largest power of two below n, without recursion.
    """
    if lo == hi:
        return EMPTY_ROOT
    sha256 = hashlib.sha256
    level = list(leaf_hashes[lo:hi])
    while len(level) > 1:
        paired = [
            sha256(_NODE_PREFIX + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) & 1:
            paired.append(level[-1])
        level = paired
    return level[0]


def _split(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes, got {value!r:.80}")


def _check_hashes(values: Sequence[bytes], what: str) -> None:
    # map() keeps the common case out of the interpreter loop: every call checks every leaf.
    if not values or (set(map(type, values)) == {bytes} and set(map(len, values)) == {HASH_SIZE}):
        return
    for i, value in enumerate(values):
        if not isinstance(value, bytes) or len(value) != HASH_SIZE:
            raise ValueError(f"{what} {i} must be {HASH_SIZE} bytes, got {value!r:.80}")


def _check_not_negative(**numbers: int) -> None:
    for name, number in numbers.items():
        if number < 0:
            raise ValueError(f"{name} {number} is negative")


def _hash_from_hex(text: str, where: str) -> bytes:
    if not _LOWER_HEX.fullmatch(text):
        raise ValueError(f"{where}: {text!r:.80} is not lowercase hex")
    if len(text) != 2 * HASH_SIZE:
        raise ValueError(f"{where}: expected {2 * HASH_SIZE} hex digits, got {len(text)}")
    return bytes.fromhex(text)
