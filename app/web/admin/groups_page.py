"""/admin/groups: every group with its members; a member added or removed, with a reason."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.core.errors import BadRequest
from app.platform import administration

from . import blueprint, command, read, refused_form

ACTIVE = "admin.groups"


def _page(**shown):
    return {"groups": read(administration.groups), "users": read(administration.users), "active_box": ACTIVE,
            **shown}


@blueprint.get("/admin/groups")
def groups():
    return render_template("admin/groups.html", errors={}, refusal=None, values={}, **_page())


@blueprint.post("/admin/groups/<group>/<any(add, remove):change>")
def change_membership(group: str, change: str):
    use_case = administration.add_member if change == "add" else administration.remove_member
    try:
        command(use_case, group, request.form.get("userId", ""), request.form.get("reason", ""))
    except BadRequest as error:
        return refused_form("admin/groups.html", error, **_page(values={**request.form, "group": group}))
    flash("admin.saved", "key")
    return redirect(url_for("admin.groups", _anchor=f"group-{group}"))
