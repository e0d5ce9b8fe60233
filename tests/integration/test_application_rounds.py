"""Application rounds (申报批次) at /rounds and at the start of an establishment application:
the department opens, edits (before it opens) and closes a round; an application joins the
round open when it starts, and a start outside any round, or in a field the round does not
take, is refused naming the next round's dates. The clock stands at 2026-03-02 (Shanghai),
inside the demo data's round 2026-01 (the whole of 2026, every field)."""
from __future__ import annotations

import pytest
from lxml import html

from app.core.errors import Conflict
from app.core.identity import load_actor
from app.tic import rounds
from tests.support.establishment import (
    PROCESS, application, complete, deploy_models, field_errors, start_application, task, variables,
)
from tests.support.services import as_user
from tests.support.web import text

DEMO_ROUND = "2026-01"


@pytest.fixture
def models(ctx):
    deploy_models(ctx, exclude=("tic_evaluation.bpmn",))


def open_round(ctx, **values):
    form = {"title": "2026年第二批自治区技术创新中心申报", "opensOn": "2026-09-01", "closesOn": "2026-10-31",
            "fields": list(rounds.COVERABLE), "quota": 3, **values}
    return as_user(ctx, "officer", rounds.open_round, form)


def close_demo_round(ctx) -> None:
    as_user(ctx, "officer", rounds.close_round, DEMO_ROUND)


def test_start_without_an_open_round_is_refused_naming_the_next_round(models, ctx, rest, web):
    close_demo_round(ctx)
    open_round(ctx)

    refused = rest("cotton").post(f"/process-definition/key/{PROCESS}/start", json={"businessKey": "SQ-1"})
    page = web("cotton").post(f"/start/{PROCESS}", {}, token_from="/start")

    expected = "下一批次「2026年第二批自治区技术创新中心申报」的申报时间为2026年9月1日至2026年10月31日"
    assert "当前没有开放的申报批次" in field_errors(refused)["roundId"]
    assert expected in field_errors(refused)["roundId"]
    assert page.status_code == 400 and expected in text(page)
    assert rest("officer").get("/process-instance/count").get_json()["count"] == 0


def test_start_without_any_round_ahead_says_none_is_planned(models, ctx, rest):
    close_demo_round(ctx)

    refused = rest("cotton").post(f"/process-definition/key/{PROCESS}/start", json={})

    assert "暂无已安排的下一批次" in field_errors(refused)["roundId"]


def test_an_application_belongs_to_the_round_open_when_it_starts_and_its_page_says_so(models, rest, web):
    instance_id = start_application(rest("cotton"))
    forged = rest("cotton").post(f"/process-definition/key/{PROCESS}/start",
                                 json={"variables": {"roundId": {"value": "2030-09", "type": "String"}}})

    assert variables(rest("cotton"), instance_id)["roundId"] == DEMO_ROUND
    assert variables(rest("cotton"), forged.get_json()["id"])["roundId"] == DEMO_ROUND
    page = text(web("cotton").get(f"/instances/{instance_id}"))
    assert "2026年度自治区技术创新中心申报（2026-01）" in page


def test_a_field_the_round_does_not_take_is_refused_at_start_and_on_submission(models, ctx, rest, clock):
    close_demo_round(ctx)
    open_round(ctx, title="生物医药专项批次", opensOn="2026-03-02", closesOn="2026-03-31", fields=["biomedicine"])
    open_round(ctx, title="棉纺专项批次", opensOn="2026-04-01", closesOn="2026-04-30", fields=["cotton_textile"])
    cotton = rest("cotton")

    at_start = cotton.post(f"/process-definition/key/{PROCESS}/start",
                           json={"variables": {"field": {"value": "cotton_textile", "type": "String"}}})
    instance_id = start_application(cotton)
    on_submission = complete(cotton, task(cotton, instance_id, "fill_application")["id"], application())

    for refused in (at_start, on_submission):
        message = field_errors(refused)["field"]
        assert "「生物医药专项批次」不受理棉花和纺织服装方向的申请" in message
        assert "「棉纺专项批次」的申报时间为2026年4月1日至2026年4月30日" in message
    accepted = complete(cotton, task(cotton, instance_id, "fill_application")["id"],
                        application(centerName="新疆生物医药技术创新中心", field="biomedicine"))
    assert accepted.status_code == 204, accepted.get_json()


