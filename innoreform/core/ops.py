"""Operations endpoints: /healthz as JSON and /metrics for Prometheus."""

import os
import time

from django.db import connection
from django.db.models import Min
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("innoreform_http_requests_total", "HTTP requests", ["method", "status"])
LATENCY = Histogram("innoreform_http_request_seconds", "HTTP request latency", ["method"])
# A queued task older than this means no worker is taking work.
WORKER_STALL_SECONDS = 120


def observe_request(request, response, seconds: float) -> None:
    REQUESTS.labels(request.method, str(response.status_code)).inc()
    LATENCY.labels(request.method).observe(seconds)


def _database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # health must report, not raise
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 2)}


def _tasks() -> dict:
    from django_tasks_db.models import DBTaskResult

    try:
        pending = DBTaskResult.objects.filter(status="READY")
        count = pending.count()
        oldest = pending.aggregate(oldest=Min("enqueued_at"))["oldest"]
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return {"ok": age < WORKER_STALL_SECONDS, "pending_jobs": count, "oldest_pending_seconds": round(age, 1)}


@never_cache
def healthz(request):
    database = _database()
    worker = _tasks() if database["ok"] else {"ok": False, "error": "database"}
    ok = database["ok"] and worker["ok"]
    return JsonResponse({"ok": ok, "database": database, "worker": worker}, status=200 if ok else 503)


@never_cache
def metrics(request):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # under gunicorn: every worker's counts, added up
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)
