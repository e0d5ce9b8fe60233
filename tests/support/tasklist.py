"""Shared steps for the Tasklist tests: the tl_ models, extra users, history, notifications."""
from __future__ import annotations

import json

from sqlalchemy import select

from app.models import HistoryEvent, Notification, User, UserGroup
from tests.support.flows import completed, deployed, only_task, start

TL_FORMS = ("tl_application", "tl_decision", "tl_note")
APPLICATION = {"centerName": "新疆棉纺织技术创新中心", "summary": "围绕棉纺织全产业链建设"}


def deploy_tl(rest_client, *models: str) -> dict:
    """Deploy tl_ models (and every tl_ form) as the analyst."""
    return deployed(rest_client, *models, *(f"{key}.schema.json" for key in TL_FORMS), with_forms=False)


def start_review(rest, applicant: str = "cotton", applicant_org: str = "tianmian",
                 recommender_org: str = "urumqi_gov", business_key: str = "TIC-2026-001",
                 due: str = "2026-03-09T18:00:00+08:00") -> str:
    """Start `tl_review` as the applying unit; the recommender task is due at `due`."""
    return start(rest(applicant), "tl_review", business_key, applicantOrg=applicant_org,
                 recommenderOrg=recommender_org, recommendDue=due)


def through_review(rest, instance_id: str) -> dict:
    """Fill (cotton), recommend (urumqi); returns the open `review` task, as the officer sees it."""
    completed(rest("cotton"), only_task(rest("cotton"), instance_id, "fill")["id"], **APPLICATION)
    completed(rest("urumqi"), only_task(rest("urumqi"), instance_id, "recommend")["id"], decision="approve")
    return only_task(rest("officer"), instance_id, "review")


def add_user(ctx, user_id: str, organization_id: str, groups: list[str], active: bool = True) -> None:
    """Another member of a demo organization (same cheap password hash as the demo users)."""
    with ctx.db.command() as session:
        demo = session.get(User, "officer")
        user = User(id=user_id, display_name=f"{user_id} 经办人", password_hash=demo.password_hash,
                    organization_id=organization_id, is_demo=True, active=active)
        user.group_rows = [UserGroup(user_id=user_id, group_id=g) for g in groups]
        session.add(user)


def history_events(ctx, instance_id: str, event_type: str) -> list[dict]:
    with ctx.db.read() as session:
        rows = session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id == instance_id, HistoryEvent.event_type == event_type,
        ).order_by(HistoryEvent.id))
        return [{"user_id": e.user_id, "task_id": e.task_id, "activity_id": e.activity_id,
                 **json.loads(e.details_json or "{}")} for e in rows]


def notifications_of(ctx, user_id: str, kind: str | None = None) -> list[Notification]:
    with ctx.db.read() as session:
        query = select(Notification).where(Notification.user_id == user_id)
        if kind:
            query = query.where(Notification.kind == kind)
        return list(session.scalars(query.order_by(Notification.id)))
