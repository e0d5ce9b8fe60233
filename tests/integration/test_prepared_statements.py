"""Prepared statements see and write the same values as SQLAlchemy's own execution."""
from __future__ import annotations

import enum
import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import (
    Column, Enum, Integer, MetaData, String, Table, bindparam, delete, exc, insert, select, update,
)

from app.models.base import UtcDateTime
from app.prepared import Deferred, Prepared

SHANGHAI = timezone(timedelta(hours=8))


class Colour(str, enum.Enum):
    RED = "red"
    GREEN = "green"


METADATA = MetaData()
SAMPLE = Table(
    "prepared_sample", METADATA,
    Column("id", String(10), primary_key=True),
    Column("colour", Enum(Colour, native_enum=False, length=10)),
    Column("seen_at", UtcDateTime),
    Column("score", Integer, default=7),
    Column("version", Integer, default=1),
)
INSERT = Prepared(insert(SAMPLE))
BY_ID = Prepared(select(SAMPLE).where(SAMPLE.c.id == bindparam("id")))
BUMP = Prepared(
    update(SAMPLE).where(SAMPLE.c.id == bindparam("b_id"), SAMPLE.c.version == bindparam("seen"))
    .values(colour=Colour.GREEN, version=SAMPLE.c.version + 1)
)


@pytest.fixture
def conn(ctx):
    METADATA.create_all(ctx.db.engine)
    with ctx.db.command() as session:
        yield session.info["connection"]


def test_a_row_written_prepared_reads_the_same_through_sqlalchemy(conn):
    seen = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
    INSERT.execute(conn, {"id": "a", "colour": Colour.RED, "seen_at": seen})

    through_sqlalchemy = conn.execute(select(SAMPLE).where(SAMPLE.c.id == "a")).one()
    prepared = BY_ID.first(conn, {"id": "a"})
    assert tuple(prepared) == tuple(through_sqlalchemy)
    assert prepared.colour is Colour.RED
    assert prepared.seen_at == seen and prepared.seen_at.tzinfo == timezone.utc


def test_a_row_written_by_sqlalchemy_reads_the_same_prepared(conn):
    conn.execute(insert(SAMPLE), {"id": "b", "colour": Colour.GREEN,
                                  "seen_at": datetime(2026, 1, 1, tzinfo=timezone.utc)})
    assert BY_ID.first(conn, {"id": "b"})._asdict() == {
        "id": "b", "colour": Colour.GREEN, "seen_at": datetime(2026, 1, 1, tzinfo=timezone.utc),
        "score": 7, "version": 1,
    }


def test_columns_left_out_of_an_insert_get_their_defaults(conn):
    INSERT.execute_many(conn, [{"id": "c"}, {"id": "d"}])
    assert [(r.score, r.version) for r in Prepared(select(SAMPLE).order_by(SAMPLE.c.id)).all(conn)] == [
        (7, 1), (7, 1),
    ]


def test_many_rows_written_together_keep_each_value_and_default(conn):
    seen = datetime(2026, 5, 1, 8, 0, tzinfo=SHANGHAI)
    rows = [{"id": f"r{n:02}", "colour": Colour.RED if n % 2 else Colour.GREEN,
             "seen_at": seen + timedelta(minutes=n)} for n in range(40)]
    INSERT.send_later(conn, rows)
    INSERT.execute_many(conn, [{"id": "s1", "score": 3}, {"id": "s2", "score": 4}])
    found = {row.id: row for row in Prepared(select(SAMPLE)).all(conn)}
    assert [(found[r["id"]].colour, found[r["id"]].seen_at, found[r["id"]].score) for r in rows] == [
        (r["colour"], r["seen_at"], 7) for r in rows
    ]
    assert [(found[k].score, found[k].version) for k in ("s1", "s2")] == [(3, 1), (4, 1)]


def test_an_update_counts_its_rows_and_keeps_its_constant_values(conn):
    INSERT.execute(conn, {"id": "e", "colour": Colour.RED})
    assert BUMP.execute(conn, {"b_id": "e", "seen": 1}) == 1
    assert BUMP.execute(conn, {"b_id": "e", "seen": 1}) == 0
    row = BY_ID.first(conn, {"id": "e"})
    assert (row.colour, row.version) == (Colour.GREEN, 2)


