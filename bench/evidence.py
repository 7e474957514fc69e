"""Evidence benchmark (issue #24): prints one JSON object, everything measured in this run.

    .venv/bin/python bench/evidence.py               # 1 GiB file, 10,000 receipts
    .venv/bin/python bench/evidence.py --mib 256 --receipts 2000   # quicker

- upload_mib_per_s: a multipart/form-data request body carrying the file, streamed from disk
  through Django's MultiPartParser with innoreform.ipcases.uploads.HashingUploadHandler (SHA-256
  of each chunk as it arrives, chunk written to a temporary file), as a notarial capture upload runs.
- sha256sum_mib_per_s: `sha256sum` over the same file in the same run; ratio = upload / sha256sum
  (target >= 0.8). The file is read once beforehand so both runs see the same page cache.
- peak_rss_mib: the process's peak resident set (ru_maxrss) after the upload, Django included
  (target < 150); upload_python_peak_mib: tracemalloc's peak of Python allocations during it.
- receipts_verified_per_min: innoreform.ledger.receipts.verify (parse, Ed25519 checkpoint signature,
  entry, SHA-256 of the file, RFC 9162 inclusion proof) over N receipts of an N-entry log built
  in memory, offline (target >= 10,000 a minute).
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("INNOREFORM_VAR_DIR", tempfile.mkdtemp(prefix="bench-evidence-"))

import django

django.setup()

from django.http.multipartparser import MultiPartParser  # noqa: E402

from innoreform.ipcases.uploads import HashingUploadHandler  # noqa: E402
from innoreform.ledger import entries, merkle, note, receipts  # noqa: E402

BOUNDARY = "----innoreformbench"


class MultipartStream(io.RawIOBase):
    """A multipart body (one file field) read from the file on disk, never held whole in memory."""

    def __init__(self, path: Path):
        self.head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"evidence.bin\"\r\n"
                     "Content-Type: application/octet-stream\r\n\r\n").encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = len(self.head) + path.stat().st_size + len(self.tail)
        self.parts = [io.BytesIO(self.head), open(path, "rb"), io.BytesIO(self.tail)]

    def readable(self):
        return True

    def read(self, n=-1):
        out = b""
        while self.parts and (n < 0 or len(out) < n):
            chunk = self.parts[0].read(-1 if n < 0 else n - len(out))
            if not chunk:
                self.parts.pop(0).close()
                continue
            out += chunk
        return out


def make_file(path: Path, mib: int) -> None:
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as f:
        for i in range(mib):
            f.write(block[i % 1024:] + block[:i % 1024])  # every MiB differs


def sha256sum(path: Path) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run(["sha256sum", str(path)], check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t, "sha256:" + out.split()[0]


def upload(path: Path) -> tuple[float, str, float]:
    stream = MultipartStream(path)
    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "CONTENT_LENGTH": str(stream.size)}
    tracemalloc.start()
    t = time.perf_counter()
    handler = HashingUploadHandler()
    _post, files = MultiPartParser(meta, stream, [handler], "utf-8").parse()
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    f = files["file"]
    digest = f.sha256
    f.close()
    return elapsed, digest, peak / 2**20


def _mth(lo, hi, leaves, memo):
    if (lo, hi) in memo:
        return memo[(lo, hi)]
    if hi - lo == 1:
        h = leaves[lo]
    else:
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        h = merkle.node_hash(_mth(lo, lo + k, leaves, memo), _mth(lo + k, hi, leaves, memo))
    memo[(lo, hi)] = h
    return h


def _path(m, lo, hi, leaves, memo):
    """RFC 9162 2.1.3.1 PATH(m, D[lo:hi]), leaf sibling first."""
    if hi - lo <= 1:
        return []
    k = 1 << ((hi - lo - 1).bit_length() - 1)
    if m < lo + k:
        return [*_path(m, lo, lo + k, leaves, memo), _mth(lo + k, hi, leaves, memo)]
    return [*_path(m, lo + k, hi, leaves, memo), _mth(lo, lo + k, leaves, memo)]


def receipts_bench(n: int) -> dict:
    origin = "bench.innoreform.example/ledger"
    signer = note.Signer.generate(origin)
    files = [f"evidence file {i}".encode() for i in range(n)]
    bodies = [entries.build(entry_id=f"00000000-0000-4000-8000-{i:012d}", entry_type="evidence.deposited",
                            time="2026-12-08T00:00:00Z", org=1, content=entries.sha256_commitment(files[i]),
                            purpose="evidence preservation") for i in range(n)]
    leaves = [merkle.leaf_hash(b) for b in bodies]
    memo: dict = {}
    root = _mth(0, n, leaves, memo)
    checkpoint = note.sign_note(note.Checkpoint(origin, n, root).text(), [signer])
    texts = [receipts.Receipt(index=i, proof=_path(i, 0, n, leaves, memo), checkpoint=checkpoint,
                              extra=bodies[i]).text() for i in range(n)]
    vkey = str(signer.verifier)
    t = time.perf_counter()
    ok = sum(receipts.verify(files[i], texts[i], log_key=vkey, origin=origin).ok for i in range(n))
    elapsed = time.perf_counter() - t
    tampered = receipts.verify(files[0] + b"!", texts[0], log_key=vkey, origin=origin).ok
    return {"receipts": n, "receipts_ok": ok, "tampered_file_accepted": tampered,
            "receipts_verified_per_min": round(n / elapsed * 60)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=1024)
    ap.add_argument("--receipts", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-evidence-") as tmp:
        path = Path(tmp) / "evidence.bin"
        make_file(path, args.mib)
        sha256sum(path)  # warm the page cache so both runs read the same way
        sum_s, sum_digest = sha256sum(path)
        up_s, up_digest, py_peak = upload(path)
        result = {
            "file_mib": args.mib,
            "sha256sum_mib_per_s": round(args.mib / sum_s, 1),
            "upload_mib_per_s": round(args.mib / up_s, 1),
            "ratio_upload_to_sha256sum": round(sum_s / up_s, 3),
            "digests_match": sum_digest == up_digest,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "upload_python_peak_mib": round(py_peak, 1),
        }
    result.update(receipts_bench(args.receipts))
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    result["targets_met"] = (result["ratio_upload_to_sha256sum"] >= 0.8 and result["peak_rss_mib"] < 150
                             and result["receipts_verified_per_min"] >= 10_000 and result["digests_match"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
