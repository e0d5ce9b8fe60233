"""Bad input is a 400 naming what was wrong, never a 500 (on SQLite and PostgreSQL alike)."""
from __future__ import annotations

import pytest

from tests.support.bench_model import bench_files, deploy, only_task
from tests.support.web import WebUser


@pytest.fixture
def officer(rest):
    assert deploy(rest("analyst"), bench_files()).status_code == 200
    return rest("officer")


def started(officer, business_key="B-1") -> dict:
    response = officer.post("/process-definition/key/bench_three_step/start", json={
        "businessKey": business_key,
        "variables": {"title": {"value": "新疆棉纺创新平台"}, "amount": {"value": 150, "type": "Integer"}},
    })
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def assert_400(response, names: str) -> dict:
    assert response.status_code == 400, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert body["type"] == "InvalidRequestException", body
    assert names in body["message"] or any(names == e["field"] for e in body.get("errors", [])), body
    return body


@pytest.mark.parametrize("path", [
    "/task/abc%00def", "/process-instance/x%00", "/task?processInstanceId=a%00b",
    "/history/task?processInstanceId=%00", "/task?candidateGroup=department%00",
])
def test_a_nul_character_in_an_id_or_a_query_value_is_a_400(officer, path):
    assert_400(officer.get(path), "NUL")


def test_a_nul_character_in_a_json_body_is_a_400_naming_the_field(officer):
    response = officer.post("/process-definition/key/bench_three_step/start",
                            json={"businessKey": "B\x00-1", "variables": {}})
    body = assert_400(response, "businessKey")
    assert "NUL" in body["errors"][0]["message"]


@pytest.mark.parametrize("value", [str(10 ** 30), str(2 ** 63), str(2 ** 31), "²", "1e3", "-" + str(2 ** 63)])
@pytest.mark.parametrize("name", ["firstResult", "maxResults"])
def test_a_page_bound_out_of_range_or_not_a_number_is_a_400(officer, name, value):
    assert_400(officer.get(f"/task?{name}={value}"), name)


def test_firstresult_at_the_largest_integer_is_an_empty_page(officer):
    started(officer)
    response = officer.get(f"/task?firstResult={2 ** 31 - 1}")
    assert response.status_code == 200 and response.get_json() == []


def test_an_unknown_candidate_user_finds_no_tasks(officer):
    started(officer)
    response = officer.get("/task?candidateUser=nobody-such")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == []


def test_json_nested_3000_deep_is_a_400(officer):
    body = '{"variables":' + '{"a":' * 3000 + "1" + "}" * 3000 + "}"
    response = officer.post("/process-definition/key/bench_three_step/start", data=body,
                            content_type="application/json")
    assert_400(response, "JSON")


def test_a_business_key_over_200_characters_is_a_400(officer):
    response = officer.post("/process-definition/key/bench_three_step/start",
                            json={"businessKey": "键" * 201, "variables": {}})
    assert_400(response, "businessKey")


def test_a_business_key_of_200_characters_is_kept(officer):
    assert started(officer, "键" * 200)["businessKey"] == "键" * 200


def test_a_date_beyond_year_9999_in_utc_is_a_400_naming_the_variable(officer):
    instance = started(officer)
    task = only_task(officer, instance["id"])
    response = officer.post(f"/task/{task['id']}/complete", json={"variables": {
        "decidedAt": {"value": "9999-12-31T23:59:59-1400", "type": "Date"},
    }})
    assert_400(response, "decidedAt")


@pytest.mark.parametrize("ids", [[2 ** 31], [2 ** 63], [-(2 ** 63) - 1]])
def test_notification_ids_beyond_the_id_range_are_a_400(rest, ids):
    response = rest("officer").client.post("/api/notifications/read", headers=rest("officer").headers,
                                           json={"ids": ids})
    assert_400(response, "ids")


@pytest.mark.parametrize("query", ["due=²", "due=" + "9" * 40, "due=-1"])
def test_odd_numbers_in_the_inbox_api_are_a_400(rest, query):
    api = rest("officer")
    response = api.client.get(f"/api/inbox?{query}", headers=api.headers)
    assert_400(response, query.split("=")[0])


@pytest.mark.parametrize("query", ["page=" + "9" * 40, "page=²", "page=-3"])
def test_an_odd_page_number_on_the_inbox_page_shows_a_page(app, query):
    officer = WebUser(app.test_client())
    officer.login("officer")
    response = officer.get(f"/tasks?box=todo&{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("chosen", ["²", "9" * 40])
def test_an_odd_notification_id_on_the_notifications_page_is_refused_without_an_error(app, chosen):
    officer = WebUser(app.test_client())
    officer.login("officer")
    response = officer.post("/notifications/read", {"id": chosen})
    assert response.status_code in (302, 303, 400)


def test_a_nul_in_a_page_query_is_a_400_page(app):
    officer = WebUser(app.test_client())
    officer.login("officer")
    response = officer.get("/tasks?q=a%00b")
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_an_evaluation_cycle_beyond_the_integer_range_is_not_found(rest):
    api = rest("officer")
    response = api.client.get(f"/api/centers/XJTIC-2026-001/evaluations/{2 ** 63}", headers=api.headers)
    assert response.status_code == 404
    assert response.get_json()["type"] == "NotFoundException"
