"""The REST benchmark on PostgreSQL: one sequential client against PostgreSQL and against
SQLite, then 4 concurrent clients against 1 and against 2 web workers, with what each
completed task costs.

Every PostgreSQL server runs on a database of its own, created on the server of
BENCH_POSTGRES_URL and dropped after. The servers compared run side by side and take turns
(SQLite and PostgreSQL, then 1 and 2 workers): the instances are run in CHUNKS rounds, each
round a share on one server and then the same share on the other. A shared virtual
machine's speed drifts by a third within minutes here, so two phases run one after the
other compared the drift more than the servers (gains of 0.85 to 1.36 for the same code,
PostgreSQL at 0.64 of a SQLite figure taken a quarter of an hour before); taking turns puts
the drift on both sides.

Per completed task it reports the CPU time of the web server's processes (granian and its
workers), of the PostgreSQL backends serving the bench's database and of the bench's own
client threads, all read from /proc around each timed share, and the 409s the clients met
(any other refusal fails the bench). Beside the gain it reports what the machine itself
gives two busy processes over one (`machine_two_process_speedup`), the ceiling no gain of
two workers can pass here. The statements and round trips per task come from a separate,
untimed pass of the same protocol through the app in this process, whose every connection
libpq traces to a file: a statement is a `Query` or `Execute` message, a round trip a turn
from the client's messages to the server's.
"""
from __future__ import annotations

import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import run_bench
from run_bench import INSTANCES, PROCESS_KEY, TASK_VALUES, Client

CLIENTS = 4
# Rounds of the paired 1-worker / 2-worker runs.
CHUNKS = 6
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Instances of the untimed pass that counts statements and round trips.
TRACED_INSTANCES = 30


class Conflicted(Exception):
    """A 409: another command changed the task or instance first."""


def bench() -> dict:
    """The PostgreSQL figures, or none when no server answers at BENCH_POSTGRES_URL."""
    reason = _unreachable()
    if reason:
        print(f"REST on PostgreSQL skipped: {reason}", flush=True)
        return {}
    sqlite, sequential = _paired_phases(
        Run("sqlite_sequential", _sqlite_database, workers=1, clients=1),
        Run("postgres_sequential", _database, workers=1, clients=1))
    one, two = _paired_phases(Run("postgres_1_worker", _database, workers=1, clients=CLIENTS),
                              Run("postgres_2_workers", _database, workers=2, clients=CLIENTS))
    sqlite_tasks_per_s = sqlite["sqlite_sequential_tasks_per_s"]
    rest_tasks_per_s = sequential.pop("postgres_sequential_tasks_per_s")
    gain = two["postgres_2_workers_tasks_per_s"] / one["postgres_1_worker_tasks_per_s"]
    figures = {
        "postgres_synchronous_commit": _synchronous_commit(),
        "postgres_rest_tasks_per_s": rest_tasks_per_s,
        "sqlite_paired_tasks_per_s": sqlite_tasks_per_s,
        "postgres_over_sqlite": round(rest_tasks_per_s / sqlite_tasks_per_s, 2),
        **sequential, **one, **two,
        "two_workers_gain": round(gain, 2),
        "machine_two_process_speedup": machine_speedup(),
        **_traced_counts(),
    }
    print(f"REST on PostgreSQL (synchronous_commit {figures['postgres_synchronous_commit']}): "
          f"{figures['postgres_rest_tasks_per_s']} tasks/s with one sequential "
          f"client, {figures['postgres_over_sqlite']} of SQLite's {sqlite_tasks_per_s} taking turns with it; "
          f"2 web workers over 1 with {CLIENTS} clients: {figures['two_workers_gain']} "
          f"(two busy processes over one on this machine: {figures['machine_two_process_speedup']})",
          flush=True)
    return figures


def _synchronous_commit() -> str:
    """The web server's commits as measured: it runs with the bench's environment
    (DB_SYNCHRONOUS_COMMIT)."""
    from app.config import load_settings

    return "on" if load_settings().db_synchronous_commit else "off"


def _unreachable() -> str | None:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    if not run_bench.POSTGRES_URL:
        return "BENCH_POSTGRES_URL is empty"
    server = create_engine(run_bench.POSTGRES_URL, connect_args={"connect_timeout": 5})
    try:
        with server.connect():
            return None
    except OperationalError as error:
        return str(error.orig).splitlines()[0]
    finally:
        server.dispose()


