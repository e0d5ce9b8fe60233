"""Faults on PostgreSQL (issue 14), with the app in processes of its own as production runs
it (tests/support/processes.py): a web worker killed during a storm of completes, a job
executor killed while it holds a job, two executors on the same due jobs, and the database
connections of a running web server and executor ended as a PostgreSQL restart ends them.

Nothing waits for time to pass except for a job lock to expire; every wait polls for a
state with a generous limit. Run in CI's PostgreSQL phase only (marker `postgres`)."""
from __future__ import annotations

import http.client
import json
import os
import signal
import time
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from app.models import HistoricTask, HistoryEvent, Incident, Job, ProcessInstance, Task
from app.platform import instance_store
from tests.support.bench_model import loop_files
from tests.support.clients import basic
from tests.support.jobs import deployed, model_files, start
from tests.support.processes import Executor, WebServer, backends, end_connections, wait_until
from tests.support.storm import AGAIN, CompleteStorm

pytestmark = pytest.mark.postgres

# Short, so that the test waits little for a dead executor's lock to expire.
LOCK_SECONDS = 2
# The clients of the storm through the end of the connections: each has at most one
# request in flight.
CLIENTS = 4


@pytest.fixture
def instance_cache_size():
    """Every check restores the saved workflow from its JSON, never from this process's memory."""
    return 0


def loop_instances(rest, count: int) -> list[str]:
    deployed(rest("analyst"), loop_files())
    officer = rest("officer")
    return [start(officer, "bench_loop")["id"] for _ in range(count)]


def overdue_reviews(clock, rest, count: int) -> list[str]:
    """Reviews whose 30-day deadline, a timer job, has passed by the wall clock the executors read."""
    clock.freeze(datetime.now(timezone.utc) - timedelta(days=31))
    officer = rest("officer")
    return [start(officer, "job_boundary_timer")["id"] for _ in range(count)]


# ------------------------------------------------------------------------------ what is saved


def assert_consistent(ctx, instance_ids: list[str], answered: list[str]) -> None:
    """Per instance: the task rows are the open user tasks of the saved workflow, restored
    through the app; every saved command left its history and no history lacks its command;
    and every complete answered 204 is in that history, once."""
    assert len(answered) == len(set(answered)), "one task was completed twice"
    completed: set[str] = set()
    for instance_id in instance_ids:
        completed |= assert_instance_consistent(ctx, instance_id)
    assert set(answered) <= completed, "a complete answered 204 is not saved"


def assert_instance_consistent(ctx, instance_id: str) -> set[str]:
    with ctx.db.read() as session:
        loaded = instance_store.load(ctx, session, instance_id)
        rows = set(session.execute(select(Task.id, Task.task_key).where(Task.instance_id == instance_id)))
        history = session.execute(select(HistoricTask.id, HistoricTask.end_time, HistoricTask.delete_reason)
                                  .where(HistoricTask.instance_id == instance_id)).all()
        completions = session.scalar(select(func.count()).where(
            HistoryEvent.instance_id == instance_id, HistoryEvent.event_type == "task_completed"))
    assert rows == {(task.id, task.key) for task in loaded.execution.user_tasks()}, instance_id
    assert {h.id for h in history if h.end_time is None} == {task_id for task_id, _ in rows}, instance_id
    done = {h.id for h in history if h.delete_reason == "completed"}
    # Started at version 1, one more per complete saved.
    assert completions == len(done) == loaded.row.version - 1, instance_id
    return done


def timer_runs(ctx, instance_id: str) -> list[datetime]:
    with ctx.db.read() as session:
        return list(session.scalars(select(HistoryEvent.occurred_at).where(
            HistoryEvent.instance_id == instance_id, HistoryEvent.event_type == "timer_fired")))


