"""The web server's shape (config/gunicorn.conf.py) and its workers' start-up."""

import logging
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import django.db
import pytest
from django.conf import settings

from innoreform.core import webserver


class FakeConnection:
    def __init__(self, max_age, fail=False):
        self.settings_dict = {"CONN_MAX_AGE": max_age}
        self.fail = fail
        self.opened = 0

    def ensure_connection(self):
        if self.fail:
            raise django.db.OperationalError("connection refused")
        self.opened += 1


def worker(threads: int):
    return SimpleNamespace(cfg=SimpleNamespace(threads=threads))


@pytest.mark.parametrize(("env", "cpus", "workers", "threads"), [
    ({}, 2, 5, 1),  # gunicorn's 2 x cores + 1, single-threaded
    ({}, 8, 17, 1),
    ({}, None, 3, 1),  # cpu_count() unknown: one core
    ({"WEB_WORKERS": "3", "WEB_THREADS": "2"}, 2, 3, 2),
    ({"WEB_WORKERS": "", "WEB_THREADS": ""}, 2, 5, 1),  # set but empty: the defaults
])
def test_default_shape(monkeypatch, env, cpus, workers, threads):
    monkeypatch.delenv("WEB_WORKERS", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(webserver.os, "cpu_count", lambda: cpus)
    assert (webserver.default_workers(), webserver.default_threads()) == (workers, threads)


@pytest.mark.parametrize(("threads", "max_age", "opened"), [
    (1, 60, 1),  # a sync worker with persistent connections opens its one at start
    (1, None, 1),  # unlimited persistence
    (1, 0, 0),  # Django would close it as the first request starts
    (2, 60, 0),  # threads open their own connections on first use
])
def test_warm_worker_opens_the_connection_only_where_a_request_will_use_it(monkeypatch, threads, max_age, opened):
    fake = FakeConnection(max_age)
    monkeypatch.setattr(django.db, "connection", fake)
    webserver.warm_worker(worker(threads))
    assert fake.opened == opened


def test_warm_worker_starts_the_worker_even_when_the_database_is_down(monkeypatch, caplog):
    monkeypatch.setattr(django.db, "connection", FakeConnection(60, fail=True))
    with caplog.at_level(logging.WARNING, logger="innoreform.web"):
        webserver.warm_worker(worker(1))  # does not raise
    assert "could not open the database connection" in caplog.text


def test_gunicorn_config_uses_the_shape_and_the_start_up_hook(monkeypatch):
    monkeypatch.setenv("WEB_WORKERS", "4")
    monkeypatch.delenv("WEB_THREADS", raising=False)
    conf = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))
    assert (conf["workers"], conf["threads"]) == (4, 1)
    assert conf["post_worker_init"] is webserver.warm_worker
    assert conf["wsgi_app"] == "config.wsgi:application"


def test_metrics_add_up_every_worker_process(monkeypatch, tmp_path, client):
    """Under gunicorn each worker is a process of its own: /metrics, served by any one of them,
    counts the requests of all."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    count_one = ("import django; django.setup(); from innoreform.core import ops; "
                 "ops.REQUESTS.labels('POST', '201').inc()")
    for _worker in range(2):
        subprocess.run([sys.executable, "-c", count_one], cwd=settings.BASE_DIR, env=env, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    body = client.get("/metrics").content.decode()
    assert 'innoreform_http_requests_total{method="POST",status="201"} 2.0' in body


def test_metrics_directory_is_made_at_start_and_removed_at_exit(monkeypatch, tmp_path):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.delenv("INNOREFORM_OWN_METRICS_DIR", raising=False)
    webserver.metrics_dir_create(server=None)
    made = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert made.is_dir()
    webserver.metrics_dir_remove(server=None)
    assert not made.exists() and "PROMETHEUS_MULTIPROC_DIR" not in os.environ


def test_a_metrics_directory_the_deployment_chose_is_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.delenv("INNOREFORM_OWN_METRICS_DIR", raising=False)
    webserver.metrics_dir_create(server=None)
    webserver.metrics_dir_remove(server=None)
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path) and tmp_path.is_dir()
