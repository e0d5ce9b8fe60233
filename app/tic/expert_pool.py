"""The expert pool (专家库), kept by the department and its agency at /experts: each expert's
record (fields, title, contact, past affiliations, whether they can be drawn), its XLSX
import and export, and the pool as a draw sees it (`expert_draw`, `panel_draws`).

The accounts are the administrators' (系统管理); the pool keeps what a draw needs beside them.
Every change and draw is an authorization decision here (`permissions.expert_pool_refusal`),
audited; a refused record or import names each field or row in Chinese and changes nothing."""
from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ExpertDraw, ExpertProfile, Organization, Task, User, UserGroup

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound
from app.core.identity import Actor
from app.platform import permissions
from app.tic import expert_draw
from app.tic.registry import FIELD_NAMES

EXPERT_GROUP = "expert"
REVIEW_STEP = "expert_review"
ASSIGN_STEP = "assign_experts"
COLUMNS = ("用户名", "姓名", "单位", "领域", "职称", "电话", "邮箱", "区内/区外", "可抽取", "在库", "曾任职单位")
_FIELD_CODES = {name: code for code, name in FIELD_NAMES.items()}
_PHONE = re.compile(r"^[0-9+\-() ]{5,30}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Expert:
    user_id: str
    name: str
    organization: str
    fields: tuple[str, ...]
    title: str | None
    phone: str | None
    email: str | None
    in_region: bool
    available: bool
    in_pool: bool
    affiliations: tuple[dict, ...]
    open_reviews: int


def list_experts(session: Session, actor: Actor, field: str | None = None, text: str | None = None) -> list[Expert]:
    permissions.enforce(permissions.expert_pool_refusal(actor, keeping=False))
    found = _experts(session)
    if field:
        found = [e for e in found if field in e.fields]
    if text:
        found = [e for e in found if text in e.user_id or text in e.name or text in e.organization]
    return found


def get_expert(session: Session, actor: Actor, user_id: str) -> Expert:
    for expert in list_experts(session, actor):
        if expert.user_id == user_id:
            return expert
    raise NotFound(f"专家 {user_id} 不存在 / expert not found")


def save_expert(ctx: AppContext, session: Session, actor: Actor, user_id: str, form: dict) -> None:
    """Replace one expert's record with `form` (the page's or an imported row's values)."""
    _enforce_keeper(ctx, session, actor, "expert.update", user_id)
    if user_id not in _expert_ids(session):
        raise NotFound(f"专家 {user_id} 不存在 / expert not found")
    record, errors = _checked(form)
    if errors:
        raise BadRequest("专家信息有误，未保存 / the expert's record was not saved", errors)
    _store(ctx, session, actor, user_id, record)
    audit.record(ctx, session, "expert.update", user_id=actor.id, target=user_id, source=actor.source,
                 details={"fields": record["fields"], "inPool": record["in_pool"], "available": record["available"]})


def export_xlsx(session: Session, actor: Actor) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "专家库"
    sheet.append(COLUMNS)
    for e in list_experts(session, actor):
        sheet.append([e.user_id, e.name, e.organization, "、".join(FIELD_NAMES.get(f, f) for f in e.fields),
                      e.title or "", e.phone or "", e.email or "", "区内" if e.in_region else "区外",
                      "是" if e.available else "否", "是" if e.in_pool else "否",
                      "；".join(_affiliation_text(a) for a in e.affiliations)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_xlsx(ctx: AppContext, session: Session, actor: Actor, data: bytes) -> int:
    """Update the records of the experts listed, all or none; returns how many."""
    _enforce_keeper(ctx, session, actor, "expert.import", None)
    rows = _rows(data)
    known, records, errors = _expert_ids(session), [], []
    for number, row in rows:
        user_id = row.get("用户名", "")
        record, problems = _checked(_form_of(row))
        if user_id not in known:
            problems.insert(0, {"field": "用户名", "message": f"{user_id or '（空）'} 不是专家账号"})
        errors += [{"field": f"第 {number} 行 {p['field']}", "message": p["message"]} for p in problems]
        records.append((user_id, record))
    if errors:
        raise BadRequest(f"导入文件有 {len(errors)} 处错误，未导入 / the import was refused", errors)
    for user_id, record in records:
        _store(ctx, session, actor, user_id, record)
    audit.record(ctx, session, "expert.import", user_id=actor.id, source=actor.source,
                 details={"experts": [user_id for user_id, _ in records]})
    return len(records)


def drawable_pool(session: Session, drawing_for: str | None = None) -> list[expert_draw.PoolExpert]:
    """Every expert as a draw for task `drawing_for` sees them: unit, fields, region, whether
    drawable, workload (the panels drawn for other tasks count, `_workload`)."""
    return [expert_draw.PoolExpert(
        e.user_id, e.name, org_id, e.organization, code, e.fields, e.in_region, e.available and e.in_pool,
        e.affiliations, e.open_reviews)
        for e, org_id, code in _with_units(session, _experts(session, drawing_for))]


def _enforce_keeper(ctx, session, actor: Actor, action: str, target: str | None) -> None:
    refusal = permissions.expert_pool_refusal(actor, keeping=True)
    if refusal is not None:
        audit.record_refusal(ctx, session, action, user_id=actor.id, target=target, source=actor.source)
        raise refusal


def _experts(session: Session, drawing_for: str | None = None) -> list[Expert]:
    rows = session.execute(
        select(User, Organization, ExpertProfile)
        .join(Organization, Organization.id == User.organization_id)
        .join(UserGroup, (UserGroup.user_id == User.id) & (UserGroup.group_id == EXPERT_GROUP))
        .outerjoin(ExpertProfile, ExpertProfile.user_id == User.id)
        .where(User.active.is_(True)).order_by(User.id)).all()
    load = _workload(session, drawing_for)
    return [_expert(user, organization, profile, load.get(user.id, 0)) for user, organization, profile in rows]


def _workload(session: Session, drawing_for: str | None) -> Counter:
    """Each expert's open reviews, and the panels drawn but not yet confirmed on the other
    open `assign_experts` tasks: draws made one after another (a round's in bulk) see the
    panels drawn before them, so the least busy expert is not given every panel."""
    load = Counter(dict(session.execute(select(Task.assignee, func.count()).where(Task.task_key == REVIEW_STEP)
                                        .group_by(Task.assignee)).all()))
    latest = (select(func.max(ExpertDraw.id)).join(Task, Task.id == ExpertDraw.task_id)
              .where(Task.task_key == ASSIGN_STEP, Task.id != (drawing_for or "")).group_by(ExpertDraw.task_id))
    for panel, chosen in session.execute(select(ExpertDraw.panel_json, ExpertDraw.chosen_json)
                                         .where(ExpertDraw.id.in_(latest))):
        load.update(json.loads(panel or chosen))
    return load


def _expert(user: User, organization: Organization, p: ExpertProfile | None, open_reviews: int) -> Expert:
    return Expert(user.id, user.display_name, organization.name,
                  tuple(json.loads(p.fields_json)) if p else (), p.title if p else None,
                  p.phone if p else None, p.email if p else None, p.in_region if p else True,
                  p.available if p else True, p.in_pool if p else False,
                  tuple(json.loads(p.affiliations_json)) if p else (), open_reviews)


def _with_units(session: Session, experts: list[Expert]):
    units = {user_id: (org_id, code or "") for user_id, org_id, code in session.execute(
        select(User.id, Organization.id, Organization.credit_code)
        .join(Organization, Organization.id == User.organization_id))}
    return [(e, *units[e.user_id]) for e in experts]


def _expert_ids(session: Session) -> set[str]:
    return set(session.scalars(select(UserGroup.user_id).where(UserGroup.group_id == EXPERT_GROUP)))


def _store(ctx: AppContext, session: Session, actor: Actor, user_id: str, record: dict) -> None:
    profile = session.get(ExpertProfile, user_id) or ExpertProfile(user_id=user_id)
    profile.fields_json = json.dumps(record["fields"])
    profile.affiliations_json = json.dumps(record["affiliations"], ensure_ascii=False)
    for name in ("title", "phone", "email", "in_region", "available", "in_pool"):
        setattr(profile, name, record[name])
    profile.updated_at, profile.updated_by = ctx.now(), actor.id
    session.add(profile)
    session.flush()


def _checked(form: dict) -> tuple[dict, list[dict]]:
    """A record from the page's or an import's values, and each field's problem in Chinese."""
    errors = []
    fields = [f for f in form.get("fields") or [] if f]
    unknown = [f for f in fields if f not in FIELD_NAMES]
    if unknown:
        errors.append({"field": "领域", "message": f"领域 {unknown[0]} 不在指引所列领域中"})
    elif not fields and form.get("in_pool"):
        errors.append({"field": "领域", "message": "在库专家至少属于一个领域"})
    title, phone, email = (_clean(form.get(k)) for k in ("title", "phone", "email"))
    if title and len(title) > 50:
        errors.append({"field": "职称", "message": "职称不超过 50 字"})
    if phone and not _PHONE.match(phone):
        errors.append({"field": "电话", "message": f"电话 {phone} 格式不正确"})
    if email and (len(email) > 120 or not _EMAIL.match(email)):
        errors.append({"field": "邮箱", "message": f"邮箱 {email} 格式不正确"})
    affiliations, problems = _affiliations(form.get("affiliations") or [])
    errors += problems
    return ({"fields": sorted(set(fields)), "title": title, "phone": phone, "email": email,
             "in_region": bool(form.get("in_region")), "available": bool(form.get("available")),
             "in_pool": bool(form.get("in_pool")), "affiliations": affiliations}, errors)


def _affiliations(given: list[dict]) -> tuple[list[dict], list[dict]]:
    kept, errors = [], []
    for index, item in enumerate(given, start=1):
        organization = _clean(item.get("organization"))
        if not organization:
            continue
        start, end = _date(item.get("from")), _date(item.get("to"))
        if start is None or (item.get("to") and end is None):
            errors.append({"field": f"曾任职单位 {index}", "message": "任职起止日期应为 YYYY-MM-DD"})
        elif end is not None and end < start:
            errors.append({"field": f"曾任职单位 {index}", "message": "离职日期早于任职日期"})
        kept.append({"organization": organization[:200], "from": _clean(item.get("from")),
                     "to": _clean(item.get("to")) or ""})
    return kept, errors


def _rows(data: bytes) -> list[tuple[int, dict]]:
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise BadRequest("不是有效的 Excel（.xlsx）文件 / not an XLSX file",
                         [{"field": "file", "message": "不是有效的 Excel（.xlsx）文件"}]) from error
    if not rows or tuple(str(c or "").strip() for c in rows[0][:len(COLUMNS)]) != COLUMNS:
        raise BadRequest("表头应与导出文件一致 / the header row must be the export's",
                         [{"field": "file", "message": "表头应为：" + "、".join(COLUMNS)}])
    return [(number, {name: str(value).strip() if value is not None else "" for name, value in zip(COLUMNS, row)})
            for number, row in enumerate(rows[1:], start=2) if any(v not in (None, "") for v in row)]


def _form_of(row: dict) -> dict:
    return {
        "fields": [_FIELD_CODES.get(name.strip(), name.strip()) for name in re.split("[、,，]", row["领域"])
                   if name.strip()],
        "title": row["职称"], "phone": row["电话"], "email": row["邮箱"], "in_region": row["区内/区外"] != "区外",
        "available": row["可抽取"] == "是", "in_pool": row["在库"] == "是",
        "affiliations": [_affiliation_of(text) for text in re.split("[；;]", row["曾任职单位"]) if text.strip()],
    }


def _affiliation_text(a: dict) -> str:
    return f"{a['organization']}|{a['from']}|{a['to']}"


def _affiliation_of(text: str) -> dict:
    organization, _, dates = text.strip().partition("|")
    start, _, end = dates.partition("|")
    return {"organization": organization, "from": start, "to": end}


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _clean(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
