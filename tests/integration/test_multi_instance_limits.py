"""A multi-instance activity starts at most MAX_INSTANCES instances: a model or a variable
asking for a billion is refused, at deploy or with a clear 400, instead of filling a worker's
memory with tasks."""
from __future__ import annotations

import pytest

from app.engine.multi_instance import MAX_INSTANCES
from tests.support.flows import deploy_files, deployed, start, typed
from tests.support.jobs import bpmn, form_files
from tests.support.jobs import deployed as deployed_files


def test_a_literal_cardinality_beyond_the_limit_is_refused_at_deploy(rest):
    response = deploy_files(rest("analyst"), "flow_billion_reviews.bpmn")
    assert response.status_code == 400, response.get_json()
    assert "counted_review" in str(response.get_json()) and str(MAX_INSTANCES) in str(response.get_json())


@pytest.mark.parametrize("copies", [3, MAX_INSTANCES])
def test_a_cardinality_up_to_the_limit_starts_that_many_instances(rest, copies):
    deployed(rest("analyst"), "flow_counted_review.bpmn")
    officer = rest("officer")
    instance_id = start(officer, "flow_counted_review", copies=copies)
    listed = officer.get(f"/task?processInstanceId={instance_id}&maxResults={MAX_INSTANCES}").get_json()
    assert len(listed) == copies


def test_a_cardinality_from_a_variable_beyond_the_limit_is_a_400_naming_the_activity(rest):
    deployed(rest("analyst"), "flow_counted_review.bpmn")
    response = rest("officer").post("/process-definition/key/flow_counted_review/start",
                                    json={"variables": typed({"copies": MAX_INSTANCES + 1})})
    assert response.status_code == 400, response.get_json()
    message = response.get_json()["message"]
    assert "逐份审核" in message and str(MAX_INSTANCES) in message


def test_a_collection_beyond_the_limit_is_a_400(rest):
    deployed(rest("analyst"), "flow_expert_review.bpmn")
    experts = [f"expert{n}" for n in range(MAX_INSTANCES + 1)]
    response = rest("officer").post("/process-definition/key/flow_expert_review/start",
                                    json={"variables": typed({"experts": experts})})
    assert response.status_code == 400, response.get_json()
    assert str(MAX_INSTANCES) in response.get_json()["message"]


def test_a_start_without_the_collection_variable_is_a_400_naming_the_collection(rest):
    deployed(rest("analyst"), "flow_expert_review.bpmn")
    response = rest("officer").post("/process-definition/key/flow_expert_review/start", json={"variables": {}})
    assert response.status_code == 400, response.get_json()
    message = response.get_json()["message"]
    assert "专家打分" in message and "experts" in message and "不存在或不是列表" in message


def test_bpmn_data_input_references_are_the_collection_and_element_variable_as_in_camunda(rest):
    """SpiffWorkflow's parallel_multiinstance_loop_input example writes them, not camunda:collection."""
    xml = bpmn("flow_expert_review.bpmn").replace(
        b'<bpmn:multiInstanceLoopCharacteristics camunda:collection="${experts}" camunda:elementVariable="expert"/>',
        b'<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>experts</bpmn:loopDataInputRef>'
        b'<bpmn:inputDataItem id="item" name="expert"/></bpmn:multiInstanceLoopCharacteristics>')
    assert b"loopDataInputRef" in xml
    deployed_files(rest("analyst"), {"flow_expert_review.bpmn": xml, **form_files("flow_expert_score", "flow_opinion")})
    officer = rest("officer")
    instance_id = start(officer, "flow_expert_review", experts=["expert1", "expert2"])
    listed = officer.get(f"/task?processInstanceId={instance_id}").get_json()
    assert sorted(t["assignee"] for t in listed) == ["expert1", "expert2"]
