"""The log in the database: sequencing, stored hashes, proofs, public tiles, a stranger's audit."""

import base64

import pytest
from django.core.management import call_command

from innoreform.core.actor import Actor
from innoreform.core.errors import ValidationFailed
from innoreform.core.testing import make_actor, make_org
from innoreform.ledger import entries, keys, merkle, note, selectors, services, tiles
from innoreform.ledger.models import LedgerEntry, LedgerNode, LedgerPending

from .helpers import append_many

pytestmark = pytest.mark.django_db


def _memory_copy():
    log = merkle.MemoryLog()
    for body in LedgerEntry.objects.order_by("index").values_list("body", flat=True):
        log.append(bytes(body))
    return log


def test_append_queues_then_sequencer_integrates_in_batches():
    actor = make_actor()
    services.append_entry(actor=actor, entry_type="credit.data_accessed", subject_organisation=actor.organisation,
                          consent_id="c-1", purpose="loan assessment", sequence_on_commit=False)
    assert LedgerPending.objects.count() == 1
    assert LedgerEntry.objects.count() == 0
    assert services.sequence_pending() == 1
    assert LedgerPending.objects.count() == 0
    e = LedgerEntry.objects.get()
    body = entries.parse(bytes(e.body))
    assert body["type"] == "credit.data_accessed"
    assert body["org"] == actor.organisation_id
    assert body["about"].startswith("hmac-sha256:")  # the subject is a keyed hash, not an id
    assert body["about"] == services.organisation_commitment(actor.organisation_id)
    assert body["about"] != entries.keyed_commitment(b"other key", f"org:{actor.organisation_id}")
    assert bytes(e.leaf_hash) == merkle.leaf_hash(bytes(e.body))

    append_many(600)
    assert selectors.head()[0] == 601
    # batches of 256: the sequencer made 3 transactions for the 600
    log = _memory_copy()
    assert selectors.head()[1] == log.root()
    # every stored node equals the in-memory tree's
    assert LedgerNode.objects.count() == sum(len(level) for level in log.levels[1:])


