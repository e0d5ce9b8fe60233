"""公示 of the leader's approval (拟批准): the application is publicized at /publicity for the
days of DMN tic_publicity; anyone may object there; each objection is the department's
`review_objection` task; the center registers when the 公示 ends with none upheld, and an
upheld objection sends the case back to approval_decision; a withdrawal during the 公示 ends
the case as withdrawn with its 公示 withdrawn and any waiting objection closed. The clock stands at 2026-03-02
09:00 (Shanghai), inside the demo round 2026-01."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.clock import SHANGHAI
from app.models import PublicityObjection
from app.tic import publicity
from tests.support.establishment import (
    approval, complete, deploy_models, end_publicity, ended_activities, instance_state, task, task_keys,
    to_approval, variables, withdraw,
)
from tests.support.lifecycle import run_executor
from tests.support.web import text

OBJECTION = {"name": "王建华", "contact": "13899887766",
             "text": "该中心牵头单位近三年存在严重失信行为，不符合组建条件，请核实。"}


@pytest.fixture
def models(ctx):
    deploy_models(ctx, exclude=("tic_evaluation.bpmn",))


def approved(rest) -> str:
    """cotton's application approved (拟批准): its 公示 is open."""
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "approve", publicity_ends=False)
    return instance_id


def publicity_id(rest, instance_id: str) -> int:
    return variables(rest("officer"), instance_id)["publicityId"]


def object_to(web, pid: int, source: str = "203.0.113.7", **values):
    visitor = web()
    token = visitor.token("/login")
    return visitor.client.post(f"/publicity/{pid}", data={"csrf_token": token, **OBJECTION, **values},
                               environ_base={"REMOTE_ADDR": source})


def decide(officer, instance_id: str, decision: str, reason: str):
    response = complete(officer, task(officer, instance_id, "review_objection")["id"],
                        {"objectionDecision": decision, "objectionReason": reason})
    assert response.status_code == 204, response.get_json()


def test_publicity_of_7_days_started_on_a_friday_ends_on_the_following_friday():
    # Approved on Friday 18 December 2026 at 15:30 Beijing time. The day of the approval is
    # not counted (Civil Code art. 201): the 7 days are Saturday 19 to Friday 25 December,
    # and the last day ends at 24:00 (art. 203), i.e. 2026-12-26 00:00 +08:00.
    approved_at = datetime(2026, 12, 18, 15, 30, tzinfo=SHANGHAI)
    span = publicity.period(approved_at, 7)

    assert span.last_day.isoweekday() == 5 and str(span.last_day) == "2026-12-25"
    assert span.ends_at == datetime(2026, 12, 25, 16, 0, tzinfo=timezone.utc)
    assert span.text == "2026年12月19日至2026年12月25日"
    # An approval at 23:59 on the Friday gives the same period: the day counts, not the hour.
    assert publicity.period(datetime(2026, 12, 18, 23, 59, tzinfo=SHANGHAI), 7) == span


def test_approval_publicizes_for_the_days_of_the_decision_table_and_registers_when_it_ends(
        models, ctx, rest, clock):
    instance_id = approved(rest)
    officer = rest("officer")

    shown = variables(officer, instance_id)
    assert shown["publicityDays"] == 7
    # Approved on Monday 2 March: 3–9 March, ending at 24:00 on the 9th.
    assert shown["publicityEndsAt"] == "2026-03-10T00:00:00+08:00"
    assert "centerCode" not in shown and instance_state(officer, instance_id) == "ACTIVE"

    clock.freeze(datetime(2026, 3, 9, 23, 59, tzinfo=SHANGHAI))
    run_executor(ctx)
    assert "centerCode" not in variables(officer, instance_id)
    clock.freeze(datetime(2026, 3, 10, 0, 0, 1, tzinfo=SHANGHAI))
    run_executor(ctx)
    assert variables(officer, instance_id)["centerCode"] == "XJTIC-2026-001"
    assert instance_state(officer, instance_id) == "COMPLETED"


def test_upheld_objection_sends_the_case_back_to_approval_decision(models, ctx, rest, web):
    instance_id = approved(rest)
    officer = rest("officer")
    pid = publicity_id(rest, instance_id)

    assert object_to(web, pid).status_code == 302
    objection = task(officer, instance_id, "review_objection")
    assert objection["candidateGroups"] == ["department"]
    decide(officer, instance_id, "uphold", "经核实，牵头单位存在失信记录")

    assert task_keys(rest("leader"), instance_id) == ["approval_decision"]
    assert rest("officer").get("/job", query_string={"processInstanceId": instance_id}).get_json() == []
    with ctx.db.read() as session:
        notice = publicity.round_publicity(session, "2026-01")
    (entry,) = notice["entries"]
    assert entry["status"] == "withdrawn"
    assert [(o["status"], o["reason"]) for o in entry["objections"]] == [("upheld", "经核实，牵头单位存在失信记录")]
    assert "王建华" not in str(notice) and "13899887766" not in str(notice)


