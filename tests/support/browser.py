"""Driving Debian's Chromium through Playwright: where it is, how it is launched, and one
person's browser session (its own cookies) on the served app."""
from __future__ import annotations

import os
import re
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


SHOTS_ENV = "TICFLOW_SCREENSHOTS"


def screenshot(officer, name: str) -> None:
    """Keep a picture of the page when TICFLOW_SCREENSHOTS names a folder (for looking)."""
    folder = os.environ.get(SHOTS_ENV)
    if folder:
        officer.page.screenshot(path=f"{folder}/{name}.png", full_page=False)


def policy_violations(officer) -> list[str]:
    """Every message the browser prints when the policy blocks something, from now on."""
    seen: list[str] = []
    officer.page.on("console", lambda message: seen.append(message.text)
                    if "Content Security Policy" in message.text else None)
    return seen


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
