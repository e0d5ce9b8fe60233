"""Comments and attachments on tasks (Camunda REST shapes), scoped like the instance."""
from __future__ import annotations

import dataclasses
import io

import pytest

from app.core.errors import BadRequest, NotFound
from app.core.identity import load_actor
from app.platform import collaboration
from tests.support.clients import Api
from tests.support.flows import only_task
from tests.support.tasklist import add_user, deploy_tl, history_events, start_review

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def fill_task(rest):
    deploy_tl(rest("analyst"), "tl_review.bpmn")
    instance_id = start_review(rest)
    return only_task(rest("cotton"), instance_id, "fill")


def upload(rest_client, task_id: str, name: str, content: bytes, content_type: str = "application/pdf",
           description: str | None = None):
    data = {"content": (io.BytesIO(content), name, content_type)}
    if description:
        data["attachment-description"] = description
    return rest_client.post(f"/task/{task_id}/attachment/create", data=data,
                            content_type="multipart/form-data")


def test_comment_on_a_task_in_camunda_shape_and_listed_oldest_first(ctx, rest, fill_task):
    cotton = rest("cotton")

    first = cotton.post(f"/task/{fill_task['id']}/comment/create", json={"message": "财务数据下周补齐"})
    second = cotton.post(f"/task/{fill_task['id']}/comment", json={"message": "已补齐"})
    listed = cotton.get(f"/task/{fill_task['id']}/comment").get_json()

    assert first.status_code == second.status_code == 200
    body = first.get_json()
    assert (body["userId"], body["taskId"], body["message"]) == ("cotton", fill_task["id"], "财务数据下周补齐")
    assert body["processInstanceId"] == fill_task["processInstanceId"]
    assert body["time"].endswith("+0800")
    assert [c["message"] for c in listed] == ["财务数据下周补齐", "已补齐"]
    assert len(history_events(ctx, fill_task["processInstanceId"], "comment_added")) == 2


def test_one_comment_is_read_by_its_id_by_whoever_reads_the_tasks_comments(rest, fill_task):
    posted = rest("cotton").post(f"/task/{fill_task['id']}/comment/create", json={"message": "财务数据下周补齐"}).get_json()

    one = rest("cotton").get(f"/task/{fill_task['id']}/comment/{posted['id']}")

    assert one.status_code == 200 and one.get_json() == posted
    assert rest("xju").get(f"/task/{fill_task['id']}/comment/{posted['id']}").status_code == 404
    assert rest("cotton").get(f"/task/{fill_task['id']}/comment/no-such-comment").status_code == 404


def test_a_cases_comments_are_read_together_by_whoever_reads_the_case(rest, fill_task):
    instance_id = fill_task["processInstanceId"]
    for message in ("财务数据下周补齐", "已补齐"):
        rest("cotton").post(f"/task/{fill_task['id']}/comment/create", json={"message": message})

    listed = rest("cotton").get(f"/process-instance/{instance_id}/comment")

    assert listed.status_code == 200
    assert listed.get_json() == rest("cotton").get(f"/task/{fill_task['id']}/comment").get_json()
    assert [c["message"] for c in listed.get_json()] == ["财务数据下周补齐", "已补齐"]
    assert rest("xju").get(f"/process-instance/{instance_id}/comment").status_code == 404


def test_an_empty_comment_is_a_field_error(rest, fill_task):
    response = rest("cotton").post(f"/task/{fill_task['id']}/comment/create", json={"message": "  "})

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "message"


def test_another_unit_can_neither_read_nor_add_comments(rest, fill_task):
    rest("cotton").post(f"/task/{fill_task['id']}/comment/create", json={"message": "内部说明"})

    assert rest("xju").get(f"/task/{fill_task['id']}/comment").status_code == 404
    assert rest("xju").post(f"/task/{fill_task['id']}/comment/create", json={"message": "x"}).status_code == 404


def test_a_copied_in_reader_reads_the_comments(ctx, client, rest, fill_task):
    add_user(ctx, "urumqi_staff", "urumqi_gov", [])
    rest("cotton").post(f"/task/{fill_task['id']}/comment/create", json={"message": "请审阅"})
    Api(client, "cotton").post(f"/instances/{fill_task['processInstanceId']}/cc", json={"userIds": ["urumqi_staff"]})

    listed = rest("urumqi_staff").get(f"/task/{fill_task['id']}/comment").get_json()
    assert [c["message"] for c in listed] == ["请审阅"]


