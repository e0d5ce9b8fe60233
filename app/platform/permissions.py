"""Who may do what with a task or a case: every rule of the officers' actions, in one place.

Each rule is a pure function of plain values (an `Actor`, a task row, a `Case`) and answers
None when the action is allowed, or the refusal: the error its command raises, with its
message in Chinese and English. The commands enforce the rules (`enforce`); the pages and
the API ask `allowed_actions`, which asks these rules; nobody else decides.

Acting on a task is for its assignee, or a candidate while nobody holds it. A pending
delegation (委派 not yet handed back) is one state with one refusal: the delegate works on
the form and resolves it, the owner then completes it (as Camunda does).
Reading is `authorization`'s, the confidential steps and variables are `confidential`'s.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from app.models import InstanceState

from app.core import confidential
from app.core.authorization import is_candidate
from app.core.errors import BadRequest, Conflict, Forbidden, NotFound, ServiceError, Suspended
from app.core.identity import DEPLOY_GROUPS, SERVICE_GROUP, Actor

PENDING = "PENDING"
# Department staff who act: a manager only reads, the agency acts where a task names it.
DEPARTMENT_ACTORS = frozenset({"department", "department_leader", "admin"})
# The applying unit's own staff (牵头单位; 中心 once established).
APPLICANT_GROUPS = frozenset({"lead_unit", "center"})
EXPERT_GROUP = "expert"
# Who runs a job now, ahead of its due time (the job executor's retries are the platform's).
JOB_OPERATORS = frozenset({"admin", "department"})
# Who sees the department's queue: open tasks per process and step.
QUEUE_READERS = frozenset({"department", "department_leader"})


class TaskRow(Protocol):
    """The columns of an inbox row (`task`) the rules read."""

    id: str
    name: str | None
    task_key: str
    candidate_groups: str
    candidate_users: str
    assignee: str | None
    owner: str | None
    delegation_state: str | None
    suspended: bool


@dataclass(frozen=True)
class Case:
    """Whose a case is: who started it (None: the platform did), the applying unit, its
    supervising (recommending) unit, and whether it still runs."""

    started_by: str | None
    applicant_org: str | None
    supervising_org: str | None
    active: bool


def case_of(instance, values: dict | None = None) -> Case:
    """The case of a process instance row. The applying unit is the starter's organization,
    or the center's (`applicantOrg`) for the processes the registry starts; the supervising
    unit is `recommenderOrg`, resolved to its id when the application is submitted and
    copied from the registry for a center's processes."""
    if values is None:
        values = json.loads(instance.variables_json).get("values", {})
    return Case(started_by=instance.started_by,
                applicant_org=instance.owner_org or _text(values.get("applicantOrg")),
                supervising_org=_text(values.get("recommenderOrg")),
                active=instance.state == InstanceState.ACTIVE)


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def enforce(refusal: ServiceError | None) -> None:
    """A command's check: raise the rule's refusal, if it refused."""
    if refusal is not None:
        raise refusal


def acts_for_department(actor: Actor) -> bool:
    return actor.in_any(DEPARTMENT_ACTORS)


def sees_confidential(actor: Actor) -> bool:
    """Reads the confidential steps and variables of every case (the expert panel, scores)."""
    return confidential.sees_all(actor)


# Acting on a task ---------------------------------------------------------------------------

def act_refusal(actor: Actor, task: TaskRow) -> ServiceError | None:
    """Work on the task's form (fill it in, save a draft): its assignee, or a candidate
    while nobody holds it."""
    if task.suspended:
        return Suspended()
    if task.assignee == actor.id or (task.assignee is None and is_candidate(actor, task)):
        return None
    if task.assignee is not None and is_candidate(actor, task):
        return Forbidden(f"任务已由 {task.assignee} 认领 / the task is claimed by {task.assignee}")
    return Forbidden("您不是该任务的办理人或候选人 / you are not a candidate for this task")


def claim_refusal(actor: Actor, task: TaskRow) -> ServiceError | None:
    """Claim (认领): a candidate, while nobody holds the task. Who may not take it at all is
    told so, not who holds it."""
    if task.suspended:
        return Suspended()
    if task.assignee != actor.id and not is_candidate(actor, task):
        return Forbidden("您不是该任务的办理人或候选人 / you are not a candidate for this task")
    if task.assignee is not None and task.assignee != actor.id:
        return Conflict(f"任务已被 {task.assignee} 认领 / task is already claimed by {task.assignee}")
    return None


def holder_refusal(actor: Actor, task: TaskRow) -> ServiceError | None:
    """The holder's steps (complete, give back, 转办, 委派, 退回): who may act, once no
    delegation is pending. Its owner and its delegate are told to wait for the resolve."""
    if task.delegation_state == PENDING and actor.id in (task.owner, task.assignee):
        return Conflict(f"任务已委派给 {task.assignee}，须由其办理后交还委托人 {task.owner}，"
                        f"再由委托人办理 / the task is delegated to {task.assignee}: they resolve it, "
                        f"then its owner {task.owner} completes it")
    return act_refusal(actor, task)


