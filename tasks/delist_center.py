"""Topic `delist_center`: the center leaves the sequence (不再列入技术创新中心序列, R23–R26),
with the notice that says so."""
from __future__ import annotations

from app.core.extensions import ServiceTaskEvent, handler
from app.tic import documents, lifecycle
from app.tic.document_data import Source

# The words kept with the removal: the center's own reason, the finding, the review opinion.
_NOTE_VARIABLES = {
    "withdrew": "withdrawReason",
    "integrity_violation": "integrityFinding",
    "poor_after_rectification": "rectificationOpinion",
}


@handler(
    "delist_center",
    title="移出序列（不再列入技术创新中心序列）",
    reads=("centerCode", "delistReason", "withdrawReason", "integrityFinding", "rectificationOpinion"),
    writes=("terminatedInstances",),
)
def delist_center(ctx: ServiceTaskEvent) -> dict:
    reason = ctx.variables["delistReason"]
    note = ctx.variables.get(_NOTE_VARIABLES.get(reason, ""))
    ended = lifecycle.delist(ctx.app, ctx.session, ctx.variables["centerCode"], reason,
                             ctx.process_instance_id, ctx.now, note)
    documents.issue(ctx.app, ctx.session, "delisting_notice", Source(
        ctx.session, ctx.process_instance_id, ctx.business_key, ctx.variables, ctx.now))
    return {"terminatedInstances": ended}
