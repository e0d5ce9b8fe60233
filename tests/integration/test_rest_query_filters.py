"""The REST lists take Camunda's filters, sortings and POST queries (issue 15): each filter
narrows to what it names (it used to be ignored and return everything), every list sorts
by Camunda's keys in both orders, lists are whole unless Camunda's queryMaxResultsLimit is
configured, and a confidential variable cannot be probed through a filter."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from app.clock import format_camunda
from app.config import load_settings
from app.core.identity import load_actor
from app.core.paging import Page
from app.platform import history_queries, queries
from app.platform.query_criteria import Query, VariableFilter
from tests.support.apps import build_app
from tests.support.clients import Api, Rest, basic
from tests.support.flows import deployed as deployed_flows
from tests.support.flows import start as start_flow
from tests.support.handlers import SERVICE
from tests.support.jobs import bpmn, complete, deployed, incidents, model_files, only_job, only_task, start

KEY = "job_two_steps"


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [row["id"] for row in response.get_json()]


def _refused(response, field: str) -> str:
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert body["errors"][0]["field"] == field, body
    return body["message"]


@pytest.fixture
def cases(rest, clock):
    """Three running cases of job_two_steps an hour apart, then one finished; and another
    process deployed on its own."""
    officer = rest("officer")
    deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"), name="second")
    found = {}
    for name, business_key, values in (
        ("north", "XJ-2026-001", {"amount": 800, "city": "乌鲁木齐", "urgent": True}),
        ("south", "XJ-2026-002", {"amount": 120, "city": "喀什", "urgent": False}),
        ("east", "XJ_2026_004", {"amount": 500.5, "city": "Hami"}),
        ("done", "BT-2026-003", {"amount": 500, "city": "Kashgar"}),
    ):
        found[name] = start(officer, KEY, values, business_key=business_key)["id"]
        clock.advance(timedelta(hours=1))
    for who in ("officer", "leader"):
        step = only_task(rest(who), found["done"])["id"]
        assert complete(rest(who), step, {"approved": True}).status_code == 204
    return found


def test_super_and_sub_process_instance_find_only_called_instances(rest):
    """A called process runs inside its caller's instance: no instance is another's child,
    and the caller itself is not one either."""
    deployed_flows(rest("analyst"), "flow_call_parent.bpmn", "flow_call_child.bpmn")
    caller = start_flow(rest("officer"), "flow_call_parent", project_no="XJ-2026-007")
    admin = rest("admin")
    assert caller in _ids(admin.get("/process-instance"))
    for path in (f"/process-instance?superProcessInstance={caller}", f"/process-instance?subProcessInstance={caller}",
                 f"/history/process-instance?superProcessInstanceId={caller}",
                 f"/history/process-instance?subProcessInstanceId={caller}"):
        assert _ids(admin.get(path)) == [], path


def test_task_process_instance_id_in_finds_only_those_instances_tasks(rest, cases):
    admin = rest("admin")
    found = admin.get(f"/task?processInstanceIdIn={cases['north']},{cases['east']}").get_json()
    assert sorted(t["processInstanceId"] for t in found) == sorted([cases["north"], cases["east"]])


def test_history_finished_and_unfinished_narrow_to_ended_and_running_instances(rest, cases):
    admin = rest("admin")
    query = f"/history/process-instance?processDefinitionKey={KEY}"
    assert _ids(admin.get(f"{query}&finished=true")) == [cases["done"]]
    assert sorted(_ids(admin.get(f"{query}&unfinished=true"))) == sorted(
        [cases["north"], cases["south"], cases["east"]])
    assert len(_ids(admin.get(f"{query}&finished=false"))) == 4  # Camunda's default: no restriction
    done = admin.get("/history/task?finished=true&processInstanceIdIn=" + cases["done"]).get_json()
    assert sorted(t["taskDefinitionKey"] for t in done) == ["final_review", "first_review"]


SORTED = [
    ("/process-instance", "businessKey", "businessKey"),
    ("/process-instance", "instanceId", "id"),
    ("/task", "instanceId", "processInstanceId"),
    ("/task", "id", "id"),
    ("/history/process-instance", "businessKey", "businessKey"),
    ("/history/process-instance", "startTime", "startTime"),
    ("/history/task", "taskId", "id"),
    ("/history/task", "processInstanceId", "processInstanceId"),
    ("/deployment", "id", "id"),
    ("/deployment", "name", "name"),
    ("/process-definition", "id", "id"),
    ("/process-definition", "key", "key"),
    ("/history/activity-instance", "activityId", "activityId"),
]


@pytest.mark.parametrize(("path", "sort_by", "field"), SORTED, ids=[f"{p}:{s}" for p, s, _ in SORTED])
def test_every_list_sorts_by_camundas_keys_in_both_orders(rest, cases, path, sort_by, field):
    admin = rest("admin")
    ascending = [row[field] for row in admin.get(f"{path}?sortBy={sort_by}&sortOrder=asc").get_json()]
    descending = [row[field] for row in admin.get(f"{path}?sortBy={sort_by}&sortOrder=desc").get_json()]
    assert len(ascending) >= 2 and len(set(ascending)) >= 2
    assert ascending == sorted(ascending) and descending == sorted(ascending, reverse=True)


def test_duration_and_definition_version_sort_historic_instances(rest, cases, clock):
    admin = rest("admin")
    by_duration = _ids(admin.get(f"/history/process-instance?processDefinitionKey={KEY}"
                                 "&sortBy=duration&sortOrder=desc"))
    # Running instances have no duration: they come first going down, as on PostgreSQL.
    assert by_duration[-1] == cases["done"]
    assert len(_ids(admin.get("/history/process-instance?sortBy=definitionVersion&sortOrder=asc"))) == 4


@pytest.mark.parametrize(("query", "field", "said"), [
    ("sortBy=foo&sortOrder=asc", "sortBy", "sortBy foo is not one of"),
    ("sortBy=businessKey&sortOrder=up", "sortOrder", "sortOrder must be asc or desc"),
    ("sortBy=businessKey", "sortOrder", "Only a single sorting parameter specified. sortBy and sortOrder required"),
    ("sortOrder=desc", "sortBy", "Only a single sorting parameter specified. sortBy and sortOrder required"),
])
def test_a_bad_sorting_is_a_400_naming_the_field(rest, query, field, said):
    assert said in _refused(rest("admin").get(f"/process-instance?{query}"), field)
    assert said in _refused(rest("admin").get(f"/history/task?{query.replace('businessKey', 'taskId')}"), field)


LISTS = ["/process-instance", "/task", "/history/process-instance", "/history/task", "/history/activity-instance",
         "/job", "/incident", "/deployment", "/process-definition", "/decision-definition"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_refuses_an_unknown_sort_key_and_a_lone_sort_order(rest, path):
    admin = rest("admin")
    _refused(admin.get(f"{path}?sortBy=foo&sortOrder=asc"), "sortBy")
    _refused(admin.get(f"{path}?sortOrder=asc"), "sortBy")
    assert admin.get(f"{path}?maxResults=5").status_code == 200


def test_like_filters_are_case_sensitive_with_percent_the_only_wildcard(rest, cases):
    admin = rest("admin")
    assert sorted(_ids(admin.get("/process-instance?businessKeyLike=XJ-%"))) == sorted(
        [cases["north"], cases["south"]])
    assert _ids(admin.get("/process-instance?businessKeyLike=xj-%")) == []
    # `_` is itself, not any one character as in SQL.
    assert _ids(admin.get(f"/process-instance?businessKeyLike={quote('XJ_2026%')}")) == [cases["east"]]
    names = {t["name"] for t in admin.get(f"/task?nameLike={quote('%审')}").get_json()}
    assert names == {"初审"}
    assert _ids(admin.get(f"/history/task?taskNameLike={quote('终%')}")) == [
        t["id"] for t in admin.get(f"/history/task?processInstanceId={cases['done']}&taskDefinitionKey=final_review")
        .get_json()]


def test_in_lists_narrow_every_family(rest, cases):
    admin = rest("admin")
    assert sorted(_ids(admin.get("/process-instance?activityIdIn=first_review"))) == sorted(
        [cases["north"], cases["south"], cases["east"]])
    assert _ids(admin.get("/process-instance?activityIdIn=final_review")) == []
    assert len(_ids(admin.get(f"/process-instance?processDefinitionKeyIn={KEY},other"))) == 3
    assert _ids(admin.get(f"/process-instance?processDefinitionKeyNotIn={KEY}")) == []
    assert _ids(admin.get("/history/process-instance?processInstanceBusinessKeyIn=BT-2026-003,none")) == [
        cases["done"]]
    assert sorted(_ids(admin.get(f"/process-instance?processInstanceIds={cases['north']},{cases['done']}"))) == [
        cases["north"]]
    keys = {t["taskDefinitionKey"] for t in admin.get("/task?taskDefinitionKeyIn=final_review").get_json()}
    assert keys == set()


def test_date_ranges_narrow_and_a_bad_date_is_a_400_naming_it(rest, cases, clock):
    admin = rest("admin")
    query = f"/history/process-instance?processDefinitionKey={KEY}"
    south = admin.get(f"/history/process-instance?processInstanceId={cases['south']}").get_json()[0]
    started = quote(south["startTime"])
    assert sorted(_ids(admin.get(f"{query}&startedBefore={started}"))) == sorted([cases["north"], cases["south"]])
    assert sorted(_ids(admin.get(f"{query}&startedAfter={started}"))) == sorted(
        [cases["south"], cases["east"], cases["done"]])
    assert _ids(admin.get(f"{query}&finishedAfter={started}")) == [cases["done"]]
    created = quote(format_camunda(clock.now() - timedelta(minutes=30)))
    assert {t["taskDefinitionKey"] for t in admin.get(f"/task?createdAfter={created}").get_json()} == set()
    assert len(admin.get(f"/task?createdBefore={created}").get_json()) == 3
    _refused(admin.get("/history/process-instance?startedBefore=yesterday"), "startedBefore")
    _refused(admin.get("/task?dueAfter=2026-13-01T00:00:00"), "dueAfter")


def test_active_suspended_assigned_and_candidate_filters(rest, cases):
    admin, officer = rest("admin"), rest("officer")
    assert admin.put(f"/process-instance/{cases['south']}/suspended", json={"suspended": True}).status_code == 204
    assert _ids(admin.get(f"/process-instance?processDefinitionKey={KEY}&suspended=true")) == [cases["south"]]
    assert sorted(_ids(admin.get(f"/process-instance?processDefinitionKey={KEY}&active=true"))) == sorted(
        [cases["north"], cases["east"]])
    assert _ids(admin.get("/history/process-instance?completed=true")) == [cases["done"]]
    # The starter's own first step is theirs: each case's 初审 is assigned to the officer.
    north_task = only_task(officer, cases["north"])["id"]
    assert officer.post(f"/task/{north_task}/unclaim").status_code == 204
    assert _ids(admin.get("/task?unassigned=true")) == [north_task]
    assert len(_ids(admin.get("/task?assigned=true"))) == 2
    assert len(_ids(admin.get("/task?assigneeLike=off%"))) == 2
    assert _ids(admin.get("/task?assigneeLike=Off%")) == []
    assert len(_ids(admin.get("/task?candidateGroups=department_leader,department"))) == 3
    assert _ids(admin.get("/task?candidateGroups=department_leader")) == []
    assert _ids(admin.get("/task?withoutCandidateGroups=true")) == []


@pytest.fixture
def failing_service():
    SERVICE.update(fail=True, calls=0)
    yield SERVICE
    SERVICE.update(fail=False, calls=0)


def test_with_incident_finds_the_instances_with_an_incident(rest, cases, failing_service):
    admin = rest("admin")
    deployed(rest("analyst"), model_files("job_service_call.bpmn"), name="service")
    failing = start(rest("officer"), "job_service_call", {"applicant": "新疆大学"})["id"]
    for _ in range(2):  # the retries left after the failure at the start
        assert admin.post(f"/job/{only_job(admin, failing)['id']}/execute").status_code == 500
    assert len(incidents(admin, failing)) == 1
    assert _ids(admin.get("/process-instance?withIncident=true")) == [failing]
    assert _ids(admin.get("/history/process-instance?withIncidents=true")) == [failing]
    assert len(_ids(admin.get("/process-instance?withIncident=false"))) == 4


def test_incident_filters_name_the_incident_its_type_and_its_message(rest, cases, failing_service):
    admin = rest("admin")
    deployed(rest("analyst"), model_files("job_service_call.bpmn"), name="service")
    failing = start(rest("officer"), "job_service_call", {"applicant": "新疆大学"})["id"]
    for _ in range(2):
        admin.post(f"/job/{only_job(admin, failing)['id']}/execute")
    [incident] = incidents(admin, failing)
    kind, message = incident["incidentType"], incident["incidentMessage"]
    assert _ids(admin.get(f"/process-instance?incidentId={incident['id']}")) == [failing]
    assert _ids(admin.get(f"/process-instance?incidentType={kind}")) == [failing]
    assert _ids(admin.get("/process-instance?incidentType=failedExternalTask")) == []
    assert _ids(admin.get(f"/process-instance?incidentMessage={quote(message)}")) == [failing]
    assert _ids(admin.get(f"/process-instance?incidentMessageLike={quote(message[:3])}%")) == [failing]
    assert _ids(admin.get("/process-instance?incidentMessageLike=nothing%")) == []
    assert _ids(admin.get(f"/history/process-instance?incidentType={kind}")) == [failing]
    assert _ids(admin.post("/history/process-instance", json={"incidentMessageLike": f"{message[:3]}%"})) == [failing]


def test_history_incident_status_and_ids_tell_open_from_resolved_incidents(rest, cases, failing_service):
    admin = rest("admin")
    deployed(rest("analyst"), model_files("job_service_call.bpmn"), name="service")
    failing = [start(rest("officer"), "job_service_call", {"applicant": "新疆大学"})["id"] for _ in range(2)]
    for instance_id in failing:
        for _ in range(2):
            admin.post(f"/job/{only_job(admin, instance_id)['id']}/execute")
    [[resolved], [still_open]] = [incidents(admin, instance_id) for instance_id in failing]
    job = only_job(admin, failing[0])["id"]
    assert admin.put(f"/job/{job}/retries", json={"retries": 1}).status_code == 204

    assert _ids(admin.get("/history/process-instance?incidentStatus=open")) == [failing[1]]
    assert _ids(admin.get("/history/process-instance?incidentStatus=resolved")) == [failing[0]]
    assert _ids(admin.get(f"/history/process-instance?incidentIdIn={resolved['id']}")) == [failing[0]]
    assert sorted(_ids(admin.post("/history/process-instance", json={
        "incidentIdIn": [resolved["id"], still_open["id"]]}))) == sorted(failing)
    assert "open" in _refused(admin.get("/history/process-instance?incidentStatus=closed"), "incidentStatus")


def test_incidents_open_and_resolved_are_read_by_id_filtered_and_sorted_as_camunda_does(rest, cases, failing_service):
    admin, officer = rest("admin"), rest("officer")
    deployed(rest("analyst"), model_files("job_service_call.bpmn"), name="service")
    failing = [start(officer, "job_service_call", {"applicant": "新疆大学"})["id"] for _ in range(2)]
    for instance_id in failing:
        for _ in range(2):
            admin.post(f"/job/{only_job(admin, instance_id)['id']}/execute")
    [[resolved], [still_open]] = [incidents(admin, instance_id) for instance_id in failing]
    assert admin.put(f"/job/{only_job(admin, failing[0])['id']}/retries", json={"retries": 1}).status_code == 204

    assert admin.get(f"/incident/{still_open['id']}").get_json() == still_open
    assert admin.get(f"/incident/{resolved['id']}").status_code == 404
    assert _ids(admin.get("/incident?processDefinitionKeyIn=job_service_call")) == [still_open["id"]]
    assert _ids(admin.get(f"/incident?configuration={still_open['configuration']}")) == [still_open["id"]]
    assert _ids(admin.get("/incident?activityId=nowhere")) == []

    history = admin.get("/history/incident?processDefinitionKey=job_service_call&sortBy=incidentId&sortOrder=desc")
    assert [(i["id"], i["open"], i["resolved"], i["endTime"] is None) for i in history.get_json()] == sorted([
        (resolved["id"], False, True, False), (still_open["id"], True, False, True)], reverse=True)
    assert _ids(admin.get("/history/incident?open=true")) == [still_open["id"]]
    assert _ids(admin.get("/history/incident?resolved=true")) == [resolved["id"]]
    assert _ids(admin.get("/history/incident?deleted=true")) == []
    assert admin.get("/history/incident/count?processDefinitionKey=job_service_call").get_json() == {"count": 2}
    assert admin.get("/history/incident/count?endTimeAfter=2000-01-01T00:00:00.000%2B0800").get_json() == {"count": 1}
    assert "incidentState" in _refused(admin.get("/history/incident?sortBy=state&sortOrder=asc"), "sortBy")
    assert _refused(admin.get("/history/incident?incidentStatus=open"), "incidentStatus")
    # Whoever may not read the instance (another unit's user) reads none of its incidents.
    outsider = rest("cotton")
    assert outsider.get(f"/incident/{still_open['id']}").status_code == 404
    assert outsider.get("/history/incident/count").get_json() == {"count": 0}


def test_jobs_are_read_by_id_with_their_whole_failure_and_queried_by_camundas_filters(rest, failing_service):
    admin, officer = rest("admin"), rest("officer")
    deployed(rest("analyst"), model_files("job_service_call.bpmn"), name="service")
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"), name="timer")
    failing = start(officer, "job_service_call", {"applicant": "新疆大学"})["id"]
    waiting = start(officer, "job_boundary_timer", {})["id"]
    service_job, timer_job = only_job(admin, failing), only_job(admin, waiting)
    assert admin.post(f"/job/{service_job['id']}/execute").status_code == 500
    service_job = admin.get(f"/job/{service_job['id']}").get_json()

    assert service_job["exceptionMessage"] and service_job["failedActivityId"] == service_job["activityId"]
    trace = admin.get(f"/job/{service_job['id']}/stacktrace")
    assert trace.status_code == 200 and trace.mimetype == "text/plain"
    assert trace.get_data(as_text=True).startswith(service_job["exceptionMessage"])
    assert admin.get(f"/job/{timer_job['id']}/stacktrace").get_data(as_text=True) == ""
    assert _ids(admin.get("/job?withException=true")) == [service_job["id"]]
    assert _ids(admin.get("/job?timers=true")) == [timer_job["id"]]
    assert _ids(admin.get("/job?messages=true")) == [service_job["id"]]
    assert _ids(admin.get(f"/job?failedActivityId={service_job['activityId']}")) == [service_job["id"]]
    assert _ids(admin.get(f"/job?failedActivityId={timer_job['activityId']}")) == []
    assert sorted(_ids(admin.get(f"/job?processInstanceIds={failing},{waiting}"))) == sorted(
        [service_job["id"], timer_job["id"]])
    assert _ids(admin.post("/job", json={"jobIds": [timer_job["id"]], "withRetriesLeft": True})) == [timer_job["id"]]
    assert _ids(admin.post("/job", json={"processDefinitionKey": "job_service_call", "noRetriesLeft": True})) == []
    assert admin.post("/job/count", json={"active": True}).get_json() == {"count": 2}
    assert admin.post("/job/count", json={"suspended": True}).get_json() == {"count": 0}
    assert admin.get("/job/count?tenantIdIn=a").get_json() == {"count": 0}
    _refused(admin.post("/job", json={"dueDates": []}), "dueDates")
    # Whoever may not read the instance (another unit's user) reads none of its jobs.
    outsider = rest("cotton")
    assert outsider.get(f"/job/{service_job['id']}").status_code == 404
    assert outsider.get(f"/job/{service_job['id']}/stacktrace").status_code == 404
    assert outsider.post("/job/count", json={}).get_json() == {"count": 0}


def test_camundas_history_reports_give_durations_per_period_and_counts_of_completed_tasks(rest, cases):
    """Only the finished case counts: started in March (Beijing time), it took an hour; its
    初审 took the hour and its 终审 no time."""
    admin = rest("admin")
    hour = 3_600_000
    report = admin.get(f"/history/process-instance/report?reportType=duration&periodUnit=month"
                       f"&processDefinitionKeyIn={KEY}")
    assert report.status_code == 200, report.get_json()
    assert report.get_json() == [{"period": 3, "periodUnit": "MONTH", "minimum": hour, "maximum": hour,
                                  "average": hour}]
    quarters = admin.get("/history/process-instance/report?reportType=duration&periodUnit=quarter").get_json()
    assert [(r["period"], r["periodUnit"]) for r in quarters] == [(1, "QUARTER")]
    assert admin.get("/history/process-instance/report?reportType=duration&periodUnit=month"
                     "&startedBefore=2000-01-01T00:00:00.000%2B0800").get_json() == []

    durations = admin.get("/history/task/report?reportType=duration&periodUnit=month").get_json()
    assert durations == [{"period": 3, "periodUnit": "MONTH", "minimum": 0, "maximum": hour, "average": hour // 2}]
    by_name = admin.get("/history/task/report?reportType=count&groupBy=taskName").get_json()
    assert sorted((r["taskName"], r["count"], r["processDefinitionKey"]) for r in by_name) == [
        ("初审", 1, KEY), ("终审", 1, KEY)]
    by_process = admin.get("/history/task/report?reportType=count&groupBy=processDefinition").get_json()
    assert [(r["taskName"], r["count"], r["processDefinitionKey"]) for r in by_process] == [(None, 2, KEY)]
    assert by_process[0]["processDefinitionName"]
    assert rest("cotton").get("/history/task/report?reportType=count&groupBy=taskName").get_json() == []

    _refused(admin.get("/history/process-instance/report?reportType=duration"), "periodUnit")
    _refused(admin.get("/history/process-instance/report?reportType=count&periodUnit=month"), "reportType")
    _refused(admin.get("/history/task/report?reportType=count"), "groupBy")
    _refused(admin.get("/history/task/report?reportType=duration&periodUnit=week"), "periodUnit")


def test_an_administrator_annotates_an_open_incident_and_history_shows_it(rest, client, failing_service):
    admin, officer = rest("admin"), rest("officer")
    deployed(rest("analyst"), model_files("job_service_call.bpmn"), name="service")
    instance_id = start(officer, "job_service_call", {"applicant": "新疆大学"})["id"]
    for _ in range(2):
        admin.post(f"/job/{only_job(admin, instance_id)['id']}/execute")
    [incident] = incidents(admin, instance_id)
    path = f"/incident/{incident['id']}/annotation"

    assert admin.put(path, json={"annotation": "已联系财务系统运维，待其恢复接口"}).status_code == 204

    assert admin.get(f"/incident/{incident['id']}").get_json()["annotation"] == "已联系财务系统运维，待其恢复接口"
    [historic] = admin.get(f"/history/incident?processInstanceId={instance_id}").get_json()
    assert historic["annotation"] == "已联系财务系统运维，待其恢复接口"
    for body in ({}, {"annotation": "  "}, {"annotation": "x" * 4001}, {"annotation": "x", "note": "y"}):
        refused = admin.put(path, json=body)
        assert refused.status_code == 400, body
        assert refused.get_json()["errors"][0]["field"] in ("annotation", "note"), body
    assert officer.put(path, json={"annotation": "看看"}).status_code == 403
    assert admin.delete(path).status_code == 204
    assert admin.get(f"/incident/{incident['id']}").get_json()["annotation"] is None
    assert admin.put("/incident/nope/annotation", json={"annotation": "x"}).status_code == 404
    audit = client.get("/api/audit", headers=basic("admin"), query_string={"action": "incident.annotate"}).get_json()
    assert sorted((e["userId"], e["success"]) for e in audit) == [("admin", True), ("officer", False)]


def test_definition_name_priority_name_not_and_tenant_filters(rest, cases):
    admin = rest("admin")
    name = admin.get(f"/process-definition/key/{KEY}").get_json()["name"]
    running = sorted(_ids(admin.get(f"/task?processDefinitionKey={KEY}")))
    assert sorted(_ids(admin.get(f"/task?processDefinitionName={quote(name)}"))) == running
    assert sorted(_ids(admin.get(f"/task?processDefinitionNameLike={quote(name[:1])}%"))) == running
    assert _ids(admin.get("/task?processDefinitionName=nothing")) == []
    assert len(_ids(admin.get(f"/history/process-instance?processDefinitionName={quote(name)}"))) == 4
    assert len(_ids(admin.get(f"/history/task?processDefinitionName={quote(name)}"))) == 5
    assert _ids(admin.get("/task?priority=49")) == [] and len(_ids(admin.get("/task?priority=50"))) == 3
    assert len(_ids(admin.get("/task?minPriority=50&maxPriority=50"))) == 3
    assert _ids(admin.get("/task?minPriority=51")) == []
    _refused(admin.get("/task?priority=high"), "priority")
    _refused(admin.post("/task", json={"minPriority": "50"}), "minPriority")
    assert _ids(admin.post("/task", json={"minPriority": 50, "maxPriority": 50})) == _ids(
        admin.get("/task?minPriority=50&maxPriority=50"))
    task_name = only_task(admin, cases["north"])["name"]
    assert _ids(admin.get(f"/task?nameNotEqual={quote(task_name)}")) == []
    assert _ids(admin.get(f"/task?nameNotLike={quote(task_name[:1])}%")) == []
    assert len(_ids(admin.get("/task?nameNotLike=x%"))) == 3
    for path in ("/process-instance", "/task", "/history/process-instance", "/history/task"):
        assert _ids(admin.get(f"{path}?tenantIdIn=a,b")) == [], path
        assert _ids(admin.get(f"{path}?withoutTenantId=true")) == _ids(admin.get(path)), path
    assert _ids(admin.get("/process-instance?processDefinitionWithoutTenantId=true")) == _ids(
        admin.get("/process-instance"))


def test_incidents_and_activities_of_a_confidential_step_count_only_for_who_may_see_it(
        rest, failing_service):
    """An incident of the panel's steps, or an instance waiting at one, tells how many
    reviews there are and who is late: `/incident` and the activity tree hide them from the
    applicant, and so do the instance filters."""
    at_panel_step = bpmn("job_service_call.bpmn").replace(b'"register"', b'"aggregate_reviews"')
    deployed(rest("analyst"), {**model_files(), "job_service_call.bpmn": at_panel_step}, name="panel")
    cotton, admin = rest("cotton"), rest("admin")
    failing = start(cotton, "job_service_call", {"applicant": "新疆大学"})["id"]
    for _ in range(2):
        assert admin.post(f"/job/{only_job(admin, failing)['id']}/execute").status_code == 500
    assert len(incidents(admin, failing)) == 1 and incidents(cotton, failing) == []
    assert _ids(admin.get("/process-instance?withIncident=true")) == [failing]
    assert _ids(admin.get("/history/process-instance?withIncidents=true")) == [failing]
    assert _ids(cotton.get("/process-instance")) == [failing]
    assert _ids(cotton.get("/process-instance?withIncident=true")) == []
    assert _ids(cotton.get("/history/process-instance?withIncidents=true")) == []
    assert _ids(admin.get("/process-instance?activityIdIn=aggregate_reviews,other")) == [failing]
    assert _ids(cotton.get("/process-instance?activityIdIn=aggregate_reviews")) == []


def test_every_instance_is_a_root_and_a_leaf(rest, cases):
    """Called processes run inside their caller's instance."""
    admin = rest("admin")
    every = sorted(_ids(admin.get("/process-instance")))
    assert sorted(_ids(admin.get("/process-instance?rootProcessInstances=true&leafProcessInstances=true"))) == every
    assert len(_ids(admin.get("/history/process-instance?rootProcessInstances=true"))) == 4


