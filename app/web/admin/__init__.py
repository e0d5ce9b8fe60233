"""The admin pages (系统管理): users, organizations, group membership, the working-day
calendar and the official documents' templates, for administrators only. Every handler parses
the form, calls one use case of `app.platform.administration`, `working_calendar` or the
documents' templates (which decide who may and audit each change) and renders; a refused
form comes back with the errors beside its fields and nothing typed lost, except passwords."""
from __future__ import annotations

from flask import render_template

from app.core.errors import BadRequest

from .. import auth
from ..auth import i18n
from ..current import context
from ..tasklist import framed_blueprint
from .. import code_names  # noqa: F401  (registers the organization kinds' names)
from .messages import MESSAGES

blueprint = framed_blueprint("admin", __name__)
i18n.register(MESSAGES)


def read(use_case, *args):
    """One read use case as the signed-in administrator."""
    with context().db.read() as session:
        return use_case(session, auth.current_actor(), *args)


def command(use_case, *args):
    """One change as the signed-in administrator, in one unit of work."""
    ctx = context()
    with ctx.db.command() as session:
        return use_case(ctx, session, auth.current_actor(), *args)


def refused_form(template: str, error: BadRequest, **page):
    """The form again, with the use case's errors by field (400)."""
    by_field: dict[str, list[str]] = {}
    for item in error.errors:
        by_field.setdefault(item["field"], []).append(item["message"])
    return render_template(template, errors=by_field, refusal=error.message, **page), 400


from . import documents_page, groups_page, holidays_page, organizations_page, users_page  # noqa: E402,F401  (the routes)
