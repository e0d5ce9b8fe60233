"""At phone width (390 px) every main page is usable (issue 13): nothing wider than the
screen, the menu folded behind a button, one column; at 1400 px the read-only tables of an
application stay inside their column."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import Officer
from tests.support.establishment import application, co_builder

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PAGES = ("/tasks", "/start", "/notifications", "/tasks?box=started")


def overflow(officer: Officer, within: str | None = None, among: str = "body *") -> list[str]:
    """The elements (of `among`) that reach past the right edge of the screen, or of the
    element `within` (their tag and class); a wide table scrolling inside its own box is not
    one of them. Measured once the page has loaded: an element found before its stylesheet
    arrived (on a loaded machine) is laid out without it."""
    officer.page.wait_for_load_state("load")
    return officer.page.evaluate("""([within, among]) => {
        const root = within ? document.querySelector(within) : document.body;
        const edge = within ? root.getBoundingClientRect().right : document.documentElement.clientWidth;
        const scrolls = e => {
            for (let p = e.parentElement; p && p !== root && p !== document.body; p = p.parentElement) {
                if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) { return true; }
            }
            return false;
        };
        return [...document.querySelectorAll(among)]
            .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > edge + 1)
            .filter(e => !scrolls(e))
            .map(e => e.tagName.toLowerCase() + '.' + e.className);
    }""", [within, among])


@pytest.fixture
def phone(officers):
    officer = officers()
    officer.page.set_viewport_size(PHONE)
    return officer


def test_the_main_pages_fit_a_phone_screen(phone):
    phone.login("cotton")
    phone.page.goto("/start")
    phone.page.click("[data-testid=start-tic_establishment] button")
    task_page = phone.page.url
    for path in (*PAGES, task_page):
        phone.page.goto(path)
        assert overflow(phone) == [], path


def test_on_a_phone_the_menu_opens_from_a_button(phone):
    phone.login("officer")
    phone.page.goto("/tasks")
    expect(phone.page.get_by_test_id("box-todo")).to_be_hidden()
    phone.page.get_by_test_id("menu-toggle").click()
    expect(phone.page.get_by_test_id("box-todo")).to_be_visible()


def test_at_1400_px_the_read_only_tables_stay_inside_their_column(officers):
    cotton = officers("cotton")
    cotton.page.set_viewport_size({"width": 1400, "height": 900})
    cotton.page.goto("/start")
    cotton.page.click("[data-testid=start-tic_establishment] button")
    cotton.fill_form(application(coBuilders=[co_builder(f"新疆第{n}共建研究院有限责任公司（含长名称测试）")
                                             for n in range(1, 4)]))
    cotton.submit()
    cotton.page.goto("/tasks?box=started")
    cotton.page.get_by_test_id("inbox-table").locator("tbody tr").first.get_by_role("link").first.click()
    expect(cotton.page.get_by_test_id("application-data")).to_be_visible()

    assert overflow(cotton, within=".main-column", among="[data-testid=application-data] *") == []
