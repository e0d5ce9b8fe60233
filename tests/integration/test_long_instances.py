"""Long-lived instances (issue 14): a loop runs for as long as the case needs, and its state
holds what can still matter, not its history.

SpiffWorkflow adds every round of a loop to the instance's task tree; its walks stop at
1,000 levels (~500 rounds), and used to report the instance completed on the wrong path.
Each save now cuts the finished rounds out of the engine's state (app/engine/compaction.py;
their steps are already in the history tables), so a loop of any length runs to its right
end at the cost of its first rounds. Where the engine still cannot see every running task,
the command is refused clearly and nothing of it is saved.

A compacted instance keeps working the ways a long case does: 退回 to an earlier step,
withdrawal by the applicant, migration to a new version, timers, called processes."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.identity import load_actor
from app.engine.errors import EngineError
from app.models import HistoricActivity, HistoricTask, InstanceState, ProcessDefinition, ProcessInstance
from app.platform import deployment, task_actions, user_tasks
from app.platform.jobs import execute_due_jobs
from app.platform.process_instances import start_process
from tests.support.jobs import deployed, form_files, historic_instance, only_task
from tests.support.services import FIXTURES, as_user, deploy_fixtures, open_tasks

SHARED_BENCH = Path(__file__).resolve().parents[2].parent / "shared" / "bench"
# Past the ~500 rounds at which the engine's walk fell short before compaction.
MANY_ROUNDS = 600
# Enough rounds that an uncompacted tree would be several times the size of one round's.
ROUNDS = 12
# Each command takes the workflow from the instance cache, or restores it from its JSON.
on_both_paths = pytest.mark.restored_and_cached


def loop_instance(ctx) -> str:
    files = {"loop.bpmn": (SHARED_BENCH / "loop.bpmn").read_bytes(),
             "bench/confirm.schema.json": (SHARED_BENCH / "forms" / "confirm.schema.json").read_bytes()}
    with ctx.db.command() as session:
        deployment.deploy(ctx, session, None, "loop", files)
        return start_process(ctx, session, load_actor(session, "officer"), key="bench_loop").id


def complete(ctx, instance_id: str, key: str, values: dict) -> None:
    as_user(ctx, "officer", user_tasks.complete, open_tasks(ctx, instance_id)[key].id, values)


def engine_state(ctx, instance_id: str) -> dict:
    with ctx.db.read() as session:
        return json.loads(session.get(ProcessInstance, instance_id).state_json)


def tasks_in_state(state: dict) -> int:
    return len(state["tasks"]) + sum(len(s["tasks"]) for s in state["subprocesses"].values())


def instance_row(ctx, instance_id: str) -> ProcessInstance:
    with ctx.db.read() as session:
        return session.get(ProcessInstance, instance_id)


def ended_at(ctx, instance_id: str) -> list[str]:
    """The end events the instance reached, not counting those of the processes it called."""
    with ctx.db.read() as session:
        return list(session.scalars(select(HistoricActivity.activity_id).where(
            HistoricActivity.instance_id == instance_id, HistoricActivity.activity_type == "endEvent",
            HistoricActivity.activity_id != "child_end")))


def completed_count(ctx, instance_id: str, key: str) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(func.count()).select_from(HistoricTask).where(
            HistoricTask.instance_id == instance_id, HistoricTask.task_key == key,
            HistoricTask.completed_by.is_not(None)))


@on_both_paths
def test_a_loop_of_600_rounds_runs_to_its_right_end_and_its_state_stays_one_rounds_size(ctx):
    instance_id = loop_instance(ctx)
    for _ in range(10):
        complete(ctx, instance_id, "step", {"confirmed": False})
    early = engine_state(ctx, instance_id)
    for _ in range(MANY_ROUNDS - 10):
        complete(ctx, instance_id, "step", {"confirmed": False})
    late = engine_state(ctx, instance_id)

    assert tasks_in_state(late) == tasks_in_state(early)
    assert len(json.dumps(late)) <= len(json.dumps(early)) * 1.05
    assert instance_row(ctx, instance_id).state == InstanceState.ACTIVE
    complete(ctx, instance_id, "step", {"confirmed": True})
    assert instance_row(ctx, instance_id).state == InstanceState.COMPLETED
    assert ended_at(ctx, instance_id) == ["end"]
    assert completed_count(ctx, instance_id, "step") == MANY_ROUNDS + 1


def test_without_compaction_the_engine_refuses_a_tree_deeper_than_it_can_walk(ctx):
    """The engine's own guard, where no save compacts: never a silent completion."""
    instance_id = loop_instance(ctx)
    with ctx.db.read() as session:
        definition = session.get(ProcessDefinition, instance_row(ctx, instance_id).definition_id)
    execution = ctx.engine.start(definition.id, definition.spec_json, {})
    with pytest.raises(EngineError) as refused:
        for _ in range(MANY_ROUNDS):
            execution.complete_user_task(execution.user_tasks()[0].id, {"confirmed": False})
            assert not execution.completed
    assert "办理轮次过多" in str(refused.value) and refused.value.error_type == "InstanceTooDeep"


