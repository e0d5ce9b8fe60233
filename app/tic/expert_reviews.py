"""Expert appraisal (专家论证) and on-site evaluation (实地评估): who reviews, what they found.

The panel, each review and each site visit are written by task listeners in the command
that completes the task, so the records and the workflow move together or not at all.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ExpertPanel, ExpertReview, Organization, SiteVisit, Task, User, UserGroup

EXPERT_GROUP = "expert"
REVIEW_STEP = "expert_review"


def panel_problems(session: Session, experts: list[str], variables: dict, minimum: int) -> list[dict]:
    """Field errors for a proposed panel: unknown users, non-experts, conflicts of interest
    (R15: an expert of the lead unit's or a co-builder's organization must step aside),
    and a panel smaller than `minimum`."""
    found = _experts_with_organizations(session, experts)
    problems = []
    for index, username in enumerate(experts):
        problem = _expert_problem(username, found.get(username), variables)
        if problem:
            problems.append({"field": f"experts.{index}", "message": problem})
    if len(experts) < minimum:
        problems.append({"field": "experts",
                         "message": f"论证专家不少于 {minimum} 人，当前只选择了 {len(experts)} 人"})
    return problems


@dataclass(frozen=True)
class Candidate:
    """What the department sees of an expert while picking a panel: why they must step
    aside for this application (R15), if they must, and their open reviews."""

    conflict: str | None
    open_reviews: int


def candidates(session: Session, experts: list[str], variables: dict) -> dict[str, Candidate]:
    """Each expert's conflict with this application and current workload, in two queries."""
    found = _experts_with_organizations(session, experts)
    load = dict(session.execute(
        select(Task.assignee, func.count()).where(Task.task_key == REVIEW_STEP, Task.assignee.in_(experts))
        .group_by(Task.assignee)).all())
    return {expert: Candidate(_conflicting_unit(found[expert][1], variables) if expert in found else None,
                              load.get(expert, 0)) for expert in experts}


def _experts_with_organizations(session: Session, usernames: list[str]) -> dict:
    rows = session.execute(
        select(User, Organization, UserGroup.group_id)
        .join(Organization, Organization.id == User.organization_id)
        .outerjoin(UserGroup, (UserGroup.user_id == User.id) & (UserGroup.group_id == EXPERT_GROUP))
        .where(User.id.in_(usernames), User.active.is_(True))
    ).all()
    return {user.id: (user, organization, group is not None) for user, organization, group in rows}


def _expert_problem(username: str, found, variables: dict) -> str | None:
    if found is None:
        return f"用户 {username} 不存在或已停用"
    user, organization, is_expert = found
    if not is_expert:
        return f"用户 {username}（{user.display_name}）不是评审专家"
    unit = _conflicting_unit(organization, variables)
    if unit:
        return (f"专家 {username}（{user.display_name}，{organization.name}）与{unit}属同一单位，"
                "按回避原则不能担任本申请的论证专家")
    return None


def _conflicting_unit(organization: Organization, variables: dict) -> str | None:
    """The applying unit the organization is, matched by id, name or credit code."""
    lead = variables.get("leadUnit") or {}
    if organization.id == variables.get("applicantOrg") or _same_unit(organization, lead):
        return f"牵头单位“{lead.get('name') or organization.name}”"
    for co_builder in variables.get("coBuilders") or []:
        if _same_unit(organization, co_builder):
            return f"共建单位“{co_builder.get('name')}”"
    return None


def _same_unit(organization: Organization, unit: dict) -> bool:
    name = (unit.get("name") or "").strip()
    code = (unit.get("creditCode") or "").strip().upper()
    return name == organization.name or (bool(code) and code == (organization.credit_code or "").upper())


@dataclass(frozen=True)
class PanelOrigin:
    """How a panel was chosen (its draw, or a manual reason) and whom, in which round, it
    reviews for."""

    draw_id: int | None
    manual_reason: str | None
    applicant_key: str | None
    round_key: str | None


def record_panel(session: Session, instance_id: str, process_key: str, experts: list[str],
                 assigned_by: str, now: datetime, origin: PanelOrigin) -> None:
    session.add(ExpertPanel(
        instance_id=instance_id, process_key=process_key, experts_json=json.dumps(experts),
        assigned_by=assigned_by, assigned_at=now, draw_id=origin.draw_id, manual_reason=origin.manual_reason,
        applicant_key=origin.applicant_key, round_key=origin.round_key,
    ))
    session.flush()


