"""/admin/organizations: the list with a form for a new one, and one organization's page to
rename it or correct its kind (its id, which cases and scoped groups name, stays)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.core.errors import BadRequest
from app.platform import administration

from . import blueprint, command, read, refused_form

ACTIVE = "admin.organizations"


@blueprint.get("/admin/organizations")
def organizations():
    return render_template("admin/organizations.html", organizations=read(administration.organizations),
                           kinds=administration.KINDS, values={}, errors={}, refusal=None, active_box=ACTIVE)


@blueprint.post("/admin/organizations")
def create_organization():
    form = request.form
    org_id = form.get("organizationId", "").strip()
    try:
        command(administration.create_organization, org_id, form.get("name", ""), form.get("kind", ""),
                form.get("reason", ""))
    except BadRequest as error:
        return refused_form("admin/organizations.html", error, organizations=read(administration.organizations),
                            kinds=administration.KINDS, values=form, active_box=ACTIVE)
    flash("admin.created_org", "key")
    return redirect(url_for("admin.organizations"))


@blueprint.get("/admin/organizations/<org_id>")
def organization(org_id: str):
    return render_template("admin/organization.html", org=read(administration.organization, org_id),
                           kinds=administration.KINDS, values={}, errors={}, refusal=None, active_box=ACTIVE)


@blueprint.post("/admin/organizations/<org_id>")
def update_organization(org_id: str):
    form = request.form
    try:
        command(administration.update_organization, org_id, form.get("name", ""), form.get("kind", ""),
                form.get("reason", ""))
    except BadRequest as error:
        return refused_form("admin/organization.html", error, org=read(administration.organization, org_id),
                            kinds=administration.KINDS, values=form, active_box=ACTIVE)
    flash("admin.saved", "key")
    return redirect(url_for("admin.organization", org_id=org_id))
