"""The opinion rule (审批意见), without a database: a form marks its decision fields
`x-decision` and its opinion fields `x-opinion`; a decision needs every opinion filled in,
unless its value is listed in `x-opinionOptionalFor`."""
from __future__ import annotations

import pytest

from app.platform.user_tasks import opinion_problems

REVIEW = {
    "title": "审核意见",
    "x-opinionOptionalFor": ["approve"],
    "properties": {
        "decision": {"type": "string", "title": "审核结论", "enum": ["approve", "return", "reject"],
                     "x-decision": True},
        "opinion": {"type": "string", "title": "审核意见", "x-opinion": True},
    },
}
MISSING = [{"field": "opinion", "message": "审核意见：请填写审批意见"}]


@pytest.mark.parametrize("decision", ["return", "reject"])
@pytest.mark.parametrize("opinion", [None, "", "   ", "\n"])
def test_returning_or_rejecting_needs_an_opinion(decision, opinion):
    assert opinion_problems(REVIEW, {"decision": decision, "opinion": opinion}) == MISSING


def test_an_opinion_with_words_satisfies_the_rule():
    assert opinion_problems(REVIEW, {"decision": "return", "opinion": "材料不全，请补充"}) == []


def test_an_exempt_decision_needs_no_opinion():
    assert opinion_problems(REVIEW, {"decision": "approve"}) == []


@pytest.mark.parametrize("decision", [None, ""])
def test_no_decision_yet_needs_no_opinion(decision):
    assert opinion_problems(REVIEW, {"decision": decision}) == []


def test_without_an_exemption_list_every_decision_needs_an_opinion():
    strict = {key: value for key, value in REVIEW.items() if key != "x-opinionOptionalFor"}
    assert opinion_problems(strict, {"decision": "approve"}) == MISSING


def test_a_boolean_decision_is_exempt_by_its_value():
    receipt = {
        "x-opinionOptionalFor": [True],
        "properties": {
            "departmentAck": {"type": "boolean", "title": "确认接收", "x-decision": True},
            "departmentOpinion": {"type": ["string", "null"], "title": "科技厅意见", "x-opinion": True},
        },
    }
    assert opinion_problems(receipt, {"departmentAck": True}) == []
    assert opinion_problems(receipt, {"departmentAck": False}) == [
        {"field": "departmentOpinion", "message": "科技厅意见：请填写审批意见"}]


def test_every_opinion_field_is_named_and_untitled_ones_by_their_name():
    two = {"properties": {
        "decision": {"type": "string", "x-decision": True},
        "opinion": {"type": "string", "title": "审核意见", "x-opinion": True},
        "remarks": {"type": "string", "x-opinion": True},
    }}
    assert opinion_problems(two, {"decision": "reject", "opinion": "不符合条件"}) == [
        {"field": "remarks", "message": "remarks：请填写审批意见"}]


def test_a_form_without_decision_fields_asks_for_nothing():
    notes = {"properties": {"opinion": {"type": "string", "x-opinion": True}}}
    assert opinion_problems(notes, {}) == []
    assert opinion_problems({}, {"decision": "reject"}) == []
