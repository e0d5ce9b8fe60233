"""Deploy-time rules for uploaded models: what the XSD allows but this engine cannot run.

Runs on the lxml tree after `xml_safety.parse_xml`, also on schema-invalid trees, so every
rule reads attributes defensively. Only executable processes are linted: a descriptive
diagram is still a valid file to open, it just cannot be deployed.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Iterator

from lxml import etree

from app.engine.errors import ERROR, WARNING, DefinitionProblem, ScriptRefused
from app.engine.feel import unary_tests_to_python
from app.engine.implicit_starts import lacks_start_event
from app.engine import expressions
from app.engine.expressions import CRON, condition_to_python, timer_to_python, variable_reference
from app.engine.multi_instance import too_many
from app.engine.resource_roles import owners
from app.engine.specs import PRIORITY_LITERAL, PRIORITY_MAX, PRIORITY_MIN, task_priority_of
from app.engine.timers import DEFAULT_MIN_CYCLE, TimerRefused, check_literal, check_workdays, uses_workdays

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

# Form keys name a JSON form of ours (`bench/request`), never a file of another tool.
_PLAIN_FORM_KEY = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")
# Camunda's Tasklist forms: embedded HTML, generated or Camunda Forms files.
_OTHER_TOOLS_FORMS = ("embedded:", "app:", "deployment:", "camunda-forms:")
_JAVA_ATTRIBUTES = ("class", "delegateExpression", "expression")
_TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")
_SCRIPT_FORMATS = {"", "python", "python3"}
_CONDITION_LANGUAGES = {"", "python", "juel"}
_SUPPORTED_HIT_POLICIES = {"UNIQUE", "FIRST", "COLLECT"}
# SpiffWorkflow's DMN engine replaces `?` outside quotes by this name (DMNEngine.evaluate).
_DMN_INPUT_NAME = "dmninputexpr"
# FEEL literals that Camunda's DMN editor suggests; in Python they are unknown names.
_FEEL_LITERALS = {"true": "True", "false": "False", "null": "None"}
# Cells only FEEL writes: a negation, an interval (`[1..x]` parses as Python), or a call of
# FEEL's date, time and duration literals (no such function exists in the expression language).
_FEEL_ONLY = re.compile(r"^\s*not\s*\(|\.\.|\b(date|time|duration)\s*\(")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_FEEL_EXAMPLES = '-、< 70、<= 70、> 1、>= 70、[1..5]、]1..5[、"a","b"、not(…)'
_FEEL_SUBSET = _FEEL_EXAMPLES + "、数字、字符串、true、false"
_FEEL_SUBSET_EN = _FEEL_EXAMPLES.replace("、", ", ").replace("…", "...") + ", numbers, strings, true, false"
# Python's parser gives up on absurd nesting with RecursionError or MemoryError, not SyntaxError.
_UNPARSABLE = (SyntaxError, ValueError, RecursionError, MemoryError)


@dataclass(frozen=True)
class _Context:
    file_name: str
    known_forms: frozenset[str] = frozenset()
    known_topics: frozenset[str] = frozenset()
    timer_min_cycle: timedelta = DEFAULT_MIN_CYCLE
    # Decisions a business rule task may call; None: not checked here.
    known_decisions: frozenset[str] | None = None

    def problem(self, element, message_zh: str, message_en: str, line: int | None = None,
                severity: str = ERROR) -> DefinitionProblem:
        return DefinitionProblem(
            self.file_name, message_zh, message_en,
            line=line or element.sourceline, element_id=_owner_id(element), severity=severity,
        )

    def code_problems(self, holder, source: str, mode: str, what_zh: str, what_en: str,
                      shown: str | None = None) -> list[DefinitionProblem]:
        """Run the sandbox's deploy check on `source`; `shown` is the text the analyst wrote.

        A script's line is counted from its holder's line; an expression is named by its text.
        """
        from app.engine.sandbox import check_code

        try:
            check_code(source, mode)
        except ScriptRefused as refused:
            line = holder.sourceline + refused.line - 1 if mode == "exec" and refused.line else None
            if shown is not None:
                what_zh, what_en = f"{what_zh}“{_excerpt(shown)}”", f'{what_en} "{_excerpt(shown)}"'
            return [self.problem(holder, f"{what_zh}：{refused.message_zh}", f"{what_en}: {refused.message_en}", line)]
        return []


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _owner_id(element) -> str | None:
    # A condition or script has no id of its own: point at the flow or task around it.
    while element is not None:
        if element.get("id"):
            return element.get("id")
        element = element.getparent()
    return None


def _camunda(element, name: str) -> str:
    return (element.get(f"{{{CAMUNDA_NS}}}{name}") or "").strip()


def _children(element, local_name: str) -> list:
    return element.findall(f"bpmn:{local_name}", NS)


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


# ---------------------------------------------------------------------------------- BPMN


def lint_bpmn(tree: etree._ElementTree, file_name: str, known_forms: set[str], known_topics: set[str],
              timer_min_cycle: timedelta = DEFAULT_MIN_CYCLE,
              known_decisions: set[str] | None = None) -> list[DefinitionProblem]:
    """Problems that keep the file's executable processes from being deployed; decisions
    are those deployed with the file or before it (`known_decisions`)."""
    root = tree.getroot()
    processes = [p for p in root.iterfind("bpmn:process", NS) if p.get("isExecutable") == "true"]
    if not processes:
        # As Camunda does: a descriptive model (every process non-executable) is deployed as a
        # resource and skipped; the answer says nothing can start.
        return [
            DefinitionProblem(
                file_name,
                '没有可执行的流程（isExecutable="true"）：文件已部署，但没有可以启动的流程',
                'No executable process (isExecutable="true"): the file is deployed, but nothing can start',
                line=root.sourceline,
                element_id=root.get("id"),
                severity=WARNING,
            )
        ]
    context = _Context(file_name, frozenset(known_forms), frozenset(known_topics), timer_min_cycle,
                       None if known_decisions is None else frozenset(known_decisions))
    problems: list[DefinitionProblem] = []
    for element in _executable_elements(processes):
        rule = _BPMN_RULES.get(element.tag)
        if rule:
            problems += rule(element, context)
    return problems


def lint_calls(tree: etree._ElementTree, file_name: str, known_processes: set[str]) -> list[DefinitionProblem]:
    """Call activities of executable processes that name a process deployed nowhere."""
    context = _Context(file_name)
    processes = [p for p in tree.getroot().iterfind("bpmn:process", NS) if p.get("isExecutable") == "true"]
    problems = []
    for call in (e for e in _executable_elements(processes) if e.tag == f"{{{BPMN_NS}}}callActivity"):
        called = (call.get("calledElement") or "").strip()
        if called and called not in known_processes and not expressions.unwrap_juel(called):
            problems.append(context.problem(
                call,
                f"被调用的流程“{called}”未部署：请与调用它的流程一起部署，或先部署它",
                f'The called process "{called}" is not deployed: deploy it with its caller, or first',
            ))
    return problems


def _executable_elements(processes) -> Iterator:
    for process in processes:
        yield from process.iter(etree.Element)


def _user_task(task, context: _Context) -> list[DefinitionProblem]:
    return (_assignment_problems(task, context) + _form_problems(task, context, required=True)
            + _due_date_problems(task, context))


def _start_event(event, context: _Context) -> list[DefinitionProblem]:
    return _form_problems(event, context, required=False)


def _assignment_problems(task, context: _Context) -> list[DefinitionProblem]:
    performers = _children(task, "humanPerformer")
    if len(performers) > 1:
        return [context.problem(
            performers[1],
            "一个用户任务只能有一个 humanPerformer（办理人）",
            "A user task may have only one humanPerformer (its assignee)",
        )]
    if owners(task):
        return []
    # A warning, as in Camunda: the task still runs; the platform offers it to the
    # department, whose staff claim it or assign it, and an administrator may assign it.
    return [context.problem(
        task,
        "用户任务没有候选组或办理人（camunda:candidateGroups、camunda:candidateUsers、camunda:assignee，"
        "或带 formalExpression 的 potentialOwner、humanPerformer），运行时在科技厅人员的待认领中等待，"
        "由其认领或指定办理人",
        "User task has no candidate group, candidate user or assignee (camunda:candidateGroups, "
        "camunda:candidateUsers, camunda:assignee, or a potentialOwner or humanPerformer with a "
        "formalExpression): it waits unassigned in the department staff's claimable tasks, who claim "
        "it or assign it",
        severity=WARNING,
    )]


def _form_problems(element, context: _Context, required: bool) -> list[DefinitionProblem]:
    key = _camunda(element, "formKey")
    form_ref = _camunda(element, "formRef")
    if form_ref or key.lower().startswith(_OTHER_TOOLS_FORMS):
        shown = form_ref or key
        return [context.problem(
            element,
            f"不支持嵌入式 HTML 表单或 Camunda Forms（{shown}）：请填写本系统的表单键（例如 bench/request），"
            f"或用 camunda:formField 声明字段（通用表单）",
            f"Embedded HTML forms and Camunda Forms are not supported ({shown}): use a form key of this "
            f"system (e.g. bench/request), or declare the fields with camunda:formField (generic form)",
        )]
    if not key:
        if not required:
            return []
        # As Camunda's Tasklist does, the step is worked in a generic form.
        return [context.problem(
            element,
            "用户任务没有表单（camunda:formKey）：办理时显示通用表单，字段取自 camunda:formField，没有则取自流程变量",
            "User task has no form (camunda:formKey): it is worked in a generic form, its fields from "
            "camunda:formField, else the process variables",
            severity=WARNING,
        )]
    if key in context.known_forms:
        return []
    if required and generic_form_key(element, context.known_forms):
        # A key naming another tool's form (Camunda deploys any key): the declared fields are
        # the form, as a task without a key has them.
        return [context.problem(
            element,
            f"表单“{key}”不是本系统的表单：办理时按 camunda:formField 显示通用表单",
            f'"{key}" is not a form of this system: the task is worked in a generic form of its camunda:formField',
            severity=WARNING,
        )]
    if not _PLAIN_FORM_KEY.match(key):
        return [context.problem(
            element,
            f"不支持的表单引用：{key}（请填写本系统的表单键，例如 bench/request）",
            f"Unsupported form reference: {key} (use a form key of this system, e.g. bench/request)",
        )]
    return [context.problem(element, f"表单不存在：{key}", f"Form does not exist: {key}")]


def generic_form_key(task, known_forms) -> bool:
    """Whether a user task's form key names no form of this system while its
    `camunda:formField`s declare what it asks: it is then worked in a generic form."""
    key = _camunda(task, "formKey")
    declares_fields = task.find("bpmn:extensionElements/camunda:formData/camunda:formField", NS) is not None
    return bool(key) and key not in known_forms and declares_fields and not key.lower().startswith(_OTHER_TOOLS_FORMS)


def _java_problems(task, context: _Context) -> list[DefinitionProblem]:
    named = [f'camunda:{name}="{_camunda(task, name)}"' for name in _JAVA_ATTRIBUTES if _camunda(task, name)]
    if task.find(".//camunda:connector", NS) is not None:
        named.append("camunda:connector")
    if named:
        shown = _excerpt(named[0])
        return [context.problem(
            task,
            f"不支持 Java 实现（{shown}）：Java 委托类、委托表达式、方法表达式和连接器都无法在本系统运行，"
            f"请改用 camunda:topic（本系统的处理程序或外部任务）",
            f"Java delegates are not supported ({shown}): delegate classes, delegate expressions, method "
            f"expressions and connectors cannot run here; use camunda:topic (a handler of this system or "
            f"an external task)",
        )]
    return []


def _service_task(task, context: _Context) -> list[DefinitionProblem]:
    java = _java_problems(task, context)
    if java:
        return java
    topic = _camunda(task, "topic")
    if not topic:
        # Camunda refuses it too: it needs a class, an expression or a type.
        return [context.problem(
            task,
            "服务任务没有实现：请设置 camunda:topic（本系统的处理程序，或加 camunda:type=\"external\" 由外部工作者处理）",
            'Service task has no implementation: set camunda:topic (a handler of this system, or with '
            'camunda:type="external" an external worker)',
        )]
    external = _camunda(task, "type") == "external"
    priority = _task_priority_problems(task, context) if external else []
    if priority:
        return priority
    if external and topic in context.known_topics:
        # The properties panel sets type="external" with every topic it writes: the task
        # would wait for an outside worker although the system itself implements it.
        return [context.problem(
            task,
            f"主题“{topic}”由本系统处理，但设置了 camunda:type=\"external\"，任务将等待外部工作者；"
            f"请选用该主题的元素模板或去掉实现类型",
            f'Topic "{topic}" is handled by the system, but camunda:type="external" makes the task wait '
            f"for an external worker; use the topic's element template or clear the implementation type",
            severity=WARNING,
        )]
    if external or topic in context.known_topics:
        return []
    return [context.problem(
        task,
        f'没有处理主题“{topic}”的程序；如由外部工作者处理，请设置 camunda:type="external"',
        f'No handler for topic "{topic}"; set camunda:type="external" if an external worker does it',
    )]


def _task_priority_problems(task, context: _Context) -> list[DefinitionProblem]:
    """`camunda:taskPriority` (the task's or its process's) is a whole number or one
    `${…}` expression, evaluated when the task is created (runtime.external_task_priority)."""
    written = task_priority_of(task)
    if written is None:
        return []
    body = expressions.unwrap_juel(written)
    if body is not None:
        return context.code_problems(task, expressions.juel_to_python(body), "eval", "外部任务优先级",
                                     "External task priority", written)
    if PRIORITY_LITERAL.match(written) and PRIORITY_MIN <= int(written) <= PRIORITY_MAX:
        return []
    shown = _excerpt(written)
    return [context.problem(
        task,
        f"外部任务优先级（camunda:taskPriority）“{shown}”应为 {PRIORITY_MIN}…{PRIORITY_MAX} 之间的整数或 ${{…}} 表达式",
        f'External task priority (camunda:taskPriority) "{shown}" must be a whole number in '
        f"{PRIORITY_MIN}…{PRIORITY_MAX} or a ${{…}} expression",
    )]


def _business_rule_task(task, context: _Context) -> list[DefinitionProblem]:
    java = _java_problems(task, context)
    if java:
        return java
    decision = _camunda(task, "decisionRef")
    if decision and (context.known_decisions is None or decision in context.known_decisions):
        return []
    if decision:
        return [context.problem(
            task,
            f"决策“{decision}”未部署：请把它的 DMN 文件与流程一起部署，或先单独部署该 DMN",
            f'Decision "{decision}" is not deployed: deploy its DMN file with the process, or deploy it first',
        )]
    return [context.problem(
        task, "业务规则任务缺少决策引用（camunda:decisionRef）", "Business rule task has no camunda:decisionRef",
    )]


def _script_task(task, context: _Context) -> list[DefinitionProblem]:
    script_format = (task.get("scriptFormat") or "").strip()
    if script_format.lower() not in _SCRIPT_FORMATS:
        return [context.problem(
            task,
            f"不支持的脚本语言：{script_format}（只支持 python）",
            f"Unsupported script language: {script_format} (only python is supported)",
        )]
    if _camunda(task, "resource"):
        return [context.problem(
            task, "不支持外部脚本（camunda:resource），请把脚本写在模型里",
            "External scripts (camunda:resource) are not supported; write the script in the model",
        )]
    script = task.find("bpmn:script", NS)
    if script is None or not (script.text or "").strip():
        return []
    # The engine runs the text exactly as written, so it is checked unchanged.
    return context.code_problems(script, script.text, "exec", "脚本", "Script")


def _condition_expression(condition, context: _Context) -> list[DefinitionProblem]:
    language = (condition.get("language") or "").strip()
    if "feel" in language.lower():
        return [context.problem(
            condition,
            f"条件表达式的语言是 FEEL（{language}）：本系统与 Camunda 7 一样使用 JUEL，请写成 ${{…}}，例如 ${{approved}}",
            f"The condition's language is FEEL ({language}); conditions here are JUEL as in Camunda 7: "
            f"write ${{…}}, e.g. ${{approved}}",
        )]
    if language.lower() not in _CONDITION_LANGUAGES:
        return [context.problem(
            condition,
            f"不支持的条件表达式语言：{language}（只支持 python 或 ${{…}} 表达式）",
            f"Unsupported condition language: {language} (only python or ${{…}} expressions)",
        )]
    if not _text(condition):
        return [context.problem(condition, "条件表达式为空", "Condition expression is empty")]
    return _condition_code_problems(condition, context)


def _condition_code_problems(condition, context: _Context) -> list[DefinitionProblem]:
    declared = condition.getroottree().getroot().get("expressionLanguage") or ""
    if "xpath" in declared.lower() and not expressions.unwrap_juel(condition.text):
        # MIWG models declare XPath for the whole file (bpmn:getDataObject(...)).
        shown = _excerpt(condition.text)
        return [context.problem(
            condition,
            f"条件表达式“{shown}”是 XPath（definitions 的 expressionLanguage）：本系统与 Camunda 7 一样使用 JUEL，"
            f"请写成 ${{…}}，例如 ${{approved}}",
            f'Condition "{shown}" is XPath (the definitions\' expressionLanguage); conditions here are JUEL '
            f"as in Camunda 7: write ${{…}}, e.g. ${{approved}}",
        )]
    if condition.text.strip().startswith("="):
        # Camunda 8 models write FEEL this way; Camunda 7, like this engine, reads JUEL.
        shown = _excerpt(condition.text)
        return [context.problem(
            condition,
            f"条件表达式“{shown}”是 FEEL（Camunda 8 的写法），本系统与 Camunda 7 一样使用 JUEL，"
            f"请写成 ${{…}}，例如 ${{approved}}",
            f'Condition "{shown}" is FEEL (as Camunda 8 writes it); conditions here are JUEL as in '
            f"Camunda 7: write ${{…}}, e.g. ${{approved}}",
        )]
    return context.code_problems(
        condition, condition_to_python(condition.text), "eval", "条件表达式", "Condition", condition.text,
    )


def _other_condition(condition, context: _Context) -> list[DefinitionProblem]:
    # Conditional events and multi-instance completion conditions are evaluated like flows' conditions.
    if not _text(condition):
        return []
    return _condition_code_problems(condition, context)


def _loop_cardinality(cardinality, context: _Context) -> list[DefinitionProblem]:
    if not _text(cardinality):
        return []
    literal = cardinality.text.strip()
    refusal = too_many(int(literal)) if literal.isascii() and literal.isdigit() else None
    if refusal:
        return [context.problem(cardinality, *refusal)]
    expression = variable_reference(cardinality.text)
    return context.code_problems(
        cardinality, expression, "eval", "多实例数量表达式", "Loop cardinality", cardinality.text,
    )


def _timer(definition, context: _Context) -> list[DefinitionProblem]:
    given = [child for kind in _TIMER_KINDS for child in _children(definition, kind) if _text(child)]
    if not given:
        return [context.problem(
            definition,
            "定时器缺少时间表达式（timeDate、timeDuration 或 timeCycle）",
            "Timer has no time expression (timeDate, timeDuration or timeCycle)",
        )]
    if len(given) > 1:
        return [context.problem(
            definition,
            "定时器只能有一个时间表达式（timeDate、timeDuration 或 timeCycle 之一）",
            "A timer must have exactly one of timeDate, timeDuration or timeCycle",
        )]
    timer = given[0]
    if CRON.match(timer.text) and etree.QName(timer).localname != "timeCycle":
        # As in Camunda: a cron expression says when a cycle repeats, never a date or duration.
        return [context.problem(
            timer,
            f"cron 表达式“{_text(timer)}”只能用于循环定时（timeCycle）；日期或时长请使用 ISO 8601（例如 P30D）",
            f'The cron expression "{_text(timer)}" only fits a timer cycle (timeCycle); write dates and '
            f"durations in ISO 8601 such as P30D",
        )]
    if uses_workdays(timer.text):
        return _workdays_problems(definition.getparent(), etree.QName(timer).localname, timer.text, context,
                                  timer.sourceline)
    return _timer_literal_problems(definition, timer, context) or context.code_problems(
        timer, timer_to_python(timer.text), "eval", "定时器表达式", "Timer expression", timer.text,
    )


def _workdays_problems(element, kind: str, text: str, context: _Context,
                       line: int | None = None) -> list[DefinitionProblem]:
    try:
        check_workdays(kind, text)
    except TimerRefused as refused:
        return [context.problem(element, refused.message_zh, refused.message_en, line=line)]
    return []


def _due_date_problems(task, context: _Context) -> list[DefinitionProblem]:
    """A due date in working days is checked as a timer's is; others as before, when the
    task starts."""
    due = _camunda(task, "dueDate")
    return _workdays_problems(task, "dueDate", due, context) if uses_workdays(due) else []


def _timer_literal_problems(definition, timer, context: _Context) -> list[DefinitionProblem]:
    """A literal is computed now, as the engine will: refused if it would spin or cannot be
    represented. Expressions (`${…}`) are checked when the timer is armed."""
    literal = _string_literal(timer_to_python(timer.text))
    if literal is None:
        return []
    try:
        check_literal(etree.QName(timer).localname, literal, context.timer_min_cycle)
    except TimerRefused as refused:
        event = definition.getparent()
        return [context.problem(event, refused.message_zh, refused.message_en, line=timer.sourceline)]
    return []


def _string_literal(expression: str) -> str | None:
    try:
        value = ast.literal_eval(expression)
    except (*_UNPARSABLE, TypeError):
        return None
    return value if isinstance(value, str) else None


def _receive_task(task, context: _Context) -> list[DefinitionProblem]:
    if task.get("messageRef") or _children(task, "messageEventDefinition"):
        return []
    # Camunda triggers such a wait from Java (runtimeService.signal); nothing here could.
    return [context.problem(
        task, "接收任务（receiveTask）没有消息（messageRef）：没有任何办法让它继续",
        "Receive task (receiveTask) has no message (messageRef): nothing could ever make it go on",
    )]


def _subprocess(subprocess, context: _Context) -> list[DefinitionProblem]:
    if not lacks_start_event(subprocess):
        return []
    # Camunda 7 deploys it and fails when it is reached; it runs here as BPMN says
    # (app/engine/implicit_starts.py), and the analyst is told how.
    return [context.problem(
        subprocess,
        "子流程没有开始事件：按 BPMN 2.0，进入子流程时所有没有入口顺序流的节点同时开始；"
        "内部未建模（空）的子流程直接完成",
        "Subprocess has no start event: as BPMN 2.0 says, every node without an incoming "
        "sequence flow starts with it; one whose inside is not modelled (empty) completes at once",
        severity=WARNING,
    )]


def _refuse(message_zh: str, message_en: str) -> Callable:
    def rule(element, context: _Context) -> list[DefinitionProblem]:
        return [context.problem(element, message_zh, message_en)]

    return rule


_BPMN_RULES: dict[str, Callable] = {
    f"{{{BPMN_NS}}}{local}": rule
    for local, rule in {
        "userTask": _user_task,
        "startEvent": _start_event,
        "serviceTask": _service_task,
        "sendTask": _service_task,
        "businessRuleTask": _business_rule_task,
        "scriptTask": _script_task,
        "receiveTask": _receive_task,
        "subProcess": _subprocess,
        "transaction": _subprocess,
        "conditionExpression": _condition_expression,
        "condition": _other_condition,
        "completionCondition": _other_condition,
        "loopCardinality": _loop_cardinality,
        "timerEventDefinition": _timer,
        "dataStoreReference": _refuse("不支持数据存储（dataStoreReference）", "Data stores are not supported"),
        "complexGateway": _refuse("不支持复杂网关", "Complex gateways are not supported"),
        "compensateEventDefinition": _refuse("不支持补偿事件", "Compensation events are not supported"),
        "linkEventDefinition": _refuse("不支持链接事件", "Link events are not supported"),
    }.items()
}


# ----------------------------------------------------------------------------------- DMN


def lint_dmn(tree: etree._ElementTree, file_name: str) -> list[DefinitionProblem]:
    """Problems that keep a decision table from running on SpiffWorkflow's DMN engine."""
    root = tree.getroot()
    namespace = etree.QName(root).namespace or ""
    decisions = root.findall(f"{{{namespace}}}decision")
    problems = _decision_count_problems(root, decisions, file_name)
    for decision in decisions:
        problems += _decision_problems(decision, namespace, file_name)
    return problems


