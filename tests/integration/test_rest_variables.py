"""Variables one by one (issue 15): a task's variables, variable instances across the cases
one may read, and their history once a case has ended; confidential ones as on every face."""
from __future__ import annotations

import base64
import io

import pytest

from tests.support.flows import complete_task, deployed, only_task, start


@pytest.fixture
def cases(rest):
    """Two waiting payments of `cotton` (one with a confidential score), one ended."""
    deployed(rest("analyst"), "flow_message_catch.bpmn")
    cotton, officer = rest("cotton"), rest("officer")
    first = start(cotton, "flow_message_catch", business_key="XJ-2026-501", amount=300, averageScore=91)
    second = start(cotton, "flow_message_catch", business_key="XJ-2026-502", amount=120)
    ended = start(officer, "flow_message_catch", business_key="XJ-2026-503", amount=50)
    officer.post("/message", json={"messageName": "flow_payment_received", "businessKey": "XJ-2026-503"})
    task = only_task(officer, ended, "confirm_payment")
    officer.post(f"/task/{task['id']}/claim", json={"userId": "officer"})
    assert complete_task(officer, task["id"], approved=True).status_code == 204
    return {"first": first, "second": second, "ended": ended}


def test_variable_instances_are_the_running_cases_variables(rest, cases):
    found = rest("officer").get("/variable-instance?variableName=amount").get_json()

    assert sorted((v["processInstanceId"], v["value"]) for v in found) == sorted(
        [(cases["first"], 300), (cases["second"], 120)])
    assert {v["id"] for v in found} == {f"{cases['first']}:amount", f"{cases['second']}:amount"}
    assert all(v["type"] == "Integer" and v["valueInfo"] == {} for v in found)


def test_variable_instances_filter_by_instance_and_name_pattern(rest, cases):
    officer = rest("officer")

    by_instance = officer.get(f"/variable-instance?processInstanceIdIn={cases['first']}").get_json()
    by_pattern = officer.get("/variable-instance?variableNameLike=am%25").get_json()
    counted = officer.get("/variable-instance/count?variableNameLike=%25Score").get_json()

    assert {v["name"] for v in by_instance} == {"amount", "averageScore"}
    assert {v["name"] for v in by_pattern} == {"amount"}
    assert counted == {"count": 1}


def test_a_confidential_variable_instance_is_hidden_from_the_applicant(rest, cases):
    cotton = rest("cotton")

    listed = cotton.get(f"/variable-instance?processInstanceIdIn={cases['first']}").get_json()
    one = cotton.get(f"/variable-instance/{cases['first']}:averageScore")

    assert {v["name"] for v in listed} == {"amount"}
    assert one.status_code == 404
    assert rest("officer").get(f"/variable-instance/{cases['first']}:averageScore").get_json()["value"] == 91


def test_an_applicant_sees_only_the_variables_of_its_own_cases(rest, cases):
    found = rest("xju").get("/variable-instance?variableName=amount").get_json()

    assert found == []


def test_history_keeps_the_variables_of_an_ended_case(rest, cases):
    officer = rest("officer")

    running = officer.get(f"/variable-instance?processInstanceIdIn={cases['ended']}").get_json()
    historic = officer.get(f"/history/variable-instance?processInstanceId={cases['ended']}").get_json()
    one = officer.get(f"/history/variable-instance/{cases['ended']}:approved").get_json()

    assert running == []
    assert {v["name"]: v["value"] for v in historic}["amount"] == 50
    assert one["value"] is True and one["state"] == "CREATED" and one["processDefinitionKey"] == "flow_message_catch"


def test_an_unsupported_variable_filter_is_a_400_naming_it(rest, cases):
    response = rest("officer").get("/variable-instance?activityInstanceIdIn=x")

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "activityInstanceIdIn"