VARIABLE_QUERIES = [
    ("amount_gt_500", ["north", "east"]),
    ("amount_gteq_120,amount_lteq_500", ["south"]),
    ("amount_lt_500", ["south"]),
    ("amount_eq_500.5", ["east"]),
    (quote("city_eq_喀什"), ["south"]),
    (quote("city_like_乌%"), ["north"]),
    ("city_neq_Hami", ["north", "south"]),
    ("urgent_eq_true", ["north"]),
    # Camunda's neq asks for the variable, with another value: east has none.
    ("urgent_neq_true", ["south"]),
    ("missing_eq_1", []),
]


@pytest.mark.parametrize(("expression", "expected"), VARIABLE_QUERIES, ids=[q for q, _ in VARIABLE_QUERIES])
def test_variable_filters_compare_typed_values(rest, cases, expression, expected):
    admin = rest("admin")
    found = _ids(admin.get(f"/process-instance?processDefinitionKey={KEY}&variables={expression}"))
    assert sorted(found) == sorted(cases[name] for name in expected)
    tasks = admin.get(f"/task?processVariables={expression}").get_json()
    assert sorted(t["processInstanceId"] for t in tasks) == sorted(cases[name] for name in expected)


def test_variable_filters_reach_history_and_refuse_bad_expressions(rest, cases):
    admin = rest("admin")
    assert _ids(admin.get("/history/process-instance?variables=city_eq_Kashgar")) == [cases["done"]]
    assert {t["processInstanceId"] for t in admin.get(
        "/history/task?processVariables=city_eq_Kashgar").get_json()} == {cases["done"]}
    _refused(admin.get("/process-instance?variables=amount_between_1"), "variables")
    _refused(admin.get("/process-instance?variables=urgent_gt_true"), "variables")
    # like compares text: a number never matches it.
    assert _ids(admin.get(f"/process-instance?variables={quote('amount_like_8%')}")) == []
    _refused(admin.post("/process-instance", json={"variables": [
        {"name": "amount", "operator": "like", "value": 8}]}), "variables")


