"""/modeler: every deployed process, decision table and form, latest version first, and
the analyst's drafts; buttons to start a new diagram or open one from disk."""
from __future__ import annotations

from flask import render_template

from app.platform import model_catalog, model_editing

from . import blueprint, context
from .. import auth


@blueprint.get("")
def catalog():
    ctx, actor = context(), auth.current_actor()
    with ctx.db.command() as session:
        model_editing.require_editor(ctx, session, actor, "model.list", "modeler")
    with ctx.db.read() as session:
        models = model_catalog.catalog(session)
        drafts = model_editing.drafts_of(session, actor)
    return render_template("modeler/index.html", models=models, drafts=drafts)
