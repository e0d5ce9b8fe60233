"""The department's steps over a whole round (申报批次): the formal review (形式审查) of every
application waiting for it, decided on one list, and the ranking of the round (择优, R14).

Each row of a batch is the application's own `formal_review` task completed through the
task service, one command per application: a refused row (claimed by a colleague meanwhile,
a deadline in the past) is told beside it and the others go through. The ranking reads the
expert scores, so it is confidential (DESIGN.md): the department's staff only."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import to_shanghai
from app.models import ApplicationRound, ProcessInstance, RoundApplication, Task

from app.core import confidential
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, NotFound, ServiceError
from app.core.identity import Actor
from app.platform import permissions, user_tasks
from app.tic import rounds

FORMAL_REVIEW = "formal_review"
DECISIONS = ("pass", "return", "reject")
MAX_DEFECTS = 50
MAX_TEXT = 500


@dataclass(frozen=True)
class Waiting:
    """An application of the round waiting for its formal review."""

    task_id: str
    instance_id: str
    business_key: str | None
    center_name: str | None
    lead_unit: str | None
    assignee: str | None


@dataclass(frozen=True)
class RowOutcome:
    task_id: str
    business_key: str | None
    done: bool
    message: str


def waiting_for_formal_review(session: Session, actor: Actor, round_id: str) -> list[Waiting]:
    permissions.enforce(permissions.rounds_refusal(actor, keeping=True))
    return waiting_at(session, round_id, FORMAL_REVIEW)


def waiting_at(session: Session, round_id: str, step: str) -> list[Waiting]:
    """The round's applications with an open task at `step`, by case number."""
    rows = session.execute(
        select(Task.id, Task.instance_id, Task.business_key, Task.assignee, ProcessInstance.variables_json)
        .join(RoundApplication, RoundApplication.instance_id == Task.instance_id)
        .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
        .where(RoundApplication.round_id == round_id, Task.task_key == step)
        .order_by(Task.business_key)).all()
    return [_waiting(*row) for row in rows]


def _waiting(task_id, instance_id, business_key, assignee, variables_json) -> Waiting:
    values = json.loads(variables_json).get("values", {})
    return Waiting(task_id, instance_id, business_key, values.get("centerName"),
                   (values.get("leadUnit") or {}).get("name"), assignee)


def review_batch(ctx: AppContext, actor: Actor, round_id: str, decisions: list[dict]) -> list[RowOutcome]:
    """Complete each decided row's formal review in a command of its own; rows left
    undecided are skipped. The outcomes say, per row, done or why not."""
    permissions.enforce(permissions.rounds_refusal(actor, keeping=True))
    with ctx.db.read() as session:
        waiting = {w.task_id: w for w in waiting_for_formal_review(session, actor, round_id)}
    today = to_shanghai(ctx.now()).date()
    outcomes = []
    for decision in decisions:
        if not decision.get("decision"):
            continue
        task = waiting.get(str(decision.get("taskId")))
        if task is None:
            outcomes.append(gone(decision.get("taskId"), "形式审查"))
            continue
        outcomes.append(in_own_command(ctx, task, lambda session, task=task, decision=decision: user_tasks.complete(
            ctx, session, actor, task.task_id, formal_review_values(decision, today))))
    return outcomes


def gone(task_id, step_name: str) -> RowOutcome:
    return RowOutcome(str(task_id), None, False, f"该申请已不在本批次的{step_name}中（已办理或已撤回）")


def in_own_command(ctx: AppContext, task: Waiting, work) -> RowOutcome:
    """Run one row's `work(session)` in a command of its own: a refusal is told for the
    row and undoes only that row."""
    try:
        with ctx.db.command() as session:
            work(session)
    except ServiceError as error:
        problems = "；".join(e["message"] for e in error.errors) if error.errors else error.message
        return RowOutcome(task.task_id, task.business_key, False, problems)
    return RowOutcome(task.task_id, task.business_key, True, "已办理")


def formal_review_values(decision: dict, today: date) -> dict:
    """The `formal_review` form's values of one row: a return names its defects (one a
    line) and the date by which the lead unit fixes them."""
    choice, opinion = decision.get("decision"), str(decision.get("opinion") or "").strip()
    errors = []
    if choice not in DECISIONS:
        errors.append({"field": "decision", "message": "审核结论：应为通过、退回修改或不通过"})
    if not opinion:
        errors.append({"field": "opinion", "message": "形式审查意见：必填"})
    values = {"formalReviewDecision": choice, "formalReviewOpinion": opinion}
    if choice == "return":
        defects = [line.strip()[:MAX_TEXT] for line in str(decision.get("defects") or "").splitlines() if line.strip()]
        deadline = rounds.parse_date(decision.get("fixDeadline"))
        if not defects or len(defects) > MAX_DEFECTS:
            errors.append({"field": "defects", "message": f"需补正的问题：退回时逐行列出，1 至 {MAX_DEFECTS} 条"})
        if deadline is None or deadline <= today:
            errors.append({"field": "fixDeadline", "message": "补正期限：退回时必填，应为今天之后的日期"})
        values.update(formalReviewDefects=defects, fixDeadline=deadline.isoformat() if deadline else None)
    if errors:
        raise BadRequest("形式审查结论有误 / the formal review was refused", errors)
    return values


def round_ranking(session: Session, actor: Actor, round_id: str) -> list[dict]:
    """The round's applications with expert scores, best first, those within the quota
    marked (择优, R14). Ties keep the earlier application first."""
    if not confidential.sees_all(actor):
        raise Forbidden("排名含专家评分，仅科技厅及受托专业机构可以查看 / the ranking is the department's")
    row = session.get(ApplicationRound, round_id)
    if row is None:
        raise NotFound(f"申报批次 {round_id} 不存在 / round not found")
    found = session.execute(
        select(ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.state,
               ProcessInstance.variables_json)
        .join(RoundApplication, RoundApplication.instance_id == ProcessInstance.id)
        .where(RoundApplication.round_id == round_id).order_by(RoundApplication.joined_at)).all()
    entries = [e for e in (_entry(*item) for item in found) if e["score"] is not None]
    entries.sort(key=lambda e: -e["score"])
    for rank, entry in enumerate(entries, start=1):
        entry.update(rank=rank, withinQuota=rank <= row.quota)
    return entries


def _entry(instance_id, business_key, state, variables_json) -> dict:
    values = json.loads(variables_json).get("values", {})
    # With five or more experts the trimmed mean drops the extremes; it ranks when present.
    score = values.get("trimmedAverageScore", values.get("averageScore"))
    return {"processInstanceId": instance_id, "businessKey": business_key, "state": state.value,
            "centerName": values.get("centerName"), "leadUnit": (values.get("leadUnit") or {}).get("name"),
            "averageScore": values.get("averageScore"), "score": score,
            "expertsRecommending": values.get("expertsRecommending"),
            "siteVisitPassed": values.get("siteVisitPassed"), "approvalDecision": values.get("approvalDecision")}
