"""Benchmark: the three-step model through REST, through the services, and bare SpiffWorkflow;
the cost of a step in one long instance of the loop model (bench/long_instance.py); the
inbox and the cockpit pages over rows written straight into their tables.

Prints the figures and, as the last line, one JSON object. The REST figures come from the
server `make run` uses (scripts/serve_web.sh) on a fresh SQLite database, driven by
one sequential client: per instance start, then per task list → claim → complete. The
cockpit's figures come from SQLite and, when BENCH_POSTGRES_URL's server answers, PostgreSQL,
where the REST protocol runs too, with several clients and web workers (postgres_scale.py).
"""
from __future__ import annotations

import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
MODEL = SHARED_BENCH / "three_step.bpmn"
FORMS = ("request", "approval", "confirm")
PROCESS_KEY = "bench_three_step"
INSTANCES = int(os.environ.get("BENCH_INSTANCES", "300"))
PORT = int(os.environ.get("BENCH_PORT", "5099"))
TASK_VALUES = (
    lambda amount: {"title": {"value": "基准申请", "type": "String"},
                    "amount": {"value": amount, "type": "Integer"}},
    lambda _amount: {"approved": {"value": True, "type": "Boolean"},
                     "comment": {"value": "同意", "type": "String"}},
    lambda _amount: {"confirmed": {"value": True, "type": "Boolean"}},
)

sys.path.insert(0, str(ROOT))

import http_client  # noqa: E402  (bench/ is the script's own folder)
from long_instance import LOOP_STEPS  # noqa: E402


def model_files() -> dict[str, bytes]:
    files = {MODEL.name: MODEL.read_bytes()}
    for name in FORMS:
        files[f"bench/{name}.schema.json"] = (SHARED_BENCH / "forms" / f"{name}.schema.json").read_bytes()
    return files


