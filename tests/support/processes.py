"""The app as production runs it, in processes of its own: the web server of `make run`
(scripts/serve_web.sh, granian) and job executors (`flask --app app worker`), on a test's
database. Each connects under an application name of its own, so that a test can find
their database connections and end them as a restarted PostgreSQL would, without touching
the connections of the test run itself."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Long enough for a loaded machine: reaching a limit fails the test, never slows a passing one.
PATIENCE_S = 60


def wait_until(condition, what: str, timeout: float = PATIENCE_S):
    """Poll `condition` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tagged(database_url: str, application_name: str) -> str:
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}application_name={application_name}"


class AppProcess:
    """A process of the app started in a session of its own, so that stopping it reaches
    every process it started (granian's workers); stopped when its `with` block ends."""

    def __init__(self, command: list[str], database_url: str, **env: str):
        self.name = f"ticflow-{uuid.uuid4().hex[:10]}"
        environment = dict(os.environ, DATABASE_URL=tagged(database_url, self.name), **env)
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, start_new_session=True)

    def __enter__(self):
        return self

    def __exit__(self, *_exception) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=PATIENCE_S)

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


class WebServer(AppProcess):
    """scripts/serve_web.sh on a free port: one granian process and its worker processes."""

    def __init__(self, database_url: str, workers: int = 1, threads: int = 4):
        self.port = free_port()
        super().__init__([str(ROOT / "scripts" / "serve_web.sh")], database_url,
                         PORT=str(self.port), WEB_WORKERS=str(workers), WEB_THREADS=str(threads))
        self.workers = workers
        try:
            wait_until(self.serving, "the web server to serve")
        except BaseException:
            self.stop()
            raise

    def serving(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return len(self.worker_pids()) == self.workers
        except OSError:
            return False

    def worker_pids(self) -> set[int]:
        found = subprocess.run(["pgrep", "-P", str(self.pid)], capture_output=True, text=True, check=False)
        return {int(pid) for pid in found.stdout.split()}


class Executor(AppProcess):
    """`flask --app app worker`, polling every 0.2 s when idle."""

    def __init__(self, database_url: str, lock_seconds: int = 300):
        super().__init__([str(BIN / "flask"), "--app", "app", "worker", "--interval", "0.2"],
                         database_url, JOB_LOCK_SECONDS=str(lock_seconds))

    @property
    def owner(self) -> str:
        """The lock owner its jobs carry (app.platform.jobs.worker_id)."""
        return f"{socket.gethostname()}:{self.pid}"


def backends(engine: Engine, application_name: str) -> list[int]:
    """The server processes serving the connections of one app process."""
    return _ask(engine, "SELECT array_agg(pid) FROM pg_stat_activity WHERE application_name = :name",
                name=application_name) or []


def end_connections(engine: Engine, *processes: AppProcess) -> int:
    """End every database connection of `processes`, as a PostgreSQL restart does, and wait
    until their server processes are gone; returns how many there were."""
    pids = [pid for process in processes for pid in backends(engine, process.name)]
    _ask(engine, "SELECT array_agg(pg_terminate_backend(pid)) FROM unnest(CAST(:pids AS int[])) AS pid", pids=pids)
    wait_until(lambda: _ask(engine, "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = ANY(:pids)", pids=pids),
               "the ended connections' server processes to exit")
    return len(pids)


def _ask(engine: Engine, query: str, **parameters):
    # A transaction of its own each time: pg_stat_activity is read once per transaction.
    with engine.connect() as connection:
        return connection.scalar(text(query), parameters)
