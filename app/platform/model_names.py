"""The English names the models give beside their Chinese ones (the Camunda property
`name_en`, recorded at deploy in each definition's elements): of the process itself and
of its steps, for the pages read in English."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ProcessDefinition

from app.core.context import AppContext
from app.core.errors import NotFound
from app.platform import instance_store, statistics


def english_names(ctx: AppContext, session: Session, definition_id: str) -> dict[str, str]:
    """Element id (the process's own id too) -> English name, for a definition and the
    latest versions of the processes it calls: their steps run inside its instances."""
    try:
        definition = instance_store.definition_of(ctx, session, definition_id)
    except NotFound:
        return {}
    names = {}
    for key in sorted(set(statistics.calls_of(ctx, definition).values())):
        called = _latest_id(session, key)
        if called is not None and called != definition_id:
            names.update(instance_store.english_names(ctx, session, called))
    # The caller's own names win where a called process reuses an id.
    return names | instance_store.english_names(ctx, session, definition_id)


def _latest_id(session: Session, key: str) -> str | None:
    """Looked up each time: a later deployment of a called process brings its new names."""
    return session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == key)
                          .order_by(ProcessDefinition.version.desc()).limit(1))
