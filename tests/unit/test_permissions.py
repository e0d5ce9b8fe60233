"""The rules of who may do what with a task or a case (app/platform/permissions.py), without
a database: plain actors, plain task rows and plain cases. Each rule answers None (allowed)
or the refusal its command raises."""
from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from app.core.errors import BadRequest, Conflict, Forbidden, NotFound
from app.core.identity import Actor
from app.platform import permissions
from app.platform.permissions import Case


def person(user_id: str, organization: str, *groups: str) -> Actor:
    return Actor(user_id, f"{user_id} 经办人", organization, organization, "unit", frozenset(groups))


COTTON = person("cotton", "tianmian", "lead_unit", "center")
COTTON_STAFF = person("cotton2", "tianmian", "lead_unit")
COTTON_DRIVER = person("driver", "tianmian")
XJU = person("xju", "xju", "lead_unit", "center")
URUMQI = person("urumqi", "urumqi_gov", "recommender")
URUMQI2 = person("urumqi2", "urumqi_gov", "recommender")
KASHGAR = person("kashgar", "kashgar_gov", "recommender")
OFFICER = person("officer", "kjt", "department")
OFFICER2 = person("officer2", "kjt", "department")
LEADER = person("leader", "kjt", "department_leader")
MANAGER = person("manager", "kjt", "manager")
AGENCY = person("agency", "zlyjy", "agency")
EXPERT = person("expert4", "shihezi_u", "expert")


@dataclass(frozen=True)
class TaskRow:
    """The columns of an inbox row the rules read."""

    id: str = "t-1"
    name: str = "推荐部门审核"
    task_key: str = "recommender_review"
    candidate_groups: str = "recommender:urumqi_gov"
    candidate_users: str = ""
    assignee: str | None = None
    owner: str | None = None
    delegation_state: str | None = None
    suspended: bool = False


RECOMMEND = TaskRow()
FORMAL = TaskRow(name="形式审查", task_key="formal_review", candidate_groups="department")
DELEGATED = replace(FORMAL, assignee="officer2", owner="officer", delegation_state="PENDING")
REVIEW = TaskRow(name="专家评审", task_key="expert_review", candidate_groups="", assignee="expert4")

APPLICATION = Case(started_by="cotton", applicant_org="tianmian", supervising_org="urumqi_gov", active=True)
EVALUATION = Case(started_by=None, applicant_org="tianmian", supervising_org="urumqi_gov", active=True)


def refused(refusal, kind: type, *words: str) -> bool:
    """The rule refused with `kind` (exactly) and a message naming every word."""
    return type(refusal) is kind and all(word in refusal.message for word in words)


# Acting on a task ---------------------------------------------------------------------------

def test_a_candidate_may_act_on_an_unclaimed_task():
    assert permissions.act_refusal(URUMQI, RECOMMEND) is None
    assert permissions.act_refusal(URUMQI2, RECOMMEND) is None


def test_the_same_group_of_another_unit_may_not_act():
    assert refused(permissions.act_refusal(KASHGAR, RECOMMEND), Forbidden, "候选人")


def test_once_claimed_only_its_assignee_may_act_and_the_others_are_told_who_holds_it():
    claimed = replace(RECOMMEND, assignee="urumqi")
    assert permissions.act_refusal(URUMQI, claimed) is None
    assert refused(permissions.act_refusal(URUMQI2, claimed), Forbidden, "urumqi")


def test_department_staff_who_read_every_task_may_not_act_on_another_units_step():
    assert refused(permissions.act_refusal(MANAGER, RECOMMEND), Forbidden)
    assert refused(permissions.act_refusal(OFFICER, RECOMMEND), Forbidden)


def test_a_named_candidate_user_may_act():
    assert permissions.act_refusal(EXPERT, replace(REVIEW, assignee=None, candidate_users="expert4")) is None


# Claim and give back ------------------------------------------------------------------------

def test_a_candidate_claims_an_unclaimed_task_and_a_stranger_may_not():
    assert permissions.claim_refusal(URUMQI, RECOMMEND) is None
    assert refused(permissions.claim_refusal(KASHGAR, RECOMMEND), Forbidden)


def test_claiming_a_task_another_holds_is_a_conflict_naming_the_holder():
    assert refused(permissions.claim_refusal(URUMQI2, replace(RECOMMEND, assignee="urumqi")), Conflict, "urumqi")


def test_a_stranger_claiming_a_held_task_is_refused_without_learning_who_holds_it():
    refusal = permissions.claim_refusal(KASHGAR, replace(RECOMMEND, assignee="urumqi"))
    assert refused(refusal, Forbidden) and "urumqi" not in refusal.message


def test_only_the_holder_completes_gives_back_or_hands_on_a_claimed_task():
    claimed = replace(RECOMMEND, assignee="urumqi")
    assert permissions.holder_refusal(URUMQI, claimed) is None
    assert refused(permissions.holder_refusal(URUMQI2, claimed), Forbidden, "urumqi")


# A pending delegation -----------------------------------------------------------------------

