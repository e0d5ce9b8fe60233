"""The audit log: sign-ins, sign-outs, permission and administration changes.

Append-only, enforced by the database itself: triggers refuse every UPDATE, and a DELETE
of a row younger than the retention period. They are created with the table, both by the
migration and by `Base.metadata.create_all`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

RETENTION_DAYS = 180


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_occurred_at", "occurred_at"),
        Index("ix_audit_log_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime]
    # Who acted: a user id, the name typed on a failed sign-in, or "cli:<os user>".
    user_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(200))
    # Where from: the client's address, or "cli".
    source: Mapped[str | None] = mapped_column(String(64))
    success: Mapped[bool]
    details_json: Mapped[str | None] = mapped_column(Text)


SQLITE_GUARDS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    f"CREATE TRIGGER audit_log_retention BEFORE DELETE ON audit_log "
    f"WHEN OLD.occurred_at > datetime('now', '-{RETENTION_DAYS} days') "
    f"BEGIN SELECT RAISE(ABORT, 'audit_log rows are kept {RETENTION_DAYS} days'); END",
)
POSTGRESQL_GUARDS = (
    f"""CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.occurred_at <= (now() AT TIME ZONE 'UTC') - interval '{RETENTION_DAYS} days' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only; rows are kept {RETENTION_DAYS} days';
END $$""",
    "CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_guard()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()",
)

for _statement in SQLITE_GUARDS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_GUARDS:
    event.listen(AuditEntry.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))
event.listen(AuditEntry.__table__, "after_drop",
             DDL("DROP FUNCTION IF EXISTS audit_log_guard()").execute_if(dialect="postgresql"))
