"""Camunda's identity writes: the password policy and a check against it, verifying one's
own credentials, changing a password, unlocking and deactivating a user, adding and removing
group members. Every change to users is an administrator's, with a reason (`reason`, beyond
Camunda, as on the administration pages), audited; a user changes only their own password."""
from flask import g, jsonify, request

from app.core import accounts, login_guard, passwords
from app.core.errors import BadRequest, ValidationFailed
from app.platform import administration

from . import blueprint, context, params

# Camunda's field names for what the password page calls the current and the new password.
_CAMUNDA_FIELDS = {"currentPassword": "authenticatedUserPassword", "newPassword": "password",
                   "confirmPassword": "password"}


@blueprint.get("/identity/password-policy")
def password_policy():
    params.known_only()
    return jsonify({"rules": [_rule(r) for r in passwords.rules(context().settings.password_min_length)]})


@blueprint.post("/identity/password-policy")
def check_password():
    params.known_only()
    body = params.json_body()
    params.known_fields(body, "password", "profile")
    password = _text(body, "password")
    profile = body.get("profile") or {}
    if not isinstance(profile, dict) or not isinstance(profile.get("id", ""), str):
        raise BadRequest("profile 应为用户资料对象 / profile must be a user profile",
                         [{"field": "profile", "message": "应为用户资料对象"}])
    user_id = profile.get("id", "")
    checked = [{**_rule(r), "valid": r.holds(password, user_id)}
               for r in passwords.rules(context().settings.password_min_length)]
    return jsonify({"rules": checked, "valid": all(r["valid"] for r in checked)})


@blueprint.post("/identity/verify")
def verify_credentials():
    params.known_only()
    body = params.json_body()
    params.known_fields(body, "username", "password")
    username, password = _text(body, "username"), _text(body, "password")
    ctx = context()
    with ctx.db.command() as session:
        authenticated = login_guard.verify(ctx, session, g.actor, username, password)
    return jsonify({"authenticatedUser": username, "authenticated": authenticated})


@blueprint.put("/user/<user_id>/credentials")
def change_credentials(user_id):
    params.known_only()
    body = params.json_body()
    params.known_fields(body, "password", "authenticatedUserPassword", "reason")
    password, confirmation = _text(body, "password"), _text(body, "authenticatedUserPassword")
    ctx = context()
    with ctx.db.command() as session:
        if user_id == g.actor.id:
            errors = accounts.change_own_password(ctx, session, user_id, confirmation, password, password,
                                                  g.actor.source, keep_session=None)
        else:
            errors = administration.set_password_confirmed(ctx, session, g.actor, user_id, password, confirmation,
                                                           body.get("reason"))
    if errors:
        raise ValidationFailed("密码未修改 / the password was not changed",
                               [{**e, "field": _CAMUNDA_FIELDS.get(e["field"], e["field"])} for e in errors])
    return "", 204


@blueprint.post("/user/<user_id>/unlock")
def unlock_user(user_id):
    return _administered(administration.unlock_user, user_id)


@blueprint.delete("/user/<user_id>")
def deactivate_user(user_id):
    """Camunda deletes the user; here the account is taken out of use, as records name it."""
    return _administered(administration.deactivate_user, user_id)


@blueprint.put("/group/<group_id>/members/<user_id>")
def add_member(group_id, user_id):
    return _administered(lambda ctx, session, actor, user, reason: administration.add_member(
        ctx, session, actor, group_id, user, reason), user_id)


@blueprint.delete("/group/<group_id>/members/<user_id>")
def remove_member(group_id, user_id):
    return _administered(lambda ctx, session, actor, user, reason: administration.remove_member(
        ctx, session, actor, group_id, user, reason), user_id)


def _administered(change, user_id: str):
    """An administrator's change to a user, with the reason given as `?reason=` or in the
    body (Camunda's call has no body)."""
    params.known_only("reason")
    body = params.json_body()
    params.known_fields(body, "reason")
    ctx = context()
    with ctx.db.command() as session:
        change(ctx, session, g.actor, user_id, body.get("reason") or request.args.get("reason"))
    return "", 204


def _rule(rule: passwords.Rule) -> dict:
    """A rule as Camunda shows it; its parameters under both names Camunda has given them
    (`parameter`, and `parameters` before 7.15, which clients such as pycamunda read)."""
    return {"placeholder": rule.placeholder, "parameter": rule.parameter, "parameters": rule.parameter}


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise BadRequest(f"{name} 应为文本 / {name} must be a text", [{"field": name, "message": "应为文本"}])
    return value
