"""Run the web server and a task worker together; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server (gunicorn) on 127.0.0.1:$PORT and a django-tasks database worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        # The server's shape (sync workers, 2 x cores + 1; WEB_WORKERS, WEB_THREADS) and why it is
        # that: config/gunicorn.conf.py and innoreform/core/webserver.py.
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument("--threads", type=int, default=None)
        # Where the processes' logs go: a directory (one file per process), or "-" for the terminal.
        # Demo mode defaults to var/log/ so the URL and the accounts stay readable on the terminal.
        parser.add_argument("--log-dir", default=os.environ.get("INNOREFORM_LOG_DIR"))

    def handle(self, *args, port, host, workers, threads, log_dir, **options):
        if log_dir is None and settings.DEMO_MODE:
            log_dir = str(settings.VAR_DIR / "log")
        logs = None if log_dir in (None, "", "-") else Path(log_dir)
        if logs is not None:
            logs.mkdir(parents=True, exist_ok=True)
        opened = []

        def output(name: str) -> dict:
            if logs is None:
                return {}
            handle = open(logs / f"{name}.log", "ab")
            opened.append(handle)
            return {"stdout": handle, "stderr": subprocess.STDOUT}

        bin_dir = os.path.dirname(sys.executable)
        web = [os.path.join(bin_dir, "gunicorn"), "-c", str(settings.BASE_DIR / "config" / "gunicorn.conf.py"),
               "--bind", f"{host}:{port}", "--access-logfile", "-"]
        web += ["--workers", str(workers)] if workers else []
        web += ["--threads", str(threads)] if threads else []
        worker = [sys.executable, "-m", "innoreform.cli", "db_worker", "--queue-name", "default"]
        env = dict(os.environ)
        children = []
        if settings.DEMO_MODE and not env.get("LEDGER_WITNESSES"):
            # The demo runs two independent witnesses (own keys and state under var/) that
            # cosign the ledger's checkpoints; the platform publishes once both have signed.
            from innoreform.ledger import demo as ledger_demo

            env.update(ledger_demo.witness_env(settings.VAR_DIR))
            children += [subprocess.Popen(argv, **output(f"witness-{i}"))  # noqa: S603
                         for i, argv in enumerate(ledger_demo.witness_commands(settings.VAR_DIR), start=1)]
        children += [subprocess.Popen(web, env=env, **output("web")),  # noqa: S603 - fixed argv
                     subprocess.Popen(worker, env=env, **output("worker"))]  # noqa: S603 - fixed argv
        if settings.DEMO_MODE:
            from innoreform.core import demo

            self.stdout.write("")
            for line in demo.accounts_table():
                self.stdout.write(line)
            self.stdout.write("  README.md, \"Try this first\": one walkthrough per role.")
        if logs is not None:
            self.stdout.write(f"Logs: {logs}/ (web.log, worker.log)")
        self.stdout.write(self.style.SUCCESS(f"InnoReform on http://{host}:{port}/  (Ctrl-C stops)"))
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            for handle in opened:
                handle.close()
        failed = [c.args[0] for c in children if c.returncode not in (0, -signal.SIGTERM, None) and not stopping]
        if failed:
            raise SystemExit(f"stopped because a process exited: {failed}")
