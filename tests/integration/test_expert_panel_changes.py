"""加签/减签 on a running expert review (issue 13): the department adds an expert to the
panel while it reviews, or takes out one who has not scored, with a reason; the same 回避
check as when the panel was chosen (R15); the panel never drops below its minimum; the
aggregate then expects exactly the reviews of the changed panel. One platform service
(`app/platform/participants.py`) changes the running countersignature."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.models import AuditEntry, HistoryEvent
from tests.support.establishment import (
    assign_experts, deploy_models, expert_reviews, formal_review, site_visit, start_application,
    task_keys, to_formal_review, variables,
)
from tests.support.web import text

PANEL = ["expert4", "expert5", "expert6"]


@pytest.fixture
def reviewing(ctx, rest):
    deploy_models(ctx)
    instance_id = start_application(rest("cotton"))  # 新疆大学 (expert1's unit) co-builds
    to_formal_review(rest, instance_id)
    formal_review(rest("officer"), instance_id, "pass")
    assert assign_experts(rest("officer"), instance_id, PANEL).status_code == 204
    return instance_id


@pytest.fixture
def officer(web):
    return web("officer")


def change(officer, instance_id: str, path: str, data: dict):
    """Post a change as the officer; returns what the page then says (its flashed messages)."""
    page = f"/instances/{instance_id}"
    response = officer.post(f"{page}/{path}", data, token_from=page)
    assert response.status_code == 302
    return said(officer.get(response.location))


def said(response) -> str:
    return " ".join(re.findall(r'<div class="notice" role="status">(.*?)</div>', response.get_data(as_text=True), re.S))


def reviewers(rest, instance_id: str) -> list[str]:
    open_tasks = rest("officer").get(f"/task?processInstanceId={instance_id}&taskDefinitionKey=expert_review")
    return sorted(t["assignee"] for t in open_tasks.get_json())


def test_the_department_sees_the_running_panel_and_the_applicant_does_not(web, reviewing):
    page = text(web("officer").get(f"/instances/{reviewing}"))
    assert "论证专家组（加签/减签）" in page and "专家四（" in page and "评审中" in page

    assert "论证专家组（加签/减签）" not in text(web("cotton").get(f"/instances/{reviewing}"))


def test_an_added_expert_gets_a_review_task_and_the_panel_expects_their_score(ctx, officer, rest, reviewing):
    assert "已加签" in change(officer, reviewing, "expert-panel", {"user_id": "expert7", "reason": "增加产业技术专家"})

    assert reviewers(rest, reviewing) == ["expert4", "expert5", "expert6", "expert7"]
    expert_reviews(rest, reviewing, {"expert4": 80, "expert5": 82, "expert6": 84})
    site_visit(rest("officer"), reviewing)
    assert "approval_decision" not in task_keys(rest("officer"), reviewing)
    expert_reviews(rest, reviewing, {"expert7": 90})
    assert task_keys(rest("leader"), reviewing) == ["approval_decision"]
    assert variables(rest("leader"), reviewing)["averageScore"] == pytest.approx(84.0)
    with ctx.db.read() as session:
        [event] = session.scalars(select(HistoryEvent).where(HistoryEvent.event_type == "participant_added"))
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "participant.add"))
    assert json.loads(event.details_json)["participant"] == "expert7"
    assert json.loads(entry.details_json)["reason"] == "增加产业技术专家"


def test_a_removed_expert_loses_the_task_and_the_others_complete_the_review(officer, rest, reviewing):
    change(officer, reviewing, "expert-panel", {"user_id": "expert7", "reason": "专家五因出差申请回避，替补"})

    assert "已减签" in change(officer, reviewing, "expert-panel/expert5/remove", {"reason": "专家五因出差申请回避"})
    assert reviewers(rest, reviewing) == ["expert4", "expert6", "expert7"]
    expert_reviews(rest, reviewing, {"expert4": 80, "expert6": 84, "expert7": 88})
    site_visit(rest("officer"), reviewing)
    assert task_keys(rest("leader"), reviewing) == ["approval_decision"]
    assert variables(rest("leader"), reviewing)["averageScore"] == pytest.approx(84.0)


def test_removing_the_last_awaited_reviewer_completes_the_review_at_once(officer, rest, reviewing):
    change(officer, reviewing, "expert-panel", {"user_id": "expert7", "reason": "增补"})
    expert_reviews(rest, reviewing, {"expert4": 80, "expert5": 82, "expert6": 84})
    site_visit(rest("officer"), reviewing)

    change(officer, reviewing, "expert-panel/expert7/remove", {"reason": "增补专家无法按期评审"})

    assert task_keys(rest("leader"), reviewing) == ["approval_decision"]
    assert variables(rest("leader"), reviewing)["averageScore"] == pytest.approx(82.0)


def test_r15_an_expert_who_must_step_aside_cannot_be_added(officer, rest, reviewing):
    message = change(officer, reviewing, "expert-panel", {"user_id": "expert1", "reason": "增补"})

    assert "回避" in message and "新疆大学" in message
    assert reviewers(rest, reviewing) == PANEL


def test_the_panel_never_drops_below_its_minimum(officer, rest, reviewing):
    assert "论证专家不少于 3 人" in change(officer, reviewing, "expert-panel/expert5/remove", {"reason": "回避"})
    assert reviewers(rest, reviewing) == PANEL


def test_an_expert_who_scored_cannot_be_removed_and_a_reason_is_required(officer, rest, reviewing):
    change(officer, reviewing, "expert-panel", {"user_id": "expert7", "reason": "增补"})
    expert_reviews(rest, reviewing, {"expert4": 80})

    assert "已办理完毕" in change(officer, reviewing, "expert-panel/expert4/remove", {"reason": "误选"})
    assert "请填写理由" in change(officer, reviewing, "expert-panel/expert5/remove", {"reason": ""})
    assert reviewers(rest, reviewing) == ["expert5", "expert6", "expert7"]


def test_only_the_department_changes_the_panel_and_a_refusal_is_audited(ctx, web, rest, reviewing):
    assert "只有科技厅经办人员" in change(web("cotton"), reviewing, "expert-panel",
                                      {"user_id": "expert7", "reason": "我想加一位"})
    assert reviewers(rest, reviewing) == PANEL
    with ctx.db.read() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "participant.add"))
    assert (entry.user_id, entry.success) == ("cotton", False)
