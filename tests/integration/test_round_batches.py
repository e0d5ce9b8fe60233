"""The department's steps over a round (/rounds/<id>): the formal review of every waiting
application on one list, each row its own `formal_review` completed through the task
service (a refused row told beside it, the others done; a return's fix deadline is when the
returned application is due), and the round's ranking (择优, R14), which shows expert scores
and so is the department's only."""
from __future__ import annotations

from datetime import datetime

import pytest
from lxml import html
from sqlalchemy import select

from app.clock import SHANGHAI

from app.core.identity import load_actor
from app.models import ApplicationRound, Notification
from app.platform import deadline_ladder
from app.tic import rounds
from tests.support.establishment import (
    completed, deploy_models, open_tasks, start_application, task, task_keys, to_approval, to_formal_review, variables,
)
from tests.support.web import text

ROUND = "/rounds/2026-01"


@pytest.fixture
def models(ctx):
    deploy_models(ctx, exclude=("tic_evaluation.bpmn",))


def waiting_rows(browser) -> dict[str, str]:
    rows = html.fromstring(text(browser.get(ROUND))).xpath('//section[@data-testid="round-formal-review"]//tr[@data-task]')
    return {row.get("data-case"): row.get("data-task") for row in rows}


def test_r13_formal_review_over_the_round_list_decides_each_row_and_tells_a_refused_one(models, rest, web):
    cases = {}
    for key, name in (("SQ-A", "新疆棉花和纺织服装技术创新中心"), ("SQ-B", "新疆现代农业技术创新中心"),
                      ("SQ-C", "新疆生物医药技术创新中心")):
        cases[key] = start_application(rest("cotton"), key)
        to_formal_review(rest, cases[key], centerName=name)
    officer = web("officer")
    rows = waiting_rows(officer)

    posted = officer.post(f"{ROUND}/formal-review", {
        "task": list(rows.values()),
        f"decision_{rows['SQ-A']}": "pass", f"opinion_{rows['SQ-A']}": "材料齐全",
        f"decision_{rows['SQ-B']}": "return", f"opinion_{rows['SQ-B']}": "请补正",
        f"defects_{rows['SQ-B']}": "缺少共建协议\n资产负债表未盖章", f"fixDeadline_{rows['SQ-B']}": "2026-03-20",
        f"decision_{rows['SQ-C']}": "return", f"opinion_{rows['SQ-C']}": "请补正",
        f"fixDeadline_{rows['SQ-C']}": "2026-03-01",
    }, token_from=ROUND)

    assert posted.status_code == 400
    page = html.fromstring(text(posted))
    refused = page.xpath(f'//tr[@data-task="{rows["SQ-C"]}"]//*[@data-testid="row-error"]/text()')
    assert "需补正的问题：退回时逐行列出" in refused[0] and "补正期限：退回时必填，应为今天之后的日期" in refused[0]
    assert page.xpath(f'//tr[@data-task="{rows["SQ-C"]}"]//textarea[@name="opinion_{rows["SQ-C"]}"]/text()') == ["请补正"]
    assert "assign_experts" in task_keys(rest("officer"), cases["SQ-A"])
    assert task_keys(rest("cotton"), cases["SQ-B"]) == ["fill_application"]
    returned = variables(rest("cotton"), cases["SQ-B"])
    assert (returned["formalReviewDefects"], returned["fixDeadline"]) == (["缺少共建协议", "资产负债表未盖章"], "2026-03-20")
    assert task(rest("officer"), cases["SQ-C"], "formal_review")
    assert list(waiting_rows(officer)) == ["SQ-C"]


def test_a_row_the_task_service_refuses_is_told_beside_it(models, rest, web):
    instance_id = start_application(rest("cotton"), "SQ-A")
    to_formal_review(rest, instance_id)
    task_id = task(rest("officer"), instance_id, "formal_review")["id"]
    # The agency keeps the rounds but the formal review is the department's own step.
    agency = web("agency")

    posted = agency.post(f"{ROUND}/formal-review", {"task": [task_id], f"decision_{task_id}": "pass",
                                                    f"opinion_{task_id}": "材料齐全"}, token_from=ROUND)

    assert posted.status_code == 400
    assert "您不是该任务的办理人或候选人" in html.fromstring(text(posted)).xpath('string(//*[@data-testid="row-error"])')
    assert [t["taskDefinitionKey"] for t in open_tasks(rest("officer"), instance_id)] == ["formal_review"]


def test_r14_the_round_ranking_orders_by_score_within_the_quota_and_is_the_department_s(models, rest, web, ctx):
    with ctx.db.command() as session:
        session.get(ApplicationRound, "2026-01").quota = 1
    to_approval(rest, "SQ-LOW", scores={"expert4": 70, "expert5": 72, "expert6": 74})
    high = to_approval(rest, "SQ-HIGH", scores={"expert4": 90, "expert5": 94, "expert6": 92},
                       centerName="新疆现代农业技术创新中心", field="modern_agriculture")
    with ctx.db.read() as session:
        assert rounds.get_round(session, load_actor(session, "officer"), "2026-01", ctx.now().date()).applications == 2

    for user in ("officer", "leader", "agency"):
        page = html.fromstring(text(web(user).get(ROUND)))
        ranked = [(row.get("data-case"), row.xpath("string(td[5])"), row.xpath("string(td[7])"))
                  for row in page.xpath('//section[@data-testid="round-ranking"]//tbody/tr')]
        assert ranked == [("SQ-HIGH", "92.0", "额度内"), ("SQ-LOW", "72.0", "额度外")], user
    assert web("cotton").get(ROUND).status_code == 403
    assert rest("cotton").get(f"/process-instance/{high}/variables").get_json().get("averageScore") is None


def test_a_returned_application_is_due_by_its_fix_deadline(models, rest, web, ctx):
    batch, single = start_application(rest("cotton"), "SQ-A"), start_application(rest("cotton"), "SQ-B")
    assert task(rest("cotton"), batch, "fill_application")["due"] is None
    for instance_id in (batch, single):
        to_formal_review(rest, instance_id)
    rows = waiting_rows(web("officer"))
    web("officer").post(f"{ROUND}/formal-review", {
        "task": [rows["SQ-A"]], f"decision_{rows['SQ-A']}": "return", f"opinion_{rows['SQ-A']}": "请补正",
        f"defects_{rows['SQ-A']}": "缺少共建协议", f"fixDeadline_{rows['SQ-A']}": "2026-03-20"}, token_from=ROUND)
    completed(rest("officer"), single, "formal_review", {
        "formalReviewDecision": "return", "formalReviewOpinion": "请补正", "formalReviewDefects": ["资产负债表未盖章"],
        "fixDeadline": "2026-03-27"})

    # The end of the fix deadline's day in Beijing time, for the inbox and the 催办 ladder.
    assert task(rest("cotton"), batch, "fill_application")["due"].startswith("2026-03-20T23:59:59")
    assert task(rest("cotton"), single, "fill_application")["due"].startswith("2026-03-27T23:59:59")
    ctx.clock.freeze(datetime(2026, 3, 21, 9, 0, tzinfo=SHANGHAI))
    deadline_ladder.run_due_rungs(ctx)
    with ctx.db.read() as session:
        overdue = session.scalars(select(Notification.title).where(Notification.user_id == "cotton",
                                                                   Notification.kind == "deadline")).all()
    assert overdue == ["已逾期：填报组建申请与建设方案 / Overdue: Fill in application and construction plan"]
