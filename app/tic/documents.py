"""Official documents (公文) issued on a case: numbered, rendered to PDF and archived with the
case as its attachment, all inside the command that took the decision (a crash leaves no
half-numbered document: the number, the file and the record commit or roll back together).
Who may read one is who may read the case; the approval sheet only department staff."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import to_shanghai
from app.models import OfficialDocument, ProcessInstance

from app.core import confidential
from app.core.context import AppContext
from app.core.identity import Actor
from app.platform import collaboration
from app.platform.process_instances import get_instance
from app.tic import document_numbers, document_pdf, document_templates, lifecycle, registry
from app.tic.document_data import Source, day
from app.tic.document_kinds import KINDS

SYSTEM_USER = "system"


def issue(ctx: AppContext, session: Session, kind_key: str, source: Source) -> OfficialDocument:
    """Number, render and archive a document of `kind_key` on the source's case."""
    kind = KINDS[kind_key]
    data = kind.data(source)
    prefix = ctx.settings.internal_document_prefix if kind.department_only else ctx.settings.document_prefix
    year = to_shanghai(source.now).year
    sequence = document_numbers.take(session, prefix, year)
    number = document_numbers.formatted(prefix, year, sequence)
    content = {**data, "issuer": ctx.settings.document_issuer, "number": number, "date": day(source.now)}
    pdf = document_pdf.render(document_templates.template_of(session, kind_key), content)
    instance = session.get(ProcessInstance, source.instance_id)
    signer = source.step.actor_id if source.step else SYSTEM_USER
    attachment_id = collaboration.archive(
        session, instance, signer, f"{number}{data['title']}.pdf", "application/pdf", pdf,
        f"{kind.name} {number}", kind.department_only, source.now,
    )
    document = OfficialDocument(
        id=str(uuid.uuid4()), kind=kind_key, prefix=prefix, year=year, sequence=sequence,
        number=number, title=data["title"], instance_id=instance.id, attachment_id=attachment_id,
        department_only=kind.department_only, signers_json=json.dumps(data["signers"], ensure_ascii=False),
        issued_at=source.now,
    )
    session.add(document)
    session.flush()
    return document


def of_instance(session: Session, actor: Actor, instance_id: str) -> list[dict]:
    """The documents issued on a case the actor may read, oldest first."""
    get_instance(session, actor, instance_id)
    return _listed(session, actor, OfficialDocument.instance_id == instance_id)


def of_center(session: Session, actor: Actor, code: str) -> list[dict]:
    """The documents issued on every process of a center the actor may see."""
    registry.get_center(session, actor, code)
    center = lifecycle.center(session, code)
    return _listed(session, actor, OfficialDocument.instance_id.in_(
        select(ProcessInstance.id).where(lifecycle.instances_of(center))))


def _listed(session: Session, actor: Actor, condition) -> list[dict]:
    query = select(OfficialDocument).where(condition)
    if not confidential.sees_all(actor):
        query = query.where(OfficialDocument.department_only.is_(False))
    return [{"id": d.id, "kind": d.kind, "kindName": KINDS[d.kind].name if d.kind in KINDS else d.kind,
             "number": d.number, "title": d.title, "attachmentId": d.attachment_id,
             "processInstanceId": d.instance_id, "issuedAt": d.issued_at,
             "signers": json.loads(d.signers_json)}
            for d in session.scalars(query.order_by(OfficialDocument.issued_at, OfficialDocument.sequence))]
