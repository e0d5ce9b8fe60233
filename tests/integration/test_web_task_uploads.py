"""Files chosen in a task form are stored in the same command as the button they came with:
a refused submit (schema, listener, a refused file, a task already done) stores nothing and
names the files to choose again; an accepted one stores each file once, referenced by its
field's variable."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.models import Attachment
from tests.support.establishment import application, variables
from tests.support.tasklist import add_user
from tests.support.web import form_data, instance_of, pdf, start_application, text

pytestmark = pytest.mark.usefixtures("project_models")


def attachments(ctx) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(func.count()).select_from(Attachment))


def post_form(browser, task_id: str, data: dict):
    return browser.post(f"/tasks/{task_id}", data, token_from=f"/tasks/{task_id}")


def test_a_submit_refused_by_the_schema_stores_no_file_and_names_it(web, ctx):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = post_form(cotton, task_id, {**form_data(application()), "leadUnit.debtRatio": "五十五",
                                           "planDocument": pdf(), "_action": "submit"})
    assert response.status_code == 400
    assert attachments(ctx) == 0
    page = text(response)
    assert 'value="五十五"' in page and 'value="新疆大学"' in page
    assert "以下文件未保存，请重新选择：建设方案（PDF）（建设方案.pdf）" in page
    assert 'name="planDocument" value="attachment:' not in page


def test_a_submit_refused_by_its_listener_stores_no_file(web, ctx):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = post_form(cotton, task_id, {**form_data(application(recommenderOrg="不存在的推荐部门")),
                                           "signaturePageScan": pdf("签章页.pdf"), "_action": "submit"})
    assert response.status_code == 400
    assert "不是已登记的地州市人民政府" in text(response)
    assert "请重新选择：签章页扫描件（签章页.pdf）" in text(response)
    assert attachments(ctx) == 0


def test_one_refused_file_stores_none_of_the_files(web, ctx):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = post_form(cotton, task_id, {
        **form_data(application()), "planDocument": pdf(),
        "signaturePageScan": (io.BytesIO(b"MZ\x90\x00"), "setup.exe", "application/octet-stream"),
        "_action": "submit"})
    assert response.status_code == 400
    assert re.search(r'data-error-for="signaturePageScan">签章页扫描件：附件类型不支持', text(response))
    assert attachments(ctx) == 0


def test_a_submit_the_task_refuses_stores_no_file(web, ctx, rest):
    """A delegate must resolve, not complete: the refused submit keeps none of its files."""
    add_user(ctx, "cotton2", "tianmian", ["lead_unit"])
    cotton = web("cotton")
    task_id = start_application(cotton)
    delegated = rest("cotton").post(f"/task/{task_id}/delegate", json={"userId": "cotton2"})
    assert delegated.status_code == 204, delegated.get_json()
    response = post_form(web("cotton2"), task_id, {**form_data(application()), "planDocument": pdf(),
                                                   "_action": "submit"})
    assert response.status_code in (403, 409)
    assert attachments(ctx) == 0


def test_an_accepted_submit_stores_each_file_once_referenced_by_its_variable(web, ctx, rest):
    cotton = web("cotton")
    task_id = start_application(cotton)
    instance_id = instance_of(cotton, task_id)
    response = post_form(cotton, task_id, {**form_data(application()), "planDocument": pdf(),
                                           "signaturePageScan": pdf("签章页.pdf"), "_action": "submit"})
    assert response.status_code == 302, text(response)
    assert attachments(ctx) == 2
    stored = variables(rest("cotton"), instance_id)
    with ctx.db.read() as session:
        names = dict(session.execute(select(Attachment.id, Attachment.file_name)).all())
    assert {names[stored[f].removeprefix("attachment:")] for f in ("planDocument", "signaturePageScan")} \
        == {"建设方案.pdf", "签章页.pdf"}


def test_a_file_saved_with_a_draft_is_stored_once(web, ctx):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = post_form(cotton, task_id, {"signaturePageScan": pdf("签章页.pdf"), "_action": "save"})
    assert response.status_code == 302
    assert attachments(ctx) == 1
    page = text(cotton.get(f"/tasks/{task_id}"))
    reference = re.search(r'name="signaturePageScan" value="(attachment:[0-9a-f-]{36})"', page).group(1)
    response = post_form(cotton, task_id, {**form_data(application()), "signaturePageScan": reference,
                                           "_action": "submit"})
    assert response.status_code == 302, text(response)
    assert attachments(ctx) == 1


def test_adding_a_row_without_javascript_stores_no_file_and_names_it(web, ctx):
    cotton = web("cotton")
    task_id = start_application(cotton)
    response = post_form(cotton, task_id, {**form_data(application()), "planDocument": pdf(),
                                           "_add_row": "coBuilders"})
    assert response.status_code == 200
    assert "以下文件未保存，请重新选择：建设方案（PDF）（建设方案.pdf）" in text(response)
    assert attachments(ctx) == 0
