"""Who is offered the dashboard, the registry pages and administration: the predicates the
navigation asks and the services enforce, without a database."""
from __future__ import annotations

import pytest

from app.core.errors import Forbidden
from app.core.identity import Actor
from app.platform import permissions
from app.tic import dashboard, registry


def person(*groups: str) -> Actor:
    return Actor("someone", "某人", "org", "某单位", "unit", frozenset(groups))


@pytest.mark.parametrize("groups", [("manager",), ("department",), ("department_leader",), ("agency",), ("admin",)])
def test_r29_the_department_side_reads_the_dashboard(groups):
    assert dashboard.sees_dashboard(person(*groups))


@pytest.mark.parametrize("groups", [("lead_unit", "center"), ("recommender",), ("expert",), ("analyst",), ()])
def test_r29_no_one_else_reads_the_dashboard(groups):
    assert not dashboard.sees_dashboard(person(*groups))


@pytest.mark.parametrize("groups, sees", [
    (("manager",), True), (("center",), True), (("recommender",), True),
    (("lead_unit",), False), (("expert",), False), (("analyst",), False),
])
def test_r16_the_registry_is_offered_to_whoever_it_can_show_a_center(groups, sees):
    assert registry.sees_registry(person(*groups)) is sees


def test_only_administrators_administer():
    assert permissions.administers(person("admin"))
    assert permissions.administration_refusal(person("admin")) is None
    for groups in (("manager",), ("department", "department_leader"), ("analyst",), ("center",)):
        refusal = permissions.administration_refusal(person(*groups))
        assert isinstance(refusal, Forbidden) and "只有系统管理员" in refusal.message
