"""The inbox read model: 待办, 待认领, 已办, 我发起的; filters, sorting, paging, counts, scale."""
from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, insert

from app.core.identity import load_actor
from app.models import Deployment, InstanceState, ProcessDefinition, ProcessInstance, Task, TaskCandidate
from app.platform import inbox
from app.platform.queries import Page
from tests.support.apps import START
from tests.support.bench_model import bench_files, deploy
from tests.support.clients import Api
from tests.support.flows import completed, only_task, start
from tests.support.tasklist import APPLICATION, add_user, deploy_tl, start_review

COLLEAGUES = (("urumqi2", "urumqi_gov", "recommender"), ("kashgar2", "kashgar_gov", "recommender"),
              ("officer2", "kjt", "department"), ("cotton2", "tianmian", "lead_unit"),
              ("xju2", "xju", "lead_unit"))


@pytest.fixture
def api(client):
    return lambda user: Api(client, user)


@pytest.fixture
def cases(ctx, clock, rest):
    """Two applications of 天棉 (the first filled in), one of 新疆大学, two bench requests
    the department's leader entered for the department's officers.

    Every unit has a second person of each role, so a new step waits in 待认领 for them
    both (with one person it would be theirs at once, see test_task_assignment)."""
    for user_id, organization, group in COLLEAGUES:
        add_user(ctx, user_id, organization, [group])
    deploy_tl(rest("analyst"), "tl_review.bpmn")
    assert deploy(rest("analyst"), bench_files()).status_code == 200
    first = start_review(rest, business_key="TIC-001", due="2026-03-04T18:00:00+08:00")
    completed(rest("cotton"), only_task(rest("cotton"), first, "fill")["id"], **APPLICATION)
    clock.advance(timedelta(hours=1))
    second = start_review(rest, business_key="TIC-002")
    clock.advance(timedelta(hours=1))
    other = start_review(rest, applicant="xju", applicant_org="xju", recommender_org="kashgar_gov",
                         business_key="TIC-003")
    clock.advance(timedelta(hours=1))
    bench = []
    for n, title in ((1, "甲醛检测平台"), (2, "乙烯中试基地")):
        bench.append(start(rest("leader"), "bench_three_step", f"B-{n}", title=title, amount=n))
        clock.advance(timedelta(minutes=1))
    return {"first": first, "second": second, "other": other, "bench": bench}


