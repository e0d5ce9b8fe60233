"""The registry pages (中心名录): the registered centers and each center's dossier, scoped
like /api/centers (a center's own staff see it, a supervising unit its centers, the
department side all): the services decide, the pages only show."""
from __future__ import annotations

from flask import render_template, request

from app.core.errors import BadRequest
from app.tic import center_import, dossier, registry

from .. import auth, xlsx
from ..auth import i18n
from ..current import context
from ..tasklist import framed_blueprint
from .. import code_names  # noqa: F401  (registers the names of the registry's codes)
from .messages import MESSAGES

blueprint = framed_blueprint("registry_pages", __name__)
i18n.register(MESSAGES)
ACTIVE = "registry_pages.centers"


@blueprint.get("/registry")
def centers():
    with context().db.read() as session:
        rows = registry.list_centers(session, auth.current_actor())
    return render_template("registry_pages/centers.html", centers=rows, active_box=ACTIVE,
                           may_import=center_import.may_import(auth.current_actor()))


# The import's routes come first: a center code never contains "/" or "import".
@blueprint.get("/registry/import")
def import_form():
    center_import.check_importer(auth.current_actor())
    return render_template("registry_pages/import.html", report=None, headers=center_import.HEADERS,
                           active_box=ACTIVE)


@blueprint.get("/registry/import/template.xlsx")
def import_template():
    center_import.check_importer(auth.current_actor())
    return xlsx.download(xlsx.workbook("中心导入", list(center_import.HEADERS), []), "技术创新中心导入模板.xlsx")


@blueprint.post("/registry/import")
def import_upload():
    upload = request.files.get("file")
    ctx = context()
    try:
        with ctx.db.command() as session:
            report = center_import.import_centers(ctx, session, auth.current_actor(),
                                                  upload.read() if upload else b"")
    except BadRequest as error:
        return render_template("registry_pages/import.html", report=None, refusal=error.message,
                               headers=center_import.HEADERS, active_box=ACTIVE), 400
    status = 200 if report["imported"] else 400
    return render_template("registry_pages/import.html", report=report, headers=center_import.HEADERS,
                           active_box=ACTIVE), status


@blueprint.get("/registry/<code>")
def center(code: str):
    with context().db.read() as session:
        shown = dossier.dossier(session, auth.current_actor(), code)
    return render_template("registry_pages/center.html", d=shown, c=shown["center"], active_box=ACTIVE)
