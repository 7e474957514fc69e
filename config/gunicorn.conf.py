"""gunicorn settings for `innoreform serve` and bench/vouchers.py (`gunicorn -c config/gunicorn.conf.py`).
Why this shape: innoreform/core/webserver.py."""

from innoreform.core import webserver

wsgi_app = "config.wsgi:application"
workers = webserver.default_workers()
threads = webserver.default_threads()
# A sync worker serves one request at a time and is restarted when one takes longer than this
# (a streamed CSV export included); long jobs run in the task worker.
timeout = 300
graceful_timeout = 5
post_worker_init = webserver.warm_worker
on_starting = webserver.metrics_dir_create
on_exit = webserver.metrics_dir_remove