def test_a_pending_delegation_blocks_the_holders_steps_for_owner_and_delegate_with_one_conflict():
    by_delegate = permissions.holder_refusal(OFFICER2, DELEGATED)
    by_owner = permissions.holder_refusal(OFFICER, DELEGATED)
    assert refused(by_delegate, Conflict, "officer2", "officer", "委派")
    assert by_owner.message == by_delegate.message


def test_the_delegate_works_on_the_form_and_resolves_the_owner_does_neither():
    assert permissions.act_refusal(OFFICER2, DELEGATED) is None
    assert permissions.resolve_refusal(OFFICER2, DELEGATED) is None
    assert refused(permissions.act_refusal(OFFICER, DELEGATED), Forbidden)
    assert refused(permissions.resolve_refusal(OFFICER, DELEGATED), Forbidden, "受托人")


def test_a_task_not_delegated_is_not_resolved_and_is_completed_by_its_holder():
    claimed = replace(FORMAL, assignee="officer")
    assert refused(permissions.resolve_refusal(OFFICER, claimed), Forbidden)
    assert permissions.holder_refusal(OFFICER, claimed) is None
    resolved = replace(claimed, owner="officer", delegation_state="RESOLVED")
    assert permissions.holder_refusal(OFFICER, resolved) is None


def test_a_stranger_is_refused_as_a_stranger_even_while_a_delegation_is_pending():
    assert refused(permissions.holder_refusal(URUMQI, DELEGATED), Forbidden)


# 转办 and 委派 -------------------------------------------------------------------------------

def test_transfer_goes_to_another_candidate_of_the_same_unit():
    claimed = replace(RECOMMEND, assignee="urumqi")
    assert permissions.transfer_target_refusal(URUMQI, claimed, URUMQI2) is None
    assert refused(permissions.transfer_target_refusal(URUMQI, claimed, KASHGAR), BadRequest, "kashgar", "候选人")
    assert refused(permissions.transfer_target_refusal(URUMQI, claimed, COTTON), BadRequest, "cotton")


def test_nobody_transfers_or_delegates_to_themselves():
    assert refused(permissions.transfer_target_refusal(URUMQI, RECOMMEND, URUMQI), BadRequest, "自己")
    assert refused(permissions.delegate_target_refusal(URUMQI, RECOMMEND, URUMQI), BadRequest, "自己")


def test_delegate_goes_to_a_colleague_a_candidate_or_the_agency():
    claimed = replace(FORMAL, assignee="officer")
    for target in (OFFICER2, LEADER, AGENCY):
        assert permissions.delegate_target_refusal(OFFICER, claimed, target) is None, target.id
    assert refused(permissions.delegate_target_refusal(OFFICER, claimed, COTTON), BadRequest, "cotton")


def test_a_confidential_step_is_handed_only_to_department_staff():
    assert refused(permissions.delegate_target_refusal(EXPERT, REVIEW, person("x", "shihezi_u")), BadRequest, "专家评审")
    panel = replace(FORMAL, name="遴选论证专家", task_key="assign_experts", assignee="officer",
                    candidate_groups="department,recommender:urumqi_gov")
    assert refused(permissions.transfer_target_refusal(OFFICER, panel, URUMQI), BadRequest, "转办")


def test_an_experts_review_is_theirs_in_person_and_goes_to_nobody_else():
    for target in (AGENCY, OFFICER, person("expert9", "xjnydx", "expert")):
        assert refused(permissions.delegate_target_refusal(EXPERT, REVIEW, target), BadRequest, "本人"), target.id
        assert refused(permissions.transfer_target_refusal(EXPERT, REVIEW, target), BadRequest, "本人"), target.id


def test_only_the_department_delegates_to_the_agency_it_entrusts():
    application = replace(RECOMMEND, name="填报申请", task_key="fill_application",
                          candidate_groups="lead_unit:tianmian", assignee="cotton")
    assert refused(permissions.delegate_target_refusal(COTTON, application, AGENCY), BadRequest, "专业机构")
    assert permissions.delegate_target_refusal(COTTON, application, COTTON_STAFF) is None
    assert permissions.delegate_target_refusal(OFFICER, replace(FORMAL, assignee="officer"), AGENCY) is None


# 撤回 ------------------------------------------------------------------------------------

def test_the_starter_and_the_applying_units_staff_may_withdraw():
    assert permissions.withdraw_refusal(COTTON, APPLICATION) is None
    assert permissions.withdraw_refusal(COTTON_STAFF, APPLICATION) is None


def test_the_applying_units_other_people_and_every_other_unit_may_not_withdraw():
    for actor in (COTTON_DRIVER, XJU, URUMQI, OFFICER, MANAGER):
        assert refused(permissions.withdraw_refusal(actor, APPLICATION), Forbidden), actor.id


def test_a_case_the_platform_started_is_not_withdrawn_by_the_center():
    assert refused(permissions.withdraw_refusal(COTTON, EVALUATION), Forbidden)


def test_an_ended_case_is_not_withdrawn():
    assert refused(permissions.withdraw_refusal(COTTON, replace(APPLICATION, active=False)), Conflict)


