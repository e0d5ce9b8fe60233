"""The password policy (等保 2.0 level 2): a minimum length, three of four character classes,
not the user name, and a change every so often. Pure rules, no database: the sign-in paths
and the account use cases ask them."""
from __future__ import annotations

import string
from datetime import datetime, timedelta

MAX_LENGTH = 128
REQUIRED_CLASSES = 3
CLASSES = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
)


def policy_errors(password: str, user_id: str, min_length: int,
                  field: str = "newPassword") -> list[dict]:
    """What is wrong with `password` as a new password for `user_id`, one error per rule."""
    errors = []
    if len(password) < min_length:
        errors.append(f"密码长度至少 {min_length} 位 / at least {min_length} characters")
    if len(password) > MAX_LENGTH:
        errors.append(f"密码长度不能超过 {MAX_LENGTH} 位 / at most {MAX_LENGTH} characters")
    if character_classes(password) < REQUIRED_CLASSES:
        errors.append("密码须包含大写字母、小写字母、数字、符号中的至少三类 / use at least three "
                      "of: upper-case letters, lower-case letters, digits, symbols")
    if user_id and password.casefold() == user_id.casefold():
        errors.append("密码不能与用户名相同 / the password must not be the user name")
    return [{"field": field, "message": message} for message in errors]


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
