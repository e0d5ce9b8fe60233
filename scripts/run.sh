#!/usr/bin/env bash
# Serve TIC Flow: the job executor in the background, the web server on 127.0.0.1:$PORT.
# Run by `make run` after `flask --app app setup`. When either process ends (or on
# Ctrl-C / SIGTERM) both are stopped; the exit status is the one that ended first.
set -euo pipefail
cd "$(dirname "$0")/.."

export PORT="${PORT:-5000}"
worker_pid=""
web_pid=""

stop_all() {
    local pid
    for pid in $web_pid $worker_pid; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $web_pid $worker_pid; do
        wait "$pid" 2>/dev/null || true
    done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

.venv/bin/flask --app app worker &
worker_pid=$!

scripts/serve_web.sh &
web_pid=$!

echo "TIC Flow: serving on http://127.0.0.1:${PORT} (job executor pid ${worker_pid}, web server pid ${web_pid}); Ctrl-C stops both"

status=0
wait -n "$web_pid" "$worker_pid" || status=$?
if ! kill -0 "$web_pid" 2>/dev/null; then
    echo "TIC Flow: the web server exited (status ${status}); stopping the job executor" >&2
else
    echo "TIC Flow: the job executor exited (status ${status}); stopping the web server" >&2
    if [ "$status" -eq 0 ]; then status=1; fi
fi
exit "$status"
