"""Fixtures of the real-browser tests: the app served by a werkzeug server thread on
127.0.0.1, driven by Debian's Chromium through Playwright. Missing Chromium is a failure,
not a skip: `make test` installs it (package `chromium`)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, Officer
from tests.support.establishment import deploy_models
from tests.support.servers import served


# As long as an action may wait (Officer's default): on a loaded CI machine a page that
# renders a diagram can take longer than Playwright's 5 s before its assertion holds.
expect.set_options(timeout=15_000)


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
    with served(app) as url:
        yield url


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
