"""Shared steps for the lifecycle tests (issue 4): centers registered by the real
establishment process, timers fired through the job API or the moved clock, and each
role's step of the evaluation through REST as the demo users."""
from __future__ import annotations

from datetime import datetime

from app.platform.jobs import execute_due_jobs
from tests.support.establishment import (
    EXPERT_PANEL, MANUAL_REASON, approval, assign_experts, co_builder, complete, completed,
    expert_reviews, formal_review, recommender_decides, send_letter, site_visit,
    start_application, submit, task, to_approval, variables,
)

CODE = "XJTIC-2026-001"
FIRST_EVALUATION = f"{CODE}-EV-2026"
PANEL = {"expert4": 90, "expert5": 88, "expert6": 86}


def register_center(rest, business_key: str = "SQ-2026-001", **overrides) -> str:
    """Carry cotton's application through establishment to approval; returns the center code."""
    instance_id = to_approval(rest, business_key, **overrides)
    approval(rest("leader"), instance_id, "approve")
    return variables(rest("officer"), instance_id)["centerCode"]


def register_university_center(rest, name: str, business_key: str = "SQ-2026-101") -> str:
    """新疆大学's application, recommended by 工信厅, carried through to approval."""
    xju, gxt, officer = rest("xju"), rest("gxt"), rest("officer")
    instance_id = start_application(xju, business_key)
    submit(xju, instance_id, centerName=name, field="information_technology", recommenderOrg="gxt",
           leadUnit={"name": "新疆大学", "kind": "university", "creditCode": "12650000458000123X",
                     "inRegion": True},
           coBuilders=[co_builder("新疆众和信息科技有限公司"), co_builder("新疆天山软件股份有限公司")])
    recommender_decides(gxt, instance_id, "approve")
    send_letter(gxt, instance_id)
    formal_review(officer, instance_id, "pass")
    assert assign_experts(officer, instance_id, list(EXPERT_PANEL)).status_code == 204
    expert_reviews(rest, instance_id, EXPERT_PANEL)
    site_visit(officer, instance_id)
    approval(rest("leader"), instance_id, "approve")
    return variables(officer, instance_id)["centerCode"]


def api(client, path: str):
    return client.client.get(f"/api{path}", headers=client.headers)


def api_put(client, path: str, body):
    return client.client.put(f"/api{path}", headers=client.headers, json=body)


def api_post(client, path: str, body=None):
    return client.client.post(f"/api{path}", headers=client.headers, json=body or {})


def instance_of(client, business_key: str) -> dict:
    """The one instance (running or ended) with this business key."""
    response = client.get("/history/process-instance", query_string={"processInstanceBusinessKey": business_key})
    assert response.status_code == 200, response.get_json()
    (found,) = response.get_json()
    return found


def only_job(client, instance_id: str) -> dict:
    (job,) = client.get("/job", query_string={"processInstanceId": instance_id}).get_json()
    return job


def execute_job(officer, instance_id: str) -> None:
    """Execute the instance's one timer job now (Camunda's POST /job/{id}/execute)."""
    response = officer.post(f"/job/{only_job(officer, instance_id)['id']}/execute")
    assert response.status_code == 204, response.get_json()


def due_instant(job: dict) -> datetime:
    """A job's dueDate as the REST API shows it (2029-03-02T00:00:00.000+0800)."""
    return datetime.strptime(job["dueDate"], "%Y-%m-%dT%H:%M:%S.%f%z")


def when_due(clock, officer, instance_id: str) -> None:
    """Move the clock to the instance's timer and execute the job, as the executor would then."""
    clock.freeze(due_instant(only_job(officer, instance_id)))
    execute_job(officer, instance_id)


def run_executor(ctx) -> None:
    """What the job executor does at the clock's current time, until nothing more is due."""
    while execute_due_jobs(ctx):
        pass


def center(client, code: str = CODE) -> dict:
    response = api(client, f"/centers/{code}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# ------------------------------------------------------------------ evaluation steps


MATERIALS = {
    "selfEvaluation": "三年来围绕高支纱纺纱和智能纺织装备开展攻关，建设目标基本完成。",
    "indicatorsCompletion": "突破关键技术11项（目标10项），转化成果22项（目标20项）。",
    "rdInvestmentWan": 12500, "keyTechnologies": 11, "achievementsTransferred": 22,
}


def submit_materials(cotton, instance_id: str):
    return complete(cotton, task(cotton, instance_id, "submit_evaluation_materials")["id"],
                    {"evaluationMaterials": MATERIALS})


def authority_review(urumqi, instance_id: str, decision: str, opinion: str = "材料真实完整，同意报送"):
    return complete(urumqi, task(urumqi, instance_id, "authority_review_materials")["id"],
                    {"authorityDecision": decision, "authorityOpinion": opinion})


def expert_panel(rest, instance_id: str, scores: dict[str, int] | None = None) -> None:
    officer = rest("officer")
    scores = scores or PANEL
    completed(officer, instance_id, "assign_experts", {"experts": list(scores), "panelReason": MANUAL_REASON})
    expert_reviews(rest, instance_id, scores)
    site_visit(officer, instance_id)


def evaluation_started(clock, rest, code: str = CODE, year: int = 2026) -> str:
    """The cycle keyed `<code>-EV-<year>` reaches its end: the clock moves there and its
    timer job runs; returns the instance id."""
    officer = rest("officer")
    instance_id = instance_of(officer, f"{code}-EV-{year}")["id"]
    when_due(clock, officer, instance_id)
    return instance_id


def to_grading(clock, rest, code: str = CODE, year: int = 2026,
               scores: dict[str, int] | None = None) -> str:
    """Start the cycle's evaluation and carry it up to determine_grade; returns its id."""
    instance_id = evaluation_started(clock, rest, code, year)
    reviewed(rest, instance_id, scores)
    return instance_id


def reviewed(rest, instance_id: str, scores: dict[str, int] | None = None) -> None:
    """Materials submitted and approved, the experts' panel done: determine_grade is open."""
    assert submit_materials(rest("cotton"), instance_id).status_code == 204
    assert authority_review(rest("urumqi"), instance_id, "approve").status_code == 204
    expert_panel(rest, instance_id, scores)


def determine_grade(officer, instance_id: str, grade: str, violation: bool = False,
                    finding: str | None = None):
    values = {"grade": grade, "gradeOpinion": "依据专家评审意见确定", "integrityViolation": violation}
    if finding is not None:
        values["integrityFinding"] = finding
    return complete(officer, task(officer, instance_id, "determine_grade")["id"], values)


def graded(clock, rest, grade: str, code: str = CODE, year: int = 2026,
           scores: dict[str, int] | None = None) -> str:
    instance_id = to_grading(clock, rest, code, year, scores)
    response = determine_grade(rest("officer"), instance_id, grade)
    assert response.status_code == 204, response.get_json()
    return instance_id
