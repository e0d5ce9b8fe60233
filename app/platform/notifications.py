"""In-app notifications, each mirrored to the outbox that an e-mail/SMS sender reads.

Who hears of what:
- `new_task`: the assignee of a new task, or else its explicit candidate users. Candidate
  groups are not fanned out to their members (a group may hold thousands of open tasks);
  the inbox counts tell group members what waits for them.
- `returned`, `urged`, `delegated`, `transferred`, `cc`: the people the action names.
- `decided`: the starter, when an instance ends.

Every notification also writes one outbox row per channel, status `pending`: e-mail
always, SMS too for the kinds that ask someone to act now.

Titles and bodies are written in both languages, "中文 / English" (`both`); each reader
sees one side (`sides` splits them).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.db import connection_of
from app.models import Notification, OutboxMessage
from app.prepared import Deferred, Prepared, writer

from app.core.context import AppContext
from app.core.errors import BadRequest
from app.core.identity import Actor
from app.core.paging import Page

KINDS = frozenset({"new_task", "returned", "urged", "cc", "decided", "delegated", "transferred",
                   "deadline", "escalated", "approval"})
ALL = "all"
# The id column is a 32-bit integer on PostgreSQL: a larger number names no notification.
MAX_ID = 2 ** 31 - 1
_CHANNELS = {"urged": ("email", "sms"), "returned": ("email", "sms"), "escalated": ("email", "sms")}
TITLE_LENGTH = 200  # the title column's
_DEFAULT_CHANNELS = ("email",)

_NOTIFICATION = Notification.__table__
_OUTBOX = OutboxMessage.__table__
_INSERT_NOTIFICATIONS = Prepared(insert(_NOTIFICATION))
_INSERT_OUTBOX = Prepared(insert(_OUTBOX))
# Parameters named after a column are reserved for SET values in an UPDATE: prefix them.
_UNREAD = (_NOTIFICATION.c.user_id == bindparam("b_user_id")) & _NOTIFICATION.c.read_at.is_(None)
_COUNT_UNREAD = select(func.count()).select_from(_NOTIFICATION).where(_UNREAD)
_MARK_ALL_READ = update(_NOTIFICATION).where(_UNREAD).values(read_at=bindparam("now"))


def message(user_id: str, kind: str, title: str, body: str, instance_id: str | None = None,
            task_id: str | None = None) -> dict:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind}")
    return {"user_id": user_id, "kind": kind, "title": _fitted(title), "body": body,
            "instance_id": instance_id, "task_id": task_id}


def _fitted(title: str) -> str:
    """A title within its column, each side cut to half of it: a long Chinese side (an
    opinion in a 办结 title) must not push the English side out."""
    if len(title) <= TITLE_LENGTH:
        return title
    chinese, english = sides(title)
    if chinese == english:
        return title[:TITLE_LENGTH]
    half = (TITLE_LENGTH - len(SEPARATOR)) // 2
    return both(chinese[:half], english[:half])


def notify(session: Session, user_id: str, kind: str, title: str, body: str,
           instance_id: str | None = None, task_id: str | None = None, *, now: datetime) -> None:
    send(connection_of(session), [message(user_id, kind, title, body, instance_id, task_id)], now)


def send(conn: Connection | Deferred, messages: list[dict], now: datetime) -> None:
    """Insert the notifications and their outbox rows, now or with the deferred writes."""
    if not messages:
        return
    writes = writer(conn)
    writes.write(_INSERT_NOTIFICATIONS, [dict(m, created_at=now, read_at=None) for m in messages])
    writes.write(_INSERT_OUTBOX, [
        {"channel": channel, "recipient": m["user_id"], "subject": m["title"], "body": m["body"],
         "status": "pending", "created_at": now, "sent_at": None}
        for m in messages for channel in _CHANNELS.get(m["kind"], _DEFAULT_CHANNELS)
    ])


def notify_new_tasks(conn: Connection | Deferred, task_rows: list[dict], now: datetime,
                     names_en: dict[str, str | None]) -> None:
    """Tell the assignee, or else the explicit candidate users, of each new inbox row
    (`names_en`: the English step names by task key)."""
    messages = []
    for row in task_rows:
        users = [row["assignee"]] if row["assignee"] else _split(row["candidate_users"])
        name = row["name"] or row["task_key"]
        name_en = names_en.get(row["task_key"]) or name
        case = case_name(row["business_name"], row["business_key"])
        case_en = case_name_en(row["business_name"], row["business_key"])
        messages += [
            message(user_id, "new_task", both(f"新待办：{name}", f"New task: {name_en}"),
                    both(f"{case}的「{name}」等待您办理。", f"“{name_en}” of {case_en} is waiting for you."),
                    row["instance_id"], row["id"])
            for user_id in users
        ]
    send(conn, messages, now)


def notify_decided(conn: Connection | Deferred, row, now: datetime,
                   outcome: tuple[str | None, str | None] = (None, None)) -> None:
    """Tell the starter that the instance `row` has ended, and how (`outcome`, in words, in
    Chinese and in English; an end event merely named "end" says nothing more than 已办结)."""
    if not row.started_by:
        return
    words, words_en = (None, None) if outcome[0] in MERE_ENDINGS else outcome
    case = case_name(row.business_name, row.business_key)
    case_en = case_name_en(row.business_name, row.business_key)
    if words:
        title = both(f"流程已办结：{words}", f"Case closed: {words_en or words}")
        body = both(f"您发起的{case}已办结：{words}。", f"{case_en}, which you started, is closed: {words_en or words}.")
    else:
        title = both("流程已办结", "Case closed")
        body = both(f"您发起的{case}已办结。", f"{case_en}, which you started, is closed.")
    send(conn, [message(row.started_by, "decided", title, body, row.id)], now)


MERE_ENDINGS = frozenset({"结束", "流程结束", "完成", "办结", "已办结", "End", "end"})


def case_name(business_name: str | None, business_key: str | None) -> str:
    """How a message names the case: 「name」(key), whichever is known."""
    if business_name and business_key:
        return f"「{business_name}」（{business_key}）"
    if business_name or business_key:
        return f"「{business_name or business_key}」"
    return "流程"


def case_name_en(business_name: str | None, business_key: str | None) -> str:
    """The English side's `case_name`: “name” (key), whichever is known."""
    if business_name and business_key:
        return f"“{business_name}” ({business_key})"
    if business_name or business_key:
        return f"“{business_name or business_key}”"
    return "the case"


