"""The Merkle engine against published vectors and exhaustive small trees."""

import base64
import json
from hashlib import sha256
from pathlib import Path

import pytest

from innoreform.ledger import merkle
from innoreform.ledger.merkle import MemoryLog, ProofError

DATA = Path(__file__).parent / "data"
TD = DATA / "transparency-dev-merkle"


def _b64(s):
    return base64.b64decode(s) if s else b""


def _vectors(kind):
    files = sorted((TD / kind).rglob("*.json"))
    assert files, kind
    return [pytest.param(json.loads(f.read_text()), id=str(f.relative_to(TD))) for f in files]


def _outcome(fn):
    try:
        fn()
    except ProofError:
        return True
    return False


@pytest.mark.parametrize("v", _vectors("inclusion"))
def test_inclusion_vectors(v):
    proof = [_b64(p) for p in v["proof"] or []]
    failed = _outcome(lambda: merkle.verify_inclusion(
        v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), proof, _b64(v["root"])))
    assert failed == v["wantErr"], v["desc"]


@pytest.mark.parametrize("v", _vectors("consistency"))
def test_consistency_vectors(v):
    proof = [_b64(p) for p in v["proof"] or []]
    failed = _outcome(lambda: merkle.verify_consistency(
        v["size1"], v["size2"], proof, _b64(v["root1"]), _b64(v["root2"])))
    assert failed == v["wantErr"], v["desc"]


@pytest.mark.parametrize("v", _vectors("subtreeinclusion"))
def test_subtree_inclusion_vectors(v):
    proof = [_b64(p) for p in v["proof"] or []]
    failed = _outcome(lambda: merkle.verify_subtree_inclusion(
        v["leafIdx"], v["start"], v["end"], _b64(v["leafHash"]), proof, _b64(v["root"])))
    assert failed == v["wantErr"], v["desc"]


@pytest.mark.parametrize("v", _vectors("subtreeconsistency"))
def test_subtree_consistency_vectors(v):
    proof = [_b64(p) for p in v["proof"] or []]
    failed = _outcome(lambda: merkle.verify_subtree_consistency(
        v["start"], v["end"], v["size"], proof, _b64(v["root1"]), _b64(v["root2"])))
    assert failed == v["wantErr"], v["desc"]


def test_vector_counts_cover_everything():
    # 196 inclusion/consistency probes plus the subtree families: all of them are parametrised above.
    n = {k: len(list((TD / k).rglob("*.json"))) for k in
         ("inclusion", "consistency", "subtreeinclusion", "subtreeconsistency")}
    assert n["inclusion"] + n["consistency"] == 196
    assert sum(n.values()) == 518


RFC6962_LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]


def test_rfc6962_reference_root():
    log = MemoryLog()
    for e in RFC6962_LEAVES:
        log.append(e)
    assert log.root().hex().startswith("5dc9da79")
    assert merkle.root_of([merkle.leaf_hash(e) for e in RFC6962_LEAVES]) == log.root()
    assert MemoryLog().root() == sha256(b"").digest()


def test_argon2020_real_log():
    sth = json.loads((DATA / "argon2020/sth.json").read_text())
    entry = base64.b64decode(json.loads((DATA / "argon2020/entries.json").read_text())["entries"][0]["leaf_input"])
    proof = json.loads((DATA / "argon2020/proof.json").read_text())
    root = base64.b64decode(sth["sha256_root_hash"])
    size = sth["tree_size"]
    path = [base64.b64decode(p) for p in proof["audit_path"]]
    merkle.verify_inclusion(proof["leaf_index"], size, merkle.leaf_hash(entry), path, root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(proof["leaf_index"] + 1, size, merkle.leaf_hash(entry), path, root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(proof["leaf_index"], size, merkle.leaf_hash(entry + b"x"), path, root)

    cons = [base64.b64decode(p) for p in json.loads((DATA / "argon2020/consistency.json").read_text())["consistency"]]
    old_root = base64.b64decode("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=")
    merkle.verify_consistency(3654490, size, cons, old_root, root)
    with pytest.raises(ProofError):
        merkle.verify_consistency(3654491, size, cons, old_root, root)
    with pytest.raises(ProofError):
        merkle.verify_consistency(3654490, size, cons[:-1], old_root, root)


@pytest.fixture(scope="module")
def log130():
    log = MemoryLog()
    for i in range(130):
        log.append(f"entry {i}".encode())
    return log


def test_every_consistency_proof_below_130(log130):
    roots = [log130.root(n) for n in range(131)]
    for n in range(1, 130):
        for m in range(1, n + 1):
            proof = log130.consistency_proof(m, n)
            merkle.verify_consistency(m, n, proof, roots[m], roots[n])
            if m < n:
                with pytest.raises(ProofError):
                    merkle.verify_consistency(m, n, proof, roots[m], roots[n - 1] if n - 1 != m else b"\0" * 32)
                if proof:
                    bad = [*proof[:-1], bytes(32)]
                    with pytest.raises(ProofError):
                        merkle.verify_consistency(m, n, bad, roots[m], roots[n])


def test_every_inclusion_proof_below_130(log130):
    for n in range(1, 130):
        root = log130.root(n)
        for i in range(n):
            proof = log130.inclusion_proof(i, n)
            leaf = log130.levels[0][i]
            merkle.verify_inclusion(i, n, leaf, proof, root)
            with pytest.raises(ProofError):
                merkle.verify_inclusion(i, n, log130.levels[0][(i + 1) % 130], proof, root)


def test_roots_match_recursive_definition(log130):
    def mth(lo, hi):
        if hi - lo == 1:
            return log130.levels[0][lo]
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        return merkle.node_hash(mth(lo, lo + k), mth(lo + k, hi))

    for n in range(1, 130):
        assert log130.root(n) == mth(0, n)


def test_subtree_proofs_exhaustive(log130):
    def mth(lo, hi):
        return merkle.root_of(log130.levels[0][lo:hi])

    for n in range(1, 40):
        root = log130.root(n)
        for end in range(1, n + 1):
            for start in range(end):
                if not merkle.is_valid_subtree(start, end):
                    continue
                proof = merkle.subtree_consistency_proof(start, end, n, log130.read)
                merkle.verify_subtree_consistency(start, end, n, proof, mth(start, end), root)
                with pytest.raises(ProofError):
                    merkle.verify_subtree_consistency(start, end, n, proof, bytes(32), root)
                for i in range(start, end):
                    p = merkle.subtree_inclusion_proof(i, start, end, log130.read)
                    merkle.verify_subtree_inclusion(i, start, end, log130.levels[0][i], p, mth(start, end))


def test_compact_range_emits_stored_nodes():
    r = merkle.CompactRange()
    log = MemoryLog()
    for i in range(300):
        h = merkle.leaf_hash(str(i).encode())
        created = r.append(h)
        log.append_hash(h)
        for level, index, node in created:
            assert log.levels[level][index] == node
        assert r.root() == log.root()
    border = merkle.CompactRange.node_ids(300)
    resumed = merkle.CompactRange(300, [log.levels[lv][ix] for lv, ix in border])
    assert resumed.root() == log.root()
