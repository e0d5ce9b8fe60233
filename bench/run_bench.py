"""Benchmark: the three-step model through REST, through the services, and bare SpiffWorkflow.

Prints the figures and, as the last line, one JSON object. The REST figures come from the
server `make run` uses (gunicorn with gunicorn.conf.py) on a fresh SQLite database, driven by
one sequential client: per instance start, then per task list → claim → complete.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
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


def model_files() -> dict[str, bytes]:
    files = {MODEL.name: MODEL.read_bytes()}
    for name in FORMS:
        files[f"bench/{name}.schema.json"] = (SHARED_BENCH / "forms" / f"{name}.schema.json").read_bytes()
    return files


class Client:
    """One keep-alive HTTP connection with Basic auth, as a real client would hold."""

    def __init__(self, port: int, user: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        token = base64.b64encode(f"{user}:demo".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        self.conn.request(method, f"/engine-rest{path}", body=data, headers=headers or self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status} {payload[:300]!r}")
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


def start_server(database_url: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, PORT=str(PORT))
    venv = ROOT / ".venv" / "bin"
    subprocess.run([str(venv / "flask"), "--app", "app", "setup"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [str(venv / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "app.wsgi:app"],
        cwd=ROOT, env=env,
    )
    for _ in range(100):
        try:
            Client(PORT, "officer").call("GET", "/version")
            return server
        except (OSError, RuntimeError, http.client.HTTPException):
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
    from app.services import demo_data, user_tasks
    from app.services.deployment import deploy
    from app.services.identity import load_actor
    from app.services.process_instances import start_process
    from app.services.queries import Page, TaskFilter, list_tasks

    migrate(database_url)
    app = create_app({"database_url": database_url, "secret_key": "bench"})
    ctx = app.extensions["ticflow"]
    with ctx.db.command() as session:
        demo_data.load_demo_data(session)
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


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        rest = bench_rest(f"sqlite:///{workdir}/rest.db")
        print(f"REST ({INSTANCES} instances, one sequential client): {rest}", flush=True)
        service = bench_services(f"sqlite:///{workdir}/services.db")
        print(f"services in-process: {service} tasks/s", flush=True)
    raw = bench_raw_spiff()
    print(f"bare SpiffWorkflow with serialize+deserialize per task: {raw} tasks/s", flush=True)
    figures = {**rest, "service_tasks_per_s": service, "raw_spiff_tasks_per_s": raw,
               "overhead_ratio": round(raw / service, 2)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
