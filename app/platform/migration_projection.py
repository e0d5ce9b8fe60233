"""The read models of an instance that moved to another version: its open tasks, their
history and candidates, its running activities and its timer jobs now name the target
definition and activities. Each keeps its id (a claim, comments and drafts stay with the
task, as Camunda keeps a migrated task); `instance_store.save` does the rest."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, update
from sqlalchemy.orm import Session

from app.engine.views import Snapshot
from app.models import HistoricActivity, HistoricTask, Job, Task, TaskCandidate

from app.platform import assignment


def follow(session: Session, instance_id: str, target_id: str, snapshot: Snapshot,
           open_tasks: set[str], running: set[str], now: datetime) -> None:
    """Bring the rows of the tasks in `open_tasks` and the activities in `running` (ids
    of the last save) to what `snapshot`, read on the target, says of them. A running
    activity the move dropped (a boundary event without instruction) ends, cancelled:
    the instance's next save would no longer see it."""
    for info in snapshot.user_tasks:
        if info.id in open_tasks:
            _follow_task(session, target_id, assignment.offered(info))
    for activity in snapshot.activities:
        if activity.id in running:
            session.execute(update(HistoricActivity).where(HistoricActivity.id == activity.id).values(
                definition_id=target_id, activity_id=activity.activity_id,
                activity_name=activity.name, activity_type=activity.activity_type))
    dropped = running - {a.id for a in snapshot.activities}
    if dropped:
        session.execute(update(HistoricActivity).where(HistoricActivity.id.in_(sorted(dropped)))
                        .values(end_time=now, canceled=True))
    session.execute(update(Job).where(Job.instance_id == instance_id).values(definition_id=target_id))
    for timer in snapshot.timers:
        session.execute(update(Job).where(
            Job.instance_id == instance_id, Job.execution_id == timer.execution_id,
        ).values(activity_id=timer.activity_id))


def _follow_task(session: Session, target_id: str, info) -> None:
    groups, users = ",".join(info.candidate_groups), ",".join(info.candidate_users)
    session.execute(update(Task).where(Task.id == info.id).values(
        definition_id=target_id, task_key=info.key, name=info.name, form_key=info.form_key,
        candidate_groups=groups, candidate_users=users, version=Task.version + 1))
    session.execute(update(HistoricTask).where(HistoricTask.id == info.id).values(
        definition_id=target_id, task_key=info.key, name=info.name, form_key=info.form_key,
        candidate_groups=groups))
    session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == info.id))
    rows = [{"task_id": info.id, "kind": "group", "value": g} for g in sorted(set(info.candidate_groups))]
    rows += [{"task_id": info.id, "kind": "user", "value": u} for u in sorted(set(info.candidate_users))]
    if rows:
        session.execute(insert(TaskCandidate), rows)
