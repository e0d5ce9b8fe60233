"""Official documents (公文) issued on a case: numbered and filled in inside the command that
took the decision (a crash leaves no half-numbered document: the number and the record
commit or roll back together), then laid out to PDF and archived with the case as its
attachment after it: by the job executor's pass, or at the first download, whichever comes
first. The layout takes ~0.3 s per document, which the deciding user does not wait for.
Who may read one is who may read the case; the approval sheet only department staff."""
from __future__ import annotations

import json
import logging
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session, defer

from app.clock import to_shanghai
from app.models import OfficialDocument, ProcessInstance

from app.core import confidential
from app.core.context import AppContext
from app.core.errors import NotFound
from app.core.identity import Actor
from app.platform import collaboration
from app.platform.process_instances import get_instance
from app.tic import document_numbers, document_pdf, document_templates, lifecycle, registry
from app.tic.document_data import Source, day
from app.tic.document_kinds import KINDS

SYSTEM_USER = "system"
# Documents laid out per pass of the job executor: a pass stays short (~0.3 s each).
ARCHIVE_BATCH = 10

log = logging.getLogger(__name__)


def issue(ctx: AppContext, session: Session, kind_key: str, source: Source) -> OfficialDocument:
    """Number and fill in a document of `kind_key` on the source's case; its PDF follows."""
    kind = KINDS[kind_key]
    data = kind.data(source)
    prefix = ctx.settings.internal_document_prefix if kind.department_only else ctx.settings.document_prefix
    year = to_shanghai(source.now).year
    sequence = document_numbers.take(session, prefix, year)
    number = document_numbers.formatted(prefix, year, sequence)
    content = {**data, "issuer": ctx.settings.document_issuer, "number": number, "date": day(source.now)}
    document = OfficialDocument(
        id=str(uuid.uuid4()), kind=kind_key, prefix=prefix, year=year, sequence=sequence,
        number=number, title=data["title"], instance_id=source.instance_id, attachment_id=None,
        html=document_pdf.render_html(document_templates.template_of(session, kind_key), content),
        issued_by=source.step.actor_id if source.step else SYSTEM_USER,
        department_only=kind.department_only, signers_json=json.dumps(data["signers"], ensure_ascii=False),
        issued_at=source.now,
    )
    session.add(document)
    session.flush()
    return document


def archive_pending(ctx: AppContext, limit: int = ARCHIVE_BATCH) -> int:
    """Lay out and archive documents issued since the last pass; how many were archived."""
    with ctx.db.read() as session:
        pending = session.scalars(
            select(OfficialDocument.id).where(OfficialDocument.attachment_id.is_(None))
            .order_by(OfficialDocument.issued_at).limit(limit)).all()
    archived = 0
    for document_id in pending:
        try:
            archive(ctx, document_id)
        except Exception:  # whatever the layout raised
            # One document that cannot be laid out does not hold back the others: it is
            # tried again at the next pass, and its download shows the error.
            log.exception("official document %s could not be laid out", document_id)
            continue
        archived += 1
    return archived


def archive(ctx: AppContext, document_id: str) -> str:
    """The document's attachment id, laying it out and archiving it first if that is still
    to do. Two at once (the executor and a download) archive it once: the first to lock the
    row archives it, the other finds it archived."""
    with ctx.db.read() as session:
        document = session.get(OfficialDocument, document_id)
    if document.attachment_id is not None:
        return document.attachment_id
    # Laid out holding no connection: it takes ~0.3 s.
    pdf = document_pdf.to_pdf(document.html)
    with ctx.db.command() as session:
        document = session.scalars(select(OfficialDocument).where(OfficialDocument.id == document_id)
                                   .with_for_update()).one()
        if document.attachment_id is not None:
            return document.attachment_id
        attachment_id = collaboration.archive(
            session, session.get(ProcessInstance, document.instance_id), document.issued_by,
            f"{document.number}{document.title}.pdf", "application/pdf", pdf,
            f"{KINDS[document.kind].name} {document.number}", document.department_only, document.issued_at,
        )
        session.execute(update(OfficialDocument).where(OfficialDocument.id == document_id)
                        .values(attachment_id=attachment_id))
    return attachment_id


def pdf_of(ctx: AppContext, actor: Actor, document_id: str) -> dict:
    """The document's archived PDF as an attachment with its bytes, for a reader of it."""
    with ctx.db.read() as session:
        document = session.get(OfficialDocument, document_id)
        if document is None or not _may_read(session, actor, document):
            raise NotFound(f"公文 {document_id} 不存在或无权查看 / document not found")
    attachment_id = archive(ctx, document_id)
    with ctx.db.read() as session:
        return collaboration.get_attachment(session, actor, attachment_id)


def _may_read(session: Session, actor: Actor, document: OfficialDocument) -> bool:
    if document.department_only and not confidential.sees_all(actor):
        return False
    try:
        get_instance(session, actor, document.instance_id)
    except NotFound:
        return False
    return True


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
    query = select(OfficialDocument).options(defer(OfficialDocument.html)).where(condition)
    if not confidential.sees_all(actor):
        query = query.where(OfficialDocument.department_only.is_(False))
    return [{"id": d.id, "kind": d.kind, "kindName": KINDS[d.kind].name if d.kind in KINDS else d.kind,
             "number": d.number, "title": d.title, "attachmentId": d.attachment_id,
             "processInstanceId": d.instance_id, "issuedAt": d.issued_at,
             "signers": json.loads(d.signers_json)}
            for d in session.scalars(query.order_by(OfficialDocument.issued_at, OfficialDocument.sequence))]
