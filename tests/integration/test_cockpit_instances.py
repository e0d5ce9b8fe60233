"""The cockpit's instance list (filters, sorting, paging, the Excel export) and one
instance's page (path, outcome, variables, history, called processes, jobs, incidents),
with the confidential variables left out for a reader who may not read them."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from app.core import confidential
from app.platform import instance_search
from tests.support.cockpit import data_attribute, listed_ids, started_reviews
from tests.support.establishment import approval, to_approval
from tests.support.web import text


@pytest.fixture
def reviews(rest, clock):
    return started_reviews(rest, clock)


def listed(browser, **filters) -> list[str]:
    response = browser.get("/cockpit/instances?" + "&".join(f"{k}={v}" for k, v in filters.items()))
    assert response.status_code == 200, text(response)
    return listed_ids(text(response))


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, [0, 1, 2, 3, 4]),
    ({"state": "running"}, [0, 1, 2]),
    ({"state": "completed"}, [4]),
    ({"state": "withdrawn"}, [3]),
    ({"activityId": "recommend"}, [0, 1]),
    ({"overdue": "1"}, [0]),
    ({"businessKey": "TIC-2026-00"}, [0, 1, 2, 3, 4]),
    ({"businessKey": "TIC-2026-002"}, [1]),
    ({"processKey": "tl_review", "version": "1"}, [0, 1, 2, 3, 4]),
    ({"processKey": "tl_review", "version": "2"}, []),
    ({"applicantOrg": "tianmian", "supervisingOrg": "urumqi_gov"}, [0, 1, 2, 3, 4]),
    ({"supervisingOrg": "kashgar_gov"}, []),
    ({"startedFrom": "2026-03-02", "startedTo": "2026-03-02"}, [0, 1, 2, 3, 4]),
    ({"startedFrom": "2026-03-03"}, []),
], ids=lambda value: "-".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None)
def test_the_list_filters(web, reviews, filters, expected):
    assert sorted(listed(web("manager"), **filters)) == sorted(reviews[n] for n in expected)


@pytest.mark.parametrize("filters", [{"activityId": "recommend"}, {"overdue": "1"}], ids=["step", "overdue"])
def test_a_filter_on_another_table_lists_alike_when_many_match(web, reviews, monkeypatch, filters):
    manager = web("manager")
    gathered = listed(manager, **filters)

    monkeypatch.setattr(instance_search, "DENSE", 0)

    assert gathered and listed(manager, **filters) == gathered


def test_the_list_sorts_and_pages(web, reviews):
    manager = web("manager")

    ascending = listed(manager, sort="businessKey", order="asc")
    descending = listed(manager, sort="businessKey", order="desc")

    assert ascending == reviews and descending == list(reversed(reviews))
    assert listed(manager, page="2") == []
    assert "第 1 / 1 页" in text(manager.get("/cockpit/instances"))


@pytest.mark.parametrize("bad", ["state=lost", "sort=colour", "order=up", "version=1", "startedFrom=yesterday",
                                 "page=0", "colour=red"])
def test_a_bad_filter_is_a_400_naming_it(web, bad):
    response = web("manager").get(f"/cockpit/instances?{bad}")

    assert response.status_code == 400
    assert bad.split("=")[0] in text(response)


def test_the_export_is_a_workbook_of_the_filtered_list_in_chinese(web, reviews):
    response = web("manager").get("/cockpit/instances.xlsx?state=running&sort=businessKey&order=asc")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("业务编号", "申请/中心名称", "流程", "版本", "状态")
    assert [r[0] for r in rows[1:]] == ["TIC-2026-001", "TIC-2026-002", "TIC-2026-003"]
    assert rows[1][4] == "运行中" and rows[1][5] == "推荐部门审核" and rows[1][6] == "是"
    assert rows[1][7] == "新疆天棉纺织集团有限公司" and rows[1][8] == "乌鲁木齐市人民政府"


def test_a_running_instance_shows_its_path_steps_jobs_and_no_outcome_yet(web, reviews):
    page = text(web("manager").get(f"/cockpit/instances/{reviews[0]}"))

    path = data_attribute(page, "path")
    assert path["finished"] == ["fill", "start"] and path["active"] == ["recommend", "withdrawn_at_recommend"]
    assert path["end"] is None
    assert 'data-state="running"' in page and "办理中" in page
    assert 'data-step="fill"' in page and 'data-step="recommend"' in page
    assert 'data-variable="recommenderOrg"' in page


def test_a_withdrawn_instance_says_so_with_its_reason(web, reviews):
    page = text(web("manager").get(f"/cockpit/instances/{reviews[3]}"))

    assert re.search(r'data-testid="cockpit-outcome"><strong>已撤回</strong>', page)
    assert "单位主动撤回申请" in page
    assert data_attribute(page, "path")["end"] == "withdrawn_end"
    assert 'data-event="instance_withdrawn"' in page


def test_a_finished_instance_reaches_its_end_event(web, reviews):
    page = text(web("manager").get(f"/cockpit/instances/{reviews[4]}"))

    path = data_attribute(page, "path")
    assert path["end"] == "end" and path["active"] == []
    assert {"fill", "recommend", "review", "approve", "end"} <= set(path["finished"])
    assert "<strong>审批结束</strong>" in page


@pytest.fixture
def approved(rest):
    """An establishment approved (批准组建) through every step, the expert panel included."""
    instance_id = to_approval(rest)
    approval(rest("leader"), instance_id, "approve", "同意组建，按期验收")
    return instance_id


def test_an_approved_establishment_reads_批准组建_with_its_opinion_and_called_review(web, project_models, approved):
    page = text(web("manager").get(f"/cockpit/instances/{approved}"))

    assert "<strong>批准组建（中心编号 XJTIC-2026-001）</strong>" in page and "同意组建，按期验收" in page
    assert data_attribute(page, "path")["end"] == "end_approved"
    called = re.search(r'data-testid="cockpit-called"(.*?)</section>', page, re.S).group(1)
    assert 'data-called="tic_expert_review"' in called and "专家论证" in called
    assert 'data-variable="averageScore"' in page, "the manager reads the scores (confidential.READERS)"


def test_a_manager_who_may_not_read_the_confidential_list_does_not_see_it(web, project_models, approved,
                                                                         monkeypatch):
    monkeypatch.setattr(confidential, "READERS", confidential.READERS - {"manager"})

    page = text(web("manager").get(f"/cockpit/instances/{approved}"))

    for name in ("experts", "averageScore", "expertsRecommending"):
        assert f'data-variable="{name}"' not in page, name
    assert 'data-variable="approvalDecision"' in page
    assert 'data-step="expert_review"' not in page and 'data-step="assign_experts"' not in page
    assert "expert4" not in page


@pytest.mark.parametrize("user", ["cotton", "urumqi", "expert4"])
def test_outsiders_get_403_on_the_list_the_export_and_an_instance(web, reviews, user):
    browser = web(user)

    for path in ("/cockpit/instances", "/cockpit/instances.xlsx", f"/cockpit/instances/{reviews[0]}"):
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "流程监控" in text(response)