def test_history_finds_a_variable_by_its_value_as_camunda_reads_the_query_string(rest, cases):
    officer = rest("officer")

    found = officer.get("/history/variable-instance?variableName=amount&variableValue=50").get_json()
    folded = officer.get("/history/variable-instance?variableName=AMOUNT&variableValue=300"
                         "&variableNamesIgnoreCase=true").get_json()
    counted = officer.get("/history/variable-instance/count?variableName=approved&variableValue=true").get_json()

    assert [(v["processInstanceId"], v["value"]) for v in found] == [(cases["ended"], 50)]
    assert [(v["processInstanceId"], v["value"]) for v in folded] == [(cases["first"], 300)]
    assert counted == {"count": 1}


def test_history_filters_by_names_types_definition_and_tenant(rest, cases):
    officer = rest("officer")
    definition = officer.get(f"/history/variable-instance/{cases['ended']}:amount").get_json()["processDefinitionId"]

    named = officer.get("/history/variable-instance?variableNameIn=approved,averageScore").get_json()
    booleans = officer.get("/history/variable-instance?variableTypeIn=boolean").get_json()
    of_definition = officer.get(f"/history/variable-instance/count?processDefinitionId={definition}"
                                "&variableName=amount").get_json()

    assert sorted(v["name"] for v in named) == ["approved", "averageScore"]
    assert [(v["name"], v["type"]) for v in booleans] == [("approved", "Boolean")]
    assert of_definition == {"count": 3}
    assert officer.get("/history/variable-instance?tenantIdIn=a").get_json() == []
    assert len(officer.get("/history/variable-instance?variableName=amount&withoutTenantId=true").get_json()) == 3


def test_a_value_without_the_variables_name_is_a_400_naming_the_name(rest, cases):
    response = rest("officer").get("/history/variable-instance?variableValue=50")

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "variableName"


def test_variable_instances_sort_as_camunda_names_the_keys(rest, cases):
    officer = rest("officer")

    by_name = officer.get(f"/variable-instance?processInstanceIdIn={cases['first']}"
                          "&sortBy=variableName&sortOrder=desc").get_json()
    by_instance = officer.get("/history/variable-instance?variableName=amount&sortBy=instanceId&sortOrder=asc").get_json()
    refused = officer.get("/variable-instance?sortBy=instanceId&sortOrder=asc")

    assert [v["name"] for v in by_name] == ["averageScore", "amount"]
    assert [v["processInstanceId"] for v in by_instance] == sorted(cases.values())
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "sortBy"


def test_the_variable_queries_take_their_filters_in_a_json_body(rest, cases):
    officer = rest("officer")

    running = officer.post("/variable-instance?deserializeValues=false", json={
        "variableValues": [{"name": "amount", "operator": "gt", "value": 200}],
        "sorting": [{"sortBy": "variableName", "sortOrder": "asc"}]}).get_json()
    historic = officer.post("/history/variable-instance/count", json={
        "variableName": "amount", "processInstanceIdIn": [cases["first"], cases["ended"]]}).get_json()
    unknown = officer.post("/history/variable-instance", json={"activityInstanceIdIn": ["x"]})

    assert [(v["processInstanceId"], v["value"]) for v in running] == [(cases["first"], 300)]
    assert historic == {"count": 2}
    assert unknown.status_code == 400 and unknown.get_json()["errors"][0]["field"] == "activityInstanceIdIn"


def test_a_task_reads_its_instance_variables(rest, cases):
    officer = rest("officer")
    officer.post("/message", json={
        "messageName": "flow_payment_received", "businessKey": "XJ-2026-501",
        "processVariables": {"receipt": {"value": base64.b64encode(b"%PDF-1.4 r").decode(), "type": "File",
                                         "valueInfo": {"filename": "回执.pdf", "mimeType": "application/pdf"}}}})
    task = only_task(officer, cases["first"], "confirm_payment")

    values = officer.get(f"/task/{task['id']}/variables").get_json()
    amount = officer.get(f"/task/{task['id']}/variables/amount").get_json()
    receipt = officer.get(f"/task/{task['id']}/variables/receipt/data")

    assert values["amount"]["value"] == 300 and values["receipt"]["type"] == "File"
    assert amount == {"value": 300, "type": "Integer", "valueInfo": {}}
    assert receipt.data == b"%PDF-1.4 r"
    assert rest("xju").get(f"/task/{task['id']}/variables").status_code == 404


