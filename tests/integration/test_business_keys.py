"""A case started without a business key gets its number from the service, whichever face
started it: SQ-<year>-<6 hex> for an application (申请), BG-… for a major change (变更);
a key the client gives is kept, and a process without a numbering scheme gets none."""
from __future__ import annotations

import re

import pytest

from app.core.identity import load_actor
from app.platform import user_tasks
from tests.support.establishment import deploy_models
from tests.support.bench_model import bench_files, deploy
from tests.support.web import text
from tests.support.web import start_application as start_on_the_page

APPLICATION_NUMBER = re.compile(r"SQ-2026-[0-9A-F]{6}")
CHANGE_NUMBER = re.compile(r"BG-2026-[0-9A-F]{6}")


@pytest.fixture
def models(ctx):
    deploy_models(ctx)


def rest_start(client, key: str, body: dict | None = None) -> dict:
    response = client.post(f"/process-definition/key/{key}/start", json=body or {})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_rest_start_of_an_application_gets_an_application_number(models, rest):
    started = rest_start(rest("cotton"), "tic_establishment")
    assert APPLICATION_NUMBER.fullmatch(started["businessKey"]), started["businessKey"]
    fetched = rest("cotton").get(f"/process-instance/{started['id']}").get_json()
    assert fetched["businessKey"] == started["businessKey"]


def test_two_starts_in_a_row_get_distinct_numbers(models, rest):
    keys = {rest_start(rest("cotton"), "tic_establishment")["businessKey"] for _ in range(2)}
    assert len(keys) == 2 and all(APPLICATION_NUMBER.fullmatch(k) for k in keys)


def test_a_rest_start_of_a_major_change_gets_a_change_number(models, rest):
    started = rest_start(rest("cotton"), "tic_major_change")
    assert CHANGE_NUMBER.fullmatch(started["businessKey"]), started["businessKey"]


def test_a_business_key_the_client_gives_is_kept(models, rest):
    started = rest_start(rest("cotton"), "tic_establishment", {"businessKey": "SQ-2026-001"})
    assert started["businessKey"] == "SQ-2026-001"


def test_a_process_without_a_numbering_scheme_gets_no_business_key(rest):
    assert deploy(rest("analyst"), bench_files()).status_code == 200
    assert rest_start(rest("officer"), "bench_three_step")["businessKey"] is None


@pytest.mark.usefixtures("project_models")
def test_the_start_page_gives_the_same_numbers_as_the_rest_start(web, ctx):
    cotton = web("cotton")
    task_ids = [start_on_the_page(cotton) for _ in range(2)]
    with ctx.db.read() as session:
        actor = load_actor(session, "cotton")
        keys = [user_tasks.get_task(session, actor, task_id).business_key for task_id in task_ids]
    assert len(set(keys)) == 2 and all(APPLICATION_NUMBER.fullmatch(k) for k in keys), keys
    assert keys[-1] in text(cotton.get(f"/tasks/{task_ids[-1]}"))


def test_a_minted_number_another_case_holds_is_drawn_again(models, ctx, rest):
    first = rest_start(rest("cotton"), "tic_establishment")["businessKey"]
    draws = iter([first, first, "SQ-2026-00ABCD"])
    ctx.mint_business_key = lambda process_key, now: next(draws)
    second = rest_start(rest("cotton"), "tic_establishment")["businessKey"]
    assert second == "SQ-2026-00ABCD"
