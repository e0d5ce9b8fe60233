"""A page offers exactly what its command accepts. At each step of an establishment, for each
demo role, every action the task page and the case page show (a button, a person in a
picker, a step to send back to) is tried with its command and rolled back; the command
accepts exactly what was offered."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from app.core.errors import BadRequest, ServiceError, ValidationFailed
from app.core.identity import load_actor
from app.platform import drafts, task_actions, user_tasks
from app.tic import expert_declines, panel_changes, panel_draws
from app.tic.demo_data import USERS
from tests.support.establishment import (
    EXPERT_PANEL, approval, assign_experts, expert_reviews, formal_review, open_tasks,
    recommender_decides, send_letter, site_visit, start_application, submit, task,
)
from tests.support.clients import Api
from tests.support.tasklist import add_user
from tests.support.web import text

ROLES = ("cotton", "urumqi", "officer", "expert4", "leader", "manager")
# The demo users, a second officer (a colleague to transfer to) and a retired one.
PEOPLE = tuple(user_id for user_id, *_ in USERS) + ("officer2", "retired")
STEPS = ("fill_application", "recommender_review", "recommend_letter", "formal_review",
         "assign_experts", "expert_review", "site_visit", "approval_decision")
CASE_ACTIONS = ("withdraw", "cc", "expert-panel", "expert-panel-remove")
# Offered on the case page only: 加签/减签 of a running panel.
PANEL_ACTIONS = ("expert-panel", "expert-panel-remove")

pytestmark = pytest.mark.usefixtures("project_models")


@pytest.fixture
def instance_cache_size():
    """The tries roll back: no workflow is kept between commands."""
    return 0


# What a page offers -------------------------------------------------------------------------

def offered(page: str) -> set[tuple]:
    """Every action the page's forms post, with each person or step its picker lists (None
    for a picker listing nobody)."""
    found = set()
    for action, target, verb, body in re.findall(
            r'<form[^>]*action="/(tasks|instances)/([^/"]+)/?([a-z-]*)"[^>]*>(.*?)</form>', page, re.DOTALL):
        if action == "tasks" and not verb:
            found |= {(button, target) for button in re.findall(r'name="_action" value="([a-z]+)"', body)}
            continue
        choices = re.findall(r'<option value="([^"]+)">', body)  # a disabled option is not offered
        if "<select" in body:
            found |= {(verb, target, choice) for choice in choices or [None]}
        elif verb not in ("comments", "attachments"):
            found.add((verb, target))
    for instance_id, expert in re.findall(r'<form[^>]*action="/instances/([^/"]+)/expert-panel/([^/"]+)/remove"', page):
        found.add(("expert-panel-remove", instance_id, expert))
    return found


def task_page(browser, task_id: str) -> set[tuple]:
    response = browser.get(f"/tasks/{task_id}")
    assert response.status_code in (200, 404), text(response)
    return offered(text(response)) if response.status_code == 200 else set()


def case_page(browser, instance_id: str) -> set[tuple]:
    response = browser.get(f"/instances/{instance_id}")
    assert response.status_code in (200, 404), text(response)
    return offered(text(response)) if response.status_code == 200 else set()


# What the commands accept -------------------------------------------------------------------

@contextmanager
def rolled_back(ctx):
    """A unit of work that writes as a command does and keeps nothing: a read unit of work
    may not write (PostgreSQL refuses it)."""
    with ctx.db.engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, expire_on_commit=False, autoflush=False)
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


def accepted(ctx, user: str, command, input_refusals: tuple = ()) -> bool:
    """Run the command as `user` and roll it back: did it go through? `input_refusals` are
    refusals of the values the try left out (an empty form), not of the actor."""
    with rolled_back(ctx) as session:
        actor = load_actor(session, user)
        try:
            command(ctx, session, actor)
        except input_refusals:
            return True
        except ServiceError:
            return False
    return True


def task_tries(task_row: dict, user: str) -> dict[tuple, tuple]:
    """Each task action a page could offer, with the command that does it. Claiming one's own
    task and giving back an unclaimed one are no-ops Camunda accepts; no page offers them."""
    t = task_row["id"]
    tries = {
        ("submit", t): (lambda c, s, a: user_tasks.complete(c, s, a, t, {}), (ValidationFailed,)),
        ("resolve", t): (lambda c, s, a: task_actions.resolve(c, s, a, t, {}), ()),
        ("save", t): (lambda c, s, a: drafts.save(c, s, a, t, {}), ()),
        ("urge", t): (lambda c, s, a: task_actions.urge(c, s, a, t), ()),
    }
    if task_row["assignee"] != user:
        tries[("claim", t)] = (lambda c, s, a: user_tasks.claim(c, s, a, t), ())
    if task_row["assignee"] is not None:
        tries[("unclaim", t)] = (lambda c, s, a: user_tasks.unclaim(c, s, a, t), ())
    for person in PEOPLE:
        tries[("transfer", t, person)] = (
            lambda c, s, a, p=person: task_actions.transfer(c, s, a, t, p), ())
        tries[("delegate", t, person)] = (
            lambda c, s, a, p=person: task_actions.delegate(c, s, a, t, p), ())
    tries[("expert-draw", t)] = (lambda c, s, a: panel_draws.draw_for_task(c, s, a, t), (BadRequest,))
    for kind in expert_declines.KINDS:
        tries[("decline", t, kind)] = (
            lambda c, s, a, k=kind: expert_declines.decline(c, s, a, t, k, "回避"), (BadRequest,))
    for step in STEPS:
        tries[("send-back", t, step)] = (
            lambda c, s, a, k=step: task_actions.send_back(c, s, a, t, k, "请补充"), ())
    return tries


def case_tries(instance_id: str) -> dict[tuple, tuple]:
    tries = {("withdraw", instance_id): (
        lambda c, s, a: task_actions.withdraw(c, s, a, instance_id, "不再申报"), ())}
    for person in PEOPLE:
        tries[("cc", instance_id, person)] = (
            lambda c, s, a, p=person: task_actions.carbon_copy(c, s, a, instance_id, [p]), ())
        tries[("expert-panel", instance_id, person)] = (
            lambda c, s, a, p=person: panel_changes.add_reviewer(c, s, a, instance_id, p, "增补"), ())
        tries[("expert-panel-remove", instance_id, person)] = (
            lambda c, s, a, p=person: panel_changes.remove_reviewer(c, s, a, instance_id, p, "回避"), ())
    return tries


def accepted_of(ctx, user: str, tries: dict[tuple, tuple]) -> set[tuple]:
    return {offer for offer, (command, input_refusals) in tries.items()
            if accepted(ctx, user, command, input_refusals)}


# The walk -----------------------------------------------------------------------------------

def check_every_role(ctx, rest, web, instance_id: str, state: str) -> None:
    waiting = open_tasks(rest("admin"), instance_id)
    for user in ROLES:
        browser = web(user)
        case = accepted_of(ctx, user, case_tries(instance_id))
        urges = set()
        for row in waiting:
            tries = task_tries(row, user)
            urges |= accepted_of(ctx, user, {k: v for k, v in tries.items() if k[0] == "urge"})
            page = task_page(browser, row["id"])
            shown_task = {o for o in page if o[0] not in CASE_ACTIONS}
            shown_case = page - shown_task
            expected = accepted_of(ctx, user, tries)
            if not page:  # a task they may not open: urged from the case page, if at all
                expected = {o for o in expected if o[0] != "urge"}
            where = f"{state}: {user} on the page of {row['taskDefinitionKey']}"
            assert shown_task == expected, f"{where}: offered {shown_task - expected}, hidden {expected - shown_task}"
            on_task_page = {o for o in case if o[0] not in PANEL_ACTIONS}
            assert shown_case == (on_task_page if page else set()), f"{where}: case actions"
        shown = case_page(browser, instance_id)
        expected = case | urges if shown else set()
        assert shown == expected, f"{state}: {user} on the case page: offered {shown - expected}, hidden {expected - shown}"


def test_each_role_is_offered_at_each_step_exactly_what_the_commands_accept(ctx, rest, web):
    add_user(ctx, "officer2", "kjt", ["department"])
    add_user(ctx, "retired", "kjt", ["department"], active=False)
    cotton, urumqi, officer, leader = rest("cotton"), rest("urumqi"), rest("officer"), rest("leader")
    instance_id = start_application(cotton)
    check_every_role(ctx, rest, web, instance_id, "填报")
    submit(cotton, instance_id)
    check_every_role(ctx, rest, web, instance_id, "推荐部门审核")
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    check_every_role(ctx, rest, web, instance_id, "形式审查（待认领）")
    formal = task(officer, instance_id, "formal_review")["id"]
    assert officer.post(f"/task/{formal}/claim").status_code == 204
    assert officer.post(f"/task/{formal}/delegate", json={"userId": "leader"}).status_code == 204
    check_every_role(ctx, rest, web, instance_id, "形式审查（委派中）")
    assert leader.post(f"/task/{formal}/resolve", json={}).status_code == 204
    check_every_role(ctx, rest, web, instance_id, "形式审查（已交还）")
    formal_review(officer, instance_id, "pass")
    assert assign_experts(officer, instance_id, list(EXPERT_PANEL)).status_code == 204
    check_every_role(ctx, rest, web, instance_id, "专家论证与实地评估")
    expert_reviews(rest, instance_id, EXPERT_PANEL)
    site_visit(officer, instance_id)
    check_every_role(ctx, rest, web, instance_id, "审批决定")
    approval(leader, instance_id, "approve")
    check_every_role(ctx, rest, web, instance_id, "已批准")


# Once an hour, and the API's answer ---------------------------------------------------------

@pytest.fixture
def at_formal_review(ctx, rest, web):
    """An application waiting for 形式审查, claimed by the officer: (instance id, task id)."""
    add_user(ctx, "officer2", "kjt", ["department"])
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    task_id = task(officer, instance_id, "formal_review")["id"]
    assert officer.post(f"/task/{task_id}/claim").status_code == 204
    return instance_id, task_id


def test_a_step_urged_within_the_hour_is_not_offered_again(ctx, clock, client, web, at_formal_review):
    instance_id, task_id = at_formal_review
    cotton = web("cotton")
    assert ("urge", task_id) in case_page(cotton, instance_id)

    assert Api(client, "cotton").post(f"/tasks/{task_id}/urge", json={}).status_code == 200

    assert ("urge", task_id) not in case_page(cotton, instance_id)
    assert Api(client, "cotton").post(f"/tasks/{task_id}/urge", json={}).status_code == 400
    clock.advance(timedelta(minutes=61))
    assert ("urge", task_id) in case_page(web("cotton"), instance_id)


def test_the_api_answers_what_the_task_page_offers(client, web, at_formal_review):
    instance_id, task_id = at_formal_review

    response = Api(client, "officer").get(f"/tasks/{task_id}/actions")

    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert {k: v for k, v in answer.items() if isinstance(v, bool)} == {
        "act": True, "claim": False, "unclaim": True, "complete": True, "resolve": False,
        "urge": False, "seesConfidential": True}
    assert answer["transferTo"] == [{"id": "officer2", "name": "officer2 经办人", "organization": "自治区科学技术厅"}]
    assert [t["activityId"] for t in answer["sendBackTo"]] == ["recommend_letter", "recommender_review", "fill_application"]
    page = task_page(web("officer"), task_id)
    assert {("transfer", task_id, p["id"]) for p in answer["transferTo"]} == {o for o in page if o[0] == "transfer"}
    assert {("delegate", task_id, p["id"]) for p in answer["delegateTo"]} == {o for o in page if o[0] == "delegate"}


def test_the_api_answers_what_the_case_page_offers(client, web, at_formal_review):
    instance_id, task_id = at_formal_review

    response = Api(client, "cotton").get(f"/instances/{instance_id}/actions")

    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["withdraw"], answer["urge"], answer["seesConfidential"]) == (True, [task_id], False)
    page = case_page(web("cotton"), instance_id)
    assert {("cc", instance_id, p["id"]) for p in answer["copyTo"]} == {o for o in page if o[0] == "cc"}
    assert Api(client, "cotton").get(f"/tasks/{task_id}/actions").status_code == 404
    assert Api(client, "kashgar").get(f"/instances/{instance_id}/actions").status_code == 404


def test_a_rest_claim_names_only_the_claimer(rest, at_formal_review):
    _, task_id = at_formal_review
    assert rest("officer").post(f"/task/{task_id}/unclaim").status_code == 204

    response = rest("officer").post(f"/task/{task_id}/claim", json={"userId": "officer2"})

    assert response.status_code == 400
    assert rest("officer").get(f"/task/{task_id}").get_json()["assignee"] is None