def assert_escalated_once(ctx, instance_id: str) -> None:
    """The review's deadline fired once: its one run moved the instance on once."""
    with ctx.db.read() as session:
        steps = list(session.scalars(select(Task.task_key).where(Task.instance_id == instance_id)))
        version = session.get(ProcessInstance, instance_id).version
        left = session.scalar(select(func.count()).where(Job.instance_id == instance_id))
        troubles = session.scalar(select(func.count()).where(
            HistoryEvent.instance_id == instance_id, HistoryEvent.event_type == "job_failed"))
        incidents = session.scalar(select(func.count()).where(Incident.instance_id == instance_id))
    assert len(timer_runs(ctx, instance_id)) == 1, instance_id
    assert (steps, version, left, troubles, incidents) == (["escalate"], 2, 0, 0, 0), instance_id


def jobs_left(ctx, instance_ids: list[str]) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(func.count()).where(Job.instance_id.in_(instance_ids)))


# ---------------------------------------------------------------------------------- web worker


def waiting_on(ctx, pid: int) -> int:
    """How many database sessions wait for a lock the session `pid` holds."""
    with ctx.db.engine.connect() as connection:
        return connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"), {"pid": pid})


@contextmanager
def commands_caught_midway(ctx):
    """Hold the history table until the block ends, once a complete waits for it: each
    complete then stops inside its transaction, its historic task closed and its instance
    and task rows written, its history events not yet."""
    with ctx.db.engine.connect() as gate, gate.begin():
        gate.execute(text("LOCK TABLE history_event IN EXCLUSIVE MODE"))
        gate_pid = gate.scalar(text("SELECT pg_backend_pid()"))
        wait_until(lambda: waiting_on(ctx, gate_pid) > 0, "a complete to stop inside its transaction")
        yield


def test_a_web_worker_killed_during_a_storm_of_completes_leaves_every_instance_consistent(
        ctx, rest, database_url):
    instance_ids = loop_instances(rest, 12)
    with WebServer(database_url, workers=1, threads=4) as server:
        storm = CompleteStorm(server.port, instance_ids, clients=6)
        try:
            storm.wait_for(40)
            [killed] = server.worker_pids()
            with commands_caught_midway(ctx):
                os.kill(killed, signal.SIGKILL)
            # Its only worker dead, whatever completes from here on was served by the one
            # granian starts in its place.
            storm.wait_for(len(storm.completed) + 40)
        finally:
            storm.stop()
        respawned = server.worker_pids()

    assert (storm.hung, storm.refusals) == (0, [])
    assert storm.dropped > 0, "the kill cut no connection in use"
    assert len(respawned) == 1 and killed not in respawned
    assert_consistent(ctx, instance_ids, storm.completed)


# -------------------------------------------------------------------------------- job executors


@contextmanager
def instance_row_held(ctx, instance_id: str):
    """Hold an instance's row: an executor that took its job waits inside the job, holding it."""
    with ctx.db.engine.connect() as connection, connection.begin():
        connection.execute(text("SELECT id FROM process_instance WHERE id = :id FOR UPDATE"), {"id": instance_id})
        yield


def job_lock(ctx, instance_id: str):
    """(owner, expiry) of the instance's job once an executor has taken it."""
    with ctx.db.read() as session:
        return session.execute(select(Job.lock_owner, Job.lock_expires_at).where(
            Job.instance_id == instance_id, Job.lock_owner.is_not(None))).first()


def test_a_job_whose_executor_was_killed_holding_it_runs_once_after_its_lock_expires(
        ctx, clock, rest, database_url):
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    [instance_id] = overdue_reviews(clock, rest, 1)
    with ExitStack() as running:
        with instance_row_held(ctx, instance_id):
            executors = [running.enter_context(Executor(database_url, LOCK_SECONDS)) for _ in range(2)]
            owner, expires = wait_until(lambda: job_lock(ctx, instance_id), "an executor to take the job")
            [holder] = [e for e in executors if e.owner == owner]
            holder.kill()
        wait_until(lambda: jobs_left(ctx, [instance_id]) == 0, "the other executor to run the job")

    [ran_at] = timer_runs(ctx, instance_id)
    assert ran_at >= expires, "the job ran again before the dead executor's lock expired"
    assert_escalated_once(ctx, instance_id)


