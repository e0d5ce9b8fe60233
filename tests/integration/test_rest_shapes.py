"""Camunda 7's JSON shapes where clients break on a difference (issue 15): the correlation
result pycamunda reads, Camunda's activity types, typed variables read back as written,
one variable by name, error bodies with `code`, ParseException `details`, unrouted paths."""
from __future__ import annotations

import base64

import pytest

from app.models import BinaryVariable
from tests.support.flows import deployed, start
from tests.support.handlers import SERVICE
from tests.support.jobs import deploy_rest, model_files
from tests.support.jobs import start as start_job


@pytest.fixture
def waiting_for_payment(rest):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    return start(rest("officer"), "flow_message_catch", business_key="XJ-2026-301", amount=300)


def correlate(api, **body):
    return api.post("/message", json={"messageName": "flow_payment_received",
                                      "businessKey": "XJ-2026-301", **body})


def test_a_correlation_result_names_the_execution_its_end_and_tenant(rest, waiting_for_payment):
    response = correlate(rest("officer"), resultEnabled=True)

    assert response.status_code == 200, response.get_json()
    [result] = response.get_json()
    assert result["resultType"] == "Execution" and result["processInstance"] is None
    assert result["execution"] == {"id": waiting_for_payment, "processInstanceId": waiting_for_payment,
                                   "ended": False, "tenantId": None}
    assert "variables" not in result


def test_a_correlation_result_carries_the_variables_when_asked(rest, waiting_for_payment):
    response = correlate(rest("officer"), resultEnabled=True, variablesInResultEnabled=True,
                         processVariables={"voucher": {"value": "拨-0001", "type": "String"}})

    [result] = response.get_json()
    assert result["variables"]["voucher"] == {"value": "拨-0001", "type": "String", "valueInfo": {}}
    assert result["variables"]["amount"]["value"] == 300


@pytest.mark.parametrize("field", ["correlationKeys", "processVariablesLocal", "tenantId", "startAt"])
def test_a_correlation_field_this_engine_cannot_honour_is_a_400_naming_it(rest, waiting_for_payment, field):
    value = "t1" if field in ("tenantId", "startAt") else {"amount": {"value": 300}}
    response = correlate(rest("officer"), **{field: value})

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == field
    assert rest("officer").get(f"/task?processInstanceId={waiting_for_payment}").get_json() == []


def test_empty_camunda_fields_a_client_always_sends_are_accepted(rest, waiting_for_payment):
    response = correlate(rest("officer"), correlationKeys={}, tenantId=None, withoutTenantId=False)

    assert response.status_code == 204, response.get_json()


def test_a_service_task_is_a_service_task_in_the_activity_tree_and_history(rest):
    SERVICE.update(fail=True, calls=0)
    try:
        deploy_rest(rest("analyst"), model_files("job_service_call.bpmn"))
        instance = start_job(rest("officer"), "job_service_call", {"applicant": "新疆大学"})["id"]
    finally:
        SERVICE.update(fail=False, calls=0)
    admin = rest("admin")

    tree = admin.get(f"/process-instance/{instance}/activity-instances").get_json()
    history = admin.get(f"/history/activity-instance?processInstanceId={instance}").get_json()

    assert [(a["activityId"], a["activityType"]) for a in tree["childActivityInstances"]] == [
        ("register", "serviceTask")]
    assert {a["activityType"] for a in history} >= {"startEvent", "serviceTask"}
    assert "topicServiceTask" not in {a["activityType"] for a in history}


TYPED = {
    "count": {"value": 7, "type": "Short"},
    "total": {"value": 7, "type": "Long"},
    "profile": {"value": '{"field": "新材料", "staff": 12}', "type": "Object",
                "valueInfo": {"objectTypeName": "java.util.HashMap",
                              "serializationDataFormat": "application/json"}},
}


@pytest.fixture
def typed_instance(rest):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    response = rest("officer").post("/process-definition/key/flow_message_catch/start",
                                    json={"businessKey": "XJ-2026-302", "variables": TYPED})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["id"]


def test_typed_variables_read_back_with_the_type_they_were_written_with(rest, typed_instance):
    values = rest("officer").get(f"/process-instance/{typed_instance}/variables").get_json()

    assert values["count"] == {"value": 7, "type": "Short", "valueInfo": {}}
    assert values["total"] == {"value": 7, "type": "Long", "valueInfo": {}}
    assert values["profile"] == {"value": {"field": "新材料", "staff": 12}, "type": "Object",
                                 "valueInfo": TYPED["profile"]["valueInfo"]}