def both(chinese: str, english: str) -> str:
    """A text for readers of either language, stored as one: "中文 / English"."""
    return f"{chinese}{SEPARATOR}{english}"


def sides(text: str) -> tuple[str, str]:
    """The Chinese and the English side of a stored text (one written in Chinese only, before
    texts were written in both, is both sides). The first separator splits: the Chinese side
    is the one written first."""
    chinese, separator, english = text.partition(SEPARATOR)
    return (chinese, english) if separator else (text, text)


SEPARATOR = " / "


def _split(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]


def list_notifications(session: Session, actor: Actor, unread_only: bool = False,
                       page: Page = Page(max_results=20)) -> list[dict]:
    query = select(_NOTIFICATION).where(_NOTIFICATION.c.user_id == actor.id)
    if unread_only:
        query = query.where(_NOTIFICATION.c.read_at.is_(None))
    rows = connection_of(session).execute(page.apply(query.order_by(_NOTIFICATION.c.id.desc())))
    return [_listed(r) for r in rows]


def _listed(r) -> dict:
    """A notification as readers get it: each text's Chinese side, and its English one beside."""
    title, title_en = sides(r.title)
    body, body_en = sides(r.body)
    return {"id": r.id, "kind": r.kind, "title": title, "body": body, "titleEn": title_en, "bodyEn": body_en,
            "instanceId": r.instance_id, "taskId": r.task_id, "created": r.created_at,
            "read": r.read_at is not None}


def unread_count(session: Session, actor: Actor) -> int:
    return connection_of(session).execute(_COUNT_UNREAD, {"b_user_id": actor.id}).scalar_one()


def mark_read(ctx: AppContext, session: Session, actor: Actor, ids) -> int:
    """Mark the actor's notifications `ids` (or `ALL`) read; returns how many changed."""
    conn = connection_of(session)
    if ids == ALL:
        return conn.execute(_MARK_ALL_READ, {"b_user_id": actor.id, "now": ctx.now()}).rowcount
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_ID for i in ids
    ):
        raise BadRequest("ids 应为通知编号的列表或 \"all\" / ids must be a list of notification ids or \"all\"",
                         [{"field": "ids", "message": f"应为 1 到 {MAX_ID} 之间的通知编号"}])
    if not ids:
        return 0
    statement = update(_NOTIFICATION).where(
        _NOTIFICATION.c.user_id == actor.id, _NOTIFICATION.c.id.in_(ids),
        _NOTIFICATION.c.read_at.is_(None),
    ).values(read_at=ctx.now())
    return conn.execute(statement).rowcount
