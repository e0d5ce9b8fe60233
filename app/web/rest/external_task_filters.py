"""The filters of Camunda's external-task query, read from the query string (GET) or from
a JSON body (POST), each wrong value a 400 naming it."""
from __future__ import annotations

from datetime import datetime

from flask import request

from app.clock import parse_client_datetime
from app.core.errors import BadRequest
from app.platform.external_task_queries import ExternalTaskFilter

from . import params

FILTERS = (
    "externalTaskId", "externalTaskIdIn", "topicName", "workerId", "locked", "notLocked",
    "withRetriesLeft", "noRetriesLeft", "lockExpirationAfter", "lockExpirationBefore",
    "activityId", "activityIdIn", "executionId", "processInstanceId", "processInstanceIdIn",
    "processDefinitionId", "processDefinitionKey", "businessKey", "active", "suspended",
    "priorityHigherThanOrEquals", "priorityLowerThanOrEquals",
)
SORTING = ("sortBy", "sortOrder")


def from_query() -> ExternalTaskFilter:
    order = request.args.get("sortOrder")
    sort_by = request.args.get("sortBy")
    if (sort_by is None) != (order is None):
        raise _wrong("sortOrder", "sortBy 与 sortOrder 须同时给出 / sortBy and sortOrder go together")
    sorting = () if sort_by is None else (_sorting(sort_by, order, "sortOrder"),)
    return _filter(_Query(), sorting)


def from_body(body: dict) -> ExternalTaskFilter:
    unknown = sorted(set(body) - set(FILTERS) - {"sorting"})
    if unknown:
        raise _wrong(unknown[0], "不支持的字段 / unsupported field")
    given = body.get("sorting") or []
    if not isinstance(given, list) or not all(isinstance(s, dict) for s in given):
        raise _wrong("sorting", "应为 {sortBy, sortOrder} 的数组 / must be an array of {sortBy, sortOrder}")
    sorting = tuple(_sorting(s.get("sortBy"), s.get("sortOrder"), f"sorting[{n}].sortOrder")
                    for n, s in enumerate(given))
    return _filter(_Body(body), sorting)


def _sorting(sort_by, order, field: str) -> tuple[str, bool]:
    if not isinstance(sort_by, str) or order not in ("asc", "desc"):
        raise _wrong(field, "sortOrder 应为 asc 或 desc / sortOrder is asc or desc")
    return sort_by, order == "desc"


def _filter(source, sorting) -> ExternalTaskFilter:
    return ExternalTaskFilter(
        ids=source.ids("externalTaskId", "externalTaskIdIn", "executionId"),
        topic_name=source.text("topicName"), worker_id=source.text("workerId"),
        locked=source.flag("locked"), not_locked=source.flag("notLocked"),
        with_retries_left=source.flag("withRetriesLeft"), no_retries_left=source.flag("noRetriesLeft"),
        lock_expiration_after=source.date("lockExpirationAfter"),
        lock_expiration_before=source.date("lockExpirationBefore"),
        activity_ids=source.ids("activityId", "activityIdIn"),
        instance_ids=source.ids("processInstanceId", "processInstanceIdIn"),
        definition_id=source.text("processDefinitionId"), process_key=source.text("processDefinitionKey"),
        business_key=source.text("businessKey"),
        active=source.flag("active"), suspended=source.flag("suspended"),
        priority_at_least=source.number("priorityHigherThanOrEquals"),
        priority_at_most=source.number("priorityLowerThanOrEquals"),
        sorting=sorting,
    )


class _Query:
    """Query-string values: texts, `true`/`false`, comma-separated lists."""

    def text(self, name: str) -> str | None:
        return request.args.get(name)

    def flag(self, name: str) -> bool | None:
        return params.bool_arg(name)

    def number(self, name: str) -> int | None:
        return params.int_arg(name, 0) if name in request.args else None

    def date(self, name: str) -> datetime | None:
        return _date(request.args.get(name), name)

    def ids(self, single: str, many: str, *more_singles: str) -> tuple[str, ...] | None:
        args = request.args
        if not {single, many, *more_singles} & set(args):
            return None
        found = [args[name] for name in (single, *more_singles) if name in args]
        return tuple(found + [part for part in args.get(many, "").split(",") if part])


class _Body:
    """JSON values: texts, booleans, integers, arrays of texts."""

    def __init__(self, body: dict):
        self.body = body

    def text(self, name: str) -> str | None:
        value = self.body.get(name)
        if value is not None and not isinstance(value, str):
            raise _wrong(name, "应为文本 / must be a text")
        return value

    def flag(self, name: str) -> bool | None:
        value = self.body.get(name)
        if value is not None and not isinstance(value, bool):
            raise _wrong(name, "应为 true 或 false / must be true or false")
        return value

    def number(self, name: str) -> int | None:
        value = self.body.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise _wrong(name, "应为整数 / must be an integer")
        return value

    def date(self, name: str) -> datetime | None:
        return _date(self.text(name), name)

    def ids(self, single: str, many: str, *more_singles: str) -> tuple[str, ...] | None:
        if not {single, many, *more_singles} & {k for k, v in self.body.items() if v is not None}:
            return None
        found = [self.text(name) for name in (single, *more_singles) if self.body.get(name) is not None]
        listed = self.body.get(many) or []
        if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
            raise _wrong(many, "应为文本数组 / must be an array of texts")
        return tuple(found + listed)


def _date(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_client_datetime(text)
    except ValueError:
        raise _wrong(name, "不是有效的日期 / not a valid date") from None


def _wrong(field: str, message: str) -> BadRequest:
    return BadRequest(f"参数 {field} 不正确：{message} / invalid {field}",
                      [{"field": field, "message": message.split(" / ")[0]}])
