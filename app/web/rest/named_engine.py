"""Camunda's named-engine paths: `/engine-rest/engine/default/…` is `/engine-rest/…`, the one
engine here being `default` (GET /engine says so). Clients configured for a named engine
use them; another engine's name finds no route, a 404 like any other path without one."""
from __future__ import annotations

from . import API_PREFIX

_NAMED = f"{API_PREFIX}/engine/default/"


class NamedEngine:
    """WSGI middleware: the path is rewritten before routing, so every route, its checks and
    its answers are the same under both names."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(_NAMED):
            environ["PATH_INFO"] = f"{API_PREFIX}/{path[len(_NAMED):]}"
        return self.wsgi_app(environ, start_response)
