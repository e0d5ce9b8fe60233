"""Uploaded models are untrusted: stored without foreign markup, served inert."""
from __future__ import annotations

import pytest

from app.models import DeploymentResource
from tests.support.jobs import bpmn, deployed, form_files, start
from tests.support.web import WebUser

SCRIPTED = bpmn("job_two_steps.bpmn").replace(
    b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"',
    b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:h="http://www.w3.org/1999/xhtml"',
).replace(
    b'<bpmn:startEvent id="start"/>',
    b'<bpmn:startEvent id="start" h:onmouseover="alert(1)"><bpmn:extensionElements>'
    b"<h:script>alert(document.cookie)</h:script></bpmn:extensionElements></bpmn:startEvent>",
)


def deploy_scripted(rest, file_name: str = "job_two_steps.bpmn") -> dict:
    return deployed(rest("analyst"), {**form_files(), file_name: SCRIPTED})


def signed_in(app, user: str) -> WebUser:
    browser = WebUser(app.test_client())
    assert browser.login(user).status_code == 302
    return browser


def assert_inert(xml: bytes) -> None:
    assert b"alert" not in xml and b"script" not in xml and b"onmouseover" not in xml
    assert b'<bpmn:userTask id="first_review"' in xml


def test_foreign_markup_is_stripped_from_what_is_stored_and_the_process_still_runs(rest, ctx):
    deployment = deploy_scripted(rest)
    with ctx.db.read() as session:
        [resource] = session.query(DeploymentResource).filter_by(
            deployment_id=deployment["id"], name="job_two_steps.bpmn").all()
        assert_inert(resource.content)
    xml = rest("analyst").get("/process-definition/key/job_two_steps/xml").get_json()["bpmn20Xml"]
    assert_inert(xml.encode())
    assert start(rest("officer"), "job_two_steps")["id"]


def test_the_same_upload_again_is_recognised_as_already_deployed(rest):
    first = deploy_scripted(rest)
    again = deploy_scripted(rest)
    assert again["id"] == first["id"] and not again["deployedProcessDefinitions"]


@pytest.mark.parametrize(("file_name", "disposition"), [
    ("job_two_steps.bpmn", "attachment; filename=job_two_steps.bpmn"),
    ("两级审核.bpmn", "attachment; filename=.bpmn; filename*=UTF-8''%E4%B8%A4%E7%BA%A7%E5%AE%A1%E6%A0%B8.bpmn"),
], ids=["ascii-name", "chinese-name"])
def test_the_instance_diagram_is_served_as_an_inert_download(app, rest, file_name, disposition):
    deploy_scripted(rest, file_name)
    instance_id = start(rest("officer"), "job_two_steps")["id"]
    response = signed_in(app, "officer").get(f"/instances/{instance_id}/diagram.bpmn")
    assert response.status_code == 200
    assert_inert(response.data)
    assert response.mimetype == "application/xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert response.headers["Content-Disposition"] == disposition