def test_attachment_upload_list_and_download(ctx, rest, fill_task):
    cotton = rest("cotton")

    created = upload(cotton, fill_task["id"], "建设方案.pdf", PDF, description="正式稿")
    listed = cotton.get(f"/task/{fill_task['id']}/attachment").get_json()
    data = cotton.get(f"/task/{fill_task['id']}/attachment/{created.get_json()['id']}/data")

    assert created.status_code == 200, created.get_json()
    attachment = created.get_json()
    assert (attachment["name"], attachment["type"], attachment["description"]) == (
        "建设方案.pdf", "application/pdf", "正式稿")
    assert attachment["taskId"] == fill_task["id"] and attachment["createTime"].endswith("+0800")
    assert [a["id"] for a in listed] == [attachment["id"]]
    assert "data" not in listed[0]
    assert data.status_code == 200
    assert data.data == PDF
    assert data.headers["Content-Type"] == "application/pdf"
    assert data.headers["Content-Disposition"].startswith("attachment")
    assert data.headers["X-Content-Type-Options"] == "nosniff"
    [event] = history_events(ctx, fill_task["processInstanceId"], "attachment_added")
    assert (event["user_id"], event["file_name"], event["size"]) == ("cotton", "建设方案.pdf", len(PDF))


def test_a_client_path_in_the_file_name_is_dropped(rest, fill_task):
    created = upload(rest("cotton"), fill_task["id"], "../../tmp/照片.png", PNG, "image/png")

    assert created.get_json()["name"] == "照片.png"


@pytest.mark.parametrize("name, content, content_type, message", [
    ("setup.exe", b"MZ\x90\x00", "application/octet-stream", "类型不支持"),
    ("page.pdf", b"<html><script>alert(1)</script></html>", "application/pdf", "不是有效的"),
    ("page.pdf", PDF, "text/html", "不符"),
    ("empty.pdf", b"", "application/pdf", "为空"),
])
def test_files_of_other_types_or_with_other_content_are_refused(rest, fill_task, name, content, content_type, message):
    response = upload(rest("cotton"), fill_task["id"], name, content, content_type)

    assert response.status_code == 400
    assert message in response.get_json()["message"]


def test_attachments_above_the_configured_size_are_refused(ctx, rest, fill_task):
    ctx.settings = dataclasses.replace(ctx.settings, attachment_max_bytes=len(PDF) - 1)

    response = upload(rest("cotton"), fill_task["id"], "方案.pdf", PDF)

    assert response.status_code == 400
    assert "不能超过" in response.get_json()["message"]


def test_attachments_default_to_twenty_megabytes(ctx):
    assert ctx.settings.attachment_max_bytes == 20 * 1024 * 1024


def test_another_unit_cannot_list_or_download_attachments(rest, fill_task):
    attachment = upload(rest("cotton"), fill_task["id"], "方案.pdf", PDF).get_json()

    assert rest("xju").get(f"/task/{fill_task['id']}/attachment").status_code == 404
    assert rest("xju").get(f"/task/{fill_task['id']}/attachment/{attachment['id']}/data").status_code == 404


def test_an_attachment_is_only_found_under_its_own_task(rest, fill_task):
    attachment = upload(rest("cotton"), fill_task["id"], "方案.pdf", PDF).get_json()
    other = start_review(rest, business_key="TIC-2026-002")
    other_task = only_task(rest("cotton"), other, "fill")

    assert rest("cotton").get(f"/task/{other_task['id']}/attachment/{attachment['id']}").status_code == 404


def test_services_attach_to_the_instance_and_refuse_a_task_of_another_instance(ctx, rest, fill_task):
    other = start_review(rest, business_key="TIC-2026-002")
    other_task = only_task(rest("cotton"), other, "fill")
    instance_id = fill_task["processInstanceId"]
    with ctx.db.command() as session:
        cotton = load_actor(session, "cotton")
        collaboration.add_attachment(ctx, session, cotton, instance_id, "图.png", "image/png", PNG)
        collaboration.add_comment(ctx, session, cotton, instance_id, "整体说明")
        with pytest.raises(BadRequest, match="不属于该流程实例"):
            collaboration.add_comment(ctx, session, cotton, instance_id, "x", other_task["id"])
    with ctx.db.read() as session:
        cotton = load_actor(session, "cotton")
        assert [a["name"] for a in collaboration.list_attachments(session, cotton, instance_id)] == ["图.png"]
        assert [c["taskId"] for c in collaboration.list_comments(session, cotton, instance_id)] == [None]
        with pytest.raises(NotFound):
            collaboration.list_comments(session, load_actor(session, "energy"), instance_id)
