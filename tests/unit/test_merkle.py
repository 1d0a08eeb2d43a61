"""The Merkle core against transparency-dev/merkle's reference vectors, against a naive
second implementation written straight from RFC 9162's definitions, and attacked:
every verifier must refuse a flipped bit, a wrong size, another leaf, a truncated or
padded proof, and a consistency proof between sizes it does not cover."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp.application.audit import merkle
from ektp.application.audit.merkle import (
    CompactRange,
    NodeId,
    ProofInvalid,
    consistency_plan,
    fold_plan,
    inclusion_plan,
    leaf_hash,
    node_hash,
    plan_nodes,
    verify_consistency,
    verify_inclusion,
)

# Copied from github.com/transparency-dev/merkle (the file names its commit).
VECTORS = json.loads((Path(__file__).parents[1] / "data" / "transparency_dev_merkle.json").read_text())


def b64(text: str | None) -> bytes:
    return base64.b64decode(text or "")


# --- a naive second implementation, straight from RFC 9162 2.1 -------------------------
def mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of leaf *inputs*, recursively, as the RFC writes it."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def naive_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) for 0 < m <= n."""
    return subproof(m, leaves, True)


# --- the implementation under test, over a node store ------------------------------------
def stored_tree(inputs: Sequence[bytes]) -> dict[NodeId, bytes]:
    """Every perfect node of the tree, as the journal stores them."""
    nodes: dict[NodeId, bytes] = {}
    tree = CompactRange()
    for data in inputs:
        for node, digest in tree.append(leaf_hash(data)):
            assert node not in nodes
            nodes[node] = digest
    return nodes


def proof_of(plan: merkle.Plan, nodes: dict[NodeId, bytes]) -> list[bytes]:
    return fold_plan(plan, {n: nodes[n] for n in plan_nodes(plan)})


def inputs_of(count: int, salt: int = 0) -> list[bytes]:
    return [f"leaf {salt} {i}".encode() for i in range(count)]


# --- reference vectors -----------------------------------------------------------------
def test_hashes_as_rfc_6962_defines_them() -> None:
    # transparency-dev/merkle rfc6962_test.go
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert leaf_hash(b"L123456").hex() == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    assert node_hash(b"N123", b"N456").hex() == "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"


def test_the_reference_tree_node_by_node_and_root_by_size() -> None:
    inputs = [bytes.fromhex(h) for h in VECTORS["leaf_inputs"]]
    nodes = stored_tree(inputs)
    for level, hashes in enumerate(VECTORS["node_hashes"]):
        for index, digest in enumerate(hashes):
            assert nodes[(level, index)].hex() == digest
    assert len(nodes) == sum(len(h) for h in VECTORS["node_hashes"])
    tree = CompactRange()
    assert tree.root().hex() == VECTORS["root_hashes"][0]
    for size, data in enumerate(inputs, 1):
        tree.append(leaf_hash(data))
        assert tree.root().hex() == VECTORS["root_hashes"][size]
        assert mth(inputs[:size]).hex() == VECTORS["root_hashes"][size]


