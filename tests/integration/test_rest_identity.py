"""Camunda's identity read resources: users and groups, each reader seeing what the
directory's rule allows (the department side every user, anyone else their own unit's,
service accounts nothing), profiles holding Camunda's four fields and nothing more."""
from __future__ import annotations

from tests.support.tasklist import add_user


def ids(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [row["id"] for row in response.get_json()]


def test_the_department_side_reads_every_user(rest):
    listed = ids(rest("officer").get("/user"))
    assert {"admin", "cotton", "xju", "urumqi", "expert9"} <= set(listed)
    assert listed == sorted(listed)
    assert rest("manager").get("/user/count").get_json()["count"] == len(listed)


def test_a_lead_unit_reads_only_its_own_organizations_users(rest):
    assert ids(rest("cotton").get("/user")) == ["cotton"]
    assert rest("cotton").get("/user/count").get_json() == {"count": 1}
    hidden = rest("cotton").get("/user/xju/profile")
    assert hidden.status_code == 404


def test_an_expert_reads_the_users_of_its_own_university(rest):
    assert set(ids(rest("expert1").get("/user"))) == {"xju", "expert1", "expert2", "expert3"}


def test_a_profile_has_camundas_fields_and_nothing_else(rest):
    response = rest("officer").get("/user/cotton/profile")
    assert response.status_code == 200
    assert response.get_json() == {"id": "cotton", "firstName": "天棉集团申报人", "lastName": "", "email": None}
    listed = rest("admin").get("/user?id=cotton").get_json()
    assert listed == [response.get_json()]
    assert rest("officer").get("/user/nobody/profile").status_code == 404


def test_users_are_filtered_by_camundas_parameters(rest):
    officer = rest("officer")
    assert ids(officer.get("/user?idIn=cotton,xju,nobody")) == ["cotton", "xju"]
    assert ids(officer.get("/user?firstName=科技厅领导")) == ["leader"]
    assert ids(officer.get("/user?firstNameLike=%25经办人&memberOfGroup=recommender")) == ["gxt", "kashgar", "urumqi"]
    assert ids(officer.get("/user?memberOfGroup=lead_unit&sortBy=userId&sortOrder=desc")) == ["xju", "energy", "cotton"]
    assert ids(officer.get("/user?memberOfGroup=expert&firstResult=2&maxResults=3")) == ["expert3", "expert4", "expert5"]
    assert officer.get("/user/count?memberOfGroup=expert").get_json() == {"count": 9}


def test_unsupported_user_filters_and_sorts_are_400s_naming_them(rest):
    officer = rest("officer")
    for query, field in [("lastName=王", "lastName"), ("email=a@b.cn", "email"), ("sortBy=email&sortOrder=asc", "sortBy"),
                         ("sortBy=userId", "sortOrder"), ("sortBy=userId&sortOrder=up", "sortOrder"),
                         ("maxResults=many", "maxResults")]:
        response = officer.get(f"/user?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["errors"][0]["field"] == field, query
    assert officer.get("/user/count?firstResult=1").status_code == 400


def test_a_service_account_reads_no_directory(rest, ctx):
    add_user(ctx, "robot", "kjt", ["service"])
    for path in ("/user", "/user/count", "/user/officer/profile", "/group", "/group/department"):
        response = rest("robot").get(path)
        assert response.status_code == 403, path
        assert "服务账号" in response.get_json()["message"]


def test_every_reader_reads_the_groups_with_their_names(rest):
    groups = rest("cotton").get("/group").get_json()
    by_id = {g["id"]: g for g in groups}
    assert by_id["department"] == {"id": "department", "name": "科技厅处室", "type": "WORKFLOW"}
    assert by_id["admin"]["type"] == "SYSTEM"
    assert [g["id"] for g in groups] == sorted(by_id)
    assert rest("cotton").get("/group/count").get_json() == {"count": len(groups)}
    assert ids(rest("cotton").get("/group?firstResult=1&maxResults=2")) == sorted(by_id)[1:3]
    assert rest("expert1").get("/group/expert").get_json() == {"id": "expert", "name": "评审专家", "type": "WORKFLOW"}
    assert rest("expert1").get("/group/nothing").status_code == 404


def test_groups_are_filtered_by_camundas_parameters(rest):
    officer = rest("officer")
    assert ids(officer.get("/group?member=cotton")) == ["center", "lead_unit"]
    assert ids(officer.get("/group?idIn=admin,expert&type=SYSTEM")) == ["admin"]
    assert ids(officer.get("/group?nameLike=科技厅%25")) == ["department", "department_leader"]
    assert ids(officer.get("/group?name=评审专家")) == ["expert"]
    assert ids(officer.get("/group?type=SYSTEM&sortBy=id&sortOrder=desc")) == ["service", "admin"]
    assert officer.get("/group?type=OTHER").get_json()["errors"][0]["field"] == "type"
    assert officer.get("/group?foo=1").get_json()["errors"][0]["field"] == "foo"


def test_a_group_filter_tells_nothing_of_a_user_out_of_reach(rest):
    assert ids(rest("cotton").get("/group?member=xju")) == []
    assert ids(rest("cotton").get("/group?member=cotton")) == ["center", "lead_unit"]
    assert ids(rest("cotton").get("/user?memberOfGroup=lead_unit")) == ["cotton"]


def test_a_like_pattern_ending_in_a_lone_escape_is_a_400(rest):
    officer = rest("officer")
    assert officer.get("/user?firstNameLike=%25\\").get_json()["errors"][0]["field"] == "firstNameLike"
    assert officer.get("/group?nameLike=科技厅\\").get_json()["errors"][0]["field"] == "nameLike"
    assert ids(officer.get("/user?firstNameLike=%25\\\\")) == []


def test_a_users_groups_come_with_the_users_who_share_them(rest):
    body = rest("officer").get("/identity/groups?userId=cotton").get_json()
    assert body["groups"] == [{"id": "center", "name": "技术创新中心"}, {"id": "lead_unit", "name": "牵头单位（申报）"}]
    assert [u["id"] for u in body["groupUsers"]] == ["cotton", "energy", "xju"]
    assert body["groupUsers"][0] == {"id": "cotton", "firstName": "天棉集团申报人", "lastName": "",
                                     "displayName": "天棉集团申报人"}


def test_identity_groups_reveal_only_what_the_reader_reads(rest):
    own = rest("cotton").get("/identity/groups?userId=cotton").get_json()
    assert [u["id"] for u in own["groupUsers"]] == ["cotton"]
    assert rest("cotton").get("/identity/groups?userId=xju").get_json() == {"groups": [], "groupUsers": []}
    missing = rest("cotton").get("/identity/groups")
    assert missing.status_code == 400 and missing.get_json()["errors"][0]["field"] == "userId"
