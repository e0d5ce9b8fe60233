"""Application rounds (申报批次), kept by the department and its agency at /rounds: each round
is open from its first to its last day (Asia/Shanghai) for the fields it covers, with a quota
of centers to select (择优, R14). An establishment application belongs to the round open when
it starts (`roundId`); with none open, or its field not covered, the start is refused with
the next round's dates, so an applicant knows when to come back.

A round is edited only before it opens (applicants must be able to trust a published window)
and may be closed early; rounds never overlap, so "the round open" is always one round."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import chinese_day, to_shanghai
from app.models import ApplicationRound, RoundApplication

from app.core import audit
from app.core.context import AppContext
from app.core.errors import BadRequest, Conflict, NotFound
from app.core.identity import Actor
from app.platform import permissions
from app.tic.registry import FIELD_NAMES

PROCESS_KEY = "tic_establishment"
# What a round may cover: each domain field (R02) and the comprehensive centers (R03).
COMPREHENSIVE = "comprehensive"
COVERABLE = {**FIELD_NAMES, COMPREHENSIVE: "综合类"}
MAX_TITLE = 200
MAX_QUOTA = 100
STATE_NAMES = {"planned": "未开始", "open": "申报中", "ended": "已截止", "closed": "已关闭"}


@dataclass(frozen=True)
class Round:
    id: str
    title: str
    opens_on: date
    closes_on: date
    fields: tuple[str, ...]
    quota: int
    state: str
    applications: int

    @property
    def editable(self) -> bool:
        return self.state == "planned"

    @property
    def dates(self) -> str:
        return f"{chinese_day(self.opens_on)}至{chinese_day(self.closes_on)}"


def list_rounds(session: Session, actor: Actor, today: date) -> list[Round]:
    permissions.enforce(permissions.rounds_refusal(actor, keeping=False))
    counts = dict(session.execute(
        select(RoundApplication.round_id, func.count()).group_by(RoundApplication.round_id)).all())
    rows = session.scalars(select(ApplicationRound).order_by(ApplicationRound.opens_on.desc()))
    return [_view(row, today, counts.get(row.id, 0)) for row in rows]


def get_round(session: Session, actor: Actor, round_id: str, today: date) -> Round:
    permissions.enforce(permissions.rounds_refusal(actor, keeping=False))
    row = _row(session, round_id)
    count = session.scalar(select(func.count()).where(RoundApplication.round_id == round_id))
    return _view(row, today, count or 0)


def open_round(ctx: AppContext, session: Session, actor: Actor, form: dict) -> ApplicationRound:
    """Set up a new round from the page's or the API's values."""
    _enforce_keeper(ctx, session, actor, "round.open", None)
    values = _checked(form, _today(ctx))
    _refuse_overlap(session, values, None)
    now = ctx.now()
    row = ApplicationRound(id=_new_id(session, values["opens_on"].year), created_by=actor.id,
                           created_at=now, updated_at=now, **_columns(values))
    session.add(row)
    session.flush()
    audit.record(ctx, session, "round.open", user_id=actor.id, target=row.id, source=actor.source,
                 details={"title": row.title, "quota": row.quota})
    return row


def edit_round(ctx: AppContext, session: Session, actor: Actor, round_id: str, form: dict) -> None:
    _enforce_keeper(ctx, session, actor, "round.update", round_id)
    row = _row(session, round_id)
    if _state(row, _today(ctx)) != "planned":
        raise Conflict(f"批次「{row.title}」已开始受理申报，不能再修改 / a round is edited only before it opens")
    values = _checked(form, _today(ctx))
    _refuse_overlap(session, values, round_id)
    for name, value in _columns(values).items():
        setattr(row, name, value)
    row.updated_at = ctx.now()
    audit.record(ctx, session, "round.update", user_id=actor.id, target=round_id, source=actor.source,
                 details={"title": row.title, "quota": row.quota})


def close_round(ctx: AppContext, session: Session, actor: Actor, round_id: str) -> None:
    """Stop taking applications now; the round's applications carry on to their decisions."""
    _enforce_keeper(ctx, session, actor, "round.close", round_id)
    row = _row(session, round_id)
    if row.closed_at is not None:
        raise Conflict(f"批次「{row.title}」已关闭 / the round is already closed")
    row.closed_at, row.closed_by = ctx.now(), actor.id
    audit.record(ctx, session, "round.close", user_id=actor.id, target=round_id, source=actor.source)


def title_of(session: Session, round_id) -> tuple[str, str] | None:
    """A case's round as its page shows it: (id, title), or None outside any round."""
    row = session.get(ApplicationRound, round_id) if isinstance(round_id, str) else None
    return (row.id, row.title) if row else None


def round_for_start(session: Session, process_key: str, variables: dict, now: datetime) -> dict:
    """The start rule (plugged into the platform's start): the round open now, as `roundId`,
    or the refusal naming the next round. Other processes start as they are."""
    if process_key != PROCESS_KEY:
        return {}
    today = to_shanghai(now).date()
    current = _open_round(session, today)
    if current is None:
        message = f"当前没有开放的申报批次，{_next_round_text(session, today, None)}"
        raise BadRequest(message, [{"field": "roundId", "message": message}])
    problem = field_problem(session, current.id, variables, today)
    if problem:
        raise BadRequest(problem["message"], [problem])
    return {"roundId": current.id}


def field_problem(session: Session, round_id: str | None, values: dict, today: date) -> dict | None:
    """The application's field (or comprehensive category) outside its round's coverage."""
    row = session.get(ApplicationRound, round_id) if round_id else None
    covered = _covered(values)
    if row is None or covered is None or covered in json.loads(row.fields_json):
        return None
    name = COVERABLE.get(covered, covered)
    message = (f"申报批次「{row.title}」不受理{name}方向的申请，"
               f"{_next_round_text(session, today, covered)}")
    return {"field": "category" if covered == COMPREHENSIVE else "field", "message": message}


