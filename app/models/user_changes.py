"""On PostgreSQL, every change to what an API request reads of its user (the user, their
groups, their organization, their sign-in lock) is announced on the `user_state` channel
when it commits, so that the processes keeping users' states forget them
(`app/core/user_states.py`). Per changed row (a statement that changes none, such as the
sign-in clearing a throttle row that is not there, announces nothing; PostgreSQL sends one
notice per transaction however many rows), and per TRUNCATE."""
from __future__ import annotations

from sqlalchemy import DDL, event

from .base import Base
from .identity import Organization, User, UserGroup
from .web import LoginThrottle

CHANNEL = "user_state"
TABLES = (Organization.__table__, User.__table__, UserGroup.__table__, LoginThrottle.__table__)
FUNCTION = f"""CREATE FUNCTION user_state_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$"""


def triggers_of(table: str) -> tuple[str, str]:
    return (f"CREATE TRIGGER {table}_announced AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION user_state_changed()",
            f"CREATE TRIGGER {table}_truncate_announced AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION user_state_changed()")


event.listen(Base.metadata, "before_create", DDL(FUNCTION).execute_if(dialect="postgresql"))
for _table in TABLES:
    for _statement in triggers_of(_table.name):
        event.listen(_table, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
event.listen(Base.metadata, "after_drop",
             DDL("DROP FUNCTION IF EXISTS user_state_changed()").execute_if(dialect="postgresql"))
