"""Who a user task is for, read from its camunda: attributes and BPMN resource roles as
Camunda 7 reads them."""
from __future__ import annotations

import pytest
from lxml import etree

from app.engine.resource_roles import owners


def task(attributes: str = "", roles: str = ""):
    return etree.fromstring(
        '<bpmn:userTask xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="t" {attributes}>{roles}</bpmn:userTask>')


def role(name: str, expression: str) -> str:
    return (f"<bpmn:{name}><bpmn:resourceAssignmentExpression><bpmn:formalExpression>{expression}"
            f"</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:{name}>")


def test_a_potential_owner_lists_users_groups_and_bare_groups():
    found = owners(task(roles=role("potentialOwner", "user(kermit), group(management), accounting")))
    assert found == {"candidateGroups": "management,accounting", "candidateUsers": "kermit"}


def test_a_comma_inside_an_expression_does_not_split_it():
    found = owners(task(roles=role("potentialOwner", "group(${reviewers(a, b)}), user(${starter})")))
    assert found == {"candidateGroups": "${reviewers(a, b)}", "candidateUsers": "${starter}"}


def test_roles_add_to_the_camunda_attributes_which_stay_as_written():
    found = owners(task('camunda:candidateGroups="${scoped(x, y)}" camunda:candidateUsers="leader"',
                        role("potentialOwner", "group(department)")))
    assert found == {"candidateGroups": "${scoped(x, y)},department", "candidateUsers": "leader"}


@pytest.mark.parametrize(("attributes", "assignee"), [("", "officer"), ('camunda:assignee="leader"', "leader")],
                         ids=["performer", "camunda-assignee-wins"])
def test_the_human_performer_is_the_assignee_unless_camunda_names_one(attributes, assignee):
    assert owners(task(attributes, role("humanPerformer", "officer"))) == {"assignee": assignee}


def test_a_role_naming_only_a_resource_names_nobody():
    described = "<bpmn:potentialOwner><bpmn:resourceRef>clerks</bpmn:resourceRef></bpmn:potentialOwner>"
    assert owners(task(roles=described)) == {}
