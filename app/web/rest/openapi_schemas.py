"""The JSON shapes of /engine-rest as OpenAPI 3 component schemas (what `shapes.py` writes).

Written compactly: each property is a type name, `?` when it may be null, or a reference
(`#Task`), `[…]` for an array of it. Every property listed is required: a client may count
on each key Camunda sends being there."""
from __future__ import annotations

_SCALARS = {"string": {"type": "string"}, "integer": {"type": "integer"}, "number": {"type": "number"},
            "boolean": {"type": "boolean"}, "object": {"type": "object"}, "any": {}}


def schema_of(spec: str) -> dict:
    nullable = spec.endswith("?")
    spec = spec.rstrip("?")
    if spec.startswith("["):
        schema = {"type": "array", "items": schema_of(spec[1:-1])}
    elif spec.startswith("#"):
        schema = {"$ref": f"#/components/schemas/{spec[1:]}"}
    else:
        schema = dict(_SCALARS[spec])
    if not nullable or spec == "any":
        return schema
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def _object(**properties: str) -> dict:
    return {"type": "object", "required": sorted(properties),
            "properties": {name: schema_of(spec) for name, spec in properties.items()}}


_ENTITY = dict(tenantId="string?")
_TIMES = dict(startTime="string?", endTime="string?", removalTime="string?")
_PROCESS_DEFINITION = dict(
    id="string", key="string", category="string?", description="string?", name="string?",
    version="integer", resource="string?", deploymentId="string?", diagram="string?", suspended="boolean",
    versionTag="string?", historyTimeToLive="integer?", startableInTasklist="boolean", **_ENTITY)

