"""The cockpit in a real browser (Chromium), as a manager: the badges on the diagram match
the instances started in the test, and a click on a badge lists exactly those."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.establishment import start_application, submit

pytestmark = pytest.mark.e2e


def test_a_managers_badges_match_the_started_instances_and_a_click_lists_them(officers, rest):
    cotton = rest("cotton")
    waiting = [start_application(cotton, f"SQ-2026-00{n}") for n in (1, 2)]
    submitted = start_application(cotton, "SQ-2026-003")
    submit(cotton, submitted)
    manager = officers("manager")
    violations: list[str] = []
    manager.page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)

    manager.page.click("[data-testid=nav-cockpit]")
    manager.page.get_by_role("link", name="技术创新中心组建").first.click()
    expect(manager.page.locator("#cockpit-diagram[data-rendered]")).to_be_attached()
    fill = manager.page.locator('[data-badge="fill_application"] [data-kind="instances"]')
    review = manager.page.locator('[data-badge="recommender_review"] [data-kind="instances"]')
    expect(fill).to_have_text("2")
    expect(review).to_have_text("1")

    fill.click()
    listed = manager.page.get_by_test_id("waiting-list").locator("tbody tr")
    expect(listed).to_have_count(2)
    assert sorted(listed.evaluate_all("rows => rows.map(r => r.dataset.instanceId)")) == sorted(waiting)
    assert violations == []