def assign_refusal(actor: Actor, task: TaskRow) -> ServiceError | None:
    """Set the assignee (Camunda's setAssignee): the holder's 转办, or an administrator giving
    a task nobody holds to one of its candidates. Administrators assign; they never claim
    or complete a business task (they are no candidate of one)."""
    if task.assignee is None and not task.suspended and administers(actor):
        return None
    return holder_refusal(actor, task)


def resolve_refusal(actor: Actor, task: TaskRow) -> ServiceError | None:
    """Hand a delegated task back (交还): its delegate, while the delegation is pending."""
    if task.suspended:
        return Suspended()
    if task.delegation_state == PENDING and task.assignee == actor.id:
        return None
    return Forbidden("只有受托人可以交还委派中的任务 / only the delegate may resolve this task")


# 转办 and 委派: to whom -----------------------------------------------------------------------

def transfer_target_refusal(actor: Actor, task: TaskRow, target: Actor) -> ServiceError | None:
    """Transfer (转办) to another candidate of the same group and, for scoped groups, the
    same unit."""
    if target.id == actor.id:
        return BadRequest("不能转办给自己 / cannot transfer to yourself")
    personal = _personal_refusal(actor, task, "转办")
    if personal is not None:
        return personal
    if not is_candidate(target, task):
        return BadRequest(f"用户 {target.display_name}（{target.id}）不是该任务的候选人"
                          "（须属于同一用户组及同一单位），不能转办 / not a candidate of the task")
    return _confidential_refusal(task, target, "转办")


def delegate_target_refusal(actor: Actor, task: TaskRow, target: Actor) -> ServiceError | None:
    """Delegate (委派) to a colleague of the same unit, a candidate of the task, or (for the
    department's own staff) the agency it entrusts."""
    if target.id == actor.id:
        return BadRequest("不能委派给自己 / cannot delegate to yourself")
    personal = _personal_refusal(actor, task, "委派")
    if personal is not None:
        return personal
    if not (is_candidate(target, task) or target.organization_id == actor.organization_id
            or (target.in_any({"agency"}) and acts_for_department(actor))):
        return BadRequest(f"用户 {target.display_name}（{target.id}）不是本单位人员、该任务的候选人"
                          "或专业机构，不能委派 / the delegate must be a colleague, a candidate or the agency")
    return _confidential_refusal(task, target, "委派")


def _personal_refusal(actor: Actor, task: TaskRow, verb: str) -> ServiceError | None:
    """An expert's review is theirs in person (the panel names them): never handed on."""
    if actor.in_any({EXPERT_GROUP}) and not sees_confidential(actor) and task.task_key in confidential.STEPS:
        return BadRequest(f"专家评审须由专家本人完成，不能{verb} / an expert's review is not handed on")
    return None


def _confidential_refusal(task: TaskRow, target: Actor, verb: str) -> ServiceError | None:
    """A confidential step (an expert's review, the panel) goes only to someone who may
    read it: handing it over would show the panel and the scores."""
    if confidential.sees_step(target, task.task_key, None):
        return None
    return BadRequest(f"「{task.name}」涉及专家评审信息，只能{verb}给科技厅或受托专业机构人员 / a confidential "
                      "step goes only to department staff")


# Candidates (Camunda's identity links) ------------------------------------------------------

def candidates_refusal(actor: Actor, task: TaskRow) -> ServiceError | None:
    """Add or remove a task's candidate users and groups: whom a task is offered to is the
    department's to decide, so department staff who act, on a task they may act on."""
    if not acts_for_department(actor):
        return Forbidden("只有科技厅经办人员可以调整任务候选人 / only department staff change a task's candidates")
    return act_refusal(actor, task)


def candidate_target_refusal(task: TaskRow, user: Actor | None, group: str | None) -> ServiceError | None:
    """A confidential step is offered only to those who may read it (as 转办 hands it)."""
    if user is not None:
        return _confidential_refusal(task, user, "加为候选人")
    if task.task_key in confidential.STEPS and group not in confidential.READERS:
        return BadRequest(f"「{task.name}」涉及专家评审信息，只能由科技厅或受托专业机构人员办理 / a "
                          "confidential step is offered only to department staff")
    return None


# 催办 ------------------------------------------------------------------------------------

