"""Camunda 7's statistics and historic activity queries over the cockpit's services:
GET /process-definition/statistics, /process-definition/{id}/statistics and
/history/activity-instance with the filters a path view needs, and their /count."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.platform.jobs import execute_due_jobs
from tests.support.cockpit import started_reviews
from tests.support.handlers import SERVICE
from tests.support.jobs import deployed, model_files, start


@pytest.fixture
def reviews(rest, clock):
    return started_reviews(rest, clock)


def definition_id(rest, key: str) -> str:
    return rest("manager").get(f"/process-definition/key/{key}").get_json()["id"]


def test_definition_statistics_count_running_instances_per_version(rest, reviews):
    response = rest("manager").get("/process-definition/statistics")

    assert response.status_code == 200
    [row] = [r for r in response.get_json() if r["definition"]["key"] == "tl_review"]
    assert row["@class"].endswith("ProcessDefinitionStatisticsResultDto")
    assert (row["id"], row["instances"], row["failedJobs"], row["incidents"]) == (
        definition_id(rest, "tl_review"), 3, 0, [])
    assert row["definition"]["version"] == 1


def test_activity_statistics_of_one_definition(rest, reviews):
    response = rest("officer").get(f"/process-definition/{definition_id(rest, 'tl_review')}/statistics")

    assert response.status_code == 200
    by_activity = {r["id"]: r for r in response.get_json()}
    assert by_activity["recommend"]["instances"] == 2 and by_activity["fill"]["instances"] == 1
    assert by_activity["recommend"]["@class"].endswith("ActivityStatisticsResultDto")
    assert "review" not in by_activity


@pytest.fixture
def incident(rest, ctx, clock):
    """job_service_call's service task out of retries: one failed job, one incident."""
    SERVICE.update(fail=True, calls=0)
    deployed(rest("analyst"), model_files("job_service_call.bpmn"))
    start(rest("officer"), "job_service_call", {"applicant": "新疆大学"})
    for _retry in range(2):
        clock.advance(timedelta(hours=1))
        execute_due_jobs(ctx)
    yield definition_id(rest, "job_service_call")
    SERVICE.update(fail=False, calls=0)


def test_failed_jobs_and_incidents_only_when_asked(rest, incident):
    manager = rest("manager")

    plain = manager.get(f"/process-definition/{incident}/statistics").get_json()
    asked = manager.get(f"/process-definition/{incident}/statistics?failedJobs=true&incidents=true").get_json()
    typed = manager.get(f"/process-definition/{incident}/statistics?incidentsForType=other").get_json()
    overall = manager.get("/process-definition/statistics?failedJobs=true&rootIncidents=true").get_json()

    assert [(r["id"], r["failedJobs"], r["incidents"]) for r in plain] == [("register", 0, [])]
    assert [(r["id"], r["failedJobs"], r["incidents"]) for r in asked] == [
        ("register", 1, [{"incidentType": "failedJob", "incidentCount": 1}])]
    assert typed[0]["incidents"] == []
    [row] = [r for r in overall if r["id"] == incident]
    assert (row["instances"], row["failedJobs"], row["incidents"]) == (
        1, 1, [{"incidentType": "failedJob", "incidentCount": 1}])


@pytest.mark.parametrize("query", ["incidents=true&rootIncidents=true", "colour=red", "failedJobs=yes"])
def test_bad_statistics_parameters_are_a_400(rest, query):
    assert rest("manager").get(f"/process-definition/statistics?{query}").status_code == 400


def test_statistics_are_for_cockpit_readers_and_an_unknown_definition_is_404(rest, reviews):
    for user in ("cotton", "urumqi", "expert4", "analyst"):
        response = rest(user).get("/process-definition/statistics")
        assert response.status_code == 403, user
        assert response.get_json()["type"] == "AuthorizationException"
    assert rest("manager").get("/process-definition/nope:1:x/statistics").status_code == 404


def activities(rest, query: str) -> list[dict]:
    response = rest("manager").get(f"/history/activity-instance?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def count(rest, query: str) -> int:
    response = rest("manager").get(f"/history/activity-instance/count?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["count"]


def test_historic_activities_filter_what_a_path_view_needs(rest, reviews):
    done, withdrawn = reviews[4], reviews[3]

    assert [a["activityId"] for a in activities(rest, f"processInstanceId={done}&activityType=endEvent")] == ["end"]
    assert {a["activityId"] for a in activities(rest, f"processInstanceId={reviews[0]}&unfinished=true")} == {
        "recommend", "withdrawn_at_recommend"}
    assert [a["activityId"] for a in activities(rest, f"processInstanceId={withdrawn}&canceled=true")] == ["fill"]
    assert count(rest, "activityId=recommend&unfinished=true") == 2
    assert count(rest, f"processInstanceId={done}&finished=true") == len(
        activities(rest, f"processInstanceId={done}&finished=true"))
    by_id = [a["activityId"] for a in activities(rest, f"processInstanceId={done}&sortBy=activityId&sortOrder=desc")]
    assert by_id == sorted(by_id, reverse=True) and "end" in by_id


def test_historic_activities_take_camundas_filters_in_the_query_or_a_posted_body(rest, reviews):
    done = reviews[4]
    manager = rest("manager")
    ended = activities(rest, f"processInstanceId={done}&finished=true")
    task = next(a for a in ended if a["activityType"] == "userTask")

    posted = manager.post("/history/activity-instance", json={"processInstanceId": done, "finished": True,
                                                              "sorting": [{"sortBy": "startTime", "sortOrder": "asc"}]})
    assert posted.status_code == 200 and posted.get_json() == ended
    counted = manager.post("/history/activity-instance/count", json={"processInstanceId": done, "finished": True})
    assert counted.get_json() == {"count": len(ended)}
    assert [a["id"] for a in activities(rest, f"activityInstanceId={task['id']}")] == [task["id"]]
    named = activities(rest, f"processInstanceId={done}&activityNameLike={task['activityName'][:1]}%")
    assert task["id"] in {a["id"] for a in named}
    end = task["endTime"].replace("+", "%2B")
    assert task["id"] in {a["id"] for a in activities(rest, f"processInstanceId={done}&finishedAfter={end}")}
    assert count(rest, f"processInstanceId={done}&startedBefore=2000-01-01T00:00:00.000%2B0800") == 0
    assert activities(rest, "tenantIdIn=a") == []
    refused = manager.post("/history/activity-instance", json={"processInstance": done})
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "processInstance"


@pytest.mark.parametrize("query", ["sortBy=colour", "sortOrder=up", "finished=true&unfinished=true",
                                   "canceled=maybe", "processInstance=x"])
def test_bad_history_parameters_are_a_400_naming_them(rest, query):
    response = rest("manager").get(f"/history/activity-instance?{query}")

    assert response.status_code == 400
    assert query.split("&")[-1].split("=")[0] in response.get_json()["message"] or response.get_json().get("errors")
