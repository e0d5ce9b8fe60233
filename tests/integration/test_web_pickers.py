"""People are picked from lists, never typed: 转办 and 委派 offer whom the task may go to,
抄送 offers whom the case may be copied to, and the experts of 遴选论证专家 are checked from the expert group."""
from __future__ import annotations

import re

import pytest

from app.core.identity import load_actor
from app.tic.applications import starting_values
from tests.support.establishment import (
    formal_review,
    open_tasks,
    recommender_decides,
    send_letter,
    start_application,
    submit,
    task,
)
from tests.support.tasklist import add_user
from tests.support.web import start_application as web_start_application
from tests.support.web import text

pytestmark = pytest.mark.usefixtures("project_models")


def options(page: str, testid: str) -> dict[str, str]:
    """The non-empty options of the select marked `data-testid`: value -> label."""
    select = re.search(rf'<select[^>]*data-testid="{testid}"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    return {value: label for value, label in re.findall(r'<option value="([^"]+)">([^<]*)</option>', select)}


@pytest.fixture
def at_formal_review(rest, ctx, web):
    """An application waiting for 形式审查, claimed by the officer; its task id."""
    add_user(ctx, "officer2", "kjt", ["department"])
    add_user(ctx, "retired", "kjt", ["department"], active=False)
    cotton, urumqi = rest("cotton"), rest("urumqi")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    task_id = task(rest("officer"), instance_id, "formal_review")["id"]
    assert rest("officer").post(f"/task/{task_id}/claim", json={"userId": "officer"}).status_code == 204
    return instance_id, task_id


def test_transfer_offers_exactly_the_other_active_candidates(web, at_formal_review):
    _, task_id = at_formal_review
    page = text(web("officer").get(f"/tasks/{task_id}"))
    assert options(page, "transfer-user") == {"officer2": "officer2 经办人（自治区科学技术厅）"}
    assert 'name="user_id" type="text"' not in page


def test_with_nobody_to_transfer_to_the_page_says_why_instead_of_an_empty_list(rest, web):
    cotton, urumqi = rest("cotton"), rest("urumqi")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)

    page = text(web("officer").get(f"/tasks/{task(rest('officer'), instance_id, 'formal_review')['id']}"))
    assert 'data-testid="transfer-user"' not in page
    assert "本环节没有其他可接手的人员" in page


def test_delegate_offers_colleagues_candidates_and_the_agency(web, at_formal_review):
    _, task_id = at_formal_review
    offered = options(text(web("officer").get(f"/tasks/{task_id}")), "delegate-user")
    assert {"officer2", "leader", "agency"} <= set(offered)
    assert not {"officer", "retired", "cotton", "expert1"} & set(offered)


def test_transfer_to_the_picked_colleague(web, at_formal_review):
    _, task_id = at_formal_review
    officer = web("officer")
    response = officer.post(f"/tasks/{task_id}/transfer", {"user_id": "officer2"},
                            token_from=f"/tasks/{task_id}")
    assert response.status_code == 302 and "已转办" in text(officer.get(response.location))
    assert "共 1 条" in text(web("officer2").get("/tasks?box=todo"))


def test_copy_offers_exactly_the_department_the_supervising_unit_and_the_applicant(web, at_formal_review):
    _, task_id = at_formal_review
    page = text(web("officer").get(f"/tasks/{task_id}"))
    offered = options(page, "cc-users")
    assert offered["leader"] == "科技厅领导"
    assert '<optgroup label="自治区科学技术厅">' in page and 'data-testid="cc-users-search"' in page
    assert set(offered) == {"officer2", "leader", "manager", "agency", "admin", "urumqi", "cotton"}


def test_copy_is_not_offered_to_who_may_not_copy(web, at_formal_review):
    instance_id, _ = at_formal_review
    page = text(web("manager").get(f"/instances/{instance_id}"))
    assert 'data-testid="cc-users"' not in page and 'data-testid="cc-submit"' not in page