def urge_refusal(actor: Actor, task: TaskRow, urged_within_the_hour: bool) -> ServiceError | None:
    """Remind whoever holds the task (催办), as a reader of its case: a step the actor may
    see but not do, once an hour."""
    if not confidential.sees_step(actor, task.task_key, task.assignee):
        return NotFound(f"任务 {task.id} 不存在或无权查看 / task not found")
    if act_refusal(actor, task) is None:
        return BadRequest("该任务由您办理，无需催办 / you may do this task yourself")
    if urged_within_the_hour:
        return BadRequest("您在一小时内已催办过该任务，请稍后再催 / you urged this task within the last hour")
    return None


# 撤回 ------------------------------------------------------------------------------------

def applicant_refusal(actor: Actor, case: Case) -> ServiceError | None:
    """The applicant of a case it started: the starter, or the applying unit's staff. A case
    the platform started (an evaluation, an annual report) has its own way out."""
    if case.started_by is not None and _applicant_side(actor, case):
        return None
    return Forbidden("只有发起人或发起单位的申报人员可以撤回 / only the applicant may withdraw")


def withdraw_refusal(actor: Actor, case: Case) -> ServiceError | None:
    """Withdraw (撤回) a running case: its applicant."""
    refusal = applicant_refusal(actor, case)
    if refusal is None and not case.active:
        return Conflict("流程已结束，不能撤回 / the instance has already ended")
    return refusal


# 抄送: granting access is itself a permission ----------------------------------------------

def copy_refusal(actor: Actor, case: Case) -> ServiceError | None:
    """Copy a case in (抄送): the applying unit and the department staff who act; a
    copied-in reader may not pass it on."""
    if acts_for_department(actor) or _applicant_side(actor, case):
        return None
    return Forbidden("只有申报单位和科技厅经办人员可以抄送 / only the applicant and department staff may copy a case")


def copy_target_refusal(actor: Actor, case: Case, target: Actor) -> ServiceError | None:
    """Copy to department staff, the case's supervising unit and the applying unit's own
    people; never to another applicant, an expert or any other unit."""
    who = f"用户 {target.display_name}（{target.id}）"
    if target.id == actor.id:
        return BadRequest(f"{who}：不能抄送给自己 / you cannot copy yourself in")
    if target.in_any({EXPERT_GROUP}):
        return BadRequest(f"{who}是评审专家，不能抄送 / experts may not be copied in")
    if target.sees_everything or target.organization_id in {case.applicant_org, case.supervising_org} - {None}:
        return None
    return BadRequest(f"{who}不是科技厅、本案推荐（主管）单位或申报单位的人员，不能抄送"
                      " / only department staff, the supervising unit and the applicant's own people may be copied in")


def _applicant_side(actor: Actor, case: Case) -> bool:
    return case.started_by == actor.id or (
        case.applicant_org is not None and actor.organization_id == case.applicant_org
        and actor.in_any(APPLICANT_GROUPS))


# Signals ------------------------------------------------------------------------------------

def signal_refusal(actor: Actor) -> ServiceError | None:
    """Broadcast a signal (Camunda's POST /signal) to every instance waiting for it: no case
    names a sender for one, so as a message without a sender rule, department staff who act
    and service accounts."""
    if acts_for_department(actor) or SERVICE_GROUP in actor.groups:
        return None
    return Forbidden("只有科技厅经办人员或服务账号可以发送信号 / only department staff or a service account "
                     "may send a signal")


# Operating the platform ---------------------------------------------------------------------

def deploy_refusal(actor: Actor) -> ServiceError | None:
    """Deploy models (a new version of a process, decision table or form): analysts and admins."""
    if actor.in_any(DEPLOY_GROUPS):
        return None
    return Forbidden("只有业务分析员或管理员可以部署模型 / only analysts and admins deploy")


def delete_refusal(actor: Actor, case: Case) -> ServiceError | None:
    """Terminate a running instance (Camunda's DELETE): its starter, the department or an admin."""
    if actor.in_any({"admin", "department"}) or (case.started_by is not None and case.started_by == actor.id):
        return None
    return Forbidden("只有发起人、科技厅或管理员可以终止流程 / not allowed to delete")


def job_execute_refusal(actor: Actor) -> ServiceError | None:
    """Run a job now, whoever holds its lock: the department's officers and administrators."""
    if actor.in_any(JOB_OPERATORS):
        return None
    return Forbidden("只有科技厅经办人员或管理员可以立即执行作业 / only department staff and admins execute jobs")


def job_retries_refusal(actor: Actor) -> ServiceError | None:
    """Give a job its retries back (and so resolve its incident): administrators only."""
    if actor.in_any({"admin"}):
        return None
    return Forbidden("需要管理员权限 / administrators only")


# External workers (Camunda's external-task clients) and administrators fetch, lock and
# complete external tasks; officers do not.
EXTERNAL_WORKERS = frozenset({"worker", "admin"})
# Who reads the external tasks besides them: the cockpit's readers.
EXTERNAL_TASK_READERS = EXTERNAL_WORKERS | frozenset({"manager", "department", "department_leader"})


