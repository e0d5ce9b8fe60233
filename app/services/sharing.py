"""抄送: who may copy a case to others, and to whom. Granting access is itself a permission.

The applying unit and the department staff who act may copy a case in; a copied-in reader
may not pass it on. It may go to department staff, to the case's supervising (recommending)
unit and to the applying unit's own people, never to another applicant, an expert or any
other unit. The 抄送 command enforces these rules and the page's picker offers exactly the
people they allow.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from app.models import ProcessInstance

from .authorization import APPLICANT_GROUPS, acts_for_department
from .identity import Actor

EXPERT_GROUP = "expert"


@dataclass(frozen=True)
class Case:
    """The organizations a case belongs to: the applying unit and its supervising unit."""

    started_by: str | None
    applicant_org: str | None
    supervising_org: str | None


def case_of(instance: ProcessInstance) -> Case:
    """The starter's organization, or the center's (`applicantOrg`) for the processes the
    registry starts; the supervising unit is `recommenderOrg`, resolved to its id when the
    application is submitted and copied from the registry for a center's processes."""
    values = json.loads(instance.variables_json).get("values", {})
    return Case(started_by=instance.started_by,
                applicant_org=instance.owner_org or _text(values.get("applicantOrg")),
                supervising_org=_text(values.get("recommenderOrg")))


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def grant_refusal(actor: Actor, case: Case) -> str | None:
    """Why `actor` may not copy the case to anyone (None: they may)."""
    if acts_for_department(actor) or _applicant_side(actor, case):
        return None
    return "只有申报单位和科技厅经办人员可以抄送 / only the applicant and department staff may copy a case"


def _applicant_side(actor: Actor, case: Case) -> bool:
    return case.started_by == actor.id or (
        case.applicant_org is not None and actor.organization_id == case.applicant_org
        and actor.in_any(APPLICANT_GROUPS))


def target_refusal(case: Case, target: Actor) -> str | None:
    """Why the case may not be copied to `target` (None: it may)."""
    who = f"用户 {target.display_name}（{target.id}）"
    if target.in_any({EXPERT_GROUP}):
        return f"{who}是评审专家，不能抄送 / experts may not be copied in"
    if target.sees_everything or target.organization_id in {case.applicant_org, case.supervising_org} - {None}:
        return None
    return (f"{who}不是科技厅、本案推荐（主管）单位或申报单位的人员，不能抄送"
            " / only department staff, the supervising unit and the applicant's own people may be copied in")
