"""The password policy's rules, without a database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from app.core.passwords import change_due, character_classes, policy_errors

NOW = datetime(2026, 12, 6, tzinfo=timezone.utc)


def messages(password: str, user_id: str = "wang", min_length: int = 8) -> list[str]:
    return [e["message"] for e in policy_errors(password, user_id, min_length)]


@pytest.mark.parametrize("password", ["Tianshan-2026", "xinjiang2026!", "KASHGAR#oasis", "棉花Cotton2026"])
def test_a_long_password_with_three_classes_passes(password):
    assert messages(password) == []


def test_a_short_password_is_refused_with_the_minimum_named():
    assert messages("Ab1!x") == ["密码长度至少 8 位 / at least 8 characters"]
    assert messages("Abcdef1!", min_length=12)[0].startswith("密码长度至少 12 位")


@pytest.mark.parametrize("password", ["alllowercase", "ALLUPPER2026", "12345678901", "abc-def-ghi"])
def test_two_classes_are_not_enough(password):
    assert messages(password) == ["密码须包含大写字母、小写字母、数字、符号中的至少三类 / use at least "
                                  "three of: upper-case letters, lower-case letters, digits, symbols"]


def test_the_user_name_is_refused_whatever_its_case():
    assert "密码不能与用户名相同 / the password must not be the user name" in messages(
        "Wang.Lei-2026", user_id="wang.lei-2026")


def test_an_overlong_password_is_refused():
    assert messages("Aa1!" * 40)[0].startswith("密码长度不能超过 128 位")


def test_errors_name_the_field():
    assert {e["field"] for e in policy_errors("x", "wang", 8, field="password")} == {"password"}


def test_character_classes_count_spaces_as_nothing():
    assert character_classes("abc DEF") == 2
    assert character_classes("abc DEF 1") == 3
    assert character_classes("abc DEF 1 !") == 4


def user(**fields):
    values = {"is_demo": False, "must_change_password": False, "password_changed_at": NOW}
    return SimpleNamespace(**{**values, **fields})


def test_a_flagged_user_must_change():
    assert change_due(user(must_change_password=True), NOW, 90)


def test_a_password_older_than_the_maximum_age_must_change():
    assert not change_due(user(password_changed_at=NOW - timedelta(days=90)), NOW, 90)
    assert change_due(user(password_changed_at=NOW - timedelta(days=90, seconds=1)), NOW, 90)
    assert change_due(user(password_changed_at=None), NOW, 90)


def test_demo_accounts_are_exempt():
    assert not change_due(user(is_demo=True, must_change_password=True, password_changed_at=None),
                          NOW, 90)
