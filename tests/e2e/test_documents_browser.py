"""The approval reply (批复) downloaded from the case page in a real browser, as the
applicant: the PDF names the center, its number and the decision; the approval sheet,
for department staff only, is not offered."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.documents import issued, pdf_text
from tests.support.lifecycle import instance_of, register_center

pytestmark = pytest.mark.e2e


def test_the_applicant_downloads_the_approval_reply_from_the_case_page(officers, ctx, rest):
    register_center(rest, "SQ-2026-001")
    instance_id = instance_of(rest("officer"), "SQ-2026-001")["id"]
    (reply,) = issued(ctx, "approval_reply")
    cotton = officers("cotton")
    cotton.page.goto(f"/instances/{instance_id}")
    documents = cotton.page.get_by_test_id("documents")
    expect(documents).to_contain_text(reply.number)
    expect(documents.locator("[data-testid=document-approval_sheet]")).to_have_count(0)

    with cotton.page.expect_download() as download:
        cotton.page.click("[data-testid=document-approval_reply]")
    assert download.value.suggested_filename == f"{reply.number}{reply.title}.pdf"
    content = pdf_text(download.value.path().read_bytes())
    assert "新疆棉花和纺织服装技术创新中心" in content and reply.number in content
    assert "同意组建“新疆棉花和纺织服装技术创新中心”" in content