def test_an_object_is_read_serialized_when_asked(rest, typed_instance):
    values = rest("officer").get(
        f"/process-instance/{typed_instance}/variables?deserializeValues=false").get_json()

    assert values["profile"]["value"] == '{"field": "新材料", "staff": 12}'


def test_one_variable_is_read_by_name(rest, typed_instance):
    officer = rest("officer")

    one = officer.get(f"/process-instance/{typed_instance}/variables/profile")
    serialized = officer.get(f"/process-instance/{typed_instance}/variables/profile?deserializeValue=false")
    missing = officer.get(f"/process-instance/{typed_instance}/variables/nothing")

    assert one.status_code == 200 and one.get_json()["value"] == {"field": "新材料", "staff": 12}
    assert serialized.get_json()["value"] == '{"field": "新材料", "staff": 12}'
    assert missing.status_code == 404 and "nothing" in missing.get_json()["message"]


def test_a_confidential_variable_is_not_found_by_name_for_the_applicant(rest):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    instance = start(rest("cotton"), "flow_message_catch", business_key="XJ-2026-303",
                     averageScore=88, amount=300)

    assert rest("officer").get(f"/process-instance/{instance}/variables/averageScore").status_code == 200
    assert rest("cotton").get(f"/process-instance/{instance}/variables/amount").status_code == 200
    assert rest("cotton").get(f"/process-instance/{instance}/variables/averageScore").status_code == 404


@pytest.mark.parametrize(("variable", "message"), [
    ({"value": 40000, "type": "Short"}, "Short"),
    ({"value": "{}", "type": "Object",
      "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"}}, "application/json"),
])
def test_a_value_a_type_cannot_hold_is_a_400_naming_the_variable(rest, variable, message):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    response = rest("officer").post("/process-definition/key/flow_message_catch/start",
                                    json={"variables": {"wrong": variable}})

    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["field"] == "wrong" and message in error["message"]


def test_error_bodies_carry_camunda_codes(rest, waiting_for_payment):
    officer = rest("officer")

    missing = officer.get("/process-instance/no-such-instance")
    mismatch = correlate(officer, businessKey="XJ-2026-999")

    assert missing.get_json()["code"] == 0 and mismatch.get_json()["code"] == 0
    assert mismatch.get_json()["type"] == "MismatchingMessageCorrelationException"


def test_a_refused_model_is_a_parse_exception_with_camunda_details(rest):
    broken = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f" sourceRef="start" targetRef="act"/>
    <bpmn:serviceTask id="act"/>
  </bpmn:process>
