"""Camunda's cleanable-history reports: each definition's finished instances (or a decision
table's evaluations), none of them cleanable, since history here is kept and no definition
has a time to live."""
from __future__ import annotations

import pytest

from tests.support.flows import deployed, start
from tests.support.jobs import complete, model_files, only_task
from tests.support.jobs import deployed as deployed_files
from tests.support.jobs import start as start_key

PROCESSES = "/history/process-definition/cleanable-process-instance-report"
DECISIONS = "/history/decision-definition/cleanable-decision-instance-report"


@pytest.fixture
def history(rest):
    """Two reviews, one of them finished; two suggested grades, each evaluated once."""
    deployed_files(rest("analyst"), model_files("job_two_steps.bpmn"))
    deployed(rest("analyst"), "flow_suggested_grade.bpmn", "flow_suggested_grade.dmn")
    officer = rest("officer")
    reviews = [start_key(officer, "job_two_steps")["id"] for _ in range(2)]
    assert complete(officer, only_task(officer, reviews[0])["id"], {"approved": False}).status_code == 204
    for score in (60, 88):
        start(officer, "flow_suggested_grade", category="domain", averageScore=score)


def test_each_definition_has_its_finished_instances_and_nothing_cleanable(rest, history):
    manager = rest("manager")
    rows = {r["processDefinitionKey"]: r for r in manager.get(PROCESSES).get_json()}
    review = rows["job_two_steps"]
    assert (review["finishedProcessInstanceCount"], review["cleanableProcessInstanceCount"]) == (1, 0)
    assert review["historyTimeToLive"] is None and review["processDefinitionVersion"] == 1
    assert review["processDefinitionName"] == "两级审核" and review["tenantId"] is None
    assert rows["flow_suggested_grade"]["finishedProcessInstanceCount"] == 0
    [compact] = manager.get(f"{PROCESSES}?compact=true").get_json()
    assert compact["processDefinitionKey"] == "job_two_steps"
    assert manager.get(f"{PROCESSES}/count?processDefinitionKeyIn=job_two_steps,flow_suggested_grade").get_json() == {
        "count": 2}
    ordered = manager.get(f"{PROCESSES}?sortBy=finished&sortOrder=desc&maxResults=1").get_json()
    assert [r["processDefinitionKey"] for r in ordered] == ["job_two_steps"]
    assert manager.get(f"{PROCESSES}/count?tenantIdIn=t1").get_json() == {"count": 0}


def test_each_decision_table_has_its_evaluations_and_nothing_cleanable(rest, history):
    [row] = rest("manager").get(f"{DECISIONS}?decisionDefinitionKeyIn=flow_suggested_grade").get_json()
    assert (row["finishedDecisionInstanceCount"], row["cleanableDecisionInstanceCount"]) == (2, 0)
    assert row["historyTimeToLive"] is None and row["decisionDefinitionVersion"] == 1
    assert rest("manager").get(f"{DECISIONS}/count?compact=true").get_json() == {"count": 1}


def test_readers_outside_the_cockpit_and_bad_queries_are_refused(rest, history):
    assert rest("cotton").get(PROCESSES).status_code == 403
    assert rest("cotton").get(f"{DECISIONS}/count").status_code == 403
    for path, field in ((f"{PROCESSES}?sortBy=key&sortOrder=asc", "sortBy"), (f"{PROCESSES}?finished=true", "finished"),
                        (f"{DECISIONS}?compact=yes", "compact")):
        response = rest("manager").get(path)
        assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == field, path
