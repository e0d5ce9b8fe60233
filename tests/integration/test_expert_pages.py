"""/experts (专家库) as the demo users: the department and its agency keep the records and move
the pool through Excel; a refused record keeps what was typed and names each field; nobody
outside the department side opens it."""
from __future__ import annotations

import io

import pytest
from lxml import html
from openpyxl import Workbook

from tests.support.web import text


def record_form(browser, user_id: str, **values):
    data = {"fields": ["cotton_textile", "biomedicine"], "title": "研究员", "phone": "0991-1234567",
            "email": "expert@xjaas.cn", "in_region": "on", "available": "on", "in_pool": "on",
            "affiliation_organization": ["新疆大学", ""], "affiliation_from": ["2012-09-01", ""],
            "affiliation_to": ["2021-06-30", ""]}
    data.update(values)
    return browser.post(f"/experts/{user_id}", data, token_from=f"/experts/{user_id}")


def listed(browser, query: str = "") -> list[str]:
    response = browser.get(f"/experts{query}")
    assert response.status_code == 200, text(response)
    return html.fromstring(text(response)).xpath('//table[@data-testid="experts"]/tbody/tr/@data-expert')


def test_the_department_keeps_a_record_and_finds_the_expert_by_field(web):
    officer = web("officer")

    saved = record_form(officer, "expert5")

    assert saved.status_code == 302
    assert listed(officer, "?field=biomedicine") == ["expert5"]
    page = text(officer.get("/experts/expert5"))
    assert "研究员" in page and "2021-06-30" in page
    assert 'data-testid="nav-experts"' in text(officer.get("/tasks"))


def test_a_refused_record_names_the_field_in_chinese_and_keeps_what_was_typed(web):
    officer = web("officer")

    refused = record_form(officer, "expert5", email="不是邮箱", title="特聘研究员")

    assert refused.status_code == 400
    page = text(refused)
    assert "邮箱 不是邮箱 格式不正确" in page and 'value="特聘研究员"' in page


@pytest.mark.parametrize("user", ["cotton", "expert1", "urumqi"])
def test_the_pool_is_closed_outside_the_department_side(web, user):
    browser = web(user)

    assert browser.get("/experts").status_code == 403
    assert browser.get("/experts/export.xlsx").status_code == 403
    assert 'data-testid="nav-experts"' not in text(browser.get("/tasks"))


def test_a_leader_reads_the_pool_but_does_not_change_it(web):
    leader = web("leader")

    assert "expert1" in listed(leader)
    assert 'data-testid="expert-save"' not in text(leader.get("/experts/expert1"))
    assert record_form(leader, "expert1").status_code == 403


def workbook(*rows) -> bytes:
    book = Workbook()
    book.active.append(["用户名", "姓名", "单位", "领域", "职称", "电话", "邮箱", "区内/区外", "可抽取", "在库", "曾任职单位"])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(browser, content: bytes):
    token = browser.token("/experts")
    return browser.client.post("/experts/import", data={"csrf_token": token, "file": (io.BytesIO(content), "专家.xlsx")},
                               content_type="multipart/form-data")


def test_the_agency_imports_the_pool_from_excel(web):
    agency = web("agency")

    imported = upload(agency, workbook(["expert7", "专家七", "", "绿色矿产", "教授", "", "", "区外", "是", "是", ""]))

    assert imported.status_code == 302
    assert listed(agency, "?field=green_minerals") == ["expert7"]


def test_an_import_with_a_wrong_row_lists_the_row_and_changes_nothing(web):
    officer = web("officer")

    refused = upload(officer, workbook(["expert7", "专家七", "", "绿色矿产", "", "", "", "区外", "是", "是", ""],
                                       ["expert8", "专家八", "", "炼金术", "", "", "", "区内", "是", "是", ""]))

    assert refused.status_code == 400
    assert "第 3 行 领域" in text(refused)
    assert listed(officer, "?field=green_minerals") == []


def test_the_export_is_an_excel_file_of_the_pool(web):
    response = web("officer").get("/experts/export.xlsx")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.data[:2] == b"PK"
