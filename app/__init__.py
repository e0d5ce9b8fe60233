"""TIC Flow: the app factory. Nothing is created at import time."""
from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import load_settings
from app.assembly import build_context
from app.core.context import AppContext
from app.core.errors import ServiceError
from app.web.rest.named_engine import NamedEngine
from app.web.url_rules import SharedBuilderRule


def create_app(test_config: dict | None = None, clock=None) -> Flask:
    """Build the app: settings, database, engine, blueprints and CLI commands."""
    settings = load_settings(test_config)
    app = TicFlowApp(__name__, instance_relative_config=True)
    app.config.update(
        SECRET_KEY=settings.secret_key, JSON_AS_ASCII=False,
        # Refuse an oversized upload before it is read into memory (form fields need room too).
        MAX_CONTENT_LENGTH=settings.attachment_max_bytes + 1024 * 1024,
        # Set, not setdefault: Flask's default config already holds these keys. Lax keeps
        # the cookie off cross-site POSTs, a second guard beside the CSRF token.
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["ticflow"] = build_context(settings, clock)
    app.session_interface = ApiAwareSessionInterface()
    app.wsgi_app = NamedEngine(app.wsgi_app)
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from .web import (
        admin, api_tasklist, audit_api, cockpit, dashboard, dashboard_page, expert_draw_api, expert_pages, headers,
        modeler, navigation, publicity_pages, registry, registry_pages, request_input, rest, round_pages, tasklist,
        versions_api,
    )
    from . import cli

    headers.register(app, settings.production)
    app.before_request(request_input.refuse_nul)
    app.register_error_handler(ServiceError, request_input.refused_outside_a_face)

    app.register_blueprint(rest.blueprint, url_prefix=rest.API_PREFIX)
    app.register_blueprint(registry.blueprint, url_prefix=registry.API_PREFIX)
    app.register_blueprint(dashboard.blueprint, url_prefix=dashboard.API_PREFIX)
    app.register_blueprint(api_tasklist.blueprint, url_prefix=api_tasklist.API_PREFIX)
    app.register_blueprint(expert_draw_api.blueprint, url_prefix=expert_draw_api.API_PREFIX)
    app.register_blueprint(audit_api.blueprint, url_prefix=audit_api.API_PREFIX)
    app.register_blueprint(versions_api.blueprint, url_prefix=versions_api.API_PREFIX)
    tasklist.register(app)
    modeler.register(app)
    app.register_blueprint(dashboard_page.blueprint)
    app.register_blueprint(registry_pages.blueprint)
    app.register_blueprint(expert_pages.blueprint)
    app.register_blueprint(round_pages.blueprint)
    app.register_blueprint(publicity_pages.blueprint)
    app.register_blueprint(admin.blueprint)
    navigation.register(app)
    app.register_blueprint(cockpit.blueprint)
    cli.register(app)
    return app


class TicFlowApp(Flask):
    url_rule_class = SharedBuilderRule


class ApiAwareSessionInterface(SecureCookieSessionInterface):
    """API clients authenticate every call (HTTP Basic): no cookie session to open or sign.
    /engine-rest is Basic only; /api also serves the signed-in browser, so there a request
    without an Authorization header keeps its session.

    The cookie is Secure in production and on any HTTPS request, so a development server
    on plain HTTP still works."""

    def open_session(self, app, request):
        from .web.api_auth import cookie_less

        if cookie_less(request.path, request.headers):
            return self.null_session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or request.is_secure


def context_of(app: Flask) -> AppContext:
    return app.extensions["ticflow"]
