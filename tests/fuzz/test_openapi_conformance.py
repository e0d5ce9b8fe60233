"""A bounded schemathesis run against a live server: every operation of
/engine-rest/openapi.json, called with what the document allows, never answers with a
server error, and every answer matches the document (status, content type, schema).

Run as the administrator, who reads everything, on a database with the project's models and
one running application, so that lists are not empty. Derandomized and bounded
(SCHEMATHESIS_EXAMPLES per operation) so that CI stays repeatable and inside its budget."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, response_headers_conformance, response_schema_conformance,
    status_code_conformance,
)

from app.web.rest.openapi import document
from tests.support.clients import basic
from tests.support.establishment import deploy_models, start_application
from tests.support.servers import served

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
# What the document promises. Not whether any schema-valid request is accepted: the platform
# refuses more than a schema can say (an unknown id, a NUL, a rule of the guideline).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


@pytest.fixture
def live_engine_rest(app, ctx, rest):
    deploy_models(ctx)
    start_application(rest("cotton"))
    with served(app) as url:
        yield f"{url}/engine-rest"


def test_every_answer_matches_the_document_and_none_is_a_server_error(app, live_engine_rest):
    schema = schemathesis.openapi.from_dict(document(app.url_map, live_engine_rest))
    failures = {}
    for found in schema.get_all_operations():
        operation = found.ok()
        try:
            _exercise(operation, live_engine_rest)
        except Exception as error:  # every operation is run; all that failed are reported
            failures[operation.label] = error
    assert not failures, "\n\n".join(f"{label}: {error}" for label, error in failures.items())


def _exercise(operation, base_url: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(base_url=base_url, headers=basic("admin", "demo"), checks=CHECKS)

    call()