def _decision_count_problems(root, decisions: list, file_name: str) -> list[DefinitionProblem]:
    if len(decisions) == 1:
        return []
    return [DefinitionProblem(
        file_name,
        f"每个 DMN 文件必须恰好包含一个决策（找到 {len(decisions)} 个），请拆分为多个文件",
        f"A DMN file must contain exactly one decision (found {len(decisions)}); split it into several files",
        line=root.sourceline,
        element_id=root.get("id"),
    )]


def _decision_problems(decision, namespace: str, file_name: str) -> list[DefinitionProblem]:
    context = _Context(file_name)
    table = decision.find(f"{{{namespace}}}decisionTable")
    if table is None:
        return [context.problem(
            decision, "决策必须是决策表（不支持文字表达式等其他形式）",
            "A decision must be a decision table (literal expressions and other forms are not supported)",
        )]
    return _hit_policy_problems(table, context) + _table_expression_problems(table, namespace, context)


def _hit_policy_problems(table, context: _Context) -> list[DefinitionProblem]:
    policy = (table.get("hitPolicy") or "UNIQUE").strip().upper()
    aggregation = (table.get("aggregation") or "").strip()
    if policy in _SUPPORTED_HIT_POLICIES and not aggregation:
        return []
    shown = f"{policy} {aggregation}".strip()
    return [context.problem(
        table,
        f"不支持的命中策略：{shown}（只支持 UNIQUE、FIRST、不带汇总的 COLLECT）",
        f"Unsupported hit policy: {shown} (only UNIQUE, FIRST and COLLECT without aggregation)",
    )]


