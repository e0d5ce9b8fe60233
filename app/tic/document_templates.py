"""The official documents' templates as administrators edit them (/admin/documents): the
kinds, each kind's template (the shipped one until an administrator saves another), a
preview on sample data, and saving, which refuses a template that does not render (the
error names the line). Administrators only, decided here; each save is audited."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import DocumentTemplate

from app.core import audit
from app.core.context import AppContext
from app.core.errors import NotFound, ValidationFailed
from app.core.identity import Actor
from app.platform import permissions
from app.tic import document_pdf
from app.tic.document_kinds import KINDS, DocumentKind

MAX_LENGTH = 100_000
FIELD = "body"


def kinds(session: Session, actor: Actor) -> list[dict]:
    """Every kind, with whether (and by whom) its template was changed."""
    permissions.enforce(permissions.administration_refusal(actor))
    saved = {t.kind: t for t in session.scalars(select(DocumentTemplate))}
    return [{"key": k.key, "name": k.name, "departmentOnly": k.department_only,
             "updatedBy": saved[k.key].updated_by if k.key in saved else None,
             "updatedAt": saved[k.key].updated_at if k.key in saved else None}
            for k in KINDS.values()]


def editor(session: Session, actor: Actor, kind_key: str) -> dict:
    """A kind and its template in force."""
    permissions.enforce(permissions.administration_refusal(actor))
    kind = _kind(kind_key)
    return {"key": kind.key, "name": kind.name, "body": template_of(session, kind.key),
            "customized": session.get(DocumentTemplate, kind.key) is not None}


def template_of(session: Session, kind_key: str) -> str:
    saved = session.get(DocumentTemplate, kind_key)
    return saved.body if saved is not None else KINDS[kind_key].shipped_template()


def preview(session: Session, actor: Actor, kind_key: str, body: str) -> bytes:
    """The template rendered on the kind's sample data, as PDF."""
    permissions.enforce(permissions.administration_refusal(actor))
    kind = _kind(kind_key)
    return document_pdf.to_pdf(_checked(kind, body))


def save(ctx: AppContext, session: Session, actor: Actor, kind_key: str, body: str) -> None:
    permissions.enforce(permissions.administration_refusal(actor))
    kind = _kind(kind_key)
    _checked(kind, body)
    saved = session.get(DocumentTemplate, kind.key)
    if saved is None:
        saved = DocumentTemplate(kind=kind.key)
        session.add(saved)
    saved.body, saved.updated_by, saved.updated_at = body, actor.id, ctx.now()
    audit.record(ctx, session, "document_template.save", user_id=actor.id, target=kind.key, source=actor.source)


def restore(ctx: AppContext, session: Session, actor: Actor, kind_key: str) -> None:
    """Back to the shipped template."""
    permissions.enforce(permissions.administration_refusal(actor))
    kind = _kind(kind_key)
    saved = session.get(DocumentTemplate, kind.key)
    if saved is not None:
        session.delete(saved)
    audit.record(ctx, session, "document_template.restore", user_id=actor.id, target=kind.key, source=actor.source)


def _kind(kind_key: str) -> DocumentKind:
    kind = KINDS.get(kind_key)
    if kind is None:
        raise NotFound(f"公文类型 {kind_key} 不存在 / no such document kind")
    return kind


def _checked(kind: DocumentKind, body) -> str:
    """The template's HTML on the sample data; refused with the line at fault if it fails."""
    if not isinstance(body, str) or not body.strip() or len(body) > MAX_LENGTH:
        raise ValidationFailed("模板不符合要求 / invalid template", [{
            "field": FIELD, "message": f"模板：不能为空，且不能超过 {MAX_LENGTH} 个字符"}])
    try:
        return document_pdf.render_html(body, kind.sample)
    except document_pdf.TemplateProblem as problem:
        raise ValidationFailed(f"{problem.message} / the template does not render",
                               [{"field": FIELD, "message": problem.message}]) from None