def test_a_round_is_edited_only_before_it_opens(models, ctx):
    planned = open_round(ctx, title="2027年度申报", opensOn="2027-01-01", closesOn="2027-06-30")

    as_user(ctx, "agency", rounds.edit_round, planned.id, {
        "title": "2027年度申报（调整）", "opensOn": "2027-01-15", "closesOn": "2027-07-15", "fields": ["coal"],
        "quota": 2})
    refused = pytest.raises(Conflict, as_user, ctx, "officer", rounds.edit_round, DEMO_ROUND, {
        "title": "改", "opensOn": "2026-03-02", "closesOn": "2026-12-31", "fields": ["coal"], "quota": 2})

    with ctx.db.read() as session:
        edited = rounds.get_round(session, load_actor(session, "officer"), planned.id, ctx.now().date())
    assert (edited.title, edited.dates, edited.fields, edited.quota, edited.state) == (
        "2027年度申报（调整）", "2027年1月15日至2027年7月15日", ("coal",), 2, "planned")
    assert "已开始受理申报" in refused.value.message


def test_a_refused_round_names_each_field_in_chinese_and_keeps_what_was_typed(models, web):
    officer = web("officer")

    refused = officer.post("/rounds", {"title": "第二批", "opensOn": "2026-02-01", "closesOn": "2026-01-01",
                                       "quota": "0", "fields": []}, token_from="/rounds")
    overlapping = officer.post("/rounds", {"title": "重叠批次", "opensOn": "2026-12-01", "closesOn": "2027-01-31",
                                           "quota": "2", "fields": ["coal"]}, token_from="/rounds")

    assert refused.status_code == 400
    page = text(refused)
    for message in ("开始日期：不能早于今天", "截止日期：不能早于开始日期", "受理领域：至少选择一个", "拟支持数量：应为 1 至 100 的整数"):
        assert message in page
    assert 'value="第二批"' in page
    assert overlapping.status_code == 400 and "与批次「2026年度自治区技术创新中心申报」" in text(overlapping)


def test_the_department_opens_a_round_on_the_page_and_closes_it(models, web, rest):
    officer = web("officer")

    opened = officer.post("/rounds", {"title": "2027年度申报", "opensOn": "2027-01-01", "closesOn": "2027-06-30",
                                      "quota": "4", "fields": ["coal", "comprehensive"]}, token_from="/rounds")
    closed = officer.post(f"/rounds/{DEMO_ROUND}/close", {}, token_from=f"/rounds/{DEMO_ROUND}")

    assert opened.status_code == 302 and opened.headers["Location"].endswith("/rounds/2027-01")
    assert closed.status_code == 302
    rows = html.fromstring(text(officer.get("/rounds"))).xpath('//table[@data-testid="rounds"]/tbody/tr')
    states = {row.get("data-round"): row.xpath('string(td[@data-testid="round-state"])') for row in rows}
    assert states == {"2027-01": "未开始", DEMO_ROUND: "已关闭"}
    assert rest("cotton").post(f"/process-definition/key/{PROCESS}/start", json={}).status_code == 400


@pytest.mark.parametrize("user", ["cotton", "expert1", "urumqi"])
def test_rounds_are_closed_outside_the_department_side(models, web, user):
    browser = web(user)

    assert browser.get("/rounds").status_code == 403
    assert browser.get(f"/rounds/{DEMO_ROUND}").status_code == 403
    assert 'data-testid="nav-rounds"' not in text(browser.get("/tasks"))


def test_leaders_read_the_rounds_and_only_the_department_and_agency_keep_them(models, web):
    leader, officer = web("leader"), web("officer")

    assert leader.get("/rounds").status_code == 200
    assert 'data-testid="round-new"' not in text(leader.get("/rounds"))
    assert 'data-testid="round-new"' in text(officer.get("/rounds"))
    assert 'data-testid="nav-rounds"' in text(officer.get("/tasks"))
    refused = leader.post("/rounds", {"title": "x", "opensOn": "2026-09-01", "closesOn": "2026-09-30",
                                      "quota": "1", "fields": ["coal"]}, token_from="/rounds")
    assert refused.status_code == 403
