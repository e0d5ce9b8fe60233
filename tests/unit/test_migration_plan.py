"""Migration plans and moving an instance between versions (issue 11), in memory: the plan
Camunda's generate would propose, why an instruction cannot hold, and what the engine
carries from one version's spec to the other's."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.clock import Clock
from app.engine.compiler import SourceFile, compile_models
from app.engine.migration import MigrationBlocked, blockers, move
from app.engine.migration_plan import Instruction, activities_of, generate, instruction_failures
from app.engine.runtime import WorkflowEngine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"
V1 = (FIXTURES / "mig_review_v1.bpmn").read_bytes()
V2 = (FIXTURES / "mig_review_v2.bpmn").read_bytes()
SOURCE, TARGET = activities_of(V1, "mig_review"), activities_of(V2, "mig_review")
RENAMED = {"final_review": "leader_review"}


def _mapping(overrides=None) -> dict[str, str]:
    return {i.source: i.target for i in generate(SOURCE, TARGET, overrides)}


def test_generate_maps_the_activities_that_keep_their_id_and_kind():
    assert _mapping() == {"first_review": "first_review", "wait_publication": "wait_publication"}


def test_a_boundary_event_follows_its_activity_once_that_is_mapped_by_hand():
    assert _mapping(RENAMED) == {"first_review": "first_review", "wait_publication": "wait_publication",
                                 "final_review": "leader_review", "withdrawn": "withdrawn"}


def test_an_instruction_to_another_type_or_an_unknown_id_fails_with_the_reason():
    reports = instruction_failures(SOURCE, TARGET, [
        Instruction("first_review", "wait_publication"), Instruction("nope", "first_review"),
        Instruction("first_review", "publish"), Instruction("decide", "decide"),
    ])
    assert "活动类型不同" in reports[0][0] and "different types" in reports[0][0]
    assert "源版本中没有活动 nope" in reports[1][0]
    assert "已有另一条映射" in reports[2][0]
    assert "不是可迁移的活动" in reports[3][0]


def test_a_boundary_event_mapped_without_its_activity_fails():
    (failures,) = instruction_failures(SOURCE, TARGET, [Instruction("withdrawn", "withdrawn")])
    assert "边界事件" in failures[0]


@pytest.fixture
def engine():
    return WorkflowEngine(Clock())


def _spec_json(xml: bytes) -> str:
    return compile_models([SourceFile("mig_review.bpmn", xml)], [], {"job_review"}, set())[0].spec_json


@pytest.fixture(scope="module")
def specs():
    return _spec_json(V1), _spec_json(V2)


def _at_final_review(engine, specs):
    execution = engine.start("v1", specs[0], {"applicant": "cotton"})
    execution.complete_user_task(execution.user_tasks()[0].id, {"approved": True})
    return execution


def test_an_instance_at_a_renamed_step_moves_keeping_its_task_data_and_waiting_boundary(engine, specs):
    execution = _at_final_review(engine, specs)
    (waiting,) = execution.user_tasks()
    moved = move(engine, execution, _mapping(RENAMED), "v2", specs[1])
    (task,) = moved.user_tasks()
    assert (task.id, task.key, task.name) == (waiting.id, "leader_review", "厅领导终审")
    assert moved.task_data(task.id)["applicant"] == "cotton"
    assert [w.activity_id for w in moved.message_waits()] == ["withdrawn"]
    moved.complete_user_task(task.id, {})
    moved.fire_timer(moved.timers()[0].execution_id)
    assert [t.key for t in moved.user_tasks()] == ["publish"]


def test_without_an_instruction_for_the_active_step_the_instance_is_blocked(engine, specs):
    execution = _at_final_review(engine, specs)
    (blocker,) = blockers(engine, execution, _mapping(), "v2", specs[1])
    assert (blocker.activity_id, blocker.reason) == ("final_review", "unmapped")
    with pytest.raises(MigrationBlocked):
        move(engine, execution, _mapping(), "v2", specs[1])


def test_a_step_mapped_to_an_activity_of_another_type_is_blocked(engine, specs):
    execution = engine.start("v1", specs[0], {})
    (blocker,) = blockers(engine, execution, {"first_review": "wait_publication"}, "v2", specs[1])
    assert blocker.reason == "type_changed"


def test_a_target_step_with_boundary_events_the_source_lacks_is_blocked(engine, specs):
    execution = engine.start("v1", specs[0], {})
    (blocker,) = blockers(engine, execution, {"first_review": "leader_review"}, "v2", specs[1])
    assert blocker.reason == "boundary_added"


def test_a_waiting_timer_keeps_its_due_time_when_it_moves(engine, specs):
    execution = _at_final_review(engine, specs)
    execution.complete_user_task(execution.user_tasks()[0].id, {})
    (timer,) = execution.timers()
    moved = move(engine, execution, _mapping(RENAMED), "v2", specs[1])
    assert moved.timers() == [timer]


def _without_withdrawal(xml: bytes) -> bytes:
    """The diagram without the withdrawal boundary event on the leader's step."""
    text = xml.decode()
    start, end = text.index('    <bpmn:boundaryEvent id="withdrawn"'), text.index('    <bpmn:sequenceFlow id="f3"')
    return (text[:start] + text[end:]).encode()