def external_work_refusal(actor: Actor) -> ServiceError | None:
    """Fetch and lock external tasks, complete them, report failures and BPMN errors,
    extend or give back a lock: external workers and administrators."""
    if actor.in_any(EXTERNAL_WORKERS):
        return None
    return Forbidden("只有外部任务工作者或管理员可以获取和办理外部任务 / only external workers and "
                     "admins fetch and complete external tasks")


def external_task_read_refusal(actor: Actor) -> ServiceError | None:
    """List and read external tasks: workers, administrators and the cockpit's readers."""
    if actor.in_any(EXTERNAL_TASK_READERS):
        return None
    return Forbidden("您无权查看外部任务 / you may not read external tasks")


def external_task_operation_refusal(actor: Actor) -> ServiceError | None:
    """Set an external task's retries (and so resolve its incident) or its priority:
    administrators only, as for jobs."""
    return job_retries_refusal(actor)


def sees_queue(actor: Actor) -> bool:
    """Sees the department's queue on the start page: open tasks per process and step."""
    return actor.in_any(QUEUE_READERS)


# Administration ---------------------------------------------------------------------------

ADMINISTRATORS = frozenset({"admin"})


# The expert pool (专家库) is the department's and its agency's to keep; leaders, managers and
# administrators read it too. Experts' contacts are in it: nobody else reads it.
EXPERT_POOL_KEEPERS = frozenset({"department", "agency"})
EXPERT_POOL_READERS = EXPERT_POOL_KEEPERS | {"department_leader", "manager", "admin"}


def expert_pool_refusal(actor: Actor, keeping: bool) -> ServiceError | None:
    """Reading the pool (`keeping` False) or changing it and drawing from it (True)."""
    if actor.in_any(EXPERT_POOL_KEEPERS if keeping else EXPERT_POOL_READERS):
        return None
    if keeping:
        return Forbidden("只有科技厅经办人员或专业机构可以维护专家库、抽取专家 / only the department "
                         "and its agency keep the expert pool")
    return Forbidden("无权查看专家库 / the expert pool is the department's")


# Application rounds (申报批次) and their ranking are the department's and its agency's to
# keep; leaders, who approve on the ranking, managers and administrators read them too.
ROUND_KEEPERS = frozenset({"department", "agency"})
ROUND_READERS = ROUND_KEEPERS | {"department_leader", "manager", "admin"}


def rounds_refusal(actor: Actor, keeping: bool) -> ServiceError | None:
    """Reading the rounds (`keeping` False) or opening, editing and closing them (True)."""
    if actor.in_any(ROUND_KEEPERS if keeping else ROUND_READERS):
        return None
    if keeping:
        return Forbidden("只有科技厅经办人员或专业机构可以设置申报批次 / only the department and its agency "
                         "keep the application rounds")
    return Forbidden("无权查看申报批次 / the application rounds are the department's")


def administers(actor: Actor) -> bool:
    """Manages users, organizations and group membership (系统管理): administrators only."""
    return actor.in_any(ADMINISTRATORS)


def administration_refusal(actor: Actor) -> ServiceError | None:
    if administers(actor):
        return None
    return Forbidden("只有系统管理员可以管理用户、单位和用户组 / administrators only")


def calendar_refusal(actor: Actor) -> ServiceError | None:
    """The working-day calendar (节假日与调休) is the administrators' to keep."""
    if administers(actor):
        return None
    return Forbidden("只有系统管理员可以维护节假日与调休 / administrators only")


# Cockpit ------------------------------------------------------------------------------------

# Who reads the cockpit (流程监控): every process's counts, every instance's path and data.
# Managers read only; department staff and administrators operate the cases it shows. A
# lead unit, a recommender or an expert sees their own cases on the Tasklist instead.
COCKPIT_READERS = frozenset({"manager", "department", "department_leader", "admin"})


def cockpit_refusal(actor: Actor) -> ServiceError | None:
    """Read the cockpit and the process statistics (pages and REST alike)."""
    if actor.in_any(COCKPIT_READERS):
        return None
    return Forbidden("只有管理者、科技厅经办人员和管理员可以查看流程监控 / only managers, department "
                     "staff and administrators may open the cockpit")


def instance_operation_refusal(actor: Actor) -> ServiceError | None:
    """Suspend, resume, move a token, set a job's due date: the administrators' repairs."""
    if administers(actor):
        return None
    return Forbidden("只有系统管理员可以挂起、恢复或修改流程实例 / administrators only")


def participants_refusal(actor: Actor) -> ServiceError | None:
    """加签/减签 on a running countersignature (a panel the department chose): the department."""
    if acts_for_department(actor):
        return None
    return Forbidden("只有科技厅经办人员可以加签或减签 / only the department adds or removes participants")
