"""A migration batch moved a few instances per call, as the modeler's page drives it (issue
11): its counts after each step, an instance changed since the dry run skipped with its
reason while the others move, one audit entry when it ends, and a second driver of the same
batch never moving an instance twice."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.core.errors import Conflict, Forbidden
from app.core.identity import load_actor
from app.models import AuditEntry, MigrationBatch
from app.platform import migration, migration_execution, user_tasks
from app.platform.process_instances import start_process
from tests.support.services import as_user, deploy_fixtures, instance, open_tasks

PLAN = {"first_review": "first_review", "wait_publication": "wait_publication"}


@pytest.fixture
def running(ctx) -> list[str]:
    """Three mig_review instances at first_review on version 1; version 2 deployed."""
    deploy_fixtures(ctx, "mig_review_v1.bpmn", "job_review.schema.json")
    started = [as_user(ctx, "officer", start_process, key="mig_review").id for _ in range(3)]
    deploy_fixtures(ctx, "mig_review_v2.bpmn", "job_review.schema.json")
    return started


def plan(ctx) -> migration.Plan:
    with ctx.db.read() as session:
        return migration.plan_between_versions(session, actor(ctx, "analyst"), "mig_review", 1, 2, PLAN)


def actor(ctx, user_id: str):
    with ctx.db.read() as session:
        return load_actor(session, user_id)


def audit_entries(ctx) -> list[AuditEntry]:
    with ctx.db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "instance.migrate")))


def test_each_call_moves_a_few_and_counts_and_the_end_is_audited_once(ctx, running):
    admin = actor(ctx, "admin")
    batch = migration_execution.start(ctx, admin, plan(ctx), running)
    first = migration_execution.advance(ctx, admin, batch, limit=2)
    assert (first["processed"], first["migratedCount"], first["finished"]) == (2, 2, False)
    assert [instance(ctx, i).definition_id == instance(ctx, running[2]).definition_id for i in running] == [
        False, False, True]
    assert audit_entries(ctx) == []

    last = migration_execution.advance(ctx, admin, batch, limit=2)
    assert (last["processed"], last["migratedCount"], last["finished"]) == (3, 3, True)
    assert last["migrated"] == running
    again = migration_execution.advance(ctx, admin, batch, limit=2)
    assert again["processed"] == 3
    (entry,) = audit_entries(ctx)
    assert entry.success


def test_an_instance_that_moved_on_since_the_dry_run_is_skipped_and_the_others_move(ctx, running):
    admin = actor(ctx, "admin")
    batch = migration_execution.start(ctx, admin, plan(ctx), running)
    as_user(ctx, "officer", user_tasks.complete, open_tasks(ctx, running[1])["first_review"].id, {"approved": True})

    report = migration_execution.advance(ctx, admin, batch, limit=None)
    assert report["migrated"] == [running[0], running[2]]
    (skipped,) = report["skipped"]
    assert skipped["processInstanceId"] == running[1]
    assert skipped["reasons"][0]["activityId"] == "final_review"


def test_a_second_driver_of_the_batch_stops_instead_of_moving_an_instance_twice(ctx, running, monkeypatch):
    admin = actor(ctx, "admin")
    batch = migration_execution.start(ctx, admin, plan(ctx), running)
    take = migration_execution._take_next

    def another_driver_first(session, batch_id, **kwargs):
        """Another request advances the batch between this one's read and its write."""
        read = session.get(MigrationBatch, batch_id)  # held here: the session holds its rows weakly
        table = MigrationBatch.__table__
        session.execute(update(table).where(table.c.id == batch_id).values(version=table.c.version + 1))
        assert read.version == 1
        monkeypatch.setattr(migration_execution, "_take_next", take)
        return take(session, batch_id, **kwargs)

    monkeypatch.setattr(migration_execution, "_take_next", another_driver_first)
    status = migration_execution.advance(ctx, admin, batch, limit=None)
    assert (status["processed"], status["finished"]) == (0, False)


def test_only_an_admin_drives_a_batch(ctx, running):
    batch = migration_execution.start(ctx, actor(ctx, "admin"), plan(ctx), running)
    with pytest.raises(Forbidden, match="只有系统管理员"):
        migration_execution.advance(ctx, actor(ctx, "analyst"), batch, limit=1)


def test_a_batch_under_way_is_finished_before_it_is_undone_and_an_undone_one_does_not_go_on(ctx, running):
    admin = actor(ctx, "admin")
    batch = migration_execution.start(ctx, admin, plan(ctx), running)
    migration_execution.advance(ctx, admin, batch, limit=1)
    with pytest.raises(Conflict, match="尚未执行完"):
        migration_execution.undo_batch(ctx, admin, batch)
    migration_execution.advance(ctx, admin, batch, limit=None)
    assert sorted(migration_execution.undo_batch(ctx, admin, batch)["migrated"]) == sorted(running)
    with pytest.raises(Conflict, match="已撤销"):
        migration_execution.advance(ctx, admin, batch, limit=1)
