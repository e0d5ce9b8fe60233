"""The instance list's query string, read into the platform's `InstanceQuery` (bad input is
a 400 naming the parameter), and the links of its sorting and paging."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.clock import SHANGHAI
from app.core.errors import BadRequest
from app.core.paging import Page
from app.platform.instance_search import InstanceQuery

from ..request_input import parse_int

PAGE_SIZE = 50
# Pages beyond this are no list a person reads: narrow the filter or export.
MAX_PAGE = 2000
TEXT_FILTERS = {"processKey": "process_key", "state": "state", "activityId": "activity_id",
                "businessKey": "business_key", "applicantOrg": "applicant_org",
                "supervisingOrg": "supervising_org", "sort": "sort"}
KNOWN = frozenset(TEXT_FILTERS) | {"version", "startedFrom", "startedTo", "overdue", "order", "page"}


@dataclass(frozen=True)
class ListRequest:
    query: InstanceQuery
    page_number: int
    args: dict[str, str]

    @property
    def page(self) -> Page:
        return Page((self.page_number - 1) * PAGE_SIZE, PAGE_SIZE)

    def with_args(self, **changes) -> dict[str, str]:
        """The current filters with `changes` (None drops one): for a sort or page link."""
        merged = {**self.args, **changes}
        return {name: value for name, value in merged.items() if value not in (None, "")}

    def sorted_by(self, field: str) -> dict[str, str]:
        """Sort by `field`; a second click on the current field turns the order around."""
        descending = not (self.query.sort == field and self.query.descending)
        return self.with_args(sort=field, order="desc" if descending else "asc", page=None)


def parse(args) -> ListRequest:
    unknown = sorted(set(args) - KNOWN)
    if unknown:
        raise BadRequest(f"不支持的参数 {unknown[0]} / unknown parameter {unknown[0]}",
                         [{"field": unknown[0], "message": "不支持的参数"}])
    given = {name: value for name, value in args.items() if value}
    text = {field: given.get(name) for name, field in TEXT_FILTERS.items()}
    order = given.get("order", "desc")
    if order not in ("asc", "desc"):
        raise BadRequest("参数 order 应为 asc 或 desc / order must be asc or desc",
                         [{"field": "order", "message": "应为 asc 或 desc"}])
    query = InstanceQuery(
        **{**text, "sort": text["sort"] or "started"},
        version=parse_int(given["version"], "version", 1) if "version" in given else None,
        started_from=_day(given.get("startedFrom"), "startedFrom"),
        started_before=_day(given.get("startedTo"), "startedTo", 1),
        overdue=given.get("overdue") in ("1", "true"), descending=order == "desc",
    )
    page = parse_int(given["page"], "page", 1, MAX_PAGE) if "page" in given else 1
    return ListRequest(query, page, given)


def _day(text: str | None, field: str, days_after: int = 0) -> datetime | None:
    """A calendar day (YYYY-MM-DD) as the instant it starts in Asia/Shanghai; `days_after`
    1 for an inclusive end date."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text) + timedelta(days=days_after)
    except (ValueError, OverflowError):
        raise BadRequest(f"参数 {field} 应为日期（如 2026-03-01）/ {field} must be a date",
                         [{"field": field, "message": "应为日期，如 2026-03-01"}]) from None
    return datetime.combine(day, time(), tzinfo=SHANGHAI)