@pytest.mark.parametrize("probe", VECTORS["inclusion"], ids=lambda p: p["file"])
def test_inclusion_probes(probe: dict[str, object]) -> None:
    proof = [b64(p) for p in probe["proof"] or []]  # type: ignore[attr-defined]
    args = (b64(probe["leafHash"]), probe["leafIdx"], probe["treeSize"], proof, b64(probe["root"]))  # type: ignore[arg-type]
    if probe["wantErr"]:
        with pytest.raises(ProofInvalid):
            verify_inclusion(*args)  # type: ignore[arg-type]
    else:
        verify_inclusion(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize("probe", VECTORS["consistency"], ids=lambda p: p["file"])
def test_consistency_probes(probe: dict[str, object]) -> None:
    proof = [b64(p) for p in probe["proof"] or []]  # type: ignore[attr-defined]
    args = (probe["size1"], probe["size2"], b64(probe["root1"]), b64(probe["root2"]), proof)  # type: ignore[arg-type]
    if probe["wantErr"]:
        with pytest.raises(ProofInvalid):
            verify_consistency(*args)  # type: ignore[arg-type]
    else:
        verify_consistency(*args)  # type: ignore[arg-type]


def test_happy_path_proofs_are_the_ones_we_generate() -> None:
    inputs = [bytes.fromhex(h) for h in VECTORS["leaf_inputs"]]
    nodes = stored_tree(inputs)
    checked = 0
    for probe in VECTORS["inclusion"]:
        if not probe["wantErr"] and probe["file"].endswith("happy-path.json") and probe["treeSize"] <= 8:
            assert b64(probe["root"]) == mth(inputs[:probe["treeSize"]])
            plan = inclusion_plan(probe["leafIdx"], probe["treeSize"])
            assert proof_of(plan, nodes) == [b64(p) for p in probe["proof"] or []]
            checked += 1
    for probe in VECTORS["consistency"]:
        if (not probe["wantErr"] and probe["file"].endswith("happy-path.json")
                and probe["size2"] <= 8):
            plan = consistency_plan(probe["size1"], probe["size2"])
            assert proof_of(plan, nodes) == [b64(p) for p in probe["proof"] or []]
            checked += 1
    assert checked >= 8


# The stored nodes each proof reads, from transparency-dev/merkle proof/proof_test.go
# (TestInclusion, TestConsistency): `Nodes.IDs`, as (level, index).
INCLUSION_NODES = {
    (2, 0): [(0, 1)], (2, 1): [(0, 0)], (3, 1): [(0, 0), (0, 2)],
    (7, 0): [(0, 1), (1, 1), (0, 6), (1, 2)], (7, 3): [(0, 2), (1, 0), (0, 6), (1, 2)],
    (7, 4): [(0, 5), (0, 6), (2, 0)], (7, 6): [(1, 2), (2, 0)], (4, 2): [(0, 3), (1, 0)],
    (5, 3): [(0, 2), (1, 0), (0, 4)], (6, 4): [(0, 5), (2, 0)],
    (15, 10): [(0, 11), (1, 4), (0, 14), (1, 6), (3, 0)],
    (31, 24): [(0, 25), (1, 13), (0, 30), (1, 14), (3, 2), (4, 0)],
    (95, 81): [(0, 80), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)],
}
CONSISTENCY_NODES = {
    (1, 2): [(0, 1)], (1, 4): [(0, 1), (1, 1)], (1, 6): [(0, 1), (1, 1), (1, 2)],
    (2, 3): [(0, 2)], (2, 8): [(1, 1), (2, 1)],
    (3, 7): [(0, 2), (0, 3), (1, 0), (0, 6), (1, 2)], (4, 7): [(0, 6), (1, 2)],
    (5, 7): [(0, 4), (0, 5), (0, 6), (2, 0)], (6, 7): [(1, 2), (0, 6), (2, 0)],
    (7, 8): [(0, 6), (0, 7), (1, 2), (2, 0)], (3, 3): [], (8, 8): [],
    (3, 5): [(0, 2), (0, 3), (1, 0), (0, 4)], (4, 6): [(1, 2)],
    (10, 15): [(1, 4), (1, 5), (0, 14), (1, 6), (3, 0)],
    (24, 31): [(3, 2), (0, 30), (1, 14), (2, 6), (4, 0)],
    (81, 95): [(0, 80), (0, 81), (1, 41), (2, 21), (0, 94), (1, 46), (2, 22), (4, 4), (6, 0)],
}


@pytest.mark.parametrize(("size", "index"), sorted(INCLUSION_NODES))
def test_an_inclusion_proof_reads_the_reference_nodes(size: int, index: int) -> None:
    assert sorted(plan_nodes(inclusion_plan(index, size))) == sorted(INCLUSION_NODES[(size, index)])


@pytest.mark.parametrize(("old", "new"), sorted(CONSISTENCY_NODES))
def test_a_consistency_proof_reads_the_reference_nodes(old: int, new: int) -> None:
    assert sorted(plan_nodes(consistency_plan(old, new))) == sorted(CONSISTENCY_NODES[(old, new)])


# --- against the naive implementation -------------------------------------------------
sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=150, deadline=None)
@given(size=sizes, data=st.data())
def test_inclusion_proofs_match_the_rfc_recursion(size: int, data: st.DataObject) -> None:
    inputs = inputs_of(size, data.draw(st.integers(0, 99)))
    nodes = stored_tree(inputs)
    index = data.draw(st.integers(0, size - 1))
    proof = proof_of(inclusion_plan(index, size), nodes)
    assert proof == path(index, inputs)
    assert len(proof) <= (size - 1).bit_length()  # at most ceil(log2 n) hashes
    verify_inclusion(leaf_hash(inputs[index]), index, size, proof, mth(inputs))


