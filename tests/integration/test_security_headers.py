"""Security headers on every response, and the session cookie's flags (F6)."""
from __future__ import annotations

from flask import Response

from tests.support.clients import basic
from tests.support.web import WebUser

EVERY_RESPONSE_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                          "Referrer-Policy")


def assert_security_headers(response) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "object-src 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_static_files_apis_and_errors_all_carry_the_security_headers(app, client):
    signed_in = WebUser(app.test_client())
    signed_in.login("cotton")
    responses = {
        "login page": client.get("/login"),
        "redirect to sign-in": client.get("/tasks"),
        "inbox page": signed_in.get("/tasks"),
        "page not found": signed_in.get("/tasks/no-such-task"),
        "static file": client.get("/static/css/tasklist.css"),
        "engine-rest": client.get("/engine-rest/task", headers=basic("officer")),
        "engine-rest without credentials": client.get("/engine-rest/task"),
        "api": client.get("/api/centers", headers=basic("officer")),
        "api route not found": client.get("/api/no-such-thing", headers=basic("officer")),
        "csrf refusal": client.post("/login", data={"username": "cotton"}),
        "no route at all": client.get("/no-such-page"),
    }
    for response in responses.values():
        response.close()
    for name, response in responses.items():
        assert all(h in response.headers for h in EVERY_RESPONSE_HEADERS), name
        assert_security_headers(response)


def test_an_unexpected_error_still_carries_the_security_headers(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_security_headers(response)


def test_a_response_that_sets_its_own_policy_keeps_it(app):
    strict = "default-src 'none'; sandbox"

    @app.get("/download-like")
    def download_like():
        return Response("<bpmn/>", headers={"Content-Security-Policy": strict})

    response = app.test_client().get("/download-like")
    assert response.headers["Content-Security-Policy"] == strict
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_in_production(app, client, production_app):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    production = production_app.test_client()
    for path in ("/login", "/static/css/tasklist.css", "/engine-rest/version"):
        response = production.get(path)
        response.close()
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert hsts.startswith("max-age=31536000"), path


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[-1]


def test_the_session_cookie_is_http_only_and_same_site_lax(app):
    cookie = session_cookie(WebUser(app.test_client()).login("cotton"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development: the browser would drop it


def test_the_session_cookie_is_secure_whenever_the_request_is_https(app):
    visitor = WebUser(app.test_client())
    page = visitor.client.get("/login", base_url="https://localhost")
    assert "Secure" in session_cookie(page)


def test_the_session_cookie_is_secure_in_production(production_app):
    page = production_app.test_client().get("/login")
    cookie = session_cookie(page)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
