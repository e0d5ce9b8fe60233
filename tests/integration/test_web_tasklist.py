"""Tasklist pages through the Flask test client: the inbox, the form rendered from its
schema, validation re-render, drafts, rows without JavaScript, scoping (404), actions."""
from __future__ import annotations

import re

import pytest

from tests.support.establishment import application
from tests.support.web import form_data, start_application, text

pytestmark = pytest.mark.usefixtures("project_models")


def test_start_page_offers_only_what_the_role_may_start(web):
    assert "新建申报" in text(web("cotton").get("/start"))
    officer_page = text(web("officer").get("/start"))
    assert "新建申报" not in officer_page
    assert "待办队列（按环节）" in officer_page


def test_new_application_opens_its_first_task_with_the_form(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    page = text(cotton.get(f"/tasks/{task_id}"))
    assert "填报组建申请与建设方案" in page
    assert 'name="centerName"' in page and 'placeholder="新疆××技术创新中心"' in page
    assert "领域类" in page and "综合类" in page            # enum labels from the UI hints
    assert 'name="leadUnit.creditCode"' in page            # nested object
    assert 'name="legalEntityPlanDate" type="date"' in page
    assert '<textarea id="f-plan.background"' in page      # textarea widget
    assert 'value="true"> 是' in page                       # boolean as 是/否
    assert "+ 添加共建单位" in page
    assert "填报组建申请与建设方案" in page and 'id="diagram"' in page


def test_add_and_remove_rows_without_javascript_keep_what_was_typed(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    page = cotton.post(f"/tasks/{task_id}", {"centerName": "新疆测试技术创新中心",
                                             "_add_row": "coBuilders"}, token_from=f"/tasks/{task_id}")
    assert page.status_code == 200
    body = text(page)
    assert 'name="coBuilders.0.name"' in body and 'value="新疆测试技术创新中心"' in body
    page = cotton.post(f"/tasks/{task_id}", {
        "coBuilders.0.__row": "1", "coBuilders.0.name": "甲", "coBuilders.1.__row": "1",
        "coBuilders.1.name": "乙", "_remove_row": "coBuilders.0"}, token_from=f"/tasks/{task_id}")
    body = text(page)
    assert 'name="coBuilders.0.name" type="text" value="乙"' in body
    assert 'name="coBuilders.1.name"' not in body


def test_a_refused_submission_shows_chinese_messages_and_loses_nothing(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    values = application(centerName="天山技术中心")
    data = form_data(values)
    data["leadUnit.debtRatio"] = "五十五"
    response = cotton.post(f"/tasks/{task_id}", {**data, "_action": "submit"}, token_from=f"/tasks/{task_id}")
    assert response.status_code == 400
    body = text(response)
    assert "表单填写有误" in body
    assert re.search(r'data-error-for="centerName">中心名称：格式不正确', body)
    assert re.search(r'data-error-for="leadUnit.debtRatio">[^<]*应填写数字', body)
    assert 'value="天山技术中心"' in body and 'value="五十五"' in body
    assert 'value="新疆大学"' in body                         # rows of co-builders kept
    assert "新疆是全国最大的优质棉花生产基地" in body           # long texts kept


def test_a_valid_submission_moves_the_case_to_the_recommender(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = cotton.post(f"/tasks/{task_id}", {**form_data(application()), "_action": "submit"},
                           token_from=f"/tasks/{task_id}")
    assert response.status_code == 302, text(response)
    assert "已提交" in text(cotton.get(response.location))
    urumqi = web("urumqi")
    inbox = text(urumqi.get("/tasks?box=todo"))       # the only recommender of 乌鲁木齐: theirs
    assert "推荐部门审核" in inbox and "新疆棉花和纺织服装技术创新中心" in inbox
    assert "新疆天棉纺织集团有限公司" in inbox
    done = text(cotton.get("/tasks?box=done"))
    assert "填报组建申请与建设方案" in done


def test_draft_is_saved_per_user_and_prefills_the_form(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = cotton.post(f"/tasks/{task_id}", {"centerName": "新疆草稿技术创新中心", "_action": "save"},
                           token_from=f"/tasks/{task_id}")
    assert response.status_code == 302
    page = text(cotton.get(f"/tasks/{task_id}"))
    assert "草稿已保存" in page and 'value="新疆草稿技术创新中心"' in page
    assert "已载入您于" in page


def test_a_lead_unit_cannot_open_another_units_task(web):
    task_id = start_application(web("cotton"))
    energy = web("energy")
    response = energy.get(f"/tasks/{task_id}")
    assert response.status_code == 404
    assert "页面不存在或无权查看" in text(response)
    assert energy.post(f"/tasks/{task_id}", {"_action": "save", "centerName": "x"}).status_code == 404
    instance_id = re.search(r'/instances/([0-9a-f-]{36})"', text(web("cotton").get(f"/tasks/{task_id}"))).group(1)
    assert energy.get(f"/instances/{instance_id}/diagram.bpmn").status_code == 404
    assert energy.get(f"/instances/{instance_id}").status_code == 404


def test_diagram_xml_is_served_to_who_may_read_the_case(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    instance_id = re.search(r'/instances/([0-9a-f-]{36})/diagram', text(cotton.get(f"/tasks/{task_id}"))).group(1)
    response = cotton.get(f"/instances/{instance_id}/diagram.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert b"tic_establishment" in response.data


def test_inbox_filters_sorts_and_counts(web):
    cotton = web("cotton")
    for _ in range(3):
        start_application(cotton)
    page = text(cotton.get("/tasks?box=todo"))      # the applicant's own forms: in 待办 at once
    assert "共 3 条" in page
    assert re.search(r'data-testid="box-todo">\s*待办任务<span class="count">3</span>', page)
    assert "共 0 条" in text(cotton.get("/tasks?box=todo&q=不存在的名称"))
    assert "共 3 条" in text(cotton.get("/tasks?box=todo&process=tic_establishment&sort=due&order=asc"))
    assert "共 3 条" in text(cotton.get("/tasks?box=started"))


def test_claim_and_unclaim_from_the_task_page(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = cotton.post(f"/tasks/{task_id}/claim", token_from=f"/tasks/{task_id}")
    assert "已认领" in text(cotton.get(response.location))
    assert "共 1 条" in text(cotton.get("/tasks?box=todo"))
    cotton.post(f"/tasks/{task_id}/unclaim", token_from=f"/tasks/{task_id}")
    assert "共 0 条" in text(cotton.get("/tasks?box=todo"))


def test_every_page_renders_in_english(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    cotton.post("/language", {"lang": "en", "next": "/tasks"})
    for path in ("/tasks", "/tasks?box=started", "/start", "/notifications", f"/tasks/{task_id}"):
        response = cotton.get(path)
        assert response.status_code == 200, path
        assert '<html lang="en">' in text(response)
    page = text(cotton.get(f"/tasks/{task_id}"))
    assert "Transfer: nobody else may take this step" in page and "Save draft" in page


def test_notifications_list_and_unread_count(web):
    cotton = web("cotton")
    task_id = start_application(cotton)
    cotton.post(f"/tasks/{task_id}", {**form_data(application()), "_action": "submit"},
                token_from=f"/tasks/{task_id}")
    officer = web("officer")
    instance_id = re.search(r'data-instance-id="([0-9a-f-]{36})"',
                            text(cotton.get("/tasks?box=started"))).group(1)
    assert officer.post(f"/instances/{instance_id}/cc", {"user_ids": "leader", "note": "请知悉"},
                        token_from="/tasks").status_code == 302
    leader = web("leader")
    page = text(leader.get("/tasks"))
    assert re.search(r'data-testid="unread-count">1<', page)
    listing = text(leader.get("/notifications"))
    assert "抄送" in listing and "请知悉" in listing
    leader.post("/notifications/read", {"id": "all"}, token_from="/notifications")
    assert 'data-testid="unread-count"' not in text(leader.get("/tasks"))
    assert leader.get(f"/instances/{instance_id}").status_code == 200
