"""The cockpit (流程监控) as its readers see it: every process version's counts, the
diagram's badges per activity (waiting, overdue, incidents) with the instances behind a
badge, a called process counted inside its callers, and who may open it (managers,
department staff, admins; a lead unit gets a Chinese 403 page)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.platform.jobs import execute_due_jobs
from tests.support.establishment import (
    formal_review, recommender_decides, send_letter, start_application, submit,
)
from tests.support.cockpit import data_attribute, row_counts, started_reviews
from tests.support.handlers import SERVICE
from tests.support.jobs import deployed as deployed_files, model_files, only_job, start as start_job
from tests.support.tasklist import deploy_tl
from tests.support.web import text

READERS = ("manager", "officer", "leader", "admin")
OUTSIDERS = ("cotton", "urumqi", "expert4", "agency", "analyst")


def badges(page: str) -> dict:
    return data_attribute(page, "counts")


@pytest.fixture
def reviews(rest, clock):
    return started_reviews(rest, clock)


def test_the_overview_counts_each_version_running_completed_and_withdrawn(web, reviews):
    page = text(web("manager").get("/cockpit"))

    assert row_counts(page, 'data-process="tl_review" data-version="1"') == {
        "running": "3", "completed": "1", "withdrawn": "1", "terminated": "0", "incidents": "0"}
    assert "创新中心申报（待办测试）" in page


def test_a_new_version_is_counted_apart_and_summed_on_the_process_row(web, rest, reviews):
    deploy_tl(rest("analyst"), "tl_review.bpmn")  # unchanged: no new version
    page = text(web("manager").get("/cockpit"))

    assert row_counts(page, 'class="process-row" data-process="tl_review"')["running"] == "3"


def test_the_diagram_badges_count_waiting_and_overdue_instances_per_activity(web, reviews):
    page = text(web("manager").get("/cockpit/tl_review"))

    assert badges(page)["recommend"] == {"instances": 2, "overdue": 1, "incidents": 0}
    assert badges(page)["fill"] == {"instances": 1, "overdue": 0, "incidents": 0}
    assert "withdrawn_at_recommend" not in badges(page), "the activity carries the badge, not its boundary events"
    assert row_counts(page, 'data-activity="recommend"') == {
        "instances": "2", "overdue": "1", "incidents": "0", "failed_jobs": "0"}
    assert "/cockpit/definitions/" in page and "bpmn-navigated-viewer" in page


def test_a_badges_click_lists_the_instances_waiting_there_overdue_first_marked(web, reviews):
    page = text(web("manager").get("/cockpit/tl_review?activity=recommend"))
    listed = re.search(r'data-testid="waiting-list"(.*?)</section>', page, re.S).group(1)

    assert set(re.findall(r'data-instance-id="([0-9a-f-]{36})"', listed)) == set(reviews[:2])
    assert "TIC-2026-001" in listed and 'class="overdue"' in listed
    assert "推荐部门审核" in listed


def test_a_version_of_its_own_and_an_unknown_version_or_process(web, reviews):
    manager = web("manager")

    assert badges(text(manager.get("/cockpit/tl_review?version=1")))["recommend"]["instances"] == 2
    assert manager.get("/cockpit/tl_review?version=9").status_code == 404
    assert manager.get("/cockpit/no_such_process").status_code == 404
    assert manager.get("/cockpit/tl_review?version=x").status_code == 400


def test_the_called_expert_review_counts_its_steps_inside_the_callers(web, rest, project_models):
    cotton, urumqi, officer = rest("cotton"), rest("urumqi"), rest("officer")
    instance_id = start_application(cotton)
    submit(cotton, instance_id)
    recommender_decides(urumqi, instance_id, "approve")
    send_letter(urumqi, instance_id)
    formal_review(officer, instance_id, "pass")
    manager = web("manager")

    called = text(manager.get("/cockpit/tic_expert_review"))
    caller = text(manager.get("/cockpit/tic_establishment"))

    assert badges(called)["assign_experts"]["instances"] == 1
    assert badges(caller)["call_expert_review"]["instances"] == 1
    listed = text(manager.get("/cockpit/tic_expert_review?activity=assign_experts"))
    assert instance_id in listed


@pytest.fixture
def failing(rest, clock):
    """A service task that failed three times: one job out of retries, one open incident."""
    SERVICE.update(fail=True, calls=0)
    deployed_files(rest("analyst"), model_files("job_service_call.bpmn"))
    instance_id = start_job(rest("officer"), "job_service_call", {"applicant": "新疆大学"})["id"]
    yield instance_id
    SERVICE.update(fail=False, calls=0)


def test_an_incident_shows_on_its_activity_and_in_the_overview(web, rest, ctx, clock, failing):
    for _retry in range(2):
        clock.advance(timedelta(hours=1))  # past any backoff
        assert execute_due_jobs(ctx) == 1
    assert only_job(rest("officer"), failing)["retries"] == 0
    manager = web("manager")

    overview = text(manager.get("/cockpit"))
    page = text(manager.get("/cockpit/job_service_call"))

    assert row_counts(overview, 'data-process="job_service_call" data-version="1"')["incidents"] == "1"
    assert row_counts(page, 'data-activity="register"') == {
        "instances": "1", "overdue": "0", "incidents": "1", "failed_jobs": "1"}
    [incident] = rest("admin").get(f"/incident?processInstanceId={failing}").get_json()
    assert rest("admin").put(f"/incident/{incident['id']}/annotation",
                             json={"annotation": "已联系接口运维"}).status_code == 204
    case = text(manager.get(f"/cockpit/instances/{failing}"))
    assert '<td class="pre" data-testid="incident-annotation">已联系接口运维</td>' in case


@pytest.mark.parametrize("user", READERS)
def test_managers_department_staff_and_admins_open_the_cockpit_from_the_side_menu(web, user):
    browser = web(user)

    assert 'data-testid="nav-cockpit"' in text(browser.get("/tasks"))
    assert browser.get("/cockpit").status_code == 200


@pytest.mark.parametrize("user", OUTSIDERS)
def test_others_get_a_chinese_403_page_and_no_menu_entry(web, reviews, user):
    browser = web(user)
    definition_id = re.search(r"/cockpit/definitions/([^/]+)/diagram", text(web("manager").get("/cockpit/tl_review"))).group(1)

    assert 'data-testid="nav-cockpit"' not in text(browser.get("/tasks"))
    for path in ("/cockpit", "/cockpit/tl_review", f"/cockpit/definitions/{definition_id}/diagram.bpmn"):
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "只有管理者、科技厅经办人员和管理员可以查看流程监控" in text(response)


def test_a_visitor_is_sent_to_sign_in(web):
    response = web().get("/cockpit")

    assert response.status_code == 302 and "/login" in response.location


def test_the_diagram_file_is_served_inert(web, reviews):
    manager = web("manager")
    definition_id = re.search(r"/cockpit/definitions/([^/]+)/diagram", text(manager.get("/cockpit/tl_review"))).group(1)

    response = manager.get(f"/cockpit/definitions/{definition_id}/diagram.bpmn")

    assert response.status_code == 200 and b"tl_review" in response.data
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
