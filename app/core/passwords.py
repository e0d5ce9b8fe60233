"""The password policy (等保 2.0 level 2): a minimum length, three of four character classes,
not the user name, and a change every so often. Pure rules, no database: the sign-in paths
and the account use cases ask them."""
from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_LENGTH = 128
REQUIRED_CLASSES = 3
CLASSES = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
)


@dataclass(frozen=True)
class Rule:
    """One rule of the policy, named as Camunda's password policy names its rules
    (`placeholder`, `parameter`), with what a password that breaks it is told."""

    placeholder: str
    parameter: dict
    message: str
    holds: Callable[[str, str], bool]


def rules(min_length: int) -> list[Rule]:
    """The policy, for passwords at least `min_length` long."""
    return [
        Rule("PASSWORD_POLICY_LENGTH", {"minLength": str(min_length)},
             f"密码长度至少 {min_length} 位 / at least {min_length} characters",
             lambda password, _user: len(password) >= min_length),
        Rule("PASSWORD_POLICY_MAX_LENGTH", {"maxLength": str(MAX_LENGTH)},
             f"密码长度不能超过 {MAX_LENGTH} 位 / at most {MAX_LENGTH} characters",
             lambda password, _user: len(password) <= MAX_LENGTH),
        Rule("PASSWORD_POLICY_CHARACTER_CLASSES", {"minClasses": str(REQUIRED_CLASSES)},
             "密码须包含大写字母、小写字母、数字、符号中的至少三类 / use at least three "
             "of: upper-case letters, lower-case letters, digits, symbols",
             lambda password, _user: character_classes(password) >= REQUIRED_CLASSES),
        Rule("PASSWORD_POLICY_USER_DATA", {}, "密码不能与用户名相同 / the password must not be the user name",
             lambda password, user: not (user and password.casefold() == user.casefold())),
    ]


def policy_errors(password: str, user_id: str, min_length: int,
                  field: str = "newPassword") -> list[dict]:
    """What is wrong with `password` as a new password for `user_id`, one error per rule."""
    return [{"field": field, "message": rule.message} for rule in rules(min_length)
            if not rule.holds(password, user_id)]


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols (anything else) it uses."""
    found = sum(1 for _name, members in CLASSES if any(c in members for c in password))
    has_symbol = any(not any(c in members for _n, members in CLASSES) and not c.isspace()
                     for c in password)
    return found + has_symbol


def change_due(user, now: datetime, max_age_days: int) -> bool:
    """Whether `user` must set a new password before anything else: an administrator set
    it (a new account, a reset), or it is older than the maximum age. Demo accounts are
    exempt (production refuses them anyway).

    `user` is anything with `is_demo`, `must_change_password` and `password_changed_at`."""
    if user.is_demo:
        return False
    if user.must_change_password or user.password_changed_at is None:
        return True
    return now - user.password_changed_at > timedelta(days=max_age_days)
