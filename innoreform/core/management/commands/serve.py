"""Run the web server and a task worker together; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time

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

    def handle(self, *args, port, host, workers, threads, **options):
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
            children += [subprocess.Popen(argv) for argv in ledger_demo.witness_commands(settings.VAR_DIR)]  # noqa: S603
        children += [subprocess.Popen(web, env=env), subprocess.Popen(worker, env=env)]  # noqa: S603 - fixed argv
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
        failed = [c.args[0] for c in children if c.returncode not in (0, -signal.SIGTERM, None) and not stopping]
        if failed:
            raise SystemExit(f"stopped because a process exited: {failed}")