def test_dismissed_objection_lets_the_center_register_when_publicity_ends(models, ctx, rest, web):
    instance_id = approved(rest)
    officer = rest("officer")
    pid = publicity_id(rest, instance_id)

    assert object_to(web, pid).status_code == 302
    # A second objection comes while the first is being handled: it waits, then is taken up.
    assert object_to(web, pid, source="198.51.100.9", name="李红梅", contact="lhm@example.cn").status_code == 302
    decide(officer, instance_id, "dismiss", "经核实，失信记录不属于牵头单位")
    assert variables(officer, instance_id)["objectorName"] == "李红梅"
    decide(officer, instance_id, "dismiss", "反映问题已在形式审查中核实")

    assert "centerCode" not in variables(officer, instance_id)
    end_publicity(officer, instance_id)
    assert variables(officer, instance_id)["centerCode"] == "XJTIC-2026-001"
    with ctx.db.read() as session:
        outcomes = [o.status for o in session.query(PublicityObjection).order_by(PublicityObjection.id)]
    assert outcomes == ["dismissed", "dismissed"]


def test_objections_are_throttled_per_address(models, rest, web):
    pid = publicity_id(rest, approved(rest))

    for _ in range(3):
        assert object_to(web, pid).status_code == 302
    refused = object_to(web, pid)
    other_address = object_to(web, pid, source="198.51.100.20")

    assert refused.status_code == 429
    assert "同一网络地址提交异议过于频繁，请于 10:00 后再试" in text(refused)
    assert OBJECTION["text"] in text(refused)  # the typed objection is kept
    assert other_address.status_code == 302


def test_bad_objections_are_refused_in_chinese_keeping_what_was_typed(models, rest, web):
    pid = publicity_id(rest, approved(rest))

    response = object_to(web, pid, contact="12345", text="太短")
    page = text(response)

    assert response.status_code == 400
    assert "请填写有效的手机号码（11位）、固定电话（区号-号码）或电子邮箱" in page
    assert "异议内容应为10至2000个字" in page
    assert 'value="王建华"' in page and 'value="12345"' in page
    assert object_to(web, pid, text="很长的异议" * 500).status_code == 400
    visitor = web()
    forged = visitor.client.post(f"/publicity/{pid}", data=OBJECTION)
    assert forged.status_code == 400


def test_objection_after_the_publicity_ended_is_refused(models, rest, web):
    instance_id = approved(rest)
    pid = publicity_id(rest, instance_id)
    end_publicity(rest("officer"), instance_id)

    response = object_to(web, pid)
    assert response.status_code == 400 and "该公示已结束，不再受理异议" in text(response)


def test_publicity_pages_need_no_sign_in_and_hide_confidential_scores(models, rest, web):
    instance_id = approved(rest)
    pid = publicity_id(rest, instance_id)
    visitor = web()

    listing, page = visitor.get("/publicity"), visitor.get(f"/publicity/{pid}")

    assert listing.status_code == 200 and page.status_code == 200
    for shown in (text(listing), text(page)):
        assert "新疆棉花和纺织服装技术创新中心" in shown and "新疆天棉纺织集团有限公司" in shown
        assert "2026年3月3日至2026年3月9日" in shown
        assert "棉花和纺织服装" in shown
        for secret in ("86.33", "expert4", "专家", "同意组建", "排名"):
            assert secret not in shown
    assert "实名提交异议" in text(page) and "2026年度自治区技术创新中心申报" in text(listing)
    assert "/publicity" in text(visitor.get("/login"))


def test_a_rest_client_may_not_forge_an_objection_message(models, rest):
    instance_id = approved(rest)

    response = rest("officer").post("/message", json={
        "messageName": "PublicityObjection", "processInstanceId": instance_id})

    assert response.status_code == 403


def test_the_lead_unit_withdraws_during_the_publicity_and_the_publicity_is_withdrawn(models, ctx, rest):
    instance_id = approved(rest)
    cotton = rest("cotton")

    assert withdraw(cotton, "SQ-2026-001").status_code == 204

    assert instance_state(cotton, instance_id) == "COMPLETED"
    assert variables(cotton, instance_id)["withdrawn"] is True
    assert {"withdrawn_at_publicity_period", "close_withdrawn_publicity", "end_withdrawn"} <= ended_activities(
        rest("officer"), instance_id)
    assert rest("officer").get("/job", query_string={"processInstanceId": instance_id}).get_json() == []
    with ctx.db.read() as session:
        (entry,) = publicity.round_publicity(session, "2026-01")["entries"]
    assert entry["status"] == "withdrawn"


def test_a_withdrawal_while_an_objection_waits_closes_the_objection(models, ctx, rest, web):
    instance_id = approved(rest)
    assert object_to(web, publicity_id(rest, instance_id)).status_code == 302
    assert task_keys(rest("officer"), instance_id) == ["review_objection"]

    assert withdraw(rest("cotton"), "SQ-2026-001").status_code == 204

    assert instance_state(rest("cotton"), instance_id) == "COMPLETED"
    assert task_keys(rest("officer"), instance_id) == []
    with ctx.db.read() as session:
        (entry,) = publicity.round_publicity(session, "2026-01")["entries"]
    assert entry["status"] == "withdrawn" and [o["status"] for o in entry["objections"]] == ["closed"]
