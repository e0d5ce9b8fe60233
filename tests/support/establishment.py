"""Shared steps for the establishment tests: deploy bpmn/ and forms/ as `flask setup` does,
a valid application, and each role's step through /engine-rest."""
from __future__ import annotations

import json
from pathlib import Path

from app.platform import deployment, model_files
from tests.support.clients import Rest
from tests.support.flows import (  # noqa: F401  (re-exported for the establishment tests)
    only_task as task, task_keys, tasks as open_tasks, typed,
)

ROOT = Path(__file__).resolve().parents[2]
PROCESS = "tic_establishment"


def deploy_models(ctx, exclude: tuple[str, ...] = ()) -> None:
    """Deploy the project's real diagrams, tables and forms (minus `exclude`)."""
    files = model_files.collect(ROOT / "bpmn", ROOT / "forms")
    for name in exclude:
        files.pop(name, None)
    with ctx.db.command() as session:
        deployment.deploy(ctx, session, None, "test", files)


def signature(signer: str = "张建国", opinion: str = "同意申报") -> dict:
    return {"opinion": opinion, "signer": signer, "signedOn": "2026-02-20"}


def co_builder(name: str, kind: str = "enterprise", core: bool = True, in_region: bool = True,
               chain: str = "midstream", **extra) -> dict:
    unit = {"name": name, "kind": kind, "inRegion": in_region, "core": core, "chainPosition": chain}
    if core:
        unit["signature"] = signature("王立新", f"{name}同意共建")
    unit.update(extra)
    return unit


PLAN = {
    "background": "新疆是全国最大的优质棉花生产基地，棉纺织产业亟需关键技术支撑。",
    "foundation": "牵头单位拥有自治区级企业技术中心和纺织工程研究团队。",
    "goals": "突破高支纱纺纱与智能化纺织装备关键技术，形成成果转化体系。",
    "organization": "由牵头单位与共建单位共同出资组建，设立理事会和专家委员会。",
    "operation": "实行理事会决策、主任负责、专家委员会咨询的运行机制。",
    "funding": "三年投入研发经费1.2亿元，乌鲁木齐市提供场地和配套资金。",
    "schedule": "2026年完成组建，2027年建成中试线，2028年全面运行。",
    "indicators": "三年内突破关键技术10项，转化成果20项，培养人才100名。",
}


def lead_unit(**overrides) -> dict:
    unit = {"name": "新疆天棉纺织集团有限公司", "kind": "enterprise",
            "creditCode": "91650100MA77XJ1234", "isIndustryLeader": True,
            "hasIndependentRnd": True, "debtRatio": 55.0, "inRegion": True}
    unit.update(overrides)
    return unit


def application(**overrides) -> dict:
    """A complete, eligible application of 新疆天棉纺织集团 to 乌鲁木齐市人民政府."""
    values = {
        "centerName": "新疆棉花和纺织服装技术创新中心",
        "category": "domain",
        "field": "cotton_textile",
        "leadUnit": lead_unit(),
        "coBuilders": [
            co_builder("新疆大学", kind="university", chain="upstream"),
            co_builder("新疆阿拉尔棉纺有限公司"),
            co_builder("新疆纺织服装产业园", kind="park", core=False, chain="support"),
        ],
        "legalEntity": "independent",
        "plan": dict(PLAN),
        "recommenderOrg": "urumqi_gov",
        "leadUnitSignature": signature(),
    }
    values.update(overrides)
    return values


def start_application(client, business_key: str = "SQ-2026-001") -> str:
    response = client.post(f"/process-definition/key/{PROCESS}/start", json={"businessKey": business_key})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["id"]


def complete(client, task_id: str, values: dict):
    return client.post(f"/task/{task_id}/complete", json={"variables": typed(values)})


def completed(client, instance_id: str, key: str, values: dict) -> None:
    response = complete(client, task(client, instance_id, key)["id"], values)
    assert response.status_code == 204, response.get_json()


def variables(client, instance_id: str) -> dict:
    response = client.get(f"/process-instance/{instance_id}/variables")
    assert response.status_code == 200, response.get_json()
    return {name: _plain(typed_value) for name, typed_value in response.get_json().items()}


def _plain(typed_value: dict):
    if typed_value["type"] == "Json":
        return json.loads(typed_value["value"])
    return typed_value["value"]


def instance_state(client, instance_id: str) -> str:
    response = client.get("/history/process-instance", query_string={"processInstanceId": instance_id})
    return response.get_json()[0]["state"]


def ended_activities(client, instance_id: str) -> set[str]:
    """The diagram elements the instance finished (not those cancelled)."""
    rows = client.get("/history/activity-instance",
                      query_string={"processInstanceId": instance_id}).get_json()
    return {row["activityId"] for row in rows if row["endTime"] is not None and not row["canceled"]}


def field_errors(response) -> dict[str, str]:
    assert response.status_code == 400, response.get_json()
    return {e["field"]: e["message"] for e in response.get_json()["errors"]}


