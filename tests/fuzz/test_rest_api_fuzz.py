"""A bounded fuzz of the REST API (/engine-rest and /api) with Hypothesis: whatever path,
query or body a client sends, as whichever user, the answer is never a server error.

Every route of the app under those prefixes is a target, so a new endpoint is fuzzed
without a line here, on the names its handler reads (found in its source). Values are
mostly plausible (the real ids of a running establishment, user names, message names), so
that a request gets past the first check and one wrong value reaches the code behind it;
the rest is text that has broken servers before (NUL, huge numbers, odd digits, deep and
long values) and values of the wrong type. Derandomized: the same examples on every run,
so CI is repeatable; FUZZ_EXAMPLES sets how many per route (a long local run: 1000).
"""
from __future__ import annotations

import inspect
import io
import json
import os
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.clients import basic
from tests.support.establishment import (
    EXPERT_PANEL, application, assign_experts, deploy_models, formal_review, recommender_decides,
    send_letter, start_application, submit,
)

pytestmark = pytest.mark.fuzz

# 30 a route keeps CI in its budget now that every /engine-rest operation is also called by
# schemathesis with what its OpenAPI document allows (test_openapi_conformance.py).
EXAMPLES_PER_ROUTE = int(os.environ.get("FUZZ_EXAMPLES", "30"))
PREFIXES = ("/engine-rest/", "/api/")
USERS = ("officer", "cotton", "urumqi", "expert4", "analyst", "admin", "manager", "energy")
WORDS = (
    "ApplicationWithdrawn", "EvaluationWithdrawn", "tic_establishment", "tic_evaluation",
    "fill_application", "expert_review", "approve", "return", "reject", "pass", "department",
    "lead_unit", "recommender:urumqi_gov", "urumqi_gov", "XJTIC-2026-001", "true", "false",
    "desc", "asc", "created", "due", "overdue", "todo", "claimable", "all", "3", "0", "材料不全",
) + USERS
TYPES = ("String", "Integer", "Long", "Short", "Double", "Boolean", "Json", "Object", "Date",
         "File", "Bytes", "Null", "", "Unknown")
NASTY = (
    "", " ", "\x00", "a\x00b", "%00", "-1", str(2 ** 31), str(2 ** 63), str(10 ** 30), "1e309",
    "NaN", "²", "١٢", "9" * 60, "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --",
    "null", "{}", "[]", "9999-12-31T23:59:59-1400", "0000-00-00", "新疆" * 150,
    "${__import__('os')}",
)


@pytest.fixture
def world(app, ctx, rest) -> dict:
    """A running establishment at the expert review, and the names that exist around it."""
    deploy_models(ctx)
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    at_review = start_application(cotton, "SQ-2026-001")
    submit(cotton, at_review)
    recommender_decides(urumqi, at_review, "approve")
    send_letter(urumqi, at_review)
    formal_review(officer, at_review, "pass")
    assert assign_experts(officer, at_review, list(EXPERT_PANEL)).status_code == 204
    names = [at_review, start_application(cotton, "SQ-2026-002"), "SQ-2026-001", "SQ-2026-002"]
    for path in ("/task?maxResults=50", "/job", "/deployment", "/process-definition"):
        names += [row["id"] for row in officer.get(path).get_json()]
    names += [row["id"] for row in rest("expert4").get("/task").get_json()]
    return {"plausible": st.sampled_from(names + list(WORDS)), "application": application()}


def test_no_request_to_the_rest_api_is_answered_with_a_server_error(app, world):
    client = app.test_client()
    rules = sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIXES)),
                   key=lambda r: r.rule)
    assert len(rules) > 50, "every REST route is a target"
    for rule in rules:
        _fuzz_route(client, requests(rule, read_names(app, rule), world))


def _fuzz_route(client, strategy) -> None:
    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategy)
    def no_server_error(request):
        user, method, path, query, body = request
        response = _send(client, user, method, path, query, body)
        assert response.status_code < 500, (
            user, method, path, query, body, response.status_code, response.get_data(as_text=True)[:500])

    no_server_error()


def read_names(app, rule) -> list[str]:
    """The names the route's handler reads: every identifier-like string in its source."""
    source = inspect.getsource(app.view_functions[rule.endpoint])
    return sorted(set(re.findall(r'"([A-Za-z][A-Za-z0-9_]{1,40})"', source)))


@st.composite
def requests(draw, rule, names, world):
    method = draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    path = re.sub(r"<(?:int:)?[^>]+>", lambda _m: quote(draw(_text(world)), safe="") or "x", rule.rule)
    query = draw(st.fixed_dictionaries({}, optional={name: _text(world) for name in names}))
    body = draw(st.one_of(_fields(world, names), _fields(world, names), _json(world), st.none()))
    return draw(st.sampled_from(USERS)), method, path, query, body


def _text(world):
    """Mostly a name that exists, else odd text."""
    return st.one_of(world["plausible"], world["plausible"], world["plausible"],
                     st.sampled_from(NASTY), st.text(max_size=20), st.integers().map(str))


def _fields(world, names):
    """A body of the route's names, each present or not; most values plausible, some of
    another type; variables mostly well formed, so that the checks after theirs are reached."""
    value = st.one_of(_text(world), _text(world), st.integers(), st.booleans(), st.none(),
                      st.lists(_text(world), max_size=3), _json(world))
    variables = st.one_of(st.dictionaries(world["plausible"], _typed(world), max_size=3),
                          st.just({}), value)
    return st.fixed_dictionaries({}, optional={
        name: variables if name.lower().endswith("variables") else value for name in names
    })


def _typed(world):
    return st.fixed_dictionaries({"value": _scalar(world)}, optional={"type": st.sampled_from(TYPES)})


def _scalar(world):
    return st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _text(world))


def _json(world):
    keys = st.one_of(world["plausible"], st.text(max_size=12))
    return st.recursive(
        st.one_of(_scalar(world), _typed(world), st.just(world["application"])),
        lambda children: st.one_of(st.lists(children, max_size=4),
                                   st.dictionaries(keys, children, max_size=5)),
        max_leaves=12,
    )


def _send(client, user, method, path, query, body):
    options = {"headers": basic(user), "query_string": query}
    if path.endswith("/create"):
        content = json.dumps(body).encode()
        options["data"] = {"deployment-name": "fuzz", "file": (io.BytesIO(content), "x.bpmn")}
        options["content_type"] = "multipart/form-data"
    elif body is not None:
        options["data"] = json.dumps(body)
        options["content_type"] = "application/json"
    return client.open(path, method=method, **options)
