"""Gunicorn settings shared by `make run` and `make bench` (one server, one shape)."""
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_WORKERS", "1"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = "warning"
