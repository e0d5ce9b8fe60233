"""In-app notifications, unread counts, marking read, and the e-mail/SMS outbox."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import BadRequest
from app.core.identity import load_actor
from app.models import OutboxMessage
from app.platform import notifications
from tests.support.clients import Api
from tests.support.flows import completed, deployed, only_task, start
from tests.support.tasklist import deploy_tl, notifications_of


@pytest.fixture
def api(client):
    return lambda user: Api(client, user)


@pytest.fixture
def consult(rest):
    """A consultation the leader opens: the experts or the department answer it (the leader
    takes no part, so it is nobody's own first step)."""
    deploy_tl(rest("analyst"), "tl_candidates.bpmn")
    return start(rest("leader"), "tl_candidates", "GW-1", title="征求意见稿")


def outbox(ctx, recipient: str) -> list[OutboxMessage]:
    with ctx.db.read() as session:
        return list(session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
        ))


def test_a_new_task_notifies_its_candidate_users_but_not_every_group_member(ctx, rest, consult):
    task = only_task(rest("officer"), consult, "consult")

    for expert in ("expert1", "expert2"):
        [note] = notifications_of(ctx, expert, "new_task")
        assert (note.task_id, note.instance_id) == (task["id"], consult)
        # A step the model names in Chinese only keeps that name on the English side too.
        assert notifications.sides(note.title) == ("新待办：征求意见", "New task: 征求意见")
        assert "「征求意见稿」（GW-1）" in notifications.sides(note.body)[0]
    assert notifications_of(ctx, "officer", "new_task") == []
    assert notifications_of(ctx, "expert3") == []


def test_a_new_assigned_task_notifies_its_assignee(ctx, rest):
    deployed(rest("analyst"), "flow_expert_review.bpmn")
    instance_id = start(rest("officer"), "flow_expert_review", experts=["expert4", "expert5"])

    for expert in ("expert4", "expert5"):
        [note] = notifications_of(ctx, expert, "new_task")
        assert note.instance_id == instance_id
    assert notifications_of(ctx, "officer") == []


def test_every_notification_waits_in_the_outbox_as_an_email(ctx, consult):
    [mail] = outbox(ctx, "expert1")

    assert (mail.channel, mail.status) == ("email", "pending")
    assert notifications.sides(mail.subject)[0] == "新待办：征求意见"
    assert mail.created_at is not None and mail.sent_at is None


def test_the_starter_hears_when_the_instance_ends(ctx, rest, consult):
    completed(rest("expert1"), only_task(rest("expert1"), consult, "consult")["id"], note="同意")

    [note] = notifications_of(ctx, "leader", "decided")
    assert note.instance_id == consult
    assert notifications.sides(note.body) == ("您发起的「征求意见稿」（GW-1）已办结。",
                                             "“征求意见稿” (GW-1), which you started, is closed.")


def test_unread_counts_list_and_mark_read_over_the_api(api, consult, rest):
    start(rest("leader"), "tl_candidates", "GW-2", title="第二稿")
    expert = api("expert1")

    listed = expert.get("/notifications").get_json()
    assert listed["unread"] == 2
    newest, oldest = listed["items"]
    assert (newest["kind"], newest["read"]) == ("new_task", False)
    assert "第二稿" in newest["body"] and newest["created"].endswith("+0800")

    assert expert.post("/notifications/read", json={"ids": [oldest["id"]]}).get_json() == {"marked": 1}
    assert expert.get("/notifications").get_json()["unread"] == 1
    assert [n["id"] for n in expert.get("/notifications?unreadOnly=true").get_json()["items"]] == [newest["id"]]
    assert expert.post("/notifications/read", json={"ids": "all"}).get_json() == {"marked": 1}
    assert expert.get("/notifications").get_json()["unread"] == 0


def test_nobody_marks_someone_elses_notifications(api, consult):
    theirs = api("expert1").get("/notifications").get_json()["items"][0]["id"]

    assert api("expert2").post("/notifications/read", json={"ids": [theirs]}).get_json() == {"marked": 0}
    assert api("expert1").get("/notifications").get_json()["unread"] == 1


@pytest.mark.parametrize("ids", [None, "some", ["1"], [True]])
def test_marking_read_needs_a_list_of_ids_or_all(api, consult, ids):
    response = api("expert1").post("/notifications/read", json={"ids": ids})

    assert response.status_code == 400


def test_notify_service_writes_the_notification_and_its_outbox_rows(ctx):
    with ctx.db.command() as session:
        notifications.notify(session, "officer", "urged", "催办：形式审查", "请尽快办理", now=ctx.now())
    with ctx.db.read() as session:
        officer = load_actor(session, "officer")
        assert notifications.unread_count(session, officer) == 1
        [note] = notifications.list_notifications(session, officer)
        assert (note["kind"], note["title"], note["read"]) == ("urged", "催办：形式审查", False)
    assert sorted(m.channel for m in outbox(ctx, "officer")) == ["email", "sms"]


def test_unknown_kinds_and_bad_ids_are_refused_by_the_service(ctx):
    with ctx.db.command() as session:
        with pytest.raises(ValueError):
            notifications.notify(session, "officer", "spam", "x", "y", now=ctx.now())
        with pytest.raises(BadRequest):
            notifications.mark_read(ctx, session, load_actor(session, "officer"), "everything")


def test_the_starter_hears_how_the_instance_ended(ctx, rest):
    deployed(rest("analyst"), "flow_exclusive.bpmn")
    instance_id = start(rest("leader"), "flow_exclusive", "ZJ-7", amount=2_000_000, category="普通")
    completed(rest("leader"), only_task(rest("leader"), instance_id, "leader_approval")["id"], approved=True)

    [note] = notifications_of(ctx, "leader", "decided")
    assert notifications.sides(note.title) == ("流程已办结：领导已审批", "Case closed: 领导已审批")
    assert notifications.sides(note.body)[0] == "您发起的「ZJ-7」已办结：领导已审批。"


def test_a_long_title_keeps_both_languages_within_its_column():
    note = notifications.message("leader", "decided", notifications.both("流程已办结：" + "理" * 300, "Case closed: " * 20),
                                 "body")

    chinese, english = notifications.sides(note["title"])
    assert len(note["title"]) <= 200
    assert chinese.startswith("流程已办结：理") and english.startswith("Case closed: ")
