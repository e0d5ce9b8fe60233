"""`tic_evaluation` (绩效评估): its service tasks and what its steps record (R20–R27)."""
from __future__ import annotations

from app.core.extensions import Refused, ServiceTaskEvent, TaskEvent, handler, on_complete
from app.tic import documents, evaluations
from app.tic.document_data import Source

PROCESS = "tic_evaluation"


@handler(
    "open_evaluation",
    title="启动绩效评估",
    reads=("centerCode", "cycleStartDate", "nextEvaluationDue"),
    writes=("centerName", "category", "evaluationCycle", "leadUnit", "coBuilders", "applicantOrg",
            "recommenderOrg", "materialsReturned"),
)
def open_evaluation(ctx: ServiceTaskEvent) -> dict:
    return evaluations.open_cycle(ctx.session, ctx.process_instance_id, ctx.variables, ctx.now)


@handler(
    "set_materials_deadline",
    title="确定材料提交期限",
    reads=("materialsDays", "supplementDays", "materialsReturned"),
    writes=("materialsDueDate",),
)
def set_materials_deadline(ctx: ServiceTaskEvent) -> dict:
    return evaluations.set_materials_deadline(ctx.session, ctx.process_instance_id, ctx.variables, ctx.now)


@on_complete(PROCESS, "submit_evaluation_materials")
def submit_materials(event: TaskEvent) -> None:
    evaluations.record_materials(event.session, event.process_instance_id, event.actor_id,
                                 event.values, event.now)


@on_complete(PROCESS, "authority_review_materials")
def review_materials(event: TaskEvent) -> None:
    problems = evaluations.authority_review_problems(event.variables, event.values)
    if problems:
        raise Refused(problems)
    evaluations.record_authority_review(event.session, event.process_instance_id, event.actor_id,
                                        event.values, event.now)


@handler("list_expert_scores", title="汇总专家评分", writes=("expertScores",))
def list_expert_scores(ctx: ServiceTaskEvent) -> dict:
    return {"expertScores": evaluations.expert_scores(ctx.session, ctx.process_instance_id)}


@on_complete(PROCESS, "determine_grade")
def determine_grade(event: TaskEvent) -> None:
    problems = evaluations.grading_problems(event.values)
    if problems:
        raise Refused(problems)
    evaluations.record_grading(event.session, event.process_instance_id, event.actor_id,
                               event.values, event.variables)


@handler("record_evaluation_result", title="登记评估结果并印发结果通知", reads=("centerCode", "grade", "fundingWan"))
def record_evaluation_result(ctx: ServiceTaskEvent) -> None:
    evaluations.record_result(ctx.session, ctx.process_instance_id, ctx.variables, ctx.now)
    documents.issue(ctx.app, ctx.session, "evaluation_notice", Source(
        ctx.session, ctx.process_instance_id, ctx.business_key, ctx.variables, ctx.now))


@handler(
    "open_rectification",
    title="限期整改",
    reads=("rectificationMonths",),
    writes=("rectificationDueDate",),
)
def open_rectification(ctx: ServiceTaskEvent) -> dict:
    return evaluations.open_rectification(ctx.session, ctx.process_instance_id, ctx.variables, ctx.now)


@on_complete(PROCESS, "submit_rectification_report")
def submit_rectification_report(event: TaskEvent) -> None:
    evaluations.record_rectification_report(event.session, event.process_instance_id,
                                            event.actor_id, event.values, event.now)


@on_complete(PROCESS, "rectification_review")
def rectification_review(event: TaskEvent) -> None:
    evaluations.record_rectification_review(event.session, event.process_instance_id,
                                            event.actor_id, event.values, event.now)


@handler("end_rectification", title="整改结束，恢复正常运行")
def end_rectification(ctx: ServiceTaskEvent) -> None:
    evaluations.end_rectification(ctx.session, ctx.process_instance_id, ctx.now)


@handler(
    "start_next_evaluation_cycle",
    title="启动下一轮运行周期",
    reads=("centerCode", "evaluationCycleYears"),
    writes=("nextCycleBusinessKey",),
)
def start_next_evaluation_cycle(ctx: ServiceTaskEvent) -> dict:
    key = evaluations.start_next_cycle(ctx.app, ctx.session, ctx.process_instance_id, ctx.variables, ctx.now)
    return {"nextCycleBusinessKey": key}
