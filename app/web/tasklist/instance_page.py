"""A case read-only: its application, opinions, current steps (with 催办), diagram,
comments and attachments; 撤回 and 抄送 for those who may."""
from __future__ import annotations

from flask import render_template

from . import blueprint, context, task_view
from .. import auth


@blueprint.get("/instances/<instance_id>")
def instance(instance_id):
    ctx = context()
    with ctx.db.read() as session:
        page = task_view.build_instance(ctx, session, auth.current_actor(), instance_id)
        return render_template("tasklist/instance.html", page=page)