def latest_panel(session: Session, instance_id: str) -> ExpertPanel | None:
    return session.scalar(
        select(ExpertPanel).where(ExpertPanel.instance_id == instance_id)
        .order_by(ExpertPanel.id.desc()).limit(1)
    )


def record_review(session: Session, instance_id: str, task_id: str, expert: str, values: dict,
                  now: datetime) -> None:
    """Keep one expert's review against the panel that assigned it."""
    panel = latest_panel(session, instance_id)
    sheet = values.get("criterionScores")
    session.add(ExpertReview(
        task_id=task_id, panel_id=panel.id, instance_id=instance_id, expert=expert,
        score=values["expertScore"], opinion=values["expertOpinion"],
        recommend=values["expertRecommend"], submitted_at=now,
        criteria_json=json.dumps(sheet) if sheet is not None else None,
    ))
    # The aggregation may run in this same command; sessions do not autoflush.
    session.flush()


def panel_reviews(session: Session, panel: ExpertPanel) -> list[ExpertReview]:
    return list(session.scalars(
        select(ExpertReview).where(ExpertReview.panel_id == panel.id)
        .order_by(ExpertReview.submitted_at, ExpertReview.expert)
    ))


TRIM_FROM = 5


def summarize(session: Session, instance_id: str) -> dict:
    """`averageScore` (Double), `trimmedAverageScore` (Double) and `expertsRecommending`
    (Integer) of the latest panel."""
    panel = latest_panel(session, instance_id)
    expected = len(json.loads(panel.experts_json))
    rows = session.execute(select(ExpertReview.score, ExpertReview.recommend)
                           .where(ExpertReview.panel_id == panel.id)).all()
    if len(rows) != expected:
        raise RuntimeError(f"专家评分不完整：应有 {expected} 份，实有 {len(rows)} 份")
    scores = [score for score, _ in rows]
    return {"averageScore": average(scores), "trimmedAverageScore": trimmed_average(scores),
            "expertsRecommending": sum(1 for _, recommend in rows if recommend)}


def average(scores: list[int]) -> float:
    return round(sum(scores) / len(scores), 2)


def trimmed_average(scores: list[int]) -> float:
    """The average without the highest and the lowest total once there are `TRIM_FROM` or
    more (去掉一个最高分和一个最低分); with fewer nothing is dropped, so it equals the plain
    average: the variable is always set and never left from an earlier panel."""
    dropped = dropped_positions(scores)
    return average([score for position, score in enumerate(scores) if position not in dropped])


def dropped_positions(scores: list[int]) -> set[int]:
    """Where in `scores` the trimmed average drops one lowest and one highest total (the
    first of equal ones); none with fewer than `TRIM_FROM`."""
    if len(scores) < TRIM_FROM:
        return set()
    order = sorted(range(len(scores)), key=lambda position: scores[position])
    return {order[0], order[-1]}


def weighted_total(criteria: list[dict], given: dict) -> tuple[int | None, list[dict]]:
    """The scoring sheet's total (weights from `tic_review_criteria`), rounded, or the
    problems of a sheet that misses a criterion or scores outside 0–100."""
    problems = []
    for criterion in criteria:
        score = given.get(criterion["code"])
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
            problems.append({"field": f"criterionScores.{criterion['code']}",
                             "message": f"请为“{criterion['label']}”打 0–100 分"})
    unknown = sorted(set(given) - {c["code"] for c in criteria})
    problems += [{"field": f"criterionScores.{code}", "message": f"评分表没有指标 {code}"} for code in unknown[:5]]
    if problems:
        return None, problems
    weights = sum(c["weight"] for c in criteria)
    return int(sum(given[c["code"]] * c["weight"] for c in criteria) / weights + 0.5), []


def record_site_visit(session: Session, instance_id: str, task_id: str, values: dict,
                      recorded_by: str, now: datetime) -> None:
    visited_on = values.get("siteVisitDate")
    session.add(SiteVisit(
        task_id=task_id, instance_id=instance_id, passed=values["siteVisitPassed"],
        report=values["siteVisitReport"],
        visited_on=date.fromisoformat(visited_on) if visited_on else None,
        recorded_by=recorded_by, recorded_at=now,
    ))
    session.flush()


def latest_site_visit(session: Session, instance_id: str) -> SiteVisit | None:
    return session.scalar(
        select(SiteVisit).where(SiteVisit.instance_id == instance_id)
        .order_by(SiteVisit.recorded_at.desc()).limit(1)
    )