def revision_instance(ctx, rounds: int = ROUNDS) -> str:
    """A case sent back for revision `rounds` times, each revision in a called process."""
    deploy_fixtures(ctx, "long_revision_loop.bpmn", "job_review.schema.json")
    instance_id = as_user(ctx, "officer", start_process, key="long_revision_loop").id
    complete(ctx, instance_id, "fill", {"comment": "初稿"})
    for round_number in range(rounds):
        complete(ctx, instance_id, "review", {"approved": False, "comment": f"第{round_number + 1}轮意见"})
        complete(ctx, instance_id, "revise_fill", {"comment": f"第{round_number + 1}次修改"})
    return instance_id


@on_both_paths
def test_a_case_revised_many_times_keeps_one_round_in_its_state_and_all_rounds_in_history(ctx):
    two_rounds = engine_state(ctx, revision_instance(ctx, rounds=2))
    instance_id = revision_instance(ctx)

    state = engine_state(ctx, instance_id)
    assert tasks_in_state(state) == tasks_in_state(two_rounds)
    assert len(state["subprocesses"]) == len(two_rounds["subprocesses"]) == 1
    assert completed_count(ctx, instance_id, "review") == completed_count(ctx, instance_id, "revise_fill") == ROUNDS


@on_both_paths
def test_a_compacted_case_is_sent_back_to_any_earlier_step_and_reopens_with_its_answers(ctx):
    instance_id = revision_instance(ctx)
    review = open_tasks(ctx, instance_id)["review"]

    targets = as_user(ctx, "officer", task_actions.return_targets, review.id)
    assert [t["activityId"] for t in targets] == ["revise_fill", "review", "fill"]
    reopened = as_user(ctx, "officer", task_actions.send_back, review.id, "fill", "请重新填报基本信息")
    assert open_tasks(ctx, instance_id)["fill"].id == reopened
    assert as_user(ctx, "officer", user_tasks.form_of, reopened)["values"]["comment"] == "初稿"

    complete(ctx, instance_id, "fill", {"comment": "重新填报"})
    complete(ctx, instance_id, "review", {"approved": True})
    assert instance_row(ctx, instance_id).state == InstanceState.COMPLETED
    assert ended_at(ctx, instance_id) == ["done"]


@on_both_paths
def test_a_compacted_case_is_withdrawn_along_its_diagram(ctx):
    instance_id = revision_instance(ctx)

    as_user(ctx, "officer", task_actions.withdraw, instance_id, "申请人主动撤回")
    assert instance_row(ctx, instance_id).state == InstanceState.COMPLETED
    assert ended_at(ctx, instance_id) == ["withdrawn"]
    assert open_tasks(ctx, instance_id) == {}


@on_both_paths
def test_a_compacted_case_fires_the_deadline_armed_in_its_latest_round(ctx, clock):
    instance_id = revision_instance(ctx)

    clock.advance(timedelta(days=1, minutes=1))
    assert execute_due_jobs(ctx) == 1
    assert set(open_tasks(ctx, instance_id)) == {"review", "chase"}
    complete(ctx, instance_id, "review", {"approved": True})
    complete(ctx, instance_id, "chase", {"comment": "已催办"})
    assert instance_row(ctx, instance_id).state == InstanceState.COMPLETED


@on_both_paths
def test_a_compacted_case_migrates_to_a_new_version_and_finishes_there(ctx, rest):
    instance_id = revision_instance(ctx)
    source = instance_row(ctx, instance_id).definition_id
    v2 = (FIXTURES / "bpmn" / "long_revision_loop.bpmn").read_text(encoding="utf-8").replace(
        'name="审核"', 'name="复核"')
    response = deployed(rest("analyst"), {**form_files(), "long_revision_loop.bpmn": v2.encode()}, "v2")
    target = next(d["id"] for d in response["deployedProcessDefinitions"].values()
                  if d["key"] == "long_revision_loop")

    plan = rest("analyst").post("/migration/generate", json={
        "sourceProcessDefinitionId": source, "targetProcessDefinitionId": target}).get_json()
    report = rest("admin").post("/migration/execute", json={
        "migrationPlan": plan, "processInstanceIds": [instance_id]}).get_json()
    assert report["migrated"] == [instance_id], report

    admin = rest("admin")
    assert historic_instance(admin, instance_id)["processDefinitionVersion"] == 2
    complete(ctx, instance_id, "review", {"approved": False})
    complete(ctx, instance_id, "revise_fill", {"comment": "迁移后修改"})
    assert only_task(admin, instance_id)["name"] == "复核"
    complete(ctx, instance_id, "review", {"approved": True})
    assert instance_row(ctx, instance_id).state == InstanceState.COMPLETED
