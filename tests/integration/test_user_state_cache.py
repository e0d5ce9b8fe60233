"""On PostgreSQL a web worker keeps the state of the users API calls authenticate as, and
forgets it when the database announces a change (app/core/user_states.py): a kept state
saves the request its round trip, and a deactivation, a group change or a lost listening
connection still count from the next request."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from app.cli import migrate
from app.core import accounts, identity
from app.core import user_states as user_states_module
from app.core.user_states import user_states

pytestmark = pytest.mark.postgres


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The users whose state is read from the database from now on (the real read, counted)."""
    seen: list[str] = []

    def counted(connection, user_id):
        seen.append(user_id)
        return identity.user_state(connection, user_id)
    monkeypatch.setattr(user_states_module, "user_state", counted)
    return seen


def eventually(check, seconds: float = 10.0) -> bool:
    """Whether `check()` holds once the notice of a committed change has been read (the
    listener reads it within milliseconds; the bound only keeps a broken run from hanging)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def listening(ctx) -> bool:
    states = user_states(ctx)
    return eventually(lambda: states._listening)


def test_a_kept_state_saves_the_next_request_its_read(ctx, rest, reads):
    officer = rest("officer")
    assert officer.get("/task/count").status_code == 200
    assert listening(ctx)

    def kept() -> bool:
        # The first sign-in's command announced its throttle row: once that notice is read,
        # the state read next is kept.
        reads.clear()
        officer.get("/task/count")
        return reads == []
    assert eventually(kept)
    reads.clear()
    assert officer.get("/task/count").status_code == 200
    assert officer.get("/task/count").status_code == 200
    assert reads == []


def test_a_deactivated_user_is_refused_from_the_next_request(ctx, rest):
    officer = rest("officer")
    officer.get("/task/count")
    assert listening(ctx)
    officer.get("/task/count")

    with ctx.db.command() as session:
        accounts.deactivate_user(ctx, session, "admin", "test", "officer")

    assert eventually(lambda: officer.get("/task/count").status_code == 401)


def test_a_group_change_counts_from_the_next_request(ctx, rest):
    officer = rest("officer")
    assert officer.get("/identity/groups?userId=officer").status_code == 200
    assert listening(ctx)
    before = {g["id"] for g in officer.get("/identity/groups?userId=officer").get_json()["groups"]}

    with ctx.db.command() as session:
        accounts.set_groups(ctx, session, "admin", "test", "officer", ["department", "analyst"])

    assert "analyst" not in before
    assert eventually(lambda: "analyst" in {
        g["id"] for g in officer.get("/identity/groups?userId=officer").get_json()["groups"]})


def test_while_the_listener_is_away_nothing_is_kept_and_a_change_still_counts(ctx, rest, reads):
    officer = rest("officer")
    officer.get("/task/count")
    assert listening(ctx)
    officer.get("/task/count")
    states = user_states(ctx)
    with ctx.db.engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE application_name = :name"), {"name": states.application_name})
        connection.commit()
    assert eventually(lambda: not states._listening)
    reads.clear()

    # What was kept went with the connection: the next request reads its user again.
    assert officer.get("/task/count").status_code == 200
    assert reads == ["officer"]
    with ctx.db.command() as session:
        accounts.deactivate_user(ctx, session, "admin", "test", "officer")
    assert eventually(lambda: officer.get("/task/count").status_code == 401)


def announcing_triggers(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(connection.execute(text(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relnamespace = current_schema()::regnamespace AND t.tgname LIKE '%announced'")).all())
    finally:
        engine.dispose()


def test_a_migrated_database_announces_what_a_created_one_does(database_url, session_databases, tmp_path):
    migrate(database_url)
    folder = tmp_path / "created"
    folder.mkdir()
    created = session_databases.new(folder, filled=True)
    try:
        assert announcing_triggers(database_url) == announcing_triggers(created)
        assert len(announcing_triggers(created)) == 8
    finally:
        session_databases.drop(created)