def test_a_missing_row_is_none(conn):
    assert BY_ID.first(conn, {"id": "nobody"}) is None
    assert Prepared(select(SAMPLE.c.score).where(SAMPLE.c.id == bindparam("id"))).scalar(
        conn, {"id": "nobody"}) is None


def test_a_naive_datetime_is_refused_as_by_the_column_type(conn):
    with pytest.raises(ValueError):
        INSERT.execute(conn, {"id": "f", "seen_at": datetime(2026, 1, 1)})


def test_driver_errors_are_sqlalchemy_errors(conn):
    INSERT.execute(conn, {"id": "g"})
    with pytest.raises(exc.IntegrityError):
        INSERT.execute(conn, {"id": "g"})


def test_expanding_in_is_refused_rather_than_run_wrong(conn):
    statement = Prepared(delete(SAMPLE).where(SAMPLE.c.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError):
        statement.execute(conn, {"ids": ["a"]})


def test_deferred_writes_run_in_the_order_asked(conn):
    writes = Deferred()
    writes.write(INSERT, [{"id": "h", "colour": Colour.RED}])
    writes.write(BUMP, [{"b_id": "h", "seen": 1}])
    writes.write(INSERT, [])
    assert BY_ID.first(conn, {"id": "h"}) is None
    writes.run(conn)
    assert BY_ID.first(conn, {"id": "h"}).version == 2


def test_writes_sent_later_are_seen_by_the_next_statement_of_either_kind(conn):
    INSERT.send_later(conn, [{"id": "i", "colour": Colour.RED}, {"id": "j"}])
    assert BY_ID.first(conn, {"id": "i"}).colour is Colour.RED
    BUMP.send_later(conn, [{"b_id": "j", "seen": 1}])
    assert conn.execute(select(SAMPLE.c.version).where(SAMPLE.c.id == "j")).scalar_one() == 2


@pytest.fixture
def table(ctx):
    METADATA.create_all(ctx.db.engine)


@pytest.mark.usefixtures("table")
def test_writes_sent_later_are_committed_with_the_command(ctx):
    with ctx.db.command() as session:
        INSERT.send_later(session.info["connection"], [{"id": "k"}])
    with ctx.db.read() as session:
        assert BY_ID.first(session.info["connection"], {"id": "k"}) is not None


@pytest.mark.usefixtures("table")
def test_a_write_sent_later_that_fails_fails_its_command_and_keeps_nothing_of_it(ctx):
    with ctx.db.command() as session:
        INSERT.execute(session.info["connection"], {"id": "l"})
    with pytest.raises(exc.IntegrityError):
        with ctx.db.command() as session:
            INSERT.send_later(session.info["connection"], [{"id": "m"}, {"id": "l"}])
    with ctx.db.read() as session:
        assert BY_ID.first(session.info["connection"], {"id": "m"}) is None


@pytest.mark.usefixtures("table")
def test_writes_of_a_rolled_back_command_never_reach_the_next_one(ctx):
    with pytest.raises(RuntimeError):
        with ctx.db.command() as session:
            INSERT.send_later(session.info["connection"], [{"id": "n"}])
            raise RuntimeError("refused")
    # The same pooled connection serves the next command.
    with ctx.db.command() as session:
        INSERT.execute(session.info["connection"], {"id": "o"})
    with ctx.db.read() as session:
        found = Prepared(select(SAMPLE.c.id).order_by(SAMPLE.c.id)).all(session.info["connection"])
    assert [row.id for row in found] == ["o"]


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL's commands send their own BEGIN (app/round_trips.py)")
@pytest.mark.usefixtures("table")
def test_a_connection_lent_in_autocommit_mode_then_serves_commands_in_one_transaction(ctx):
    with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM")
    with pytest.raises(RuntimeError):
        with ctx.db.command() as session:
            INSERT.execute(session.info["connection"], {"id": "q"})
            raise RuntimeError("refused")
    with ctx.db.read() as session:
        assert BY_ID.first(session.info["connection"], {"id": "q"}) is None


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL's commands send their own BEGIN (app/round_trips.py)")
@pytest.mark.usefixtures("table")
def test_a_plain_read_before_anything_else_opens_no_transaction_and_a_lock_does(ctx):
    from psycopg.pq import TransactionStatus

    locking = Prepared(select(SAMPLE).where(SAMPLE.c.id == bindparam("id")).with_for_update())
    with ctx.db.command() as session:
        INSERT.execute(session.info["connection"], {"id": "t"})
    with ctx.db.command() as session:
        conn = session.info["connection"]
        assert BY_ID.first(conn, {"id": "t"}).version == 1
        assert conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.IDLE
        assert locking.first(conn, {"id": "t"}).version == 1
        assert conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.INTRANS
        BUMP.send_later(conn, [{"b_id": "t", "seen": 1}])
    with ctx.db.read() as session:
        assert BY_ID.first(session.info["connection"], {"id": "t"}).version == 2


@pytest.mark.usefixtures("table")
def test_a_value_the_driver_cannot_send_fails_its_command_and_leaves_the_connection_usable(ctx):
    with pytest.raises(exc.ProgrammingError):
        with ctx.db.command() as session:
            BY_ID.first(session.info["connection"], {"id": object()})
    with ctx.db.command() as session:
        INSERT.execute(session.info["connection"], {"id": "u"})
        assert BY_ID.first(session.info["connection"], {"id": "u"}) is not None


POSTGRES_ONLY = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                   reason="statements prepared on PostgreSQL (app/libpq_pipeline.py)")


