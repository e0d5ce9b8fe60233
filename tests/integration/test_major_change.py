"""重大变更 (tic_major_change, R19) through REST as the demo users, on a center registered by
the real establishment process: each outcome, the name rule (R14), the five core
co-builders (R07), who may apply and who reviews and approves (R16)."""
from __future__ import annotations

import pytest

from tests.support.establishment import (
    complete, completed, deploy_models, field_errors, instance_state, open_tasks, task, task_keys,
    variables,
)
from tests.support.lifecycle import (
    CODE, api, center, register_center, register_university_center,
)

OLD_NAME = "新疆棉花和纺织服装技术创新中心"
NEW_NAME = "新疆现代纺织服装技术创新中心"
RESOLUTION = {"boardResolutionNo": "天棉理〔2027〕3号", "boardResolutionDate": "2027-04-10"}


@pytest.fixture
def registered(ctx, rest):
    deploy_models(ctx)
    return register_center(rest)


def start_change(client, business_key: str = "BG-2027-001"):
    return client.post("/process-definition/key/tic_major_change/start", json={"businessKey": business_key})


def started(client, business_key: str = "BG-2027-001") -> str:
    response = start_change(client, business_key)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["id"]


def name_change(name: str = NEW_NAME) -> dict:
    return {"changeType": "name", "newName": name, "changeDescription": "拓展至服装设计与智能制造领域",
            **RESOLUTION}


def unit(name: str, kind: str = "enterprise", chain: str = "midstream") -> dict:
    return {"name": name, "kind": kind, "inRegion": True, "chainPosition": chain}


def submit(cotton, instance_id: str, values: dict):
    return complete(cotton, task(cotton, instance_id, "submit_change")["id"], values)


def authority(urumqi, instance_id: str, decision: str, opinion: str = "经审核，同意报送"):
    completed(urumqi, instance_id, "authority_review", {"authorityDecision": decision, "authorityOpinion": opinion})


def department(officer, instance_id: str, decision: str, opinion: str = "同意变更"):
    return complete(officer, task(officer, instance_id, "department_approval")["id"],
                    {"departmentDecision": decision, "departmentOpinion": opinion})


def submitted(cotton, values: dict, business_key: str = "BG-2027-001") -> str:
    instance_id = started(cotton, business_key)
    response = submit(cotton, instance_id, values)
    assert response.status_code == 204, response.get_json()
    return instance_id


# ------------------------------------------------------------------ outcomes


def test_r19_an_approved_name_change_reaches_the_registry_with_before_and_after(registered, rest):
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = submitted(cotton, name_change())
    assert center(officer)["name"] == OLD_NAME
    authority(urumqi, instance_id, "approve")
    assert center(officer)["name"] == OLD_NAME
    assert department(officer, instance_id, "approve").status_code == 204

    assert instance_state(officer, instance_id) == "COMPLETED"
    shown = center(officer)
    assert shown["name"] == NEW_NAME
    (change,) = shown["changes"]
    assert (change["type"], change["before"], change["after"], change["approvedBy"]) == (
        "name", {"name": OLD_NAME}, {"name": NEW_NAME}, "officer")
    assert change["approvedAt"] == "2026-03-02T09:00:00.000+0800"
    assert change["description"] == "拓展至服装设计与智能制造领域"


def test_r19_an_approved_core_co_builder_change_replaces_the_core_units_only(registered, rest):
    cotton, officer = rest("cotton"), rest("officer")
    new_core = [unit("新疆大学", "university", "upstream"), unit("新疆如意纺织服装有限公司", chain="downstream")]
    instance_id = submitted(cotton, {"changeType": "core_co_builders", "newCoreCoBuilders": new_core,
                                     "changeDescription": "阿拉尔棉纺退出，如意纺织加入", **RESOLUTION})
    authority(rest("urumqi"), instance_id, "approve")
    department(officer, instance_id, "approve")

    shown = center(officer)
    assert [(u["name"], u["core"]) for u in shown["coBuilders"]] == [
        ("新疆纺织服装产业园", False), ("新疆大学", True), ("新疆如意纺织服装有限公司", True)]
    (change,) = shown["changes"]
    assert [u["name"] for u in change["before"]["coreCoBuilders"]] == ["新疆大学", "新疆阿拉尔棉纺有限公司"]
    assert [u["name"] for u in change["after"]["coreCoBuilders"]] == ["新疆大学", "新疆如意纺织服装有限公司"]


def test_r19_a_returned_change_goes_back_to_the_center_with_the_opinion(registered, rest):
    cotton, urumqi = rest("cotton"), rest("urumqi")
    instance_id = submitted(cotton, name_change())
    authority(urumqi, instance_id, "return", "请补充理事会决议原件")

    assert task_keys(cotton, instance_id) == ["submit_change"]
    assert variables(cotton, instance_id)["authorityOpinion"] == "请补充理事会决议原件"
    assert submit(cotton, instance_id, name_change()).status_code == 204
    assert task_keys(urumqi, instance_id) == ["authority_review"]
    assert center(rest("officer"))["changes"] == []


