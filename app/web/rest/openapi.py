"""GET /engine-rest/openapi.json: an OpenAPI 3 document of every route under /engine-rest.

Each route's entry is in `OPERATIONS`, keyed by method and Flask rule; the document is built
from the app's own routes, so a route without an entry fails its test rather than going
undocumented (tests/integration/test_openapi.py), and the schemathesis run (tests/fuzz)
checks every answer against it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from flask import current_app, jsonify, request

from app.platform import (
    cleanable_reports, decision_history, done_batches, external_task_log, historic_statistics, history_queries,
    history_reports, job_definitions, job_log, operation_log, queries, variable_instances,
)

from . import API_PREFIX, blueprint, params
from . import decision_history as rest_decision_history
from . import filters as rest_filters
from .external_task_filters import FILTERS as EXTERNAL_TASK_FILTERS
from .variable_history import FILTERS as DETAIL_FILTERS
from .variable_instances import DESERIALIZE
from .openapi_schemas import SCHEMAS, schema_of

PAGING = ("firstResult", "maxResults")
# Query parameters that are not text, by name (Camunda uses each name with one meaning).
_PARAMETER_TYPES = {
    **dict.fromkeys(PAGING, "integer"),
    **dict.fromkeys(("latestVersion", "unassigned", "finished", "unfinished", "canceled", "failedJobs",
                     "variableUpdates", "incidents", "rootIncidents", "deserializeValues", "deserializeValue",
                     "locked", "notLocked", "withRetriesLeft", "noRetriesLeft", "active", "suspended",
                     "withLockedTasks", "withUnlockedTasks", "cascade", "skipCustomListeners", "skipIoMappings",
                     "variableNamesIgnoreCase", "variableValuesIgnoreCase"),
                    "boolean"),
    **dict.fromkeys(("priorityHigherThanOrEquals", "priorityLowerThanOrEquals"), "integer"),
}


@dataclass(frozen=True)
class Op:
    summary: str
    query: tuple[str, ...] = ()
    body: dict | None = None
    ok: tuple[int, str | None] = (200, None)
    media: str = "application/json"
    # The kinds of the query's values where a list's criteria say them (`query_criteria`).
    kinds: dict[str, str] = field(default_factory=dict)


_KIND_SCHEMAS = {"flag": {"type": "boolean"}, "integer": {"type": "integer"}, "list": {"type": "array", "items": {"type": "string"}},
                 "variables": {"type": "array", "items": {"type": "object"}}}


def _listing(summary: str, criteria: dict, sorts: dict, shape: str, also: tuple[str, ...] = ()) -> Op:
    """A Camunda list: its criteria as query parameters, sorting and paging (and `also`)."""
    return Op(summary, (*criteria, "sortBy", "sortOrder", *PAGING, *also), ok=(200, f"[{shape}]"),
              kinds={name: c.kind for name, c in criteria.items()})


def _counting(summary: str, criteria: dict, ok: str = "#Count") -> Op:
    """A read whose query is `criteria` (a list's count, a report)."""
    return Op(summary, tuple(criteria), ok=(200, ok), kinds={name: c.kind for name, c in criteria.items()})


def _posted(summary: str, criteria: dict, shape: str, paged: bool = True, also: tuple[str, ...] = ()) -> Op:
    """A list's POST variant: the same criteria in a JSON body, paging (and `also`) in the
    query string."""
    properties = {name: _KIND_SCHEMAS.get(c.kind, {"type": "string"}) for name, c in criteria.items()}
    properties["sorting"] = {"type": "array", "items": {"type": "object"}}
    return Op(summary, (*PAGING, *also) if paged else (), body={"application/json": {"type": "object", "properties": properties}},
              ok=(200, f"[{shape}]" if paged else "#Count"))


def _flagged(op: Op, flags: tuple[str, ...]) -> Op:
    """`op` with `flags` among its query parameters said to be true or false."""
    return replace(op, kinds={**op.kinds, **dict.fromkeys(flags, "flag")})


def _body(**properties: str) -> dict:
    return {"type": "object", "properties": {name: schema_of(spec) for name, spec in properties.items()}}


_VARIABLES = "#VariableMap"
_REASON_ONLY = _body(reason="string?")
_MIGRATION = _body(migrationPlan="#MigrationPlan", processInstanceIds="[string]?", processInstanceQuery="object?",
                   skipCustomListeners="boolean?", skipIoMappings="boolean?")
_MODIFICATION = _body(processDefinitionId="string", instructions="[object]", processInstanceIds="[string]?",
                      processInstanceQuery="object?", skipCustomListeners="boolean?", skipIoMappings="boolean?",
                      annotation="string?")
_MODIFICATIONS = {"application/json": _body(modifications=_VARIABLES, deletions="[string]")}
_ONE_VARIABLE = {"application/json": {"$ref": "#/components/schemas/VariableValue"}}
_RETRIES = {"application/json": _body(retries="integer", externalTaskIds="[string]", processInstanceIds="[string]")}
_REASON = dict(reason="string?", opinion="string?")
STATISTICS = ("failedJobs", "incidents", "incidentsForType", "rootIncidents")
EXECUTION_FILTERS = ("processInstanceId", "businessKey", "processDefinitionId", "processDefinitionKey", "activityId",
                     "messageEventSubscriptionName", "signalEventSubscriptionName", "active", "suspended")
SUBSCRIPTION_FILTERS = ("eventSubscriptionId", "eventName", "eventType", "executionId", "processInstanceId",
                        "activityId")
USER_FILTERS = ("id", "idIn", "firstName", "firstNameLike", "memberOfGroup")
GROUP_FILTERS = ("id", "idIn", "name", "nameLike", "type", "member")
_SUSPENSION = _body(suspended="boolean", includeProcessInstances="boolean?", executionDate="string?")
_EXECUTION_QUERY = _body(**{name: "string?" for name in EXECUTION_FILTERS[:-2]}, active="boolean?",
                         suspended="boolean?", sorting="[object]")
_LINK = _body(type="string", userId="string?", groupId="string?")
_TASK_QUERY = {"type": "object"}
_FILTER = _body(resourceType="string", name="string", owner="string?", query="object", properties="object")
_MULTIPART_DEPLOYMENT = {"type": "object", "properties": {
    "deployment-name": {"type": "string"}, "deployment-source": {"type": "string"},
    "data": {"type": "string", "format": "binary"}}}
_MULTIPART_ATTACHMENT = {"type": "object", "properties": {
    "attachment-name": {"type": "string"}, "attachment-description": {"type": "string"},
    "attachment-type": {"type": "string"}, "content": {"type": "string", "format": "binary"}}}

OPERATIONS: dict[str, Op] = {
    "GET /version": Op("引擎版本", ok=(200, "#Version")),
    "GET /engine": Op("流程引擎列表", ok=(200, "[#Engine]")),
    # Deployments and definitions
    "POST /deployment/create": Op("部署模型文件", body={"multipart/form-data": _MULTIPART_DEPLOYMENT},
                                  ok=(200, "#Deployment")),
    "POST /deployment/<deployment_id>/redeploy": Op("重新部署（回到早先版本）", body={"application/json": _body(
        resourceIds="[string]", resourceNames="[string]", source="string?")}, ok=(200, "#Deployment")),
    "GET /deployment": _listing("部署列表", {}, queries.DEPLOYMENT_SORTS, "#Deployment"),
    "GET /deployment/count": Op("部署数", ok=(200, "#Count")),
    "GET /deployment/<deployment_id>": Op("一次部署", ok=(200, "#Deployment")),
    "GET /deployment/<deployment_id>/resources": Op("部署的文件", ok=(200, "[#DeploymentResource]")),
    "GET /deployment/<deployment_id>/resources/<resource_id>": Op("部署的一个文件", ok=(200, "#DeploymentResource")),
    "GET /deployment/<deployment_id>/resources/<resource_id>/data": Op(
        "文件内容", ok=(200, None), media="application/octet-stream"),
    "GET /process-definition": _listing("流程定义列表", queries.DEFINITION_CRITERIA, queries.DEFINITION_SORTS,
                                        "#ProcessDefinition"),
    "GET /process-definition/count": _counting("流程定义数", queries.DEFINITION_CRITERIA),
    "GET /process-definition/key/<key>": Op("最新版本的流程定义", ok=(200, "#ProcessDefinition")),
    "GET /process-definition/key/<key>/xml": Op("流程定义的 BPMN", ok=(200, "#ProcessXml")),
    "POST /process-definition/key/<key>/start": Op(
        "发起流程", body={"application/json": _body(businessKey="string?", variables=_VARIABLES)},
        ok=(200, "#ProcessInstance")),
    "GET /process-definition/statistics": Op("各流程定义的统计", STATISTICS, ok=(200, "[#DefinitionStatistics]")),
    "GET /process-definition/<definition_id>/statistics": Op("各活动的统计", STATISTICS,
                                                             ok=(200, "[#ActivityStatistics]")),
    "GET /decision-definition": _listing("决策定义列表", queries.DECISION_CRITERIA, queries.DECISION_SORTS,
                                         "#DecisionDefinition"),
    "GET /decision-definition/count": _counting("决策定义数", queries.DECISION_CRITERIA),
    "GET /decision-definition/<definition_id>": Op("一个决策定义", ok=(200, "#DecisionDefinition")),
    "GET /decision-definition/key/<key>": Op("最新版本的决策定义", ok=(200, "#DecisionDefinition")),
    "GET /decision-definition/<definition_id>/xml": Op("决策定义的 DMN", ok=(200, "#DecisionXml")),
    "GET /decision-definition/key/<key>/xml": Op("最新决策定义的 DMN", ok=(200, "#DecisionXml")),
    "POST /decision-definition/<definition_id>/evaluate": Op(
        "试算决策表", body={"application/json": _body(variables=_VARIABLES)}, ok=(200, "[#VariableMap]")),
    "POST /decision-definition/key/<key>/evaluate": Op(
        "试算最新决策表", body={"application/json": _body(variables=_VARIABLES)}, ok=(200, "[#VariableMap]")),
    # Running instances and their variables
    "GET /process-instance": _listing("运行中的流程实例", queries.INSTANCE_CRITERIA, queries.INSTANCE_SORTS,
                                      "#ProcessInstance"),
    "POST /process-instance": _posted("运行中的流程实例（查询体）", queries.INSTANCE_CRITERIA, "#ProcessInstance"),
    "GET /process-instance/count": _counting("运行中的流程实例数", queries.INSTANCE_CRITERIA),
    "POST /process-instance/count": _posted("运行中的流程实例数（查询体）", queries.INSTANCE_CRITERIA, "", paged=False),
    "GET /process-instance/<instance_id>": Op("一个运行中的流程实例", ok=(200, "#ProcessInstance")),
    "DELETE /process-instance/<instance_id>": Op("终止流程实例", ("deleteReason",), ok=(204, None)),
    "GET /process-instance/<instance_id>/activity-instances": Op("活动树", ok=(200, "#ActivityInstance")),
    "PUT /process-instance/suspended": Op("批量挂起或激活流程实例", body={"application/json": _body(
        suspended="boolean", processDefinitionId="string?", processDefinitionKey="string?",
        processInstanceIds="[string]")}, ok=(204, None)),
    "PUT /process-instance/<instance_id>/suspended": Op(
        "挂起或恢复", body={"application/json": _body(suspended="boolean", reason="string?")}, ok=(204, None)),
    "GET /metrics/<name>/sum": Op("指标在一段时间内的合计", ("startDate", "endDate"), ok=(200, "#MetricsSum")),
    "GET /metrics": Op("各时段的指标", ("name", "reporter", "interval", "aggregateByReporter", "startDate", "endDate",
                                   *PAGING), ok=(200, "[#MetricsInterval]"),
                       kinds={"interval": "integer", "aggregateByReporter": "flag"}),
    "POST /job/retries": Op("设置多个作业的重试次数（答复已完成的批次）", body={"application/json": _body(
        jobIds="[string]?", jobQuery="object?", processInstanceIds="[string]?", processInstanceQuery="object?",
        retries="integer", dueDate="string?")}, ok=(200, "#Batch")),
    "POST /process-instance/job-retries": Op("设置多个实例的作业重试次数（答复已完成的批次）", body={"application/json": _body(
        processInstanceIds="[string]?", processInstanceQuery="object?", retries="integer", dueDate="string?")},
        ok=(200, "#Batch")),
    "POST /process-instance/suspended-async": Op("挂起或激活多个实例（答复已完成的批次）", body={"application/json": _body(
        processInstanceIds="[string]?", processInstanceQuery="object?", suspended="boolean")}, ok=(200, "#Batch")),
    "POST /process-instance/delete": Op("删除多个运行中的实例（答复已完成的批次）", body={"application/json": _body(
        processInstanceIds="[string]?", processInstanceQuery="object?", deleteReason="string?",
        skipCustomListeners="boolean?", skipSubprocesses="boolean?", skipIoMappings="boolean?",
        failIfNotExists="boolean?")}, ok=(200, "#Batch")),
    "POST /process-instance/<instance_id>/modification-async": Op("移动令牌（答复已完成的批次）", body={"application/json": _body(
        instructions="[object]", annotation="string?", skipCustomListeners="boolean?", skipIoMappings="boolean?")},
        ok=(200, "#Batch")),
    "GET /identity/password-policy": Op("密码策略", ok=(200, "#PasswordPolicy")),
    "POST /identity/password-policy": Op("按密码策略检查一个密码", body={"application/json": _body(
        password="string", profile="object?")}, ok=(200, "#CheckedPasswordPolicy")),
    "POST /identity/verify": Op("验证自己的用户名与密码", body={"application/json": _body(
        username="string", password="string")}, ok=(200, "#AuthenticationResult")),
    "PUT /user/<user_id>/credentials": Op("修改密码（本人：当前密码；管理员：本人密码与原因）", body={"application/json": _body(
        password="string", authenticatedUserPassword="string", reason="string?")}, ok=(204, None)),
    "POST /user/<user_id>/unlock": Op("解除登录锁定（管理员，须填原因）", ("reason",), body={"application/json": _REASON_ONLY},
                                      ok=(204, None)),
    "DELETE /user/<user_id>": Op("停用账号（管理员，须填原因）", ("reason",), body={"application/json": _REASON_ONLY},
                                 ok=(204, None)),
    "PUT /group/<group_id>/members/<user_id>": Op("加入组（管理员，须填原因）", ("reason",),
                                                  body={"application/json": _REASON_ONLY}, ok=(204, None)),
    "DELETE /group/<group_id>/members/<user_id>": Op("移出组（管理员，须填原因）", ("reason",),
                                                     body={"application/json": _REASON_ONLY}, ok=(204, None)),
    "GET /execution/<execution_id>/localVariables": Op("执行的局部变量（流程实例：流程变量；用户任务：任务局部变量）",
                                                        ("deserializeValues",), ok=(200, _VARIABLES),
                                                        kinds={"deserializeValues": "flag"}),
    "POST /execution/<execution_id>/localVariables": Op("修改执行的局部变量", body=_MODIFICATIONS, ok=(204, None)),
    "GET /execution/<execution_id>/localVariables/<name>": Op("执行的一个局部变量", ("deserializeValue",),
                                                              ok=(200, "#VariableValue"),
                                                              kinds={"deserializeValue": "flag"}),
    "PUT /execution/<execution_id>/localVariables/<name>": Op("设置执行的一个局部变量", body=_ONE_VARIABLE,
                                                              ok=(204, None)),
    "DELETE /execution/<execution_id>/localVariables/<name>": Op("删除执行的一个局部变量", ok=(204, None)),
    "GET /execution/<execution_id>/localVariables/<name>/data": Op("执行的二进制局部变量的内容", ok=(200, None),
                                                                   media="application/octet-stream"),
    "POST /execution/<execution_id>/localVariables/<name>/data": Op(
        "上传执行的一个二进制局部变量", body={"multipart/form-data": {"type": "object", "properties": {
            "data": {"type": "string", "format": "binary"}, "valueType": {"type": "string"}}}}, ok=(204, None)),
    "POST /modification/execute": Op("修改多个流程实例（同一移动，全部或全不）", body={"application/json": _MODIFICATION},
                                     ok=(204, None)),
    "POST /modification/executeAsync": Op("修改多个流程实例（答复已完成的批次）", body={"application/json": _MODIFICATION},
                                          ok=(200, "#Batch")),
    "POST /process-instance/<instance_id>/modification": Op(
        "移动令牌", body={"application/json": _body(instructions="[object]", annotation="string?")},
        ok=(204, None)),
    "GET /process-instance/<instance_id>/variables": Op("流程变量", ("deserializeValues",), ok=(200, _VARIABLES)),
    "GET /process-instance/<instance_id>/variables/<name>": Op("一个流程变量", ("deserializeValue",),
                                                               ok=(200, "#VariableValue")),
    "POST /process-instance/<instance_id>/variables": Op(
        "修改流程变量（管理员）", body=_MODIFICATIONS,
        ok=(204, None)),
    "PUT /process-instance/<instance_id>/variables/<name>": Op(
        "设置一个流程变量（管理员）", body=_ONE_VARIABLE,
        ok=(204, None)),
    "DELETE /process-instance/<instance_id>/variables/<name>": Op("删除一个流程变量（管理员）", ok=(204, None)),
    "POST /process-instance/<instance_id>/variables/<name>/data": Op("上传文件或字节变量", body={
        "multipart/form-data": {"type": "object", "properties": {
            "data": {"type": "string", "format": "binary"}, "valueType": {"type": "string", "enum": ["File", "Bytes"]}}}},
        ok=(204, None)),
    "GET /process-instance/<instance_id>/variables/<name>/data": Op(
        "文件或字节变量的内容", ok=(200, None), media="application/octet-stream"),
    "GET /variable-instance": _listing("变量实例", variable_instances.RUNNING_CRITERIA, variable_instances.RUNNING_SORTS,
                                       "#VariableInstance", also=DESERIALIZE),
    "POST /variable-instance": _posted("变量实例（查询体）", variable_instances.RUNNING_CRITERIA, "#VariableInstance",
                                       also=DESERIALIZE),
    "GET /variable-instance/count": _counting("变量实例数", variable_instances.RUNNING_CRITERIA),
    "POST /variable-instance/count": _posted("变量实例数（查询体）", variable_instances.RUNNING_CRITERIA, "", paged=False),
    "GET /variable-instance/<variable_id>": Op("一个变量实例", ("deserializeValue",), ok=(200, "#VariableInstance")),
    "GET /variable-instance/<variable_id>/data": Op("变量实例的内容", ok=(200, None),
                                                    media="application/octet-stream"),
    "POST /message": Op("发送消息", body={"application/json": _body(
        messageName="string", businessKey="string?", processInstanceId="string?", processVariables=_VARIABLES,
        all="boolean", resultEnabled="boolean", variablesInResultEnabled="boolean")},
        ok=(200, "[#CorrelationResult]")),
    # Tasks
    "GET /task": _listing("任务列表", queries.TASK_CRITERIA, queries.TASK_SORTS, "#Task"),
    "POST /task": _posted("任务列表（查询体）", queries.TASK_CRITERIA, "#Task"),
    "GET /task/count": _counting("任务数", queries.TASK_CRITERIA),
    "POST /task/count": _posted("任务数（查询体）", queries.TASK_CRITERIA, "", paged=False),
    "GET /task/<task_id>": Op("一个任务", ok=(200, "#Task")),
    "GET /task/report/candidate-group-count": Op("各候选组待认领的任务数", ok=(200, "[#TaskCountByCandidateGroup]")),
    "POST /task/<task_id>/claim": Op("认领", body={"application/json": _body(userId="string")}, ok=(204, None)),
    "POST /task/<task_id>/unclaim": Op("取消认领", ok=(204, None)),
    "POST /task/<task_id>/complete": Op("办理完成", body={"application/json": _body(
        variables=_VARIABLES, withVariablesInReturn="boolean")}, ok=(204, None)),
    "POST /task/<task_id>/bpmnError": Op("抛出 BPMN 错误（按边界错误事件结束本步骤）", body={"application/json": _body(
        errorCode="string", errorMessage="string?", variables=_VARIABLES)}, ok=(204, None)),
    "POST /task/<task_id>/delegate": Op("委派", body={"application/json": _body(userId="string", **_REASON)},
                                        ok=(204, None)),
    "POST /task/<task_id>/resolve": Op("委派办结", body={"application/json": _body(
        variables=_VARIABLES, **_REASON)}, ok=(204, None)),
    "POST /task/<task_id>/assignee": Op("转办", body={"application/json": _body(userId="string", **_REASON)},
                                        ok=(204, None)),
    "GET /task/<task_id>/form": Op("任务表单", ok=(200, "#TaskForm")),
    "GET /task/<task_id>/deployed-form": Op("任务部署时的表单文件（JSON Schema）", ok=(200, "object")),
    "GET /task/<task_id>/form-variables": Op("表单变量", ("variableNames", "deserializeValues"),
                                              ok=(200, _VARIABLES)),
    "GET /task/<task_id>/localVariables": Op("任务的局部变量", ("deserializeValues",), ok=(200, _VARIABLES)),
    "GET /task/<task_id>/localVariables/<name>": Op("任务的一个局部变量", ("deserializeValue",),
                                                    ok=(200, "#VariableValue")),
    "POST /task/<task_id>/localVariables": Op(
        "修改任务的局部变量", body=_MODIFICATIONS,
        ok=(204, None)),
    "PUT /task/<task_id>/localVariables/<name>": Op(
        "设置任务的一个局部变量", body=_ONE_VARIABLE,
        ok=(204, None)),
    "DELETE /task/<task_id>/localVariables/<name>": Op("删除任务的一个局部变量", ok=(204, None)),
    "GET /task/<task_id>/variables": Op("任务可见的变量", ("deserializeValues",), ok=(200, _VARIABLES)),
    "GET /task/<task_id>/variables/<name>": Op("任务可见的一个变量", ("deserializeValue",), ok=(200, "#VariableValue")),
    "GET /task/<task_id>/variables/<name>/data": Op("任务变量的内容", ok=(200, None),
                                                    media="application/octet-stream"),
    "GET /task/<task_id>/comment": Op("任务意见", ok=(200, "[#Comment]")),
    "GET /process-instance/<instance_id>/comment": Op("案件的全部意见", ok=(200, "[#Comment]")),
    "GET /task/<task_id>/comment/<comment_id>": Op("一条任务意见", ok=(200, "#Comment")),
    "POST /task/<task_id>/comment": Op("添加意见", body={"application/json": _body(message="string")},
                                       ok=(200, "#Comment")),
    "POST /task/<task_id>/comment/create": Op("添加意见", body={"application/json": _body(message="string")},
                                              ok=(200, "#Comment")),
    "GET /task/<task_id>/attachment": Op("任务附件", ok=(200, "[#Attachment]")),
    "POST /task/<task_id>/attachment/create": Op("上传附件", body={"multipart/form-data": _MULTIPART_ATTACHMENT},
                                                 ok=(200, "#Attachment")),
    "GET /task/<task_id>/attachment/<attachment_id>": Op("一个附件", ok=(200, "#Attachment")),
    "GET /task/<task_id>/attachment/<attachment_id>/data": Op("附件内容", ok=(200, None),
                                                              media="application/octet-stream"),
    # Jobs and incidents
    "GET /job": _listing("作业", queries.JOB_CRITERIA, queries.JOB_SORTS, "#Job"),
    "POST /job": _posted("作业（查询体）", queries.JOB_CRITERIA, "#Job"),
    "GET /job/count": _counting("作业数", queries.JOB_CRITERIA),
    "POST /job/count": _posted("作业数（查询体）", queries.JOB_CRITERIA, "", paged=False),
    "GET /job/<job_id>": Op("一个作业", ok=(200, "#Job")),
    "PUT /job/<job_id>/suspended": Op("挂起或激活一个作业", body={"application/json": _body(suspended="boolean")},
                                      ok=(204, None)),
    "PUT /job/suspended": Op("按作业定义、流程定义或实例挂起或激活作业", body={"application/json": _body(
        suspended="boolean", jobDefinitionId="string?", processDefinitionId="string?", processDefinitionKey="string?",
        processInstanceId="string?")}, ok=(204, None)),
    "GET /job/<job_id>/stacktrace": Op("作业最近一次失败的完整信息", ok=(200, "string"), media="text/plain"),
    "POST /job/<job_id>/execute": Op("立即执行作业", ok=(204, None)),
    "PUT /job/<job_id>/retries": Op("设置重试次数", body={"application/json": _body(retries="integer")},
                                    ok=(204, None)),
    "PUT /job/<job_id>/duedate": Op("设置到期时间", body={"application/json": _body(
        duedate="string?", reason="string?")}, ok=(204, None)),
    "POST /job/<job_id>/duedate/recalculate": Op("按定时器定义重新计算到期时间（节假日调整后）", ("creationDateBased",),
                                                  ok=(204, None), kinds={"creationDateBased": "flag"}),
    "GET /job-definition": _listing("作业定义", job_definitions.CRITERIA, job_definitions.SORTS, "#JobDefinition"),
    "POST /job-definition": _posted("作业定义（查询体）", job_definitions.CRITERIA, "#JobDefinition"),
    "GET /job-definition/count": _counting("作业定义数", job_definitions.CRITERIA),
    "POST /job-definition/count": _posted("作业定义数（查询体）", job_definitions.CRITERIA, "", paged=False),
    "GET /job-definition/<definition_id>": Op("一个作业定义", ok=(200, "#JobDefinition")),
    "PUT /job-definition/suspended": Op("挂起或激活作业定义（按作业定义、流程定义或流程键）", body={"application/json": _body(
        suspended="boolean", includeJobs="boolean?", executionDate="string?", jobDefinitionId="string?",
        processDefinitionId="string?", processDefinitionKey="string?")}, ok=(204, None)),
    "PUT /job-definition/<definition_id>/suspended": Op("挂起或激活一个作业定义", body={"application/json": _body(
        suspended="boolean", includeJobs="boolean?", executionDate="string?")}, ok=(204, None)),
    "PUT /job-definition/<definition_id>/retries": Op("设置作业定义下失败作业的重试次数", body={"application/json": _body(
        retries="integer")}, ok=(204, None)),
    "GET /filter": _flagged(Op("过滤器（保存的任务查询）", (*rest_filters.LIST_FILTERS, "itemCount", "sortBy", "sortOrder",
                                                  *PAGING), ok=(200, "[#Filter]")), ("itemCount",)),
    "GET /filter/count": Op("过滤器数", rest_filters.LIST_FILTERS, ok=(200, "#Count")),
    "POST /filter/create": Op("新建过滤器", body={"application/json": _FILTER}, ok=(200, "#Filter")),
    "GET /filter/<filter_id>": _flagged(Op("一个过滤器", ("itemCount",), ok=(200, "#Filter")), ("itemCount",)),
    "PUT /filter/<filter_id>": Op("修改过滤器", body={"application/json": _FILTER}, ok=(204, None)),
    "DELETE /filter/<filter_id>": Op("删除过滤器", ok=(204, None)),
    "GET /filter/<filter_id>/list": Op("运行过滤器", PAGING, ok=(200, "[#Task]")),
    "POST /filter/<filter_id>/list": Op("运行过滤器（附加查询条件）", PAGING, body={"application/json": _TASK_QUERY},
                                        ok=(200, "[#Task]")),
    "GET /filter/<filter_id>/count": Op("过滤器的任务数", ok=(200, "#Count")),
    "POST /filter/<filter_id>/count": Op("过滤器的任务数（附加查询条件）", body={"application/json": _TASK_QUERY},
                                         ok=(200, "#Count")),
    "GET /filter/<filter_id>/singleResult": Op("过滤器的唯一任务", ok=(200, "#Task")),
    "POST /filter/<filter_id>/singleResult": Op("过滤器的唯一任务（附加查询条件）", body={"application/json": _TASK_QUERY},
                                                ok=(200, "#Task")),
    "GET /incident": _listing("事件", queries.INCIDENT_CRITERIA, queries.INCIDENT_SORTS, "#Incident"),
    "GET /incident/count": _counting("事件数", queries.INCIDENT_CRITERIA),
    "GET /incident/<incident_id>": Op("一个未解决的事件", ok=(200, "#Incident")),
    "PUT /incident/<incident_id>/annotation": Op("为事件加注", body={"application/json": _body(
        annotation="string")}, ok=(204, None)),
    "DELETE /incident/<incident_id>/annotation": Op("清除事件的注释", ok=(204, None)),
    "GET /history/incident": _listing("历史事件（未解决与已解决）", queries.HISTORIC_INCIDENT_CRITERIA,
                                      queries.HISTORIC_INCIDENT_SORTS, "#HistoricIncident"),
    "GET /history/incident/count": _counting("历史事件数", queries.HISTORIC_INCIDENT_CRITERIA),
    # History
    "GET /history/process-instance": _listing("历史流程实例", history_queries.INSTANCE_CRITERIA,
                                              history_queries.INSTANCE_SORTS, "#HistoricProcessInstance"),
    "POST /history/process-instance": _posted("历史流程实例（查询体）", history_queries.INSTANCE_CRITERIA,
                                              "#HistoricProcessInstance"),
    "GET /history/process-instance/count": _counting("历史流程实例数", history_queries.INSTANCE_CRITERIA),
    "GET /history/process-instance/<instance_id>": Op("一个历史流程实例", ok=(200, "#HistoricProcessInstance")),
    "POST /history/process-instance/count": _posted("历史流程实例数（查询体）", history_queries.INSTANCE_CRITERIA, "",
                                                    paged=False),
    "GET /history/activity-instance": _listing("历史活动", queries.HISTORIC_ACTIVITY_CRITERIA, queries.ACTIVITY_SORTS,
                                               "#HistoricActivityInstance"),
    "POST /history/activity-instance": _posted("历史活动（查询体）", queries.HISTORIC_ACTIVITY_CRITERIA,
                                               "#HistoricActivityInstance"),
    "GET /history/activity-instance/count": _counting("历史活动数", queries.HISTORIC_ACTIVITY_CRITERIA),
    "POST /history/activity-instance/count": _posted("历史活动数（查询体）", queries.HISTORIC_ACTIVITY_CRITERIA, "",
                                                     paged=False),
    "GET /history/activity-instance/<activity_instance_id>": Op("一个历史活动",
                                                                ok=(200, "#HistoricActivityInstance")),
    "GET /history/decision-instance": _flagged(_listing(
        "历史决策（流程评估决策表的每一次）", decision_history.CRITERIA, decision_history.SORTS,
        "#HistoricDecisionInstance", also=rest_decision_history.SHOWING), rest_decision_history.SHOWING),
    "GET /history/decision-instance/count": _counting("历史决策数", decision_history.CRITERIA),
    "GET /history/decision-instance/<decision_instance_id>": _flagged(Op(
        "一次历史决策", rest_decision_history.SHOWING, ok=(200, "#HistoricDecisionInstance")),
        rest_decision_history.SHOWING),
    "GET /history/external-task-log": _listing("外部任务日志（创建、失败、成功、删除）", external_task_log.CRITERIA,
                                               external_task_log.SORTS, "#HistoricExternalTaskLog"),
    "POST /history/external-task-log": _posted("外部任务日志（查询体）", external_task_log.CRITERIA,
                                               "#HistoricExternalTaskLog"),
    "GET /history/external-task-log/count": _counting("外部任务日志条数", external_task_log.CRITERIA),
    "POST /history/external-task-log/count": _posted("外部任务日志条数（查询体）", external_task_log.CRITERIA, "",
                                                     paged=False),
    "GET /history/external-task-log/<log_id>": Op("一条外部任务日志", ok=(200, "#HistoricExternalTaskLog")),
    "GET /history/external-task-log/<log_id>/error-details": Op("失败日志的错误详情", ok=(200, "string"),
                                                                media="text/plain"),
    "GET /history/job-log": _listing("作业日志（创建、失败、成功、删除）", job_log.CRITERIA, job_log.SORTS,
                                     "#HistoricJobLog"),
    "POST /history/job-log": _posted("作业日志（查询体）", job_log.CRITERIA, "#HistoricJobLog"),
    "GET /history/job-log/count": _counting("作业日志条数", job_log.CRITERIA),
    "POST /history/job-log/count": _posted("作业日志条数（查询体）", job_log.CRITERIA, "", paged=False),
    "GET /history/job-log/<log_id>": Op("一条作业日志", ok=(200, "#HistoricJobLog")),
    "GET /history/job-log/<log_id>/stacktrace": Op("失败日志的完整异常信息", ok=(200, "string"), media="text/plain"),
    "GET /history/user-operation": _listing("用户操作日志（谁对什么做了什么）", operation_log.CRITERIA, operation_log.SORTS,
                                            "#UserOperationLogEntry"),
    "GET /history/user-operation/count": _counting("用户操作日志条数", operation_log.CRITERIA),
    "PUT /history/user-operation/<operation_id>/set-annotation": Op("为操作记录加注", body={"application/json": _body(
        annotation="string")}, ok=(204, None)),
    "PUT /history/user-operation/<operation_id>/clear-annotation": Op("清除操作记录的注释", ok=(204, None)),
    "GET /history/process-definition/cleanable-process-instance-report": _listing(
        "可清理历史报表（流程定义）", cleanable_reports.PROCESSES.criteria, cleanable_reports.PROCESSES.sorts,
        "#CleanableProcessInstanceReport"),
    "GET /history/process-definition/cleanable-process-instance-report/count": _counting(
        "可清理历史报表行数（流程定义）", cleanable_reports.PROCESSES.criteria),
    "GET /history/decision-definition/cleanable-decision-instance-report": _listing(
        "可清理历史报表（决策定义）", cleanable_reports.DECISIONS.criteria, cleanable_reports.DECISIONS.sorts,
        "#CleanableDecisionInstanceReport"),
    "GET /history/decision-definition/cleanable-decision-instance-report/count": _counting(
        "可清理历史报表行数（决策定义）", cleanable_reports.DECISIONS.criteria),
    "GET /history/batch": _listing("已完成的批次", done_batches.CRITERIA, done_batches.SORTS, "#HistoricBatch"),
    "GET /history/batch/count": _counting("已完成的批次数", done_batches.CRITERIA),
    "GET /history/batch/<batch_id>": Op("一个已完成的批次", ok=(200, "#HistoricBatch")),
    "GET /history/process-definition/<definition_id>/statistics": _flagged(_listing(
        "流程定义各活动的历史统计（经过、完成、取消、事件）", historic_statistics.CRITERIA, historic_statistics.SORTS,
        "#HistoricActivityStatistics", also=historic_statistics.COUNTS), historic_statistics.COUNTS),
    "GET /history/task": _listing("历史任务", history_queries.TASK_CRITERIA, history_queries.TASK_SORTS,
                                  "#HistoricTask"),
    "POST /history/task": _posted("历史任务（查询体）", history_queries.TASK_CRITERIA, "#HistoricTask"),
    "GET /history/task/count": _counting("历史任务数", history_queries.TASK_CRITERIA),
    "GET /history/task/report": _counting("已办任务的时长（按期间）或件数（按名称、流程）",
                                          history_reports.TASK_REPORT_CRITERIA, ok="[object]"),
    "GET /history/process-instance/report": _counting("已办结实例的时长（按发起的月份或季度）",
                                                      history_reports.INSTANCE_REPORT_CRITERIA,
                                                      ok="[#DurationReportResult]"),
    "POST /history/task/count": _posted("历史任务数（查询体）", history_queries.TASK_CRITERIA, "", paged=False),
    "GET /history/variable-instance": _listing(
        "历史变量", variable_instances.HISTORIC_CRITERIA, variable_instances.HISTORIC_SORTS,
        "#HistoricVariableInstance", also=DESERIALIZE),
    "POST /history/variable-instance": _posted("历史变量（查询体）", variable_instances.HISTORIC_CRITERIA,
                                               "#HistoricVariableInstance", also=DESERIALIZE),
    "GET /history/variable-instance/count": _counting("历史变量数", variable_instances.HISTORIC_CRITERIA),
    "POST /history/variable-instance/count": _posted("历史变量数（查询体）", variable_instances.HISTORIC_CRITERIA, "",
                                                     paged=False),
    "GET /history/variable-instance/<variable_id>": Op("一个历史变量", ("deserializeValue",),
                                                       ok=(200, "#HistoricVariableInstance")),
    "GET /history/variable-instance/<variable_id>/data": Op("历史变量的内容", ok=(200, None),
                                                            media="application/octet-stream"),
    "GET /history/detail": Op("变量的每次变更", (*DETAIL_FILTERS, *PAGING, "deserializeValues"),
                              ok=(200, "[#VariableUpdate]")),
    "GET /history/detail/count": Op("变量变更数", DETAIL_FILTERS, ok=(200, "#Count")),
    "GET /history/detail/<detail_id>": Op("一次变量变更", ("deserializeValue",), ok=(200, "#VariableUpdate")),
    # Definitions by id, their start form and suspension (definition_by_id.py)
    "GET /process-definition/<definition_id>": Op("一个流程定义", ok=(200, "#ProcessDefinition")),
    "GET /process-definition/<definition_id>/xml": Op("流程定义的 BPMN", ok=(200, "#ProcessXml")),
    "GET /process-definition/<definition_id>/static-called-process-definitions": Op(
        "调用活动所调用的流程定义", ok=(200, "[#CalledProcessDefinition]")),
    "POST /process-definition/<definition_id>/start": Op(
        "按版本发起流程", body={"application/json": _body(businessKey="string?", variables=_VARIABLES)},
        ok=(200, "#ProcessInstance")),
    "GET /process-definition/<definition_id>/form-variables": Op(
        "启动表单的字段", ("variableNames", "deserializeValues"), ok=(200, _VARIABLES)),
    "GET /process-definition/key/<key>/form-variables": Op(
        "最新版本启动表单的字段", ("variableNames", "deserializeValues"), ok=(200, _VARIABLES)),
    "PUT /process-definition/<definition_id>/suspended": Op("挂起或激活流程定义", body={
        "application/json": _SUSPENSION}, ok=(204, None)),
    "PUT /process-definition/key/<key>/suspended": Op("挂起或激活各版本", body={
        "application/json": _SUSPENSION}, ok=(204, None)),
    "PUT /process-definition/suspended": Op("按键挂起或激活各版本", body={"application/json": _body(
        processDefinitionKey="string", suspended="boolean", includeProcessInstances="boolean?",
        executionDate="string?")}, ok=(204, None)),
    "GET /process-definition/key/<key>/statistics": Op("最新版本各活动的统计", STATISTICS,
                                                       ok=(200, "[#ActivityStatistics]")),
    "DELETE /deployment/<deployment_id>": Op("删除部署", ("cascade", "skipCustomListeners", "skipIoMappings"),
                                             ok=(204, None)),
    "DELETE /process-definition/<definition_id>": Op("删除流程定义（部署保留）",
                                                     ("cascade", "skipCustomListeners", "skipIoMappings"),
                                                     ok=(204, None)),
    "DELETE /process-definition/key/<key>": Op("删除流程键的所有版本（部署保留）",
                                               ("cascade", "skipCustomListeners", "skipIoMappings"), ok=(204, None)),
    # Executions, signals (executions.py, signals.py)
    "GET /execution": Op("执行", (*EXECUTION_FILTERS, "sortBy", "sortOrder", *PAGING), ok=(200, "[#Execution]")),
    "POST /execution": Op("执行（查询条件在请求体中）", PAGING, body={"application/json": _EXECUTION_QUERY},
                          ok=(200, "[#Execution]")),
    "GET /execution/count": Op("执行数", EXECUTION_FILTERS, ok=(200, "#Count")),
    "POST /execution/count": Op("执行数（查询条件在请求体中）", body={"application/json": _EXECUTION_QUERY},
                                ok=(200, "#Count")),
    "GET /execution/<execution_id>": Op("一个执行", ok=(200, "#Execution")),
    "GET /execution/<execution_id>/messageSubscriptions/<message_name>": Op(
        "执行等待的消息", ok=(200, "#EventSubscription")),
    "POST /execution/<execution_id>/messageSubscriptions/<message_name>/trigger": Op(
        "向执行发送消息", body={"application/json": _body(variables=_VARIABLES)}, ok=(204, None)),
    "GET /event-subscription": Op("等待中的消息与信号", (*SUBSCRIPTION_FILTERS, "sortBy", "sortOrder", *PAGING),
                                  ok=(200, "[#EventSubscription]")),
    "GET /event-subscription/count": Op("等待中的消息与信号数", SUBSCRIPTION_FILTERS, ok=(200, "#Count")),
    "POST /signal": Op("广播信号", body={"application/json": _body(
        name="string", executionId="string?", variables=_VARIABLES)}, ok=(204, None)),
    # Identity (identity.py, task_identity_links.py)
    "GET /user": Op("用户", (*USER_FILTERS, "sortBy", "sortOrder", *PAGING), ok=(200, "[#UserProfile]")),
    "GET /user/count": Op("用户数", USER_FILTERS, ok=(200, "#Count")),
    "GET /user/<user_id>/profile": Op("用户资料", ok=(200, "#UserProfile")),
    "GET /group": Op("用户组", (*GROUP_FILTERS, "sortBy", "sortOrder", *PAGING), ok=(200, "[#Group]")),
    "GET /group/count": Op("用户组数", GROUP_FILTERS, ok=(200, "#Count")),
    "GET /group/<group_id>": Op("一个用户组", ok=(200, "#Group")),
    "GET /identity/groups": Op("用户所在的组及同组用户", ("userId",), ok=(200, "#IdentityGroups")),
    "GET /task/<task_id>/identity-links": Op("任务的候选人、办理人和委托人", ("type",),
                                             ok=(200, "[#IdentityLink]")),
    "POST /task/<task_id>/identity-links": Op("添加候选人", body={"application/json": _LINK}, ok=(204, None)),
    "POST /task/<task_id>/identity-links/delete": Op("移除候选人", body={"application/json": _LINK},
                                                     ok=(204, None)),
    # External tasks
    "POST /external-task/fetchAndLock": Op("获取并锁定外部任务", body={"application/json": _body(
        workerId="string", maxTasks="integer", usePriority="boolean", asyncResponseTimeout="integer",
        topics="[object]", sorting="[object]")}, ok=(200, "[#LockedExternalTask]")),
    "GET /external-task": Op("外部任务", (*EXTERNAL_TASK_FILTERS, "sortBy", "sortOrder", *PAGING),
                             ok=(200, "[#ExternalTask]")),
    "POST /external-task": Op("外部任务（查询体）", PAGING, body={"application/json": {"type": "object"}},
                              ok=(200, "[#ExternalTask]")),
    "GET /external-task/count": Op("外部任务数", EXTERNAL_TASK_FILTERS, ok=(200, "#Count")),
    "POST /external-task/count": Op("外部任务数（查询体）", body={"application/json": {"type": "object"}},
                                    ok=(200, "#Count")),
    "GET /external-task/topic-names": Op("主题", ("withLockedTasks", "withUnlockedTasks", "withRetriesLeft"),
                                         ok=(200, "[string]")),
    "GET /external-task/<task_id>": Op("一个外部任务", ok=(200, "#ExternalTask")),
    "GET /external-task/<task_id>/errorDetails": Op("失败详情", ok=(200, "string"), media="text/plain"),
    "POST /external-task/<task_id>/complete": Op("完成外部任务", body={"application/json": _body(
        workerId="string", variables=_VARIABLES, localVariables=_VARIABLES)}, ok=(204, None)),
    "POST /external-task/<task_id>/bpmnError": Op("抛出 BPMN 错误", body={"application/json": _body(
        workerId="string", errorCode="string", errorMessage="string?", variables=_VARIABLES)}, ok=(204, None)),
    "POST /external-task/<task_id>/failure": Op("报告失败", body={"application/json": _body(
        workerId="string", errorMessage="string?", errorDetails="string?", retries="integer",
        retryTimeout="integer")}, ok=(204, None)),
    "POST /external-task/<task_id>/extendLock": Op("延长锁定", body={"application/json": _body(
        workerId="string", newDuration="integer")}, ok=(204, None)),
    "POST /external-task/<task_id>/lock": Op("锁定", body={"application/json": _body(
        workerId="string", lockDuration="integer")}, ok=(204, None)),
    "POST /external-task/<task_id>/unlock": Op("解锁", ok=(204, None)),
    "PUT /external-task/<task_id>/retries": Op("设置重试次数", body={"application/json": _body(retries="integer")},
                                               ok=(204, None)),
    "PUT /external-task/retries": Op("批量设置重试次数", body=_RETRIES, ok=(204, None)),
    "POST /external-task/retries-async": Op("批量设置重试次数（批处理）", body=_RETRIES, ok=(200, "#Batch")),
    "PUT /external-task/<task_id>/priority": Op("设置优先级", body={"application/json": _body(priority="integer")},
                                                ok=(204, None)),
    # Migration
    "POST /migration/generate": Op("生成迁移计划", body={"application/json": _body(
        sourceProcessDefinitionId="string", targetProcessDefinitionId="string", overrides="object?")},
        ok=(200, "#MigrationPlan")),
    "POST /migration/validate": Op("校验迁移计划", body={"application/json": _body(
        sourceProcessDefinitionId="string", targetProcessDefinitionId="string", instructions="[object]",
        processInstanceIds="[string]")}, ok=(200, "#MigrationValidation")),
    "POST /migration/execute": Op("执行迁移", body={"application/json": _MIGRATION}, ok=(200, "#MigrationResult")),
    "POST /migration/executeAsync": Op("执行迁移（答复已完成的迁移批次）", body={"application/json": _MIGRATION},
                                       ok=(200, "#Batch")),
}


def _form_submits() -> dict[str, Op]:
    """Camunda's form submits: the start and the complete under another name."""
    return {submitted: replace(OPERATIONS[done], summary=summary) for done, submitted, summary in (
        ("POST /process-definition/key/<key>/start", "POST /process-definition/key/<key>/submit-form", "提交启动表单"),
        ("POST /process-definition/<definition_id>/start", "POST /process-definition/<definition_id>/submit-form",
         "按版本提交启动表单"),
        ("POST /task/<task_id>/complete", "POST /task/<task_id>/submit-form", "提交任务表单"))}


OPERATIONS.update(_form_submits())


@blueprint.get("/openapi.json")
def openapi_document():
    params.known_only()
    return jsonify(document(current_app.url_map, request.host_url.rstrip("/") + API_PREFIX))


def document(url_map, server: str) -> dict:
    paths: dict[str, dict] = {}
    for method, rule in rest_routes(url_map):
        path, arguments = _openapi_path(rule)
        paths.setdefault(path, {})[method.lower()] = _operation(OPERATIONS[f"{method} {rule}"], arguments)
    return {
        "openapi": "3.1.0",
        "info": {"title": "TIC Flow engine-rest (Camunda 7)", "version": "7.24",
                 "description": "新疆技术创新中心业务协同平台的 Camunda 7 兼容接口 / Camunda 7 REST for TIC Flow"},
        "servers": [{"url": server}],
        "security": [{"basic": []}],
        "paths": paths,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
    }


def rest_routes(url_map) -> list[tuple[str, str]]:
    """Every (method, rule below /engine-rest) the app serves, this document's own included."""
    found = []
    for rule in url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX + "/") and rule.endpoint != "rest.openapi_document":
            found += [(method, rule.rule[len(API_PREFIX):]) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found)


