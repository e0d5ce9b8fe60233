"""/admin/users: the list, a new user, and one user's page (profile, groups, password reset,
deactivation), each change with its reason."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.core.errors import BadRequest
from app.platform import administration

from . import blueprint, command, read, refused_form

ACTIVE = "admin.users"


@blueprint.get("/admin/users")
def users():
    return render_template("admin/users.html", users=read(administration.users), active_box=ACTIVE)


# Not under /admin/users/: a user may be called "new".
@blueprint.get("/admin/new-user")
def new_user():
    return render_template("admin/user_new.html", values={}, errors={}, refusal=None,
                           groups=administration.KNOWN_GROUPS,
                           organizations=read(administration.organizations), active_box=ACTIVE)


@blueprint.post("/admin/users")
def create_user():
    form = request.form
    user_id = form.get("userId", "").strip()
    try:
        command(administration.create_user, user_id, form.get("displayName", ""),
                form.get("organization", ""), form.getlist("groups"), form.get("password", ""),
                form.get("reason", ""))
    except BadRequest as error:
        return refused_form("admin/user_new.html", error, values=_without_password(form),
                            groups=administration.KNOWN_GROUPS,
                            organizations=read(administration.organizations), active_box=ACTIVE)
    flash("admin.created_user", "key")
    return redirect(url_for("admin.user", user_id=user_id))


@blueprint.get("/admin/users/<user_id>")
def user(user_id: str):
    return _user_page(user_id)


def _user_page(user_id: str, refused: BadRequest | None = None, form: str | None = None):
    shown = {"user": read(administration.user, user_id), "groups": administration.KNOWN_GROUPS,
             "organizations": read(administration.organizations), "active_box": ACTIVE,
             "form": form, "values": _without_password(request.form)}
    if refused is not None:
        return refused_form("admin/user.html", refused, **shown)
    return render_template("admin/user.html", errors={}, refusal=None, **shown)


# Each form of the user's page posts here; a refusal shows the page with that form's errors.
_CHANGES = {
    "profile": lambda uid, f: (administration.update_user, uid, f.get("displayName", ""),
                               f.get("organization", ""), f.get("reason", "")),
    "groups": lambda uid, f: (administration.set_groups, uid, f.getlist("groups"), f.get("reason", "")),
    "password": lambda uid, f: (administration.reset_password, uid, f.get("password", ""), f.get("reason", "")),
    "deactivate": lambda uid, f: (administration.deactivate_user, uid, f.get("reason", "")),
}
_DONE = {"profile": "admin.saved", "groups": "admin.saved", "password": "admin.password_reset"}


@blueprint.post("/admin/users/<user_id>/<any(profile, groups, password, deactivate):change>")
def change_user(user_id: str, change: str):
    use_case, *args = _CHANGES[change](user_id, request.form)
    try:
        outcome = command(use_case, *args)
    except BadRequest as error:
        return _user_page(user_id, error, change)
    if change == "deactivate":
        flash(f"账号已停用，结束会话 {outcome} 个 / deactivated, {outcome} sessions ended")
    else:
        flash(_DONE[change], "key")
    return redirect(url_for("admin.user", user_id=user_id))


def _without_password(form) -> dict:
    """What was typed, to show again: never a password."""
    return {key: form.getlist(key) if key == "groups" else form.get(key)
            for key in form if key not in ("password", "csrf_token")}