@settings(max_examples=150, deadline=None)
@given(new=sizes, data=st.data())
def test_consistency_proofs_match_the_rfc_recursion(new: int, data: st.DataObject) -> None:
    inputs = inputs_of(new, data.draw(st.integers(0, 99)))
    nodes = stored_tree(inputs)
    old = data.draw(st.integers(1, new))
    proof = proof_of(consistency_plan(old, new), nodes)
    assert proof == (naive_proof(old, inputs) if old < new else [])
    verify_consistency(old, new, mth(inputs[:old]), mth(inputs), proof)


@settings(max_examples=100, deadline=None)
@given(leaves=st.lists(st.binary(max_size=40), max_size=200))
def test_the_frontier_gives_every_root_and_only_perfect_nodes(leaves: list[bytes]) -> None:
    tree = CompactRange()
    made: set[NodeId] = set()
    for size, data in enumerate(leaves, 1):
        created = tree.append(leaf_hash(data))
        made.update(node for node, _ in created)
        assert tree.root() == mth(leaves[:size])
        assert len(tree.hashes) == bin(size).count("1")
        assert tree.node_ids() == merkle.perfect_nodes(0, size)
    assert all(index + 1 << level <= len(leaves) for level, index in made)
    assert len(made) == 2 * len(leaves) - bin(len(leaves)).count("1")


def test_a_ragged_range_is_the_fold_of_its_perfect_subtrees() -> None:
    inputs = inputs_of(13)
    nodes = stored_tree(inputs)
    for start, end in [(0, 13), (8, 13), (12, 13), (8, 12), (0, 7)]:
        assert merkle.subtree_root(start, end, nodes) == mth(inputs[start:end])


def test_node_keys_are_the_order_appending_creates_nodes() -> None:
    tree = CompactRange()
    keys = []
    for n in range(300):
        keys += [merkle.node_key(*node) for node, _ in tree.append(leaf_hash(b"%d" % n))]
    assert keys == list(range(len(keys)))


@given(sizes=st.integers(0, 600))
def test_the_node_count_gives_the_size_back_and_no_other_count_does(sizes: int) -> None:
    """The journal's head is derived from its largest node key: the keys of a tree of n
    leaves are exactly 0 ... node_count(n) - 1, and a count between two trees' counts
    (a leaf's nodes not all there) is no tree's."""
    tree = CompactRange()
    keys: list[int] = []
    for _ in range(sizes):
        keys += [merkle.node_key(*node) for node, _ in tree.append(bytes(32))]
    assert sorted(keys) == list(range(merkle.node_count(sizes)))
    assert merkle.size_of_node_count(merkle.node_count(sizes)) == sizes
    for between in range(merkle.node_count(sizes) + 1, merkle.node_count(sizes + 1)):
        assert merkle.size_of_node_count(between) is None
    assert merkle.size_of_node_count(-1) is None


def test_node_counts_of_the_largest_trees() -> None:
    for size in (merkle.MAX_LEAVES - 1, merkle.MAX_LEAVES, 2**39 + 12345):
        assert merkle.size_of_node_count(merkle.node_count(size)) == size


def test_plans_refuse_impossible_sizes() -> None:
    for index, size in [(0, 0), (3, 3), (-1, 4)]:
        with pytest.raises(ValueError):
            inclusion_plan(index, size)
    with pytest.raises(ValueError):
        consistency_plan(5, 4)
    with pytest.raises(ValueError):
        CompactRange.check(3, [b"\x00" * 32])


# --- attacked ----------------------------------------------------------------------------
def flipped(proof: list[bytes], entry: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[entry])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:entry], bytes(changed), *proof[entry + 1:]]


