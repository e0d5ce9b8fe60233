"""A long-lived instance never ends because of its size (issue 14, first part): SpiffWorkflow
walks a task tree at most 1,000 levels deep and, past ~500 rounds of a loop, used to report
the instance completed on the wrong path. Now the command that would go past the engine's
reach fails with a clear error, and the instance stays as it was: running, its step open."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.core.errors import BadRequest
from app.core.identity import load_actor
from app.models import InstanceState, ProcessInstance, Task
from app.platform import deployment, user_tasks
from app.platform.process_instances import start_process

SHARED_BENCH = Path(__file__).resolve().parents[2].parent / "shared" / "bench"
# Far beyond the ~500 rounds at which the engine's walk falls short.
MAX_ROUNDS = 800


def loop_instance(ctx) -> str:
    files = {"loop.bpmn": (SHARED_BENCH / "loop.bpmn").read_bytes(),
             "bench/confirm.schema.json": (SHARED_BENCH / "forms" / "confirm.schema.json").read_bytes()}
    with ctx.db.command() as session:
        deployment.deploy(ctx, session, None, "loop", files)
        return start_process(ctx, session, load_actor(session, "officer"), key="bench_loop").id


def open_step(ctx, instance_id: str) -> tuple[InstanceState, list[str]]:
    with ctx.db.read() as session:
        state = session.get(ProcessInstance, instance_id).state
        return state, list(session.scalars(select(Task.id).where(Task.instance_id == instance_id)))


def test_a_loop_past_the_engines_reach_is_refused_clearly_and_never_ends_on_the_wrong_path(ctx):
    instance_id = loop_instance(ctx)
    refusal = None
    for _ in range(MAX_ROUNDS):
        state, [step] = open_step(ctx, instance_id)
        assert state == InstanceState.ACTIVE
        try:
            with ctx.db.command() as session:
                user_tasks.complete(ctx, session, load_actor(session, "officer"), step, {"confirmed": False})
        except BadRequest as error:
            refusal = error
            break

    assert refusal is not None and "办理轮次过多" in refusal.message
    assert open_step(ctx, instance_id) == (InstanceState.ACTIVE, [step])
