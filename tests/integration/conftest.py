"""Cases the integration tests of the administrators' repairs share: a two-step review and a
review with a 30-day deadline (a timer job), each started by the officer; and the test
service handler (`tests.support.handlers.SERVICE`), succeeding until told to fail."""
from __future__ import annotations

import pytest

from tests.support.handlers import SERVICE
from tests.support.jobs import deployed, model_files, start


@pytest.fixture
def two_steps(rest):
    deployed(rest("analyst"), model_files("job_two_steps.bpmn"))
    return start(rest("officer"), "job_two_steps")["id"]


@pytest.fixture
def timed_review(rest):
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    return start(rest("officer"), "job_boundary_timer")["id"]


@pytest.fixture
def service():
    """The test service handler, set back to succeed after the test."""
    SERVICE.update(fail=False, calls=0)
    yield SERVICE
    SERVICE.update(fail=False, calls=0)