NAMES, VALUES = "variableNamesIgnoreCase=true", "variableValuesIgnoreCase=true"
CASE_QUERIES = [
    ("CITY_eq_Hami", NAMES, ["east"]),
    ("city_eq_hAMI", VALUES, ["east"]),
    (quote("CiTy_like_h%"), f"{NAMES}&{VALUES}", ["east"]),
    ("city_neq_HAMI", VALUES, ["north", "south"]),
    ("city_gt_HAMI", VALUES, ["north", "south"]),
    # Without its switch, the case counts; each switch only ignores the case it names.
    ("city_eq_HAMI", "", []),
    ("CITY_eq_Hami", VALUES, []),
    ("city_eq_HAMI", f"{NAMES}&variableValuesIgnoreCase=false", []),
]


@pytest.mark.parametrize(("expression", "switches", "expected"), CASE_QUERIES,
                         ids=[f"{q}&{s}" for q, s, _ in CASE_QUERIES])
def test_variable_names_and_values_ignore_case_on_every_variable_filtered_list(
        rest, cases, expression, switches, expected):
    admin = rest("admin")
    wanted = sorted(cases[name] for name in expected)
    assert sorted(_ids(admin.get(
        f"/process-instance?processDefinitionKey={KEY}&variables={expression}&{switches}"))) == wanted
    tasks = admin.get(f"/task?processVariables={expression}&{switches}").get_json()
    assert sorted(t["processInstanceId"] for t in tasks) == wanted
    variables = admin.get(f"/variable-instance?processDefinitionKey={KEY}&variableValues={expression}&{switches}")
    assert variables.status_code == 200, variables.get_json()
    assert sorted(v["processInstanceId"] for v in variables.get_json()) == wanted
    assert admin.get(f"/variable-instance/count?processDefinitionKey={KEY}&variableValues={expression}"
                     f"&{switches}").get_json() == {"count": len(wanted)}