class Client:
    """One keep-alive HTTP connection with Basic auth, as a real client would hold."""

    def __init__(self, port: int, user: str):
        self.conn = http_client.Connection("127.0.0.1", port)
        token = base64.b64encode(f"{user}:demo".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        status, payload = self.conn.request(method, f"/engine-rest{path}", headers or self.headers, data)
        if status >= 300:
            raise RuntimeError(f"{method} {path} -> {status} {payload[:300]!r}")
        return json.loads(payload) if payload else None


def multipart(files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, content in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def start_server(database_url: str, settings: dict[str, str] | None = None,
                 port: int = PORT) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, PORT=str(port), **(settings or {}))
    venv = ROOT / ".venv" / "bin"
    subprocess.run([str(venv / "flask"), "--app", "app", "setup"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    server = subprocess.Popen([str(ROOT / "scripts" / "serve_web.sh")], cwd=ROOT, env=env)
    # Up to a minute: on a machine busy with other work the server may take that long.
    for _ in range(600):
        try:
            Client(port, "officer").call("GET", "/version")
            return server
        except (OSError, RuntimeError):
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def bench_rest(database_url: str) -> dict:
    server = start_server(database_url)
    try:
        analyst = Client(PORT, "analyst")
        body, content_type = multipart(model_files())
        analyst.call("POST", "/deployment/create", raw=body,
                     headers={**analyst.headers, "Content-Type": content_type})
        officer = Client(PORT, "officer")
        run_rest_instances(officer, 20)
        complete_ms: list[float] = []
        started = time.perf_counter()
        run_rest_instances(officer, INSTANCES, complete_ms)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    complete_ms.sort()
    return {
        "rest_instances_per_s": round(INSTANCES / elapsed, 1),
        "rest_tasks_per_s": round(3 * INSTANCES / elapsed, 1),
        "complete_p50_ms": round(statistics.median(complete_ms), 2),
        "complete_p95_ms": round(complete_ms[int(len(complete_ms) * 0.95) - 1], 2),
    }


def bench_loop(database_url: str) -> dict:
    """The cost of a step in one long instance over REST (bench/long_instance.py)."""
    import long_instance

    server = start_server(database_url)
    try:
        analyst = Client(PORT, "analyst")
        body, content_type = multipart(long_instance.loop_files(SHARED_BENCH))

        def deploy() -> None:
            analyst.call("POST", "/deployment/create", raw=body,
                         headers={**analyst.headers, "Content-Type": content_type})

        return long_instance.bench_long_instance(Client(PORT, "officer"), deploy)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_rest_instances(client: Client, count: int, complete_ms: list[float] | None = None) -> None:
    for i in range(count):
        amount = 150 if i % 2 == 0 else 50
        instance = client.call("POST", f"/process-definition/key/{PROCESS_KEY}/start",
                               {"businessKey": f"BENCH-{uuid.uuid4().hex[:8]}"})
        for values in TASK_VALUES:
            task = client.call("GET", f"/task?processInstanceId={instance['id']}")[0]
            client.call("POST", f"/task/{task['id']}/claim", {"userId": "officer"})
            began = time.perf_counter()
            client.call("POST", f"/task/{task['id']}/complete", {"variables": values(amount)})
            if complete_ms is not None:
                complete_ms.append((time.perf_counter() - began) * 1000)


def bench_services(database_url: str) -> float:
    from app import create_app
    from app.cli import migrate
    from app.core.identity import load_actor
    from app.platform import user_tasks
    from app.platform.deployment import deploy
    from app.platform.process_instances import start_process
    from app.platform.queries import Page, TaskFilter, list_tasks
    from app.tic import demo_data

    migrate(database_url)
    app = create_app({"database_url": database_url, "secret_key": "bench"})
    ctx = app.extensions["ticflow"]
    with ctx.db.command() as session:
        demo_data.load_demo_data(session, datetime.now(timezone.utc))
        deploy(ctx, session, None, "bench", model_files())
        officer = load_actor(session, "officer")

    def one_instance(amount: int) -> None:
        with ctx.db.command() as session:
            instance_id = start_process(ctx, session, officer, key=PROCESS_KEY).id
        for values in ({"title": "基准申请", "amount": amount}, {"approved": True}, {"confirmed": True}):
            with ctx.db.read() as session:
                task_id = list_tasks(session, officer, TaskFilter(process_instance_id=instance_id),
                                     Page())[0].id
            with ctx.db.command() as session:
                user_tasks.claim(ctx, session, officer, task_id)
            with ctx.db.command() as session:
                user_tasks.complete(ctx, session, officer, task_id, values)

    for i in range(20):
        one_instance(150 if i % 2 == 0 else 50)
    started = time.perf_counter()
    for i in range(INSTANCES):
        one_instance(150 if i % 2 == 0 else 50)
    elapsed = time.perf_counter() - started
    ctx.db.dispose()
    return round(3 * INSTANCES / elapsed, 1)


def bench_raw_spiff() -> float:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
    from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
    from SpiffWorkflow.camunda.specs.user_task import UserTask
    from SpiffWorkflow.util.task import TaskState

    parser = CamundaParser()
    parser.add_bpmn_file(str(MODEL))
    spec = parser.get_spec(PROCESS_KEY)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))

    def one_instance(amount: int) -> None:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        state = serializer.serialize_json(workflow)
        for values in ({"title": "基准申请", "amount": amount}, {"approved": True}, {"confirmed": True}):
            workflow = serializer.deserialize_json(state)
            task = workflow.get_tasks(state=TaskState.READY, spec_class=UserTask)[0]
            task.set_data(**values)
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)

    started = time.perf_counter()
    for i in range(INSTANCES):
        one_instance(150 if i % 2 == 0 else 50)
    return round(3 * INSTANCES / (time.perf_counter() - started), 1)


INBOX_OPEN_TASKS = 100_000
INBOX_REQUESTS = 60


def bench_inbox(database_url: str) -> dict:
    """Server time of the inbox page with 100,000 open tasks, as two officers see it."""
    from datetime import datetime, timedelta, timezone

    from app import create_app
    from app.cli import migrate
    from app.tic import demo_data

    migrate(database_url)
    app = create_app({"database_url": database_url, "secret_key": "bench"})
    ctx = app.extensions["ticflow"]
    with ctx.db.command() as session:
        demo_data.load_demo_data(session, datetime.now(timezone.utc))
        load_open_tasks(session.info["connection"], datetime(2026, 3, 2, tzinfo=timezone.utc), timedelta)
    figures = {}
    for user, box in (("urumqi", "claimable"), ("officer", "todo")):
        client = signed_in(app, user)
        timings = []
        for n in range(INBOX_REQUESTS):
            began = time.perf_counter()
            response = client.get(f"/tasks?box={box}&page={1 + n % 5}")
            timings.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"inbox page -> {response.status_code}")
        figures[f"inbox_{box}_p95_ms"] = p95(timings)
    ctx.db.dispose()
    return figures


def signed_in(app, user: str):
    """A test client signed in on the login page, as a browser is."""
    import re

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": token, "username": user, "password": "demo"})
    return client


def p95(timings: list[float]) -> float:
    timings = sorted(timings)
    return round(timings[int(len(timings) * 0.95) - 1], 1)


