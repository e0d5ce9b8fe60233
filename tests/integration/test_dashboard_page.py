"""The dashboard page (/dashboard) as managers and department staff see it: every figure a
chart with its table, and each table's XLSX export, which openpyxl reads back with the
same figures; everyone else is refused."""
from __future__ import annotations

import io

import pytest
from lxml import html
from openpyxl import load_workbook

from tests.support.establishment import deploy_models
from tests.support.lifecycle import register_center
from tests.support.web import text

CHART_KEYS = ("centers_status", "centers_category", "centers_field", "centers_region", "centers_supervisor",
              "applications_stage", "applications_age", "experts", "overdue",
              "evaluation_grades", "evaluation_funding", "targets")


@pytest.fixture
def registered(ctx, rest):
    deploy_models(ctx)
    return register_center(rest, "SQ-2026-001")


def table(page: str, key: str) -> list[list[str]]:
    """A chart's table as the page shows it, header row first."""
    (found,) = html.fromstring(page).xpath(f'//table[@data-testid="table-{key}"]')
    return [[cell.text_content().strip() for cell in row.xpath("./th|./td")] for row in found.xpath(".//tr")]


def exported(response) -> list[list[str]]:
    assert response.status_code == 200, text(response)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_the_manager_sees_every_chart_with_its_table(registered, web):
    page = text(web("manager").get("/dashboard"))

    for key in CHART_KEYS:
        assert f'data-chart="{key}"' in page and f'data-testid="export-{key}"' in page, key
    assert ["棉花和纺织服装", "1"] in table(page, "centers_field")
    assert ["信息技术", "0"] in table(page, "centers_field")
    assert table(page, "centers_status")[1] == ["运行", "1"]
    assert ["乌鲁木齐市人民政府", "1"] in table(page, "centers_supervisor")
    (plan,) = table(page, "targets")[1:]
    assert plan[:7] == ["十四五", "2021–2025", "5", "10", "0", "0", "5"]
    assert "vendor/echarts/echarts.min.js" in page


def test_r29_each_export_is_a_workbook_with_the_tables_figures(registered, web):
    manager = web("manager")
    page = text(manager.get("/dashboard"))

    for key in ("centers_field", "centers_status", "experts", "targets", "applications_age"):
        assert exported(manager.get(f"/dashboard/{key}.xlsx")) == table(page, key), key


def test_an_export_of_an_empty_table_holds_its_header(registered, web):
    rows = exported(web("officer").get("/dashboard/evaluation_grades.xlsx"))
    assert rows == [["评估周期", "优秀", "良好", "较差", "评估中心数"]]


def test_an_export_names_its_file_after_the_chart(registered, web):
    response = web("manager").get("/dashboard/centers_field.xlsx")
    assert "attachment;" in response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]


def test_an_unknown_chart_is_not_found(registered, web):
    assert web("manager").get("/dashboard/nothing.xlsx").status_code == 404


@pytest.mark.parametrize("user", ["manager", "officer", "leader"])
def test_the_department_side_has_the_dashboard_in_its_navigation(project_models, web, user):
    page = text(web(user).get("/tasks"))
    assert 'data-testid="nav-dashboard"' in page
    assert web(user).get("/dashboard").status_code == 200


@pytest.mark.parametrize("user", ["cotton", "urumqi", "expert4", "analyst"])
def test_others_are_refused_the_dashboard_and_its_exports(project_models, web, user):
    browser = web(user)
    assert 'data-testid="nav-dashboard"' not in text(browser.get("/tasks"))
    refused = browser.get("/dashboard")
    assert refused.status_code == 403 and "看板仅供" in text(refused)
    assert browser.get("/dashboard/centers_field.xlsx").status_code == 403


def test_a_visitor_is_sent_to_sign_in(web):
    response = web().get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location
