"""Deploy-time lint of BPMN and DMN models, and the interop corpus end to end."""
from __future__ import annotations

import random
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest

from app.engine.errors import DefinitionProblem, InvalidDefinition
from app.engine.lint import _with_input_name, dmn_entry_expression, lint_bpmn, lint_dmn
from app.engine.xml_safety import bpmn_schema_problems, dmn_schema_problems, parse_xml

FORMS = {"bench/request", "review"}
TOPICS = {"notify"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def bpmn(process_body: str, executable: str | None = "true", extra: str = "") -> bytes:
    flag = f' isExecutable="{executable}"' if executable is not None else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="defs" targetNamespace="http://example.com/bpmn">
  <bpmn:process id="p"{flag}>
{process_body}
  </bpmn:process>{extra}
</bpmn:definitions>
""".encode()


def lint(process_body: str, **kwargs) -> list[DefinitionProblem]:
    content = bpmn(process_body, **kwargs)
    return lint_bpmn(parse_xml(content, "m.bpmn"), "m.bpmn", FORMS, TOPICS)


def only(problems: list[DefinitionProblem]) -> DefinitionProblem:
    assert len(problems) == 1, problems
    return problems[0]


GOOD_USER_TASK = '<bpmn:userTask id="t" camunda:candidateGroups="reviewers" camunda:formKey="review"/>'


# ------------------------------------------------------------------ executable process


MESSAGE_EVENT_SUBPROCESS = """<bpmn:subProcess id="esp" triggeredByEvent="true">
  <bpmn:startEvent id="esp_start"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>
</bpmn:subProcess>"""


def test_a_message_event_subprocess_of_the_process_is_accepted():
    assert lint(GOOD_USER_TASK + MESSAGE_EVENT_SUBPROCESS, extra='<bpmn:message id="m" name="go"/>') == []


def test_a_message_event_subprocess_inside_a_subprocess_is_accepted():
    """Camunda 7 runs it in the subprocess's scope, and so does the engine adapter."""
    body = f'<bpmn:subProcess id="outer"><bpmn:startEvent id="s"/>{MESSAGE_EVENT_SUBPROCESS}</bpmn:subProcess>'
    assert lint(GOOD_USER_TASK + body, extra='<bpmn:message id="m" name="go"/>') == []


def test_a_valid_model_is_lint_clean():
    assert lint(GOOD_USER_TASK) == []


@pytest.mark.parametrize("flag", [None, "false"])
def test_a_file_without_executable_process_deploys_with_a_warning_that_nothing_can_start(flag):
    problem = only(lint(GOOD_USER_TASK.replace('camunda:formKey="review"', ""), executable=flag))
    assert not problem.is_error
    assert 'isExecutable="true"' in problem.message_zh and "没有可以启动的流程" in problem.message_zh
    assert (problem.file, problem.element_id) == ("m.bpmn", "defs")


def test_a_user_task_without_a_form_key_deploys_with_a_warning_that_it_gets_the_generic_form():
    problem = only(lint(GOOD_USER_TASK.replace('camunda:formKey="review"', "")))
    assert not problem.is_error and problem.element_id == "t" and "通用表单" in problem.message_zh


def test_non_executable_processes_are_not_linted():
    content = bpmn(GOOD_USER_TASK).replace(
        b"</bpmn:definitions>",
        b'<bpmn:process id="sketch" isExecutable="false"><bpmn:complexGateway id="cg"/></bpmn:process>'
        b"</bpmn:definitions>",
    )
    assert lint_bpmn(parse_xml(content, "m.bpmn"), "m.bpmn", FORMS, TOPICS) == []


# ------------------------------------------------------------------------ user tasks


@pytest.mark.parametrize("owner", ['camunda:candidateGroups="g"', 'camunda:candidateUsers="u"', 'camunda:assignee="a"'])
def test_user_task_with_an_owner_passes(owner):
    assert lint(f'<bpmn:userTask id="t" {owner} camunda:formKey="review"/>') == []


def test_user_task_without_owner_is_a_warning_not_an_error():
    problem = only(lint('<bpmn:userTask id="t" camunda:formKey="review"/>'))
    assert problem.element_id == "t" and "candidateGroups" in problem.message_zh
    assert problem.severity == "warning" and not problem.is_error


def test_an_external_type_on_a_topic_the_system_handles_is_a_warning():
    problem = only(lint('<bpmn:serviceTask id="s" camunda:type="external" camunda:topic="notify"/>'))
    assert problem.severity == "warning" and "external" in problem.message_zh
    assert lint('<bpmn:serviceTask id="s" camunda:type="external" camunda:topic="elsewhere"/>') == []


def role(name: str, expression: str | None, role_id: str = "role") -> str:
    assigned = (f"<bpmn:resourceAssignmentExpression><bpmn:formalExpression>{expression}"
                f"</bpmn:formalExpression></bpmn:resourceAssignmentExpression>") if expression is not None else ""
    return f'<bpmn:{name} id="{role_id}">{assigned}<bpmn:resourceRef>r</bpmn:resourceRef></bpmn:{name}>'


@pytest.mark.parametrize("owner", [
    role("potentialOwner", "reviewers"), role("potentialOwner", "user(kermit), group(management)"),
    role("humanPerformer", "officer"),
])
def test_a_resource_assignment_with_a_formal_expression_names_the_owner(owner):
    assert lint(f'<bpmn:userTask id="t" camunda:formKey="review">{owner}</bpmn:userTask>') == []


def test_a_resource_role_naming_only_a_resource_assigns_nobody_as_in_camunda():
    """The MIWG reference models (C.1.0) name a resource, no expression: a warning."""
    problem = only(lint(f'<bpmn:userTask id="t" camunda:formKey="review">{role("potentialOwner", None)}</bpmn:userTask>'))
    assert problem.severity == "warning" and problem.element_id == "t" and "potentialOwner" in problem.message_zh


def test_two_human_performers_are_refused_as_camunda_refuses_them():
    performers = role("humanPerformer", "a", "first") + role("humanPerformer", "b", "second")
    problem = only(lint(f'<bpmn:userTask id="t" camunda:formKey="review">{performers}</bpmn:userTask>'))
    assert problem.is_error and "humanPerformer" in problem.message_zh
    assert problem.element_id == "second"


def test_user_task_needs_a_form():
    problem = only(lint('<bpmn:userTask id="t" camunda:assignee="a"/>'))
    assert "camunda:formKey" in problem.message_zh


def test_unknown_form_is_refused():
    problem = only(lint('<bpmn:userTask id="t" camunda:assignee="a" camunda:formKey="nope/form"/>'))
    assert problem.message_zh == "表单不存在：nope/form"


@pytest.mark.parametrize("key", ["../etc/passwd", "${form}"])
def test_form_keys_that_are_no_form_key_are_refused(key):
    problem = only(lint(f'<bpmn:userTask id="t" camunda:assignee="a" camunda:formKey="{key}"/>'))
    assert problem.message_zh.startswith("不支持的表单引用")


FIELDS = '<bpmn:extensionElements><camunda:formData><camunda:formField id="ok" type="boolean"/></camunda:formData></bpmn:extensionElements>'


@pytest.mark.parametrize("form", [
    'camunda:formKey="embedded:app:forms/x.html"', 'camunda:formKey="camunda-forms:deployment:x.form"',
    'camunda:formKey="app:x.html"', 'camunda:formRef="x" camunda:formKey="review"',
], ids=["embedded-html", "camunda-forms", "generated-html", "form-ref"])
@pytest.mark.parametrize("fields", ["", FIELDS], ids=["alone", "with-form-fields"])
def test_embedded_html_forms_and_camunda_forms_stay_refused_naming_them(form, fields):
    problem = only(lint(f'<bpmn:userTask id="t" camunda:assignee="a" {form}>{fields}</bpmn:userTask>'))
    assert problem.is_error and problem.element_id == "t"
    assert problem.message_zh.startswith("不支持嵌入式 HTML 表单或 Camunda Forms")


@pytest.mark.parametrize("key", ["Enter Plan", "Clarification"])
def test_another_tools_form_key_with_form_fields_is_worked_in_the_generic_form(key):
    """SpiffWorkflow's examples name forms of their own app and declare the fields."""
    problem = only(lint(f'<bpmn:userTask id="t" camunda:assignee="a" camunda:formKey="{key}">{FIELDS}</bpmn:userTask>'))
    assert problem.severity == "warning" and problem.element_id == "t"
    assert key in problem.message_zh and "通用表单" in problem.message_zh


def test_start_form_is_optional_but_must_exist():
    assert lint('<bpmn:startEvent id="s"/>') == []
    assert lint('<bpmn:startEvent id="s" camunda:formKey="bench/request"/>') == []
    assert only(lint('<bpmn:startEvent id="s" camunda:formKey="missing"/>')).element_id == "s"


# --------------------------------------------------------------- service/send tasks


@pytest.mark.parametrize("tag", ["serviceTask", "sendTask"])
def test_known_topic_passes(tag):
    assert lint(f'<bpmn:{tag} id="s" camunda:topic="notify"/>') == []


def test_external_topic_passes():
    assert lint('<bpmn:serviceTask id="s" camunda:type="external" camunda:topic="credit-score"/>') == []


def test_unknown_topic_without_external_flag_is_refused():
    problem = only(lint('<bpmn:serviceTask id="s" camunda:topic="credit-score"/>'))
    assert "credit-score" in problem.message_zh and 'camunda:type="external"' in problem.message_zh


def test_service_task_without_implementation_is_refused_naming_what_it_needs():
    problem = only(lint('<bpmn:sendTask id="s"/>'))
    assert problem.element_id == "s" and problem.message_zh.startswith("服务任务没有实现")
    assert "camunda:topic" in problem.message_zh and 'camunda:type="external"' in problem.message_zh


@pytest.mark.parametrize("implementation", [
    'camunda:class="org.example.Delegate"',
    'camunda:delegateExpression="${delegate}"',
    'camunda:expression="${bean.run()}"',
])
def test_java_implementations_are_refused(implementation):
    problem = only(lint(f'<bpmn:serviceTask id="s" {implementation}/>'))
    assert problem.element_id == "s"
    assert problem.message_zh.startswith(f"不支持 Java 实现（{implementation}）") and "camunda:topic" in problem.message_zh
    assert problem.message_en.startswith(f"Java delegates are not supported ({implementation})")


def test_a_condition_of_a_file_declaring_xpath_is_refused_naming_xpath():
    """MIWG C.1.1 reads data objects with XPath's bpmn:getDataObject."""
    content = bpmn('''<bpmn:exclusiveGateway id="g" default="no"/>
    <bpmn:sequenceFlow id="yes" sourceRef="g" targetRef="e">
      <bpmn:conditionExpression>bpmn:getDataObject('approved')</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="juel" sourceRef="g" targetRef="e"><bpmn:conditionExpression>${approved}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="g" targetRef="e"/><bpmn:endEvent id="e"/>''').replace(
        b'id="defs"', b'id="defs" expressionLanguage="http://www.w3.org/1999/XPath"')
    problem = only(lint_bpmn(parse_xml(content, "m.bpmn"), "m.bpmn", FORMS, TOPICS))
    assert problem.element_id == "yes" and "XPath" in problem.message_zh and "getDataObject" in problem.message_zh


def test_a_condition_in_feel_is_refused_naming_feel():
    problem = only(lint('''<bpmn:sequenceFlow id="f" sourceRef="a" targetRef="b">
      <bpmn:conditionExpression language="https://www.omg.org/spec/DMN/20191111/FEEL/">approved</bpmn:conditionExpression>
    </bpmn:sequenceFlow>'''))
    assert problem.element_id == "f" and "FEEL" in problem.message_zh


def test_connectors_are_refused():
    problem = only(lint("""
    <bpmn:serviceTask id="s"><bpmn:extensionElements>
      <camunda:connector><camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>
    </bpmn:extensionElements></bpmn:serviceTask>"""))
    assert "Java" in problem.message_en


# ------------------------------------------------------------------ business rules


def test_business_rule_task_with_decision_ref_passes():
    assert lint('<bpmn:businessRuleTask id="b" camunda:decisionRef="discount"/>') == []


def test_business_rule_task_needs_decision_ref():
    assert "decisionRef" in only(lint('<bpmn:businessRuleTask id="b"/>')).message_zh


def test_business_rule_task_with_java_is_refused():
    assert "Java" in only(lint('<bpmn:businessRuleTask id="b" camunda:class="x.Y"/>')).message_en


# ---------------------------------------------------------------------- script tasks


@pytest.mark.parametrize("script_format", ['', ' scriptFormat="python"', ' scriptFormat="Python"'])
def test_python_script_passes(script_format):
    assert lint(f'<bpmn:scriptTask id="s"{script_format}><bpmn:script>total = a + b</bpmn:script></bpmn:scriptTask>') == []


@pytest.mark.parametrize("language", ["javascript", "groovy", "juel"])
def test_other_script_languages_are_refused(language):
    problem = only(lint(f'<bpmn:scriptTask id="s" scriptFormat="{language}"><bpmn:script>x</bpmn:script></bpmn:scriptTask>'))
    assert language in problem.message_zh and "python" in problem.message_en


def test_external_script_resource_is_refused():
    problem = only(lint('<bpmn:scriptTask id="s" scriptFormat="python" camunda:resource="deployment://x.py"/>'))
    assert "camunda:resource" in problem.message_zh


def test_escaping_script_is_refused_on_its_own_line():
    problems = lint("""    <bpmn:scriptTask id="s" scriptFormat="python">
      <bpmn:script>a = 1
b = 2
import os</bpmn:script>
    </bpmn:scriptTask>""")
    problem = only(problems)
    assert problem.element_id == "s"
    assert problem.line == 10  # the <bpmn:script> line is 8; `import os` is its third line
    assert "import" in problem.message_zh and "import" in problem.message_en


def test_dunder_escape_in_script_is_refused():
    problem = only(lint(
        '<bpmn:scriptTask id="s"><bpmn:script>x = ().__class__.__base__.__subclasses__()</bpmn:script></bpmn:scriptTask>'
    ))
    assert "underscore" in problem.message_en


# ------------------------------------------------------------------------ conditions


def flow_with(condition: str) -> str:
    return f"""
    <bpmn:exclusiveGateway id="g"/>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f" sourceRef="g" targetRef="e">
      {condition}
    </bpmn:sequenceFlow>"""


@pytest.mark.parametrize("condition", [
    '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${amount &gt; 100 &amp;&amp; approved}</bpmn:conditionExpression>',
    "<bpmn:conditionExpression>amount &gt; 100</bpmn:conditionExpression>",
    '<bpmn:conditionExpression language="python">amount &gt; 100</bpmn:conditionExpression>',
])
def test_conditions_pass(condition):
    assert lint(flow_with(condition)) == []


def test_escaping_condition_is_refused():
    problem = only(lint(flow_with("<bpmn:conditionExpression>__import__('os').getpid() &gt; 0</bpmn:conditionExpression>")))
    assert problem.element_id == "f" and problem.line == 11
    assert "__import__" in problem.message_zh


def test_condition_in_another_language_is_refused():
    problem = only(lint(flow_with('<bpmn:conditionExpression language="groovy">x</bpmn:conditionExpression>')))
    assert "groovy" in problem.message_zh


@pytest.mark.parametrize("feel", ["= approved", "=fraud", "= not(approved)"])
def test_a_feel_condition_is_refused_with_a_message_that_says_feel_and_names_its_flow(feel):
    problem = only(lint(flow_with(f"<bpmn:conditionExpression>{feel}</bpmn:conditionExpression>")))
    assert problem.element_id == "f" and problem.is_error
    assert "FEEL" in problem.message_zh and "JUEL" in problem.message_zh and "FEEL" in problem.message_en


def test_empty_condition_is_refused():
    assert only(lint(flow_with("<bpmn:conditionExpression/>"))).message_zh == "条件表达式为空"


def test_multi_instance_expressions_are_checked():
    body = """
    <bpmn:userTask id="t" camunda:assignee="a" camunda:formKey="review">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>
        <bpmn:completionCondition>{completion}</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>"""
    assert lint(body.format(cardinality="${experts}", completion="${done &gt;= 3}")) == []
    problems = lint(body.format(cardinality="open('x')", completion="__import__('os')"))
    assert len(problems) == 2


# ---------------------------------------------------------------------------- timers


def timer(definition: str) -> str:
    return f"""
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition id="td">{definition}</bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>"""


@pytest.mark.parametrize("definition", [
    "<bpmn:timeDuration>P30D</bpmn:timeDuration>",
    "<bpmn:timeDuration>${reminder_after}</bpmn:timeDuration>",
    "<bpmn:timeDate>2025-03-01T09:00:00</bpmn:timeDate>",
    "<bpmn:timeCycle>R3/PT10M</bpmn:timeCycle>",
])
def test_timers_pass(definition):
    assert lint(timer(definition)) == []


@pytest.mark.parametrize("definition", ["", "<bpmn:timeDuration>  </bpmn:timeDuration>"])
def test_timer_without_expression_is_refused(definition):
    problem = only(lint(timer(definition)))
    assert problem.message_zh.startswith("定时器缺少时间表达式") and problem.element_id == "td"


def test_timer_with_two_expressions_is_refused():
    problem = only(lint(timer("<bpmn:timeDuration>P1D</bpmn:timeDuration><bpmn:timeDate>2025-01-01</bpmn:timeDate>")))
    assert "exactly one" in problem.message_en


def test_escaping_timer_is_refused():
    problem = only(lint(timer("<bpmn:timeDuration>${__import__('os').getenv('X')}</bpmn:timeDuration>")))
    assert "__import__" in problem.message_en


@pytest.mark.parametrize("cron", ["0 0/5 * * * ?", "0 0 9 ? * MON-FRI", "0 15 10 L * ?", "0 0 12 ? * 6#3 2030"])
def test_a_quartz_cron_timer_cycle_passes_as_camunda_accepts_it(cron):
    assert lint(timer(f"<bpmn:timeCycle>{cron}</bpmn:timeCycle>")) == []


def test_a_five_second_cron_is_refused_naming_the_minimum_interval():
    """loan-granting.bpmn of Camunda's examples starts every 5 seconds."""
    problem = only(lint(timer("<bpmn:timeCycle>0/5 0/1 * 1/1 * ?</bpmn:timeCycle>")))
    assert (problem.element_id, problem.line) == ("wait", 9)
    assert "最小间隔 60 秒" in problem.message_zh and "TIMER_MIN_CYCLE_SECONDS" in problem.message_zh
    assert "every 5 s" in problem.message_en


def test_a_cron_firing_twice_a_minute_only_once_a_day_is_held_to_the_minimum():
    problem = only(lint(timer("<bpmn:timeCycle>0,30 0 12 * * ?</bpmn:timeCycle>")))
    assert "every 30 s" in problem.message_en


@pytest.mark.parametrize(("cron", "why"), [
    ("0 0 12 * *", "6 or 7 fields"),
    ("0 0 12 * * *", "exactly one of the day-of-month and day-of-week fields must be ?"),
    ("0 0 12 15W * ?", "W (nearest weekday)"),
    ("0 0 12 ? * 6L", "L in the weekday field"),
    ("0 0 12 ? * 9", "weekday numbers run from 1 (Sunday) to 7 (Saturday)"),
    ("0 0 12 * * ? 2020", "fires no more"),
], ids=["unix-five-fields", "day-and-weekday", "nearest-weekday", "last-weekday", "weekday-nine", "past-year"])
def test_a_cron_the_engine_would_not_run_as_quartz_does_is_refused_naming_why(cron, why):
    problem = only(lint(timer(f"<bpmn:timeCycle>{cron}</bpmn:timeCycle>")))
    assert problem.element_id == "wait" and why in problem.message_en and cron in problem.message_zh


def test_a_cron_expression_as_a_date_or_duration_is_refused():
    problem = only(lint(timer("<bpmn:timeDuration>0 0 12 * * ?</bpmn:timeDuration>")))
    assert "timeCycle" in problem.message_zh and problem.element_id == "td"


def boundary_timer(definition: str) -> str:
    return GOOD_USER_TASK + f"""
    <bpmn:boundaryEvent id="remind" attachedToRef="t" cancelActivity="false">
      <bpmn:timerEventDefinition id="td">
        {definition}
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>"""


@pytest.mark.parametrize(("definition", "complaint"), [
    ("<bpmn:timeCycle>R/PT0S</bpmn:timeCycle>", "minimum interval of 60 s"),
    ("<bpmn:timeCycle>R1000/PT0S</bpmn:timeCycle>", "minimum interval of 60 s"),
    ("<bpmn:timeCycle>R/PT59S</bpmn:timeCycle>", "repeats every 59 s"),
    ("<bpmn:timeCycle>R/2020-01-01T00:00:00+08:00/PT0S</bpmn:timeCycle>", "minimum interval"),
    ('<bpmn:timeCycle>"R2/PT0.1S"</bpmn:timeCycle>', "repeats every 0.1 s"),
    ("<bpmn:timeCycle>R/-PT1M</bpmn:timeCycle>", "not valid ISO 8601"),
    ("<bpmn:timeCycle>R/P99999999Y</bpmn:timeCycle>", "before the year 10000"),
    ("<bpmn:timeDuration>P99999999Y</bpmn:timeDuration>", "before the year 10000"),
    ("<bpmn:timeDate>9999-12-31T23:59:59-01:00</bpmn:timeDate>", "before the year 10000"),
], ids=["zero-cycle", "thousand-zero-cycles", "below-a-minute", "zero-cycle-from-a-date",
        "python-literal", "negative-cycle", "cycle-beyond-9999", "duration-beyond-9999", "date-beyond-9999"])
def test_a_timer_that_would_spin_or_cannot_be_represented_is_refused_naming_its_event(definition, complaint):
    started = time.perf_counter()
    problem = only(lint(boundary_timer(definition)))
    assert time.perf_counter() - started < 1
    assert complaint in problem.message_en and CHINESE.search(problem.message_zh)
    assert (problem.element_id, problem.line) == ("remind", 10)


@pytest.mark.parametrize("definition", [
    "<bpmn:timeCycle>R/PT1H</bpmn:timeCycle>",
    "<bpmn:timeCycle>R/PT1M</bpmn:timeCycle>",
    "<bpmn:timeCycle>R/2020-01-01T00:00:00+08:00/PT1M</bpmn:timeCycle>",
    "<bpmn:timeCycle>${reminder_cycle}</bpmn:timeCycle>",
    "<bpmn:timeDuration>P7973Y</bpmn:timeDuration>",
], ids=["hourly-forever", "every-minute", "from-a-past-date", "from-a-variable", "up-to-year-9999"])
def test_unbounded_and_far_timers_that_can_run_pass(definition):
    assert lint(boundary_timer(definition)) == []


def test_the_minimum_cycle_interval_is_a_setting():
    content = bpmn(boundary_timer("<bpmn:timeCycle>R/PT30S</bpmn:timeCycle>"))
    tree = parse_xml(content, "m.bpmn")
    assert lint_bpmn(tree, "m.bpmn", FORMS, TOPICS, timer_min_cycle=timedelta(seconds=30)) == []
    problem = only(lint_bpmn(tree, "m.bpmn", FORMS, TOPICS, timer_min_cycle=timedelta(minutes=5)))
    assert "minimum interval of 300 s" in problem.message_en


# ------------------------------------------------------------- unsupported elements


def test_data_store_is_refused():
    problem = only(lint('<bpmn:dataStoreReference id="ds" dataStoreRef="store"/>',
                        extra='<bpmn:dataStore id="store" name="Archive"/>'))
    assert problem.message_zh.startswith("不支持数据存储") and problem.element_id == "ds"


def test_data_object_is_fine():
    assert lint('<bpmn:dataObject id="do"/><bpmn:dataObjectReference id="dor" dataObjectRef="do"/>') == []


def test_complex_gateway_is_refused():
    assert only(lint('<bpmn:complexGateway id="cg"/>')).message_zh == "不支持复杂网关"


def test_exclusive_gateway_is_fine():
    assert lint('<bpmn:exclusiveGateway id="xg"/>') == []


def test_compensation_and_link_events_are_refused():
    problems = lint("""
    <bpmn:intermediateThrowEvent id="c"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>
    <bpmn:intermediateThrowEvent id="l"><bpmn:linkEventDefinition name="go"/></bpmn:intermediateThrowEvent>""")
    assert [p.element_id for p in problems] == ["c", "l"]


def test_nested_subprocess_elements_are_linted():
    problem = only(lint('<bpmn:subProcess id="sub"><bpmn:startEvent id="s"/>'
                        '<bpmn:userTask id="inner" camunda:formKey="review"/></bpmn:subProcess>'))
    assert problem.element_id == "inner"


@pytest.mark.parametrize("kind", ["subProcess", "transaction"])
def test_a_subprocess_without_a_start_event_is_deployed_with_a_warning_naming_it(kind):
    """Camunda Modeler's export of MIWG A.3.0 has a collapsed, empty subprocess: it runs
    as BPMN says (app/engine/implicit_starts.py), and the analyst is told so."""
    problem = only(lint(f'<bpmn:{kind} id="sub"/>'))
    assert not problem.is_error and problem.element_id == "sub"
    assert "没有开始事件" in problem.message_zh and "直接完成" in problem.message_zh


def test_lint_survives_schema_invalid_trees():
    problems = lint("""
    <bpmn:userTask/>
    <bpmn:serviceTask camunda:topic=""/>
    <bpmn:timerEventDefinition><bpmn:timeDate/><bpmn:bogus/></bpmn:timerEventDefinition>
    <bpmn:scriptTask id="s"><bpmn:script/></bpmn:scriptTask>""")
    assert len(problems) == 4
    assert all(p.line for p in problems)


# ------------------------------------------------------------------------------- DMN


def dmn(table: str, decisions: int = 1, namespace: str = "https://www.omg.org/spec/DMN/20191111/MODEL/") -> bytes:
    decision = '<decision id="d{n}" name="D">{table}</decision>'
    body = "\n".join(decision.format(n=n, table=table) for n in range(decisions))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{namespace}" id="defs" name="x" namespace="http://example.com/dmn">
{body}
</definitions>
""".encode()


def decision_table(entries: list[str], output: str = "0.1", hit_policy: str = "", input_expression: str = "amount") -> str:
    cells = "".join(f'<inputEntry id="ie{i}"><text>{entry}</text></inputEntry>' for i, entry in enumerate(entries))
    return f"""<decisionTable id="table"{hit_policy}>
      <input id="in1" label="Amount"><inputExpression id="ix" typeRef="number"><text>{input_expression}</text></inputExpression></input>
      <output id="out1" name="discount" typeRef="number"/>
      <rule id="r1">{cells}<outputEntry id="oe"><text>{output}</text></outputEntry></rule>
    </decisionTable>"""


def lint_table(*args, **kwargs) -> list[DefinitionProblem]:
    content = dmn(decision_table(*args, **kwargs))
    tree = parse_xml(content, "d.dmn")
    assert dmn_schema_problems(tree, "d.dmn") == []
    return lint_dmn(tree, "d.dmn")


@pytest.mark.parametrize("entry", ["&gt; 1000", '"gold"', "-", "100 &lt; ? &lt;= 1000", "? in (1, 2)", "", "1000"])
def test_spiff_style_input_entries_pass(entry):
    assert lint_table([entry]) == []


def test_two_decisions_are_refused():
    tree = parse_xml(dmn(decision_table(["1"]), decisions=2), "d.dmn")
    problem = only(lint_dmn(tree, "d.dmn"))
    assert "exactly one decision" in problem.message_en and problem.element_id == "defs"


def test_decision_without_table_is_refused():
    tree = parse_xml(dmn('<literalExpression id="le"><text>1</text></literalExpression>'), "d.dmn")
    problem = only(lint_dmn(tree, "d.dmn"))
    assert problem.element_id == "d0" and "decision table" in problem.message_en


@pytest.mark.parametrize("policy", ["", ' hitPolicy="UNIQUE"', ' hitPolicy="FIRST"', ' hitPolicy="COLLECT"'])
def test_supported_hit_policies_pass(policy):
    assert lint_table(["1"], hit_policy=policy) == []


@pytest.mark.parametrize("policy", [' hitPolicy="PRIORITY"', ' hitPolicy="ANY"', ' hitPolicy="RULE ORDER"',
                                    ' hitPolicy="COLLECT" aggregation="SUM"'])
def test_unsupported_hit_policies_are_refused(policy):
    problem = only(lint_table(["1"], hit_policy=policy))
    assert problem.message_zh.startswith("不支持的命中策略") and problem.element_id == "table"


def test_escaping_input_entry_is_refused():
    problem = only(lint_table(["__import__('os').getpid()"]))
    assert problem.element_id == "ie0" and "第 1 条规则" in problem.message_zh


def test_escaping_input_expression_is_refused():
    problem = only(lint_table(["1"], input_expression="().__class__"))
    assert problem.element_id == "ix"


def test_escaping_output_entry_is_refused():
    assert only(lint_table(["1"], output="open('/etc/passwd').read()")).element_id == "oe"


@pytest.mark.parametrize("entry", ["true", '"a","b"', "[1..5]", "]1..5[", "not(&lt; 5)", "&lt; 1, &gt; 9"])
def test_feel_unary_tests_pass(entry):
    assert lint_table([entry]) == []


@pytest.mark.parametrize("entry", ['!= "a..b"', '!= "date(x)"'])
def test_python_cells_with_feel_look_alikes_inside_strings_pass(entry):
    assert lint_table([entry]) == []


def test_feel_literal_in_an_output_entry_is_refused_with_advice():
    # Only input entries are FEEL unary tests; outputs stay Python.
    problem = only(lint_table(["1"], output="true"))
    assert problem.element_id == "oe" and "True" in problem.message_zh


@pytest.mark.parametrize("entry", [
    "[1..limit]", '"a", tier', 'not(tier)', '&gt; date("2026-01-01")', "[1..5",
    'starts with("x")', "? in [1..5]",
])
def test_feel_beyond_the_subset_is_refused_with_its_place(entry):
    problem = only(lint_table([entry]))
    assert problem.element_id == "ie0"
    assert "不支持的 FEEL 表达式" in problem.message_zh and "unsupported FEEL" in problem.message_en
    assert "决策 d0 第 1 条规则第 1 列（Amount）" in problem.message_zh, problem.message_zh


def test_whitespace_only_entry_is_refused():
    assert "-" in only(lint_table(["   "])).message_zh


def test_dmn_entry_expression_mirrors_spiffworkflow():
    assert dmn_entry_expression("amount", "> 1000") == "amount> 1000"
    assert dmn_entry_expression("tier", '"gold"') == '(tier) == ("gold")'
    assert dmn_entry_expression("amount", "100 < ? <= 1000") == "100 < dmninputexpr <= 1000"
    assert dmn_entry_expression("tier", '"why?"') == '(tier) == ("why?")'
    assert dmn_entry_expression("amount", "-") is None
    assert dmn_entry_expression("amount", None) is None


def test_question_mark_substitution_matches_spiffworkflow_regex():
    spiff = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")  # DMNEngine.evaluate
    rng = random.Random(7)
    for _ in range(3000):
        entry = "".join(rng.choice("?'\"a <") for _ in range(rng.randint(1, 12)))
        assert _with_input_name(entry) == spiff.sub("dmninputexpr", entry), entry


def test_long_dmn_cells_are_linted_quickly():
    started = time.perf_counter()
    lint_table(["?" * 50_000])
    assert time.perf_counter() - started < 2


# -------------------------------------------------------------------------- corpus

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def corpus_files() -> list:
    files = sorted([*CORPUS.rglob("*.bpmn"), *CORPUS.rglob("*.dmn")]) if CORPUS.is_dir() else []
    # An empty parameter list would be skipped silently: make a missing corpus a failure.
    return [pytest.param(path, id=str(path.relative_to(CORPUS))) for path in files] or [
        pytest.param(None, id="corpus-missing")
    ]


@pytest.mark.parametrize("path", corpus_files())
def test_corpus_file_is_accepted_or_refused_with_located_problems(path):
    assert path is not None, f"the interop corpus is missing or empty: {CORPUS}"
    try:
        tree = parse_xml(path.read_bytes(), path.name)
    except InvalidDefinition as error:
        problems = error.problems
    else:
        if path.suffix == ".dmn":
            problems = dmn_schema_problems(tree, path.name) + lint_dmn(tree, path.name)
        else:
            problems = bpmn_schema_problems(tree, path.name) + lint_bpmn(tree, path.name, FORMS, TOPICS)
    for problem in problems:
        assert problem.file == path.name
        assert CHINESE.search(problem.message_zh), problem
        assert problem.message_en, problem
        assert problem.line or problem.element_id, problem


# ---------------------------------------------------------------- working days


@pytest.mark.parametrize("definition", [
    "<bpmn:timeDuration>${workdays(5)}</bpmn:timeDuration>",
    "<bpmn:timeDate>${ workdays(500) }</bpmn:timeDate>",
])
def test_a_timer_in_working_days_passes(definition):
    assert lint(boundary_timer(definition)) == []


@pytest.mark.parametrize(("definition", "complaint"), [
    ("<bpmn:timeDuration>${workdays(0)}</bpmn:timeDuration>", '"0" must be a whole number from 1 to 500'),
    ("<bpmn:timeDuration>${workdays(-3)}</bpmn:timeDuration>", '"-3" must be a whole number from 1 to 500'),
    ("<bpmn:timeDuration>${workdays(2.5)}</bpmn:timeDuration>", '"2.5" must be a whole number'),
    ("<bpmn:timeDuration>${workdays(days)}</bpmn:timeDuration>", '"days" must be a whole number'),
    ("<bpmn:timeDate>${workdays(501)}</bpmn:timeDate>", '"501" must be a whole number from 1 to 500'),
    ("<bpmn:timeDuration>${workdays()}</bpmn:timeDuration>", '"" must be a whole number'),
    ("<bpmn:timeDuration>${workdays(5) if urgent else 'P1D'}</bpmn:timeDuration>", "on its own as ${workdays(n)}"),
    ("<bpmn:timeCycle>${workdays(5)}</bpmn:timeCycle>", "never a cycle"),
], ids=["zero", "negative", "fraction", "variable", "beyond-the-bound", "empty", "inside-an-expression", "cycle"])
def test_workdays_timer_refused_at_deploy_when_not_a_positive_integer(definition, complaint):
    problem = only(lint(boundary_timer(definition)))
    assert complaint in problem.message_en and "workdays" in problem.message_zh
    assert "工作日" in problem.message_zh
    assert (problem.element_id, problem.line) == ("remind", 10)


def test_a_due_date_in_working_days_is_checked_like_a_timer():
    assert lint(GOOD_USER_TASK.replace("/>", ' camunda:dueDate="${workdays(5)}"/>')) == []
    problem = only(lint(GOOD_USER_TASK.replace("/>", ' camunda:dueDate="${workdays(0)}"/>')))
    assert problem.element_id == "t" and "1 到 500 之间的整数" in problem.message_zh
