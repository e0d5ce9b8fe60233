"""Objections (异议) to a 公示: anyone may object on /publicity/<id>, without signing in,
with their real name, a phone number or email address, and the objection in words (no
files: nothing uploaded by an anonymous visitor is stored). Each objection becomes the
department's task `review_objection` in the establishment process (message
`PublicityObjection`); one that comes while another is being handled waits in the table and
is taken up next (`publicity.next_pending`).

Objections are throttled per client address, in their own bucket (the sign-in throttle
counts user names): at most `MAX_PER_ADDRESS` accepted from one address in `WINDOW`; the
count is the stored objections themselves, so every web worker sees it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import as_utc, to_shanghai
from app.models import MessageSubscription, Publicity, PublicityObjection

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, NotFound, ServiceError
from app.core.senders import Sender
from app.platform import instance_store
from app.platform.messages import correlate
from app.tic import publicity

MESSAGE = "PublicityObjection"
MAX_PER_ADDRESS = 3
WINDOW = timedelta(hours=1)
NAME_LENGTH = (2, 50)
TEXT_LENGTH = (10, 2000)
MAX_CONTACT = 100
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")


class TooManyObjections(ServiceError):
    """Too many objections from one address: refused until the window has passed (HTTP 429)."""

    status = 429

    def __init__(self, until: datetime):
        local = to_shanghai(until).strftime("%H:%M")
        message = f"同一网络地址提交异议过于频繁，请于 {local} 后再试"
        super().__init__(message, [{"field": "text", "message": message}])


def _nobody_by_message(_actor, _instance, _values) -> ServiceError | None:
    return Forbidden("公示异议只能在公示页面提交 / objections are made on the publicity page")


# Only the objection page sends it (through the platform, as no one): the task needs the
# stored objection its message names.
MESSAGE_SENDERS = {MESSAGE: Sender(_nobody_by_message)}


def submit(ctx: AppContext, session: Session, publicity_id: int, form: dict, source: str | None) -> int:
    """Record an objection and hand it to the department; returns its id."""
    now = ctx.now()
    row = session.get(Publicity, publicity_id)
    if row is None:
        raise NotFound("该公示不存在 / no such publicity")
    values = _checked(form)
    if row.status != "open" or as_utc(row.ends_at) <= now:
        message = "该公示已结束，不再受理异议"
        raise BadRequest(message, [{"field": "text", "message": message}])
    address = (source or "unknown")[:64]
    _throttle(session, address, now)
    instance_store.lock_instance(session, row.instance_id)
    objection = PublicityObjection(
        publicity_id=row.id, objector_name=values["name"], contact=values["contact"], text=values["text"],
        source=address, submitted_at=now, status="pending")
    session.add(objection)
    session.flush()
    if _waiting(session, row.instance_id):
        correlate(ctx, session, None, MESSAGE, business_key=row.business_key,
                  process_instance_id=row.instance_id, variables=publicity.objection_variables(objection))
    audit.record(ctx, session, "publicity.objection", user_id=None, target=str(row.id), source=address,
                 details={"objection": objection.id})
    return objection.id


def decide(session: Session, objection_id: int, decision: str, reason: str, actor_id: str,
           now: datetime) -> None:
    """The department's decision on one objection (the `review_objection` task)."""
    objection = session.get(PublicityObjection, int(objection_id))
    if objection is None or objection.status != "pending":
        raise BadRequest("该异议不存在或已处理 / the objection is not pending")
    objection.status = "upheld" if decision == "uphold" else "dismissed"
    objection.reason, objection.decided_by, objection.decided_at = reason, actor_id, now


def _checked(form: dict) -> dict:
    values = {key: str(form.get(key) or "").strip() for key in ("name", "contact", "text")}
    errors = []
    if not NAME_LENGTH[0] <= len(values["name"]) <= NAME_LENGTH[1]:
        errors.append({"field": "name", "message": f"请填写真实姓名（{NAME_LENGTH[0]}至{NAME_LENGTH[1]}个字）"})
    if not _contact_valid(values["contact"]):
        errors.append({"field": "contact",
                       "message": "请填写有效的手机号码（11位）、固定电话（区号-号码）或电子邮箱"})
    if not TEXT_LENGTH[0] <= len(values["text"]) <= TEXT_LENGTH[1]:
        errors.append({"field": "text",
                       "message": f"异议内容应为{TEXT_LENGTH[0]}至{TEXT_LENGTH[1]}个字，请写明异议事实和理由"})
    if errors:
        raise BadRequest("异议未能提交，请按提示修改", errors)
    return values


def _contact_valid(contact: str) -> bool:
    if len(contact) > MAX_CONTACT:
        return False
    return any(pattern.fullmatch(contact) for pattern in (_MOBILE, _LANDLINE, _EMAIL))


def _throttle(session: Session, address: str, now: datetime) -> None:
    since = now - WINDOW
    count, oldest = session.execute(
        select(func.count(), func.min(PublicityObjection.submitted_at))
        .where(PublicityObjection.source == address, PublicityObjection.submitted_at > since)
    ).one()
    if count >= MAX_PER_ADDRESS:
        raise TooManyObjections(as_utc(oldest) + WINDOW)


def _waiting(session: Session, instance_id: str) -> bool:
    return session.scalar(select(MessageSubscription.instance_id).where(
        MessageSubscription.instance_id == instance_id, MessageSubscription.message_name == MESSAGE
    ).limit(1)) is not None