def load_open_tasks(conn, start, timedelta) -> None:
    """Open tasks written straight into the inbox tables: half for the department, half
    for Urumqi's recommenders, one in a hundred assigned to the officer."""
    from sqlalchemy import insert

    from app.models import (
        Deployment, InstanceState, ProcessDefinition, ProcessInstance, Task, TaskCandidate,
    )

    conn.execute(insert(Deployment.__table__), [dict(
        id="bench", name="bench", content_hash="bench", deployed_at=start)])
    conn.execute(insert(ProcessDefinition.__table__), [dict(
        id="bench:1", key="bench", version=1, name="基准", deployment_id="bench",
        resource_name="bench.bpmn", bpmn_xml=b"", spec_json="{}", content_hash="bench")])
    conn.execute(insert(ProcessInstance.__table__), [dict(
        id=f"case-{n}", definition_id="bench:1", process_key="bench", business_key=f"SQ-{n}",
        business_name=f"新疆第{n}号技术创新中心", state=InstanceState.ACTIVE, serializer_version="1",
        state_json="{}", start_time=start, owner_org="tianmian") for n in range(1000)])
    tasks, candidates = [], []
    for n in range(INBOX_OPEN_TASKS):
        task_id, group = str(uuid.uuid4()), ("department", "recommender:urumqi_gov")[n % 2]
        tasks.append(dict(
            id=task_id, instance_id=f"case-{n % 1000}", definition_id="bench:1", process_key="bench",
            task_key=f"step{n % 7}", name=f"审核步骤{n % 7}", business_key=f"SQ-{n % 1000}",
            business_name=f"新疆第{n % 1000}号技术创新中心", candidate_groups=group,
            assignee="officer" if n % 100 == 0 else None, created_at=start + timedelta(seconds=n),
            due_at=start + timedelta(days=n % 30), owner_org="tianmian", version=1,
        ))
        candidates.append(dict(task_id=task_id, kind="group", value=group))
    conn.execute(insert(Task.__table__), tasks)
    conn.execute(insert(TaskCandidate.__table__), candidates)


COCKPIT_REQUESTS = 60
COCKPIT_SIZE = "100,000 instances, 1,000,000 history rows"
# A PostgreSQL server (any database on it): the cockpit phase runs there too, in a database
# of its own that it creates and drops. Empty: SQLite only; no server answering: the same.
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def bench_cockpit(database_url: str) -> dict:
    """Server time of the cockpit's per-activity statistics and of its instance list with
    100,000 instances and 1,000,000 history rows (bench/cockpit_data.py), as the manager
    sees them: the p95 of each page, and the highest p95 of each family."""
    app = cockpit_database(database_url)
    manager = signed_in(app, "manager")
    basic = {"Authorization": "Basic " + base64.b64encode(b"manager:demo").decode()}
    pages = cockpit_pages(app)
    timings: dict[str, list[float]] = {f"{family}: {label}": [] for family, label, _path in pages}
    # Page after page, round after round: a burst of load from elsewhere on the machine
    # slows every page a little rather than one page's every request.
    for round_number in range(3 + COCKPIT_REQUESTS):
        for family, label, path in pages:
            elapsed = timed_get(manager, path, basic)
            if round_number >= 3:  # the first rounds warm the caches
                timings[f"{family}: {label}"].append(elapsed)
    app.extensions["ticflow"].db.dispose()
    figures = {name: p95(values) for name, values in timings.items()}
    for name, value in figures.items():
        print(f"  {name}: p95 {value} ms", flush=True)
    return {f"cockpit_{family}_p95_ms": max(v for k, v in figures.items() if k.startswith(f"{family}:"))
            for family in ("statistics", "instances")}


