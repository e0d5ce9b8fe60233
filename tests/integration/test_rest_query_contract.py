"""The REST lists keep Camunda's query contract (issue 15): a parameter a list does not
support is a 400 naming it, never silently ignored (that returned wrong data); every list
has its `/count` with the same filters; the runtime API knows running instances only."""
from __future__ import annotations

import re

import pytest

from tests.support.jobs import complete, deployed, model_files, only_task, start

UNSUPPORTED = [
    ("/process-instance", "caseInstanceId"),
    ("/task", "taskVariables"),
    ("/history/process-instance", "executedJobAfter"),
    ("/history/task", "taskInvolvedUser"),
    ("/job", "jobDefinitionId"),
    ("/incident", "jobDefinitionIdIn"),
    ("/deployment", "nameLike"),
    ("/process-definition", "keyLike"),
    ("/decision-definition", "nameLike"),
]


@pytest.mark.parametrize(("path", "parameter"), UNSUPPORTED, ids=[p for p, _ in UNSUPPORTED])
def test_a_parameter_a_list_does_not_support_is_a_400_naming_it(rest, path, parameter):
    response = rest("admin").get(f"{path}?{parameter}=x")
    assert response.status_code == 400
    body = response.get_json()
    assert parameter in body["message"] and body["errors"][0]["field"] == parameter


def _get_paths(app):
    """Every GET route under /engine-rest, its placeholders filled, with its documented query."""
    from app.web.rest.openapi import OPERATIONS

    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/engine-rest/") and "GET" in rule.methods:
            route = rule.rule[len("/engine-rest"):]
            # The document itself (/openapi.json) is the one route without an entry.
            operation = OPERATIONS.get(f"GET {route}")
            yield re.sub(r"<[^>]+>", "unknown-id", route), operation.query if operation else ()


def test_every_get_refuses_a_parameter_it_does_not_support_before_looking_anything_up(app, rest):
    """Read by id too: an unknown id must not hide the refusal, or a client's typo would
    pass unnoticed on the ids that exist."""
    admin = rest("admin")
    for path, _documented in _get_paths(app):
        response = admin.get(f"{path}?sortOrdr=asc")
        assert response.status_code == 400, path
        assert response.get_json()["errors"][0]["field"] == "sortOrdr", path


def test_every_parameter_the_api_documents_is_one_its_route_takes(app, rest):
    admin = rest("admin")
    for path, documented in _get_paths(app):
        for name in documented:
            body = admin.get(path, query_string={name: "1"}).get_json(silent=True)
            refused = isinstance(body, dict) and "unsupported" in body.get("message", "")
            assert not (refused and name in body["message"]), (path, name, body)


@pytest.fixture
def two_cases(rest):
    """Two running cases of job_two_steps and one finished."""
    officer = rest("officer")
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    running = [start(officer, "job_two_steps")["id"] for _ in range(2)]
    finished = start(officer, "job_two_steps")["id"]
    for who in ("officer", "leader"):  # 初审 by the department, 终审 by its leader
        step = only_task(rest(who), finished)["id"]
        assert complete(rest(who), step, {"approved": True}).status_code == 204
    return {"running": running, "finished": finished}


COUNTED = [
    "/process-instance?processDefinitionKey=job_two_steps",
    "/task?processDefinitionKey=job_two_steps",
    "/history/process-instance?processDefinitionKey=job_two_steps",
    "/history/task?finished=true",
    "/job",
    "/incident",
    "/deployment",
    "/process-definition?key=job_two_steps",
]


@pytest.mark.parametrize("listed", COUNTED)
def test_every_list_counts_what_it_lists_with_the_same_filters(rest, two_cases, listed):
    admin = rest("admin")
    path, _, query = listed.partition("?")
    rows = admin.get(listed).get_json()
    counted = admin.get(f"{path}/count" + (f"?{query}" if query else ""))
    assert counted.status_code == 200, counted.get_json()
    assert counted.get_json() == {"count": len(rows)}


def test_counts_follow_the_filters(rest, two_cases):
    admin = rest("admin")
    assert admin.get("/process-instance/count?processDefinitionKey=job_two_steps").get_json() == {"count": 2}
    assert admin.get("/history/process-instance/count?processDefinitionKey=job_two_steps").get_json() == {"count": 3}
    assert admin.get("/task/count?processDefinitionKey=job_two_steps").get_json() == {"count": 2}
    assert admin.get("/task/count?processDefinitionKey=nothing").get_json() == {"count": 0}
    assert admin.get("/history/task/count?finished=true").get_json() == {"count": 2}


def test_the_job_count_counts_each_instances_timer(rest):
    officer = rest("officer")
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    cases = [start(officer, "job_boundary_timer")["id"] for _ in range(2)]
    admin = rest("admin")
    assert admin.get("/job/count").get_json() == {"count": 2}
    assert admin.get(f"/job/count?processInstanceId={cases[0]}").get_json() == {"count": 1}


def test_a_count_refuses_paging_and_unknown_filters(rest):
    admin = rest("admin")
    assert admin.get("/task/count?maxResults=5").status_code == 400
    assert admin.get("/process-instance/count?variableNamesIgnoreCase=x").status_code == 400


def test_history_gives_one_instance_by_its_id_running_or_ended_to_whoever_may_read_it(rest, two_cases):
    officer = rest("officer")
    ended = officer.get(f"/history/process-instance/{two_cases['finished']}")
    running = officer.get(f"/history/process-instance/{two_cases['running'][0]}").get_json()
    listed = officer.get(f"/history/process-instance?processInstanceId={two_cases['finished']}").get_json()

    assert ended.status_code == 200 and ended.get_json() == listed[0]
    assert ended.get_json()["state"] == "COMPLETED" and ended.get_json()["endTime"] is not None
    assert running["state"] == "ACTIVE" and running["endTime"] is None
    assert rest("cotton").get(f"/history/process-instance/{two_cases['finished']}").status_code == 404
    missing = officer.get("/history/process-instance/no-such-instance")
    assert missing.status_code == 404 and "no-such-instance" in missing.get_json()["message"]


def test_a_finished_instance_is_404_at_runtime_and_found_in_history(rest, two_cases):
    admin = rest("admin")
    assert admin.get(f"/process-instance/{two_cases['running'][0]}").status_code == 200
    gone = admin.get(f"/process-instance/{two_cases['finished']}")
    assert gone.status_code == 404 and "history" in gone.get_json()["message"]
    [historic] = admin.get(f"/history/process-instance?processInstanceId={two_cases['finished']}").get_json()
    assert historic["state"] == "COMPLETED"
