"""The expert panel and its scores are confidential on every face (issue 9, F9; DESIGN.md,
"Confidential data"): department staff see them, an expert sees their own review, the
applicant and the recommender see neither the panel nor the scores, during the review
and after the decision, while they keep seeing the decision and the opinions addressed
to them."""
from __future__ import annotations

import pytest

from app.models import Incident, ProcessInstance

from tests.support.clients import Api
from tests.support.establishment import (
    approval, assign_experts, completed, deploy_models, formal_review,
    recommender_decides, send_letter, site_visit, start_application, submit, task, typed,
    variables,
)
from tests.support.lifecycle import CODE, api, register_center, to_grading
from tests.support.tasklist import add_user
from tests.support.web import WebUser, text

PANEL = ("expert4", "expert5", "expert6")
PANEL_NAMES = ("专家四", "专家五", "专家六")
CONFIDENTIAL = {"experts", "expert", "expertScore", "expertOpinion", "expertRecommend", "expertScores",
                "averageScore", "trimmedAverageScore", "expertsRecommending", "suggestedGrade"}
STEPS = {"assign_experts", "expert_review"}
OUTSIDERS = ("cotton", "urumqi")


def review(client, instance_id: str, score: int) -> None:
    completed(client, instance_id, "expert_review", {
        "expertScore": score, "expertOpinion": f"评分{score}：建设目标明确", "expertRecommend": True})


@pytest.fixture
def reviewing(ctx, rest, client):
    """cotton's application while its panel reviews it: expert4 has scored 88, expert5 and
    expert6 have not; cotton has copied its recommender urumqi in."""
    deploy_models(ctx)
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve", "同意推荐，请科技厅审核")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "pass")
    assert assign_experts(officer, instance_id, list(PANEL)).status_code == 204
    review(rest("expert4"), instance_id, 88)
    response = Api(client, "cotton").post(f"/instances/{instance_id}/cc", json={"userIds": ["urumqi"]})
    assert response.status_code == 200, response.get_json()
    return instance_id


@pytest.fixture
def approved(rest, reviewing):
    """The same application after the review, the site visit and the leader's approval."""
    review(rest("expert5"), reviewing, 90)
    review(rest("expert6"), reviewing, 70)
    site_visit(rest("officer"), reviewing)
    approval(rest("leader"), reviewing, "approve", "同意组建，请按建设方案推进")
    return reviewing


