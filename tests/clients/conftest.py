"""Fixtures of the tests that drive PyPI's Camunda clients: the app served over HTTP on a free
port (the clients speak HTTP through requests), as Camunda's engine-rest is."""
from __future__ import annotations

import threading

import pytest
from requests.auth import HTTPBasicAuth
from werkzeug.serving import make_server


@pytest.fixture
def engine_rest(app):
    """The base URL of /engine-rest on a live server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/engine-rest"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def as_user():
    """`as_user(request, "officer")`: a pycamunda request sent as a demo user."""
    def signed(request, user: str):
        request.auth = HTTPBasicAuth(user, "demo")
        return request

    return signed
