"""The office's Merkle tree, exactly as RFC 9162 section 2.1 defines it.

Hashes: a leaf is SHA-256(0x00 || leaf bytes), an interior node
SHA-256(0x01 || left || right), the empty tree SHA-256(""). The tree of n
leaves splits at the largest power of two below n (RFC 9162 2.1.1), so every
tree is a left-to-right row of *perfect* subtrees (sizes the binary digits of
n) and every node worth storing is one of those: node (level, index) covers
leaves [index * 2**level, (index + 1) * 2**level).

Appending keeps only the right frontier (`CompactRange`: the roots of the
perfect subtrees of the tree so far, at most log2(n) + 1 hashes) and yields
the perfect nodes each new leaf completes, which the journal stores; nothing
ever loads the whole tree. A proof for any leaf and any two sizes is planned
as a short list of perfect nodes (`inclusion_plan`, `consistency_plan`), read
in one go from wherever they are stored and folded (`fold_plan`): O(log n)
reads. The verifiers are the RFC's own algorithms (2.1.3.2, 2.1.4.2), written
step by step; tests hold them to transparency-dev/merkle's reference vectors
and to a naive second implementation.

This is a small module rather than a library (pymerkle): the journal must add
a leaf inside the very database transaction that stores the event, on
eventsourcing's own connection, with our own node table; pymerkle keeps its
tree in its own store and transactions.
"""

from __future__ import annotations

from ektp.application.kernel.i18n import _
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
INDEX_BITS = 40
MAX_LEAVES = 1 << INDEX_BITS

NodeId = tuple[int, int]  # (level, index)


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def node_key(level: int, index: int) -> int:
    """The one-integer key a node is stored under: its place in post-order, i.e. in the
    order appending creates nodes (a leaf, then the subtrees it completes). So every
    append adds rows at the end of one index: one database page is touched, not one a level.

    Node (level, index) is completed by leaf b - 1, b = (index + 1) * 2**level; the b - 1
    leaves before it created 2(b - 1) - popcount(b - 1) nodes, and it is the `level`-th
    node that leaf creates after the leaf itself.
    """
    before = ((index + 1) << level) - 1
    return 2 * before - before.bit_count() + level


def node_count(size: int) -> int:
    """How many perfect nodes the tree of `size` leaves has stored: leaf i completes
    1 + (trailing 1 bits of i) of them, 2 * size - popcount(size) in all. So the node keys
    of a tree of `size` leaves are exactly 0 ... node_count(size) - 1."""
    return 2 * size - size.bit_count()