def _openapi_path(rule: str) -> tuple[str, list[str]]:
    arguments = re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule)
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule), arguments


def _parameter_schema(op: Op, name: str) -> dict:
    """A query parameter's type: its criterion's kind where a list has one (a list is text,
    comma-separated, in a query string), else the name's meaning in Camunda."""
    if op.kinds.get(name) == "flag":
        return {"type": "boolean"}
    if name in op.kinds:
        return {"type": "string"}
    return {"type": _PARAMETER_TYPES.get(name, "string")}


def _operation(op: Op, arguments: list[str]) -> dict:
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in arguments]
    parameters += [{"name": name, "in": "query", "required": False, "schema": _parameter_schema(op, name)}
                   for name in op.query]
    status, spec = op.ok
    answer: dict = {"description": "成功 / OK"}
    if spec is not None:
        answer["content"] = {op.media: {"schema": schema_of(spec)}}
    elif op.media != "application/json":
        answer["content"] = {op.media: {"schema": {"type": "string", "format": "binary"}}}
    operation = {"summary": op.summary, "parameters": parameters, "responses": {
        str(status): answer,
        "4XX": {"description": "请求被拒绝 / refused",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Exception"}}}},
    }}
    if op.body is not None:
        operation["requestBody"] = {"required": False, "content": {
            media: {"schema": schema} for media, schema in op.body.items()}}
    return operation