def test_ignore_case_reaches_history_and_post_queries(rest, cases):
    admin = rest("admin")
    assert _ids(admin.get(f"/history/process-instance?variables=CITY_eq_kashgar&{NAMES}&{VALUES}")) == [
        cases["done"]]
    assert {t["processInstanceId"] for t in admin.get(
        f"/history/task?processVariables=city_eq_KASHGAR&{VALUES}").get_json()} == {cases["done"]}
    assert _ids(admin.post("/process-instance", json={
        "variables": [{"name": "City", "operator": "eq", "value": "hami"}],
        "variableNamesIgnoreCase": True, "variableValuesIgnoreCase": True})) == [cases["east"]]
    _refused(admin.get(f"/variable-instance?variableValues=city_between_1&{VALUES}"), "variableValues")
    _refused(admin.get("/variable-instance?variableNamesIgnoreCase=yes"), "variableNamesIgnoreCase")


def test_a_confidential_variable_cannot_be_filtered_by_who_may_not_read_it(rest, cases):
    assert rest("officer").get("/process-instance?variables=averageScore_gt_60").status_code == 200
    _refused(rest("cotton").get(f"/process-instance?variables=AVERAGESCORE_gt_60&{NAMES}"), "variables")
    _refused(rest("cotton").get("/process-instance?variables=averageScore_gt_60"), "variables")
    _refused(rest("cotton").post("/task", json={"processVariables": [
        {"name": "expertScore", "operator": "gteq", "value": 0}]}), "processVariables")