def test_two_executors_on_the_same_due_jobs_run_each_job_exactly_once(ctx, clock, rest, database_url):
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    instance_ids = overdue_reviews(clock, rest, 20)
    with ExitStack() as running:
        # Both executors wait at the job table until the test lets them in at the same instant.
        with ctx.db.engine.connect() as gate, gate.begin():
            gate.execute(text("LOCK TABLE job IN ACCESS EXCLUSIVE MODE"))
            gate_pid = gate.scalar(text("SELECT pg_backend_pid()"))
            for _ in range(2):
                running.enter_context(Executor(database_url))
            wait_until(lambda: waiting_on(ctx, gate_pid) == 2, "both executors to reach the job table")
        wait_until(lambda: jobs_left(ctx, instance_ids) == 0, "the executors to run every due job")

    for instance_id in instance_ids:
        assert_escalated_once(ctx, instance_id)


# ---------------------------------------------------------------------- ended connections


def answered_cleanly(status: int, body: bytes) -> bool:
    """A server error the client can read: a status and the API's JSON error."""
    return status >= 500 and "type" in json.loads(body)


def complete_each(port: int, instance_ids: list[str]) -> list[str]:
    """Complete the open step of each instance, one request after another; all must succeed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {**basic("officer"), "Content-Type": "application/json"}
    completed = []
    try:
        for instance_id in instance_ids:
            conn.request("GET", f"/engine-rest/task?processInstanceId={instance_id}", headers=headers)
            listed = conn.getresponse()
            body = listed.read()
            assert listed.status == 200, body
            [task] = json.loads(body)
            conn.request("POST", f"/engine-rest/task/{task['id']}/complete", body=AGAIN, headers=headers)
            done = conn.getresponse()
            assert (done.status, done.read()) == (204, b"")
            completed.append(task["id"])
    finally:
        conn.close()
    return completed


def test_a_web_server_and_an_executor_outlive_the_end_of_their_database_connections(
        ctx, clock, rest, database_url):
    deployed(rest("analyst"), model_files("job_boundary_timer.bpmn"))
    loops = loop_instances(rest, 8)
    engine = ctx.db.engine
    with Executor(database_url) as executor, WebServer(database_url, workers=1, threads=4) as server:
        [worker] = server.worker_pids()
        [first] = overdue_reviews(clock, rest, 1)
        wait_until(lambda: jobs_left(ctx, [first]) == 0, "the executor to run a due job")

        # While completes are in flight: those caught by it fail, cleanly; the rest go on.
        storm = CompleteStorm(server.port, loops, clients=CLIENTS)
        try:
            storm.wait_for(20)
            assert backends(engine, server.name) and backends(engine, executor.name)
            with commands_caught_midway(ctx):
                end_connections(engine, server, executor)
                all_ended = time.monotonic()
            storm.wait_for(len(storm.completed) + 20)
        finally:
            storm.stop()

        # While nothing is in flight: every next request succeeds, every due job runs.
        end_connections(engine, server, executor)
        answered = storm.completed + complete_each(server.port, loops)
        [late] = overdue_reviews(clock, rest, 1)
        wait_until(lambda: jobs_left(ctx, [late]) == 0, "the executor to run a job due after the end")

        assert server.worker_pids() == {worker} and executor.alive(), "a process was restarted"

    assert (storm.hung, storm.dropped) == (0, 0)
    assert all(answered_cleanly(status, body) for status, body in storm.refusals), storm.refusals
    # In flight: sent before every ended connection's server process was gone. A client
    # whose request failed early may send its next one while the others are still ending.
    assert storm.refusals and max(storm.refused_sent) < all_ended, "not only the requests in flight failed"
    assert_consistent(ctx, loops, answered)
    for instance_id in (first, late):
        assert_escalated_once(ctx, instance_id)
