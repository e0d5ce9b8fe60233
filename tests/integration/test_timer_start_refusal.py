"""A diagram whose timer start event cannot start its process is refused like any other
invalid model: a located ParseException, and nothing of the deployment is kept."""
from __future__ import annotations

from tests.support.jobs import bpmn, deploy_rest, form_files


def test_a_timer_start_that_cannot_start_refuses_the_deployment(rest):
    analyst = rest("analyst")
    broken = bpmn("job_timer_start.bpmn").replace(b"2026-04-01T09:00:00+08:00", b"${startAt}")
    response = deploy_rest(analyst, {**form_files(), "job_timer_start.bpmn": broken})
    assert response.status_code == 400
    body = response.get_json()
    assert body["type"] == "ParseException"
    [problem] = body["errors"]
    assert problem["field"] == "job_timer_start.bpmn"
    assert problem["message"].startswith("定时启动事件无法启动流程：")
    assert analyst.get("/process-definition?key=job_timer_start").get_json() == []
    assert analyst.get("/deployment").get_json() == []
