"""Fixtures of the real-browser tests: the app served by a werkzeug server thread on
127.0.0.1, driven by Debian's Chromium through Playwright. Missing Chromium is a failure,
not a skip: `make test` installs it (package `chromium`).

Not a conftest.py: other test modules import the root conftest as `conftest`, and a second
module of that name would shadow it. Test modules import these fixtures by name."""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.integration.establishment_helpers import deploy_models

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package `chromium` "
                    "(make test does it as root: apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live_server(app, ctx):
    """The app with the project's models deployed, served on a free port."""
    deploy_models(ctx)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


class Officer:
    """One browser session (its own cookies) acting as one demo user."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.context = browser.new_context(locale="zh-CN", base_url=base_url,
                                           viewport={"width": 1360, "height": 900})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()

    def login(self, user: str, password: str = "demo") -> None:
        self.page.goto("/login")
        self.page.fill("#username", user)
        self.page.fill("#password", password)
        self.page.click("button[type=submit].primary")

    def logout(self) -> None:
        self.page.click("[data-testid=logout]")

    def open_task(self, name: str, box: str = "todo") -> None:
        """Open the first task called `name` from an inbox box (claiming is on the page)."""
        self.page.goto(f"/tasks?box={box}")
        self.page.get_by_role("link", name=name, exact=True).first.click()

    def take_task(self, name: str) -> None:
        """Open `name` from 待办, or else claim it from 待认领."""
        self.page.goto("/tasks?box=todo")
        link = self.page.get_by_role("link", name=name, exact=True)
        if link.count():
            link.first.click()
            return
        self.open_task(name, "claimable")
        self.claim()

    def claim(self) -> None:
        self.page.click("[data-testid=claim]")

    def fill_form(self, values: dict, prefix: str = "") -> None:
        """Type `values` into the task form as a person would: rows added with the
        "add" button, radios clicked, options chosen."""
        for name, value in values.items():
            key = f"{prefix}{name}"
            if isinstance(value, dict):
                self.fill_form(value, f"{key}.")
            elif isinstance(value, list):
                self._fill_rows(key, value)
            elif value is not None:
                self._fill_field(key, value)

    def _fill_rows(self, key: str, rows: list) -> None:
        for index, row in enumerate(rows):
            if self.page.locator(f'[data-row="{key}.{index}"]').count() == 0:
                self.page.click(f'[data-add-row="{key}"]')
            if isinstance(row, dict):
                self.fill_form(row, f"{key}.{index}.")
            else:
                self._fill_field(f"{key}.{index}", row)

    def _fill_field(self, name: str, value) -> None:
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        field = self.page.locator(f'[name="{name}"]').first
        kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
        if kind == "radio":
            self.page.check(f'[name="{name}"][value="{text}"]')
        elif kind == "select":
            field.select_option(text)
        else:
            field.fill(text)

    def submit(self) -> None:
        self.page.click("[data-testid=submit]")

    def error_for(self, name: str):
        return self.page.locator(f'[data-error-for="{name}"]')

    def task_id(self) -> str:
        return re.search(r"/tasks/([0-9a-f-]{36})", self.page.url).group(1)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def officers(browser, live_server):
    opened: list[Officer] = []

    def open_as(user: str | None = None) -> Officer:
        officer = Officer(browser, live_server)
        opened.append(officer)
        if user:
            officer.login(user)
        return officer

    yield open_as
    for officer in opened:
        officer.close()
