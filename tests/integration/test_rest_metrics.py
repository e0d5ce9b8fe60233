"""Camunda's metrics through /engine-rest, counted from history: activities and instances
started, activities ended, jobs run, the users who completed tasks, over a period and per
interval; a metric nothing here measures is refused by name."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from app.platform.jobs import execute_due_jobs
from tests.support.jobs import camunda_date, complete, deployed, model_files, only_task, start


def total(api, name: str, **period) -> int:
    query = "&".join(f"{key}={quote(camunda_date(value))}" for key, value in period.items())
    response = api.get(f"/metrics/{name}/sum?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["result"]


@pytest.fixture
def two_hours(rest, ctx, clock):
    """An instance started in the first hour and completed in the second, a timer fired in
    the second. Returns the first hour's start."""
    deployed(rest("analyst"), model_files("job_two_steps.bpmn", "job_wait_until.bpmn"))
    officer, leader = rest("officer"), rest("leader")
    began = clock.now()
    instance = start(officer, "job_two_steps")["id"]
    start(officer, "job_wait_until")
    clock.advance(timedelta(hours=1, minutes=30))
    assert complete(officer, only_task(officer, instance)["id"], {"approved": True}).status_code == 204
    assert complete(leader, only_task(leader, instance)["id"], {"approved": True}).status_code == 204
    clock.advance(timedelta(days=400))
    execute_due_jobs(ctx)
    return began


def test_sums_count_what_happened_in_the_period(rest, clock, two_hours):
    manager = rest("manager")
    first_hour = {"startDate": two_hours, "endDate": two_hours + timedelta(hours=1)}
    assert total(manager, "root-process-instance-start") == total(manager, "process-instances") == 2
    assert total(manager, "root-process-instance-start", **first_hour) == 2
    # the start events, the first review and the timer, then the gateway, the final review and the end
    assert total(manager, "activity-instance-start", **first_hour) == 4
    assert total(manager, "activity-instance-start", startDate=two_hours + timedelta(hours=1),
                 endDate=two_hours + timedelta(hours=2)) == 3
    assert total(manager, "task-users") == 2
    assert total(manager, "job-successful") == 1 and total(manager, "job-failed") == 0
    assert total(manager, "executed-decision-instances") == 0


def test_intervals_are_newest_first_and_only_where_something_was_counted(rest, two_hours):
    manager = rest("manager")
    start_ = quote(camunda_date(two_hours))
    end = quote(camunda_date(two_hours + timedelta(hours=2)))
    response = manager.get(f"/metrics?name=activity-instance-start&interval=3600&startDate={start_}&endDate={end}")
    assert response.status_code == 200, response.get_json()
    second, first = response.get_json()
    assert (first["value"], second["value"]) == (4, 3) and first["timestamp"] < second["timestamp"]
    assert first["name"] == "activity-instance-start" and first["reporter"] is None
    everything = manager.get(f"/metrics?interval=86400&startDate={start_}&endDate={end}").get_json()
    assert {"activity-instance-start", "root-process-instance-start"} <= {i["name"] for i in everything}
    assert "task-users" not in {i["name"] for i in everything}
    assert len(manager.get(f"/metrics?interval=86400&maxResults=1&startDate={start_}").get_json()) == 1
    assert manager.get(f"/metrics?reporter=engine-1&startDate={start_}").get_json() == []


def test_unknown_metrics_bad_periods_and_readers_outside_the_cockpit_are_refused(rest, two_hours):
    manager = rest("manager")
    for path, field in (("/metrics/job-acquisition-attempt/sum", "metrics-name"),
                        ("/metrics?name=task-users", "name"), ("/metrics?interval=0", "interval"),
                        ("/metrics/process-instances/sum?startDate=soon", "startDate"),
                        ("/metrics/process-instances/sum?tenantId=t", "tenantId"),
                        ("/metrics?aggregateByReporter=maybe", "aggregateByReporter")):
        response = manager.get(path)
        assert response.status_code == 400, path
        assert response.get_json()["errors"][0]["field"] == field, path
    assert rest("cotton").get("/metrics/process-instances/sum").status_code == 403
    assert rest("cotton").get("/metrics").status_code == 403
