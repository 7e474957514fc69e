"""Signed notes, checkpoints, cosignatures, tiles and canonical entries (no database)."""

import base64

import pytest

from innoreform.ledger import entries, merkle, note, tiles
from innoreform.ledger.note import NoteError


def test_key_strings_round_trip_and_key_id():
    s = note.Signer.generate("example.com/log")
    assert note.Signer.from_string(str(s)).verifier.public == s.verifier.public
    v = note.Verifier.from_string(str(s.verifier))
    assert v.key_id == s.key_id
    assert str(v).startswith("example.com/log+" + s.key_id.hex() + "+")
    assert base64.b64decode(str(v).split("+", 2)[2])[0] == 0x01
    assert v.key_id == note.key_id("example.com/log", 1, v.public)
    with pytest.raises(NoteError):
        note.Verifier.from_string(str(v).replace(s.key_id.hex(), "00000000"))
    with pytest.raises(NoteError):
        note.Signer.generate("bad name")


def test_go_sumdb_style_key_is_accepted():
    # The verifier key format of Go's checksum database (C2SP signed-note example).
    v = note.Verifier.from_string("sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8")
    assert v.name == "sum.golang.org"
    assert v.key_id.hex() == "033de0ae"


def test_note_sign_and_open():
    log = note.Signer.generate("example.com/log")
    other = note.Signer.generate("someone.else")
    text = note.Checkpoint("example.com/log", 5, bytes(32)).text()
    signed = note.sign_note(text, [log, other])
    opened = note.open_note(signed, [log.verifier])
    assert opened.text == text
    assert [s.name for s in opened.verified] == ["example.com/log"]
    assert [s.name for s in opened.unverified] == ["someone.else"]  # unknown keys are ignored
    with pytest.raises(NoteError):
        note.open_note(signed, [note.Signer.generate("nobody").verifier])
    # a known key with a bad signature rejects the note
    forged = signed.replace(text, text.replace("5", "6", 1))
    with pytest.raises(NoteError):
        note.open_note(forged, [log.verifier])
    with pytest.raises(NoteError):
        note.open_note(text, [log.verifier])  # unsigned


def test_checkpoint_parse_strict():
    root = bytes(range(32))
    cp = note.parse_checkpoint(f"o\n10\n{base64.b64encode(root).decode()}\n")
    assert (cp.origin, cp.size, cp.root) == ("o", 10, root)
    for bad in ("o\n010\nAA==\n", "o\n10\n" + base64.b64encode(root).decode(), "o\n-1\nAA==\n", "o\n1\nAAAA\n"):
        with pytest.raises(NoteError):
            note.parse_checkpoint(bad)


def test_cosignature_v1():
    log = note.Signer.generate("example.com/log")
    w = note.Signer.generate("witness.example/w1", note.ALG_COSIGNATURE_V1)
    text = note.Checkpoint("example.com/log", 7, bytes(32)).text()
    line = w.signature_line(text.encode(), timestamp=1679315147)
    raw = base64.b64decode(line.split(" ")[-1])
    assert raw[:4] == note.key_id("witness.example/w1", 0x04, w.verifier.public)
    assert int.from_bytes(raw[4:12], "big") == 1679315147
    signed = note.sign_note(text, [log]) + line
    good = note.witness_cosignatures(signed, [w.verifier])
    assert good[0].timestamp == 1679315147
    # a cosignature is not a plain signature over the text
    assert base64.b64decode(str(w.verifier).split("+", 2)[2])[0] == 0x04
    tampered = signed.replace(line, line[:-6] + ("A" if line[-6] != "A" else "B") + line[-5:])
    with pytest.raises(NoteError):
        note.witness_cosignatures(tampered, [w.verifier])


def test_tile_paths():
    assert tiles.encode_index(1234067) == "x001/x234/067"
    assert tiles.encode_index(5) == "005"
    assert tiles.tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tiles.tile_path(2, 3, 17) == "tile/2/003.p/17"
    assert tiles.parse_tile_path("1/x001/234.p/7") == (1, 1234, 7)
    assert tiles.parse_tile_path("entries/000") == (None, 0, 256)
    for bad in ("1/1234", "64/000", "0/000.p/0", "0/000.p/256", "0/000.p/07", "0/x000/001", "0/01"):
        with pytest.raises(tiles.TilePathError):
            tiles.parse_tile_path(bad)


def test_tile_widths_spec_example():
    # tlog-tiles: a tree of 70,000 has 273 full level-0 tiles, a partial of 112, one full level-1
    # tile, a partial level-1 tile of 17 and a partial level-2 tile of 1.
    size = 70000
    assert all(tiles.available_width(0, n, size) == 256 for n in range(273))
    assert tiles.available_width(0, 273, size) == 112
    assert tiles.available_width(1, 0, size) == 256
    assert tiles.available_width(1, 1, size) == 17
    assert tiles.available_width(2, 0, size) == 1
    assert tiles.available_width(0, 274, size) == 0


def test_tile_client_rebuilds_proofs():
    log = merkle.MemoryLog()
    for i in range(1000):
        log.append(f"e{i}".encode())

    def fetch(path):
        level, n, width = tiles.parse_tile_path(path.removeprefix("tile/"))
        ids = tiles.tile_node_ids(level, n, width)
        return b"".join(log.read(ids)[i] for i in ids)

    for size in (1, 255, 256, 257, 1000):
        client = tiles.TileClient(fetch, size)
        assert merkle.root_at(size, client.read) == log.root(size)
        assert merkle.inclusion_proof(size - 1, size, client.read) == log.inclusion_proof(size - 1, size)
    client = tiles.TileClient(fetch, 1000)
    assert merkle.consistency_proof(300, 1000, client.read) == log.consistency_proof(300, 1000)


def test_bundles_round_trip():
    data = tiles.encode_bundle([b"", b"a", b"x" * 300])
    assert data[:2] == b"\x00\x00"
    assert data[2:4] == b"\x00\x01"
    assert tiles.decode_bundle(data) == [b"", b"a", b"x" * 300]
    with pytest.raises(ValueError, match="truncated"):
        tiles.decode_bundle(data[:-1])


def test_canonical_entries():
    body = entries.build(entry_id="u1", entry_type="evidence.deposited", time="2026-01-01T00:00:00Z", org=3,
                         content=entries.sha256_commitment(b"x"), purpose="证据保全")
    assert body.startswith(b'{"content":"sha256:')
    assert "证据保全".encode() in body  # UTF-8, not \\u escapes
    assert entries.parse(body)["org"] == 3
    with pytest.raises(entries.EntryError):
        entries.parse(body.replace(b",", b", ", 1))  # not canonical
    with pytest.raises(entries.EntryError):
        entries.build(entry_id="u", entry_type="Bad Type", time="t", org=None)
    with pytest.raises(entries.EntryError):
        entries.build(entry_id="u", entry_type="a.b", time="t", org=None, object_ref="张三")
    with pytest.raises(entries.EntryError):
        entries.canonical({"x": 1.5})