def _table_expression_problems(table, namespace: str, context: _Context) -> list[DefinitionProblem]:
    # Texts are checked exactly as SpiffWorkflow evaluates them: unstripped, since the
    # sandbox refuses an indented expression at run time too.
    def text_of(element, path: str):
        return element.find(path.replace("dmn:", f"{{{namespace}}}"))

    problems: list[DefinitionProblem] = []
    inputs = []
    clauses = table.findall(f"{{{namespace}}}input")
    for clause in clauses:
        expression, clause_problems = _input_expression(clause, text_of(clause, "dmn:inputExpression/dmn:text"), context)
        # A refused input expression is reported once, not again in every entry built on it.
        inputs.append(None if clause_problems else expression)
        problems += clause_problems
    decision_id = table.getparent().get("id") or ""
    for row, rule in enumerate(table.findall(f"{{{namespace}}}rule"), start=1):
        for column, entry in enumerate(rule.findall(f"{{{namespace}}}inputEntry")):
            input_expression = inputs[column] if column < len(inputs) else None
            place = _EntryPlace(decision_id, row, column + 1, _column_name(clauses, column))
            problems += _input_entry_problems(entry, text_of(entry, "dmn:text"), input_expression, place, context)
        for entry in rule.findall(f"{{{namespace}}}outputEntry"):
            problems += _output_entry_problems(text_of(entry, "dmn:text"), row, context)
    return problems


