"""Which job definitions are suspended (`JobDefinitionState`), and the statement that
creates a new job suspended where its definition is: sent with the writes of the command
that creates the job, so it costs no round trip."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, bindparam, cast, exists, func, select, update
from sqlalchemy.orm import Session

from app.models import Job, JobDefinitionState, JobType
from app.prepared import Prepared, writer

_J, _S = Job.__table__, JobDefinitionState.__table__
# The jobs an instance created at `b_created_at` of one kind, where their definition is suspended.
_SUSPEND_NEW = Prepared(update(_J).where(
    _J.c.instance_id == bindparam("b_instance_id"), _J.c.created_at == bindparam("b_created_at"),
    _J.c.job_type == bindparam("b_job_type", type_=_J.c.job_type.type), _J.c.suspended.is_(False),
    exists().where(_S.c.process_key == _J.c.process_key, _S.c.activity_id == _J.c.activity_id,
                   _S.c.job_type == bindparam("b_kind"), _S.c.suspended.is_(True)),
).values(suspended=True))


def suspend_new_jobs(writes, instance_id: str, kind: JobType, created_at: datetime) -> None:
    """Suspend the jobs of `kind` the instance creates at `created_at` whose definition is
    suspended (with `writes`: a save's held-back writes, or a session's connection)."""
    writer(writes).write(_SUSPEND_NEW, [{"b_instance_id": instance_id, "b_created_at": created_at,
                                         "b_job_type": kind, "b_kind": kind.value}])


def held(job):
    """Whether `job`'s definition is suspended, as a condition on the job table (`Job`)."""
    return exists().where(_S.c.process_key == job.process_key, _S.c.activity_id == job.activity_id,
                          _S.c.job_type == func.lower(cast(job.job_type, String)), _S.c.suspended.is_(True))


def suspended_keys(session: Session) -> set[tuple[str, str, str]]:
    """(process key, activity, kind) of every suspended job definition."""
    return {tuple(row) for row in session.execute(select(_S.c.process_key, _S.c.activity_id, _S.c.job_type)
                                                  .where(_S.c.suspended.is_(True)))}


def set_state(session: Session, key: tuple[str, str, str], suspended: bool, by: str, now: datetime) -> None:
    found = session.get(JobDefinitionState, key)
    if found is None:
        session.add(JobDefinitionState(process_key=key[0], activity_id=key[1], job_type=key[2], suspended=suspended,
                                       changed_by=by, changed_at=now))
    else:
        found.suspended, found.changed_by, found.changed_at = suspended, by, now
