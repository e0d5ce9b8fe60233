"""Camunda 7 element templates (bpmn-js-element-templates) built from what this system can
run: one per service-task topic a handler implements, one per deployed decision table for
business-rule tasks, one per deployed form for user tasks. An analyst picks from a list
instead of typing a topic, a decision key or a form key, and cannot pick one that the
deployment lint would refuse."""
from __future__ import annotations

from app.core.extensions import TopicInfo
from app.platform.model_catalog import Model

SCHEMA = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json"


def _hidden(name: str, value: str) -> dict:
    return {"type": "Hidden", "value": value, "binding": {"type": "property", "name": name}}


def _template(template_id: str, name: str, description: str, applies_to: str,
              properties: list[dict]) -> dict:
    return {"$schema": SCHEMA, "id": template_id, "version": 1, "name": name,
            "description": description, "appliesTo": [applies_to], "properties": properties}


def topic_template(info: TopicInfo) -> dict:
    """A service task whose topic runs in-process (no camunda:type, which would mean an
    external worker)."""
    reads = "、".join(info.reads) or "无"
    writes = "、".join(info.writes) or "无"
    description = f"主题 {info.topic}。读取变量：{reads}；写入变量：{writes}"
    return _template(f"ticflow.topic.{info.topic}", info.title, description, "bpmn:ServiceTask",
                     [_hidden("camunda:topic", info.topic)])


def decision_template(model: Model) -> dict:
    description = f"调用已部署的决策表 {model.key}（最新为第 {model.latest.version} 版），结果写入流程变量"
    return _template(f"ticflow.decision.{model.key}", model.name, description,
                     "bpmn:BusinessRuleTask", [_hidden("camunda:decisionRef", model.key)])


def form_template(model: Model) -> dict:
    """A user task with a deployed form; its candidate groups stay to be filled in (they may
    be scoped, e.g. recommender:${recommenderOrg})."""
    groups = {"label": "候选组", "type": "String", "description": "例如 department 或 recommender:${recommenderOrg}",
              "binding": {"type": "property", "name": "camunda:candidateGroups"}}
    return _template(f"ticflow.form.{model.key}", f"表单：{model.name}", f"表单键 {model.key}",
                     "bpmn:UserTask", [_hidden("camunda:formKey", model.key), groups])


def all_templates(topics: list[TopicInfo], decisions: list[Model], forms: list[Model]) -> list[dict]:
    return ([topic_template(t) for t in topics] + [decision_template(d) for d in decisions]
            + [form_template(f) for f in forms])