@dataclass(frozen=True)
class _EntryPlace:
    """Where an input entry sits, as an analyst finds it in the editor."""

    decision_id: str
    row: int
    column: int
    column_name: str

    @property
    def zh(self) -> str:
        return f"决策 {self.decision_id} 第 {self.row} 条规则第 {self.column} 列（{self.column_name}）的输入条件"

    @property
    def en(self) -> str:
        return f"Input entry of decision {self.decision_id}, rule {self.row}, column {self.column} ({self.column_name})"


def _column_name(clauses: list, column: int) -> str:
    """The column's label, else its input expression, else its id."""
    if column >= len(clauses):
        return "?"
    clause = clauses[column]
    text = clause.find("{*}inputExpression/{*}text")
    expression = _excerpt(text.text or "", 30) if text is not None else ""
    return (clause.get("label") or "").strip() or expression or clause.get("id") or "?"


def _input_expression(clause, text, context: _Context) -> tuple[str | None, list[DefinitionProblem]]:
    expression = text.text if text is not None else None
    if expression is not None:
        return expression, _cell_problems(text, expression, "输入表达式", "Input expression", context)
    if (clause.get("label") or "").strip():
        # SpiffWorkflow then reads the variable named by the label; nothing to check here.
        return None, []
    return None, [context.problem(clause, "输入表达式为空", "Input expression is empty")]


