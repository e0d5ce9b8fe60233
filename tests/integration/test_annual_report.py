"""年度报告 (tic_annual_report, R18) through REST as the demo users, from a center registered
by the real establishment process: the yearly timer, the center's report, the supervising
unit's review (approve / return), the department's receipt, and the reports kept per year."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.establishment import (
    complete, completed, deploy_models, field_errors, instance_state, open_tasks, task, task_keys,
)
from tests.support.lifecycle import (
    CODE, api, due_instant, instance_of, only_job, register_center, run_executor,
)

REPORT = {
    "summary": "全年突破关键技术4项，建成智能纺纱中试线一条。", "rdInvestmentWan": 4200,
    "fullTimeStaff": 86, "projects": 12, "patents": 9, "nextYearPlan": "推进高支纱产业化，新增转化成果5项。",
}
NEW_YEAR_2027 = datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)  # 2027-01-01 00:00 in Urumqi's official time


@pytest.fixture
def registered(ctx, rest):
    deploy_models(ctx)
    return register_center(rest)


def report_of(client, year: int) -> str:
    return instance_of(client, f"{CODE}-AR-{year}")["id"]


def submit(cotton, instance_id: str, year: int = 2026, report: dict | None = None):
    return complete(cotton, task(cotton, instance_id, "submit_annual_report")["id"],
                    {"reportYear": year, "annualReport": report or REPORT})


def review(urumqi, instance_id: str, decision: str, opinion: str = "数据属实，同意报送"):
    completed(urumqi, instance_id, "authority_review_report", {"authorityDecision": decision, "authorityOpinion": opinion})


def receive(officer, instance_id: str, ack: bool = True, opinion: str | None = None):
    values = {"departmentAck": ack} if opinion is None else {"departmentAck": ack, "departmentOpinion": opinion}
    return complete(officer, task(officer, instance_id, "department_receive_report")["id"], values)


def test_r18_each_year_opens_on_1_january_and_is_due_by_the_end_of_march(registered, rest, ctx, clock):
    officer, cotton = rest("officer"), rest("cotton")
    first = report_of(officer, 2026)
    job = only_job(officer, first)
    assert job["dueDate"] == "2027-01-01T00:00:00.000+0800"

    clock.freeze(due_instant(job) - timedelta(seconds=1))
    run_executor(ctx)
    assert open_tasks(cotton, first) == []

    clock.freeze(NEW_YEAR_2027)
    run_executor(ctx)
    report = task(cotton, first, "submit_annual_report")
    assert (report["candidateGroups"], report["due"]) == (["center:tianmian"], "2027-03-31T23:59:59.000+0800")
    following = report_of(officer, 2027)
    assert only_job(officer, following)["dueDate"] == "2028-01-01T00:00:00.000+0800"


def test_r18_the_report_is_reviewed_returned_resubmitted_and_received(registered, rest, ctx, clock):
    officer, cotton, urumqi = rest("officer"), rest("cotton"), rest("urumqi")
    clock.freeze(NEW_YEAR_2027)
    run_executor(ctx)
    first = report_of(officer, 2026)

    assert field_errors(submit(cotton, first, year=2027))["reportYear"] == "本次应报送 2026 年度的年度报告"
    assert submit(cotton, first).status_code == 204
    review(urumqi, first, "return", "研发投入数据与财务报表不一致，请核实")
    assert task_keys(cotton, first) == ["submit_annual_report"]
    corrected = dict(REPORT, rdInvestmentWan=3900)
    assert submit(cotton, first, report=corrected).status_code == 204
    review(urumqi, first, "approve")
    assert receive(officer, first).status_code == 204

    assert instance_state(officer, first) == "COMPLETED"
    (kept,) = api(cotton, f"/centers/{CODE}/annual-reports").get_json()
    assert (kept["year"], kept["status"], kept["submissions"]) == (2026, "received", 2)
    assert kept["report"]["rdInvestmentWan"] == 3900
    assert (kept["reviewedBy"], kept["receivedBy"], kept["departmentAck"]) == ("urumqi", "officer", True)


def test_r18_the_department_returns_a_report_with_its_opinion(registered, rest, ctx, clock):
    officer, cotton, urumqi = rest("officer"), rest("cotton"), rest("urumqi")
    clock.freeze(NEW_YEAR_2027)
    run_executor(ctx)
    first = report_of(officer, 2026)
    submit(cotton, first)
    review(urumqi, first, "approve")

    assert "departmentOpinion" in field_errors(receive(officer, first, ack=False))
    assert receive(officer, first, ack=False, opinion="请补充成果转化收益情况").status_code == 204
    assert task_keys(cotton, first) == ["submit_annual_report"]
    (kept,) = api(officer, f"/centers/{CODE}/annual-reports").get_json()
    assert (kept["status"], kept["departmentOpinion"]) == ("returned", "请补充成果转化收益情况")


def test_r18_reports_are_kept_per_center_and_year(registered, rest, ctx, clock):
    officer, cotton, urumqi = rest("officer"), rest("cotton"), rest("urumqi")
    for year in (2026, 2027):
        clock.freeze(NEW_YEAR_2027 + timedelta(days=365 * (year - 2026)))
        run_executor(ctx)
        instance_id = report_of(officer, year)
        assert submit(cotton, instance_id, year=year, report=dict(REPORT, patents=year - 2017)).status_code == 204
        review(urumqi, instance_id, "approve")
        receive(officer, instance_id)

    kept = api(urumqi, f"/centers/{CODE}/annual-reports").get_json()
    assert [(r["year"], r["status"], r["report"]["patents"]) for r in kept] == [
        (2026, "received", 9), (2027, "received", 10)]
    assert api(rest("kashgar"), f"/centers/{CODE}/annual-reports").status_code == 404


def test_r16_the_supervising_unit_reviews_the_report_before_the_department(registered, rest, ctx, clock):
    officer, cotton, urumqi, kashgar = rest("officer"), rest("cotton"), rest("urumqi"), rest("kashgar")
    clock.freeze(NEW_YEAR_2027)
    run_executor(ctx)
    first = report_of(officer, 2026)
    assert open_tasks(rest("xju"), first) == []
    submit(cotton, first)

    step = task(urumqi, first, "authority_review_report")
    assert step["candidateGroups"] == ["recommender:urumqi_gov"]
    assert open_tasks(kashgar, first) == []
    early = complete(officer, step["id"], {"authorityDecision": "approve", "authorityOpinion": "同意"})
    assert early.status_code == 403
    review(urumqi, first, "approve")
    assert task(officer, first, "department_receive_report")["candidateGroups"] == ["department"]
