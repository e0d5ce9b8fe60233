"""R29: the managers' dashboard (GET /api/dashboard/summary) as the demo users: centers by
status, field, region and supervising unit, grades and funding per cycle, and progress
against the 14th Five-Year Plan's 5–10 centers, whose numbers come from tic_targets.dmn."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.tic import rounds
from tests.support.services import as_user
from tests.support.establishment import ROOT, deploy_models
from tests.support.jobs import deployed
from tests.support.lifecycle import (
    api, graded, register_center, register_university_center,
)

IN_THE_14TH_PLAN = datetime(2024, 5, 10, 2, 0, tzinfo=timezone.utc)
AFTER_IT = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def centers(ctx, rest, clock):
    """Two centers approved in 2024 (within the 14th plan), one in 2026 (after it)."""
    deploy_models(ctx)
    clock.freeze(IN_THE_14TH_PLAN)
    as_user(ctx, "officer", rounds.open_round, {"title": "2024年度申报", "opensOn": "2024-05-10",
                                                "closesOn": "2024-12-31", "fields": list(rounds.COVERABLE),
                                                "quota": 5})
    first = register_center(rest, "SQ-2024-001")
    second = register_university_center(rest, "新疆信息技术创新中心", "SQ-2024-002")
    clock.freeze(AFTER_IT)
    third = register_center(rest, "SQ-2026-001", centerName="新疆现代农业技术创新中心", field="modern_agriculture")
    return first, second, third


def summary(client):
    return api(client, "/dashboard/summary")


def test_r29_progress_against_the_14th_plan_target_of_5_to_10_centers(centers, rest):
    shown = summary(rest("manager")).get_json()

    assert centers == ("XJTIC-2024-001", "XJTIC-2024-002", "XJTIC-2026-001")
    assert shown["targets"] == [{
        "plan": "十四五", "startYear": 2021, "endYear": 2025, "minCenters": 5, "maxCenters": 10,
        "approved": 2, "inSequence": 2, "remainingToMinimum": 3, "status": "below",
    }]
    assert shown["centers"] == {
        "total": 3, "inSequence": 3,
        "byStatus": {"operating": 3, "rectifying": 0, "delisted": 0},
        "byCategory": {"domain": 3},
        "byField": {"cotton_textile": 1, "information_technology": 1, "modern_agriculture": 1},
        "byRegion": {},
        "bySupervisingOrg": {"乌鲁木齐市人民政府": 2, "自治区工业和信息化厅": 1},
    }


def test_r29_the_target_numbers_come_from_the_decision_table(centers, rest, clock):
    table = (ROOT / "bpmn" / "tic_targets.dmn").read_text(encoding="utf-8")
    lowered = table.replace("<outputEntry id=\"rule_14th_plan_min\"><text>5</text>",
                            "<outputEntry id=\"rule_14th_plan_min\"><text>2</text>")
    assert lowered != table
    clock.freeze(datetime(2026, 6, 1, tzinfo=timezone.utc))
    deployed(rest("analyst"), {"tic_targets.dmn": lowered.encode()}, "调整建设目标")

    (plan,) = summary(rest("officer")).get_json()["targets"]
    assert (plan["minCenters"], plan["maxCenters"], plan["remainingToMinimum"], plan["status"]) == (2, 10, 0, "within")


def test_r29_r21_grades_and_funding_per_cycle_and_statuses(centers, rest, clock):
    graded(clock, rest, "excellent", code="XJTIC-2024-001", year=2024)
    graded(clock, rest, "poor", code="XJTIC-2026-001", year=2026)

    shown = summary(rest("leader")).get_json()
    assert shown["evaluations"] == [{
        "cycle": 1, "evaluated": 2, "grades": {"excellent": 1, "good": 0, "poor": 1}, "fundingWan": 200,
    }]
    assert shown["centers"]["byStatus"] == {"operating": 2, "rectifying": 1, "delisted": 0}


def test_r29_only_the_department_side_sees_the_dashboard(centers, rest):
    for user in ("officer", "leader", "manager", "agency", "admin"):
        assert summary(rest(user)).status_code == 200, user
    for user in ("cotton", "urumqi", "expert4", "analyst"):
        response = summary(rest(user))
        assert response.status_code == 403, user
        assert response.get_json()["type"] == "AuthorizationException"
