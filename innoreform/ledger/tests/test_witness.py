"""C2SP tlog-witness: every status code, the atomic compare-and-swap, and the log's quorum."""

import base64
import threading

import pytest

from innoreform.core.actor import Actor
from innoreform.ledger import keys, merkle, note, selectors, services, witness
from innoreform.ledger.models import LedgerCheckpoint, WitnessView

from .helpers import append_many

ORIGIN = "example.com/log"


@pytest.fixture
def world(tmp_path):
    log_key = note.Signer.generate(ORIGIN)
    w_key = note.Signer.generate("witness.example/w1", note.ALG_COSIGNATURE_V1)
    mem = merkle.MemoryLog()
    for i in range(20):
        mem.append(f"e{i}".encode())
    wit = witness.Witness(w_key, {ORIGIN: [log_key.verifier]}, witness.StateFile(tmp_path / "state.json"))

    def cp(size, signer=log_key, origin=ORIGIN, root=None):
        text = note.Checkpoint(origin, size, root if root is not None else mem.root(size)).text()
        return note.sign_note(text, [signer])

    def req(old, size, proof=None, **kw):
        proof = mem.consistency_proof(old, size) if proof is None and 0 < old < size else (proof or [])
        lines = "".join(base64.b64encode(p).decode() + "\n" for p in proof)
        return f"old {old}\n{lines}\n{cp(size, **kw)}".encode()

    return log_key, w_key, mem, wit, req


def test_200_first_checkpoint_and_cosignature_verifies(world):
    _log_key, w_key, _mem, wit, req = world
    r = wit.add_checkpoint(req(0, 5))
    assert r.status == 200
    text = req(0, 5).decode().split("\n\n", 1)[1]
    cosigs = note.witness_cosignatures(text + r.body.decode(), [w_key.verifier])
    assert [s.name for s in cosigs] == ["witness.example/w1"]
    assert wit.add_checkpoint(req(5, 12)).status == 200  # with a consistency proof
    assert wit.add_checkpoint(req(12, 12)).status == 200  # same size, same root: cosigned again
    assert wit.state.read()[ORIGIN]["size"] == 12


def test_400_malformed_and_old_greater_than_new(world):
    _l, _w, _m, wit, req = world
    assert wit.add_checkpoint(b"nonsense").status == 400
    assert wit.add_checkpoint(b"old 01\n\n" + req(0, 5).split(b"\n\n", 1)[1]).status == 400
    assert wit.add_checkpoint(req(0, 5).replace(b"old 0\n", b"old 0\n!!notbase64\n")).status == 400
    too_many = b"old 3\n" + b"".join(base64.b64encode(bytes(32)) + b"\n" for _ in range(64)) + b"\n" + \
        req(0, 5).split(b"\n\n", 1)[1]
    assert wit.add_checkpoint(too_many).status == 400
    assert wit.add_checkpoint(req(7, 5, proof=[])).status == 400


def test_403_bad_or_unknown_signature(world):
    _l, _w, mem, wit, req = world
    stranger = note.Signer.generate(ORIGIN)  # right name, wrong key
    assert wit.add_checkpoint(req(0, 5, signer=stranger)).status == 403
    body = req(0, 5).decode()
    forged = body.replace(base64.b64encode(mem.root(5)).decode(), base64.b64encode(mem.root(6)).decode())
    assert wit.add_checkpoint(forged.encode()).status == 403


def test_404_unknown_origin(world):
    _l, _w, _m, wit, req = world
    other = note.Signer.generate("other.example/log")
    assert wit.add_checkpoint(req(0, 5, signer=other, origin="other.example/log")).status == 404


def test_409_stale_old_size_returns_the_witness_size(world):
    _l, _w, _m, wit, req = world
    assert wit.add_checkpoint(req(0, 8)).status == 200
    r = wit.add_checkpoint(req(5, 10))
    assert r.status == 409
    assert r.content_type == "text/x.tlog.size"
    assert r.body == b"8\n"
    # same size, different root: also a conflict
    assert wit.add_checkpoint(req(8, 8, root=bytes(32))).status == 409
    assert wit.state.read()[ORIGIN]["size"] == 8


