"""Fixtures of the tests that drive PyPI's Camunda clients: the app served over HTTP on a free
port (the clients speak HTTP through requests), as Camunda's engine-rest is."""
from __future__ import annotations

import pytest
from requests.auth import HTTPBasicAuth

from tests.support.servers import served


@pytest.fixture
def engine_rest(app):
    """The base URL of /engine-rest on a live server."""
    with served(app) as url:
        yield f"{url}/engine-rest"


@pytest.fixture
def as_user():
    """`as_user(request, "officer")`: a pycamunda request sent as a demo user."""
    def signed(request, user: str):
        request.auth = HTTPBasicAuth(user, "demo")
        return request

    return signed