@pytest.mark.parametrize("rejected_by", ["authority", "department"])
def test_r19_a_rejected_change_leaves_the_registry_unchanged(registered, rest, rejected_by):
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = submitted(cotton, name_change())
    if rejected_by == "authority":
        authority(urumqi, instance_id, "reject", "更名理由不充分")
    else:
        authority(urumqi, instance_id, "approve")
        assert department(officer, instance_id, "reject", "更名理由不充分").status_code == 204

    assert instance_state(officer, instance_id) == "COMPLETED"
    shown = center(officer)
    assert (shown["name"], shown["changes"]) == (OLD_NAME, [])


# ------------------------------------------------------------------ what a change may ask


def test_r19_r14_a_new_name_keeps_the_xinjiang_pattern_and_is_not_taken(registered, rest):
    cotton = rest("cotton")
    instance_id = started(cotton)

    errors = field_errors(submit(cotton, instance_id, name_change("天棉纺织研究院")))
    assert errors["newName"] == "变更后的中心名称：格式不正确"
    errors = field_errors(submit(cotton, instance_id, name_change(OLD_NAME)))
    assert errors["newName"] == "变更后的名称与现名称相同"
    errors = field_errors(submit(cotton, instance_id, {**name_change(), "newName": None}))
    assert errors["newName"] == "变更名称时须填写变更后的中心名称"


def test_r19_r14_a_name_another_center_holds_is_refused_at_submission_and_at_approval(registered, rest):
    cotton, officer = rest("cotton"), rest("officer")
    pending = submitted(cotton, name_change())
    authority(rest("urumqi"), pending, "approve")
    register_university_center(rest, NEW_NAME)

    refused = department(officer, pending, "approve")
    assert f"已有同名的技术创新中心“{NEW_NAME}”" in field_errors(refused)["departmentDecision"]
    again = started(cotton, "BG-2027-002")
    assert "已有同名" in field_errors(submit(cotton, again, name_change()))["newName"]
    assert department(officer, pending, "reject", "名称已被占用").status_code == 204
    assert center(officer)["name"] == OLD_NAME


def test_r19_r07_six_core_co_builders_are_refused(registered, rest):
    cotton = rest("cotton")
    instance_id = started(cotton)
    six = [unit(f"新疆第{i + 1}纺织有限公司") for i in range(6)]

    response = submit(cotton, instance_id, {"changeType": "core_co_builders", "newCoreCoBuilders": six,
                                            "changeDescription": "扩大核心建设单位", **RESOLUTION})
    assert field_errors(response)["newCoreCoBuilders"] == "变更后的核心建设单位：最多 5 项"
    five = {"changeType": "core_co_builders", "newCoreCoBuilders": six[:5], "changeDescription": "扩大核心建设单位",
            **RESOLUTION}
    assert submit(cotton, instance_id, five).status_code == 204


# ------------------------------------------------------------------ R16 who applies, reviews, approves


def test_r16_only_a_center_applies_for_its_own_center(registered, rest):
    assert start_change(rest("urumqi")).status_code == 403
    assert start_change(rest("officer")).status_code == 403

    xju = rest("xju")
    instance_id = started(xju, "BG-2027-009")
    assert task(xju, instance_id, "submit_change")["candidateGroups"] == ["center:xju"]
    assert open_tasks(rest("cotton"), instance_id) == []
    refused = submit(xju, instance_id, name_change("新疆大学技术创新中心"))
    assert field_errors(refused)["changeType"] == "贵单位没有列入技术创新中心序列的中心，不能申请重大变更"


def test_r16_the_supervising_unit_reviews_and_the_department_approves(registered, rest):
    cotton, urumqi, kashgar, officer = rest("cotton"), rest("urumqi"), rest("kashgar"), rest("officer")
    instance_id = submitted(cotton, name_change())

    review = task(urumqi, instance_id, "authority_review")
    assert review["candidateGroups"] == ["recommender:urumqi_gov"]
    assert open_tasks(kashgar, instance_id) == []
    assert complete(kashgar, review["id"], {"authorityDecision": "approve", "authorityOpinion": "同意"}).status_code == 404
    authority(urumqi, instance_id, "approve")

    approval = task(officer, instance_id, "department_approval")
    assert approval["candidateGroups"] == ["department"]
    for reader in ("agency", "leader"):
        response = complete(rest(reader), approval["id"], {"departmentDecision": "approve", "departmentOpinion": "同意"})
        assert response.status_code == 403
    assert open_tasks(urumqi, instance_id) == []
    assert department(officer, instance_id, "approve").status_code == 204
    assert api(rest("agency"), f"/centers/{CODE}").get_json()["name"] == NEW_NAME