</bpmn:definitions>"""
    response = deploy_rest(rest("analyst"), {"broken.bpmn": broken})

    assert response.status_code == 400
    body = response.get_json()
    assert body["type"] == "ParseException" and body["code"] == 0
    [error, *_] = body["details"]["broken.bpmn"]["errors"]
    assert error["mainElementId"] == "act" and error["elementIds"] == ["act"]
    assert error["message"] and "line" in error and "column" in error


@pytest.mark.parametrize(("method", "path", "status", "name"), [
    ("get", "/no-such-thing", 404, "NotFoundException"),
    ("delete", "/version", 405, "NotAllowedException"),
])
def test_a_path_without_a_route_answers_with_camunda_names(rest, method, path, status, name):
    response = getattr(rest("officer"), method)(path)

    assert response.status_code == status
    body = response.get_json()
    assert body["type"] == name and body["code"] == 0
    assert f"HTTP {status}" in body["message"]


PDF = b"%PDF-1.4 \xe5\x85\xac\xe7\xa4\xba"


def file_variable(data: bytes = PDF, **info) -> dict:
    return {"value": base64.b64encode(data).decode(), "type": "File",
            "valueInfo": {"filename": "批复.pdf", "mimeType": "application/pdf", "encoding": None, **info}}


@pytest.fixture
def with_files(rest):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    response = rest("officer").post("/process-definition/key/flow_message_catch/start", json={
        "businessKey": "XJ-2026-305",
        "variables": {"reply": file_variable(), "seal": {"value": base64.b64encode(b"\x00\x01\xff").decode(),
                                                          "type": "Bytes"}}})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["id"]


def test_file_and_bytes_variables_are_kept_and_read_back(rest, with_files):
    officer = rest("officer")

    values = officer.get(f"/process-instance/{with_files}/variables").get_json()
    data = officer.get(f"/process-instance/{with_files}/variables/reply/data")

    assert values["reply"] == {"value": None, "type": "File", "valueInfo": {
        "filename": "批复.pdf", "mimeType": "application/pdf", "encoding": None}}
    assert values["seal"] == {"value": base64.b64encode(b"\x00\x01\xff").decode(), "type": "Bytes", "valueInfo": {}}
    assert data.status_code == 200 and data.data == PDF
    assert data.headers["Content-Type"] == "application/pdf"
    assert data.headers["Content-Disposition"].startswith("attachment")
    assert officer.get(f"/process-instance/{with_files}/variables/seal/data").data == b"\x00\x01\xff"


def test_a_file_set_by_a_message_replaces_the_one_before(rest, with_files):
    officer = rest("officer")
    response = officer.post("/message", json={
        "messageName": "flow_payment_received", "businessKey": "XJ-2026-305",
        "processVariables": {"reply": file_variable(b"%PDF-1.7 second", filename="批复-修订.pdf")}})

    assert response.status_code == 204, response.get_json()
    assert officer.get(f"/process-instance/{with_files}/variables/reply/data").data == b"%PDF-1.7 second"
    assert officer.get(f"/process-instance/{with_files}/variables/reply").get_json()["valueInfo"][
        "filename"] == "批复-修订.pdf"


def test_a_file_completing_a_task_is_kept_with_its_instance(ctx, rest, with_files):
    officer = rest("officer")
    officer.post("/message", json={"messageName": "flow_payment_received", "businessKey": "XJ-2026-305"})
    [task] = officer.get(f"/task?processInstanceId={with_files}").get_json()
    officer.post(f"/task/{task['id']}/claim", json={"userId": "officer"})

    response = officer.post(f"/task/{task['id']}/complete", json={"variables": {
        "opinion": {"value": "到账无误", "type": "String"},
        "voucher": file_variable(b"%PDF-1.4 voucher", filename="凭证.pdf")}})

    assert response.status_code == 204, response.get_json()
    with ctx.db.read() as session:
        kept = session.get(BinaryVariable, (with_files, "voucher"))
        assert (kept.kind, kept.file_name, kept.data) == ("File", "凭证.pdf", b"%PDF-1.4 voucher")


def test_a_variable_that_is_not_binary_has_no_data(rest, typed_instance):
    response = rest("officer").get(f"/process-instance/{typed_instance}/variables/count/data")

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "count"


@pytest.mark.parametrize(("variable", "message"), [
    ({"value": "not base64!", "type": "File", "valueInfo": {"filename": "a.pdf"}}, "Base64"),
    ({"value": "JVBERg==", "type": "File", "valueInfo": {}}, "filename"),
])
def test_a_bad_file_variable_is_a_400_naming_it(rest, variable, message):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    response = rest("officer").post("/process-definition/key/flow_message_catch/start",
                                    json={"variables": {"reply": variable}})

    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["field"] == "reply" and message in error["message"]


def test_a_file_where_nothing_could_keep_it_is_refused(rest):
    deployed(rest("analyst"), "flow_grade.dmn", with_forms=False)
    response = rest("officer").post("/decision-definition/key/flow_grade/evaluate",
                                    json={"variables": {"score": file_variable()}})

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "score"


def test_created_resources_link_to_themselves(rest):
    body = deployed(rest("analyst"), "flow_message_catch.bpmn")
    response = rest("officer").post("/process-definition/key/flow_message_catch/start", json={})

    [link] = response.get_json()["links"]
    assert link["rel"] == "self" and link["method"] == "GET"
    assert link["href"].endswith(f"/engine-rest/process-instance/{response.get_json()['id']}")
    assert body["links"][0]["href"].endswith(f"/engine-rest/deployment/{body['id']}")


def test_a_confidential_file_is_not_found_for_the_applicant(rest):
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    response = rest("cotton").post("/process-definition/key/flow_message_catch/start", json={
        "businessKey": "XJ-2026-306", "variables": {"expertOpinion": file_variable()}})
    instance = response.get_json()["id"]

    assert rest("officer").get(f"/process-instance/{instance}/variables/expertOpinion/data").data == PDF
    assert rest("cotton").get(f"/process-instance/{instance}/variables/expertOpinion/data").status_code == 404
