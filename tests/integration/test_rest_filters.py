"""Saved task queries (Camunda's filters): a user keeps named views of the inbox, an
administrator keeps shared ones, and running a filter never shows more than /task would."""
from __future__ import annotations

import pytest

from tests.support.bench_model import bench_files, deploy


@pytest.fixture
def started(rest) -> list[str]:
    """Three bench instances of the officer's: their first steps open in 待办."""
    assert deploy(rest("analyst"), bench_files()).status_code == 200
    officer = rest("officer")
    return [officer.post("/process-definition/key/bench_three_step/start", json={"businessKey": f"F-{n}"})
            .get_json()["id"] for n in range(3)]


def created(client, **body) -> dict:
    response = client.post("/filter/create", json={"resourceType": "Task", **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_my_tasks_filter_runs_as_whoever_runs_it(rest, started):
    officer = rest("officer")
    mine = created(officer, name="我的待办", query={"assigneeExpression": "${currentUser()}",
                                                   "sorting": [{"sortBy": "created", "sortOrder": "desc"}]},
                   properties={"color": "#3b82f6", "priority": 1})
    assert mine["owner"] == "officer" and mine["properties"] == {"color": "#3b82f6", "priority": 1}

    listed = officer.get(f"/filter/{mine['id']}/list").get_json()
    assert sorted(t["processInstanceId"] for t in listed) == sorted(started)
    assert officer.get(f"/filter/{mine['id']}/count").get_json() == {"count": 3}
    assert officer.get(f"/filter/{mine['id']}?itemCount=true").get_json()["itemCount"] == 3
    # The body extends the saved query, as Camunda's POST variants do.
    one = officer.post(f"/filter/{mine['id']}/singleResult", json={"processInstanceId": started[1]})
    assert one.status_code == 200 and one.get_json()["processInstanceId"] == started[1]
    assert officer.post(f"/filter/{mine['id']}/count", json={"processInstanceIdIn": started[:2]}).get_json() == {
        "count": 2}
    assert officer.get(f"/filter/{mine['id']}/singleResult").status_code == 400
    assert officer.post(f"/filter/{mine['id']}/singleResult", json={"processInstanceId": "none"}).status_code == 204
    page = officer.get(f"/filter/{mine['id']}/list?firstResult=1&maxResults=1").get_json()
    assert [t["id"] for t in page] == [listed[1]["id"]]


def test_a_shared_filter_is_the_administrators_and_shows_each_reader_only_their_own(rest, started):
    admin, officer, cotton = rest("admin"), rest("officer"), rest("cotton")
    shared = created(admin, name="全部待办", owner=None, query={"assigned": True})
    assert shared["owner"] is None

    assert [f["name"] for f in cotton.get("/filter").get_json()] == ["全部待办"]
    assert officer.get(f"/filter/{shared['id']}/count").get_json() == {"count": 3}
    assert cotton.get(f"/filter/{shared['id']}/count").get_json() == {"count": 0}
    refused = officer.put(f"/filter/{shared['id']}", json={"resourceType": "Task", "name": "改名", "query": {}})
    assert refused.status_code == 403
    assert officer.post("/filter/create", json={"resourceType": "Task", "name": "共享", "owner": None,
                                                "query": {}}).status_code == 403
    assert officer.delete(f"/filter/{shared['id']}").status_code == 403
    assert admin.delete(f"/filter/{shared['id']}").status_code == 204
    assert cotton.get(f"/filter/{shared['id']}").status_code == 404


def test_a_users_own_filter_is_theirs_to_read_change_and_delete(rest, started):
    officer, leader = rest("officer"), rest("leader")
    mine = created(officer, name="金额大的", query={"processVariables": [
        {"name": "amount", "operator": "gt", "value": 100}]})

    assert leader.get(f"/filter/{mine['id']}").status_code == 404
    assert leader.get(f"/filter/{mine['id']}/list").status_code == 404
    assert officer.put(f"/filter/{mine['id']}", json={
        "resourceType": "Task", "name": "我的待办", "query": {"assigneeExpression": "${currentUser()}"},
        "properties": {}}).status_code == 204
    assert officer.get(f"/filter/{mine['id']}").get_json()["name"] == "我的待办"
    assert officer.get("/filter/count", query_string={"nameLike": "我的%"}).get_json() == {"count": 1}
    assert officer.delete(f"/filter/{mine['id']}").status_code == 204
    assert officer.get("/filter/count").get_json() == {"count": 0}


@pytest.mark.parametrize(("body", "field"), [
    ({"resourceType": "ProcessInstance", "name": "x", "query": {}}, "resourceType"),
    ({"resourceType": "Task", "name": " ", "query": {}}, "name"),
    ({"resourceType": "Task", "name": "x", "query": {"assigneeLikeness": "a"}}, "assigneeLikeness"),
    ({"resourceType": "Task", "name": "x", "query": {"assigneeExpression": "${currentUserGroups()}"}},
     "assigneeExpression"),
    ({"resourceType": "Task", "name": "x", "query": {"dueBefore": "tomorrow"}}, "dueBefore"),
    ({"resourceType": "Task", "name": "x", "query": {}, "color": "red"}, "color"),
])
def test_a_filter_that_cannot_run_is_refused_naming_its_field(rest, body, field):
    response = rest("officer").post("/filter/create", json=body)
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == field
    assert rest("officer").get("/filter/count").get_json() == {"count": 0}
