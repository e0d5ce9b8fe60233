"""The department picks an expert panel seeing, beside each expert, their unit, their open
reviews and whether they must step aside for this application (R15) — before submitting,
not only as a refusal after it."""
from __future__ import annotations

import re

import pytest

from tests.support.establishment import (
    assign_experts, deploy_models, formal_review, start_application, to_formal_review,
)


@pytest.fixture
def at_assignment(ctx, rest):
    deploy_models(ctx)
    instance_id = start_application(rest("cotton"))  # 新疆大学 co-builds
    to_formal_review(rest, instance_id)
    formal_review(rest("officer"), instance_id, "pass")
    return instance_id


def picker_row(html: str, expert: str) -> str:
    found = re.search(rf'<label class="check[^"]*" data-pick="{expert}">.*?</label>', html, re.S)
    assert found, expert
    return found.group(0)


def assignment_page(web, rest, instance_id: str) -> str:
    tasks = rest("officer").get(f"/task?processInstanceId={instance_id}&taskDefinitionKey=assign_experts")
    [task] = tasks.get_json()
    return web("officer").get(f"/tasks/{task['id']}").get_data(as_text=True)


def test_r15_an_expert_of_a_co_builder_is_flagged_and_cannot_be_ticked(web, rest, at_assignment):
    row = picker_row(assignment_page(web, rest, at_assignment), "expert1")

    assert "blocked" in row and "disabled" in row
    assert "须回避" in row and "新疆大学" in row


def test_an_unrelated_expert_can_be_ticked_and_shows_the_open_reviews(web, rest, at_assignment):
    other = start_application(rest("cotton"), "SQ-2026-002")
    to_formal_review(rest, other)
    formal_review(rest("officer"), other, "pass")
    assert assign_experts(rest("officer"), other, ["expert4", "expert5", "expert6"]).status_code == 204

    html = assignment_page(web, rest, at_assignment)

    assert "在办评审 1 件" in picker_row(html, "expert4")
    assert "在办评审 0 件" in picker_row(html, "expert7")
    assert "disabled" not in picker_row(html, "expert7")
    assert "专家七（" in picker_row(html, "expert7")
