"""The cases the cockpit tests count: tl_review instances at known steps and states, and
reading the figures back off the pages."""
from __future__ import annotations

import html
import json
import re
from datetime import timedelta

from tests.support.flows import completed, only_task
from tests.support.tasklist import deploy_tl, start_review

APPLICATION = {"centerName": "新疆棉纺织技术创新中心", "summary": "围绕棉纺织全产业链建设"}


def started_reviews(rest, clock) -> list[str]:
    """Five tl_review cases of cotton's (TIC-2026-001…005): 001 and 002 wait at `recommend`
    (001 past its due date once the clock moved two days on), 003 at `fill`, 004 withdrawn,
    005 through to the end."""
    deploy_tl(rest("analyst"), "tl_review.bpmn")
    due_soon, due_later = clock.now() + timedelta(days=1), clock.now() + timedelta(days=30)
    started = [start_review(rest, business_key=f"TIC-2026-00{n}",
                            due=(due_soon if n == 1 else due_later).isoformat()) for n in range(1, 6)]
    for instance_id in (started[0], started[1], started[4]):
        completed(rest("cotton"), only_task(rest("cotton"), instance_id, "fill")["id"], **APPLICATION)
    withdrawn = rest("cotton").post("/message", json={
        "messageName": "ApplicationWithdrawn", "businessKey": "TIC-2026-004",
        "processVariables": {"withdrawReason": {"value": "单位主动撤回申请", "type": "String"}}})
    assert withdrawn.status_code in (200, 204), withdrawn.get_json()
    completed(rest("urumqi"), only_task(rest("urumqi"), started[4], "recommend")["id"], decision="approve")
    for key, user in (("review", "officer"), ("approve", "leader")):
        completed(rest(user), only_task(rest(user), started[4], key)["id"], decision="approve")
    clock.advance(timedelta(days=2))
    return started


def row_counts(page: str, selector: str) -> dict[str, str]:
    """The figures of the table row matching `selector` (its attributes): data-count -> text."""
    row = re.search(rf"<tr[^>]*{selector}[^>]*>(.*?)</tr>", page, re.S).group(1)
    return dict(re.findall(r'data-count="(\w+)">(\d+)<', row))


def data_attribute(page: str, name: str):
    """The JSON a page hands its script in `data-<name>`."""
    return json.loads(html.unescape(re.search(rf'data-{name}="([^"]*)"', page).group(1)))


def listed_ids(page: str) -> list[str]:
    """The instance ids of a page's rows, in order."""
    return re.findall(r'<tr data-instance-id="([0-9a-f-]{36})"', page)