def size_of_node_count(count: int) -> int | None:
    """The tree size whose perfect nodes number `count`, or None when no tree has that
    many (the newest leaf's nodes are not all there). `node_count` grows strictly with
    the size, and size = (count + popcount(size)) / 2 lies within 21 of count / 2."""
    if count < 0:
        return None
    for size in range(count // 2, count // 2 + INDEX_BITS // 2 + 2):
        made = node_count(size)
        if made == count:
            return size
        if made > count:
            return None
    return None


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (size >= 2): where RFC 9162 splits."""
    return 1 << ((size - 1).bit_length() - 1)


def perfect_nodes(start: int, end: int) -> list[NodeId]:
    """The perfect subtrees that make up leaves [start, end), left to right.

    `start` must be a multiple of the largest power of two not above
    end - start (true of every range RFC 9162's recursion visits), so the
    subtrees are the binary digits of the range's size, largest first, and the
    range's hash is their right fold (`fold_nodes`).
    """
    nodes: list[NodeId] = []
    at = start
    remaining = end - start
    while remaining:
        level = remaining.bit_length() - 1
        nodes.append((level, at >> level))
        at += 1 << level
        remaining -= 1 << level
    return nodes


def fold_nodes(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its perfect subtrees' hashes (left to right)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


# --- appending: the right frontier -------------------------------------------------
class CompactRange:
    """The right frontier of a tree of `size` leaves: the hashes of its perfect
    subtrees, largest (leftmost) first. Enough to append and to compute the root.

    A plain class, not attrs: it is imported by every write command, and an attrs
    class costs its start-up a millisecond or two to build."""

    __slots__ = ("size", "hashes")

    def __init__(self, size: int = 0, hashes: list[bytes] | None = None) -> None:
        self.size = size
        self.hashes: list[bytes] = [] if hashes is None else hashes

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, CompactRange) and other.size == self.size
                and other.hashes == self.hashes)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CompactRange(size={self.size}, hashes={len(self.hashes)})"

    def append(self, leaf: bytes) -> list[tuple[NodeId, bytes]]:
        """Add a leaf hash; return every perfect node it completes (the leaf first)."""
        index = self.size
        if index >= MAX_LEAVES:
            raise ValueError("the tree is full")
        created = [((0, index), leaf)]
        current = leaf
        level = 0
        # Each trailing 1 bit of the old size is a perfect subtree of that level
        # waiting for a right sibling of the same size: the new one.
        while index & 1:
            current = node_hash(self.hashes.pop(), current)
            level += 1
            index >>= 1
            created.append(((level, index), current))
        self.hashes.append(current)
        self.size += 1
        return created

    def append_rows(self, leaves: Sequence[bytes], seqs: Sequence[int]
                    ) -> list[tuple[int, bytes, int | None]]:
        """Append leaf hashes written for store positions `seqs`; return the nodes they
        complete as the journal stores them: (`node_key`, hash, the seq for a leaf, None
        for an interior node). The same nodes as `append`, in the same order, whose keys
        are consecutive from the leaf's: leaf i's key is `node_count`(i), and each node
        it completes is the next key. One loop, on every write's path."""
        rows: list[tuple[int, bytes, int | None]] = []
        hashes = self.hashes
        size = self.size
        if size + len(leaves) > MAX_LEAVES:
            raise ValueError("the tree is full")
        for leaf, seq in zip(leaves, seqs, strict=True):
            key = 2 * size - size.bit_count()
            rows.append((key, leaf, seq))
            current, index = leaf, size
            while index & 1:
                current = hashlib.sha256(NODE_PREFIX + hashes.pop() + current).digest()
                key += 1
                rows.append((key, current, None))
                index >>= 1
            hashes.append(current)
            size += 1
        self.size = size
        return rows

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append many leaf hashes."""
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """The tree's root hash (SHA-256 of nothing for the empty tree)."""
        return fold_nodes(self.hashes)

    def node_ids(self) -> list[NodeId]:
        """Which perfect nodes the hashes are."""
        return perfect_nodes(0, self.size)

    def copy(self) -> CompactRange:
        """An independent copy."""
        return CompactRange(self.size, list(self.hashes))

    @classmethod
    def check(cls, size: int, hashes: Sequence[bytes]) -> CompactRange:
        """A range from stored parts; ValueError unless there is one hash per perfect subtree."""
        if size < 0 or size > MAX_LEAVES:
            raise ValueError(_("the size is out of range"))
        if len(hashes) != bin(size).count("1"):
            raise ValueError(_(
                "a tree of {size} leaves has {needed} frontier hashes, not {held}").format(
                    
                size=size, needed=bin(size).count("1"), held=len(hashes)))
        if any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError(_("a frontier hash is not 32 bytes"))
        return cls(size, list(hashes))


def root_of(leaves: Iterable[bytes]) -> bytes:
    """The root of the tree of these leaf hashes."""
    tree = CompactRange()
    tree.extend(leaves)
    return tree.root()


# --- proofs: planned as perfect nodes, folded after one read -------------------------
# A plan is the proof's entries in order, each the perfect nodes (left to right)
# whose fold is that entry: one node for a perfect sibling, several for the one
# ragged right edge a proof may have.
Plan = list[list[NodeId]]


def _check_sizes(index: int, size: int) -> None:
    if not 0 <= index < size or size > MAX_LEAVES:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")


def inclusion_plan(index: int, size: int) -> Plan:
    """RFC 9162 2.1.3.1 PATH(index, D[0:size]): the nodes of each proof entry,
    from the leaf's sibling up to the root's child."""
    _check_sizes(index, size)
    entries: Plan = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:  # the leaf is on the left; the sibling is the right part
            entries.append(perfect_nodes(start + k, end))
            end = start + k
        else:
            entries.append(perfect_nodes(start, start + k))
            start += k
    entries.reverse()
    return entries


def consistency_plan(old: int, new: int) -> Plan:
    """RFC 9162 2.1.4.1 PROOF(old, D[0:new]): empty when old is 0 or equals new."""
    if not 0 <= old <= new or new > MAX_LEAVES:
        raise ValueError(f"there is no consistency proof from size {old} to size {new}")
    if old == 0 or old == new:
        return []
    entries: Plan = []
    start, end, whole = 0, new, True
    m = old
    # SUBPROOF(m, D[start:end], whole), unrolled: each step appends the sibling
    # of the part it descends into, so the list is built top-down and reversed.
    while True:
        if m == end - start:
            if not whole:
                entries.append(perfect_nodes(start, end))
            break
        k = _split(end - start)
        if m <= k:
            entries.append(perfect_nodes(start + k, end))
            end = start + k
        else:
            entries.append(perfect_nodes(start, start + k))
            start += k
            m -= k
            whole = False
    entries.reverse()
    return entries


def plan_nodes(plan: Plan) -> list[NodeId]:
    """Every node a plan reads, once each."""
    seen: dict[NodeId, None] = {}
    for entry in plan:
        for node in entry:
            seen[node] = None
    return list(seen)


def fold_plan(plan: Plan, nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    """The proof's hashes from the nodes read; KeyError names a node that is missing."""
    return [fold_nodes([nodes[node] for node in entry]) for entry in plan]


def subtree_root(start: int, end: int, nodes: Mapping[NodeId, bytes]) -> bytes:
    """The hash of leaves [start, end) from its perfect nodes (see `perfect_nodes`)."""
    return fold_nodes([nodes[node] for node in perfect_nodes(start, end)])


# --- verifying (RFC 9162 2.1.3.2 and 2.1.4.2, step by step) -------------------------
class ProofInvalid(ValueError):
    """A proof does not prove what it claims; the message says which step failed."""


def _hashes(proof: Sequence[bytes]) -> None:
    if any(not isinstance(p, bytes) or len(p) != HASH_SIZE for p in proof):
        raise ProofInvalid(_("a proof entry is not a 32-byte hash"))


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Check that `leaf` (a leaf hash) is leaf `index` of the tree of `size`
    leaves whose root is `root`; raise `ProofInvalid` otherwise."""
    _hashes(proof)
    if len(leaf) != HASH_SIZE or len(root) != HASH_SIZE:
        raise ProofInvalid(_("a hash is not 32 bytes"))
    # 1. The index must be inside the tree.
    if index < 0 or index >= size:
        raise ProofInvalid(_("leaf {index} is not in a tree of {size} leaves").format(
            index=index, size=size))
    # 2.
    fn, sn = index, size - 1
    # 3.
    r = leaf
    # 4.
    for p in proof:
        # a.
        if sn == 0:
            raise ProofInvalid(_("the proof is longer than the tree is deep"))
        # b.
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        # c.
        fn >>= 1
        sn >>= 1
    # 5.
    if sn != 0:
        raise ProofInvalid(_("the proof is shorter than the tree is deep"))
    if r != root:
        raise ProofInvalid(_("the proof does not lead to the root"))


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Check that the tree of `new` leaves with root `new_root` extends the tree
    of `old` leaves with root `old_root`; raise `ProofInvalid` otherwise."""
    if old < 0 or new < old:
        raise ProofInvalid(_("size {old} cannot grow into size {new}").format(old=old, new=new))
    if old == 0:
        # As transparency-dev/merkle does: a proof from the empty tree proves nothing
        # (every tree extends it), so none is accepted; a holder of the empty tree
        # needs no proof at all.
        raise ProofInvalid(_("a consistency proof from the empty tree proves nothing"))
    if old == new:
        # RFC 9162 2.1.4.1: the proof between equal sizes is empty, and the roots equal.
        if proof:
            raise ProofInvalid(_("a proof between equal sizes must be empty"))
        if old_root != new_root:
            raise ProofInvalid(_("the two trees have the same size but different roots"))
        return
    _hashes(proof)
    if len(old_root) != HASH_SIZE or len(new_root) != HASH_SIZE:
        raise ProofInvalid(_("a root is not 32 bytes"))
    path = list(proof)
    # 1.
    if not path:
        raise ProofInvalid(_("the proof is empty"))
    # 2.
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    # 3.
    fn, sn = old - 1, new - 1
    # 4.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        # a.
        if sn == 0:
            raise ProofInvalid(_("the proof is longer than the trees need"))
        # b.
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        # c.
        fn >>= 1
        sn >>= 1
    # 7.
    if sn != 0:
        raise ProofInvalid(_("the proof is shorter than the trees need"))
    if fr != old_root:
        raise ProofInvalid(_("the proof does not lead to the old root"))
    if sr != new_root:
        raise ProofInvalid(_("the proof does not lead to the new root"))


def frontier_plan(size: int) -> list[NodeId]:
    """The stored nodes whose hashes are the frontier of a tree of `size` leaves."""
    return perfect_nodes(0, size)


def iter_levels(nodes: Iterable[NodeId]) -> Iterator[tuple[int, list[int]]]:
    """Group node ids by level (for range reads), lowest level first."""
    by_level: dict[int, list[int]] = {}
    for level, index in nodes:
        by_level.setdefault(level, []).append(index)
    for level in sorted(by_level):
        yield level, sorted(by_level[level])