def test_post_queries_take_the_filters_in_the_body_and_paging_in_the_query_string(rest, cases):
    admin = rest("admin")
    body = {"processInstanceIdIn": [cases["north"], cases["south"], cases["east"]],
            "sorting": [{"sortBy": "instanceId", "sortOrder": "desc"}],
            "processVariables": [{"name": "amount", "operator": "gteq", "value": 120}]}
    listed = admin.post("/task", json=body).get_json()
    assert [t["processInstanceId"] for t in listed] == sorted([cases["north"], cases["south"], cases["east"]],
                                                              reverse=True)
    assert admin.post("/task/count", json=body).get_json() == {"count": 3}
    assert len(admin.post("/task?firstResult=1&maxResults=1", json=body).get_json()) == 1
    found = admin.post("/process-instance", json={"businessKeyLike": "XJ-%", "variables": [
        {"name": "urgent", "operator": "eq", "value": False}]}).get_json()
    assert [i["id"] for i in found] == [cases["south"]]
    assert admin.post("/history/process-instance", json={"finished": True}).get_json()[0]["id"] == cases["done"]
    by_key_then_business_key = admin.post("/history/process-instance", json={"sorting": [
        {"sortBy": "definitionKey", "sortOrder": "asc"}, {"sortBy": "businessKey", "sortOrder": "desc"}]}).get_json()
    assert [i["businessKey"] for i in by_key_then_business_key] == [
        "XJ_2026_004", "XJ-2026-002", "XJ-2026-001", "BT-2026-003"]
    assert admin.post("/history/process-instance/count", json={"unfinished": True}).get_json() == {"count": 3}
    assert admin.post("/history/task/count", json={"processInstanceIdIn": [cases["done"]]}).get_json() == {
        "count": 2}
    assert admin.post("/process-instance/count", json={}).get_json() == {"count": 3}


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/task", {"processInstanceIdIns": ["x"]}, "processInstanceIdIns"),
    ("/task", {"processInstanceIdIn": "x"}, "processInstanceIdIn"),
    ("/task", {"unassigned": "yes"}, "unassigned"),
    ("/task", {"sorting": [{"sortBy": "created"}]}, "sorting[0].sortOrder"),
    ("/task/count", {"sorting": [{"sortBy": "foo", "sortOrder": "asc"}]}, "sorting[0].sortBy"),
    ("/task/count", {"sorting": {}}, "sorting"),
    ("/process-instance", {"variables": [{"name": "a", "operator": "eq", "value": [1]}]}, "variables"),
    ("/history/process-instance", {"startedAfter": "soon"}, "startedAfter"),
    ("/history/task", {"taskAssignee": 7}, "taskAssignee"),
])
def test_a_bad_post_query_is_a_400_naming_the_field(rest, path, body, field):
    _refused(rest("admin").post(path, json=body), field)


