"""Sign-in pages through the Flask test client: CSRF, the lockout, sign-out, language."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app import create_app
from app.core import login_guard
from tests.support.web import WebUser, text


def test_anonymous_visitor_is_sent_to_the_chinese_login_page(web):
    visitor = web()
    response = visitor.get("/tasks?box=done")
    assert response.status_code == 302
    assert response.location == "/login?next=/tasks?box%3Ddone"
    login = text(visitor.get(response.location))
    assert '<html lang="zh-CN">' in login
    assert "用户登录" in login and "请先登录" in login
    assert 'name="next" value="/tasks?box=done"' in login


def test_home_leads_to_the_inbox_once_signed_in(web):
    cotton = web()
    assert cotton.get("/").location.startswith("/login")
    cotton.login("cotton")
    assert cotton.get("/").location == "/tasks"


def test_login_shows_the_user_and_organization_in_the_header(web):
    cotton = web()
    response = cotton.login("cotton")
    assert response.status_code == 302 and response.location == "/"
    inbox = text(cotton.get("/tasks"))
    assert "天棉集团申报人" in inbox and "新疆天棉纺织集团有限公司" in inbox


def test_wrong_password_is_refused_in_chinese(web):
    response = web().login("cotton", "wrong")
    assert response.status_code == 401
    assert "用户名或密码错误，还可尝试 4 次" in text(response)


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(web):
    response = web().login("nobody", "demo")
    assert response.status_code == 401
    assert "用户名或密码错误" in text(response)


def test_login_without_csrf_token_is_refused(web):
    visitor = web()
    response = visitor.client.post("/login", data={"username": "cotton", "password": "demo"})
    assert response.status_code == 400
    assert "请求来源不可信" in text(response)
    assert visitor.client.get("/tasks").status_code == 302


def test_post_with_another_sessions_token_is_refused(web):
    cotton, other = web(), web()
    cotton.login("cotton")
    stolen = other.token()
    response = cotton.client.post("/logout", data={"csrf_token": stolen})
    assert response.status_code == 400
    assert cotton.get("/tasks").status_code == 200


def test_five_failures_lock_the_account_for_fifteen_minutes(web, clock):
    visitor = web()
    for left in (4, 3, 2, 1):
        assert f"还可尝试 {left} 次" in text(visitor.login("cotton", "wrong"))
    locked = visitor.login("cotton", "wrong")
    assert locked.status_code == 429
    assert "账号已锁定" in text(locked)
    # The right password does not help while locked, nor does another browser.
    assert web().login("cotton").status_code == 429
    clock.advance(login_guard.LOCK + timedelta(seconds=1))
    assert web().login("cotton").status_code == 302


def test_failures_outside_the_window_start_a_new_count(web, clock):
    visitor = web()
    for _ in range(4):
        visitor.login("cotton", "wrong")
    clock.advance(login_guard.WINDOW + timedelta(seconds=1))
    assert "还可尝试 4 次" in text(visitor.login("cotton", "wrong"))


def test_a_successful_login_clears_the_count(web):
    visitor = web()
    for _ in range(4):
        visitor.login("cotton", "wrong")
    assert visitor.login("cotton").status_code == 302
    assert "还可尝试 4 次" in text(web().login("cotton", "wrong"))


def test_the_lock_is_shared_by_every_worker_on_the_database(web, database_url, clock):
    for _ in range(login_guard.MAX_FAILURES):
        web().login("xju", "wrong")
    other_worker = create_app({"database_url": database_url, "secret_key": "test"}, clock=clock)
    try:
        response = WebUser(other_worker.test_client()).login("xju")
        assert response.status_code == 429
    finally:
        other_worker.extensions["ticflow"].db.dispose()


def test_logout_ends_the_session(web):
    cotton = web()
    cotton.login("cotton")
    response = cotton.post("/logout")
    assert response.status_code == 302
    assert "您已安全退出" in text(cotton.get("/login"))
    assert cotton.get("/tasks").status_code == 302


def test_logout_by_get_is_not_possible(web):
    cotton = web()
    cotton.login("cotton")
    assert cotton.get("/logout").status_code == 405
    assert cotton.get("/tasks").status_code == 200


def test_language_switch_to_english_and_back(web):
    officer = web()
    officer.login("officer")
    officer.post("/language", {"lang": "en", "next": "/tasks"})
    page = text(officer.get("/tasks"))
    assert '<html lang="en">' in page and "To do" in page and "Sign out" in page
    officer.post("/language", {"lang": "zh", "next": "/tasks"})
    assert "待办任务" in text(officer.get("/tasks"))


def test_login_redirects_only_to_paths_of_this_site(web):
    visitor = web()
    response = visitor.client.post("/login", data={
        "csrf_token": visitor.token(), "username": "cotton", "password": "demo",
        "next": "//evil.example/phish",
    })
    assert response.location == "/"
    other = web()
    response = other.client.post("/login", data={
        "csrf_token": other.token(), "username": "cotton", "password": "demo", "next": "/start",
    })
    assert response.location == "/start"


OFF_SITE_TARGETS = [
    "/\t/evil.example",            # the case: a browser drops the tab and reads //evil.example
    "/\n/evil.example", "/\r/evil.example", "/\x7f/evil.example",
    "\t//evil.example", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example", "javascript:alert(1)", "http:/evil.example", "evil.example",
    " //evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_login_never_redirects_off_site(web, target):
    visitor = web()
    response = visitor.client.post("/login", data={
        "csrf_token": visitor.token(), "username": "cotton", "password": "demo", "next": target,
    })
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_signed_in_login_page_and_language_switch_never_redirect_off_site(web, target):
    cotton = web()
    cotton.login("cotton")
    assert cotton.client.get("/login", query_string={"next": target}).location == "/"
    assert cotton.post("/language", {"lang": "zh", "next": target}).location == "/"


@pytest.mark.parametrize("target", OFF_SITE_TARGETS)
def test_the_login_form_does_not_carry_an_off_site_target(web, target):
    page = text(web().client.get("/login", query_string={"next": target}))
    assert 'name="next" value=""' in page


def test_same_site_paths_with_queries_are_kept(web):
    visitor = web()
    response = visitor.client.post("/login", data={
        "csrf_token": visitor.token(), "username": "cotton", "password": "demo",
        "next": "/tasks?box=done&page=2",
    })
    assert response.location == "/tasks?box=done&page=2"


def test_a_target_with_nul_is_refused_before_any_redirect(web):
    visitor = web()
    response = visitor.client.post("/login", data={
        "csrf_token": visitor.token(), "username": "cotton", "password": "demo",
        "next": "/\x00/evil.example",
    })
    assert response.status_code == 400 and response.location is None


def test_every_page_has_the_icon_and_the_browsers_favicon_request_finds_it(client):
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)

    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.location.endswith("/static/img/favicon.svg")
    with client.get("/static/img/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