def join_round(session: Session, instance_id: str, round_id: str, now: datetime) -> None:
    """Record the started application in its round (from its `roundId`)."""
    session.add(RoundApplication(instance_id=instance_id, round_id=round_id, joined_at=now))
    session.flush()


def demo_round(year: int, now: datetime) -> ApplicationRound:
    """The round the demo data opens: the whole of `year`, every field, five centers (R29's
    five to ten over the plan period)."""
    return ApplicationRound(id=f"{year}-01", title=f"{year}年度自治区技术创新中心申报",
                            opens_on=date(year, 1, 1), closes_on=date(year, 12, 31),
                            fields_json=json.dumps(sorted(COVERABLE)), quota=5, created_by="admin",
                            created_at=now, updated_at=now)


def _covered(values: dict) -> str | None:
    if values.get("category") == COMPREHENSIVE:
        return COMPREHENSIVE
    field = values.get("field")
    return field if isinstance(field, str) and field else None


def _open_round(session: Session, today: date) -> ApplicationRound | None:
    return session.scalar(select(ApplicationRound).where(
        ApplicationRound.opens_on <= today, ApplicationRound.closes_on >= today,
        ApplicationRound.closed_at.is_(None)))


def _next_round_text(session: Session, today: date, field: str | None) -> str:
    upcoming = session.scalars(select(ApplicationRound).where(
        ApplicationRound.opens_on > today, ApplicationRound.closed_at.is_(None))
        .order_by(ApplicationRound.opens_on))
    for row in upcoming:
        if field is None or field in json.loads(row.fields_json):
            return f"下一批次「{row.title}」的申报时间为{chinese_day(row.opens_on)}至{chinese_day(row.closes_on)}。"
    return "暂无已安排的下一批次，请关注自治区科学技术厅的通知。"


def _view(row: ApplicationRound, today: date, applications: int) -> Round:
    return Round(row.id, row.title, row.opens_on, row.closes_on, tuple(json.loads(row.fields_json)),
                 row.quota, _state(row, today), applications)


def _state(row: ApplicationRound, today: date) -> str:
    if row.closed_at is not None:
        return "closed"
    if today < row.opens_on:
        return "planned"
    return "open" if today <= row.closes_on else "ended"


def _row(session: Session, round_id: str) -> ApplicationRound:
    row = session.get(ApplicationRound, round_id)
    if row is None:
        raise NotFound(f"申报批次 {round_id} 不存在 / round not found")
    return row


def _enforce_keeper(ctx: AppContext, session: Session, actor: Actor, action: str, target: str | None) -> None:
    refusal = permissions.rounds_refusal(actor, keeping=True)
    if refusal is not None:
        audit.record_refusal(ctx, session, action, user_id=actor.id, target=target, source=actor.source)
        raise refusal


def _checked(form: dict, today: date) -> dict:
    """The round's values, or a BadRequest naming each wrong field in Chinese."""
    errors = []
    title = str(form.get("title") or "").strip()
    if not title or len(title) > MAX_TITLE:
        errors.append({"field": "title", "message": f"批次名称：必填，不超过 {MAX_TITLE} 字"})
    opens_on, closes_on = parse_date(form.get("opensOn")), parse_date(form.get("closesOn"))
    if opens_on is None:
        errors.append({"field": "opensOn", "message": "开始日期：应为 YYYY-MM-DD 格式的日期"})
    elif opens_on < today:
        errors.append({"field": "opensOn", "message": "开始日期：不能早于今天"})
    if closes_on is None:
        errors.append({"field": "closesOn", "message": "截止日期：应为 YYYY-MM-DD 格式的日期"})
    elif opens_on is not None and closes_on < opens_on:
        errors.append({"field": "closesOn", "message": "截止日期：不能早于开始日期"})
    fields = [f for f in form.get("fields") or [] if f]
    if not fields or any(f not in COVERABLE for f in fields):
        errors.append({"field": "fields", "message": "受理领域：至少选择一个指引所列的领域或综合类"})
    quota = _int(form.get("quota"))
    if quota is None or not 1 <= quota <= MAX_QUOTA:
        errors.append({"field": "quota", "message": f"拟支持数量：应为 1 至 {MAX_QUOTA} 的整数"})
    if errors:
        raise BadRequest("申报批次信息有误，未保存 / the round was not saved", errors)
    return {"title": title, "opens_on": opens_on, "closes_on": closes_on, "fields": sorted(set(fields)),
            "quota": quota}


def _refuse_overlap(session: Session, values: dict, round_id: str | None) -> None:
    clash = session.scalar(select(ApplicationRound).where(
        ApplicationRound.opens_on <= values["closes_on"], ApplicationRound.closes_on >= values["opens_on"],
        ApplicationRound.closed_at.is_(None), ApplicationRound.id != (round_id or "")))
    if clash is not None:
        message = f"与批次「{clash.title}」（{chinese_day(clash.opens_on)}至{chinese_day(clash.closes_on)}）的申报时间重叠"
        raise BadRequest(f"{message} / rounds may not overlap", [{"field": "opensOn", "message": message}])


def _columns(values: dict) -> dict:
    return {"title": values["title"], "opens_on": values["opens_on"], "closes_on": values["closes_on"],
            "fields_json": json.dumps(values["fields"]), "quota": values["quota"]}


def _new_id(session: Session, year: int) -> str:
    taken = session.scalar(select(func.count()).where(ApplicationRound.id.like(f"{year}-%"))) or 0
    return f"{year}-{taken + 1:02d}"


def _today(ctx: AppContext) -> date:
    return to_shanghai(ctx.now()).date()


def parse_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None