def box(api_client, name: str, **query) -> dict:
    response = api_client.get("/inbox", query_string={"box": name, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_claimable_holds_the_unassigned_tasks_of_my_scoped_groups_only(api, cases):
    urumqi = box(api("urumqi"), "claimable")
    kashgar = box(api("kashgar"), "claimable")

    assert [(r["taskKey"], r["instanceId"]) for r in urumqi["items"]] == [("recommend", cases["first"])]
    assert urumqi["total"] == 1
    assert kashgar == {"items": [], "total": 0, "countLimit": inbox.COUNT_LIMIT}


def test_a_row_names_the_case_its_unit_process_step_and_due_date(api, cases):
    [row] = box(api("urumqi"), "claimable")["items"]

    assert row["name"] == row["currentStep"] == "推荐部门审核"
    assert (row["businessName"], row["businessKey"]) == (APPLICATION["centerName"], "TIC-001")
    assert (row["organization"], row["processName"]) == ("新疆天棉纺织集团有限公司", "创新中心申报（待办测试）")
    assert row["created"] == "2026-03-02T09:00:00.000+0800"
    assert (row["due"], row["overdue"]) == ("2026-03-04T18:00:00.000+0800", False)
    assert row["taskId"] and row["processKey"] == "tl_review"


def test_claiming_moves_a_task_from_claimable_to_todo(api, rest, cases):
    task = only_task(rest("urumqi"), cases["first"], "recommend")
    rest("urumqi").post(f"/task/{task['id']}/claim")

    assert box(api("urumqi"), "claimable")["total"] == 0
    assert [r["taskId"] for r in box(api("urumqi"), "todo")["items"]] == [task["id"]]


def test_done_lists_what_i_completed_with_the_instances_current_step(api, cases):
    done = box(api("cotton"), "done")

    [row] = done["items"]
    assert (row["taskKey"], row["instanceId"], row["outcome"]) == ("fill", cases["first"], "completed")
    assert row["currentStep"] == "推荐部门审核"
    assert row["businessName"] == APPLICATION["centerName"]
    assert row["completed"] == "2026-03-02T09:00:00.000+0800"


def test_started_lists_my_instances_newest_first_with_their_current_step(api, cases):
    started = box(api("cotton"), "started")

    assert [r["instanceId"] for r in started["items"]] == [cases["second"], cases["first"]]
    assert [r["currentStep"] for r in started["items"]] == ["填写申报书", "推荐部门审核"]
    assert started["items"][0]["taskId"] is None
    assert box(api("xju"), "started")["total"] == 1


def test_overdue_and_due_soon_filters(api, clock, cases):
    assert box(api("urumqi"), "claimable", due="overdue")["total"] == 0
    assert box(api("urumqi"), "claimable", due="3")["total"] == 1
    assert box(api("urumqi"), "claimable", due="1")["total"] == 0

    clock.advance(timedelta(days=3))

    [row] = box(api("urumqi"), "claimable", due="overdue")["items"]
    assert row["overdue"] is True
    assert box(api("cotton"), "started", due="overdue")["total"] == 1


def test_filter_by_process_task_and_text(api, cases):
    officer = api("officer")

    assert box(officer, "claimable")["total"] == 2
    assert box(officer, "claimable", processKey="tl_review")["total"] == 0
    assert [r["businessName"] for r in box(officer, "claimable", q="乙烯")["items"]] == ["乙烯中试基地"]
    assert [r["businessKey"] for r in box(officer, "claimable", q="B-1")["items"]] == ["B-1"]
    assert box(officer, "claimable", taskKey="enter_request")["total"] == 2
    assert [r["instanceId"] for r in box(api("cotton"), "started", taskKey="fill")["items"]] == [cases["second"]]
    assert box(api("cotton"), "started", q="棉纺")["total"] == 1


def test_text_search_treats_wildcards_literally(api, cases):
    assert box(api("officer"), "claimable", q="%")["total"] == 0


def test_sorting_by_created_and_name_both_ways(api, clock, rest, cases):
    clock.advance(timedelta(hours=1))
    completed(rest("urumqi"), only_task(rest("urumqi"), cases["first"], "recommend")["id"], decision="approve")
    officer = api("officer")

    oldest_first = box(officer, "claimable", sort="created", order="asc")["items"]
    newest_first = box(officer, "claimable", sort="created", order="desc")["items"]
    by_name = box(officer, "claimable", sort="name", order="asc")["items"]
    by_name_desc = box(officer, "claimable", sort="name", order="desc")["items"]

    assert [r["businessKey"] for r in oldest_first] == ["B-1", "B-2", "TIC-001"]
    assert [r["businessKey"] for r in newest_first] == ["TIC-001", "B-2", "B-1"]
    assert [r["name"] for r in by_name] == ["填写申请", "填写申请", "科技厅形式审查"]
    assert [r["name"] for r in by_name_desc] == ["科技厅形式审查", "填写申请", "填写申请"]


def test_sorting_by_due_date_both_ways(api, rest, cases):
    completed(rest("cotton"), only_task(rest("cotton"), cases["second"], "fill")["id"],
              centerName="新疆煤炭清洁利用技术创新中心")
    urumqi = api("urumqi")

    soonest_first = box(urumqi, "claimable", sort="due", order="asc")["items"]
    latest_first = box(urumqi, "claimable", sort="due", order="desc")["items"]

    assert [r["businessKey"] for r in soonest_first] == ["TIC-001", "TIC-002"]
    assert [r["businessKey"] for r in latest_first] == ["TIC-002", "TIC-001"]


def test_paging_with_first_result_and_max_results(api, cases):
    officer = api("officer")

    first_page = box(officer, "claimable", sort="created", order="asc", maxResults=1)
    second_page = box(officer, "claimable", sort="created", order="asc", firstResult=1, maxResults=1)

    assert first_page["total"] == second_page["total"] == 2
    assert [r["businessKey"] for r in first_page["items"] + second_page["items"]] == ["B-1", "B-2"]


def test_counts_for_every_box(api, rest, cases):
    task = only_task(rest("officer"), cases["bench"][0], "enter_request")
    rest("officer").post(f"/task/{task['id']}/claim")

    assert api("officer").get("/inbox/counts").get_json() == {"todo": 1, "claimable": 1, "done": 0, "started": 0,
                                                                 "copied": 0}
    # The second application's form is its starter's own: in 待办 at once, nothing to claim.
    assert api("cotton").get("/inbox/counts").get_json() == {"todo": 1, "claimable": 0, "done": 1, "started": 2,
                                                               "copied": 0}


def test_a_case_copied_to_me_waits_in_my_copied_box_with_its_current_step(api, web, cases):
    response = api("cotton").post(f"/instances/{cases['first']}/cc", json={"userIds": ["urumqi2"], "note": "请知悉"})
    assert response.status_code == 200, response.get_json()

    copied = box(api("urumqi2"), "copied")
    assert [(r["instanceId"], r["currentStep"]) for r in copied["items"]] == [(cases["first"], "推荐部门审核")]
    assert api("urumqi2").get("/inbox/counts").get_json()["copied"] == 1
    assert box(api("urumqi"), "copied")["total"] == 0
    page = web("urumqi2").get("/tasks?box=copied").get_data(as_text=True)
    assert "抄送我的" in page and "抄送时间" in page and f"/instances/{cases['first']}" in page


@pytest.mark.parametrize("query", [{"box": "mine"}, {"sort": "priority"}, {"order": "up"}, {"due": "soon"}])
def test_bad_inbox_parameters_are_400(api, query):
    assert api("officer").get("/inbox", query_string=query).status_code == 400


def test_returned_tasks_count_as_done_for_whoever_sent_them_back(api, rest, cases):
    task = only_task(rest("urumqi"), cases["first"], "recommend")
    api("urumqi").post(f"/tasks/{task['id']}/send-back", json={"activityId": "fill", "opinion": "补充材料"})

    [row] = box(api("urumqi"), "done")["items"]
    assert (row["taskId"], row["outcome"]) == (task["id"], "returned")
    returned = [r for r in box(api("cotton"), "todo")["items"] if r["instanceId"] == cases["first"]]
    assert [r["taskKey"] for r in returned] == ["fill"]


# Scale: 100,000 open tasks ------------------------------------------------------------------

OPEN_TASKS = 100_000


def _bulk_open_tasks(ctx) -> None:
    """Open tasks written straight into the inbox tables (no engine): half for the department,
    half for Urumqi's recommenders; every hundredth assigned to the officer."""
    with ctx.db.command() as session:
        conn = session.connection()
        conn.execute(insert(Deployment.__table__), [dict(id="bulk", name="bulk", content_hash="x", deployed_at=START)])
        conn.execute(insert(ProcessDefinition.__table__), [dict(
            id="bulk:1", key="bulk", version=1, name="批量", deployment_id="bulk", resource_name="bulk.bpmn",
            bpmn_xml=b"", spec_json="{}", content_hash="x")])
        conn.execute(insert(ProcessInstance.__table__), [dict(
            id="bulk-instance", definition_id="bulk:1", process_key="bulk", state=InstanceState.ACTIVE,
            serializer_version="1", state_json="{}", start_time=START, owner_org="tianmian")])
        tasks, candidates = [], []
        for n in range(OPEN_TASKS):
            task_id, group = str(uuid.uuid4()), ("department", "recommender:urumqi_gov")[n % 2]
            tasks.append(dict(
                id=task_id, instance_id="bulk-instance", definition_id="bulk:1", process_key="bulk",
                task_key=f"step{n % 7}", name=f"步骤{n % 7}", business_name=f"案件{n}",
                candidate_groups=group, assignee="officer" if n % 100 == 0 else None,
                created_at=START + timedelta(seconds=n), due_at=START + timedelta(days=n % 30),
                owner_org="tianmian", version=1,
            ))
            candidates.append(dict(task_id=task_id, kind="group", value=group))
        conn.execute(insert(Task.__table__), tasks)
        conn.execute(insert(TaskCandidate.__table__), candidates)


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite"),
                    reason="reads SQLite's EXPLAIN QUERY PLAN")
def test_inbox_queries_use_indexes_with_100000_open_tasks(ctx):
    _bulk_open_tasks(ctx)
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    with ctx.db.read() as session:
        event.listen(ctx.db.engine, "before_cursor_execute", capture)
        try:
            results = {(user, name): inbox.inbox(session, load_actor(session, user), name,
                                                 page=Page(max_results=20), now=START)
                       for user in ("officer", "urumqi", "cotton") for name in ("todo", "claimable")}
        finally:
            event.remove(ctx.db.engine, "before_cursor_execute", capture)
        plans = [session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
                 for sql, params in statements if " task" in sql]

    details = [row[3] for plan in plans for row in plan]
    print("\n".join(details))
    assert plans and any("ix_task_candidate_lookup" in d for d in details)
    # Walking an index in display order stops at the page's LIMIT; a bare SCAN reads everything.
    full_scans = [d for d in details if d.startswith(("SCAN task", "SCAN task_candidate"))
                  and "USING" not in d]
    assert not full_scans, details
    assert results[("officer", "todo")][1] == OPEN_TASKS // 100
    assert results[("officer", "claimable")][1] == inbox.COUNT_LIMIT + 1
    assert len(results[("urumqi", "claimable")][0]) == 20
    assert results[("cotton", "claimable")] == ([], 0)