def bench_cockpit_postgres() -> dict:
    """bench_cockpit on PostgreSQL, its figures named postgres_…; none without a server."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    if not POSTGRES_URL:
        return {}
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"ticflow_bench_{os.getpid()}"
    try:
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as error:
        server.dispose()
        print(f"cockpit on PostgreSQL skipped: {str(error.orig).splitlines()[0]}", flush=True)
        return {}
    try:
        print(f"cockpit server time, {COCKPIT_SIZE} (PostgreSQL):", flush=True)
        figures = bench_cockpit(make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        server.dispose()
    return {f"postgres_{key}": value for key, value in figures.items()}


def cockpit_database(database_url: str):
    """The app on a database holding the project's processes (some in several versions) and
    the cockpit benchmark's rows."""
    import cockpit_data

    from app import create_app
    from app.cli import migrate
    from app.platform import model_files
    from app.platform.deployment import deploy
    from app.tic import demo_data

    migrate(database_url)
    app = create_app({"database_url": database_url, "secret_key": "bench"})
    ctx = app.extensions["ticflow"]
    files = model_files.collect(ROOT / "bpmn", ROOT / "forms")
    with ctx.db.command() as session:
        demo_data.load_demo_data(session, datetime.now(timezone.utc))
        deploy(ctx, session, None, "bench", files)
        for key, _share, versions in cockpit_data.PROCESSES:
            for version in range(2, versions + 1):
                deploy(ctx, session, None, "bench", cockpit_data.tagged_diagram(files, key, version))
    with ctx.db.command() as session:
        cockpit_data.load(session.info["connection"], cockpit_data.versions_of(session), ctx.now())
        print(f"  rows: {cockpit_data.row_counts(session.info['connection'])}", flush=True)
    if not database_url.startswith("sqlite"):
        # What autovacuum does after a load this size: statistics and the visibility map.
        with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return app


def cockpit_pages(app) -> list[tuple[str, str, str]]:
    """(family, label, path) of each timed page: the diagrams' badges and the REST statistics
    of a definition; the instance list unfiltered, under each filter, sorted and paged."""
    from datetime import timedelta

    from sqlalchemy import select

    from app.models import ProcessDefinition

    ctx = app.extensions["ticflow"]
    with ctx.db.read() as session:
        latest = session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == "tic_establishment")
                                .order_by(ProcessDefinition.version.desc()).limit(1))
    a_year_ago = ctx.now().date() - timedelta(days=365)
    return [
        ("statistics", "diagram, all versions", "/cockpit/tic_establishment"),
        ("statistics", "diagram, version 2", "/cockpit/tic_establishment?version=2"),
        ("statistics", "called process in its callers", "/cockpit/tic_expert_review"),
        ("statistics", "REST per activity", f"/engine-rest/process-definition/{latest}/statistics"
                                            "?failedJobs=true&incidents=true"),
        ("instances", "no filter", "/cockpit/instances"),
        ("instances", "by process", "/cockpit/instances?processKey=tic_establishment"),
        ("instances", "running", "/cockpit/instances?state=running"),
        ("instances", "completed", "/cockpit/instances?state=completed"),
        ("instances", "by current step", "/cockpit/instances?activityId=formal_review"),
        ("instances", "overdue", "/cockpit/instances?overdue=1"),
        ("instances", "by lead unit", "/cockpit/instances?applicantOrg=tianmian"),
        ("instances", "started in a quarter", f"/cockpit/instances?startedFrom={a_year_ago}"
                                              f"&startedTo={a_year_ago + timedelta(days=90)}"),
        ("instances", "oldest first", "/cockpit/instances?sort=started&order=asc"),
        ("instances", "running, page 2", "/cockpit/instances?state=running&page=2"),
    ]


def timed_get(client, path: str, basic: dict) -> float:
    """Milliseconds of one GET; the REST API signs in with Basic, the pages by the session."""
    began = time.perf_counter()
    response = client.get(path, headers=basic if path.startswith("/engine-rest") else None)
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} -> {response.status_code}")
    return elapsed


def main() -> None:
    import postgres_scale

    with tempfile.TemporaryDirectory() as workdir:
        rest = bench_rest(f"sqlite:///{workdir}/rest.db")
        print(f"REST ({INSTANCES} instances, one sequential client): {rest}", flush=True)
        loop = bench_loop(f"sqlite:///{workdir}/loop.db")
        print(f"one long instance over REST (bench_loop, {LOOP_STEPS} steps): {loop}", flush=True)
        service = bench_services(f"sqlite:///{workdir}/services.db")
        print(f"services in-process: {service} tasks/s", flush=True)
        inbox = bench_inbox(f"sqlite:///{workdir}/inbox.db")
        print(f"inbox page server time, {INBOX_OPEN_TASKS} open tasks: {inbox}", flush=True)
        print(f"cockpit server time, {COCKPIT_SIZE} (SQLite):", flush=True)
        cockpit = bench_cockpit(f"sqlite:///{workdir}/cockpit.db")
    cockpit_postgres = bench_cockpit_postgres()
    rest_postgres = postgres_scale.bench()
    raw = bench_raw_spiff()
    print(f"bare SpiffWorkflow with serialize+deserialize per task: {raw} tasks/s", flush=True)
    figures = {**rest, **loop, "service_tasks_per_s": service, "raw_spiff_tasks_per_s": raw,
               "overhead_ratio": round(raw / service, 2), **inbox, **cockpit, **cockpit_postgres,
               **rest_postgres}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
