"""Backups (`flask --app app backup | restore`, app/backups.py): a lost database restored from
its backup holds every instance and every attachment, and its cases go on; a restore never
lands on a database that holds data. On SQLite, and on PostgreSQL when DATABASE_URL names
one (then pg_dump and pg_restore)."""
from __future__ import annotations

import io

from tests.support.apps import build_app
from tests.support.clients import Rest
from tests.support.jobs import (
    complete, deployed, historic_instance, jobs, model_files, only_task, start, tasks, variables,
)

# Every byte value, so that no encoding on the way can go unnoticed.
PDF = b"%PDF-1.7\n" + bytes(range(256)) + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 3


def attach(api: Rest, task_id: str, name: str, content: bytes) -> None:
    response = api.post(f"/task/{task_id}/attachment/create", data={"content": (io.BytesIO(content), name)},
                        content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()


def cases(rest) -> list[str]:
    """A review at its second step with a file from each step, a finished one, and one
    waiting for its 30-day deadline (a timer job)."""
    officer, leader = rest("officer"), rest("leader")
    deployed(rest("analyst"), model_files("job_two_steps.bpmn", "job_boundary_timer.bpmn"))
    moving = start(officer, "job_two_steps", {"title": "棉纺技术创新中心", "amount": 150}, "BK-2026-001")["id"]
    first = only_task(officer, moving, "first_review")
    attach(officer, first["id"], "建设方案.pdf", PDF)
    assert complete(officer, first["id"], {"approved": True, "comment": "同意"}).status_code == 204
    attach(leader, only_task(leader, moving, "final_review")["id"], "现场照片.png", PNG)
    finished = start(officer, "job_two_steps")["id"]
    assert complete(officer, only_task(officer, finished)["id"], {"approved": False}).status_code == 204
    waiting = start(officer, "job_boundary_timer", {"title": "超时督办"})["id"]
    return [moving, finished, waiting]


def seen(api: Rest, instance_id: str) -> dict:
    """An instance as the department sees it: state, variables, open tasks, jobs, and every
    attachment of its steps with its bytes."""
    history = api.get(f"/history/task?processInstanceId={instance_id}").get_json()
    files = {}
    for step in history:
        for attachment in api.get(f"/task/{step['id']}/attachment").get_json():
            data = api.get(f"/task/{step['id']}/attachment/{attachment['id']}/data")
            files[attachment["id"]] = (attachment["name"], attachment["type"], data.get_data())
    return {
        "state": historic_instance(api, instance_id)["state"],
        "variables": variables(api, instance_id),
        "tasks": sorted((t["id"], t["taskDefinitionKey"], t["assignee"]) for t in tasks(api, instance_id)),
        "jobs": sorted((j["id"], j["dueDate"]) for j in jobs(api, instance_id)),
        "files": files,
    }


def test_a_lost_database_restored_from_its_backup_holds_every_instance_and_attachment_and_goes_on(
        app, rest, clock, tmp_path, database_url, session_databases):
    instance_ids = cases(rest)
    before = {i: seen(rest("officer"), i) for i in instance_ids}
    backup_file = tmp_path / "ticflow.backup"
    made = app.test_cli_runner().invoke(args=["backup", str(backup_file)])
    assert made.exit_code == 0, made.output
    app.extensions["ticflow"].db.dispose()
    session_databases.lose(database_url)

    restored = build_app(database_url, clock)
    try:
        done = restored.test_cli_runner().invoke(args=["restore", str(backup_file)])
        assert done.exit_code == 0, done.output
        officer, leader = Rest(restored.test_client(), "officer"), Rest(restored.test_client(), "leader")
        assert {i: seen(officer, i) for i in instance_ids} == before
        final = only_task(leader, instance_ids[0], "final_review")
        assert complete(leader, final["id"], {"approved": True}).status_code == 204
        assert historic_instance(leader, instance_ids[0])["state"] == "COMPLETED"
    finally:
        restored.extensions["ticflow"].db.dispose()

    files = before[instance_ids[0]]["files"].values()
    assert sorted(files) == [("建设方案.pdf", "application/pdf", PDF), ("现场照片.png", "image/png", PNG)]
    assert [before[i]["state"] for i in instance_ids] == ["ACTIVE", "COMPLETED", "ACTIVE"]
    assert len(before[instance_ids[2]]["jobs"]) == 1


def test_a_backup_is_never_restored_over_a_database_that_holds_data(app, rest, tmp_path):
    runner = app.test_cli_runner()
    backup_file = tmp_path / "ticflow.backup"
    assert runner.invoke(args=["backup", str(backup_file)]).exit_code == 0
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    later = start(rest("officer"), "job_two_steps")["id"]

    refused = runner.invoke(args=["restore", str(backup_file)])

    assert refused.exit_code == 1 and "目标数据库不是空的" in refused.output
    assert historic_instance(rest("officer"), later)["state"] == "ACTIVE"


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    existing = tmp_path / "ticflow.backup"
    existing.write_bytes(b"an older backup")

    refused = app.test_cli_runner().invoke(args=["backup", str(existing)])

    assert refused.exit_code == 1 and "已存在" in refused.output
    assert existing.read_bytes() == b"an older backup"
