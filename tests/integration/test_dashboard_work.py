"""The dashboard's work in hand (GET /api/dashboard/summary): running applications by step
and by age, each expert's reviews, and overdue tasks per organization that has to act."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.establishment import (
    assign_experts, co_builder, deploy_models, formal_review, recommender_decides, send_letter,
    start_application, submit,
)
from tests.support.lifecycle import api, due_instant, evaluation_started, register_center

LATER_PANEL = ["expert7", "expert8", "expert9"]


@pytest.fixture
def work(ctx, rest, clock):
    """cotton's center registered (expert4–6 reviewed it); 新疆大学's application waiting for
    the experts 7–9; 金阳新能源's application not yet filled in."""
    deploy_models(ctx)
    register_center(rest, "SQ-2026-001")
    xju, gxt, officer = rest("xju"), rest("gxt"), rest("officer")
    instance_id = start_application(xju, "SQ-2026-101")
    submit(xju, instance_id, centerName="新疆信息技术创新中心", field="information_technology",
           recommenderOrg="gxt",
           leadUnit={"name": "新疆大学", "kind": "university", "creditCode": "12650000458000123X", "inRegion": True},
           coBuilders=[co_builder("新疆众和信息科技有限公司"), co_builder("新疆天山软件股份有限公司")])
    recommender_decides(gxt, instance_id, "approve")
    send_letter(gxt, instance_id)
    formal_review(officer, instance_id, "pass")
    assert assign_experts(officer, instance_id, LATER_PANEL).status_code == 204
    start_application(rest("energy"), "SQ-2026-102")


def summary(rest, user: str = "manager") -> dict:
    response = api(rest(user), "/dashboard/summary")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_applications_by_step_and_age(work, rest, clock):
    shown = summary(rest)["applications"]

    assert shown["active"] == 2 and shown["withoutOpenStep"] == 0
    # 专家评审 and 实地评估 run in parallel: the application counts at both.
    assert [(s["step"], s["applications"]) for s in shown["byStage"]] == [
        ("fill_application", 1), ("expert_review", 1), ("site_visit", 1)]
    assert shown["byAge"] == {"upTo30": 2, "upTo90": 0, "upTo180": 0, "upTo365": 0, "over365": 0}

    evaluation_started(clock, rest)  # the clock moves three years on
    assert summary(rest)["applications"]["byAge"]["over365"] == 2


def test_expert_workload_counts_open_and_completed_reviews(work, rest):
    experts = {e["id"]: e for e in summary(rest)["experts"]}

    assert [experts[e]["open"] for e in LATER_PANEL] == [1, 1, 1]
    assert [experts[e]["completed"] for e in ("expert4", "expert5", "expert6")] == [1, 1, 1]
    assert (experts["expert1"]["open"], experts["expert1"]["completed"]) == (0, 0)
    assert experts["expert7"]["organization"] and experts["expert7"]["overdue"] == 0


def test_overdue_tasks_per_organization_that_has_to_act(work, rest, clock):
    instance_id = evaluation_started(clock, rest)
    assert summary(rest)["overdueTasks"] == []

    (materials,) = rest("cotton").get("/task", query_string={"processInstanceId": instance_id}).get_json()
    clock.freeze(due_instant({"dueDate": materials["due"]}) + timedelta(hours=1))

    assert summary(rest)["overdueTasks"] == [
        {"organizationId": "tianmian", "organization": "新疆天棉纺织集团有限公司", "tasks": 1}]
