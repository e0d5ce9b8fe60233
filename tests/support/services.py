"""Calling the platform's use cases without HTTP, as a web handler does: one unit of work
per call, acting as a demo user; and the rows a test reads the outcome from."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.core.identity import load_actor
from app.models import ProcessInstance, Task
from app.platform import deployment

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def as_user(ctx, user_id: str | None, use_case, *args, **kwargs):
    """`use_case(ctx, session, actor, *args, **kwargs)` in one command, as `user_id` (None:
    the platform itself); what it returns, or the ServiceError it raised."""
    with ctx.db.command() as session:
        actor = load_actor(session, user_id) if user_id else None
        return use_case(ctx, session, actor, *args, **kwargs)


def deploy_fixtures(ctx, *names: str) -> None:
    """Deploy tests/fixtures files: models from bpmn/, forms (`*.schema.json`) from forms/."""
    files = {name: (FIXTURES / ("forms" if name.endswith(".schema.json") else "bpmn") / name).read_bytes()
             for name in names}
    as_user(ctx, "analyst", deployment.deploy, "service-tests", files)


def open_tasks(ctx, instance_id: str) -> dict[str, Task]:
    """The instance's open user tasks by task key."""
    with ctx.db.read() as session:
        return {task.task_key: task for task in session.scalars(select(Task).where(Task.instance_id == instance_id))}


def instance(ctx, instance_id: str) -> ProcessInstance:
    with ctx.db.read() as session:
        return session.get(ProcessInstance, instance_id)
