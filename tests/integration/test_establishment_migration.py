"""Issue 11 on the real establishment process: an analyst renames steps of tic_establishment
and deploys version 2; an admin migrates the running applications that can move. One
waiting at a user step with its withdrawal boundary, and one past the expert review (a
finished call activity in its tree) move and finish on version 2; one inside the expert
review (a running call activity) cannot move and carries on under version 1 (R28)."""
from __future__ import annotations

from tests.support.establishment import (
    ROOT, approval, assign_experts, formal_review, instance_state, recommender_decides,
    send_letter, start_application, submit, task, to_approval, withdraw,
)
from tests.support.jobs import deployed, historic_instance

RENAMED = {"formal_review": "形式审查（2026年版指引）", "approval_decision": "审批决定（2026年版指引）"}


def version_2(rest) -> str:
    diagram = (ROOT / "bpmn" / "tic_establishment.bpmn").read_text(encoding="utf-8")
    for step, name in RENAMED.items():
        old = f'<bpmn:userTask id="{step}" name="'
        start = diagram.index(old) + len(old)
        diagram = diagram[:start] + name + diagram[diagram.index('"', start):]
    files = {"tic_establishment.bpmn": diagram.encode()}
    for table in ("tic_eligibility", "tic_evaluation_cycle"):
        files[f"{table}.dmn"] = (ROOT / "bpmn" / f"{table}.dmn").read_bytes()
    (definition,) = [d for d in deployed(rest("analyst"), files, "2026年版指引")["deployedProcessDefinitions"].values()
                     if d["key"] == "tic_establishment"]
    assert definition["version"] == 2
    return definition["id"]


def test_running_applications_move_to_version_2_unless_inside_the_expert_review(project_models, rest):
    cotton, urumqi, officer, admin = rest("cotton"), rest("urumqi"), rest("officer"), rest("admin")
    filling = start_application(cotton, "SQ-2026-001")
    approving = to_approval(rest, "SQ-2026-002")
    reviewing = start_application(cotton, "SQ-2026-003")
    submit(cotton, reviewing)
    recommender_decides(urumqi, reviewing, "approve")
    send_letter(urumqi, reviewing)
    formal_review(officer, reviewing, "pass")
    source = historic_instance(admin, filling)["processDefinitionId"]
    target = version_2(rest)

    plan = rest("analyst").post("/migration/generate", json={
        "sourceProcessDefinitionId": source, "targetProcessDefinitionId": target}).get_json()
    dry_run = rest("analyst").post("/migration/validate", json=plan).get_json()
    can_move = {r["processInstanceId"]: r["canMigrate"] for r in dry_run["instanceReports"]}
    assert can_move == {filling: True, approving: True, reviewing: False}

    report = admin.post("/migration/execute", json={
        "migrationPlan": plan, "processInstanceIds": [filling, approving, reviewing]}).get_json()
    assert sorted(report["migrated"]) == sorted([filling, approving])
    (skipped,) = report["skipped"]
    assert skipped["processInstanceId"] == reviewing
    assert {r["reason"] for r in skipped["reasons"]} == {"subprocess"}

    assert task(rest("leader"), approving, "approval_decision")["name"] == RENAMED["approval_decision"]
    approval(rest("leader"), approving, "approve")
    assert instance_state(officer, approving) == "COMPLETED"
    assert withdraw(cotton, "SQ-2026-001").status_code == 204
    assert instance_state(officer, filling) == "COMPLETED"
    assert historic_instance(admin, reviewing)["processDefinitionVersion"] == 1
    assert assign_experts(officer, reviewing, ["expert4", "expert5", "expert6"]).status_code == 204
