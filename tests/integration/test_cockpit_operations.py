"""The administrator repairs a case from the cockpit's instance page: suspend and resume,
move the token, terminate with a reason, retry a failed job, give a timer another due date.
A refused operation comes back on the same page, in Chinese, beside its field, with what
was typed kept; managers see the page without the operations and may not post them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import to_shanghai
from tests.support.jobs import only_job, task_keys
from tests.support.web import text

REASON = "经办人调岗，案件暂停待交接"


@pytest.fixture
def admin(web):
    return web("admin")


def operate(browser, instance_id: str, path: str, data: dict):
    page = f"/cockpit/instances/{instance_id}"
    return browser.post(f"{page}/{path}", data, token_from=page)


def test_the_admin_sees_the_operations_and_a_manager_does_not(admin, web, two_steps):
    page = text(admin.get(f"/cockpit/instances/{two_steps}"))
    assert "管理操作" in page and "挂起实例" in page and "移动令牌" in page and "终止实例" in page

    manager = web("manager")
    assert "管理操作" not in text(manager.get(f"/cockpit/instances/{two_steps}"))
    refused = operate(manager, two_steps, "suspension", {"suspended": "true", "reason": REASON})
    assert refused.status_code == 403
    assert "只有系统管理员" in text(refused)


def test_the_admin_suspends_and_resumes_a_case_with_a_reason(admin, rest, two_steps):
    response = operate(admin, two_steps, "suspension", {"suspended": "true", "reason": REASON})

    assert response.status_code == 302
    page = text(admin.get(f"/cockpit/instances/{two_steps}"))
    assert "实例已挂起" in page and "恢复实例" in page and REASON in page
    assert rest("admin").get(f"/process-instance/{two_steps}").get_json()["suspended"] is True

    assert operate(admin, two_steps, "suspension", {"suspended": "false", "reason": "交接完成"}).status_code == 302
    assert rest("admin").get(f"/process-instance/{two_steps}").get_json()["suspended"] is False


def test_an_operation_without_a_reason_is_refused_beside_its_field(admin, two_steps):
    response = operate(admin, two_steps, "suspension", {"suspended": "true", "reason": "  "})

    assert response.status_code == 400
    assert "请填写操作原因" in text(response)
    assert 'data-testid="ops-error-reason"' in response.get_data(as_text=True)


def test_the_admin_moves_the_token_and_a_refused_move_keeps_what_was_chosen(admin, rest, two_steps):
    refused = operate(admin, two_steps, "token", {"from": "first_review", "to": "start", "reason": "补正"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "不能在" in text(refused)
    assert 'value="补正"' in html

    moved = operate(admin, two_steps, "token", {"from": "first_review", "to": "final_review",
                                                "reason": "初审人员空缺，直接终审"})
    assert moved.status_code == 302
    assert task_keys(rest("admin"), two_steps) == ["final_review"]
    assert "移动令牌" in text(admin.get(f"/cockpit/instances/{two_steps}"))


def test_the_admin_terminates_a_case_with_a_reason(admin, rest, two_steps):
    assert operate(admin, two_steps, "cancellation", {"reason": ""}).status_code == 400

    response = operate(admin, two_steps, "cancellation", {"reason": "申报单位撤销申请（书面）"})

    assert response.status_code == 302
    page = text(admin.get(f"/cockpit/instances/{two_steps}"))
    assert "已终止" in page and "申报单位撤销申请（书面）" in page
    assert "管理操作" not in page


def test_the_admin_gives_a_timer_another_due_date(ctx, admin, rest, timed_review):
    due = to_shanghai(ctx.clock.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    job = only_job(rest("admin"), timed_review)

    response = operate(admin, timed_review, f"jobs/{job['id']}/due", {"due": due, "reason": "提前督办"})

    assert response.status_code == 302
    assert only_job(rest("admin"), timed_review)["dueDate"].startswith(due)
    refused = operate(admin, timed_review, f"jobs/{job['id']}/due", {"due": "明天", "reason": "提前督办"})
    assert refused.status_code == 400
    assert 'data-testid="ops-error-due"' in refused.get_data(as_text=True)