def test_post_queries_refuse_filters_in_the_query_string(rest):
    _refused(rest("admin").post("/task?assignee=officer", json={}), "assignee")


def test_default_lists_are_not_cut_at_a_hundred(rest, client):
    officer = rest("officer")
    deployed(rest("analyst"), model_files(f"{KEY}.bpmn"))
    for _ in range(101):
        start(officer, KEY)
    admin = rest("admin")
    assert len(admin.get(f"/process-instance?processDefinitionKey={KEY}").get_json()) == 101
    assert len(admin.get("/task").get_json()) == 101
    assert len(admin.get("/history/task").get_json()) == 101
    assert len(admin.get("/task?maxResults=1000&firstResult=100").get_json()) == 1
    # The /api inbox is not Camunda's contract: it keeps its bounded page.
    inbox = Api(client, "officer").get("/inbox?box=todo").get_json()
    assert (len(inbox["items"]), inbox["total"]) == (100, 101)


@pytest.fixture
def limited_rest(app, database_url, clock):
    """The same database served with Camunda's queryMaxResultsLimit set to 2."""
    limited = build_app(database_url, clock, query_max_results_limit=2)
    yield lambda user: Rest(limited.test_client(), user)
    limited.extensions["ticflow"].db.dispose()


def test_with_the_limit_configured_a_list_must_ask_for_at_most_the_limit(limited_rest, cases):
    admin = limited_rest("admin")
    for path in ("/task", "/process-instance", "/history/process-instance", "/deployment", "/job"):
        message = _refused(admin.get(path), "maxResults")
        assert "2" in message, message
        _refused(admin.get(f"{path}?maxResults=3"), "maxResults")
        assert admin.get(f"{path}?maxResults=2").status_code == 200
    _refused(admin.post("/task", json={}), "maxResults")
    assert len(admin.post("/task?maxResults=2", json={}).get_json()) == 2
    # A count is not a list: the limit does not apply.
    assert admin.get("/task/count").get_json() == {"count": 3}


