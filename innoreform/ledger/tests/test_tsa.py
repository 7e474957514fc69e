"""RFC 3161 time-stamps over checkpoints, against a local `openssl ts -reply` responder."""

import hashlib
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from innoreform.core.actor import Actor
from innoreform.core.testing import make_actor
from innoreform.ledger import keys, receipts, services, tsa

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")

CONFIG = """
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@pytest.fixture(scope="module")
def tsa_url():
    d = Path(tempfile.mkdtemp(prefix="tsa"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(d / "tsa.key"), "-out", str(d / "tsa.crt"), "-subj", "/CN=Test TSA", "-days", "2",
                    "-addext", "extendedKeyUsage=critical,timeStamping"], check=True, capture_output=True)
    (d / "serial").write_text("01\n")
    (d / "tsa.cnf").write_text(CONFIG.format(dir=d))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            query = self.rfile.read(int(self.headers["Content-Length"]))
            with lock, tempfile.TemporaryDirectory() as tmp:
                q, r = Path(tmp, "q.tsq"), Path(tmp, "r.tsr")
                q.write_bytes(query)
                subprocess.run(["openssl", "ts", "-reply", "-config", str(d / "tsa.cnf"), "-queryfile", str(q),
                                "-out", str(r)], check=True, capture_output=True)
                body = r.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", str(d / "tsa.crt")
    server.shutdown()
    server.server_close()
    shutil.rmtree(d, ignore_errors=True)


def test_request_and_token_parsing(tsa_url):
    url, ca = tsa_url
    data = b"example.com/log\n5\nAAAA\n"
    token = tsa.timestamp(url, data)
    info = tsa.token_info(token)
    assert info.hashed == hashlib.sha256(data).digest()
    ok, detail = tsa.openssl_verify(data, token, ca)
    assert ok, detail
    assert not tsa.openssl_verify(data + b"x", token, ca)[0]


@pytest.mark.django_db
def test_receipt_with_timestamp_verifies_offline(tsa_url, settings, tmp_path, capsys,
                                                 django_capture_on_commit_callbacks):
    url, ca = tsa_url
    settings.TSA_URL = url
    actor = make_actor()
    data = b"patent draft v3\n" * 100
    with django_capture_on_commit_callbacks(execute=True):
        ev = services.deposit_evidence(actor=actor, title="Draft", data=data, filename="draft.txt")
    text = services.issue_receipt(actor=actor, evidence=ev)
    ev.refresh_from_db()
    token = bytes(ev.checkpoint.tsa_token)
    v = receipts.verify(data, text, log_key=keys.verifier_key(), tsa_token=token, tsa_ca_file=ca)
    assert v.ok, v.render()
    assert v.steps[-1].title.startswith("Check the time-stamp authority")

    f, r, t = tmp_path / "draft.txt", tmp_path / "draft.tlog-proof", tmp_path / "draft.tsr"
    f.write_bytes(data)
    r.write_text(text)
    t.write_bytes(token)
    call_command("ledger", "verify-receipt", str(f), str(r), "--log-key", keys.verifier_key(), "--tsr", str(t),
                 "--tsa-cert", ca)
    assert "[FAIL]" not in capsys.readouterr().out

    # a token over another checkpoint does not fit this receipt
    services.append_entry(actor=Actor.system(), entry_type="test.later", sequence_on_commit=False)
    services.sequence_pending()
    other = services.publish_checkpoint(actor=Actor.system())
    t.write_bytes(bytes(other.tsa_token))
    with pytest.raises(CommandError):
        call_command("ledger", "verify-receipt", str(f), str(r), "--log-key", keys.verifier_key(), "--tsr", str(t))


@pytest.mark.django_db
def test_timestamp_download(tsa_url, settings, client):
    settings.TSA_URL = tsa_url[0]
    actor = make_actor()
    ev = services.deposit_evidence(actor=actor, title="T", text="hello")
    services.issue_receipt(actor=actor, evidence=ev)
    client.force_login(actor.user)
    resp = client.get(f"/ledger/evidence/{ev.uid}/timestamp.tsr")
    assert resp.status_code == 200
    assert tsa.token_info(resp.content).gen_time.year >= 2024
