"""Timers and the job executor: boundary, intermediate and start timers; service-task retries.

Time never passes by itself: the tests move the app's clock and run one executor pass
(`execute_due_jobs`) the way the background executor would.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app import create_app
from app.config import ConfigError, load_settings
from app.models import Base, HistoryEvent, Organization, ProcessInstance
from app.platform.deployment import deploy
from app.platform.jobs import execute_due_jobs
from tests.support.jobs import (
    bpmn, camunda_date, complete, deploy_rest, deployed, form_files, historic_instance,
    historic_tasks, incidents, jobs, model_files, only_job, only_task, start, task_keys, tasks,
    variables,
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


# ------------------------------------------------------------ timers that must not spin


def within(seconds: float, action):
    """Run `action` in a thread: a hang fails the test instead of stalling the suite."""
    outcome = {}

    def run():
        try:
            outcome["value"] = action()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


URGE_USER_TASK = (b'<bpmn:userTask id="urge" name="\xe5\x82\xac\xe5\x8a\x9e" '
                  b'camunda:candidateGroups="department_leader" camunda:formKey="job_review"/>')


def reminder_files(timer: str, urge: str = "userTask") -> dict[str, bytes]:
    """job_boundary_reminder with another timer; `task` makes the reminder path run straight through."""
    xml = bpmn("job_boundary_reminder.bpmn")
    assert URGE_USER_TASK in xml
    xml = xml.replace(b"<bpmn:timeDuration>P7D</bpmn:timeDuration>", timer.encode())
    if urge == "task":
        xml = xml.replace(URGE_USER_TASK, b'<bpmn:task id="urge" name="urge"/>')
    return {**form_files(), "job_boundary_reminder.bpmn": xml}


def start_response(api, key: str, variables: dict):
    body = {"variables": {k: {"value": v} for k, v in variables.items()}}
    return within(10, lambda: api.post(f"/process-definition/key/{key}/start", json=body))


def urges(api, instance_id: str) -> int:
    response = api.get(f"/history/activity-instance?processInstanceId={instance_id}")
    assert response.status_code == 200, response.get_json()
    return sum(1 for a in response.get_json() if a["activityId"] == "urge")


@pytest.mark.parametrize("cycle", ["R/PT0S", "R1000/PT0S", "R/PT30S"])
def test_a_cycle_repeating_more_often_than_a_minute_is_refused_at_deploy_naming_its_event(rest, cycle):
    analyst = rest("analyst")
    response = deploy_rest(analyst, reminder_files(f"<bpmn:timeCycle>{cycle}</bpmn:timeCycle>", "task"))
    assert response.status_code == 400, response.get_json()
    [error] = response.get_json()["errors"]
    assert (error["file"], error["element_id"]) == ("job_boundary_reminder.bpmn", "review_reminder")
    assert "TIMER_MIN_CYCLE_SECONDS" in error["message"] and error["line"]
    assert analyst.get("/process-definition").get_json() == []


@pytest.mark.parametrize(("timer", "value"), [
    ("<bpmn:timeCycle>${every}</bpmn:timeCycle>", "R/PT0S"),
    ("<bpmn:timeCycle>${every}</bpmn:timeCycle>", "R/P99999999Y"),
    ("<bpmn:timeDuration>${every}</bpmn:timeDuration>", "P99999999Y"),
    ("<bpmn:timeDate>${every}</bpmn:timeDate>", "9999-12-31T23:59:59-01:00"),
], ids=["zero-cycle", "cycle-beyond-9999", "duration-beyond-9999", "date-beyond-9999"])
def test_a_timer_from_a_variable_that_would_spin_refuses_the_start_naming_its_event(rest, timer, value):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, reminder_files(timer, "task"))
    response = start_response(officer, "job_boundary_reminder", {"every": value})
    assert response.status_code == 400, response.get_json()
    message = response.get_json()["message"]
    assert value in message and "review_reminder" in message and "定时器" in message
    assert officer.get("/process-instance?processDefinitionKey=job_boundary_reminder").get_json() == []


@pytest.mark.parametrize("urge", ["task", "userTask"], ids=["straight-through", "user-task"])
def test_an_unbounded_cycle_from_a_past_date_fires_one_occurrence_per_job_execution(rest, ctx, clock, urge):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, reminder_files(
        "<bpmn:timeCycle>R/2020-01-01T00:00:00+08:00/PT1M</bpmn:timeCycle>", urge))
    response = start_response(officer, "job_boundary_reminder", {})
    assert response.status_code == 200, response.get_json()
    instance_id = response.get_json()["id"]
    assert urges(officer, instance_id) == 0, "six years of missed minutes are not fired"
    assert only_job(officer, instance_id)["dueDate"] == camunda_date(clock.now() + timedelta(minutes=1))

    clock.advance(timedelta(minutes=10))
    assert within(10, lambda: execute_due_jobs(ctx)) == 1
    assert urges(officer, instance_id) == 1, "one occurrence per job execution"
    assert only_job(officer, instance_id)["dueDate"] == camunda_date(clock.now() + timedelta(minutes=1))
    assert execute_due_jobs(ctx) == 0, "the next occurrence is still to come"

    clock.advance(timedelta(minutes=1))
    assert within(10, lambda: execute_due_jobs(ctx)) == 1
    assert urges(officer, instance_id) == 2
    assert only_task(officer, instance_id, "review")


WAIT_TWICE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="job_wait_twice_defs" targetNamespace="http://tic-flow/test">
  <bpmn:process id="job_wait_twice" name="两次等待" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first_wait"/>
    <bpmn:intermediateCatchEvent id="first_wait" name="等一小时">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="first_wait" targetRef="second_wait"/>
    <bpmn:intermediateCatchEvent id="second_wait" name="再等">
      <bpmn:timerEventDefinition><bpmn:timeDuration>${later}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="second_wait" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_timer_from_a_variable_armed_by_the_executor_raises_an_incident(rest, ctx, clock):
    analyst, officer = rest("analyst"), rest("officer")
    deployed(analyst, {"job_wait_twice.bpmn": WAIT_TWICE.encode()})
    instance_id = start(officer, "job_wait_twice", {"later": "P99999999Y"})["id"]
    clock.advance(timedelta(hours=2))
    for _ in range(3):
        assert within(10, lambda: execute_due_jobs(ctx)) == 1
        clock.advance(timedelta(hours=1))
    [incident] = incidents(officer, instance_id)
    assert incident["activityId"] == "first_wait"
    assert "second_wait" in incident["incidentMessage"] and "P99999999Y" in incident["incidentMessage"]
    assert only_job(officer, instance_id)["retries"] == 0


def test_the_minimum_cycle_interval_is_a_setting_from_the_environment(monkeypatch, database_url, clock):
    monkeypatch.setenv("TIMER_MIN_CYCLE_SECONDS", "10")
    app = create_app({"database_url": database_url, "secret_key": "test"}, clock=clock)
    ctx = app.extensions["ticflow"]
    Base.metadata.create_all(ctx.db.engine)
    with ctx.db.command() as session:
        deploy(ctx, session, None, "every-half-minute",
               reminder_files("<bpmn:timeCycle>R/PT30S</bpmn:timeCycle>"))
    ctx.db.dispose()
    for wrong in ("0", "-60", "soon"):
        monkeypatch.setenv("TIMER_MIN_CYCLE_SECONDS", wrong)
        with pytest.raises(ConfigError, match="TIMER_MIN_CYCLE_SECONDS"):
            load_settings()