SCHEMAS = {
    "Link": _object(method="string", href="string", rel="string"),
    "Count": _object(count="integer"),
    "Exception": {"type": "object", "required": ["type", "message"], "properties": {
        "type": {"type": "string"}, "message": {"type": "string"}, "code": {"type": "integer"},
        "errors": {"type": "array", "items": {"type": "object"}}, "details": {"type": "object"}}},
    "VariableValue": {"type": "object", "required": ["type", "value", "valueInfo"], "properties": {
        "type": {"type": "string"}, "value": {}, "valueInfo": {"type": "object"}}},
    "VariableMap": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/VariableValue"}},
    "Version": _object(version="string"),
    "Engine": _object(name="string"),
    "TaskCountByCandidateGroup": _object(groupName="string?", taskCount="integer"),
    "DurationReportResult": _object(period="integer", periodUnit="string", minimum="integer", maximum="integer",
                                    average="integer"),
    "Task": _object(
        id="string", name="string?", assignee="string?", owner="string?", created="string?", due="string?",
        followUp="string?", lastUpdated="string?", delegationState="string?", description="string?",
        executionId="string?", parentTaskId="string?", priority="integer", processDefinitionId="string?",
        processInstanceId="string?", taskDefinitionKey="string?", caseExecutionId="string?",
        caseInstanceId="string?", caseDefinitionId="string?", suspended="boolean", formKey="string?",
        camundaFormRef="any", processDefinitionKey="string?", businessKey="string?",
        candidateGroups="[string]", **_ENTITY),
    "ProcessInstance": _object(links="[#Link]", id="string", definitionId="string", businessKey="string?",
                               caseInstanceId="string?", ended="boolean", suspended="boolean", **_ENTITY),
    "ProcessDefinition": _object(**_PROCESS_DEFINITION),
    "CalledProcessDefinition": _object(**_PROCESS_DEFINITION, calledFromActivityIds="[string]",
                                       callingProcessDefinitionId="string"),
    "DecisionDefinition": _object(
        id="string", key="string", category="string?", name="string?", version="integer", resource="string?",
        deploymentId="string?", decisionRequirementsDefinitionId="string?",
        decisionRequirementsDefinitionKey="string?", historyTimeToLive="integer?", versionTag="string?",
        **_ENTITY),
    "Deployment": _object(
        links="[#Link]", id="string", name="string?", source="string?", deploymentTime="string?",
        deployedProcessDefinitions="object?", deployedCaseDefinitions="object?",
        deployedDecisionDefinitions="object?", deployedDecisionRequirementsDefinitions="object?", **_ENTITY),
    "DeploymentResource": _object(id="string", name="string", deploymentId="string"),
    "Job": _object(
        id="string", jobDefinitionId="string?", processInstanceId="string?", processDefinitionId="string?",
        processDefinitionKey="string?", executionId="string?", exceptionMessage="string?",
        failedActivityId="string?", retries="integer", dueDate="string?", suspended="boolean",
        priority="integer", createTime="string?", batchId="string?", jobType="string", activityId="string?",
        **_ENTITY),
    "Incident": _object(
        id="string", processDefinitionId="string?", processInstanceId="string?", executionId="string?",
        incidentTimestamp="string?", incidentType="string", activityId="string?", failedActivityId="string?",
        causeIncidentId="string?", rootCauseIncidentId="string?", configuration="string?",
        incidentMessage="string?", jobDefinitionId="string?", annotation="string?", **_ENTITY),
    "HistoricIncident": _object(
        id="string", processDefinitionKey="string?", processDefinitionId="string?",
        processInstanceId="string?", executionId="string?", rootProcessInstanceId="string?",
        createTime="string?", endTime="string?", removalTime="string?", incidentType="string",
        activityId="string?", failedActivityId="string?", causeIncidentId="string?",
        rootCauseIncidentId="string?", configuration="string?", historyConfiguration="string?",
        incidentMessage="string?", jobDefinitionId="string?", open="boolean", deleted="boolean",
        resolved="boolean", annotation="string?", **_ENTITY),
    "HistoricProcessInstance": _object(
        id="string", businessKey="string?", processDefinitionId="string?", processDefinitionKey="string?",
        processDefinitionName="string?", processDefinitionVersion="integer?", durationInMillis="integer?",
        startUserId="string?", startActivityId="string?", deleteReason="string?",
        rootProcessInstanceId="string?", superProcessInstanceId="string?", superCaseInstanceId="string?",
        caseInstanceId="string?", state="string", **_TIMES, **_ENTITY),
    "HistoricActivityInstance": _object(
        id="string", parentActivityInstanceId="string?", activityId="string", activityName="string?",
        activityType="string", processDefinitionKey="string?", processDefinitionId="string?",
        processInstanceId="string?", executionId="string?", taskId="string?", calledProcessInstanceId="string?",
        calledCaseInstanceId="string?", assignee="string?", durationInMillis="integer?", canceled="boolean",
        completeScope="boolean", rootProcessInstanceId="string?", **_TIMES, **_ENTITY),
    "HistoricDecisionInstance": _object(
        id="string", decisionDefinitionId="string?", decisionDefinitionKey="string",
        decisionDefinitionName="string?", evaluationTime="string", removalTime="string?",
        processDefinitionId="string?", processDefinitionKey="string?", processInstanceId="string?",
        rootProcessInstanceId="string?", caseDefinitionId="string?", caseDefinitionKey="string?",
        caseInstanceId="string?", activityId="string?", activityInstanceId="string?", userId="string?",
        inputs="[#HistoricDecisionInputInstance]?", outputs="[#HistoricDecisionOutputInstance]?",
        collectResultValue="number?", rootDecisionInstanceId="string?",
        decisionRequirementsDefinitionId="string?", decisionRequirementsDefinitionKey="string?", **_ENTITY),
    "HistoricDecisionInputInstance": _object(
        id="string", decisionInstanceId="string", clauseId="string?", clauseName="string?",
        errorMessage="string?", type="string", value="any", valueInfo="object", createTime="string",
        removalTime="string?", rootProcessInstanceId="string?"),
    "HistoricDecisionOutputInstance": _object(
        id="string", decisionInstanceId="string", clauseId="string?", clauseName="string?", ruleId="string?",
        ruleOrder="integer?", variableName="string?", errorMessage="string?", type="string", value="any",
        valueInfo="object", createTime="string", removalTime="string?", rootProcessInstanceId="string?"),
    "HistoricActivityStatistics": _object(
        id="string?", instances="integer", finished="integer", canceled="integer", completeScope="integer",
        openIncidents="integer", resolvedIncidents="integer", deletedIncidents="integer"),
    "Filter": {**_object(id="string", resourceType="string", name="string", owner="string?", query="object",
                         properties="object"),
               "properties": {**_object(id="string", resourceType="string", name="string", owner="string?",
                                        query="object", properties="object")["properties"],
                              "itemCount": {"type": "integer"}}},
    "HistoricTask": _object(
        id="string", processDefinitionKey="string?", processDefinitionId="string?", processInstanceId="string?",
        executionId="string?", caseDefinitionKey="string?", caseDefinitionId="string?", caseInstanceId="string?",
        caseExecutionId="string?", activityInstanceId="string?", name="string?", description="string?",
        deleteReason="string?", owner="string?", assignee="string?", duration="integer?",
        taskDefinitionKey="string?", priority="integer", due="string?", parentTaskId="string?",
        followUp="string?", rootProcessInstanceId="string?", completedBy="string?", businessKey="string?",
        **_TIMES, **_ENTITY),
    "VariableInstance": _object(
        id="string", name="string", type="string", value="any", valueInfo="object",
        processDefinitionId="string?", processInstanceId="string?", executionId="string?",
        caseInstanceId="string?", caseExecutionId="string?", taskId="string?", batchId="string?",
        activityInstanceId="string?", errorMessage="string?", **_ENTITY),
    "HistoricVariableInstance": _object(
        id="string", name="string", type="string", value="any", valueInfo="object",
        processDefinitionKey="string?", processDefinitionId="string?", processInstanceId="string?",
        executionId="string?", activityInstanceId="string?", caseDefinitionKey="string?",
        caseDefinitionId="string?", caseInstanceId="string?", caseExecutionId="string?", taskId="string?",
        errorMessage="string?", state="string", createTime="string?", removalTime="string?",
        rootProcessInstanceId="string?", **_ENTITY),
    "VariableUpdate": _object(
        id="string", type="string", processDefinitionKey="string?", processDefinitionId="string?",
        processInstanceId="string?", activityInstanceId="string?", executionId="string?",
        caseDefinitionKey="string?", caseDefinitionId="string?", caseInstanceId="string?",
        caseExecutionId="string?", taskId="string?", userOperationId="string?", time="string?",
        removalTime="string?", rootProcessInstanceId="string?", variableName="string",
        variableInstanceId="string", variableType="string", value="any", valueInfo="object",
        initial="boolean", revision="integer", errorMessage="string?", **_ENTITY),
    "ExternalTask": _object(
        id="string", topicName="string", workerId="string?", lockExpirationTime="string?", createTime="string?",
        retries="integer?", errorMessage="string?", suspended="boolean", priority="integer",
        activityId="string?", activityInstanceId="string?", executionId="string?", processInstanceId="string?",
        processDefinitionId="string?", processDefinitionKey="string?", processDefinitionVersionTag="string?",
        businessKey="string?", **_ENTITY),
    "HistoricExternalTaskLog": _object(
        id="string", timestamp="string", removalTime="string?", externalTaskId="string", topicName="string?",
        workerId="string?", priority="integer", retries="integer?", errorMessage="string?", activityId="string?",
        activityInstanceId="string?", executionId="string?", processInstanceId="string?",
        processDefinitionId="string?", processDefinitionKey="string?", rootProcessInstanceId="string?",
        creationLog="boolean", failureLog="boolean", successLog="boolean", deletionLog="boolean", **_ENTITY),
    "HistoricJobLog": _object(
        id="string", timestamp="string", removalTime="string?", jobId="string", jobDueDate="string?",
        jobRetries="integer", jobPriority="integer", jobExceptionMessage="string?", failedActivityId="string?",
        jobDefinitionId="string?", jobDefinitionType="string?", jobDefinitionConfiguration="string?",
        activityId="string?", executionId="string?", processInstanceId="string?", processDefinitionId="string?",
        processDefinitionKey="string?", deploymentId="string?", rootProcessInstanceId="string?", hostname="string?",
        creationLog="boolean", failureLog="boolean", successLog="boolean", deletionLog="boolean", **_ENTITY),
    "UserOperationLogEntry": _object(
        id="string", operationId="string", timestamp="string", removalTime="string?", userId="string?",
        operationType="string", entityType="string", category="string?", property="string?", orgValue="string?",
        newValue="string?", annotation="string?", deploymentId="string?", processDefinitionId="string?",
        processDefinitionKey="string?", processInstanceId="string?", rootProcessInstanceId="string?",
        executionId="string?", taskId="string?", jobId="string?", jobDefinitionId="string?",
        externalTaskId="string?", batchId="string?", caseDefinitionId="string?", caseInstanceId="string?",
        caseExecutionId="string?"),
    "MetricsInterval": _object(timestamp="string", name="string", reporter="string?", value="integer"),
    "MetricsSum": _object(result="integer"),
    "CleanableProcessInstanceReport": _object(
        processDefinitionId="string", processDefinitionKey="string", processDefinitionName="string?",
        processDefinitionVersion="integer", historyTimeToLive="integer?", finishedProcessInstanceCount="integer",
        cleanableProcessInstanceCount="integer", **_ENTITY),
    "CleanableDecisionInstanceReport": _object(
        decisionDefinitionId="string", decisionDefinitionKey="string", decisionDefinitionName="string?",
        decisionDefinitionVersion="integer", historyTimeToLive="integer?", finishedDecisionInstanceCount="integer",
        cleanableDecisionInstanceCount="integer", **_ENTITY),
    "PasswordPolicy": _object(rules="[object]"),
    "CheckedPasswordPolicy": _object(rules="[object]", valid="boolean"),
    "AuthenticationResult": _object(authenticatedUser="string", authenticated="boolean"),
    "JobDefinition": _object(
        id="string", processDefinitionId="string", processDefinitionKey="string", activityId="string",
        jobType="string", jobConfiguration="string?", overridingJobPriority="integer?", suspended="boolean",
        deploymentId="string?", **_ENTITY),
    "HistoricBatch": _object(
        id="string", type="string", totalJobs="integer", batchJobsPerSeed="integer", invocationsPerBatchJob="integer",
        seedJobDefinitionId="string?", monitorJobDefinitionId="string?", batchJobDefinitionId="string?",
        createUserId="string?", startTime="string?", executionStartTime="string?", endTime="string?",
        removalTime="string?", **_ENTITY),
    "LockedExternalTask": {"allOf": [{"$ref": "#/components/schemas/ExternalTask"}, _object(
        errorDetails="string?", variables="#VariableMap", extensionProperties="object")]},
    "Batch": _object(
        id="string", type="string", totalJobs="integer", jobsCreated="integer", batchJobsPerSeed="integer",
        invocationsPerBatchJob="integer", seedJobDefinitionId="string?", monitorJobDefinitionId="string?",
        batchJobDefinitionId="string?", suspended="boolean", createUserId="string?", startTime="string?",
        executionStartTime="string?", **_ENTITY),
    "CorrelationResult": {"type": "object", "required": ["resultType", "execution", "processInstance"],
                          "properties": {"resultType": {"type": "string"},
                                         "execution": schema_of("object?"), "processInstance": schema_of("object?"),
                                         "variables": schema_of("#VariableMap")}},
    "ActivityInstance": _object(
        id="string", parentActivityInstanceId="string?", activityId="string", activityType="string",
        processInstanceId="string", processDefinitionId="string", childActivityInstances="[object]",
        childTransitionInstances="[object]", executionIds="[string]", activityName="string?",
        incidentIds="[string]", incidents="[object]"),
    "DefinitionStatistics": _object(
        id="string", instances="integer", failedJobs="integer", incidents="[object]",
        definition="#ProcessDefinition", **{"@class": "string"}, **_ENTITY),
    "ActivityStatistics": _object(id="string", instances="integer", failedJobs="integer",
                                  incidents="[object]", **{"@class": "string"}),
    "ProcessXml": _object(id="string", bpmn20Xml="string"),
    "DecisionXml": _object(id="string", dmnXml="string"),
    "TaskForm": {"type": "object", "required": ["key", "contextPath", "schema", "ui"], "properties": {
        "key": schema_of("string?"), "contextPath": schema_of("string?"), "schema": schema_of("object?"),
        "ui": schema_of("object?"), "version": schema_of("integer?")}},
    "Comment": _object(id="string", userId="string?", taskId="string?", processInstanceId="string?",
                       time="string?", message="string", removalTime="string?", rootProcessInstanceId="string?"),
    "Attachment": _object(
        id="string", name="string", description="string?", taskId="string?", processInstanceId="string?",
        type="string?", size="integer", userId="string?", createTime="string?", url="string?",
        removalTime="string?", rootProcessInstanceId="string?", links="[#Link]"),
    "MigrationPlan": {"type": "object", "required": ["sourceProcessDefinitionId", "targetProcessDefinitionId",
                                                     "instructions"], "properties": {
        "sourceProcessDefinitionId": {"type": "string"}, "targetProcessDefinitionId": {"type": "string"},
        "instructions": {"type": "array", "items": {"type": "object"}}}},
    "MigrationValidation": {"type": "object", "required": ["instructionReports", "variableReports"],
                            "properties": {"instructionReports": {"type": "array"},
                                           "variableReports": {"type": "object"},
                                           "instanceReports": {"type": "array"}}},
    "MigrationResult": {"type": "object"},
    "Execution": _object(id="string", processInstanceId="string", ended="boolean", **_ENTITY),
    "EventSubscription": _object(id="string", eventType="string", eventName="string", executionId="string?",
                                 processInstanceId="string?", activityId="string?", createdDate="string?",
                                 **_ENTITY),
    "UserProfile": _object(id="string", firstName="string?", lastName="string?", email="string?"),
    "Group": _object(id="string", name="string?", type="string?"),
    "IdentityGroups": _object(groups="[object]", groupUsers="[object]"),
    "IdentityLink": _object(userId="string?", groupId="string?", type="string"),
}
