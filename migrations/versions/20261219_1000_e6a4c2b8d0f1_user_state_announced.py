"""on PostgreSQL, changes to users, their groups, organizations and sign-in locks are
announced (NOTIFY user_state) so that web workers may keep users' states between requests

Revision ID: e6a4c2b8d0f1
Revises: c8e2a6f4b0d7
Create Date: 2026-12-19 10:00:00+08:00

"""
from typing import Sequence, Union

from alembic import op

TABLES = ("organization", "app_user", "user_group", "login_throttle")
FUNCTION = """CREATE FUNCTION user_state_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('user_state', '');
    RETURN NULL;
END $$"""

revision: str = 'e6a4c2b8d0f1'
down_revision: Union[str, Sequence[str], None] = 'c8e2a6f4b0d7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_announced AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION user_state_changed()")
        op.execute(f"CREATE TRIGGER {table}_truncate_announced AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION user_state_changed()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_truncate_announced ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_announced ON {table}")
    op.execute("DROP FUNCTION IF EXISTS user_state_changed()")
