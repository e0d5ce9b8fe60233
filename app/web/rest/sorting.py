"""Camunda's sortBy and sortOrder on a list: asked together, each from its own choices."""
from flask import request

from app.core.errors import BadRequest

PARAMETERS = ("sortBy", "sortOrder")


def sort_arg(allowed, default: str) -> tuple[str, bool]:
    """(what to sort by, descending) of the query string."""
    return _sort(request.args.get("sortBy"), request.args.get("sortOrder"), allowed, default)


def sort_of_body(sorting, allowed, default: str) -> tuple[str, bool]:
    """(what to sort by, descending) of a query body's `sorting`: a list of at most one
    {sortBy, sortOrder} here, each list sorted by one key."""
    if sorting is None or sorting == []:
        return default, False
    if not isinstance(sorting, list) or len(sorting) > 1 or not isinstance(sorting[0], dict):
        raise BadRequest("sorting 应为含一个 {sortBy, sortOrder} 的列表 / sorting must be a list of one "
                         "{sortBy, sortOrder}", [{"field": "sorting", "message": "应为含一个排序条件的列表"}])
    return _sort(sorting[0].get("sortBy"), sorting[0].get("sortOrder"), allowed, default)


def _sort(by, order, allowed, default: str) -> tuple[str, bool]:
    """Camunda asks sortBy and sortOrder together."""
    if by is None and order is None:
        return default, False
    if by is None or order is None:
        missing = "sortOrder" if order is None else "sortBy"
        raise BadRequest("sortBy 与 sortOrder 须同时给出 / sortBy and sortOrder go together",
                         [{"field": missing, "message": "sortBy 与 sortOrder 须同时给出"}])
    if by not in allowed:
        raise BadRequest(f"不支持按 {by} 排序 / cannot sort by {by}",
                         [{"field": "sortBy", "message": f"可选：{', '.join(allowed)}"}])
    if order not in ("asc", "desc"):
        raise BadRequest("sortOrder 应为 asc 或 desc / sortOrder must be asc or desc",
                         [{"field": "sortOrder", "message": "应为 asc 或 desc"}])
    return by, order == "desc"