def test_append_entry_on_commit_sequences(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        p = services.append_entry(actor=Actor.system(), entry_type="books.money_moved",
                                  content_hash=entries.sha256_commitment(b"txn 1"))
    assert selectors.entry_by_uid(p.uid).index == 0
    # the on-commit hook also published a checkpoint (quorum 0 in tests)
    assert selectors.latest_checkpoint().size == 1


def test_append_entry_rejects_malformed_fields():
    with pytest.raises(ValidationFailed):
        services.append_entry(actor=Actor.system(), entry_type="No Dots")
    with pytest.raises(ValidationFailed):
        services.append_entry(actor=Actor.system(), entry_type="a.b", object_ref="person:张三")
    with pytest.raises(ValidationFailed):
        services.append_entry(actor=Actor.system(), entry_type="a.b", content_hash="md5:abc")


def test_proofs_from_stored_hashes_verify():
    append_many(300)
    log = _memory_copy()
    for size in (1, 2, 7, 255, 256, 257, 300):
        root = selectors.root_at(size)
        assert root == log.root(size)
        for index in {0, size // 2, size - 1}:
            proof = selectors.inclusion_proof(index, size)
            merkle.verify_inclusion(index, size, log.levels[0][index], proof, root)
    for old, new in ((1, 300), (100, 257), (256, 300), (299, 300)):
        merkle.verify_consistency(old, new, selectors.consistency_proof(old, new), log.root(old), log.root(new))


def test_proof_needs_few_queries(django_assert_max_num_queries):
    append_many(600)
    with django_assert_max_num_queries(2):  # one read of leaf hashes, one of stored nodes
        selectors.inclusion_proof(123, 600)
    with django_assert_max_num_queries(2):
        selectors.consistency_proof(333, 600)


def test_checkpoint_signed_and_served(client):
    append_many(5)
    cp = services.publish_checkpoint(actor=Actor.system())
    resp = client.get("/ledger/checkpoint")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/plain")
    c, _n = note.open_checkpoint(resp.content.decode(), keys.verifiers(), origin=keys.origin())
    assert (c.size, c.root) == (5, selectors.head()[1])
    assert cp.cosigned  # quorum 0
    key_resp = client.get("/ledger/key").content.decode().splitlines()
    assert key_resp == [keys.origin(), keys.verifier_key()]


def test_key_command_prints_verifier(capsys):
    call_command("ledger", "key")
    out = capsys.readouterr().out
    assert keys.verifier_key() in out
    assert keys.origin() in out


def test_no_checkpoint_yet_is_404(client):
    assert client.get("/ledger/checkpoint").status_code == 404


def test_tiles_and_bundles(client):
    append_many(600)
    services.publish_checkpoint(actor=Actor.system())
    log = _memory_copy()
    full = client.get("/ledger/tile/0/000")
    assert full.status_code == 200
    assert full.content == b"".join(log.levels[0][:256])
    part = client.get("/ledger/tile/0/002.p/88")
    assert part.content == b"".join(log.levels[0][512:600])
    lvl1 = client.get("/ledger/tile/1/000.p/2")
    assert lvl1.content == log.levels[8][0] + log.levels[8][1]
    bundle = client.get("/ledger/tile/entries/001")
    assert tiles.decode_bundle(bundle.content) == [bytes(b) for b in LedgerEntry.objects.filter(
        index__gte=256, index__lt=512).order_by("index").values_list("body", flat=True)]
    assert "immutable" in bundle["Cache-Control"]
    for missing in ("/ledger/tile/0/002", "/ledger/tile/0/002.p/89", "/ledger/tile/0/003.p/1",
                    "/ledger/tile/1/000", "/ledger/tile/entries/003.p/1", "/ledger/tile/0/02",
                    "/ledger/tile/0/000.p/0"):
        assert client.get(missing).status_code == 404, missing


def test_strangers_tiles_client_audits_the_log(client):
    """Given only the URL and the verifier key: fetch the checkpoint, check its signature, recompute
    the root from tiles and from entry bundles, check consistency between two checkpoints."""
    append_many(300)
    services.publish_checkpoint(actor=Actor.system())
    old_note = client.get("/ledger/checkpoint").content.decode()
    append_many(333)
    services.publish_checkpoint(actor=Actor.system())
    vkey = client.get("/ledger/key").content.decode().splitlines()[1]

    # --- the stranger, from here on only HTTP and the key string ---
    verifier = note.Verifier.from_string(vkey)

    def fetch(path):
        r = client.get("/ledger/" + path)
        assert r.status_code == 200, path
        return r.content

    new_cp, _ = note.open_checkpoint(fetch("checkpoint").decode(), [verifier])
    old_cp, _ = note.open_checkpoint(old_note, [verifier])
    tc = tiles.TileClient(fetch, new_cp.size)
    assert merkle.root_at(new_cp.size, tc.read) == new_cp.root
    leaves = [merkle.leaf_hash(e) for n in range((new_cp.size + 255) // 256) for e in tc.entries(n)]
    assert merkle.root_of(leaves) == new_cp.root
    proof = merkle.consistency_proof(old_cp.size, new_cp.size, tc.read)
    merkle.verify_consistency(old_cp.size, new_cp.size, proof, old_cp.root, new_cp.root)


def test_json_proof_api(client):
    actor = make_actor()
    append_many(40, subject=actor.organisation)
    services.publish_checkpoint(actor=Actor.system())
    client.force_login(actor.user)
    r = client.get("/api/v1/ledger/proofs/inclusion", {"index": 7})
    assert r.status_code == 200, r.content
    body = r.json()
    merkle.verify_inclusion(7, body["size"], base64.b64decode(body["leaf_hash"]),
                            [base64.b64decode(p) for p in body["proof"]], base64.b64decode(body["root"]))
    r = client.get("/api/v1/ledger/proofs/consistency", {"old": 3, "new": 40})
    c = r.json()
    merkle.verify_consistency(3, 40, [base64.b64decode(p) for p in c["proof"]], base64.b64decode(c["old_root"]),
                              base64.b64decode(c["new_root"]))
    assert client.get("/api/v1/ledger/proofs/inclusion", {"index": 40}).status_code == 400
    mine = client.get("/api/v1/ledger/entries/mine").json()
    assert len(mine) == 40
    assert mine[0]["purpose"] == "testing"


def test_enterprise_sees_entries_about_its_data(client):
    bank = make_actor()
    enterprise = make_actor()
    other = make_org()
    services.append_entry(actor=bank, entry_type="credit.data_accessed", subject_organisation=enterprise.organisation,
                          consent_id="consent-9", purpose="loan assessment", sequence_on_commit=False)
    services.append_entry(actor=bank, entry_type="credit.data_accessed", subject_organisation=other,
                          purpose="not yours", sequence_on_commit=False)
    services.sequence_pending()
    services.publish_checkpoint(actor=Actor.system())
    client.force_login(enterprise.user)
    page = client.get("/ledger/mine/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "loan assessment" in html
    assert "not yours" not in html
    assert bank.organisation.name in html
    assert client.get("/ledger/entries/0/").status_code == 200
    assert client.get("/ledger/entries/1/").status_code == 404  # about someone else
    # Every party to an entry sees it: the bank sees both reads it made (issue 21).
    client.force_login(bank.user)
    html = client.get("/ledger/mine/").content.decode()
    assert html.count('data-testid="ledger-row"') == 2 and "not yours" in html
    assert client.get("/ledger/entries/1/").status_code == 200


def test_append_entries_bulk_matches_single_appends():
    actor = make_actor()
    uids = services.append_entries(actor=actor, items=[
        {"entry_type": "books.money_moved", "content_hash": entries.sha256_commitment(b"t%d" % i),
         "subject_organisation": actor.organisation, "purpose": "loan disbursement"} for i in range(300)],
        sequence_on_commit=False)
    assert services.sequence_pending() == 300
    assert [e.uid for e in LedgerEntry.objects.order_by("index")] == uids
    e = LedgerEntry.objects.get(index=299)
    assert e.subject_organisation_id == actor.organisation_id
    assert entries.parse(bytes(e.body))["purpose"] == "loan disbursement"
    with pytest.raises(ValidationFailed):
        services.append_entries(actor=actor, items=[{"entry_type": "x"}])


def test_key_rotation_both_keys_sign(settings, tmp_path):
    old = note.Signer.generate(settings.LEDGER_ORIGIN)
    new = note.Signer.generate(settings.LEDGER_ORIGIN)
    path = tmp_path / "two.key"
    path.write_text(f"{old}\n{new}\n")
    settings.LEDGER_KEY_FILE = str(path)
    keys.clear_cache()
    append_many(3)
    cp = services.publish_checkpoint(actor=Actor.system())
    for signer in (old, new):  # auditors holding either verifier key accept it
        c, n = note.open_checkpoint(cp.note, [signer.verifier])
        assert c.size == 3
        assert n.signed_by(settings.LEDGER_ORIGIN)


def test_append_entries_integrate_now_skips_the_queue():
    actor = make_actor()
    append_many(5)
    uids = services.append_entries(actor=actor, items=[
        {"entry_type": "books.money_moved", "object_ref": f"books.txn:{i}", "subject_organisation": actor.organisation}
        for i in range(600)], integrate_now=True)
    assert LedgerPending.objects.count() == 0
    assert selectors.head()[0] == 605
    assert selectors.entry_by_uid(uids[-1]).index == 604
    assert selectors.entry_by_uid(uids[0]).created_at is not None
    assert selectors.head()[1] == _memory_copy().root()
    assert LedgerEntry.objects.filter(subject_organisation=actor.organisation).count() == 600
