"""A poor grade (较差) and its year of rectification (R23) through REST as the demo users:
the deadline one year on, removal when it passes or when the center is still below
standard, the return to operation with the next cycle; and what removal ends."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.establishment import (
    complete, completed, deploy_models, instance_state, open_tasks, task, task_keys,
)
from tests.support.lifecycle import (
    CODE, api, center, due_instant, graded, instance_of, only_job, register_center, run_executor,
)

REPORT = {"rectificationReport": "已补齐专职研发队伍，完成中试线建设，考核指标全部达到。"}


@pytest.fixture
def rectifying(ctx, rest, clock):
    """Cotton's center graded poor at the end of its first cycle (2029-03-02)."""
    deploy_models(ctx)
    register_center(rest)
    return graded(clock, rest, "poor")


def review(officer, instance_id: str, passed: bool, opinion: str):
    return complete(officer, task(officer, instance_id, "rectification_review")["id"],
                    {"rectificationPassed": passed, "rectificationOpinion": opinion})


def all_open_tasks(client) -> list[dict]:
    return client.get("/task").get_json()


def test_r23_a_poor_grade_gives_one_year_to_rectify(rectifying, rest):
    officer, cotton = rest("officer"), rest("cotton")

    assert center(officer)["status"] == "rectifying"
    report = task(cotton, rectifying, "submit_rectification_report")
    assert report["due"] == "2030-03-02T23:59:59.000+0800"
    deadline = only_job(officer, rectifying)
    assert (deadline["activityId"], deadline["dueDate"]) == ("rectification_overdue", "2030-03-02T23:59:59.000+0800")


def test_r23_no_report_within_the_year_removes_the_center_and_ends_its_other_processes(
        rectifying, rest, ctx, clock):
    officer, cotton = rest("officer"), rest("cotton")
    deadline = due_instant(only_job(officer, rectifying))
    clock.freeze(deadline - timedelta(seconds=1))
    run_executor(ctx)
    assert task_keys(cotton, rectifying) == ["submit_rectification_report"]
    reports = [t for t in all_open_tasks(cotton) if t["taskDefinitionKey"] == "submit_annual_report"]
    assert reports, "the yearly reports kept coming while the center rectified"

    clock.freeze(deadline)
    run_executor(ctx)

    shown = center(officer)
    assert (shown["status"], shown["delistReason"]) == ("delisted", "rectification_overdue")
    assert all_open_tasks(cotton) == []
    annual = instance_of(officer, f"{CODE}-AR-2029")
    assert (annual["state"], annual["deleteReason"]) == ("EXTERNALLY_TERMINATED", "delisted")
    assert officer.get("/job").get_json() == []


def test_r23_passed_rectification_returns_to_operation_and_starts_the_next_cycle(rectifying, rest, clock):
    officer, cotton = rest("officer"), rest("cotton")
    clock.freeze(clock.now() + timedelta(days=200))
    completed(cotton, rectifying, "submit_rectification_report", REPORT)
    assert review(officer, rectifying, True, "整改到位，达到要求").status_code == 204

    assert instance_state(officer, rectifying) == "COMPLETED"
    shown = center(officer)
    assert (shown["status"], shown["delistReason"]) == ("operating", None)
    following = instance_of(officer, f"{CODE}-EV-2029")
    assert following["state"] == "ACTIVE"
    assert only_job(officer, following["id"])["dueDate"] == "2032-09-18T00:00:00.000+0800"
    assert shown["evaluations"] == [{"cycle": 1, "grade": "poor", "fundingWan": 0}]
    rectification = api(officer, f"/centers/{CODE}/evaluations/1").get_json()["rectification"]
    assert (rectification["passed"], rectification["submittedBy"], rectification["reviewedBy"]) == (
        True, "cotton", "officer")


def test_r23_still_below_standard_after_rectification_removes_the_center(rectifying, rest):
    officer, cotton = rest("officer"), rest("cotton")
    completed(cotton, rectifying, "submit_rectification_report", REPORT)
    assert review(officer, rectifying, False, "中试线仍未建成，考核指标未达到").status_code == 204

    shown = center(officer)
    assert (shown["status"], shown["delistReason"]) == ("delisted", "poor_after_rectification")
    assert open_tasks(cotton, rectifying) == []
    statuses = [(e["details"]["from"], e["details"]["to"], e["details"]["reason"])
                for e in api(officer, f"/centers/{CODE}/timeline").get_json() if e["kind"] == "status_changed"]
    assert statuses == [("operating", "rectifying", "poor_grade"),
                        ("rectifying", "delisted", "poor_after_rectification")]


def test_a_removed_center_cannot_apply_for_changes_or_enter_governance(rectifying, rest):
    officer, cotton = rest("officer"), rest("cotton")
    completed(cotton, rectifying, "submit_rectification_report", REPORT)
    review(officer, rectifying, False, "未达标")

    started = cotton.post("/process-definition/key/tic_major_change/start", json={"businessKey": "BG-2030-001"})
    change = started.get_json()["id"]
    refused = complete(cotton, task(cotton, change, "submit_change")["id"], {
        "changeType": "other", "changeDescription": "调整内设机构", "boardResolutionNo": "天棉理〔2030〕1号",
        "boardResolutionDate": "2030-01-10"})
    assert refused.status_code == 400
    assert "不能申请重大变更" in refused.get_json()["errors"][0]["message"]
    governance = cotton.client.put(f"/api/centers/{CODE}/governance", headers=cotton.headers, json={})
    assert governance.status_code == 400
