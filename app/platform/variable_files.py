"""File and Bytes variables: their bytes stored beside the instance, read as its variables are.

The engine's state holds only a description of such a value (name, type, size), so a
command that loads the instance never carries the bytes; a new value replaces the old."""
from __future__ import annotations

import base64

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.models import BinaryVariable

from app.core.context import AppContext
from app.core.errors import BadRequest, NotFound
from app.core.identity import Actor
from app.platform.process_instances import variables_of
from app.platform.variables import BinaryValue

_TABLE = BinaryVariable.__table__


def keep(ctx: AppContext, session: Session, instance_id: str, values: dict[str, BinaryValue]) -> None:
    """Store the binary values a command set on the instance, in that command."""
    if not values:
        return
    too_big = [name for name, value in values.items() if len(value.data) > ctx.settings.attachment_max_bytes]
    if too_big:
        limit = ctx.settings.attachment_max_bytes / 1024 / 1024
        raise BadRequest(f"变量 {too_big[0]} 超过 {limit:g} MB / the variable is too large",
                         [{"field": name, "message": f"不能超过 {limit:g} MB"} for name in too_big])
    session.execute(delete(_TABLE).where(_TABLE.c.instance_id == instance_id,
                                         _TABLE.c.name.in_(sorted(values))))
    session.execute(insert(_TABLE), [
        {"instance_id": instance_id, "name": name, "kind": value.kind, "file_name": value.file_name,
         "mime_type": value.mime_type, "encoding": value.encoding, "size": len(value.data),
         "data": value.data, "created_at": ctx.now()}
        for name, value in values.items()
    ])


def data_of(session: Session, actor: Actor, instance_id: str, name: str) -> BinaryVariable:
    """One binary variable with its bytes, for whoever may read the instance's variable."""
    shown, types = variables_of(session, actor, instance_id)
    declared = types.get(name)
    if name not in shown:
        raise NotFound(f"流程实例 {instance_id} 没有变量 {name} / process instance variable with "
                       f"name {name} does not exist")
    if not isinstance(declared, dict) or declared.get("type") not in ("File", "Bytes"):
        raise BadRequest(f"变量 {name} 不是文件或字节 / value of variable {name} is not a binary value",
                         [{"field": name, "message": "不是文件或字节类型"}])
    row = session.get(BinaryVariable, (instance_id, name))
    if row is None:
        raise NotFound(f"变量 {name} 的内容不存在 / the content of variable {name} is gone")
    return row


def bytes_values(session: Session, instance_id: str, types: dict, names) -> dict[str, str]:
    """The Base64 text of the Bytes variables among `names` (Camunda gives them inline)."""
    wanted = sorted(n for n in names if isinstance(types.get(n), dict) and types[n].get("type") == "Bytes")
    if not wanted:
        return {}
    rows = session.execute(select(_TABLE.c.name, _TABLE.c.data).where(
        _TABLE.c.instance_id == instance_id, _TABLE.c.name.in_(wanted)))
    return {name: base64.b64encode(data).decode("ascii") for name, data in rows}
