"""/admin/documents: administrators see the kinds of official documents, edit a kind's
template with a PDF preview on sample data, and a template that does not render (a syntax
error, a sandbox escape) comes back with a Chinese error naming its line and the draft kept;
a saved template is the one the next document is issued from."""
from __future__ import annotations

import pytest
from lxml import html
from sqlalchemy import select

from app.models import AuditEntry
from tests.support.documents import issued, pdf_text
from tests.support.establishment import approval, deploy_models, to_approval
from tests.support.web import text

EDITED = """{% extends "layout.html" %}
{% block body %}<p class="recipient">{{ recipient }}：</p>
<p>经研究，{{ decision }}。请按规定推进建设（修订版模板）。</p>{% endblock %}
"""


@pytest.fixture
def admin(web):
    return web("admin")


def test_the_admin_lists_the_kinds_in_chinese(admin):
    page = text(admin.get("/admin/documents"))
    for name in ("组建批复", "组建审批单", "绩效评估结果通知", "撤销通知"):
        assert name in page
    assert "仅科技厅工作人员" in page and "系统默认模板" in page


@pytest.mark.parametrize("user", ["officer", "leader", "analyst", "cotton"])
def test_only_administrators_may_open_or_change_templates(web, user):
    browser = web(user)
    assert browser.get("/admin/documents").status_code == 403
    assert browser.get("/admin/documents/approval_reply").status_code == 403
    assert browser.post("/admin/documents/approval_reply", {"body": EDITED}).status_code == 403


def test_the_preview_is_a_pdf_of_the_sample_data(admin):
    response = admin.post("/admin/documents/approval_reply/preview", {"body": EDITED})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    content = pdf_text(response.data)
    assert "修订版模板" in content and "新疆棉花和纺织服装技术创新中心" in content


@pytest.mark.parametrize(("body", "line", "words"), [
    ("<p>{{ title }}</p>\n<p>{{ ''.__class__.__mro__ }}</p>", 2, "不允许访问"),
    ("<p>{{ title }}</p>\n<p>{{ title }}</p>\n{% for x in %}", 3, "语法错误"),
    ("<p>{{ no_such_field }}</p>", 1, "没有这项数据"),
])
@pytest.mark.parametrize("action", ["", "/preview"])
def test_a_bad_template_is_refused_naming_its_line_and_the_draft_is_kept(admin, body, line, words, action):
    response = admin.post(f"/admin/documents/approval_reply{action}", {"body": body})
    assert response.status_code == 400
    page = text(response)
    assert f"模板第 {line} 行" in page and words in page
    assert html.fromstring(page).xpath('//textarea[@name="body"]')[0].text == body
    assert "<class" not in page  # nothing of Python's internals leaks into the page


def test_a_saved_template_issues_the_next_document_and_can_be_restored(ctx, rest, admin):
    response = admin.post("/admin/documents/approval_reply", {"body": EDITED})
    assert response.status_code == 302
    assert "修订版模板" in text(admin.get("/admin/documents/approval_reply"))
    with ctx.db.read() as session:
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == "admin")).all()[-1] \
            == "document_template.save"
    deploy_models(ctx)
    instance_id = to_approval(rest, "SQ-2026-001")
    approval(rest("leader"), instance_id, "approve")
    (reply,) = issued(ctx, "approval_reply")
    download = admin.get(f"/documents/{reply.id}")
    assert "修订版模板" in pdf_text(download.data)
    assert admin.post("/admin/documents/approval_reply/restore").status_code == 302
    assert "修订版模板" not in text(admin.get("/admin/documents/approval_reply"))