def test_a_boundary_event_the_target_lacks_is_dropped_with_its_subscription(engine, specs):
    execution = _at_final_review(engine, specs)
    target = _spec_json(_without_withdrawal(V2))
    moved = move(engine, execution, {"final_review": "leader_review"}, "v2-bare", target)
    assert moved.message_waits() == []
    assert [t.key for t in moved.user_tasks()] == ["leader_review"]
    moved.complete_user_task(moved.user_tasks()[0].id, {})
    assert [t.activity_id for t in moved.timers()] == ["wait_publication"]


def test_a_boundary_event_of_the_target_that_no_instruction_carries_blocks_the_move(engine, specs):
    execution = _at_final_review(engine, specs)
    (blocker,) = blockers(engine, execution, {"final_review": "leader_review"}, "v2", specs[1])
    assert (blocker.activity_id, blocker.reason) == ("final_review", "boundary_added")


def _flow(engine, name: str, variables: dict | None = None):
    """A fixture flow started, with its spec JSON (mapped onto itself by equal ids)."""
    xml = (FIXTURES / f"{name}.bpmn").read_bytes()
    (process,) = compile_models([SourceFile(f"{name}.bpmn", xml)], [], {"flow_opinion", "flow_expert_score"},
                                {"test_flow_archive"})
    mapping = {i.source: i.target for i in generate(activities_of(xml, name), activities_of(xml, name))}
    return engine.start(name, process.spec_json, variables or {}), process.spec_json, mapping


def test_a_step_inside_a_subprocess_is_blocked_honestly(engine):
    execution, spec_json, mapping = _flow(engine, "flow_embedded")
    reasons = {b.reason for b in blockers(engine, execution, mapping, "again", spec_json)}
    assert reasons == {"subprocess"}


def test_a_multi_instance_step_is_blocked_honestly(engine):
    execution, spec_json, mapping = _flow(engine, "flow_expert_review", {"experts": ["expert1", "expert2"]})
    reasons = {b.reason for b in blockers(engine, execution, mapping, "again", spec_json)}
    assert reasons == {"multi_instance"}


def test_parallel_branches_move_together_and_still_join(engine):
    execution, spec_json, mapping = _flow(engine, "flow_parallel")
    moved = move(engine, execution, mapping, "again", spec_json)
    for task in moved.user_tasks():
        moved.complete_user_task(task.id, {"opinion": "同意"})
    assert [t.key for t in moved.user_tasks()] == ["summary"]


def test_a_branch_waiting_at_a_join_moves_and_the_join_still_counts_it(engine):
    execution, spec_json, mapping = _flow(engine, "flow_parallel")
    assert mapping["join"] == "join"
    execution.complete_user_task(execution.user_tasks()[0].id, {"opinion": "同意"})
    moved = move(engine, execution, mapping, "again", spec_json)
    (remaining,) = moved.user_tasks()
    moved.complete_user_task(remaining.id, {"opinion": "同意"})
    assert [t.key for t in moved.user_tasks()] == ["summary"]


def test_a_join_that_merges_other_branches_in_the_target_blocks_the_move(engine):
    execution, spec_json, mapping = _flow(engine, "flow_parallel")
    execution.complete_user_task(execution.user_tasks()[0].id, {"opinion": "同意"})
    renamed = {**mapping, "technical_review": "finance_review"}
    reasons = {b.reason for b in blockers(engine, execution, renamed, "again", spec_json)}
    assert "join_changed" in reasons
