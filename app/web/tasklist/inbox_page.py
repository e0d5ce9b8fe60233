"""The inbox: 待办, 待认领, 已办, 我发起的 — with counts, filters, sorting and paging
(app.platform.inbox does the querying)."""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import render_template, request

from app.platform import inbox as inbox_service
from app.platform import involvement, queries

from . import blueprint, context
from .. import auth
from ..model_labels import process_label, step_label

BOXES = inbox_service.BOXES
PAGE_SIZE = 20
# Beyond any box a person works through; a larger number in the address is read as this.
MAX_PAGE = 100_000
DUE_FILTERS = {"overdue": {"overdue": True}, "today": {"due_within_days": 1},
               "week": {"due_within_days": 7}}


def box_counts() -> dict:
    """Counts per box for the left navigation."""
    with context().db.read() as session:
        return inbox_service.counts(session, auth.current_actor())


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox's query string asks for, checked; links keep it when they change a part."""

    box: str
    process: str
    task: str
    due: str
    text: str
    sort: str
    descending: bool
    page: int

    @classmethod
    def from_args(cls, args, landing: str = "todo") -> InboxQuery:
        box = args.get("box", landing)
        sort = args.get("sort", "created")
        return cls(
            box=box if box in BOXES else "todo", process=args.get("process", ""),
            task=args.get("task", ""), due=args.get("due", "") if args.get("due") in DUE_FILTERS else "",
            text=args.get("q", "").strip()[:100],
            sort=sort if sort in inbox_service.SORT_FIELDS else "created",
            descending=args.get("order", "desc") != "asc",
            page=min(max(args.get("page", 1, type=int), 1), MAX_PAGE),
        )

    def args(self, **changes) -> dict:
        values = {"box": self.box, "process": self.process, "task": self.task, "due": self.due,
                  "q": self.text, "sort": self.sort, "order": "desc" if self.descending else "asc",
                  "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}

    def sorted_by(self, field: str) -> dict:
        """The link of a column header: sort by it, or flip the order if it is the sort."""
        descending = not self.descending if self.sort == field else field != "name"
        return self.args(sort=field, order="desc" if descending else "asc", page=1)

    def filters(self) -> inbox_service.InboxFilter:
        return inbox_service.InboxFilter(process_key=self.process or None, task_key=self.task or None,
                                         text=self.text or None, **DUE_FILTERS.get(self.due, {}))


@blueprint.get("/tasks")
def inbox():
    ctx, actor = context(), auth.current_actor()
    with ctx.db.read() as session:
        landing = "todo" if "box" in request.args else inbox_service.landing_box(session, actor)
        query = InboxQuery.from_args(request.args, landing)
        rows, total = inbox_service.inbox(
            session, actor, query.box, query.filters(),
            inbox_service.InboxSort(query.sort, query.descending),
            queries.Page((query.page - 1) * PAGE_SIZE, PAGE_SIZE), now=ctx.now())
        processes = process_choices(ctx, session, actor)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("tasklist/inbox.html", q=query, rows=rows, total=total, pages=pages,
                           processes=processes, active_box=query.box, case_boxes=inbox_service.CASE_BOXES,
                           capped=total > inbox_service.COUNT_LIMIT)


def process_choices(ctx, session, actor) -> list[dict]:
    """The deployed processes (latest versions) and their user tasks that the actor takes
    part in (every one for whoever sees every case), for the filters."""
    definitions = queries.list_definitions(session, queries.Query({"latestVersion": True}), queries.Page(0, 200))
    taking_part = involvement.involvement(ctx, session, actor, definitions)
    found = []
    for definition in definitions:
        if taking_part is not None and not taking_part.offers(definition.key):
            continue
        elements = json.loads(definition.elements_json or "{}")
        steps = [(key, step_label(definition.id, key, e.get("name"))) for key, e in elements.items()
                 if e.get("type") == "userTask" and (taking_part is None or taking_part.offers(definition.key, key))]
        found.append({"key": definition.key, "steps": steps,
                      "name": process_label(definition.id, definition.key, definition.name)})
    return found