def test_an_administrator_sets_and_removes_variables_of_a_running_case(rest, client, cases):
    admin = rest("admin")
    instance = cases["second"]

    put = admin.put(f"/process-instance/{instance}/variables/amount", json={"value": 180, "type": "Long"})
    post = admin.post(f"/process-instance/{instance}/variables", json={
        "modifications": {"note": {"value": "拨款调整", "type": "String"}}, "deletions": ["amount"]})

    assert put.status_code == 204 and post.status_code == 204
    values = admin.get(f"/process-instance/{instance}/variables").get_json()
    assert "amount" not in values and values["note"]["value"] == "拨款调整"
    assert admin.delete(f"/process-instance/{instance}/variables/note").status_code == 204
    assert "note" not in admin.get(f"/process-instance/{instance}/variables").get_json()


def test_a_set_variable_reads_back_with_its_type_and_the_case_moves_on_with_it(rest, cases):
    admin, officer = rest("admin"), rest("officer")
    instance = cases["second"]
    admin.put(f"/process-instance/{instance}/variables/amount", json={"value": 180, "type": "Long"})

    assert officer.get(f"/process-instance/{instance}/variables/amount").get_json() == {
        "value": 180, "type": "Long", "valueInfo": {}}
    officer.post("/message", json={"messageName": "flow_payment_received", "businessKey": "XJ-2026-502"})
    task = only_task(officer, instance, "confirm_payment")
    assert officer.get(f"/task/{task['id']}/variables/amount").get_json()["value"] == 180


@pytest.mark.parametrize("who", ["officer", "cotton", "leader"])
def test_only_an_administrator_modifies_variables(rest, cases, who):
    response = rest(who).put(f"/process-instance/{cases['first']}/variables/amount", json={"value": 1})

    assert response.status_code in (403, 404)
    assert rest("officer").get(f"/process-instance/{cases['first']}/variables/amount").get_json()["value"] == 300


def test_a_variable_that_records_who_acted_is_not_modified(rest, cases):
    response = rest("admin").put(f"/process-instance/{cases['first']}/variables/withdrawnBy",
                                 json={"value": "cotton"})

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "withdrawnBy"


def test_an_ended_case_has_no_variables_to_modify(rest, cases):
    response = rest("admin").put(f"/process-instance/{cases['ended']}/variables/amount", json={"value": 1})

    assert response.status_code == 404


def test_an_administrator_uploads_a_file_variable_to_a_running_case(rest, cases):
    admin, officer = rest("admin"), rest("officer")
    path = f"/process-instance/{cases['first']}/variables/seal_scan/data"

    def upload(user, name="盖章页.pdf", content=b"%PDF-1.7 seal", **form):
        return user.post(path, data={"data": (io.BytesIO(content), name, "application/pdf"), **form},
                         content_type="multipart/form-data")

    assert upload(admin, valueType="File").status_code == 204

    shown = officer.get(f"/process-instance/{cases['first']}/variables/seal_scan").get_json()
    assert shown["type"] == "File" and shown["valueInfo"]["filename"] == "盖章页.pdf"
    assert officer.get(f"{path}").data == b"%PDF-1.7 seal"
    assert upload(admin, content=b"\x00\x01").status_code == 204
    assert officer.get(f"/process-instance/{cases['first']}/variables/seal_scan").get_json()["type"] == "Bytes"
    assert upload(officer, valueType="File").status_code == 403
    for response, field in ((upload(admin, valueType="String"), "valueType"),
                            (admin.post(path, data={"valueType": "File"}, content_type="multipart/form-data"), "data"),
                            (upload(admin, valueType="File", note="x"), "note")):
        assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == field
    assert upload(admin, valueType="File").status_code == 204
    bad_name = admin.post(f"/process-instance/{cases['first']}/variables/_x/data",
                          data={"data": (io.BytesIO(b"x"), "x.bin")}, content_type="multipart/form-data")
    assert bad_name.status_code == 400
    ended = admin.post(f"/process-instance/{cases['ended']}/variables/seal_scan/data",
                       data={"data": (io.BytesIO(b"x"), "x.bin")}, content_type="multipart/form-data")
    assert ended.status_code == 404
