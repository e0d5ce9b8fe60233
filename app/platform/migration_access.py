"""Who may migrate instances between versions: analysts and admins plan and dry-run,
only admins move instances (issue 11). Each rule answers None (allowed) or its refusal."""
from __future__ import annotations

from app.core.errors import Forbidden
from app.core.identity import Actor

PLANNERS = frozenset({"analyst", "admin"})
EXECUTORS = frozenset({"admin"})


def plan_refusal(actor: Actor) -> Forbidden | None:
    if actor.in_any(PLANNERS):
        return None
    return Forbidden("只有业务分析员或管理员可以制定和试运行迁移计划 / only analysts and admins "
                     "plan and dry-run migrations")


def execute_refusal(actor: Actor) -> Forbidden | None:
    if actor.in_any(EXECUTORS):
        return None
    return Forbidden("只有系统管理员可以执行流程实例迁移 / only administrators migrate process instances")