@pytest.fixture(params=["reviewing", "approved"])
def case(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def browser(app):
    def signed_in(user: str) -> WebUser:
        found = WebUser(app.test_client())
        assert found.login(user).status_code == 302
        return found
    return signed_in


def history(client, path: str, instance_id: str) -> list[dict]:
    response = client.get(path, query_string={"processInstanceId": instance_id})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def expert_task_of(rest, expert: str, instance_id: str) -> str:
    return task(rest(expert), instance_id, "expert_review")["id"]


# Variables ---------------------------------------------------------------------------------

@pytest.mark.parametrize("user", OUTSIDERS)
def test_the_applicant_and_the_recommender_read_no_panel_or_score_variable(rest, case, user):
    shown = variables(rest(user), case)

    assert not CONFIDENTIAL & set(shown), user
    assert shown["recommenderOpinion"] == "同意推荐，请科技厅审核"
    assert shown["formalReviewOpinion"] == "材料齐全，符合组建条件"


def test_after_approval_the_applicant_reads_the_decision_addressed_to_it(rest, approved):
    shown = variables(rest("cotton"), approved)

    assert (shown["approvalDecision"], shown["approvalOpinion"]) == ("approve", "同意组建，请按建设方案推进")
    assert "averageScore" not in shown and "expertsRecommending" not in shown


def test_department_staff_read_the_panel_and_the_scores(rest, approved):
    for user in ("officer", "leader", "manager", "agency"):
        shown = variables(rest(user), approved)
        assert shown["experts"] == list(PANEL), user
        assert (shown["averageScore"], shown["expertsRecommending"]) == (82.67, 3), user


def test_an_expert_reads_neither_the_panel_nor_the_element_variable(rest, reviewing):
    shown = variables(rest("expert5"), reviewing)

    assert not CONFIDENTIAL & set(shown)
    assert shown["centerName"] == "新疆棉花和纺织服装技术创新中心"


def test_an_expert_completing_their_review_gets_no_panel_back(rest, reviewing):
    response = rest("expert5").post(f"/task/{expert_task_of(rest, 'expert5', reviewing)}/complete", json={
        "variables": typed({"expertScore": 90, "expertOpinion": "同意", "expertRecommend": True}),
        "withVariablesInReturn": True,
    })

    assert response.status_code == 200, response.get_json()
    assert not CONFIDENTIAL & set(response.get_json())


def test_the_center_reads_no_score_of_its_evaluation(ctx, rest, clock, client):
    deploy_models(ctx)
    register_center(rest)
    evaluation = to_grading(clock, rest, scores={"expert4": 80, "expert5": 74, "expert6": 77})
    assert Api(client, "officer").post(f"/instances/{evaluation}/cc",
                                       json={"userIds": ["cotton"]}).status_code == 200

    shown = variables(rest("cotton"), evaluation)

    assert not CONFIDENTIAL & set(shown)
    assert shown["centerCode"] == CODE
    assert {"expertScores", "averageScore", "suggestedGrade"} <= set(variables(rest("officer"), evaluation))


# History and tasks -------------------------------------------------------------------------

@pytest.mark.parametrize("user", OUTSIDERS)
def test_history_shows_outsiders_no_confidential_step(rest, case, user):
    tasks = history(rest(user), "/history/task", case)
    activities = history(rest(user), "/history/activity-instance", case)

    assert {"recommender_review", "formal_review"} <= {t["taskDefinitionKey"] for t in tasks}
    assert not STEPS & {t["taskDefinitionKey"] for t in tasks}, user
    assert not STEPS & {a["activityId"] for a in activities}, user
    assert not set(PANEL) & {t["assignee"] for t in tasks}


def test_history_shows_the_department_every_step(rest, approved):
    tasks = history(rest("manager"), "/history/task", approved)

    assert {t["assignee"] for t in tasks if t["taskDefinitionKey"] == "expert_review"} == set(PANEL)
    assert "assign_experts" in {a["activityId"] for a in history(rest("officer"), "/history/activity-instance", approved)}


def test_an_expert_sees_their_own_review_and_no_other(rest, reviewing):
    mine = history(rest("expert5"), "/history/task", reviewing)
    done = rest("expert4").get("/history/task", query_string={"taskAssignee": "expert4"}).get_json()

    assert [(t["taskDefinitionKey"], t["assignee"]) for t in mine if t["taskDefinitionKey"] in STEPS] == [
        ("expert_review", "expert5")]
    assert [(t["taskDefinitionKey"], t["assignee"]) for t in done] == [("expert_review", "expert4")]
    activities = history(rest("expert5"), "/history/activity-instance", reviewing)
    assert [a["assignee"] for a in activities if a["activityId"] == "expert_review"] == ["expert5"]


def test_the_running_activities_show_outsiders_no_review(rest, reviewing):
    tree = rest("cotton").get(f"/process-instance/{reviewing}/activity-instances").get_json()

    shown = {child["activityId"] for child in tree["childActivityInstances"]}
    assert "call_expert_review" in shown and not STEPS & shown


def test_a_copied_in_reader_lists_no_experts_task(rest, reviewing):
    urumqi = rest("urumqi")
    listed = urumqi.get("/task", query_string={"processInstanceId": reviewing}).get_json()

    assert [t["taskDefinitionKey"] for t in listed] == ["site_visit"]
    assert urumqi.get(f"/task/{expert_task_of(rest, 'expert5', reviewing)}").status_code == 404


# Pages, timeline, notifications, remarks ----------------------------------------------------

@pytest.mark.parametrize("user", OUTSIDERS)
def test_the_case_page_names_no_expert_and_shows_no_score(browser, case, user):
    page = text(browser(user).get(f"/instances/{case}"))

    assert "材料齐全，符合组建条件" in page
    assert not [name for name in PANEL + PANEL_NAMES if name in page], user
    assert "评分88" not in page and "82.67" not in page


def test_the_case_page_shows_the_department_the_panel(browser, approved):
    page = text(browser("officer").get(f"/instances/{approved}"))

    assert all(name in page for name in PANEL_NAMES) and "评分88" in page


def test_an_experts_task_page_names_no_other_expert(browser, rest, reviewing):
    page = text(browser("expert5").get(f"/tasks/{expert_task_of(rest, 'expert5', reviewing)}"))

    assert "专家四" not in page and "评分88" not in page and "专家六" not in page


def test_the_timeline_shows_the_center_no_step_of_its_panel(ctx, rest):
    deploy_models(ctx)
    register_center(rest)

    for user in OUTSIDERS:
        titles = [e["title"] for e in api(rest(user), f"/centers/{CODE}/timeline").get_json()]
        assert "专家论证评分" not in titles and "遴选论证专家" not in titles, user
        assert "审批决定（择优确定）" in titles
    department = api(rest("agency"), f"/centers/{CODE}/timeline").get_json()
    assert {e["by"] for e in department if e["title"] == "专家论证评分"} == {"expert4", "expert5", "expert6"}


def test_the_applicant_cannot_urge_an_expert(ctx, rest, client, reviewing):
    response = Api(client, "cotton").post(f"/tasks/{expert_task_of(rest, 'expert5', reviewing)}/urge", json={})

    assert response.status_code == 404, response.get_json()


def test_notifications_to_the_applicant_and_the_recommender_name_no_expert(client, approved):
    for user in OUTSIDERS:
        items = Api(client, user).get("/notifications").get_json()["items"]
        said = " ".join(f"{n['title']} {n['body']} {n['titleEn']} {n['bodyEn']}" for n in items)
        assert items, user
        assert not [name for name in PANEL + PANEL_NAMES if name in said], user


def test_an_experts_remark_on_their_review_stays_with_the_department(rest, browser, reviewing):
    expert5 = rest("expert5")
    mine = expert_task_of(rest, "expert5", reviewing)
    assert expert5.post(f"/task/{mine}/comment/create", json={"message": "需核实中试线进度"}).status_code == 200

    assert "需核实中试线进度" not in text(browser("cotton").get(f"/instances/{reviewing}"))
    assert "需核实中试线进度" in text(browser("officer").get(f"/instances/{reviewing}"))


def test_the_applicants_inbox_does_not_count_the_panel(client, reviewing):
    rows = Api(client, "cotton").get("/inbox", query_string={"box": "started"}).get_json()["items"]

    [row] = [r for r in rows if r["instanceId"] == reviewing]
    assert row["currentStep"].count("专家论证评分") <= 1


def test_the_review_file_stays_with_the_department(rest, reviewing):
    for user in OUTSIDERS + ("expert5",):
        assert api(rest(user), f"/applications/{reviewing}/review").status_code == 403, user
    assert api(rest("agency"), f"/applications/{reviewing}/review").status_code == 200


def test_an_expert_cannot_hand_their_review_to_a_colleague_who_may_not_read_it(ctx, rest, reviewing):
    add_user(ctx, "xjaas_staff", "xjaas", ["lead_unit"])
    review_id = expert_task_of(rest, "expert5", reviewing)
    response = rest("expert5").post(f"/task/{review_id}/delegate", json={"userId": "xjaas_staff"})
    assert response.status_code == 400, response.get_json()
    assert "评审" in response.get_json()["message"]
    assert rest("xjaas_staff").get(f"/task/{review_id}").status_code == 404
    assert rest("expert5").get(f"/task/{review_id}").get_json()["assignee"] == "expert5"


def test_an_incident_of_the_panels_steps_stays_with_the_department(ctx, rest, reviewing, clock):
    with ctx.db.command() as session:
        instance = session.get(ProcessInstance, reviewing)
        session.add(Incident(
            id="incident-aggregate", incident_type="failedJob", instance_id=reviewing,
            definition_id=instance.definition_id, process_key=instance.process_key,
            activity_id="aggregate_reviews", message="专家评分不完整：应有 3 份，实有 2 份",
            created_at=clock.now()))
    assert [i["id"] for i in rest("officer").get(f"/incident?processInstanceId={reviewing}").get_json()] == [
        "incident-aggregate"]
    for outsider in OUTSIDERS:
        assert rest(outsider).get(f"/incident?processInstanceId={reviewing}").get_json() == []
