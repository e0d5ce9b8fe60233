"""Reading the users and groups as Camunda's identity service answers them (read only:
accounts are changed on the administration pages).

Who reads what, by least exposure:
- the department side (`department`, `department_leader`, `manager`, `agency`, `admin`),
  who work with every unit, read every user;
- any other signed-in user (a lead unit's, a center's, a recommender's staff, an expert,
  an analyst) reads the users of their own organization only: the people they share work
  with, never another applicant's or who sits on an expert panel;
- service accounts read nothing, as everywhere else.
Groups are the roles of DOMAIN.md, public to every reader; what a group filter tells about a
user (`member`, `memberOfGroup`) is told only of users the reader may read.

A user's profile is Camunda's four fields and no more: the display name is a full name, so
it is `firstName` and `lastName` stays empty; no e-mail address is kept, so `email` is null
for every reader. Password hashes, organization and account state never leave here."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import User, UserGroup

from app.core.errors import BadRequest, Forbidden, NotFound
from app.core.identity import SERVICE_GROUP, Actor
from app.platform.administration import KNOWN_GROUPS

# Camunda's SYSTEM groups are those that run the system rather than take part in processes.
SYSTEM_GROUPS = frozenset({"admin", "service"})
LIKE_ESCAPE = "\\"
# Camunda's sortBy values -> what they sort by.
USER_SORTS = {"userId": User.id, "firstName": User.display_name}
GROUP_SORTS = ("id", "name", "type")


@dataclass(frozen=True)
class UserFilter:
    id: str | None = None
    ids: tuple[str, ...] | None = None
    first_name: str | None = None
    first_name_like: str | None = None
    member_of_group: str | None = None


@dataclass(frozen=True)
class GroupFilter:
    id: str | None = None
    ids: tuple[str, ...] | None = None
    name: str | None = None
    name_like: str | None = None
    type: str | None = None
    member: str | None = None


def _require_reader(actor: Actor) -> None:
    if actor.in_any({SERVICE_GROUP}) and not actor.sees_everything:
        raise Forbidden("服务账号不能查询用户目录 / service accounts do not read the directory")


def _scoped(actor: Actor, query):
    if actor.sees_everything:
        return query
    return query.where(User.organization_id == actor.organization_id)


def users_query(actor: Actor, wanted: UserFilter):
    _require_reader(actor)
    query = _scoped(actor, select(User))
    if wanted.id is not None:
        query = query.where(User.id == wanted.id)
    if wanted.ids is not None:
        query = query.where(User.id.in_(wanted.ids))
    if wanted.first_name is not None:
        query = query.where(User.display_name == wanted.first_name)
    if wanted.first_name_like is not None:
        pattern = _like_pattern(wanted.first_name_like, "firstNameLike")
        query = query.where(User.display_name.like(pattern, escape=LIKE_ESCAPE))
    if wanted.member_of_group is not None:
        query = query.where(User.id.in_(select(UserGroup.user_id).where(UserGroup.group_id == wanted.member_of_group)))
    return query


def list_users(session: Session, actor: Actor, wanted: UserFilter, sort: tuple[str, bool], page) -> list[User]:
    """`sort`: (a USER_SORTS key, descending)."""
    column = USER_SORTS[sort[0]]
    query = users_query(actor, wanted).order_by(column.desc() if sort[1] else column, User.id)
    return list(session.scalars(page.apply(query)))


def count_users(session: Session, actor: Actor, wanted: UserFilter) -> int:
    return session.scalar(select(func.count()).select_from(users_query(actor, wanted).subquery()))


def profile(session: Session, actor: Actor, user_id: str) -> User:
    found = session.scalar(users_query(actor, UserFilter(id=user_id)))
    if found is None:
        raise NotFound(f"用户 {user_id} 不存在 / no user with id {user_id}")
    return found


def groups(session: Session, actor: Actor, wanted: GroupFilter, names: dict[str, str],
           sort: tuple[str, bool] = ("id", False)) -> list[dict]:
    """The groups matching `wanted`, each {id, name, type}, sorted by `sort` (a GROUP_SORTS
    value, descending); `names` gives a group's name as people read it (else its id)."""
    _require_reader(actor)
    if wanted.name_like is not None:
        _like_pattern(wanted.name_like, "nameLike")
    ids = set(KNOWN_GROUPS) | set(session.scalars(select(UserGroup.group_id).distinct()))
    if wanted.member is not None:
        ids &= _groups_of(session, actor, wanted.member)
    found = [{"id": g, "name": names.get(g, g), "type": "SYSTEM" if g in SYSTEM_GROUPS else "WORKFLOW"}
             for g in ids]
    found.sort(key=lambda g: g["id"])
    found.sort(key=lambda g: g[sort[0]], reverse=sort[1])
    return [g for g in found if _matches(g, wanted)]


