"""R28: a new guideline is a new version of the diagrams and tables. An evaluation started
under version 1 finishes under it; instances started afterwards use version 2."""
from __future__ import annotations

from tests.support.establishment import ROOT, deploy_models, task
from tests.support.jobs import deployed
from tests.support.lifecycle import (
    CODE, FIRST_EVALUATION, center, determine_grade, evaluation_started, instance_of,
    register_center, reviewed,
)

OLD_STEP, NEW_STEP = "提交绩效评估材料", "提交绩效评估材料（2025年版指引）"


def version_2_files() -> dict[str, bytes]:
    """The evaluation diagram with a renamed step, deployed with the tables it uses."""
    diagram = (ROOT / "bpmn" / "tic_evaluation.bpmn").read_text(encoding="utf-8")
    assert f'name="{OLD_STEP}"' in diagram
    files = {"tic_evaluation.bpmn": diagram.replace(f'name="{OLD_STEP}"', f'name="{NEW_STEP}"').encode()}
    for table in ("tic_evaluation_terms", "tic_grade_suggestion", "tic_funding", "tic_evaluation_cycle"):
        files[f"{table}.dmn"] = (ROOT / "bpmn" / f"{table}.dmn").read_bytes()
    return files


def version_of(client, instance_id: str) -> int:
    shown = client.get("/history/process-instance", query_string={"processInstanceId": instance_id}).get_json()
    return shown[0]["processDefinitionVersion"]


def test_r28_a_running_evaluation_finishes_on_version_1_and_the_next_cycle_uses_version_2(ctx, rest, clock):
    deploy_models(ctx)
    register_center(rest)
    officer, cotton = rest("officer"), rest("cotton")
    first = instance_of(officer, FIRST_EVALUATION)["id"]

    new = deployed(rest("analyst"), version_2_files(), "2025年版指引")
    (definition,) = [d for d in new["deployedProcessDefinitions"].values() if d["key"] == "tic_evaluation"]
    assert definition["version"] == 2

    evaluation_started(clock, rest)
    assert task(cotton, first, "submit_evaluation_materials")["name"] == OLD_STEP
    assert version_of(officer, first) == 1
    reviewed(rest, first)
    assert determine_grade(officer, first, "excellent").status_code == 204

    following = instance_of(officer, f"{CODE}-EV-2029")["id"]
    assert version_of(officer, following) == 2
    evaluation_started(clock, rest, year=2029)
    assert task(cotton, following, "submit_evaluation_materials")["name"] == NEW_STEP
    assert center(officer)["evaluations"] == [{"cycle": 1, "grade": "excellent", "fundingWan": 200},
                                              {"cycle": 2, "grade": None, "fundingWan": None}]
