"""The dashboard in a real browser, as a manager: the charts draw (ECharts from the vendor
folder, under the Content-Security-Policy) and an export downloads a workbook holding the
figures of the table beside its chart."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.support.browser import policy_violations
from tests.support.lifecycle import register_center

pytestmark = pytest.mark.e2e


def test_the_manager_sees_the_charts_and_exports_one(officers, rest):
    register_center(rest, "SQ-2026-001")
    manager = officers()
    violations = policy_violations(manager)
    manager.login("manager")
    manager.page.click("[data-testid=nav-dashboard]")

    field_chart = manager.page.locator('[data-chart="centers_field"][data-drawn]')
    expect(field_chart.locator("canvas")).to_have_count(1)
    expect(manager.page.get_by_test_id("table-centers_field")).to_contain_text("棉花和纺织服装")
    shown = manager.page.get_by_test_id("table-centers_field").locator("tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))")

    with manager.page.expect_download() as download:
        manager.page.click("[data-testid=export-centers_field]")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [[str(v) for v in row] for row in sheet.iter_rows(values_only=True)] == shown
    assert download.value.suggested_filename.endswith(".xlsx")
    assert violations == []
