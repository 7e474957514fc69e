"""The web server's shape and its workers' start-up (gunicorn reads them through
config/gunicorn.conf.py; `innoreform serve` and bench/vouchers.py use that file).

Imported by gunicorn's master before Django is set up: nothing Django at module level.

Why single-threaded (sync) workers, 2 x cores + 1 of them (gunicorn's own advice): a sync
worker accepts a connection only when it is free, so waiting callers queue once, in the
kernel, for whichever worker frees up first. Threaded workers take every connection they are
offered and, with keep-alive, keep it: one worker could end up serving most clients while
another idled, and their callers waited accordingly. Several workers per core overlap one
request's database waits with another's Python, as threads did, and gave a lower p99 at the same
throughput (bench/NOTES.md).
"""

import logging
import os
import shutil
import tempfile

log = logging.getLogger("innoreform.web")


def default_workers() -> int:
    return int(os.environ.get("WEB_WORKERS") or 2 * (os.cpu_count() or 1) + 1)


def default_threads() -> int:
    return int(os.environ.get("WEB_THREADS") or 1)


def warm_worker(worker) -> None:
    """gunicorn's post_worker_init: a sync worker opens its database connection before it takes
    its first request, so that caller does not wait for it. Only when
    connections persist (DB_CONN_MAX_AGE > 0): otherwise Django closes it as the first request
    starts. Threaded workers open one per thread, on first use."""
    if worker.cfg.threads > 1:
        return
    from django.db import connection

    if connection.settings_dict.get("CONN_MAX_AGE") == 0:
        return
    try:
        connection.ensure_connection()
    except Exception:  # the first request connects (and reports) instead; the worker still starts
        log.warning("could not open the database connection at worker start", exc_info=True)


def metrics_dir_create(server) -> None:
    """gunicorn's on_starting, in the master before it forks: the workers are separate processes,
    so each writes its request metrics to files in one directory that /metrics adds up
    (prometheus_client's multiprocess mode). A fresh directory per start; one set by the
    deployment (PROMETHEUS_MULTIPROC_DIR) is used as it is."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="innoreform-metrics-")
        os.environ["INNOREFORM_OWN_METRICS_DIR"] = "1"


def metrics_dir_remove(server) -> None:
    """gunicorn's on_exit: remove the directory metrics_dir_create made."""
    if os.environ.pop("INNOREFORM_OWN_METRICS_DIR", None):
        shutil.rmtree(os.environ.pop("PROMETHEUS_MULTIPROC_DIR"), ignore_errors=True)
