"""A center's dossier under /api as the demo users: its governance checked on every entry
(R17), one timeline across all its processes, and who may read or write it (R16)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from app.models import HistoricTask
from tests.support.establishment import completed, deploy_models
from tests.support.lifecycle import (
    CODE, api, api_put, center, determine_grade, evaluation_started, register_center, reviewed,
    run_executor,
)


@pytest.fixture
def registered(ctx, rest):
    deploy_models(ctx)
    return register_center(rest)


def governance(members: int, external: int, full_time: bool = True) -> dict:
    return {
        "board": {"kind": "council", "members": [
            {"name": "张建国", "organization": "新疆天棉纺织集团有限公司", "role": "理事长"},
            {"name": "李明", "organization": "乌鲁木齐市科学技术局", "role": "理事"},
        ]},
        "director": {"name": "王立新", "fullTime": full_time, "appointedOn": "2026-04-01"},
        "expertCommittee": [
            {"name": f"委员{i + 1}", "organization": "中国纺织科学研究院" if i < external else "新疆天棉纺织集团有限公司",
             "external": i < external}
            for i in range(members)
        ],
    }


def put(client, body):
    return api_put(client, f"/centers/{CODE}/governance", body)


def errors_of(response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.get_json()
    return [(e["field"], e["message"]) for e in response.get_json()["errors"]]


# ------------------------------------------------------------------ R17 governance


def test_r17_a_committee_of_7_with_3_external_members_is_refused(registered, rest):
    response = put(rest("cotton"), governance(7, 3))
    assert errors_of(response) == [("expertCommittee", "专家委员会须有一半以上专家来自技术创新中心之外")]
    assert api(rest("cotton"), f"/centers/{CODE}/governance").get_json() is None


def test_r17_a_committee_of_7_with_4_external_members_is_accepted(registered, rest):
    response = put(rest("cotton"), governance(7, 4))
    assert response.status_code == 200, response.get_json()

    shown = api(rest("officer"), f"/centers/{CODE}/governance").get_json()
    assert (shown["expertCommitteeSize"], shown["externalExperts"], shown["recordedBy"]) == (7, 4, "cotton")
    assert shown["director"] == {"name": "王立新", "fullTime": True, "appointedOn": "2026-04-01"}


def test_r17_a_committee_of_6_members_is_refused_even_when_all_are_external(registered, rest):
    assert errors_of(put(rest("cotton"), governance(6, 6))) == [("expertCommittee", "专家委员会人数不少于7人")]


def test_r17_the_director_is_full_time_and_a_change_is_checked_again(registered, rest):
    officer = rest("officer")
    assert put(officer, governance(9, 5)).status_code == 200

    assert errors_of(put(officer, governance(9, 5, full_time=False))) == [
        ("director.fullTime", "主任（总经理）应是技术创新中心的全职工作人员")]
    assert errors_of(put(officer, governance(9, 4))) == [
        ("expertCommittee", "专家委员会须有一半以上专家来自技术创新中心之外")]
    assert api(officer, f"/centers/{CODE}/governance").get_json()["externalExperts"] == 5


def test_r17_the_shape_is_checked_with_chinese_messages(registered, rest):
    body = governance(7, 4)
    del body["board"]
    body["director"]["fullTime"] = "是"
    assert errors_of(put(rest("cotton"), body)) == [
        ("board", "理事会（董事会）：此项为必填项"), ("director.fullTime", "是否全职：应填写是/否")]


def test_r16_r17_the_center_itself_or_the_department_enters_governance(registered, rest):
    body = governance(7, 4)
    assert put(rest("urumqi"), body).status_code == 403
    assert put(rest("agency"), body).status_code == 403
    assert put(rest("xju"), body).status_code == 404
    assert put(rest("officer"), body).status_code == 200


# ------------------------------------------------------------------ the timeline


def test_the_timeline_runs_from_the_application_to_removal(registered, rest, ctx, clock):
    officer, cotton, urumqi = rest("officer"), rest("cotton"), rest("urumqi")
    clock.advance(timedelta(days=30))
    put(cotton, governance(7, 4))
    clock.advance(timedelta(days=60))
    change = cotton.post("/process-definition/key/tic_major_change/start", json={"businessKey": "BG-2026-001"})
    change_id = change.get_json()["id"]
    completed(cotton, change_id, "submit_change", {
        "changeType": "name", "newName": "新疆现代纺织服装技术创新中心", "changeDescription": "拓展领域",
        "boardResolutionNo": "天棉理〔2026〕5号", "boardResolutionDate": "2026-06-01"})
    completed(urumqi, change_id, "authority_review", {"authorityDecision": "approve", "authorityOpinion": "同意"})
    completed(officer, change_id, "department_approval", {"departmentDecision": "approve", "departmentOpinion": "同意"})

    evaluation = evaluation_started(clock, rest)
    run_executor(ctx)
    reviewed(rest, evaluation)
    determine_grade(officer, evaluation, "poor")
    clock.freeze(clock.now() + timedelta(days=400))
    run_executor(ctx)

    entries = api(cotton, f"/centers/{CODE}/timeline").get_json()
    kinds = [e["kind"] for e in entries]
    assert kinds.index("registered") < kinds.index("governance_recorded") < kinds.index("change_approved")
    assert kinds.index("change_approved") < kinds.index("evaluation_opened") < kinds.index("evaluation_result")
    assert [e["details"]["reason"] for e in entries if e["kind"] == "status_changed"] == [
        "poor_grade", "rectification_overdue"]
    titles = [(e["processKey"], e["title"]) for e in entries if e["kind"] == "step"]
    assert ("tic_establishment", "填报组建申请与建设方案") == titles[0]
    assert ("tic_establishment", "审批决定（择优确定）") in titles
    assert ("tic_major_change", "科技厅批复") in titles
    assert ("tic_annual_report", "报送年度报告") not in titles
    assert ("tic_evaluation", "确定评估等级") in titles
    removal = [e for e in entries if e["kind"] == "status_changed"][-1]
    assert removal["details"]["reasonText"] == "逾期未提交整改报告"
    after_removal = entries[entries.index(removal) + 1:]
    assert {(e["kind"], e["processKey"]) for e in after_removal} == {("process_ended", "tic_annual_report")}
    assert entries[0]["at"] == "2026-03-02T09:00:00.000+0800"
    assert entries[0]["title"] == "发起“技术创新中心组建”"


def expert_steps(client) -> list[dict]:
    return [e for e in api(client, f"/centers/{CODE}/timeline").get_json() if e["title"] == "专家论证评分"]


def test_the_timeline_keeps_the_experts_steps_for_the_department_side(registered, rest):
    assert expert_steps(rest("cotton")) == [] and expert_steps(rest("urumqi")) == []
    assert {e["by"] for e in expert_steps(rest("agency"))} == {"expert4", "expert5", "expert6"}


def test_r16_the_dossier_is_read_by_the_center_its_supervising_unit_and_the_department_side(registered, rest):
    for reader in ("cotton", "urumqi", "officer", "leader", "agency", "manager"):
        assert api(rest(reader), f"/centers/{CODE}/timeline").status_code == 200, reader
    for outsider in ("kashgar", "xju", "expert4"):
        assert api(rest(outsider), f"/centers/{CODE}/timeline").status_code == 404, outsider
    assert center(rest("agency"))["code"] == CODE


def test_steps_completed_in_the_same_instant_keep_the_order_they_were_completed_in(registered, rest, ctx):
    """Under the frozen test clock every step of the establishment ends in one instant; the
    first step's history row rewritten (it now lies last in the table) must stay first."""
    with ctx.db.command() as session:
        first = session.scalars(select(HistoricTask).where(HistoricTask.task_key == "fill_application")).one()
        row = {column.key: getattr(first, column.key) for column in HistoricTask.__table__.columns}
        session.delete(first)
        session.flush()
        session.execute(insert(HistoricTask), [row])

    entries = api(rest("cotton"), f"/centers/{CODE}/timeline").get_json()
    titles = [e["title"] for e in entries if e["kind"] == "step"]
    assert titles[:2] == ["填报组建申请与建设方案", "推荐部门审核"]
