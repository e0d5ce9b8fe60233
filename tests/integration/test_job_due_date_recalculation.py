"""A deadline counted in working days follows the calendar (Camunda's
`POST /job/{id}/duedate/recalculate`): when the administrators add a holiday after a timer
was armed, an operator counts the timer again, from when it was armed or from now."""
from __future__ import annotations

from datetime import datetime

from app.clock import SHANGHAI
from app.platform import working_calendar
from app.platform.jobs import execute_due_jobs
from tests.support.services import as_user, deploy_fixtures


def at(y, m, d, hour=10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def started(ctx, clock, rest) -> str:
    clock.freeze(at(2026, 2, 12))
    deploy_fixtures(ctx, "wd_deadlines.bpmn", "tl_application.schema.json", "tl_decision.schema.json")
    response = rest("cotton").post("/process-definition/key/wd_deadlines/start", json={
        "variables": {"applicantOrg": {"value": "tianmian", "type": "String"}}})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["id"]


def timer_job(admin, instance_id: str) -> dict:
    [job] = admin.get("/job", query_string={"processInstanceId": instance_id, "timers": "true"}).get_json()
    return job


def test_a_holiday_added_later_moves_a_working_day_deadline_when_it_is_recalculated(ctx, clock, rest):
    instance_id = started(ctx, clock, rest)
    admin = rest("admin")
    # Thu 12 Feb + 10 working days (Spring Festival off 15–23, Saturdays 14 and 28 worked): Wed 4 Mar.
    job = timer_job(admin, instance_id)
    assert job["dueDate"].startswith("2026-03-04T10:00:00")

    clock.freeze(at(2026, 2, 20))
    as_user(ctx, "admin", working_calendar.save_day, {"day": "2026-02-27", "kind": "holiday", "name": "临时休假"})
    assert admin.post(f"/job/{job['id']}/duedate/recalculate").status_code == 204
    # From when it was armed, one working day fewer before March: Thu 5 Mar.
    assert timer_job(admin, instance_id)["dueDate"].startswith("2026-03-05T10:00:00")

    # From now (Fri 20 Feb, in the festival): 24, 25, 26, 28, 2, 3, 4, 5, 6, 9 → Mon 9 Mar.
    assert admin.post(f"/job/{job['id']}/duedate/recalculate?creationDateBased=false").status_code == 204
    assert timer_job(admin, instance_id)["dueDate"].startswith("2026-03-09T10:00:00")
    history = admin.get(f"/history/process-instance/{instance_id}").get_json()
    assert history["state"] == "ACTIVE"

    clock.freeze(at(2026, 3, 9))
    assert execute_due_jobs(ctx) == 1
    assert admin.get(f"/history/process-instance/{instance_id}").get_json()["state"] == "COMPLETED"


def test_only_an_operator_recalculates_and_only_a_timer(ctx, clock, rest):
    instance_id = started(ctx, clock, rest)
    job = timer_job(rest("admin"), instance_id)

    assert rest("officer").post(f"/job/{job['id']}/duedate/recalculate").status_code == 403
    assert rest("admin").post("/job/no-such-job/duedate/recalculate").status_code == 404
    refused = rest("admin").post(f"/job/{job['id']}/duedate/recalculate?creationDateBased=maybe")
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "creationDateBased"
    assert rest("admin").post(f"/job/{job['id']}/duedate/recalculate?cascade=true").status_code == 400
