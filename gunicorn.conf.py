"""Gunicorn settings shared by `make run` and `make bench` (one server, one shape)."""
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_WORKERS", "1"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))
keepalive = 5
# The worker's heartbeat file is touched on every request: keep it in memory when possible.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None
errorlog = "-"
loglevel = "warning"
