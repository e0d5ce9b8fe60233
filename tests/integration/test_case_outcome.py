"""A finished case says what became of it on its own page (issue 13): the outcome in words
(批准组建 with the center code, 不予批准 and why, 已撤回), and its diagram carries the path
taken (finished activities, the end reached) for the page script to draw."""
from __future__ import annotations

import json
import re

import pytest

from tests.support.establishment import (
    approval, deploy_models, start_application, to_approval, withdraw,
)
from tests.support.web import text


@pytest.fixture
def models(ctx):
    deploy_models(ctx)


def drawn_path(response) -> dict:
    found = re.search(r'data-path="([^"]+)"', response.get_data(as_text=True))
    assert found, "the diagram carries no path"
    return json.loads(found.group(1).replace("&#34;", '"').replace("&quot;", '"'))


def test_an_approved_case_says_so_with_its_center_code(models, rest, web):
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "approve")

    response = web("cotton").get(f"/instances/{instance_id}")

    assert "办理结果" in text(response)
    assert "批准组建（中心编号 XJTIC-2026-001）" in text(response)
    path = drawn_path(response)
    assert path["end"] == "end_approved"
    assert {"fill_application", "formal_review", "approval_decision"} <= set(path["finished"])
    assert path["active"] == []


def test_a_refused_case_says_why(models, rest, web):
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "reject", "择优未入选")

    page = text(web("cotton").get(f"/instances/{instance_id}"))

    assert "不予批准" in page and "择优未入选" in page


def test_a_withdrawn_case_says_it_was_withdrawn(models, rest, web):
    instance_id = start_application(rest("cotton"))
    assert withdraw(rest("cotton"), "SQ-2026-001").status_code == 204

    page = text(web("cotton").get(f"/instances/{instance_id}"))

    assert "已撤回" in page and "单位主动撤回申请" in page


def test_a_running_case_shows_no_outcome_and_its_path_so_far(models, rest, web):
    instance_id = start_application(rest("cotton"))

    response = web("cotton").get(f"/instances/{instance_id}")

    assert "办理结果" not in text(response)
    assert "fill_application" in drawn_path(response)["active"]


def test_the_case_diagram_serves_the_process_it_calls_and_nothing_else(models, rest, web):
    instance_id = start_application(rest("cotton"))
    cotton = web("cotton")

    called = cotton.get(f"/instances/{instance_id}/diagram.bpmn?called=tic_expert_review")
    assert called.status_code == 200 and b'id="tic_expert_review"' in called.get_data()
    assert cotton.get(f"/instances/{instance_id}/diagram.bpmn?called=tic_evaluation").status_code == 404
    assert 'data-called-paths=' in cotton.get(f"/instances/{instance_id}").get_data(as_text=True)