def group(session: Session, actor: Actor, group_id: str, names: dict[str, str]) -> dict:
    found = groups(session, actor, GroupFilter(id=group_id), names)
    if not found:
        raise NotFound(f"用户组 {group_id} 不存在 / no group with id {group_id}")
    return found[0]


def user_groups(session: Session, actor: Actor, user_id: str, names: dict[str, str]) -> tuple[list[dict], list[User]]:
    """Camunda's /identity/groups: a user's groups and the users who share one with them,
    each as far as `actor` may read (a user out of reach has no groups here)."""
    found = groups(session, actor, GroupFilter(member=user_id), names)
    members = select(UserGroup.user_id).where(UserGroup.group_id.in_([g["id"] for g in found]))
    sharing = users_query(actor, UserFilter()).where(User.id.in_(members)).order_by(User.id)
    return found, list(session.scalars(sharing))


def _groups_of(session: Session, actor: Actor, user_id: str) -> set[str]:
    """A readable user's groups; none for a user out of the reader's reach."""
    readable = users_query(actor, UserFilter(id=user_id)).with_only_columns(User.id)
    return set(session.scalars(select(UserGroup.group_id).where(UserGroup.user_id.in_(readable))))


def _matches(group_row: dict, wanted: GroupFilter) -> bool:
    return ((wanted.id is None or group_row["id"] == wanted.id)
            and (wanted.ids is None or group_row["id"] in wanted.ids)
            and (wanted.name is None or group_row["name"] == wanted.name)
            and (wanted.name_like is None or _like(wanted.name_like, group_row["name"]))
            and (wanted.type is None or group_row["type"] == wanted.type))


def _like_pattern(pattern: str, field: str) -> str:
    """PostgreSQL refuses a pattern that ends in a lone escape character: a 400, not a 500."""
    trailing = len(pattern) - len(pattern.rstrip(LIKE_ESCAPE))
    if trailing % 2:
        raise BadRequest(f"{field} 不能以单个 \\ 结尾 / {field} must not end with a lone escape character",
                         [{"field": field, "message": "不能以单个 \\ 结尾"}])
    return pattern


def _like(pattern: str, text: str) -> bool:
    """SQL LIKE over a name held in memory: % any run, _ one character, \\ escapes."""
    regex, escaped = [], False
    for char in pattern:
        if escaped:
            regex.append(re.escape(char))
            escaped = False
        elif char == LIKE_ESCAPE:
            escaped = True
        else:
            regex.append({"%": ".*", "_": "."}.get(char, re.escape(char)))
    return re.fullmatch("".join(regex), text, re.DOTALL) is not None


def check_group_type(value: str | None) -> str | None:
    if value is not None and value not in ("WORKFLOW", "SYSTEM"):
        raise BadRequest("type 应为 WORKFLOW 或 SYSTEM / type must be WORKFLOW or SYSTEM",
                         [{"field": "type", "message": "应为 WORKFLOW 或 SYSTEM"}])
    return value
