"""The semantic diff of two versions of a diagram (issue 11): elements matched by id, each
changed property with its old and new value, the drawing reported apart."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.bpmn_diff import diff_models
from app.engine.errors import InvalidDefinition

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
V1 = (FIXTURES / "mig_review_v1.bpmn").read_bytes()
V2 = (FIXTURES / "mig_review_v2.bpmn").read_bytes()


def _changed(diff: dict, element_id: str) -> dict:
    (found,) = [c for c in diff["changed"] if c["id"] == element_id]
    return {c["property"]: (c["from"], c["to"]) for c in found["changes"]}


@pytest.fixture(scope="module")
def diff() -> dict:
    return diff_models(V1, V2, "mig_review").to_dict()


def test_an_element_only_in_the_newer_version_is_added_and_one_only_in_the_older_removed(diff):
    assert {(e["id"], e["type"], e["name"]) for e in diff["added"]} == {
        ("leader_review", "userTask", "厅领导终审"), ("publish", "userTask", "发布结果"),
        ("f5", "sequenceFlow", None),
    }
    assert diff["removed"] == [{"id": "final_review", "type": "userTask", "name": "终审"}]


def test_a_changed_camunda_attribute_is_reported_with_its_old_and_new_value(diff):
    assert _changed(diff, "first_review") == {
        "camunda:candidateGroups": ("department", "department,agency"),
    }


def test_conditions_timers_and_references_are_properties_of_their_element(diff):
    assert _changed(diff, "f_approved") == {
        "conditionExpression": ("${approved}", "${approved == true}"),
        "targetRef": ("final_review", "leader_review"),
    }
    assert _changed(diff, "wait_publication") == {"timerEventDefinition/timeDuration": ("P5D", "P7D")}
    assert _changed(diff, "withdrawn") == {"attachedToRef": ("final_review", "leader_review")}


def test_a_drawing_that_alone_moved_is_listed_apart_and_not_as_changed(diff):
    assert diff["layoutChanged"] == ["f2"]
    assert "f2" not in {c["id"] for c in diff["changed"]}


def test_identical_versions_differ_in_nothing():
    assert diff_models(V1, V1).to_dict() == {"added": [], "removed": [], "changed": [], "layoutChanged": []}


def test_extension_elements_are_compared_by_their_names():
    def with_input(value: str) -> bytes:
        return V1.replace(b'camunda:formKey="job_review"/>\n    <bpmn:sequenceFlow id="f2"',
                          b'camunda:formKey="job_review"><bpmn:extensionElements><camunda:inputOutput>'
                          b'<camunda:inputParameter name="limit">' + value.encode() +
                          b'</camunda:inputParameter></camunda:inputOutput></bpmn:extensionElements>'
                          b'</bpmn:userTask>\n    <bpmn:sequenceFlow id="f2"', 1)

    diff = diff_models(with_input("5"), with_input("7")).to_dict()
    assert _changed(diff, "first_review") == {
        "extensionElements/camunda:inputOutput/camunda:inputParameter[limit]": ("5", "7"),
    }


def test_a_changed_element_type_is_reported_as_such():
    newer = V1.replace(b'<bpmn:userTask id="first_review"', b'<bpmn:manualTask id="first_review"')
    newer = newer.replace(b'camunda:formKey="job_review"/>\n    <bpmn:sequenceFlow id="f2"',
                          b'/>\n    <bpmn:sequenceFlow id="f2"')
    changes = _changed(diff_models(V1, newer).to_dict(), "first_review")
    assert changes["type"] == ("userTask", "manualTask")
    assert changes["camunda:formKey"] == ("job_review", None)


def test_a_file_that_is_not_safe_xml_is_refused_like_an_upload():
    with pytest.raises(InvalidDefinition):
        diff_models(V1, b'<!DOCTYPE x [<!ENTITY a "b">]><x/>')
