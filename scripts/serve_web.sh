#!/usr/bin/env bash
# The web server, one shape for `make run` (scripts/run.sh) and `make bench`: granian
# serving the WSGI app on 127.0.0.1:$PORT, WEB_WORKERS processes of WEB_THREADS threads,
# plus EXTERNAL_TASK_LONG_POLLS threads each (default 2) for the external-task fetches that
# wait for work (app/platform/long_polling.py), so that a waiting fetch never takes a
# thread the pages need.
# Granian parses HTTP and keeps connections alive in Rust; gunicorn's gthread worker,
# used before, spent about 0.2 ms more per request here in Python (bench/run_bench.py).
set -euo pipefail
cd "$(dirname "$0")/.."

exec .venv/bin/granian --interface wsgi --no-ws \
    --host 127.0.0.1 --port "${PORT:-5000}" \
    --workers "${WEB_WORKERS:-1}" --blocking-threads "$(( ${WEB_THREADS:-2} + ${EXTERNAL_TASK_LONG_POLLS:-2} ))" \
    --respawn-failed-workers --log-level "${WEB_LOG_LEVEL:-warning}" \
    app.wsgi:app
