"""Sign-in and sign-out for the officers' pages: a server-side session behind Flask's signed
cookie (ended by sign-out, deactivation, a password change or inactivity), CSRF tokens on
every form, the one lockout of every sign-in path, the password page (a user who must
change their password reaches nothing else first), and the language switch."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from flask import (
    Blueprint, flash, g, make_response, redirect, render_template, request, session,
    url_for,
)

from app.clock import to_shanghai
from app.core import accounts, login_guard, user_sessions
from app.core.identity import Actor

from ..current import context
from . import csrf, i18n
from .messages import MESSAGES

blueprint = Blueprint("auth", __name__, template_folder="templates")
blueprint.before_request(csrf.protect)
i18n.register(MESSAGES)


SESSION_TOKEN = "sid"


def current_actor() -> Actor | None:
    """The signed-in user, read once per request from the live server-side session (a
    deactivation or a group change counts at the next request)."""
    if "actor" not in g:
        g.actor, g.session_expired, g.must_change_password = None, False, False
        token = session.get(SESSION_TOKEN)
        if token:
            resumed = user_sessions.resume(context(), token, request.remote_addr)
            g.session_expired = resumed.expired
            g.must_change_password = resumed.must_change_password
            if resumed.state is None:
                session.pop(SESSION_TOKEN)
            else:
                g.actor = replace(resumed.state.actor, source=request.remote_addr)
    return g.actor


def require_login():
    """before_request of protected pages: send a visitor to the sign-in page, and a user who
    must change their password to the password page first."""
    here = request.full_path.rstrip("?")
    if current_actor() is None:
        flash("login.expired" if g.session_expired else "login.required", "key")
        return redirect(url_for("auth.login", next=here))
    if g.must_change_password:
        return redirect(url_for("auth.change_password", next=here))
    return None


def safe_next(target: str | None, default: str) -> str:
    r"""Only an absolute path on this site: `next` must not send a user elsewhere.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    `/\t/evil.example` and `/\evil.example` both lead off-site: such targets are refused
    outright rather than cleaned."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


@blueprint.app_template_global()
def t(key: str, **params) -> str:
    return i18n.t(key, **params)


@blueprint.app_context_processor
def page_globals():
    return {"csrf_token": csrf.token, "csrf_field": csrf.FIELD, "language": i18n.language(),
            "html_lang": i18n.HTML_LANG[i18n.language()], "bilingual": i18n.bilingual}


@blueprint.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page's icon link says."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)


@blueprint.get("/login")
def login():
    if current_actor() is not None:
        return redirect(safe_next(request.args.get("next"), url_for("tasklist.home")))
    return _login_page()


@blueprint.post("/login")
def login_submit():
    ctx = context()
    username = request.form.get("username", "")
    with ctx.db.command() as db_session:
        outcome = login_guard.sign_in(ctx, db_session, username, request.form.get("password", ""),
                                      request.remote_addr)
        if outcome.actor is not None:
            _sign_out(db_session)
            token = user_sessions.start(ctx, db_session, outcome.actor.id, request.remote_addr)
    if outcome.actor is not None:
        language = session.get("lang")
        session.clear()
        session.update({SESSION_TOKEN: token, "lang": language or i18n.DEFAULT_LANGUAGE})
        csrf.renew()
        target = safe_next(request.form.get("next"), url_for("tasklist.home"))
        if outcome.must_change_password:
            return redirect(url_for("auth.change_password", next=target))
        return redirect(target)
    if outcome.locked_until is not None:
        until = to_shanghai(outcome.locked_until).strftime("%H:%M")
        return _login_page(i18n.t("login.locked", until=until), username, 429)
    return _login_page(i18n.t("login.wrong", left=outcome.failures_left), username, 401)


def _login_page(error: str | None = None, username: str = "", status: int = 200):
    page = render_template(
        "auth/login.html", error=error, username=username,
        next=safe_next(request.values.get("next"), ""),
        demo_hint=context().settings.demo_data and not context().settings.production,
    )
    return page, status


@blueprint.post("/logout")
def logout():
    with context().db.command() as db_session:
        _sign_out(db_session)
    language = session.get("lang")
    session.clear()
    session["lang"] = language or i18n.DEFAULT_LANGUAGE
    csrf.renew()
    flash("logout.done", "key")
    return redirect(url_for("auth.login"))


@blueprint.route("/account/password", methods=["GET", "POST"])
def change_password():
    if current_actor() is None:
        return require_login()
    if request.method == "GET":
        return _password_page({}, [])
    ctx, form = context(), request.form
    with ctx.db.command() as db_session:
        errors = accounts.change_own_password(
            ctx, db_session, current_actor().id, form.get("currentPassword", ""),
            form.get("newPassword", ""), form.get("confirmPassword", ""), request.remote_addr,
            session.get(SESSION_TOKEN))
    if errors:
        return _password_page(form, errors, 400)
    flash("password.changed", "key")
    return redirect(safe_next(form.get("next"), url_for("tasklist.home")))


def _password_page(values, errors: list[dict], status: int = 200):
    settings = context().settings
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(error["field"], []).append(error["message"])
    response = make_response(render_template(
        "auth/password.html", values=values, errors=by_field,
        required=g.must_change_password, next=safe_next(request.values.get("next"), ""),
        min_length=settings.password_min_length, max_age_days=settings.password_max_age_days,
    ), status)
    # The typed passwords are sent back so that nothing typed is lost: never keep the page.
    response.headers["Cache-Control"] = "no-store"
    return response


def _sign_out(db_session) -> None:
    """End this browser's server-side session, if it has one."""
    token = session.get(SESSION_TOKEN)
    if token:
        user_sessions.sign_out(context(), db_session, token, request.remote_addr)


@blueprint.post("/language")
def switch_language():
    chosen = request.form.get("lang")
    if chosen in i18n.LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next"), url_for("tasklist.home")))


@blueprint.app_errorhandler(csrf.CsrfRefused)
def csrf_refused(_error):
    return render_template("auth/refused.html"), 400
