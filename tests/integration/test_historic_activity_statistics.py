"""What passed each activity of a definition (Camunda's historic activity statistics):
the cockpit's readers see how many cases ran through, finished, were canceled or ended
there, beside what waits now."""
from __future__ import annotations

from tests.support.bench_model import deploy, loop_files, only_task


def complete(officer, instance_id: str, confirmed: bool) -> None:
    task = only_task(officer, instance_id)
    response = officer.post(f"/task/{task['id']}/complete",
                            json={"variables": {"confirmed": {"value": confirmed, "type": "Boolean"}}})
    assert response.status_code == 204, response.get_json()


def statistics(client, definition_id: str, **query) -> dict[str, dict]:
    response = client.get(f"/history/process-definition/{definition_id}/statistics", query_string=query)
    assert response.status_code == 200, response.get_json()
    return {row["id"]: row for row in response.get_json()}


def test_each_activity_counts_what_runs_finished_was_canceled_and_ended_there(rest):
    assert deploy(rest("analyst"), loop_files()).status_code == 200
    officer = rest("officer")
    start = lambda: officer.post("/process-definition/key/bench_loop/start", json={}).get_json()  # noqa: E731
    looping, ended, deleted = start(), start(), start()
    complete(officer, looping["id"], False)
    complete(officer, ended["id"], True)
    assert officer.delete(f"/process-instance/{deleted['id']}").status_code == 204

    counted = statistics(officer, looping["definitionId"], finished="true", canceled="true",
                         completeScope="true", incidents="true")

    assert {k: (v["instances"], v["finished"], v["canceled"], v["completeScope"]) for k, v in counted.items()} == {
        "start": (0, 3, 0, 0), "step": (1, 3, 1, 0), "again": (0, 2, 0, 0), "end": (0, 1, 0, 1)}
    assert counted["step"]["openIncidents"] == 0 and counted["step"]["deletedIncidents"] == 0
    # A count not asked for is 0, as Camunda answers it.
    assert statistics(officer, looping["definitionId"])["step"] == {
        "id": "step", "instances": 1, "finished": 0, "canceled": 0, "completeScope": 0,
        "openIncidents": 0, "resolvedIncidents": 0, "deletedIncidents": 0}
    assert list(statistics(officer, looping["definitionId"], sortBy="activityId", sortOrder="desc")) == [
        "step", "start", "end", "again"]
    only_one = statistics(officer, looping["definitionId"], processInstanceIdIn=ended["id"], finished="true")
    assert only_one["step"]["finished"] == 1 and only_one["end"]["finished"] == 1


def test_historic_statistics_are_the_cockpits_readers_and_take_only_camundas_parameters(rest):
    assert deploy(rest("analyst"), loop_files()).status_code == 200
    definition_id = rest("officer").post("/process-definition/key/bench_loop/start", json={}).get_json()["definitionId"]

    assert rest("cotton").get(f"/history/process-definition/{definition_id}/statistics").status_code == 403
    manager = rest("manager")
    assert manager.get("/history/process-definition/no-such/statistics").status_code == 404
    refused = manager.get(f"/history/process-definition/{definition_id}/statistics?canceled=yes")
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "canceled"
    assert manager.get(f"/history/process-definition/{definition_id}/statistics?tenantIdIn=a").status_code == 400
