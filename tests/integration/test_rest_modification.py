"""Modifying many process instances at once (Camunda's /modification/execute and
executeAsync): an administrator moves the token of every named or queried running instance
of one definition, all of them or none."""
from __future__ import annotations

import pytest

from tests.support.jobs import deployed, model_files, only_task, start, task_keys

MOVE = [{"type": "cancel", "activityId": "first_review"},
        {"type": "startBeforeActivity", "activityId": "final_review"}]


@pytest.fixture
def two_cases(rest):
    deployed(rest("analyst"), model_files("job_two_steps.bpmn", "job_boundary_timer.bpmn"))
    officer = rest("officer")
    return [start(officer, "job_two_steps", business_key=key)["id"] for key in ("CASE-1", "CASE-2")]


def definition_of(rest, instance: str) -> str:
    return only_task(rest("officer"), instance)["processDefinitionId"]


def execute(api, body: dict, path: str = "/modification/execute"):
    return api.post(path, json=body)


def test_the_named_instances_move_together_and_the_operation_is_logged(rest, two_cases):
    admin, definition = rest("admin"), definition_of(rest, two_cases[0])
    response = execute(admin, {"processDefinitionId": definition, "instructions": MOVE,
                               "processInstanceIds": two_cases, "annotation": "初审环节合并到终审"})
    assert response.status_code == 204, response.get_json()
    assert [task_keys(admin, instance) for instance in two_cases] == [["final_review"], ["final_review"]]
    [logged] = admin.get("/history/user-operation?operationType=ModifyProcessInstance").get_json()
    assert (logged["userId"], logged["processDefinitionId"]) == ("admin", definition)


def test_a_query_chooses_the_instances_and_the_async_variant_answers_a_done_batch(rest, two_cases):
    admin, definition = rest("admin"), definition_of(rest, two_cases[0])
    response = execute(admin, {"processDefinitionId": definition, "instructions": MOVE,
                               "processInstanceQuery": {"businessKey": "CASE-2"}},
                       "/modification/executeAsync")
    assert response.status_code == 200, response.get_json()
    done = response.get_json()
    assert (done["type"], done["invocationsPerBatchJob"], done["createUserId"]) == ("instance-modification", 1, "admin")
    assert done["startTime"] == done["executionStartTime"]
    assert admin.get(f"/history/batch/{done['id']}").get_json()["invocationsPerBatchJob"] == 1
    assert task_keys(admin, two_cases[0]) == ["first_review"] and task_keys(admin, two_cases[1]) == ["final_review"]


def test_one_instance_that_cannot_move_leaves_every_instance_where_it_was(rest, two_cases):
    admin, definition = rest("admin"), definition_of(rest, two_cases[0])
    assert execute(admin, {"processDefinitionId": definition, "instructions": MOVE,
                           "processInstanceIds": [two_cases[1]]}).status_code == 204
    response = execute(admin, {"processDefinitionId": definition, "instructions": MOVE,
                               "processInstanceIds": two_cases})
    assert response.status_code == 400
    [error] = response.get_json()["errors"]
    assert error["field"] == "processInstanceIds" and two_cases[1] in error["message"]
    assert task_keys(admin, two_cases[0]) == ["first_review"]
    other = start(rest("officer"), "job_boundary_timer")["id"]
    foreign = execute(admin, {"processDefinitionId": definition, "instructions": MOVE,
                              "processInstanceIds": [two_cases[0], other]})
    assert foreign.status_code == 400 and other in foreign.get_json()["errors"][0]["message"]
    assert task_keys(admin, two_cases[0]) == ["first_review"]


def test_only_administrators_modify_and_bad_bodies_are_refused_by_field(rest, two_cases):
    definition = definition_of(rest, two_cases[0])
    good = {"processDefinitionId": definition, "instructions": MOVE, "processInstanceIds": two_cases}
    assert execute(rest("officer"), good).status_code == 403
    assert execute(rest("officer"), good, "/modification/executeAsync").status_code == 403
    admin = rest("admin")
    for body, field in (({**good, "processDefinitionId": None}, "processDefinitionId"),
                        ({**good, "processInstanceIds": []}, "processInstanceIds"),
                        ({**good, "processInstanceIds": "all"}, "processInstanceIds"),
                        ({**good, "processInstanceQuery": []}, "processInstanceQuery"),
                        ({**good, "processInstanceQuery": {"colour": "red"}}, "colour"),
                        ({**good, "instructions": MOVE[:1]}, "instructions"),
                        ({**good, "skipIoMappings": "yes"}, "skipIoMappings"),
                        ({**good, "historicProcessInstanceQuery": {}}, "historicProcessInstanceQuery")):
        response = execute(admin, body)
        assert response.status_code == 400, body
        assert response.get_json()["errors"][0]["field"] == field, body
    assert [task_keys(admin, instance) for instance in two_cases] == [["first_review"], ["first_review"]]
