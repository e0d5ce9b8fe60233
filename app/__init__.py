"""TIC Flow: the app factory. Nothing is created at import time."""
from __future__ import annotations

from flask import Flask

from .config import load_settings
from .services.context import AppContext, build_context


def create_app(test_config: dict | None = None, clock=None) -> Flask:
    """Build the app: settings, database, engine, blueprints and CLI commands."""
    settings = load_settings(test_config)
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(SECRET_KEY=settings.secret_key, JSON_AS_ASCII=False)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["ticflow"] = build_context(settings, clock)

    from .web import rest
    from . import cli

    app.register_blueprint(rest.blueprint, url_prefix=rest.API_PREFIX)
    cli.register(app)
    return app


def context_of(app: Flask) -> AppContext:
    return app.extensions["ticflow"]