def dmn_entry_expression(input_expression: str | None, entry: str | None) -> str | None:
    """The Python expression SpiffWorkflow evaluates for an input entry (None: matches anything).

    Mirrors `DMNEngine.evaluate`: `?` stands for the input value; an entry that parses on
    its own is compared with `==`; otherwise (`> 1000`) it is appended to the input.
    """
    if entry is None or entry == "-":
        return None
    with_input = _with_input_name(entry)
    if _DMN_INPUT_NAME in with_input:
        return with_input
    subject = input_expression or "value"
    try:
        ast.parse(entry)
    except _UNPARSABLE:
        return subject + entry
    return f"({subject}) == ({entry})"


def _with_input_name(entry: str) -> str:
    """Spiff's `?` substitution, in linear time (its regex is quadratic on long cells).

    Spiff's lookahead accepts a `?` when the rest of the text splits into plain characters
    and quoted runs, i.e. when an even number of quote characters follows it.
    """
    parts: list[str] = []
    quotes_after = 0
    for char in reversed(entry):
        parts.append(_DMN_INPUT_NAME if char == "?" and quotes_after % 2 == 0 else char)
        quotes_after += char in "'\""
    return "".join(reversed(parts))


def _input_entry_problems(entry, text, input_expression, place: _EntryPlace,
                          context: _Context) -> list[DefinitionProblem]:
    raw = text.text if text is not None else None
    if raw is not None and not raw.strip():
        return [context.problem(
            entry, f"{place.zh}只有空白，永远不会匹配；表示“任意”请留空或写 -",
            f"{place.en} is only whitespace and never matches; leave it empty or write - for any value",
        )]
    python = unary_tests_to_python(raw)
    if python is None and raw is not None and _beyond_feel(raw, input_expression):
        return [context.problem(
            entry,
            f"{place.zh}“{_excerpt(raw)}”：不支持的 FEEL 表达式。输入条件可写 FEEL 简单一元测试"
            f"（{_FEEL_SUBSET}）或 Python 表达式（? 代表该列输入值）",
            f'{place.en} "{_excerpt(raw)}": unsupported FEEL expression. Input entries take FEEL '
            f"simple unary tests ({_FEEL_SUBSET_EN}) or a Python expression (? stands for the input value)",
        )]
    expression = dmn_entry_expression(input_expression, raw if python is None else python)
    if expression is None:
        return []
    return _cell_problems(text, expression, place.zh, place.en, context)


