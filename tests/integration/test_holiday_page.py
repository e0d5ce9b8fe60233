"""/admin/holidays: the working-day calendar kept by administrators, year by year."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.clock import SHANGHAI
from tests.support.web import text


def post(browser, path: str, data: dict):
    return browser.post(path, data, token_from="/admin/holidays")


def test_the_year_lists_its_holidays_and_adjusted_working_days_in_chinese(web):
    page = text(web("admin").get("/admin/holidays?year=2026"))
    assert "2026 年节假日与调休" in page
    assert 'data-day="2026-02-14"' in page and "调休上班" in page and "星期六" in page
    assert 'data-day="2026-02-16"' in page and "春节" in page


def test_a_bad_day_is_refused_in_chinese_with_the_draft_kept(web):
    admin = web("admin")
    response = post(admin, "/admin/holidays", {"day": "2027-02-30", "kind": "holiday", "name": "春节补假"})
    assert response.status_code == 400
    page = text(response)
    assert "日期：请填写有效日期" in page and 'value="春节补假"' in page


def test_a_day_added_edited_and_deleted(web):
    admin = web("admin")
    added = post(admin, "/admin/holidays", {"day": "2027-02-08", "kind": "holiday", "name": "春节"})
    assert added.status_code == 302 and "year=2027" in added.headers["Location"]
    assert 'data-day="2027-02-08"' in text(admin.get("/admin/holidays?year=2027"))
    post(admin, "/admin/holidays/2027-02-08", {"day": "2027-02-20", "kind": "workday", "name": "春节调休"})
    page = text(admin.get("/admin/holidays?year=2027"))
    assert 'data-day="2027-02-08"' not in page and 'data-day="2027-02-20"' in page
    post(admin, "/admin/holidays/2027-02-20/delete", {})
    assert "该年没有任何记录" in text(admin.get("/admin/holidays?year=2027"))


def test_a_year_beyond_the_package_cannot_be_imported(web):
    response = post(web("admin"), "/admin/holidays/import", {"year": "2027"})
    assert response.status_code == 400 and "只能导入 2004–2026 年" in text(response)


def test_only_administrators_keep_the_calendar(web):
    assert web("officer").get("/admin/holidays").status_code == 403
    assert post(web("officer"), "/admin/holidays", {"day": "2027-02-08", "kind": "holiday", "name": "春节"}).status_code == 403


@pytest.mark.parametrize(("now", "warned"), [((2026, 11, 30, 23, 59), False), ((2026, 12, 1, 0, 0), True)])
def test_the_holiday_page_warns_of_next_year_from_1_december(web, clock, now, warned):
    clock.freeze(datetime(*now, tzinfo=SHANGHAI))
    page = text(web("admin").get("/admin/holidays"))
    assert ("尚未录入 2027 年的节假日与调休" in page) is warned
