"""Timers and the job executor: boundary, intermediate and start timers; service-task retries.

Time never passes by itself: the tests move the app's clock and run one executor pass
(`execute_due_jobs`) the way the background executor would.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

import tasks as task_handlers
from app.models import HistoryEvent, Organization, ProcessInstance
from app.services.jobs import execute_due_jobs
from job_helpers import (
    bpmn, camunda_date, complete, deployed, form_files, historic_instance, historic_tasks,
    incidents, jobs, model_files, only_job, only_task, start, task_keys, tasks, variables,
)

# Every timer and retry twice: workflows restored from JSON, and taken from the instance cache.
pytestmark = pytest.mark.restored_and_cached

APRIL_FIRST_9AM_SHANGHAI = datetime(2026, 4, 1, 1, 0, tzinfo=timezone.utc)


def instance_version(ctx, instance_id: str) -> int:
    with ctx.db.read() as session:
        return session.get(ProcessInstance, instance_id).version


def event_types(ctx, instance_id: str) -> list[str]:
    with ctx.db.read() as session:
        return list(session.scalars(
            select(HistoryEvent.event_type).where(HistoryEvent.instance_id == instance_id)
            .order_by(HistoryEvent.id)
        ))


def move_clock_to(clock, when: datetime) -> None:
    clock.advance(when - clock.now())


# ------------------------------------------------------------------------- boundary timers


@pytest.mark.parametrize(("fixture", "start_variables"), [
    ("job_boundary_timer.bpmn", {}),
    ("job_boundary_timer_var.bpmn", {"reminderAfter": "P30D"}),
], ids=["P30D-as-the-modeler-writes-it", "duration-from-a-variable"])
def test_interrupting_boundary_timer_cancels_the_task_after_30_days_and_escalates(
        rest, ctx, clock, fixture, start_variables):
    analyst, officer, leader = rest("analyst"), rest("officer"), rest("leader")
    deployed(analyst, model_files(fixture))
    started_at = clock.now()
    instance_id = start(officer, fixture.removesuffix(".bpmn"), start_variables)["id"]
    review = only_task(officer, instance_id, "review")

    job = only_job(officer, instance_id)
    assert (job["jobType"], job["activityId"], job["retries"]) == ("timer", "review_deadline", 3)
    assert job["dueDate"] == camunda_date(started_at + timedelta(days=30))
    assert job["dueDate"] == "2026-04-01T09:00:00.000+0800"

    clock.advance(timedelta(days=29, hours=23))
    seen = instance_version(ctx, instance_id)
    assert execute_due_jobs(ctx) == 0
    assert task_keys(officer, instance_id) == ["review"]
    assert instance_version(ctx, instance_id) == seen, "a pass with nothing due must not write"

    clock.advance(timedelta(days=1, hours=1))  # 31 days after the start
    assert execute_due_jobs(ctx) == 1
    assert task_keys(officer, instance_id) == ["escalate"]
    assert jobs(officer, instance_id) == []
    history = historic_tasks(officer, instance_id)
    assert history["review"]["deleteReason"] == "deleted"
    assert history["review"]["endTime"] == camunda_date(clock.now())
    assert history["escalate"]["endTime"] is None
    assert "timer_fired" in event_types(ctx, instance_id)
    assert complete(officer, review["id"]).status_code == 409

    escalate = only_task(leader, instance_id, "escalate")
    assert complete(leader, escalate["id"], {"approved": True}).status_code == 204
    assert historic_instance(officer, instance_id)["state"] == "COMPLETED"


def test_non_interrupting_boundary_timer_adds_a_reminder_task_and_keeps_the_review(rest, ctx, clock):
    analyst, officer, leader = rest("analyst"), rest("officer"), rest("leader")
    deployed(analyst, model_files("job_boundary_reminder.bpmn"))
    instance_id = start(officer, "job_boundary_reminder")["id"]
    review = only_task(officer, instance_id, "review")
    assert only_job(officer, instance_id)["dueDate"] == camunda_date(clock.now() + timedelta(days=7))

    clock.advance(timedelta(days=8))
    assert execute_due_jobs(ctx) == 1
    assert task_keys(officer, instance_id) == ["review", "urge"]
    assert only_task(officer, instance_id, "review")["id"] == review["id"]
    assert historic_tasks(officer, instance_id)["review"]["deleteReason"] is None
    assert jobs(officer, instance_id) == []

    assert complete(officer, review["id"], {"approved": True}).status_code == 204
    assert task_keys(officer, instance_id) == ["urge"]
    assert historic_instance(officer, instance_id)["state"] == "ACTIVE"
    urge = only_task(leader, instance_id, "urge")
    assert complete(leader, urge["id"]).status_code == 204
    assert historic_instance(officer, instance_id)["state"] == "COMPLETED"


def test_repeating_boundary_timer_fires_once_per_cycle_then_its_job_goes(rest, ctx, clock):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_boundary_cycle.bpmn"))
    started_at = clock.now()
    instance_id = start(officer, "job_boundary_cycle")["id"]
    assert only_job(officer, instance_id)["dueDate"] == camunda_date(started_at + timedelta(days=1))

    clock.advance(timedelta(days=1, hours=1))
    assert execute_due_jobs(ctx) == 1
    assert task_keys(officer, instance_id) == ["review", "urge"]
    job = only_job(officer, instance_id)
    assert job["dueDate"] == camunda_date(started_at + timedelta(days=2))
    assert execute_due_jobs(ctx) == 0, "the next cycle is not due yet"

    clock.advance(timedelta(days=1))
    assert execute_due_jobs(ctx) == 1
    assert task_keys(officer, instance_id) == ["review", "urge", "urge"]
    assert jobs(officer, instance_id) == [], "R2 fired twice: nothing is left to schedule"

    clock.advance(timedelta(days=30))
    assert execute_due_jobs(ctx) == 0
    assert task_keys(officer, instance_id) == ["review", "urge", "urge"]


# --------------------------------------------------------------------- intermediate timers


@pytest.mark.parametrize("fixture", ["job_wait_until.bpmn", "job_wait_until_utc.bpmn"],
                         ids=["date-without-offset-is-shanghai-time", "date-with-utc-offset"])
def test_intermediate_timer_date_waits_until_that_instant(rest, ctx, clock, fixture):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files(fixture))
    instance_id = start(officer, fixture.removesuffix(".bpmn"))["id"]
    assert tasks(officer, instance_id) == []
    job = only_job(officer, instance_id)
    assert (job["activityId"], job["dueDate"]) == ("opening_day", "2026-04-01T09:00:00.000+0800")

    move_clock_to(clock, APRIL_FIRST_9AM_SHANGHAI - timedelta(seconds=1))
    assert execute_due_jobs(ctx) == 0
    assert tasks(officer, instance_id) == []

    move_clock_to(clock, APRIL_FIRST_9AM_SHANGHAI)
    assert execute_due_jobs(ctx) == 1, "a job runs when its due date is reached"
    assert task_keys(officer, instance_id) == ["open_bids"]
    assert jobs(officer, instance_id) == []


def test_executing_a_timer_job_through_rest_fires_it_before_it_is_due(rest, ctx, clock):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_wait_until.bpmn"))
    instance_id = start(officer, "job_wait_until")["id"]
    job = only_job(officer, instance_id)

    assert rest("cotton").post(f"/job/{job['id']}/execute").status_code == 403
    assert officer.post(f"/job/{job['id']}/execute").status_code == 204
    assert task_keys(officer, instance_id) == ["open_bids"]
    assert jobs(officer, instance_id) == []
    assert "timer_fired" in event_types(ctx, instance_id)
    assert officer.post(f"/job/{job['id']}/execute").status_code == 404

    move_clock_to(clock, APRIL_FIRST_9AM_SHANGHAI + timedelta(days=1))
    assert execute_due_jobs(ctx) == 0, "the timer fired once, not again at its date"
    assert task_keys(officer, instance_id) == ["open_bids"]


def test_a_timer_whose_due_date_is_missing_refuses_the_start(rest):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_boundary_timer_var.bpmn"))
    response = officer.post("/process-definition/key/job_boundary_timer_var/start",
                            json={"variables": {}})
    assert response.status_code == 400
    assert "reminderAfter" in response.get_json()["message"]
    assert officer.get("/process-instance?processDefinitionKey=job_boundary_timer_var").get_json() == []


# ---------------------------------------------------------------------- timer start events


def instances_of(api, key: str) -> list[dict]:
    response = api.get(f"/process-instance?processDefinitionKey={key}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def definition_id(deployment: dict) -> str:
    [found] = deployment["deployedProcessDefinitions"]
    return found


def test_deploying_a_timer_start_arms_one_waiting_instance_that_starts_at_its_date(rest, ctx, clock):
    analyst, officer = rest("analyst"), rest("officer")
    v1 = deployed(analyst, model_files("job_timer_start.bpmn"))
    [waiting] = instances_of(officer, "job_timer_start")
    assert waiting["definitionId"] == definition_id(v1)
    assert tasks(officer, waiting["id"]) == []
    job = only_job(officer, waiting["id"])
    assert (job["activityId"], job["dueDate"]) == ("call_opens", "2026-04-01T09:00:00.000+0800")

    again = deployed(analyst, model_files("job_timer_start.bpmn"))
    assert again["id"] == v1["id"]
    assert [i["id"] for i in instances_of(officer, "job_timer_start")] == [waiting["id"]]

    assert execute_due_jobs(ctx) == 0
    move_clock_to(clock, APRIL_FIRST_9AM_SHANGHAI + timedelta(minutes=1))
    assert execute_due_jobs(ctx) == 1
    assert only_task(officer, waiting["id"], "publish_call")["name"] == "发布申报通知"
    assert jobs(officer, waiting["id"]) == []


def test_a_newer_version_replaces_the_timer_start_that_has_not_fired(rest, ctx, clock):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_timer_start.bpmn"))
    [old] = instances_of(officer, "job_timer_start")

    renamed = bpmn("job_timer_start.bpmn").replace("发布申报通知".encode(), "发布年度申报通知".encode())
    v2 = deployed(analyst, {**form_files(), "job_timer_start.bpmn": renamed})
    [new] = instances_of(officer, "job_timer_start")
    assert new["id"] != old["id"]
    assert new["definitionId"] == definition_id(v2)
    assert historic_instance(officer, old["id"])["state"] == "EXTERNALLY_TERMINATED"
    assert jobs(officer, old["id"]) == []
    assert only_job(officer, new["id"])["dueDate"] == "2026-04-01T09:00:00.000+0800"

    move_clock_to(clock, APRIL_FIRST_9AM_SHANGHAI + timedelta(minutes=1))
    assert execute_due_jobs(ctx) == 1
    assert only_task(officer, new["id"], "publish_call")["name"] == "发布年度申报通知"
    assert tasks(officer, old["id"]) == []


def test_a_timer_start_that_already_fired_keeps_running_after_a_redeploy(rest, ctx, clock):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_timer_start.bpmn"))
    [fired] = instances_of(officer, "job_timer_start")
    move_clock_to(clock, APRIL_FIRST_9AM_SHANGHAI + timedelta(minutes=1))
    assert execute_due_jobs(ctx) == 1
    publish = only_task(officer, fired["id"], "publish_call")

    next_year = bpmn("job_timer_start.bpmn").replace(b"2026-04-01T09:00:00+08:00", b"2027-04-01T09:00:00+08:00")
    v2 = deployed(analyst, {**form_files(), "job_timer_start.bpmn": next_year})
    active = {i["id"]: i for i in instances_of(officer, "job_timer_start")}
    assert fired["id"] in active and len(active) == 2
    [armed] = [i for i in active.values() if i["id"] != fired["id"]]
    assert armed["definitionId"] == definition_id(v2)
    assert only_job(officer, armed["id"])["dueDate"] == "2027-04-01T09:00:00.000+0800"

    assert complete(officer, publish["id"], {"approved": True}).status_code == 204
    assert historic_instance(officer, fired["id"])["state"] == "COMPLETED"


# --------------------------------------------------------------------------- service tasks


SERVICE = {"fail": False, "calls": 0}


@task_handlers.handler("job_test_register")
def register_center(context):
    """Writes a row, then fails while SERVICE['fail'] is set (a registry that is down)."""
    SERVICE["calls"] += 1
    code = f"job-{context.process_instance_id[:8]}"
    context.session.add(Organization(id=code, name=f"测试登记中心 {code}", kind="enterprise"))
    context.session.flush()
    if SERVICE["fail"]:
        raise RuntimeError("登记系统不可用 / registry unavailable")
    return {"centerCode": code, "applicant": context.variables.get("applicant")}


@pytest.fixture
def service():
    SERVICE.update(fail=False, calls=0)
    yield SERVICE
    SERVICE.update(fail=False, calls=0)


def organization_exists(ctx, instance_id: str) -> bool:
    with ctx.db.read() as session:
        return session.get(Organization, f"job-{instance_id[:8]}") is not None


def test_a_succeeding_service_handler_runs_inline_and_its_variables_land_in_the_instance(
        rest, ctx, service):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, model_files("job_service_call.bpmn"))
    instance_id = start(officer, "job_service_call", {"applicant": "新疆大学"})["id"]

    assert service["calls"] == 1
    assert jobs(officer, instance_id) == []
    assert task_keys(officer, instance_id) == ["check"]
    assert variables(officer, instance_id) == {
        "applicant": "新疆大学", "centerCode": f"job-{instance_id[:8]}",
    }
    assert organization_exists(ctx, instance_id)
    assert "service_task_completed" in event_types(ctx, instance_id)


def test_a_failing_service_handler_retries_then_raises_an_incident_that_retries_resolve(
        rest, ctx, clock, service):
    analyst, officer, admin = rest("analyst"), rest("officer"), rest("admin")
    deployed(analyst, model_files("job_service_call.bpmn"))
    service["fail"] = True
    instance_id = start(officer, "job_service_call", {"applicant": "新疆大学"})["id"]

    # Saved at the service task, with nothing the failed handler wrote.
    assert officer.get(f"/process-instance/{instance_id}").get_json()["ended"] is False
    assert tasks(officer, instance_id) == []
    assert variables(officer, instance_id) == {"applicant": "新疆大学"}
    assert not organization_exists(ctx, instance_id)
    job = only_job(officer, instance_id)
    assert (job["jobType"], job["activityId"], job["retries"]) == ("service", "register", 2)
    assert job["exceptionMessage"] == "RuntimeError: 登记系统不可用 / registry unavailable"
    assert job["failedActivityId"] == "register"
    assert incidents(officer, instance_id) == []

    assert execute_due_jobs(ctx) == 0, "a retry waits for its backoff"
    clock.advance(timedelta(seconds=10))
    assert execute_due_jobs(ctx) == 1
    job = only_job(officer, instance_id)
    assert job["retries"] == 1
    assert incidents(officer, instance_id) == []
    assert not organization_exists(ctx, instance_id)

    executed = officer.post(f"/job/{job['id']}/execute")
    assert executed.status_code == 500, "an operator sees the failure of the job they ran"
    assert executed.get_json()["type"] == "ProcessEngineException"
    assert "登记系统不可用" in executed.get_json()["message"]
    job = only_job(officer, instance_id)
    assert job["retries"] == 0
    [incident] = incidents(officer, instance_id)
    assert (incident["incidentType"], incident["activityId"], incident["configuration"]) == (
        "failedJob", "register", job["id"])
    assert "登记系统不可用" in incident["incidentMessage"]
    tree = officer.get(f"/process-instance/{instance_id}/activity-instances").get_json()
    [register] = [a for a in tree["childActivityInstances"] if a["activityId"] == "register"]
    assert register["incidentIds"] == [incident["id"]]

    clock.advance(timedelta(days=10))
    assert execute_due_jobs(ctx) == 0, "a job without retries waits for an operator"
    assert service["calls"] == 3

    assert officer.put(f"/job/{job['id']}/retries", json={"retries": 1}).status_code == 403
    assert admin.put(f"/job/{job['id']}/retries", json={"retries": 1}).status_code == 204
    service["fail"] = False
    assert execute_due_jobs(ctx) == 1
    assert incidents(officer, instance_id) == []
    assert jobs(officer, instance_id) == []
    assert organization_exists(ctx, instance_id)
    assert variables(officer, instance_id)["centerCode"] == f"job-{instance_id[:8]}"
    check = only_task(officer, instance_id, "check")
    assert complete(officer, check["id"], {"approved": True}).status_code == 204
    assert historic_instance(officer, instance_id)["state"] == "COMPLETED"
    with ctx.db.read() as session:
        failures = session.scalar(select(func.count()).select_from(HistoryEvent).where(
            HistoryEvent.instance_id == instance_id, HistoryEvent.event_type == "job_failed"))
    assert failures == 3