def test_the_limit_is_read_from_the_environment(monkeypatch):
    assert load_settings().query_max_results_limit is None
    monkeypatch.setenv("QUERY_MAX_RESULTS_LIMIT", "500")
    assert load_settings().query_max_results_limit == 500


def test_task_lists_of_one_shape_share_one_prepared_statement(ctx, cases):
    """The task list is on the hot path: its filters' values are parameters, so two queries
    of one shape (which filters, how many values, the sorting) run one statement."""
    def shaped(instance_ids: list[str], amount: int) -> Query:
        return Query({"processInstanceIdIn": instance_ids,
                      "processVariables": [VariableFilter("amount", "gteq", amount)]}, (("priority", True),))

    with ctx.db.read() as session:
        admin = load_actor(session, "admin")
        kept = len(queries._TASK_LISTS)
        first = queries.list_tasks(session, admin, shaped([cases["north"], cases["south"]], 100), Page())
        second = queries.list_tasks(session, admin, shaped([cases["south"], cases["east"]], 500), Page())
        assert len(queries._TASK_LISTS) == kept + 1
    assert sorted(t.instance_id for t in first) == sorted([cases["north"], cases["south"]])
    assert [t.instance_id for t in second] == [cases["east"]]


ODD_TEXT = ["", "x", "9" * 60, "2026-13-01T00:00:00", "a_eq_", "_eq_1", "新疆" * 150, "' OR 1=1 --", "%", "[*?_\\"]
ODD_JSON = [5, 1.5, True, [], [5], {}, {"name": 1}, [{"name": "a", "operator": "eq"}], "x"]
FILTERED = {"/process-instance": queries.INSTANCE_CRITERIA, "/task": queries.TASK_CRITERIA,
            "/history/process-instance": history_queries.INSTANCE_CRITERIA,
            "/history/task": history_queries.TASK_CRITERIA, "/job": queries.JOB_CRITERIA,
            "/incident": queries.INCIDENT_CRITERIA, "/process-definition": queries.DEFINITION_CRITERIA,
            "/decision-definition": queries.DECISION_CRITERIA}
POSTED = ("/process-instance", "/task", "/history/process-instance", "/history/task")


@pytest.mark.parametrize("path", FILTERED)
def test_no_value_of_any_filter_is_answered_with_a_server_error(rest, cases, path):
    """Every filter of every filtered list with odd text (GET) and, where the list takes a
    POST query, values of the wrong JSON type: a 200 or a 400 naming the filter, never a 5xx."""
    for user in ("admin", "cotton"):
        api = rest(user)
        for name in FILTERED[path]:
            for text in ODD_TEXT:
                response = api.get(f"{path}?{name}={quote(text)}")
                assert response.status_code in (200, 400), (name, text, response.get_json())
                if response.status_code == 400:
                    assert response.get_json()["errors"][0]["field"] == name
            for value in ODD_JSON if path in POSTED else ():
                response = api.post(path, json={name: value})
                assert response.status_code in (200, 400), (name, value, response.get_json())
