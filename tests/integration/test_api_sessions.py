"""The JSON under /api for a signed-in browser (DOMAIN.md): the page session reads it as
HTTP Basic does, a session write needs the page's CSRF token in X-CSRF-Token, and a Basic
call still gets no cookie."""
from __future__ import annotations

import re

from tests.support.clients import basic
from tests.support.web import text


def page_token(browser) -> str:
    """The CSRF token a page hands its scripts (meta csrf-token)."""
    page = text(browser.get("/tasks"))
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def test_a_signed_in_manager_reads_the_dashboard_and_the_registry_without_basic(web, project_models):
    manager = web("manager")

    summary = manager.get("/api/dashboard/summary")
    centers = manager.get("/api/centers")

    assert summary.status_code == 200 and "centers" in summary.get_json()
    assert centers.status_code == 200 and centers.get_json() == []


def test_without_a_session_or_basic_the_api_answers_401_in_json(web):
    response = web().get("/api/dashboard/summary")

    assert response.status_code == 401
    assert response.get_json()["type"] == "AuthenticationException"


def test_the_session_is_scoped_like_basic_a_lead_unit_gets_403(web, project_models):
    response = web("cotton").get("/api/dashboard/summary")

    assert response.status_code == 403
    assert response.get_json()["type"] == "AuthorizationException"


def test_a_session_write_needs_the_pages_csrf_token(web):
    expert = web("expert1")

    refused = expert.client.post("/api/notifications/read", json={"ids": "all"})
    forged = expert.client.post("/api/notifications/read", json={"ids": "all"},
                                headers={"X-CSRF-Token": "guessed"})
    allowed = expert.client.post("/api/notifications/read", json={"ids": "all"},
                                 headers={"X-CSRF-Token": page_token(expert)})

    assert (refused.status_code, forged.status_code) == (403, 403)
    assert "CSRF" in refused.get_json()["message"]
    assert allowed.status_code == 200 and allowed.get_json() == {"marked": 0}


def test_after_sign_out_the_session_reads_nothing(web):
    manager = web("manager")
    assert manager.post("/logout").status_code == 302

    assert manager.get("/api/centers").status_code == 401


def test_basic_stays_cookie_less_even_from_a_client_holding_a_session(web):
    manager = web("manager")

    response = manager.client.get("/api/centers", headers=basic("officer"))

    assert response.status_code == 200
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_basic_with_a_wrong_password_is_refused_even_beside_a_valid_session(web):
    manager = web("manager")

    response = manager.client.get("/api/centers", headers=basic("manager", "wrong"))

    assert response.status_code == 401
