"""Topics of the 公示 in `tic_establishment`: publish the approved application, end or
withdraw its 公示, take up the next objection; and the department's objection decision."""
from __future__ import annotations

from app.core.extensions import ServiceTaskEvent, TaskEvent, handler, on_complete
from app.tic import documents, objections, publicity
from app.tic.document_data import Source


@handler("open_publicity", title="发布拟批准公示",
         reads=("publicityDays", "centerName", "category", "field", "region", "leadUnit", "roundId"),
         writes=("publicityId", "publicityEndsAt"))
def open_publicity(ctx: ServiceTaskEvent) -> dict:
    """Publish the application and issue its 公示 notice in the same command."""
    opened = publicity.open_publicity(ctx.session, ctx.process_instance_id, ctx.business_key, ctx.variables,
                                      ctx.now)
    documents.issue(ctx.app, ctx.session, "publicity_notice", Source(
        ctx.session, ctx.process_instance_id, ctx.business_key, ctx.variables, ctx.now))
    return opened


@handler("conclude_publicity", title="公示期满", reads=("publicityId",))
def conclude_publicity(ctx: ServiceTaskEvent) -> None:
    publicity.conclude(ctx.session, ctx.variables["publicityId"], ctx.now)


@handler("withdraw_publicity", title="撤回公示", reads=("publicityId",))
def withdraw_publicity(ctx: ServiceTaskEvent) -> None:
    publicity.withdraw(ctx.session, ctx.variables["publicityId"], ctx.now)


@handler("next_objection", title="查看其他待处理异议", reads=("publicityId",),
         writes=("objectionPending", *publicity.OBJECTION_VARIABLES))
def next_objection(ctx: ServiceTaskEvent) -> dict:
    return publicity.next_pending(ctx.session, ctx.variables["publicityId"])


@on_complete("tic_establishment", "review_objection")
def review_objection(event: TaskEvent) -> None:
    objections.decide(event.session, event.variables["objectionId"], event.values["objectionDecision"],
                      event.values["objectionReason"], event.actor_id, event.now)