@contextmanager
def _database(label: str):
    """A database of its own on the bench's server, dropped after (even if its sessions
    are still open)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    server = create_engine(run_bench.POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"ticflow_bench_{label}_{os.getpid()}"
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(run_bench.POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        server.dispose()


@dataclass(frozen=True)
class Run:
    """A server to measure: its figures' prefix, the database it runs on (a context manager
    given a label, yielding a URL), its web workers and the clients run against it."""
    name: str
    database: Callable
    workers: int
    clients: int


def _paired_phases(*runs: Run) -> list[dict]:
    """INSTANCES instances against each run's server, the servers taking turns in CHUNKS
    rounds (see the module's docstring)."""
    with ExitStack() as stack:
        running = []
        for n, run in enumerate(runs):
            url = stack.enter_context(run.database(run.name))
            server = stack.enter_context(_server(url, run.workers, run_bench.PORT + n))
            running.append((run, url, server, _Usage()))
        shares = [INSTANCES // CHUNKS + (n < INSTANCES % CHUNKS) for n in range(CHUNKS)]
        for share in shares:
            for run, url, server, usage in running:
                usage.measure(server.pid, url, lambda: _run_clients(server.port, run.clients, share))
        return [usage.figures(run) for run, _url, _server, usage in running]


@contextmanager
def _sqlite_database(label: str):
    """A SQLite database of its own, in a folder removed after."""
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/{label}.db"


@contextmanager
def _server(url: str, workers: int, port: int = run_bench.PORT):
    """A web server with `workers` workers on `port`, the model deployed and every worker's
    caches and connections warmed."""
    server = run_bench.start_server(url, {"WEB_WORKERS": str(workers)}, port)
    server.port = port
    try:
        _deploy(port)
        _run_clients(port, CLIENTS, 20)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


class _Usage:
    """The instances, seconds, CPU and 409s of the timed runs against one server."""

    def __init__(self):
        self.instances = 0
        self.elapsed = 0.0
        self.cpu = {"web": 0.0, "postgres": 0.0, "client": 0.0}
        self.conflicts = 0

    def measure(self, server_pid: int, url: str, run) -> None:
        before = _server_cpu(server_pid, url)
        client_before = _client_cpu()
        started = time.perf_counter()
        conflicts, instances = run()
        self.elapsed += time.perf_counter() - started
        self.cpu["client"] += _client_cpu() - client_before
        after = _server_cpu(server_pid, url)
        for part in after:
            self.cpu[part] += after[part] - before[part]
        self.conflicts += conflicts
        self.instances += instances

    def figures(self, run: Run) -> dict:
        tasks = 3 * self.instances
        name = run.name
        figures = {
            f"{name}_tasks_per_s": round(tasks / self.elapsed, 1),
            **{f"{name}_{part}_cpu_ms_per_task": round(seconds * 1000 / tasks, 2)
               for part, seconds in self.cpu.items()},
            f"{name}_409s": self.conflicts,
        }
        print(f"REST, {run.workers} web worker(s), {run.clients} client(s): {figures}", flush=True)
        return figures


def machine_speedup() -> float:
    """The work two CPU-bound processes get done in a second over one's, the median of three
    tries: 2.0 on two cores of their own, less where the host shares them out."""
    def wall(processes: int) -> float:
        started = time.perf_counter()
        spinning = [subprocess.Popen([sys.executable, "-c", "for _ in range(10_000_000): pass"])
                    for _ in range(processes)]
        for process in spinning:
            process.wait()
        return time.perf_counter() - started

    return round(statistics.median(2 * wall(1) / wall(2) for _ in range(3)), 2)


def _deploy(port: int) -> None:
    analyst = Client(port, "analyst")
    body, content_type = run_bench.multipart(run_bench.model_files())
    analyst.call("POST", "/deployment/create", raw=body,
                 headers={**analyst.headers, "Content-Type": content_type})


def _run_clients(port: int, clients: int, instances: int) -> tuple[int, int]:
    """Run `instances` instances on `clients` threads, each with its own keep-alive
    connection and its own instances; returns the 409s they met and the instances run."""
    shares = [instances // clients + (n < instances % clients) for n in range(clients)]
    conflicts = [0] * clients
    failures: list[BaseException] = []

    def client(n: int) -> None:
        try:
            conflicts[n] = _run_instances(port, shares[n], reconnect=clients > 1)
        except BaseException as error:  # the main thread fails the bench with it
            failures.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return sum(conflicts), instances


def _run_instances(port: int, count: int, reconnect: bool) -> int:
    """One keep-alive connection for all, as the SQLite figure's client; or (`reconnect`)
    one per instance: four connections opened once may all land on one web worker
    (granian's workers take them as they come), while the connections of many instances
    spread over the workers as real clients' do."""
    conflicts = 0
    client = Client(port, "officer")
    for i in range(count):
        if reconnect and i:
            client.conn.close()
            client = Client(port, "officer")
        amount = 150 if i % 2 == 0 else 50
        instance = client.call("POST", f"/process-definition/key/{PROCESS_KEY}/start",
                               {"businessKey": f"BENCH-{uuid.uuid4().hex[:8]}"})
        for values in TASK_VALUES:
            conflicts += _complete_step(client, instance["id"], values(amount))
    client.conn.close()
    return conflicts


def _complete_step(client: Client, instance_id: str, variables: dict) -> int:
    """List, claim and complete the instance's task; after a 409, take the step again.
    Returns the 409s met."""
    for conflicts in range(5):
        try:
            task = client.call("GET", f"/task?processInstanceId={instance_id}")[0]
            _call(client, "POST", f"/task/{task['id']}/claim", {"userId": "officer"})
            _call(client, "POST", f"/task/{task['id']}/complete", {"variables": variables})
            return conflicts
        except Conflicted:
            continue
    raise RuntimeError(f"instance {instance_id}: 409 five times in a row")


def _call(client: Client, method: str, path: str, body: dict) -> None:
    try:
        client.call(method, path, body)
    except RuntimeError as error:
        if "-> 409 " in str(error):
            raise Conflicted(str(error)) from error
        raise


def _server_cpu(server_pid: int, url: str) -> dict[str, float]:
    """CPU seconds so far of the web server's process tree and of the backends serving
    `url`'s database (none for SQLite, which runs in the web workers)."""
    backends = _backends(url) if url.startswith("postgresql") else []
    return {
        "web": sum(_process_cpu(pid) for pid in _tree(server_pid)),
        "postgres": sum(_process_cpu(pid) for pid in backends),
    }


def _client_cpu() -> float:
    """CPU seconds so far of this process: the client threads, read around the timed part
    only so that reading the others' counts is not charged to the clients."""
    times = os.times()
    return times.user + times.system


def _tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [pid, *(found for child in children for found in _tree(int(child)))]


def _backends(url: str) -> list[int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


def _process_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (0 for one that has gone: its share is lost)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _traced_counts() -> dict:
    """Statements and round trips per completed task, from libpq's traces of an untimed
    pass of the same protocol through the app in this process."""
    with _database("traced") as url, tempfile.TemporaryDirectory() as folder:
        app = _app_on(url)
        client = app.test_client()
        _run_in_process(client, 5)  # prepares the statements on the pooled connections
        _trace_connections(app, Path(folder))
        _run_in_process(client, TRACED_INSTANCES)
        app.extensions["ticflow"].db.dispose()
        statements, round_trips = _count_traces(Path(folder))
    tasks = 3 * TRACED_INSTANCES
    figures = {"postgres_statements_per_task": round(statements / tasks, 1),
               "postgres_round_trips_per_task": round(round_trips / tasks, 1)}
    print(f"PostgreSQL per completed task (traced, {TRACED_INSTANCES} instances): {figures}", flush=True)
    return figures


def _app_on(url: str):
    from app import create_app
    from app.cli import migrate
    from app.platform.deployment import deploy
    from app.tic import demo_data

    migrate(url)
    app = create_app({"database_url": url, "secret_key": "bench"})
    ctx = app.extensions["ticflow"]
    with ctx.db.command() as session:
        demo_data.load_demo_data(session, datetime.now(timezone.utc))
        deploy(ctx, session, None, "bench", run_bench.model_files())
    return app


def _trace_connections(app, folder: Path) -> None:
    """From now on libpq writes every message of each connection the app uses to a file."""
    from psycopg.pq import Trace
    from sqlalchemy import event

    def trace(dbapi_connection, record, _proxy) -> None:
        if "trace" in record.info:
            return
        handle = (folder / f"{uuid.uuid4().hex}.trace").open("w")
        record.info["trace"] = handle
        dbapi_connection.pgconn.trace(handle.fileno())
        dbapi_connection.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)

    def untrace(dbapi_connection, record) -> None:
        if "trace" in record.info:
            # libpq buffers its trace: untracing writes out the rest.
            dbapi_connection.pgconn.untrace()
            record.info.pop("trace").close()

    ctx = app.extensions["ticflow"]
    for engine in {ctx.db.engine, ctx.db.reader}:
        event.listen(engine, "checkout", trace)
        event.listen(engine, "close", untrace)


def _run_in_process(client, count: int) -> None:
    headers = {"Authorization": "Basic " + base64.b64encode(b"officer:demo").decode(),
               "Content-Type": "application/json"}

    def call(method: str, path: str, body=None):
        response = client.open(f"/engine-rest{path}", method=method, headers=headers,
                               data=json.dumps(body) if body is not None else None)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status_code} {response.data[:300]!r}")
        return response.get_json(silent=True)

    for i in range(count):
        amount = 150 if i % 2 == 0 else 50
        instance = call("POST", f"/process-definition/key/{PROCESS_KEY}/start", {"businessKey": f"T-{i}"})
        for values in TASK_VALUES:
            task = call("GET", f"/task?processInstanceId={instance['id']}")[0]
            call("POST", f"/task/{task['id']}/claim", {"userId": "officer"})
            call("POST", f"/task/{task['id']}/complete", {"variables": values(amount)})


def _count_traces(folder: Path) -> tuple[int, int]:
    statements = round_trips = 0
    for trace in folder.iterdir():
        sender = "B"
        for line in trace.read_text(errors="replace").splitlines():
            direction, _, rest = line.partition("\t")
            message = rest.split("\t", 2)[1] if rest.count("\t") >= 1 else ""
            if direction == "F" and message in ("Query", "Execute"):
                statements += 1
            if direction == "B" and sender == "F":
                round_trips += 1
            if direction in ("F", "B"):
                sender = direction
    return statements, round_trips
