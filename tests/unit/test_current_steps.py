"""当前环节 on a case (issue 13): each open step once, by name."""
from __future__ import annotations

from types import SimpleNamespace

from app.web.tasklist.task_view import current_steps


def activity(activity_id: str, name: str | None, kind: str = "userTask"):
    return SimpleNamespace(definition_id="d1", activity_id=activity_id, activity_name=name, activity_type=kind)


def stored(_definition_id, activity_id, name):
    return name or activity_id


def test_three_experts_reviewing_are_one_step_by_its_name():
    active = [activity("expert_review", None, "multiInstanceBody"),
              *(activity("expert_review", "专家论证评分") for _ in range(3)),
              activity("withdrawn", "撤回", "boundaryEvent")]

    assert current_steps(active, stored) == ["专家论证评分"]


def test_parallel_steps_are_listed_in_the_order_they_opened():
    active = [activity("site_visit", "实地评估"), activity("finance", "财务审核"), activity("site_visit", "实地评估")]

    assert current_steps(active, stored) == ["实地评估", "财务审核"]


def test_each_step_is_named_by_the_label_the_page_gives_it():
    english = {"site_visit": "Site visit", "expert_review": "Expert scoring"}
    active = [activity("site_visit", "实地评估"), *(activity("expert_review", "专家论证评分") for _ in range(2))]

    assert current_steps(active, lambda _d, key, name: english.get(key, name)) == ["Site visit", "Expert scoring"]