# 抄送 ------------------------------------------------------------------------------------

def test_the_applicant_and_department_staff_who_act_may_copy_a_case_in():
    for actor in (COTTON, COTTON_STAFF, OFFICER, LEADER):
        assert permissions.copy_refusal(actor, APPLICATION) is None, actor.id
    for actor in (URUMQI, MANAGER, EXPERT, XJU, COTTON_DRIVER):
        assert refused(permissions.copy_refusal(actor, APPLICATION), Forbidden), actor.id


def test_a_case_goes_to_the_department_its_supervising_unit_and_the_applicants_people():
    for target in (LEADER, MANAGER, AGENCY, URUMQI, COTTON_DRIVER):
        assert permissions.copy_target_refusal(OFFICER, APPLICATION, target) is None, target.id
    assert refused(permissions.copy_target_refusal(OFFICER, APPLICATION, EXPERT), BadRequest, "专家")
    for target in (KASHGAR, XJU):
        assert refused(permissions.copy_target_refusal(OFFICER, APPLICATION, target), BadRequest, target.id)


def test_nobody_copies_themselves_in():
    assert refused(permissions.copy_target_refusal(OFFICER, APPLICATION, OFFICER), BadRequest, "自己")


# 催办 ------------------------------------------------------------------------------------

def test_a_reader_urges_whoever_holds_the_task_once_an_hour():
    assert permissions.urge_refusal(COTTON, RECOMMEND, urged_within_the_hour=False) is None
    assert refused(permissions.urge_refusal(COTTON, RECOMMEND, urged_within_the_hour=True), BadRequest, "一小时")


def test_nobody_urges_a_task_they_may_do_themselves():
    assert refused(permissions.urge_refusal(URUMQI, RECOMMEND, urged_within_the_hour=False), BadRequest)


def test_the_owner_of_a_pending_delegation_urges_the_delegate():
    assert permissions.urge_refusal(OFFICER, DELEGATED, urged_within_the_hour=False) is None


def test_an_experts_review_is_hidden_from_whom_may_not_see_it():
    assert refused(permissions.urge_refusal(COTTON, REVIEW, urged_within_the_hour=False), NotFound)
    assert permissions.urge_refusal(OFFICER, REVIEW, urged_within_the_hour=False) is None


# Confidential steps ----------------------------------------------------------------------

def test_department_staff_read_the_confidential_steps_and_the_others_do_not():
    assert all(permissions.sees_confidential(a) for a in (OFFICER, LEADER, MANAGER, AGENCY))
    assert not any(permissions.sees_confidential(a) for a in (COTTON, URUMQI, EXPERT))


# Operating the platform ------------------------------------------------------------------

ANALYST = person("analyst", "kjt", "analyst")
ADMIN = person("admin", "kjt", "admin")


def test_analysts_and_admins_deploy_and_nobody_else():
    for actor in (ANALYST, ADMIN):
        assert permissions.deploy_refusal(actor) is None, actor.id
    for actor in (OFFICER, LEADER, MANAGER, COTTON):
        assert refused(permissions.deploy_refusal(actor), Forbidden, "部署"), actor.id


def test_the_starter_the_department_and_admins_terminate_a_case():
    for actor in (COTTON, OFFICER, ADMIN):
        assert permissions.delete_refusal(actor, APPLICATION) is None, actor.id
    for actor in (COTTON_STAFF, URUMQI, LEADER, MANAGER):
        assert refused(permissions.delete_refusal(actor, APPLICATION), Forbidden, "终止"), actor.id


def test_a_case_the_platform_started_is_terminated_by_the_department_only():
    assert refused(permissions.delete_refusal(COTTON, EVALUATION), Forbidden)
    assert permissions.delete_refusal(OFFICER, EVALUATION) is None


def test_department_officers_and_admins_run_a_job_now_and_only_admins_restore_its_retries():
    assert permissions.job_execute_refusal(OFFICER) is None
    assert permissions.job_retries_refusal(ADMIN) is None
    assert refused(permissions.job_execute_refusal(MANAGER), Forbidden)
    assert refused(permissions.job_retries_refusal(OFFICER), Forbidden, "管理员")


def test_the_department_and_its_leader_see_the_queue():
    assert permissions.sees_queue(OFFICER) and permissions.sees_queue(LEADER)
    assert not (permissions.sees_queue(MANAGER) or permissions.sees_queue(COTTON))


# Cockpit ------------------------------------------------------------------------------------

ADMIN = person("admin", "kjt", "admin")


@pytest.mark.parametrize("reader", [MANAGER, OFFICER, LEADER, ADMIN])
def test_managers_department_staff_and_admins_read_the_cockpit(reader):
    assert permissions.cockpit_refusal(reader) is None


@pytest.mark.parametrize("outsider", [COTTON, URUMQI, EXPERT, AGENCY, person("analyst", "kjt", "analyst")])
def test_applicants_recommenders_experts_the_agency_and_analysts_do_not(outsider):
    assert refused(permissions.cockpit_refusal(outsider), Forbidden, "流程监控")
