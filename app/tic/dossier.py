"""A center's dossier (中心档案) as the registry page shows it: the registry entry, the
governance in force (R17), the annual reports, the approved major changes, evaluations
and funding per cycle (R27), the official documents issued on its processes and one
timeline across all of them.

Each part comes from the module that owns it and checks, as it does under /api, that the
reader may see the center (`registry.center_visibility`): the page and the API cannot
show different things."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.identity import Actor
from app.tic import annual_reports, documents, governance, registry, timeline


def dossier(session: Session, actor: Actor, code: str) -> dict:
    center = registry.get_center(session, actor, code)
    return {
        "center": center,
        "governance": governance.get_governance(session, actor, code),
        "annualReports": annual_reports.list_reports(session, actor, code),
        "timeline": timeline.timeline(session, actor, code),
        "documents": documents.of_center(session, actor, code),
        "fundingWan": sum(e["fundingWan"] or 0 for e in center["evaluations"]),
    }