@settings(max_examples=120, deadline=None)
@given(size=st.integers(2, 200), data=st.data())
def test_an_inclusion_verifier_refuses_every_forgery(size: int, data: st.DataObject) -> None:
    inputs = inputs_of(size, 7)
    nodes = stored_tree(inputs)
    root = mth(inputs)
    index = data.draw(st.integers(0, size - 1))
    proof = proof_of(inclusion_plan(index, size), nodes)
    leaf = leaf_hash(inputs[index])
    verify_inclusion(leaf, index, size, proof, root)
    attempts: list[tuple[bytes, int, int, list[bytes], bytes]] = []
    if proof:
        entry = data.draw(st.integers(0, len(proof) - 1))
        attempts.append((leaf, index, size, flipped(proof, entry, data.draw(st.integers(0, 255))), root))
        attempts.append((leaf, index, size, proof[:-1], root))  # truncated
        attempts.append((leaf, index, size, proof[1:], root))  # head cut
    attempts.append((leaf, index, size, [*proof, proof[-1] if proof else leaf], root))  # padded
    attempts.append((leaf, index, size, [leaf, *proof], root))  # padded in front
    bit = data.draw(st.integers(0, 255))
    attempts.append((flipped([leaf], 0, bit)[0], index, size, proof, root))
    attempts.append((leaf, index, size, proof, flipped([root], 0, bit)[0]))
    other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
    attempts.append((leaf_hash(inputs[other]), other, size, proof, root))  # another leaf's proof
    attempts.append((leaf_hash(inputs[other]), index, size, proof, root))  # another leaf, same place
    attempts.append((leaf, other, size, proof, root))  # the leaf moved
    for wrong in {size - 1, size + 1, size * 2, index}:
        if wrong > index:  # a proof for this size cannot prove the tree of another size
            attempts.append((leaf, index, wrong, proof, mth(inputs_of(wrong, 7))))
    attempts.append((leaf, index, size, proof, leaf_hash(inputs[index] + b"x")))
    for attempt in attempts:
        with pytest.raises(ProofInvalid):
            verify_inclusion(*attempt)


@settings(max_examples=120, deadline=None)
@given(new=st.integers(2, 200), data=st.data())
def test_a_consistency_verifier_refuses_every_forgery(new: int, data: st.DataObject) -> None:
    inputs = inputs_of(new, 3)
    nodes = stored_tree(inputs)
    old = data.draw(st.integers(1, new - 1))
    proof = proof_of(consistency_plan(old, new), nodes)
    old_root, new_root = mth(inputs[:old]), mth(inputs)
    verify_consistency(old, new, old_root, new_root, proof)
    bit = data.draw(st.integers(0, 255))
    entry = data.draw(st.integers(0, len(proof) - 1))
    attempts = [
        (old, new, old_root, new_root, flipped(proof, entry, bit)),
        (old, new, old_root, new_root, proof[:-1]),
        (old, new, old_root, new_root, [*proof, proof[0]]),
        (old, new, old_root, new_root, [new_root, *proof]),
        (old, new, flipped([old_root], 0, bit)[0], new_root, proof),
        (old, new, old_root, flipped([new_root], 0, bit)[0], proof),
        (old, new, new_root, old_root, proof),  # roots swapped
        (new, old, new_root, old_root, proof),  # sizes swapped
    ]
    # The same proof between sizes it does not cover (with those trees' true roots).
    for o, n in {(old - 1, new), (old + 1, new), (old, new - 1), (old, new + 1)}:
        if 0 < o < n and (o, n) != (old, new):
            attempts.append((o, n, mth(inputs_of(n, 3)[:o]), mth(inputs_of(n, 3)), proof))
    # A forked tree: the new tree does not extend the old one.
    forked = [*inputs[:old - 1], b"rewritten", *inputs[old:]]
    attempts.append((old, new, old_root, mth(forked), proof))
    for attempt in attempts:
        with pytest.raises(ProofInvalid):
            verify_consistency(*attempt)


def test_entries_that_are_not_hashes_are_refused() -> None:
    inputs = inputs_of(5)
    nodes = stored_tree(inputs)
    proof = proof_of(inclusion_plan(1, 5), nodes)
    with pytest.raises(ProofInvalid):
        verify_inclusion(leaf_hash(inputs[1]), 1, 5, [proof[0][:31], *proof[1:]], mth(inputs))
    with pytest.raises(ProofInvalid):
        verify_inclusion(leaf_hash(inputs[1]), 1, 5, [*proof, b""], mth(inputs))
