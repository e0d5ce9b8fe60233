#!/usr/bin/env bash
# Serve TIC Flow: JOB_EXECUTORS job executors (default 1) in the background, the web server
# on 127.0.0.1:$PORT (WEB_WORKERS processes of WEB_THREADS threads, and of
# EXTERNAL_TASK_LONG_POLLS more for the external-task fetches that wait for work,
# scripts/serve_web.sh).
# Run by `make run` after `flask --app app setup`. When any process ends (or on Ctrl-C /
# SIGTERM) all are stopped; the exit status is the one that ended first.
set -euo pipefail
cd "$(dirname "$0")/.."

export PORT="${PORT:-5000}"
executors="${JOB_EXECUTORS:-1}"
if ! [[ "$executors" =~ ^[0-9]+$ ]]; then
    echo "TIC Flow: JOB_EXECUTORS 必须是非负整数 / must be a non-negative integer: ${executors}" >&2
    exit 2
fi
worker_pids=()
web_pid=""

stop_all() {
    local pid
    for pid in $web_pid "${worker_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $web_pid "${worker_pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in $(seq 1 "$executors"); do
    .venv/bin/flask --app app worker &
    worker_pids+=("$!")
done

scripts/serve_web.sh &
web_pid=$!

echo "TIC Flow: serving on http://127.0.0.1:${PORT} (web server pid ${web_pid}, ${executors} job executor(s): ${worker_pids[*]}); Ctrl-C stops all"

status=0
wait -n "$web_pid" "${worker_pids[@]}" || status=$?
if ! kill -0 "$web_pid" 2>/dev/null; then
    echo "TIC Flow: the web server exited (status ${status}); stopping the job executors" >&2
else
    echo "TIC Flow: a job executor exited (status ${status}); stopping the others and the web server" >&2
    if [ "$status" -eq 0 ]; then status=1; fi
fi
exit "$status"
