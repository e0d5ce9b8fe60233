"""The unit tests run without a database: pure rules, the engine in memory."""
from __future__ import annotations

import pytest


@pytest.fixture
def database_url():
    pytest.fail("tests/unit needs no database: a test of the app or the platform belongs in "
                "tests/service or tests/integration")
