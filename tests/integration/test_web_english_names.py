"""The English switch names processes, steps, form fields and notifications in English
(issue 13): the models' `name_en`, the forms' `title_en`, the notifications' English side.
In Chinese every page keeps the names as stored."""
from __future__ import annotations

from html import unescape

import pytest

from tests.support.clients import Api
from tests.support.establishment import recommender_decides, start_application, submit, task
from tests.support.web import text

pytestmark = pytest.mark.usefixtures("project_models")

ENGLISH = {"process": "Technology innovation center establishment", "review": "Recommender review",
           "fill": "Fill in application and construction plan", "field": "Review decision",
           "choice": "Return for revision", "opinion": "Recommender's opinion"}
CHINESE = {"process": "技术创新中心组建", "review": "推荐部门审核", "fill": "填报组建申请与建设方案",
           "field": "审核结论", "choice": "退回修改", "opinion": "推荐部门审查意见"}
LANGUAGES = pytest.mark.parametrize(("lang", "names", "others"), [
    ("en", ENGLISH, CHINESE), ("zh", CHINESE, ENGLISH)], ids=["english", "chinese"])


@pytest.fixture
def case(rest) -> str:
    """An application 新疆天棉纺织集团 submitted: it waits for 乌鲁木齐's review."""
    instance_id = start_application(rest("cotton"))
    submit(rest("cotton"), instance_id)
    return instance_id


@pytest.fixture
def reader(web):
    def signed_in(user: str, lang: str):
        browser = web(user)
        assert browser.post("/language", {"lang": lang, "next": "/tasks"}).status_code == 302
        return browser
    return signed_in


@LANGUAGES
def test_the_inbox_names_steps_and_processes_in_the_page_language(reader, case, lang, names, others):
    todo = text(reader("urumqi", lang).get("/tasks?box=todo"))
    started = text(reader("cotton", lang).get("/tasks?box=started"))

    assert f">{names['review']}</a>" in todo                     # the row, by its step
    assert f'<option value="recommender_review">{names["review"]}</option>' in todo   # the step filter
    assert f'<option value="tic_establishment">{names["process"]}</option>' in todo   # the process filter
    assert f"<td>{names['process']}</td>" in started and f"<td>{names['review']}</td>" in started
    assert others["review"] not in todo + started


@LANGUAGES
def test_the_task_page_names_its_step_and_form_fields_in_the_page_language(reader, rest, case, lang, names,
                                                                           others):
    review = task(rest("urumqi"), case, "recommender_review")["id"]

    page = unescape(text(reader("urumqi", lang).get(f"/tasks/{review}")))

    assert f'data-testid="task-name">{names["review"]}' in page
    assert names["field"] in page and names["opinion"] in page
    assert f'value="return"> {names["choice"]}' in page
    # Descriptions and placeholders stay as written (Chinese): only names and choices switch.
    assert others["field"] not in page and others["opinion"] not in page


@LANGUAGES
def test_the_case_page_names_the_process_and_its_current_step_in_the_page_language(reader, case, lang, names,
                                                                                   others):
    page = text(reader("cotton", lang).get(f"/instances/{case}"))

    assert f"<td>{names['process']}</td>" in page
    assert f'data-testid="current-steps-text">{names["review"]}</strong>' in page
    assert f'<div class="step">{names["fill"]}' in page            # the opinions, by step
    assert others["review"] not in page


@pytest.mark.parametrize(("lang", "expected", "other"), [
    ("en", "“Fill in application and construction plan” of “新疆棉花和纺织服装技术创新中心” (SQ-2026-001)"
           " is waiting for you.", "新待办："),
    ("zh", "「新疆棉花和纺织服装技术创新中心」（SQ-2026-001）的「填报组建申请与建设方案」等待您办理。", "New task:"),
], ids=["english", "chinese"])
def test_the_notifications_page_shows_the_side_of_the_readers_language(reader, rest, case, lang, expected, other):
    recommender_decides(rest("urumqi"), case, "return", "请补充中试基地材料")

    page = unescape(text(reader("cotton", lang).get("/notifications")))

    assert expected in page
    assert other not in page


def test_the_notifications_api_adds_the_english_side_beside_the_chinese_one(client, rest, case):
    review = task(rest("urumqi"), case, "recommender_review")["id"]
    assert Api(client, "cotton").post(f"/tasks/{review}/urge", json={"message": "请本周内审核"}).status_code == 200

    [urged] = [n for n in Api(client, "urumqi").get("/notifications").get_json()["items"] if n["kind"] == "urged"]

    assert urged["title"] == "催办：推荐部门审核"                  # as before: the Chinese side
    assert urged["titleEn"] == "Reminder: Recommender review"
    assert urged["body"].endswith("催办「新疆棉花和纺织服装技术创新中心」（SQ-2026-001）的「推荐部门审核」：请本周内审核")
    assert urged["bodyEn"].endswith(
        "asks you to hurry with “Recommender review” of “新疆棉花和纺织服装技术创新中心” (SQ-2026-001): 请本周内审核")


@LANGUAGES
def test_the_cockpit_list_names_processes_and_steps_in_the_page_language(reader, case, lang, names, others):
    listed = unescape(text(reader("manager", lang).get("/cockpit/instances")))

    assert f">{names['review']}</td>" in listed                  # the row's current step
    assert f'<option value="recommender_review">{names["review"]}</option>' in listed
    assert names["process"] in listed and others["review"] not in listed