@POSTGRES_ONLY
@pytest.mark.usefixtures("table")
def test_a_statement_whose_first_run_was_aborted_is_prepared_at_its_next(ctx):
    first_seen = Prepared(select(SAMPLE.c.id).where(SAMPLE.c.score == bindparam("score")))
    with ctx.db.command() as session:
        INSERT.execute(session.info["connection"], {"id": "w"})
    with pytest.raises(exc.IntegrityError):
        with ctx.db.command() as session:
            conn = session.info["connection"]
            # The failing insert goes first in the statement's pipeline: its Parse never runs.
            INSERT.send_later(conn, [{"id": "w"}])
            first_seen.all(conn, {"score": 7})
    with ctx.db.command() as session:
        assert [row.id for row in first_seen.all(session.info["connection"], {"score": 7})] == ["w"]


@POSTGRES_ONLY
@pytest.mark.usefixtures("table")
def test_prepared_statements_outlive_a_rolled_back_transaction(ctx):
    with ctx.db.command() as session:
        INSERT.execute(session.info["connection"], {"id": "x"})
        assert BY_ID.first(session.info["connection"], {"id": "x"}).version == 1
    with pytest.raises(RuntimeError):
        with ctx.db.command() as session:
            conn = session.info["connection"]
            # Run this often, psycopg would prepare a statement of its own, and deallocate
            # every prepared statement of the connection at the ROLLBACK.
            for _ in range(6):
                conn.execute(select(SAMPLE.c.id)).all()
            BUMP.execute(conn, {"b_id": "x", "seen": 1})
            raise RuntimeError("refused")
    with ctx.db.command() as session:
        assert BY_ID.first(session.info["connection"], {"id": "x"}).version == 1


class Stale(Exception):
    """The test's refusal of a write that found no row."""


def _one_row(written: int) -> None:
    if written != 1:
        raise Stale(written)


# A new row written before the checked write, or a duplicate written after it: either way
# the failed check fails the command, and nothing of it is kept.
@pytest.mark.parametrize("before, after", [([{"id": "z"}], []), ([], [{"id": "y"}])])
@pytest.mark.usefixtures("table")
def test_a_checked_write_that_fails_its_check_fails_its_command_as_such(ctx, before, after):
    with ctx.db.command() as session:
        INSERT.execute(session.info["connection"], {"id": "y"})
    with pytest.raises(Stale):
        with ctx.db.command() as session:
            conn = session.info["connection"]
            INSERT.send_later(conn, before)
            BUMP.send_later(conn, [{"b_id": "y", "seen": 5}], check=_one_row)
            INSERT.send_later(conn, after)
    with ctx.db.command() as session:
        conn = session.info["connection"]
        assert BY_ID.first(conn, {"id": "z"}) is None
        BUMP.send_later(conn, [{"b_id": "y", "seen": 1}], check=_one_row)
    with ctx.db.read() as session:
        assert BY_ID.first(session.info["connection"], {"id": "y"}).version == 2
