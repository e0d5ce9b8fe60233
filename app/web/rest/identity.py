"""Camunda's identity read resources: users (list, count, profile), groups (list, count,
one) and a user's groups with those who share them (/identity/groups). Who reads whom is `user_directory`'s rule; the filters are Camunda's that our
accounts can answer (no last name or e-mail is kept: those filters are refused by name)."""
from flask import g, jsonify, request

from app.core.errors import BadRequest
from app.platform import user_directory

from ..auth.messages import MESSAGES
from . import blueprint, context, params, sorting

USER_FILTERS = ("id", "idIn", "firstName", "firstNameLike", "memberOfGroup")
GROUP_FILTERS = ("id", "idIn", "name", "nameLike", "type", "member")


@blueprint.get("/user")
def list_users():
    params.known_only(*USER_FILTERS, *sorting.PARAMETERS, *params.PAGING)
    sort = sorting.sort_arg(tuple(user_directory.USER_SORTS), "userId")
    with context().db.read() as session:
        found = user_directory.list_users(session, g.actor, _user_filter(), sort, params.page())
        return jsonify([_profile(u) for u in found])


@blueprint.get("/user/count")
def count_users():
    params.known_only(*USER_FILTERS)
    with context().db.read() as session:
        return jsonify({"count": user_directory.count_users(session, g.actor, _user_filter())})


@blueprint.get("/user/<user_id>/profile")
def user_profile(user_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(_profile(user_directory.profile(session, g.actor, user_id)))


@blueprint.get("/group")
def list_groups():
    params.known_only(*GROUP_FILTERS, *sorting.PARAMETERS, *params.PAGING)
    sort = sorting.sort_arg(user_directory.GROUP_SORTS, "id")
    page = params.page()
    with context().db.read() as session:
        found = user_directory.groups(session, g.actor, _group_filter(), _group_names(), sort)
    end = None if page.limit is None else page.offset + page.limit
    return jsonify(found[page.offset:end])


@blueprint.get("/group/count")
def count_groups():
    params.known_only(*GROUP_FILTERS)
    with context().db.read() as session:
        return jsonify({"count": len(user_directory.groups(session, g.actor, _group_filter(), _group_names()))})


@blueprint.get("/group/<group_id>")
def get_group(group_id):
    params.known_only()
    with context().db.read() as session:
        return jsonify(user_directory.group(session, g.actor, group_id, _group_names()))


@blueprint.get("/identity/groups")
def identity_groups():
    params.known_only("userId")
    user_id = request.args.get("userId")
    if not user_id:
        raise BadRequest("userId 不能为空 / userId is required", [{"field": "userId", "message": "此项为必填项"}])
    with context().db.read() as session:
        found, sharing = user_directory.user_groups(session, g.actor, user_id, _group_names())
        return jsonify({
            "groups": [{"id": group["id"], "name": group["name"]} for group in found],
            "groupUsers": [{"id": u.id, "firstName": u.display_name, "lastName": "", "displayName": u.display_name}
                           for u in sharing],
        })


def _profile(user) -> dict:
    return {"id": user.id, "firstName": user.display_name, "lastName": "", "email": None}


def _group_names() -> dict[str, str]:
    """Each group's Chinese name, as the administration pages show it."""
    return {key.removeprefix("group."): zh for key, (zh, _en) in MESSAGES.items() if key.startswith("group.")}


def _ids(name: str) -> tuple[str, ...] | None:
    value = request.args.get(name)
    return None if value is None else tuple(part for part in value.split(",") if part)


def _user_filter() -> user_directory.UserFilter:
    args = request.args
    return user_directory.UserFilter(
        id=args.get("id"), ids=_ids("idIn"), first_name=args.get("firstName"),
        first_name_like=args.get("firstNameLike"), member_of_group=args.get("memberOfGroup"))


def _group_filter() -> user_directory.GroupFilter:
    args = request.args
    return user_directory.GroupFilter(
        id=args.get("id"), ids=_ids("idIn"), name=args.get("name"), name_like=args.get("nameLike"),
        type=user_directory.check_group_type(args.get("type")), member=args.get("member"))

