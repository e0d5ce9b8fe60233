"""The cockpit's overview (every process version's counts) and one process's diagram with
its badges, and the diagram file the viewer fetches."""
from __future__ import annotations

import io
from pathlib import PurePosixPath

from flask import render_template, request, send_file

from app.core.paging import Page
from app.platform import deadline_ladder, statistics, working_calendar

from . import blueprint
from .. import auth
from ..current import context
from ..headers import inert
from ..request_input import parse_int

# The instances a badge's click lists at once; the badge says how many there are in all.
WAITING_LIST_SIZE = 200


@blueprint.get("")
def overview():
    ctx = context()
    actor = auth.current_actor()
    with ctx.db.read() as session:
        processes = statistics.process_counts(session, actor)
        return render_template("cockpit/overview.html", processes=processes, active_box="cockpit.overview",
                               overdue_steps=deadline_ladder.overdue_by_step(ctx, session, actor),
                               warning=working_calendar.warning(ctx, session, actor))


@blueprint.get("/<key>")
def process(key):
    version = request.args.get("version")
    version = parse_int(version, "version", 1) if version else None
    ctx = context()
    with ctx.db.read() as session:
        view = statistics.process_view(ctx, session, auth.current_actor(), key, version,
                                       request.args.get("activity") or None, Page(0, WAITING_LIST_SIZE))
        return render_template("cockpit/process.html", view=view, version=version, badges=_badges(view),
                               active_box="cockpit.overview")


def _badges(view: statistics.ProcessView) -> dict:
    """What the diagram's script draws on each activity."""
    return {activity_id: {"instances": c.instances, "overdue": c.overdue, "incidents": c.incidents}
            for activity_id, c in view.counts.items()}


@blueprint.get("/definitions/<definition_id>/diagram.bpmn")
def diagram(definition_id):
    ctx = context()
    with ctx.db.read() as session:
        definition = statistics.definition_scope(ctx, session, auth.current_actor(), definition_id).definition
    # As data only: the viewer fetches it, a browser opening it runs nothing.
    return inert(send_file(io.BytesIO(definition.bpmn_xml), mimetype="application/xml", as_attachment=True,
                           download_name=PurePosixPath(definition.resource_name).name))
