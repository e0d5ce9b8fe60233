"""The scoring sheet in the real browser (issue 16): an expert scores each criterion on the
task page, the weighted total follows as they type, and they submit; the officer sees the
sheet on the case page, the applicant (cotton) does not."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.establishment import assign_experts, formal_review, start_application, to_formal_review

pytestmark = pytest.mark.e2e

# 90×30 + 80×25 + 70×20 + 60×15 + 95×10 = 7950 → 79.5 → 80
SHEET = {"goals": 90, "foundation": 80, "operation": 70, "funding": 60, "schedule": 95}


def test_an_expert_fills_the_sheet_and_the_officer_but_not_the_applicant_sees_it(officers, rest):
    instance_id = start_application(rest("cotton"))
    to_formal_review(rest, instance_id)
    formal_review(rest("officer"), instance_id, "pass")
    assert assign_experts(rest("officer"), instance_id, ["expert4", "expert5", "expert6"]).status_code == 204
    expert = officers("expert4")
    expert.take_task("专家论证评分")
    total = expert.page.locator('[name="expertScore"]')
    expect(total).to_have_attribute("readonly", "")

    expert.fill_form({"criterionScores": {code: score for code, score in SHEET.items() if code != "schedule"}})
    expect(total).to_have_value("")
    expert.fill_form({"criterionScores": {"schedule": 95}, "expertOpinion": "目标明确，任务可行",
                      "expertRecommend": True})
    expect(total).to_have_value("80")
    expert.submit()
    expect(expert.page.get_by_role("status").first).to_contain_text("已提交")

    officer = officers("officer")
    officer.page.goto(f"/instances/{instance_id}")
    row = officer.page.locator('[data-sheet="expert4"]')
    expect(row).to_contain_text("90")
    expect(row.get_by_test_id("sheet-total")).to_have_text("80")
    applicant = officers("cotton")
    applicant.page.goto(f"/instances/{instance_id}")
    expect(applicant.page.get_by_test_id("instance-name")).to_be_visible()
    expect(applicant.page.get_by_test_id("scoring-sheets")).to_have_count(0)
