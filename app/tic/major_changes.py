"""Major changes (重大变更, 《工作指引》四（二）5, R19): after its board resolves, a center
applies; its supervising unit reviews; the S&T Department approves (批复). Only on approval
does the registry change, and the change is kept with before and after, who approved it
and when.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Center, CenterChange, ChangeRequest, ProcessInstance

from app.tic import lifecycle, registry

CHANGE_TYPES = ("name", "core_co_builders", "other")
_REQUEST_FIELDS = ("newName", "newCoreCoBuilders", "changeDescription", "boardResolutionNo",
                   "boardResolutionDate")


def starting_variables(session: Session, instance_id: str) -> dict:
    """Who applies: the starter's organization; and its center as registered now, to show."""
    organization = session.scalar(select(ProcessInstance.owner_org).where(ProcessInstance.id == instance_id))
    if not organization:
        raise ValueError("重大变更申请须由技术创新中心的用户发起 / started without an organization")
    center = lifecycle.active_center_of(session, organization)
    return {"applicantOrg": organization, **(_center_variables(center) if center else {})}


def _center_variables(center: Center) -> dict:
    return {
        "centerCode": center.code, "centerName": center.name,
        "recommenderOrg": center.supervising_org_id,
        "currentCoBuilders": json.loads(center.co_builders_json),
    }


def request_problems(session: Session, organization_id: str, values: dict) -> list[dict]:
    """What the schema cannot check: the applicant leads a center still in the sequence, the
    application says what and why, each change type brings what it changes, and a new name
    is not taken (R14)."""
    center = lifecycle.active_center_of(session, organization_id)
    if center is None:
        return [{"field": "changeType",
                 "message": "贵单位没有列入技术创新中心序列的中心，不能申请重大变更"}]
    problems = []
    if not str(values.get("changeDescription") or "").strip():
        problems.append({"field": "changeDescription", "message": "请说明变更的内容和理由"})
    change_type = values.get("changeType")
    if change_type == "name":
        problems += _name_problems(session, center, values.get("newName"), "newName")
    if change_type == "core_co_builders" and not values.get("newCoreCoBuilders"):
        problems.append({"field": "newCoreCoBuilders", "message": "变更核心建设单位时须列明变更后的核心建设单位"})
    return problems


def _name_problems(session: Session, center: Center, name: str | None, field: str) -> list[dict]:
    if not name:
        return [{"field": field, "message": "变更名称时须填写变更后的中心名称"}]
    if name == center.name:
        return [{"field": field, "message": "变更后的名称与现名称相同"}]
    if registry.name_registered(session, name):
        return [{"field": field, "message": f"已有同名的技术创新中心“{name}”登记在册，不能变更为该名称"}]
    return []


def record_submission(session: Session, instance_id: str, business_key: str | None,
                      organization_id: str, actor_id: str, values: dict, now: datetime) -> None:
    """Keep the application; a returned one submitted again replaces what it asks for."""
    center = lifecycle.active_center_of(session, organization_id)
    content = json.dumps({k: values.get(k) for k in _REQUEST_FIELDS}, ensure_ascii=False)
    request = _request(session, instance_id)
    if request is None:
        session.add(ChangeRequest(
            process_instance_id=instance_id, business_key=business_key, center_code=center.code,
            change_type=values["changeType"], request_json=content, status="submitted",
            submitted_by=actor_id, submitted_at=now,
        ))
        session.flush()
        return
    request.change_type, request.request_json, request.status = values["changeType"], content, "submitted"
    request.submissions += 1
    request.submitted_by, request.submitted_at = actor_id, now


def bind_center(session: Session, instance_id: str) -> dict:
    """After submission the process follows the center the application was recorded for."""
    return _center_variables(lifecycle.center(session, _request(session, instance_id).center_code))


def record_authority_review(session: Session, instance_id: str, actor_id: str, values: dict,
                            now: datetime) -> None:
    request = _request(session, instance_id)
    request.authority_decision = values["authorityDecision"]
    request.authority_opinion = values.get("authorityOpinion")
    request.authority_by, request.authority_at = actor_id, now
    request.status = {"approve": "authority_approved", "return": "returned", "reject": "rejected"}[
        request.authority_decision]


def approval_problems(session: Session, instance_id: str, values: dict) -> list[dict]:
    """A name taken since the application was made cannot be approved (R14)."""
    request = _request(session, instance_id)
    if values.get("departmentDecision") != "approve" or request.change_type != "name":
        return []
    center = lifecycle.center(session, request.center_code)
    return _name_problems(session, center, json.loads(request.request_json)["newName"], "departmentDecision")


def record_department_decision(session: Session, instance_id: str, actor_id: str, values: dict,
                               now: datetime) -> None:
    request = _request(session, instance_id)
    request.department_decision = values["departmentDecision"]
    request.department_opinion = values.get("departmentOpinion")
    request.department_by, request.department_at = actor_id, now
    request.status = "approving" if request.department_decision == "approve" else "rejected"


def apply_change(session: Session, instance_id: str, now: datetime) -> dict:
    """The approved change reaches the registry; before and after are kept (R19)."""
    request = _request(session, instance_id)
    center = lifecycle.center(session, request.center_code)
    asked = json.loads(request.request_json)
    before, after = _apply(center, request.change_type, asked)
    change = CenterChange(
        center_code=center.code, change_type=request.change_type,
        description=asked.get("changeDescription"),
        before_json=json.dumps(before, ensure_ascii=False) if before is not None else None,
        after_json=json.dumps(after, ensure_ascii=False) if after is not None else None,
        process_instance_id=instance_id, approved_by=request.department_by, approved_at=now,
    )
    session.add(change)
    session.flush()
    request.change_id, request.status = change.id, "approved"
    return {"centerName": center.name}


def _apply(center: Center, change_type: str, asked: dict):
    if change_type == "name":
        before, center.name = {"name": center.name}, asked["newName"]
        return before, {"name": center.name}
    if change_type == "core_co_builders":
        units = json.loads(center.co_builders_json)
        core = [dict(unit, core=True) for unit in asked["newCoreCoBuilders"]]
        center.co_builders_json = json.dumps([u for u in units if not u.get("core")] + core, ensure_ascii=False)
        return {"coreCoBuilders": [u for u in units if u.get("core")]}, {"coreCoBuilders": core}
    return None, None


def _request(session: Session, instance_id: str) -> ChangeRequest | None:
    return session.scalar(select(ChangeRequest).where(ChangeRequest.process_instance_id == instance_id))
