"""The diff of two deployed versions for the modeler's version page (issue 11):
`GET /api/processes/<processKey>/diff?from=1&to=2`."""
from __future__ import annotations

from tests.support.clients import Api
from tests.support.jobs import bpmn, deployed, form_files


def deploy_both_versions(rest) -> None:
    analyst = rest("analyst")
    deployed(analyst, {**form_files(), "mig_review.bpmn": bpmn("mig_review_v1.bpmn")}, "v1")
    deployed(analyst, {**form_files(), "mig_review.bpmn": bpmn("mig_review_v2.bpmn")}, "v2")


def test_the_diff_of_two_versions_names_each_changed_attribute_and_who_deployed_them(client, rest):
    deploy_both_versions(rest)
    response = Api(client, "officer").get("/processes/mig_review/diff?from=1&to=2")
    assert response.status_code == 200, response.get_json()
    diff = response.get_json()
    assert (diff["from"]["version"], diff["to"]["version"]) == (1, 2)
    assert diff["to"]["deployedBy"] == "analyst" and diff["to"]["deployedAt"]
    assert [e["id"] for e in diff["removed"]] == ["final_review"]
    assert {"leader_review", "publish"} <= {e["id"] for e in diff["added"]}
    (first,) = [c for c in diff["changed"] if c["id"] == "first_review"]
    assert first["changes"] == [{"property": "camunda:candidateGroups", "from": "department",
                                 "to": "department,agency"}]
    assert diff["layoutChanged"] == ["f2"]


def test_a_missing_or_malformed_version_is_a_400_naming_the_parameter(client, rest):
    deploy_both_versions(rest)
    api = Api(client, "analyst")
    missing = api.get("/processes/mig_review/diff?from=1")
    assert missing.status_code == 400
    assert missing.get_json()["errors"][0]["field"] == "to"
    malformed = api.get("/processes/mig_review/diff?from=x&to=2")
    assert malformed.status_code == 400
    assert malformed.get_json()["errors"][0]["field"] == "from"


def test_a_version_that_does_not_exist_is_a_404_naming_it(client, rest):
    deploy_both_versions(rest)
    response = Api(client, "analyst").get("/processes/mig_review/diff?from=1&to=3")
    assert response.status_code == 404
    assert "没有第 3 版" in response.get_json()["message"]
    assert response.get_json()["errors"][0]["field"] == "to"