def test_copy_to_several_picked_people(web, at_formal_review, ctx):
    add_user(ctx, "urumqi_staff", "urumqi_gov", [])
    instance_id, task_id = at_formal_review
    officer = web("officer")
    assert "urumqi_staff" in options(text(officer.get(f"/tasks/{task_id}")), "cc-users")
    response = officer.post(f"/instances/{instance_id}/cc", {"user_ids": ["leader", "urumqi_staff"]},
                            token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    assert web("urumqi_staff").get(f"/instances/{instance_id}").status_code == 200


def test_copy_to_someone_the_rule_refuses_says_who(web, at_formal_review):
    instance_id, task_id = at_formal_review
    officer = web("officer")
    response = officer.post(f"/instances/{instance_id}/cc", {"user_ids": ["expert1"]},
                            token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    assert "expert1" in text(officer.get(response.location))
    assert web("expert1").get(f"/instances/{instance_id}").status_code == 404


def test_assign_experts_checks_the_demo_experts_with_their_units(web, at_formal_review, rest):
    instance_id, _ = at_formal_review
    formal_review(rest("officer"), instance_id, "pass")
    task_id = task(rest("officer"), instance_id, "assign_experts")["id"]
    officer = web("officer")
    page = text(officer.get(f"/tasks/{task_id}"))
    boxes = re.findall(r'<input type="checkbox" name="(experts\.\d+)" value="([^"]+)"(?: disabled)?> ([^<]+)', page)
    assert len(boxes) == 9
    labels = {value: label.strip() for _, value, label in boxes}
    assert labels["expert1"] == "专家一（新疆大学）" and labels["expert9"] == "专家九（新疆农业大学）"
    names = {value: name for name, value, _ in boxes}
    chosen = {names[e]: e for e in ("expert4", "expert5", "expert6")}
    response = officer.post(f"/tasks/{task_id}", {**chosen, "panelReason": "人工遴选", "_action": "submit"},
                            token_from=f"/tasks/{task_id}")
    assert response.status_code == 302, text(response)
    reviewers = {t["assignee"] for t in open_tasks(rest("officer"), instance_id)
                 if t["taskDefinitionKey"] == "expert_review"}
    assert reviewers == {"expert4", "expert5", "expert6"}


def test_the_recommending_department_is_picked_by_name_from_the_recommending_departments(web):
    cotton = web("cotton")
    task_id = web_start_application(cotton)

    page = text(cotton.get(f"/tasks/{task_id}"))
    select = re.search(r'<select id="f-recommenderOrg"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    offered = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', select))
    assert offered["urumqi_gov"] == "乌鲁木齐市人民政府" and offered["gxt"] == "自治区工业和信息化厅"
    assert not {"tianmian", "xju", "kjt"} & set(offered)


def test_the_application_on_its_case_names_the_recommending_department_not_its_code(rest, web):
    instance_id = start_application(rest("cotton"))
    submit(rest("cotton"), instance_id)

    page = text(web("urumqi").get(f"/instances/{instance_id}"))
    assert "乌鲁木齐市人民政府" in page and ">urumqi_gov<" not in page


def test_the_inbox_filter_offers_the_processes_and_steps_the_user_takes_part_in(rest, web):
    instance_id = start_application(rest("cotton"))
    submit(rest("cotton"), instance_id)

    page = text(web("urumqi").get("/tasks"))
    processes = re.search(r'<select name="process">(.*?)</select>', page, re.DOTALL).group(1)
    steps = re.search(r'<select name="task">(.*?)</select>', page, re.DOTALL).group(1)
    assert "tic_establishment" in re.findall(r'<option value="(\w+)"', processes)
    offered = re.findall(r'<option value="(\w+)"', steps)
    assert {"recommender_review", "recommend_letter", "authority_review"} <= set(offered)
    assert not {"fill_application", "formal_review", "expert_review", "approval_decision"} & set(offered)
    started = text(web("cotton").get("/tasks?box=started"))
    assert 'value="formal_review"' in re.search(r'<select name="task">(.*?)</select>', started, re.DOTALL).group(1)


def test_a_new_application_starts_with_the_signed_in_unit_as_lead_unit(web):
    cotton = web("cotton")
    task_id = web_start_application(cotton)

    page = cotton.get(f"/tasks/{task_id}").get_data(as_text=True)

    assert re.search(r'name="leadUnit\.name"[^>]*value="新疆天棉纺织集团有限公司"', page)
    assert re.search(r'name="leadUnit\.creditCode"[^>]*value="91650100MA77XJ1234"', page)
    assert re.search(r'<option value="enterprise" selected>', page)


def test_a_unit_that_cannot_lead_starts_with_nothing_prefilled(ctx):
    with ctx.db.read() as session:
        assert starting_values(session, load_actor(session, "urumqi"), "tic_establishment") == {}
        assert starting_values(session, load_actor(session, "cotton"), "tic_major_change") == {}
