"""Camunda's identity writes through /engine-rest: the password policy, verifying one's own
credentials, changing a password, unlocking, deactivating and regrouping users. A user
changes only their own password; every other change is an administrator's, with a reason,
audited."""
from __future__ import annotations

from tests.support.clients import basic

STRONG = "Tianshan-2026"


def sign_in(client, user: str, password: str = "demo"):
    return client.get("/engine-rest/version", headers=basic(user, password))


def audited(client, action: str) -> list[dict]:
    response = client.get(f"/api/audit?action={action}", headers=basic("admin"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_password_policy_and_a_check_against_it(rest):
    officer = rest("officer")
    rules = {r["placeholder"]: r["parameter"] for r in officer.get("/identity/password-policy").get_json()["rules"]}
    assert rules["PASSWORD_POLICY_LENGTH"] == {"minLength": "8"}
    assert set(rules) >= {"PASSWORD_POLICY_CHARACTER_CLASSES", "PASSWORD_POLICY_USER_DATA"}
    weak = officer.post("/identity/password-policy", json={"password": "abc"}).get_json()
    assert weak["valid"] is False
    assert {r["placeholder"]: r["valid"] for r in weak["rules"]}["PASSWORD_POLICY_LENGTH"] is False
    assert officer.post("/identity/password-policy", json={"password": STRONG}).get_json()["valid"] is True
    own_name = officer.post("/identity/password-policy", json={"password": "Officer", "profile": {"id": "officer"}})
    assert {r["placeholder"]: r["valid"] for r in own_name.get_json()["rules"]}["PASSWORD_POLICY_USER_DATA"] is False
    refused = officer.post("/identity/password-policy", json={"password": 12345678})
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["field"] == "password"


def test_a_user_verifies_their_own_credentials_counted_as_sign_ins(rest, client):
    officer = rest("officer")
    assert officer.post("/identity/verify", json={"username": "officer", "password": "demo"}).get_json() == {
        "authenticatedUser": "officer", "authenticated": True}
    assert officer.post("/identity/verify", json={"username": "leader", "password": "demo"}).status_code == 403
    leader = rest("leader")
    for _ in range(5):
        assert leader.post("/identity/verify", json={"username": "leader", "password": "wrong"}).get_json()[
            "authenticated"] is False
    assert sign_in(client, "leader").status_code == 429, "five wrong verifications lock the name"


def test_a_user_changes_their_own_password_with_the_current_one(rest, client):
    officer = rest("officer")
    wrong = officer.put("/user/officer/credentials", json={"password": STRONG, "authenticatedUserPassword": "nope"})
    assert wrong.status_code == 400 and wrong.get_json()["errors"][0]["field"] == "authenticatedUserPassword"
    weak = officer.put("/user/officer/credentials", json={"password": "short", "authenticatedUserPassword": "demo"})
    assert weak.status_code == 400 and {e["field"] for e in weak.get_json()["errors"]} == {"password"}
    assert officer.put("/user/officer/credentials", json={
        "password": STRONG, "authenticatedUserPassword": "demo"}).status_code == 204
    assert sign_in(client, "officer", STRONG).status_code == 200
    assert sign_in(client, "officer").status_code == 401


def test_an_administrator_sets_anothers_password_with_their_own_and_a_reason(rest, client):
    admin = rest("admin")
    body = {"password": STRONG, "authenticatedUserPassword": "demo", "reason": "本人遗忘密码，书面申请重置"}
    assert rest("leader").put("/user/officer/credentials", json=body).status_code == 403
    assert admin.put("/user/officer/credentials", json={**body, "reason": None}).get_json()["errors"][0][
        "field"] == "reason"
    wrong = admin.put("/user/officer/credentials", json={**body, "authenticatedUserPassword": "nope"})
    assert wrong.status_code == 400 and wrong.get_json()["errors"][0]["field"] == "authenticatedUserPassword"
    assert admin.put("/user/officer/credentials", json=body).status_code == 204
    assert sign_in(client, "officer").status_code == 401 and sign_in(client, "officer", STRONG).status_code == 200
    assert [e["target"] for e in audited(client, "password.reset") if e["success"]] == ["officer"]


def test_an_administrator_unlocks_a_locked_user(rest, client):
    for _ in range(5):
        sign_in(client, "leader", "wrong")
    assert sign_in(client, "leader").status_code == 429
    assert rest("officer").post("/user/leader/unlock?reason=x").status_code == 403
    no_reason = rest("admin").post("/user/leader/unlock")
    assert no_reason.status_code == 400 and no_reason.get_json()["errors"][0]["field"] == "reason"
    assert rest("admin").post("/user/leader/unlock", json={"reason": "本人电话确认"}).status_code == 204
    assert sign_in(client, "leader").status_code == 200
    [entry] = [e for e in audited(client, "login.unlock") if e["success"]]
    assert (entry["target"], entry["details"]["wasLocked"]) == ("leader", True)
    assert rest("admin").post("/user/nobody/unlock?reason=x").status_code == 404


def test_an_administrator_regroups_and_deactivates_users_with_a_reason(rest, client):
    admin = rest("admin")
    assert admin.put("/group/expert/members/officer?reason=兼任评审专家").status_code == 204
    assert "expert" in {g["id"] for g in admin.get("/group?member=officer").get_json()}
    assert admin.delete("/group/expert/members/officer?reason=不再兼任").status_code == 204
    assert "expert" not in {g["id"] for g in admin.get("/group?member=officer").get_json()}
    assert admin.put("/group/expert/members/officer").get_json()["errors"][0]["field"] == "reason"
    assert rest("officer").put("/group/admin/members/officer?reason=x").status_code == 403
    assert len([e for e in audited(client, "user.groups") if e["success"]]) == 2
    assert admin.delete("/user/admin?reason=x").status_code == 400
    assert admin.delete("/user/leader?reason=调离").status_code == 204
    assert sign_in(client, "leader").status_code == 401
    assert admin.delete("/user/leader?colour=red").get_json()["errors"][0]["field"] == "colour"


def test_a_password_set_for_nobody_costs_the_administrator_no_failed_sign_in(rest, client):
    body = {"password": STRONG, "authenticatedUserPassword": "nope", "reason": "测试"}
    for _ in range(6):
        assert rest("admin").put("/user/nobody/credentials", json=body).status_code == 404
    assert sign_in(client, "admin").status_code == 200
