"""A center's governance (运行体系, 《工作指引》四（二）, R17): the board decides, the director
is full-time, the expert committee advises. Checked every time it is entered or changed:
the form `tic/center_governance` for its shape, the decision table `tic_governance` for
the rules (committee size, external majority, full-time director).
"""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import format_camunda
from app.models import CenterStatus, FormVersion, GovernanceRecord

from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, ValidationFailed
from app.core.identity import Actor
from app.platform import forms
from app.platform.decision_tables import decide
from app.tic import lifecycle
from app.tic.registry import get_center

GOVERNANCE_FORM = "tic/center_governance"
GOVERNANCE_TABLE = "tic_governance"


def put_governance(ctx: AppContext, session: Session, actor: Actor, code: str, payload) -> dict:
    """Record the center's governance as entered by its own staff or the department."""
    shown = get_center(session, actor, code)
    if not (actor.in_any({"department"})
            or ("center" in actor.groups and actor.organization_id == shown["leadUnit"]["organizationId"])):
        raise Forbidden("只有技术创新中心本单位或科技厅可以登记运行体系 / not allowed to edit governance")
    if lifecycle.center(session, code).status == CenterStatus.DELISTED:
        raise BadRequest(f"技术创新中心 {code} 已不再列入技术创新中心序列，不能再登记运行体系")
    if not isinstance(payload, dict):
        raise BadRequest("请提交运行体系对象 / governance must be a JSON object")
    forms.validate(_validator(ctx, session), payload)
    problems = _rule_problems(ctx, session, payload)
    if problems:
        raise ValidationFailed("运行体系不符合《工作指引》要求 / governance does not meet the guideline", problems)
    record = GovernanceRecord(
        center_code=code, board_json=json.dumps(payload["board"], ensure_ascii=False),
        director_json=json.dumps(payload["director"], ensure_ascii=False),
        expert_committee_json=json.dumps(payload["expertCommittee"], ensure_ascii=False),
        recorded_by=actor.id, recorded_at=ctx.now(),
    )
    session.add(record)
    session.flush()
    return governance_view(record)


def _validator(ctx: AppContext, session: Session):
    form_id = session.scalar(select(FormVersion.id).where(FormVersion.form_key == GOVERNANCE_FORM)
                             .order_by(FormVersion.version.desc()).limit(1))
    if form_id is None:
        raise BadRequest(f"表单 {GOVERNANCE_FORM} 尚未部署 / governance form not deployed")
    return forms.validator_for(ctx, session, form_id)


def _rule_problems(ctx: AppContext, session: Session, payload: dict) -> list[dict]:
    outcome = decide(ctx, session, GOVERNANCE_TABLE, {
        "board": payload["board"], "director": payload["director"],
        "expertCommittee": payload["expertCommittee"],
    })
    return [{"field": field, "message": message} for field, message in
            zip(outcome.get("governanceFields", []), outcome.get("governanceMessages", []))]


def get_governance(session: Session, actor: Actor, code: str) -> dict | None:
    """The governance in force (the latest entered), or None before any was entered."""
    get_center(session, actor, code)
    record = session.scalar(select(GovernanceRecord).where(GovernanceRecord.center_code == code)
                            .order_by(GovernanceRecord.id.desc()).limit(1))
    return governance_view(record) if record else None


def governance_view(record: GovernanceRecord) -> dict:
    committee = json.loads(record.expert_committee_json)
    return {
        "board": json.loads(record.board_json), "director": json.loads(record.director_json),
        "expertCommittee": committee,
        "expertCommitteeSize": len(committee),
        "externalExperts": sum(1 for member in committee if member.get("external")),
        "recordedBy": record.recorded_by, "recordedAt": format_camunda(record.recorded_at),
    }