def test_422_bad_consistency_proof(world):
    _l, _w, mem, wit, req = world
    assert wit.add_checkpoint(req(0, 8)).status == 200
    bad = [bytes(32)] * len(mem.consistency_proof(8, 13))
    assert wit.add_checkpoint(req(8, 13, proof=bad)).status == 422
    assert wit.add_checkpoint(req(0, 3, proof=[bytes(32)])).status == 409  # witness is at 8, not 0
    assert wit.state.read()[ORIGIN]["size"] == 8


def test_422_proof_must_be_empty_from_zero(tmp_path, world):
    _l, w_key, _m, _wit, req = world
    fresh = witness.Witness(w_key, {ORIGIN: [_l.verifier]}, witness.StateFile(tmp_path / "fresh.json"))
    assert fresh.add_checkpoint(req(0, 3, proof=[bytes(32)])).status == 422


def test_compare_and_swap_is_atomic(world):
    """Racing submissions from the same old size: exactly one wins, the rest get 409."""
    _l, _w, _m, wit, req = world
    assert wit.add_checkpoint(req(0, 4)).status == 200
    bodies = [req(4, size) for size in range(5, 21)]
    results = []
    threads = [threading.Thread(target=lambda b=b: results.append(wit.add_checkpoint(b).status)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count(200) == 1
    assert results.count(409) == len(bodies) - 1


def test_http_server_speaks_the_protocol(world):
    _l, _w, _m, wit, req = world
    server = witness.serve(wit, "127.0.0.1", 0)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        assert witness.post_add_checkpoint(url, req(0, 6))[0] == 200
        status, body = witness.post_add_checkpoint(url, req(2, 9))
        assert (status, body) == (409, b"6\n")
        assert witness.post_add_checkpoint(url, b"x" * (witness.MAX_BODY + 1))[0] == 400
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db(transaction=True)
def test_log_pushes_to_witnesses_and_publishes_at_quorum(settings, tmp_path):
    """Two witness processes (threads here) with their own keys and state; quorum 2."""
    servers, configs = [], []
    log_vkey = keys.verifier_key()
    for name in ("witness.bank-a.example", "witness.notary.example"):
        signer = witness.load_or_create_key(tmp_path / f"{name}.key", name, note.ALG_COSIGNATURE_V1)
        wit = witness.Witness(signer, {keys.origin(): [note.Verifier.from_string(log_vkey)]},
                              witness.StateFile(tmp_path / f"{name}.json"))
        srv = witness.serve(wit, "127.0.0.1", 0)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        configs.append(f"{signer.verifier}=http://127.0.0.1:{srv.server_port}")
    try:
        settings.LEDGER_WITNESSES = configs
        settings.LEDGER_QUORUM = 2
        append_many(10)
        cp1 = services.publish_checkpoint(actor=Actor.system())
        assert (cp1.cosignatures, cp1.cosigned) == (2, True)
        append_many(7)
        cp2 = services.publish_checkpoint(actor=Actor.system())
        assert cp2.cosigned
        assert dict(WitnessView.objects.values_list("name", "size")) == {
            "witness.bank-a.example": 17, "witness.notary.example": 17}
        # the log forgot what the witnesses saw: the 409 tells it, and it retries with a proof
        WitnessView.objects.all().delete()
        append_many(3)
        assert services.publish_checkpoint(actor=Actor.system()).cosigned
        # one witness goes away: below quorum, the checkpoint is recorded but not published
        servers[1].shutdown()
        servers[1].server_close()
        append_many(1)
        cp4 = services.publish_checkpoint(actor=Actor.system(), timeout=1.0)
        assert (cp4.cosignatures, cp4.cosigned) == (1, False)
        assert selectors.latest_checkpoint().size == 20  # the public checkpoint stays the witnessed one
        assert LedgerCheckpoint.objects.count() == 4
    finally:
        for srv in servers:
            srv.shutdown()
            srv.server_close()


def test_demo_witness_settings(tmp_path):
    from innoreform.ledger import demo

    env = demo.witness_env(tmp_path)
    configs = [witness.WitnessConfig.parse(item) for item in env["LEDGER_WITNESSES"].split(",")]
    assert [c.verifier.name for c in configs] == ["witness.bank-a.example", "witness.notary.example"]
    assert [c.url for c in configs] == ["http://127.0.0.1:8401", "http://127.0.0.1:8402"]
    assert env["LEDGER_QUORUM"] == "2"
    assert demo.witness_env(tmp_path) == env  # keys are kept, not regenerated
    argv = demo.witness_commands(tmp_path)[0]
    assert argv[3:5] == ["witness", "serve"]
    assert "--state" in argv
