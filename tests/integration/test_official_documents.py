"""Official documents issued where the decision is taken (issue 16): the approval reply and
the approval sheet on approval, the evaluation result notice on grading, the delisting
notice on removal; each numbered 新科发〔year〕n号, archived with the case and readable by
who may read the case (the approval sheet by department staff only)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import Attachment
from app.tic import documents

from tests.support.documents import issued, pdf_text
from tests.support.establishment import approval, completed, deploy_models, to_approval
from tests.support.lifecycle import graded, register_center
from tests.support.web import text

CENTER = "新疆棉花和纺织服装技术创新中心"


@pytest.fixture
def approved(ctx, rest):
    deploy_models(ctx)
    instance_id = to_approval(rest, "SQ-2026-001")
    approval(rest("leader"), instance_id, "approve", "同意组建，请抓紧落实建设任务")
    return instance_id


def document_text(browser, document) -> str:
    response = browser.get(f"/documents/{document.id}")
    assert response.status_code == 200, text(response)
    assert response.mimetype == "application/pdf"
    return pdf_text(response.data)


def test_r14_an_approval_issues_the_numbered_reply_with_the_center_and_the_decision(ctx, approved, web):
    (reply,) = issued(ctx, "approval_reply")
    # The 公示 notice took 1号 of the same sequence when the 公示 opened.
    assert reply.number == "新科发〔2026〕2号" and reply.instance_id == approved
    content = document_text(web("cotton"), reply)
    assert CENTER in content and "新科发〔2026〕2号" in content
    assert f"同意组建“{CENTER}”" in content and "XJTIC-2026-001" in content
    assert "新疆维吾尔自治区科学技术厅" in content and "签发：" in content
    # The applicant's copy carries no expert score (DESIGN.md, Confidential data).
    assert "平均分" not in content and "88" not in content


def test_the_approval_sheet_holds_every_decision_and_only_the_department_reads_it(ctx, approved, web):
    (sheet,) = issued(ctx, "approval_sheet")
    assert sheet.number == "新科审〔2026〕1号" and sheet.department_only
    content = document_text(web("officer"), sheet)
    for step in ("推荐", "形式审查", "实地评估", "审批"):
        assert step in content
    assert "同意组建，请抓紧落实建设任务" in content and "材料齐全，符合组建条件" in content
    assert "审批结论：同意组建" in content
    for outsider in ("cotton", "urumqi"):
        assert web(outsider).get(f"/documents/{sheet.id}").status_code == 404
        page = text(web(outsider).get(f"/instances/{approved}"))
        assert sheet.number not in page and sheet.id not in page
    assert sheet.number in text(web("officer").get(f"/instances/{approved}"))


def test_the_publicity_notice_is_issued_when_the_publicity_opens_with_its_period_and_no_score(ctx, rest, web):
    deploy_models(ctx)
    instance_id = to_approval(rest, "SQ-2026-001")
    approval(rest("leader"), instance_id, "approve", "同意组建", publicity_ends=False)

    assert [d.kind for d in issued(ctx)] == ["approval_sheet", "publicity_notice"]
    (notice,) = issued(ctx, "publicity_notice")
    assert notice.number == "新科发〔2026〕1号"
    content = document_text(web("cotton"), notice)
    assert f"{CENTER}拟批准组建" in content and "新科发〔2026〕1号" in content
    # Approved on Monday 2 March 2026 (Beijing): 7 calendar days from the next day.
    assert "2026年3月3日至2026年3月9日" in content and "签发：" in content
    assert "平均分" not in content and "88" not in content


def test_a_rejection_issues_the_sheet_but_no_reply(ctx, rest):
    deploy_models(ctx)
    instance_id = to_approval(rest, "SQ-2026-001")
    approval(rest("leader"), instance_id, "reject", "建设基础尚不充分")
    assert [d.kind for d in issued(ctx)] == ["approval_sheet"]


def test_r21_grading_issues_the_result_notice_with_grade_and_funding(ctx, clock, rest, web):
    deploy_models(ctx)
    register_center(rest)
    graded(clock, rest, "excellent")
    (notice,) = issued(ctx, "evaluation_notice")
    assert notice.number == "新科发〔2029〕1号"
    content = document_text(web("cotton"), notice)
    assert CENTER in content and notice.number in content
    assert "评估结果为“优秀”" in content and "200万元" in content
    assert "评定：" in content and "平均分" not in content and "评分" not in content


def test_r23_removal_issues_the_delisting_notice(ctx, clock, rest, web):
    deploy_models(ctx)
    register_center(rest)
    instance_id = graded(clock, rest, "poor")
    officer = rest("officer")
    completed(rest("cotton"), instance_id, "submit_rectification_report", {"rectificationReport": "已整改"})
    completed(officer, instance_id, "rectification_review",
              {"rectificationPassed": False, "rectificationOpinion": "整改措施未落实专家组意见"})
    (notice,) = issued(ctx, "delisting_notice")
    content = document_text(web("cotton"), notice)
    assert CENTER in content and notice.number in content
    assert "不再列入自治区技术创新中心序列" in content and "整改后仍未达标" in content
    assert "整改措施未落实专家组意见" in content
    assert [d.number for d in issued(ctx, "evaluation_notice")] == ["新科发〔2029〕1号"]
    assert notice.number == "新科发〔2029〕2号"


def test_the_case_page_and_the_centers_page_list_the_documents_each_reader_may_read(ctx, approved, web):
    reply, sheet = issued(ctx, "approval_reply")[0], issued(ctx, "approval_sheet")[0]
    for path in (f"/instances/{approved}", "/registry/XJTIC-2026-001"):
        cotton = text(web("cotton").get(path))
        assert reply.number in cotton and f"/documents/{reply.id}" in cotton
        assert sheet.number not in cotton
        officer = text(web("officer").get(path))
        assert reply.number in officer and f"/documents/{sheet.id}" in officer
    assert "签发 科技厅领导" in text(web("cotton").get(f"/instances/{approved}"))


def test_the_deciding_command_numbers_the_documents_and_the_executor_archives_their_pdfs_after_it(ctx, approved, web):
    assert all(d.attachment_id is None for d in issued(ctx))
    officer = web("officer")
    assert ".pdf" not in text(officer.get(f"/instances/{approved}"))

    assert documents.archive_pending(ctx) == 3
    assert documents.archive_pending(ctx) == 0
    reply = issued(ctx, "approval_reply")[0]
    page = text(officer.get(f"/instances/{approved}"))
    assert f"{reply.number}{reply.title}.pdf" in page and f"/attachments/{reply.attachment_id}" in page
    assert "新科发〔2026〕2号" in document_text(web("cotton"), reply)


def test_a_document_downloaded_before_the_executor_came_is_laid_out_then_and_archived_once(ctx, approved, web):
    reply = issued(ctx, "approval_reply")[0]
    first = web("cotton").get(f"/documents/{reply.id}")
    assert first.status_code == 200 and first.data.startswith(b"%PDF-")
    archived = issued(ctx, "approval_reply")[0].attachment_id
    assert documents.archive(ctx, reply.id) == archived
    assert documents.archive_pending(ctx) == 2
    assert web("cotton").get(f"/documents/{reply.id}").data == first.data
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)
                              .where(Attachment.file_name.like(f"{reply.number}%"))) == 1


def test_a_document_that_cannot_be_laid_out_does_not_hold_back_the_others(ctx, approved, monkeypatch, caplog):
    sheet = issued(ctx, "approval_sheet")[0]
    laid_out = documents.document_pdf.to_pdf

    def failing(html: str) -> bytes:
        if sheet.number in html:
            raise RuntimeError("the layout failed")
        return laid_out(html)
    monkeypatch.setattr(documents.document_pdf, "to_pdf", failing)

    assert documents.archive_pending(ctx) == 2
    assert issued(ctx, "approval_sheet")[0].attachment_id is None
    assert f"official document {sheet.id} could not be laid out" in caplog.text

    monkeypatch.setattr(documents.document_pdf, "to_pdf", laid_out)
    assert documents.archive_pending(ctx) == 1
    assert issued(ctx, "approval_sheet")[0].attachment_id is not None