# --------------------------------------------------------------- one step per role


def submit(cotton, instance_id: str, **overrides) -> None:
    completed(cotton, instance_id, "fill_application", application(**overrides))


def recommender_decides(recommender, instance_id: str, decision: str, opinion: str = "同意推荐") -> None:
    completed(recommender, instance_id, "recommender_review",
              {"recommenderDecision": decision, "recommenderOpinion": opinion})


def send_letter(recommender, instance_id: str) -> None:
    completed(recommender, instance_id, "recommend_letter", {
        "preparatoryBoardFormed": True, "recommendationLetterNo": "乌政函〔2026〕12号",
        "recommenderSignature": signature("李明", "经审核，同意推荐"),
    })


def formal_review(officer, instance_id: str, decision: str, opinion: str = "材料齐全，符合组建条件") -> None:
    completed(officer, instance_id, "formal_review",
              {"formalReviewDecision": decision, "formalReviewOpinion": opinion})


# The establishment review's scoring sheet (DMN tic_review_criteria): every criterion scored
# alike makes the weighted total that score.
ESTABLISHMENT_CRITERIA = ("goals", "foundation", "operation", "funding", "schedule")


def uniform_sheet(score: int) -> dict:
    return {"criterionScores": {criterion: score for criterion in ESTABLISHMENT_CRITERIA}}


MANUAL_REASON = "本领域入库专家不足，经处务会研究人工遴选"


def assign_experts(officer, instance_id: str, experts: list[str], reason: str | None = MANUAL_REASON):
    """A panel chosen by hand, with its reason (none: `reason=None`)."""
    values = {"experts": experts} if reason is None else {"experts": experts, "panelReason": reason}
    return complete(officer, task(officer, instance_id, "assign_experts")["id"], values)


def expert_reviews(rest, instance_id: str, scores: dict[str, int]) -> None:
    for expert, score in scores.items():
        completed(rest(expert), instance_id, "expert_review", {
            "expertScore": score, "expertOpinion": f"{expert}：建设目标明确，任务可行",
            "expertRecommend": score >= 60,
        })


def site_visit(officer, instance_id: str, passed: bool = True) -> None:
    completed(officer, instance_id, "site_visit", {
        "siteVisitPassed": passed, "siteVisitReport": "研发场地、人员和设备到位，运行准备充分",
        "siteVisitDate": "2026-03-01",
    })


def approval(leader, instance_id: str, decision: str, opinion: str = "同意组建",
             publicity_ends: bool = True) -> None:
    """The leader's decision; an approval is 拟批准, so unless told otherwise its 公示 then
    ends with no objection (its timer job runs now), which registers the center."""
    completed(leader, instance_id, "approval_decision",
              {"approvalDecision": decision, "approvalOpinion": opinion})
    if decision == "approve" and publicity_ends:
        end_publicity(Rest(leader.client, "officer"), instance_id)


def publicity_job(client, instance_id: str) -> dict:
    jobs = client.get("/job", query_string={"processInstanceId": instance_id}).get_json()
    (job,) = [job for job in jobs if job["activityId"] == "publicity_ends"]
    return job


def end_publicity(officer, instance_id: str) -> None:
    """The 公示 period is over: the officer runs its timer job now (POST /job/{id}/execute)."""
    response = officer.post(f"/job/{publicity_job(officer, instance_id)['id']}/execute")
    assert response.status_code == 204, response.get_json()


def end_only_publicity(rest) -> None:
    """The browser tests walk one application: its 公示, opened by the leader's approval in
    the page, ends now."""
    (instance,) = rest("officer").get("/process-instance", query_string={
        "processDefinitionKey": "tic_establishment"}).get_json()
    end_publicity(rest("officer"), instance["id"])


EXPERT_PANEL = {"expert4": 88, "expert5": 92, "expert6": 79}


def to_formal_review(rest, instance_id: str, **overrides) -> None:
    """cotton's application submitted, recommended and its letter sent: 形式审查 is next."""
    submit(rest("cotton"), instance_id, **overrides)
    recommender_decides(rest("urumqi"), instance_id, "approve")
    send_letter(rest("urumqi"), instance_id)


def to_approval(rest, business_key: str = "SQ-2026-001", scores: dict[str, int] | None = None,
                **overrides) -> str:
    """An application of cotton's carried through every step up to approval_decision."""
    officer = rest("officer")
    instance_id = start_application(rest("cotton"), business_key)
    to_formal_review(rest, instance_id, **overrides)
    formal_review(officer, instance_id, "pass")
    scores = scores or EXPERT_PANEL
    response = assign_experts(officer, instance_id, list(scores))
    assert response.status_code == 204, response.get_json()
    expert_reviews(rest, instance_id, scores)
    site_visit(officer, instance_id)
    return instance_id


def withdraw(client, business_key: str):
    return client.post("/message", json={
        "messageName": "ApplicationWithdrawn", "businessKey": business_key,
        "processVariables": typed({"withdrawReason": "单位主动撤回申请"}),
    })
