"""The approval page shows what the decision rests on: each expert's review, the site visit,
and the ranking of every application awaiting approval (择优, R13/R14)."""
from __future__ import annotations

import re

import pytest

from tests.support.establishment import task, to_approval
from tests.support.web import text

pytestmark = pytest.mark.usefixtures("project_models")


def test_approval_page_shows_expert_reviews_site_visit_and_the_ranking(web, rest):
    leader = web("leader")
    first = to_approval(rest, "SQ-2026-001", scores={"expert4": 80, "expert5": 82, "expert6": 84})
    second = to_approval(rest, "SQ-2026-002", scores={"expert7": 90, "expert8": 92, "expert9": 94},
                         centerName="新疆现代农业技术创新中心")
    page = text(leader.get(f"/tasks/{task(rest('leader'), first, 'approval_decision')['id']}"))

    assert "专家论证意见" in page and "平均分 82" in page
    assert all(name in page for name in ("专家四", "专家五", "专家六"))
    assert "实地评估" in page
    ranking = page[page.index("待审批申请排名（择优）"):]
    assert ranking.index("新疆现代农业技术创新中心") < ranking.index("（本申请）")
    assert second


def test_the_decision_file_shows_people_by_name_times_in_local_form_and_counts_as_counts(web, rest):
    first = to_approval(rest, "SQ-2026-001", scores={"expert4": 80, "expert5": 82, "expert6": 84})
    page = text(web("leader").get(f"/tasks/{task(rest('leader'), first, 'approval_decision')['id']}"))

    reviews = page[page.index("专家论证意见"):page.index("待审批申请排名（择优）")]
    assert "专家四（" in reviews and "<td>expert4</td>" not in reviews
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", reviews)
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{3}\+0800", reviews)
    ranking = page[page.index("待审批申请排名（择优）"):]
    assert "推荐批准人数" in ranking and "是否推荐" not in ranking