def _beyond_feel(entry: str, input_expression: str | None) -> bool:
    """Whether a cell outside the FEEL subset is FEEL rather than a Python cell: no Python
    reading parses it, or it is written as only FEEL writes it (not(…), a list of tests, a
    date or duration literal). A cell using `?` is Python."""
    if _parsed_expression(dmn_entry_expression(input_expression, entry) or "") is None:
        return True
    if _DMN_INPUT_NAME in _with_input_name(entry):
        return False
    if _FEEL_ONLY.search(_QUOTED.sub('""', entry)):
        return True
    parsed = _parsed_expression(entry)
    return parsed is not None and isinstance(parsed.body, ast.Tuple)


def _output_entry_problems(text, row: int, context: _Context) -> list[DefinitionProblem]:
    expression = text.text if text is not None else None
    if expression is None:
        return []
    return _cell_problems(text, expression, f"第 {row} 条规则的输出", f"Output entry of rule {row}", context)


def _cell_problems(text, expression: str, what_zh: str, what_en: str, context: _Context) -> list[DefinitionProblem]:
    problems = context.code_problems(text, expression, "eval", what_zh, what_en, text.text)
    if problems:
        return problems
    feel = _feel_literal(expression)
    if feel:
        return [context.problem(
            text,
            f"{what_zh}使用了 FEEL 写法 {feel}；决策表单元格是 Python 表达式，请写 {_FEEL_LITERALS[feel]}",
            f"{what_en} uses the FEEL literal {feel}; cells are Python expressions, write {_FEEL_LITERALS[feel]}",
        )]
    return []


def _feel_literal(expression: str) -> str | None:
    parsed = _parsed_expression(expression)
    names = (node.id for node in ast.walk(parsed) if isinstance(node, ast.Name)) if parsed else ()
    return next((name for name in names if name in _FEEL_LITERALS), None)


def _parsed_expression(expression: str) -> ast.Expression | None:
    try:
        return ast.parse(expression.strip(), mode="eval")
    except _UNPARSABLE:
        return None
