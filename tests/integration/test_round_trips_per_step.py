"""On PostgreSQL a command waits for the database as few times as it can (app/round_trips.py).

Completing a step is two round trips, whether it opens the next step or ends the case: the
task with its instance's row taken, then every write with the COMMIT. Who may take the new
step is kept between commands (app/core/user_states.py) and forgotten when users, groups or
organizations change; the instance row, held since its read, needs no version check before
the COMMIT. Behind a network each round trip is a millisecond or more of every step."""
from __future__ import annotations

import uuid

import pytest

from app import libpq_pipeline
from app.core import accounts
from app.engine.views import UserTaskInfo
from app.models import UserGroup
from app.platform import assignment
from tests.support.bench_model import deploy, loop_files, only_task
from tests.integration.test_user_state_cache import eventually, listening

pytestmark = pytest.mark.postgres


@pytest.fixture
def round_trips(ctx, monkeypatch) -> list[int]:
    """Round trips to the database from now on: pipelines sent, and statements SQLAlchemy
    sends itself (app/round_trips.py sends each with what is queued, in one pipeline)."""
    count = [0]
    real = libpq_pipeline.run

    def counted(dbapi_connection, statements):
        count[0] += 1
        return real(dbapi_connection, statements)
    monkeypatch.setattr(libpq_pipeline, "run", counted)
    return count


@pytest.fixture
def takers_read(monkeypatch) -> list[tuple]:
    """Each read of who may take new tasks that reached the database."""
    seen: list[tuple] = []
    real = assignment._read_takers

    def counted(session, users, orgs, groups):
        seen.append(groups)
        return real(session, users, orgs, groups)
    monkeypatch.setattr(assignment, "_read_takers", counted)
    return seen


def step_task(group: str = "department") -> UserTaskInfo:
    return UserTaskInfo(id=str(uuid.uuid4()), key="step", name="确认", name_en=None, process_key="p",
                        candidate_groups=[group], candidate_users=[], assignee=None, form_key=None,
                        due=None, follow_up=None, priority=50, element_variables={})


def assigned(ctx, task: UserTaskInfo) -> str | None:
    with ctx.db.command() as session:
        chosen = assignment.assignees(ctx, session, str(uuid.uuid4()), False, None, [task])
    return chosen.get(task.id)


def complete_costs(officer, instance_id: str, confirmed: bool, round_trips: list[int]) -> int:
    task = only_task(officer, instance_id)
    before = round_trips[0]
    response = officer.post(f"/task/{task['id']}/complete",
                            json={"variables": {"confirmed": {"value": confirmed, "type": "Boolean"}}})
    assert response.status_code == 204, response.get_json()
    return round_trips[0] - before


def test_completing_a_step_that_opens_the_next_or_ends_the_case_takes_two_round_trips(ctx, rest, round_trips):
    analyst, officer = rest("analyst"), rest("officer")
    assert deploy(analyst, loop_files()).status_code == 200
    officer.get("/task/count")
    assert listening(ctx)

    def one_case() -> bool:
        """A case of three steps that open the next and one that ends it, each two round
        trips once what a step reads is kept (the first case after the sign-ins warms it,
        and a machine busy elsewhere may delay a listener's notice by a case)."""
        instance_id = officer.post("/process-definition/key/bench_loop/start", json={}).get_json()["id"]
        costs = [complete_costs(officer, instance_id, confirmed, round_trips) for confirmed in (False, False, False, True)]
        ended = officer.get(f"/history/process-instance/{instance_id}").get_json()["state"] == "COMPLETED"
        return ended and costs == [2, 2, 2, 2]
    assert eventually(one_case)


def test_who_may_take_a_new_step_is_kept_until_a_group_changes(ctx, rest, takers_read):
    rest("officer").get("/task/count")
    assert listening(ctx)
    assert eventually(lambda: assigned(ctx, step_task()) == "officer" and assigned(ctx, step_task()) == "officer"
                      and takers_read[-1:] == [("department",)] and _unread(takers_read, ctx))

    with ctx.db.command() as session:
        accounts.set_groups(ctx, session, "admin", "test", "leader", ["department_leader", "department"])

    # Two may take it now: nobody is chosen, and the step waits in both inboxes. The process
    # that committed the change forgets at once; the others when its notice reaches them.
    assert assigned(ctx, step_task()) is None


def _unread(takers_read: list, ctx) -> bool:
    """Whether the next command finds who may take the step without reading it."""
    before = len(takers_read)
    assigned(ctx, step_task())
    return len(takers_read) == before


def test_a_command_that_changes_a_group_sees_its_change_and_a_rollback_leaves_nothing_kept(ctx, rest):
    rest("officer").get("/task/count")
    assert listening(ctx)
    assert eventually(lambda: assigned(ctx, step_task()) == "officer")

    with pytest.raises(RuntimeError):
        with ctx.db.command() as session:
            session.add(UserGroup(user_id="leader", group_id="department"))
            session.flush()
            chosen = assignment.assignees(ctx, session, str(uuid.uuid4()), False, None, [task := step_task()])
            assert task.id not in chosen  # two may take it in this unit of work
            raise RuntimeError("rolled back")

    assert [assigned(ctx, step_task()) for _ in range(3)] == ["officer"] * 3
