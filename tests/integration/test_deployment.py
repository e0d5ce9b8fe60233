"""Deployment: content-hashed versions, running instances pinned to their version, refusals."""
from __future__ import annotations

import json
from datetime import timedelta
import re
from pathlib import Path

import pytest

from app.platform.deployment import DeploymentRefused, deploy
from tests.support.jobs import (
    bpmn, complete, deploy_rest, deployed, form_files, historic_instance, model_files,
    only_task, start, task_keys,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
CORPUS_FILES = sorted(
    p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() in (".bpmn", ".dmn")
) if CORPUS.is_dir() else []


def definitions(api, key: str | None = None) -> list[dict]:
    response = api.get("/process-definition" + (f"?key={key}" if key else ""))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def deployments(api) -> list[dict]:
    response = api.get("/deployment")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def only_definition(deployment: dict) -> dict:
    [found] = deployment["deployedProcessDefinitions"].values()
    return found


def renamed_final_review(name: str = "厅领导终审") -> bytes:
    return bpmn("job_two_steps.bpmn").replace('name="终审"'.encode(), f'name="{name}"'.encode())


# ------------------------------------------------------------------------------ versions


def test_deploying_identical_content_twice_returns_the_same_deployment_and_no_new_version(rest):
    analyst = rest("analyst")
    first = deployed(analyst, model_files("job_two_steps.bpmn"))
    assert only_definition(first)["version"] == 1

    second = deployed(analyst, model_files("job_two_steps.bpmn"))
    assert second["id"] == first["id"]
    assert not second["deployedProcessDefinitions"]
    assert [d["version"] for d in definitions(analyst, "job_two_steps")] == [1]
    assert len(deployments(analyst)) == 1


def test_a_changed_diagram_is_version_2_and_running_instances_finish_on_version_1(rest):
    analyst, officer, leader = rest("analyst"), rest("officer"), rest("leader")
    v1 = only_definition(deployed(analyst, model_files("job_two_steps.bpmn")))
    old = start(officer, "job_two_steps")
    assert old["definitionId"] == v1["id"]

    v2 = only_definition(deployed(analyst, {**form_files(), "job_two_steps.bpmn": renamed_final_review()}))
    assert (v2["key"], v2["version"]) == ("job_two_steps", 2)
    assert v2["id"] != v1["id"]
    latest = analyst.get("/process-definition/key/job_two_steps").get_json()
    assert (latest["id"], latest["version"]) == (v2["id"], 2)
    xml = analyst.get("/process-definition/key/job_two_steps/xml").get_json()
    assert xml["id"] == v2["id"]
    assert xml["bpmn20Xml"] == renamed_final_review().decode()

    new = start(officer, "job_two_steps")
    assert new["definitionId"] == v2["id"]

    first = only_task(officer, old["id"], "first_review")
    assert first["processDefinitionId"] == v1["id"]
    assert complete(officer, first["id"], {"approved": True}).status_code == 204
    final = only_task(leader, old["id"], "final_review")
    assert (final["name"], final["processDefinitionId"]) == ("终审", v1["id"])
    assert complete(leader, final["id"]).status_code == 204
    finished = historic_instance(officer, old["id"])
    assert (finished["state"], finished["processDefinitionVersion"]) == ("COMPLETED", 1)
    assert finished["processDefinitionId"] == v1["id"]

    first = only_task(officer, new["id"], "first_review")
    assert complete(officer, first["id"], {"approved": True}).status_code == 204
    assert only_task(leader, new["id"], "final_review")["name"] == "厅领导终审"


def test_redeploying_an_earlier_diagram_makes_it_the_latest_version_again(rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_two_steps.bpmn"))
    deployed(analyst, {**form_files(), "job_two_steps.bpmn": renamed_final_review()})

    back = deployed(analyst, model_files("job_two_steps.bpmn"))
    assert only_definition(back)["version"] == 3
    latest = analyst.get("/process-definition/key/job_two_steps").get_json()
    assert latest["version"] == 3
    assert analyst.get("/process-definition/key/job_two_steps/xml").get_json()["bpmn20Xml"] == (
        bpmn("job_two_steps.bpmn").decode())
    instance = start(officer, "job_two_steps")
    assert instance["definitionId"] == latest["id"]
    assert task_keys(officer, instance["id"]) == ["first_review"]


def test_camundas_redeploy_brings_an_earlier_deployment_back_as_the_latest_version(rest):
    analyst = rest("analyst")
    first = deployed(analyst, model_files("job_two_steps.bpmn"))
    deployed(analyst, {**form_files(), "job_two_steps.bpmn": renamed_final_review()})

    back = analyst.post(f"/deployment/{first['id']}/redeploy", json={"resourceNames": ["job_two_steps.bpmn"]})

    assert back.status_code == 200, back.get_json()
    assert back.get_json()["name"] == first["name"] and back.get_json()["id"] != first["id"]
    assert only_definition(back.get_json())["version"] == 3
    assert analyst.get("/process-definition/key/job_two_steps/xml").get_json()["bpmn20Xml"] == (
        bpmn("job_two_steps.bpmn").decode())
    again = analyst.post(f"/deployment/{back.get_json()['id']}/redeploy", json={})
    assert again.status_code == 200 and again.get_json()["deployedProcessDefinitions"] is None
    assert analyst.get("/process-definition/key/job_two_steps").get_json()["version"] == 3

    missing = analyst.post(f"/deployment/{first['id']}/redeploy", json={"resourceNames": ["nope.bpmn"]})
    assert missing.status_code == 400 and missing.get_json()["errors"][0]["field"] == "resourceNames"
    assert analyst.post(f"/deployment/{first['id']}/redeploy", json={"resources": []}).status_code == 400
    assert analyst.post("/deployment/nope/redeploy", json={}).status_code == 404
    assert rest("officer").post(f"/deployment/{first['id']}/redeploy", json={}).status_code == 403


def test_a_changed_form_alone_makes_a_new_definition_version_that_uses_it(rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_two_steps.bpmn"))
    schema = json.loads(form_files()["job_review.schema.json"])
    schema["required"] = ["approved"]
    stricter = {"job_review.schema.json": json.dumps(schema, ensure_ascii=False).encode(),
                "job_two_steps.bpmn": bpmn("job_two_steps.bpmn")}
    assert only_definition(deployed(analyst, stricter))["version"] == 2

    instance_id = start(officer, "job_two_steps")["id"]
    task = only_task(officer, instance_id, "first_review")
    form = officer.get(f"/task/{task['id']}/form").get_json()
    assert (form["key"], form["version"], form["schema"]["required"]) == ("job_review", 2, ["approved"])
    assert complete(officer, task["id"], {"comment": "无意见"}).status_code == 400

    back = deployed(analyst, model_files("job_two_steps.bpmn"))
    assert only_definition(back)["version"] == 3, "the earlier form is deployed again"


def test_only_analysts_and_admins_may_deploy(rest):
    response = deploy_rest(rest("officer"), model_files("job_two_steps.bpmn"))
    assert response.status_code == 403
    assert response.get_json()["type"] == "AuthorizationException"
    assert CHINESE.search(response.get_json()["message"])
    assert definitions(rest("analyst")) == []
    assert deployed(rest("admin"), model_files("job_two_steps.bpmn"))["deployedProcessDefinitions"]


# ------------------------------------------------------------------------------ refusals


def refused(api, files: dict[str, bytes]) -> dict:
    response = deploy_rest(api, files)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["errors"], body
    for error in body["errors"]:
        assert error["file"] in files
        assert CHINESE.search(error["message"]), error
    assert definitions(api) == [] and deployments(api) == [], "a refused deployment leaves nothing"
    return body


def test_a_model_with_an_external_entity_is_refused_without_reading_the_file(rest):
    analyst = rest("analyst")
    response = deploy_rest(analyst, model_files("job_xxe.bpmn"))
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert (error["file"], error["line"]) == ("job_xxe.bpmn", 2)
    assert "DTD" in error["message"] and CHINESE.search(error["message"])
    with open("/etc/passwd", encoding="utf-8") as passwd:
        first_line = passwd.readline().strip()
    text = response.get_data(as_text=True)
    assert "root:x:0:0" not in text and first_line not in text
    assert definitions(analyst) == [] and deployments(analyst) == []


@pytest.mark.parametrize(("fixture", "element_id"), [
    ("job_script_os_system.bpmn", "tidy"),
    ("job_script_import_os.bpmn", "tidy"),
    ("job_condition_escape.bpmn", "f_yes"),
], ids=["script-calls-__import__-os-system", "script-imports-os", "condition-walks-__subclasses__"])
def test_scripts_and_conditions_reaching_outside_the_expression_language_are_refused(
        rest, fixture, element_id):
    body = refused(rest("analyst"), model_files(fixture, forms=False))
    assert body["type"] == "ParseException"
    assert any(e["element_id"] == element_id and e["line"] for e in body["errors"]), body["errors"]


def test_broken_xml_is_refused_with_its_line_number(rest):
    body = refused(rest("analyst"), model_files("job_broken.bpmn", forms=False))
    [error] = body["errors"]
    assert error["file"] == "job_broken.bpmn"
    assert error["line"] == 9
    assert "XML" in error["message"]


def test_a_camunda_form_file_is_refused_naming_the_file(rest):
    """Camunda Forms (form-js) are another format than our JSON Schema forms."""
    body = refused(rest("analyst"), {"review.form": b'{"type": "default", "components": []}',
                                     **form_files()})
    assert body["type"] == "ParseException"
    [error] = body["errors"]
    assert (error["field"], error["file"]) == ("review.form", "review.form")
    assert error["message"].startswith("review.form：Camunda Forms（form-js 的 .form 文件）不受支持")
    assert ".schema.json" in error["message"]


def test_a_call_to_a_process_deployed_nowhere_is_refused_and_deploys_once_the_callee_is_deployed(rest):
    analyst = rest("analyst")
    caller = {**form_files("flow_opinion"), "flow_call_parent.bpmn": bpmn("flow_call_parent.bpmn")}
    body = refused(analyst, caller)
    [error] = body["errors"]
    assert (error["file"], error["element_id"], error["line"]) == ("flow_call_parent.bpmn", "call_fill", 6)
    assert "被调用的流程“flow_call_child”未部署" in error["message"]

    deployed(analyst, {**form_files("flow_application"), "flow_call_child.bpmn": bpmn("flow_call_child.bpmn")})
    assert [d["key"] for d in deployed(analyst, caller)["deployedProcessDefinitions"].values()] == [
        "flow_call_parent"]


def test_a_definition_names_the_called_versions_it_was_deployed_with(rest, clock):
    """Camunda's static-called-process-definitions: a called process runs inside its caller
    as compiled at the caller's deployment, so a later version of the callee is the next
    caller's, not this one's."""
    analyst = rest("analyst")
    callee = {**form_files("flow_application"), "flow_call_child.bpmn": bpmn("flow_call_child.bpmn")}
    caller = {**form_files("flow_opinion"), "flow_call_parent.bpmn": bpmn("flow_call_parent.bpmn")}
    first_callee = only_definition(deployed(analyst, callee))
    clock.advance(timedelta(minutes=1))
    first_caller = only_definition(deployed(analyst, caller))
    clock.advance(timedelta(minutes=1))
    changed = bpmn("flow_call_child.bpmn").replace(b'name="', b'name="V2 ', 1)
    second_callee = only_definition(deployed(analyst, {**callee, "flow_call_child.bpmn": changed}))

    called = analyst.get(f"/process-definition/{first_caller['id']}/static-called-process-definitions")

    assert called.status_code == 200
    [one] = called.get_json()
    assert (one["id"], one["key"], one["version"]) == (first_callee["id"], "flow_call_child", 1)
    assert (one["calledFromActivityIds"], one["callingProcessDefinitionId"]) == (["call_fill"], first_caller["id"])
    assert second_callee["version"] == 2
    clock.advance(timedelta(minutes=1))
    recaller = bpmn("flow_call_parent.bpmn").replace(b'name="', b'name="V2 ', 1)
    second_caller = only_definition(deployed(analyst, {**caller, "flow_call_parent.bpmn": recaller}))
    again = analyst.get(f"/process-definition/{second_caller['id']}/static-called-process-definitions")
    assert [c["id"] for c in again.get_json()] == [second_callee["id"]]
    assert analyst.get("/process-definition/nope/static-called-process-definitions").status_code == 404
    assert analyst.get(f"/process-definition/{first_callee['id']}/static-called-process-definitions").get_json() == []


TWO_PROCESSES = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="pair_defs"
    targetNamespace="http://tic-flow/test">
  <bpmn:process id="pair_first" isExecutable="true"><bpmn:startEvent id="s1"/></bpmn:process>
  <bpmn:process id="pair_second" isExecutable="true"><bpmn:startEvent id="s2"/></bpmn:process>
</bpmn:definitions>
"""


def test_a_file_of_two_processes_deployed_before_does_not_refuse_the_next_deployment(rest):
    """Each of its processes is latest in that file: it is given to the engine once."""
    analyst = rest("analyst")
    assert len(deployed(analyst, {"pair.bpmn": TWO_PROCESSES})["deployedProcessDefinitions"]) == 2
    assert only_definition(deployed(analyst, model_files("job_two_steps.bpmn")))["key"] == "job_two_steps"


# --------------------------------------------------------------------------------- corpus


def test_the_interop_corpus_is_present():
    assert CORPUS.is_dir(), f"the interop corpus is missing: {CORPUS}"
    assert len(CORPUS_FILES) >= 60


def descriptive(path: Path) -> bool:
    """No executable process in the file (`isExecutable` false or absent)."""
    return path.suffix == ".bpmn" and b'isExecutable="true"' not in path.read_bytes()


DESCRIPTIVE_FILES = [p for p in CORPUS_FILES if descriptive(p)]


def test_the_corpus_holds_29_descriptive_models():
    assert len(DESCRIPTIVE_FILES) == 29


@pytest.mark.parametrize("path", DESCRIPTIVE_FILES, ids=[str(p.relative_to(CORPUS)) for p in DESCRIPTIVE_FILES])
def test_a_descriptive_model_deploys_as_camunda_deploys_it_and_the_answer_says_nothing_can_start(rest, path):
    body = deployed(rest("analyst"), {path.name: path.read_bytes()}, "corpus")
    assert body["deployedProcessDefinitions"] is None
    [warning] = body["warnings"]
    assert (warning["file"], warning["severity"]) == (path.name, "warning")
    assert "没有可以启动的流程" in warning["message"] and "nothing can start" in warning["message_en"]
    [resource] = rest("analyst").get(f"/deployment/{body['id']}/resources").get_json()
    assert resource["name"] == path.name


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES])
def test_every_corpus_file_deploys_or_is_refused_with_located_chinese_errors(ctx, path):
    try:
        with ctx.db.command() as session:
            result = deploy(ctx, session, None, path.name, {path.name: path.read_bytes()})
    except DeploymentRefused as refusal:
        assert refusal.errors, path
        for error in refusal.errors:
            assert error["file"] == path.name, error
            assert CHINESE.search(error["message"]), error
        return
    assert result.deployment.id


# ------------------------------------------------------------- every file validated alike


GRADE_TABLE = bpmn("flow_grade.dmn")


def _with_doctype(xml: bytes) -> bytes:
    declaration, rest = xml.split(b"\n", 1)
    return declaration + b'\n<!DOCTYPE definitions [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n' + rest


@pytest.mark.parametrize(("table", "complaint"), [
    (_with_doctype(GRADE_TABLE), "DTD"),
    (GRADE_TABLE.replace(b'<text>"A"</text>', b"<text>__import__('os').getpid()</text>"), "__import__"),
    (GRADE_TABLE.replace(b"<decisionTable", b"<notADecisionTable"), "decisionTable"),
], ids=["entity-declaration", "import-escape-in-a-cell", "not-a-decision-table"])
def test_a_decision_table_deployed_alone_is_validated_like_one_next_to_a_diagram(rest, table, complaint):
    analyst = rest("analyst")
    alone = refused(analyst, {"grade.dmn": table})
    beside = refused(analyst, {**model_files("job_two_steps.bpmn"), "grade.dmn": table})
    assert {e["file"] for e in alone["errors"]} == {"grade.dmn"}
    assert any(complaint in e["message_en"] or complaint in e["message"] for e in alone["errors"]), alone
    assert [e for e in beside["errors"] if e["file"] == "grade.dmn"] == alone["errors"]


def test_a_valid_decision_table_deployed_alone_is_stored(rest):
    analyst = rest("analyst")
    deployment = deployed(analyst, {"grade.dmn": GRADE_TABLE})
    assert not deployment["deployedProcessDefinitions"]
    assert [d["id"] for d in deployments(analyst)] == [deployment["id"]]


def test_the_project_models_are_not_deployed_over_a_version_an_analyst_deployed_since(ctx):
    """`flask setup` at the next start leaves the analyst's version the latest."""
    from app.cli import deploy_project_models
    from app.core.identity import load_actor
    from app.platform.deployment import latest_definition

    deploy_project_models(ctx)
    xml = (Path(__file__).resolve().parents[2] / "bpmn" / "tic_establishment.bpmn").read_bytes()
    with ctx.db.command() as session:
        analyst = load_actor(session, "analyst")
        deploy(ctx, session, analyst, "modeler", {"tic_establishment.bpmn": xml.replace(
            "推荐部门审核".encode(), "推荐单位审核".encode())})
    deploy_project_models(ctx)
    with ctx.db.read() as session:
        latest = latest_definition(session, "tic_establishment")
        assert latest.version == 2 and "推荐单位审核".encode() in latest.bpmn_xml


# ----------------------------------------------------------- a deployment and its resources


def test_a_deployment_and_its_resources_are_read_in_camundas_shapes(rest):
    analyst = rest("analyst")
    files = model_files("job_two_steps.bpmn")
    body = deployed(analyst, files, "two-steps")

    assert analyst.get(f"/deployment/{body['id']}").get_json()["name"] == "two-steps"
    resources = analyst.get(f"/deployment/{body['id']}/resources").get_json()
    assert sorted(r["name"] for r in resources) == sorted(files)
    form = next(r for r in resources if r["name"].endswith(".schema.json"))
    assert analyst.get(f"/deployment/{body['id']}/resources/{form['id']}").get_json() == {
        "id": form["id"], "name": form["name"], "deploymentId": body["id"]}
    data = analyst.get(f"/deployment/{body['id']}/resources/{form['id']}/data")
    assert (data.status_code, data.mimetype, data.data) == (200, "application/json", files[form["name"]])
    diagram = next(r for r in resources if r["name"] == "job_two_steps.bpmn")
    xml = analyst.get(f"/deployment/{body['id']}/resources/{diagram['id']}/data")
    assert xml.mimetype == "application/xml" and b'id="job_two_steps"' in xml.data


def test_an_unknown_deployment_or_resource_is_a_404(rest):
    analyst = rest("analyst")
    body = deployed(analyst, model_files("job_two_steps.bpmn"), "two-steps")
    assert analyst.get("/deployment/nope").status_code == 404
    assert analyst.get("/deployment/nope/resources").status_code == 404
    assert analyst.get(f"/deployment/{body['id']}/resources/nope/data").status_code == 404
