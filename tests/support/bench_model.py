"""Shared steps for REST tests: deploy the benchmark model and walk its tasks."""
from __future__ import annotations

import io
from pathlib import Path

SHARED_BENCH = Path(__file__).resolve().parents[2].parent / "shared" / "bench"


def bench_files() -> dict[str, bytes]:
    files = {"three_step.bpmn": (SHARED_BENCH / "three_step.bpmn").read_bytes()}
    for name in ("request", "approval", "confirm"):
        files[f"bench/{name}.schema.json"] = (SHARED_BENCH / "forms" / f"{name}.schema.json").read_bytes()
    return files


def deploy(client, files: dict[str, bytes], name: str = "test"):
    data = {file_name: (io.BytesIO(content), file_name) for file_name, content in files.items()}
    data["deployment-name"] = name
    return client.post("/deployment/create", data=data, content_type="multipart/form-data")


def only_task(client, instance_id: str) -> dict:
    tasks = client.get(f"/task?processInstanceId={instance_id}").get_json()
    assert len(tasks) == 1, tasks
    return tasks[0]


def loop_files() -> dict[str, bytes]:
    """The loop model (start → `step` → back to `step` until `confirmed`), with its form."""
    return {"loop.bpmn": (SHARED_BENCH / "loop.bpmn").read_bytes(),
            "bench/confirm.schema.json": (SHARED_BENCH / "forms" / "confirm.schema.json").read_bytes()}
