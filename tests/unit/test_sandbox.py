import time

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from app.engine.errors import ScriptRefused
from app.engine.sandbox import RestrictedEnvironment, check_code


@pytest.fixture
def env():
    return RestrictedEnvironment()


# Deploy-time check

@pytest.mark.parametrize("source", ["import os", "x = 1\nfrom os import path"])
def test_import_statement_is_refused_at_deploy_check(source):
    with pytest.raises(ScriptRefused) as refused:
        check_code(source, "exec")
    assert "import" in refused.value.message_zh
    assert refused.value.message_en == "import statements are not allowed in scripts"
    assert refused.value.line == source.count("\n") + 1


@pytest.mark.parametrize("source", [
    "__import__('os')",
    "().__class__.__base__.__subclasses__()",
    "[].__class__",
    "x._private",
    "getattr(x, '__class__')",
    "open('/etc/passwd')",
    "type(x)",
    "eval('1')",
    "'{0.__class__}'.format(1)",
    "lambda: 1",
    "(yield)",
])
def test_escape_attempts_in_expressions_are_refused_at_deploy_check(source):
    with pytest.raises(ScriptRefused):
        check_code(source, "eval")


@pytest.mark.parametrize("source", [
    "while True:\n    pass",
    "def f():\n    pass",
    "class A:\n    pass",
    "try:\n    x = 1\nexcept Exception:\n    pass",
    "with x:\n    pass",
    "raise ValueError()",
    "global x",
    "async def f():\n    pass",
    "d['a'] += 1",
    "match x:\n    case 1:\n        y = 2",
])
def test_statements_outside_the_script_language_are_refused_at_deploy_check(source):
    with pytest.raises(ScriptRefused):
        check_code(source, "exec")


def test_refusal_reports_the_first_offending_line():
    with pytest.raises(ScriptRefused) as refused:
        check_code("a = 1\nb = a.__class__\nimport os", "exec")
    assert refused.value.line == 2
    assert "__class__" in refused.value.message_en


def test_expression_refusal_says_expression_in_both_languages():
    with pytest.raises(ScriptRefused) as refused:
        check_code("__import__('os')", "eval")
    assert refused.value.message_zh.startswith("表达式中不允许")
    assert "expressions" in refused.value.message_en


def test_syntax_error_becomes_script_refused_with_line():
    with pytest.raises(ScriptRefused) as refused:
        check_code("a = 1\nb = (", "exec")
    assert not isinstance(refused.value, SyntaxError)
    assert refused.value.line == 2
    assert "语法错误" in refused.value.message_zh


def test_null_byte_in_source_becomes_script_refused():
    with pytest.raises(ScriptRefused):
        check_code("a\0", "eval")


@pytest.mark.parametrize("depth", [400, 100_000])
def test_absurdly_nested_expression_is_refused_not_crashing(depth):
    with pytest.raises(ScriptRefused):
        check_code("-" * depth + "1", "eval")


def test_legal_code_passes_deploy_check():
    check_code("sum(x['score'] for x in reviews) / len(reviews)", "eval")
    check_code("total = 0\nfor item in items:\n    total = total + item['price']", "exec")


# Expressions at run time

def test_gateway_condition_reads_task_data(env):
    assert env.evaluate("amount > 100", {"amount": 150}) is True
    assert env.evaluate("amount > 100", {"amount": 50}) is False


def test_evaluate_does_not_change_task_data(env):
    data = {"amount": 1}
    env.evaluate("amount + 1", data)
    assert data == {"amount": 1}


def test_comprehension_over_task_data_works(env):
    reviews = [{"score": 3}, {"score": 5}]
    assert env.evaluate("sum(x['score'] for x in reviews) / len(reviews)", {"reviews": reviews}) == 4
    assert env.evaluate("[r['score'] for r in reviews if r['score'] > 4]", {"reviews": reviews}) == [5]


def test_whitelisted_builtins_behave_like_python(env):
    data = {"a": [3, 1, 2], "d": {"k": 1}}
    assert env.evaluate("sorted(a, reverse=True)", data) == [3, 2, 1]
    assert env.evaluate("max(a), min(1, 2), max(*a)", data) == (3, 1, 3)
    assert env.evaluate("list(zip(a, range(3)))", data) == [(3, 0), (1, 1), (2, 2)]
    assert env.evaluate("dict(d), isinstance(a, list)", data) == ({"k": 1}, True)
    assert env.evaluate("list(enumerate(a, 1))", {"a": "xy"}) == [(1, "x"), (2, "y")]


def test_dict_methods_are_available(env):
    assert env.evaluate("d.get('missing', 0) + d.get('a')", {"d": {"a": 2}}) == 2


def test_helpers_are_callable_from_expressions():
    env = RestrictedEnvironment(helpers={"double": lambda n: n * 2})
    assert env.evaluate("double(amount)", {"amount": 4}) == 8


def test_external_context_is_visible_to_expressions(env):
    assert env.evaluate("dmninputexpr == 3", {}, external_context={"dmninputexpr": 3}) is True


def test_task_data_cannot_replace_the_guards(env):
    forged = {"d": {"a": 1}, "_getattr_": lambda obj, name: (lambda *args: "forged")}
    assert env.evaluate("d.get('a')", forged) == 1


def test_subclasses_escape_is_refused_at_run_time(env):
    with pytest.raises(ScriptRefused):
        env.evaluate("().__class__.__base__.__subclasses__()", {})
    with pytest.raises(ScriptRefused):
        env.execute("pid = __import__('os').getpid()", {})


def test_str_format_attribute_escape_is_refused_at_run_time(env):
    with pytest.raises(ScriptRefused, match="f-string"):
        env.evaluate("template.format(1)", {"template": "{0.__class__}"})


def test_generator_frame_is_unreachable(env):
    with pytest.raises(ScriptRefused):
        env.evaluate("(x for x in a).gi_frame", {"a": [1]})


def test_runtime_errors_propagate_unchanged(env):
    with pytest.raises(ZeroDivisionError):
        env.evaluate("1 / zero", {"zero": 0})
    with pytest.raises(NameError):
        env.evaluate("undefined_name", {})
    with pytest.raises(TypeError):
        env.execute("x = 'a' + 1", {})


# Scripts at run time

def test_script_assignments_update_task_data(env):
    data = {"a": 1, "b": 2}
    assert env.execute("total = a + b", data) is True
    assert data == {"a": 1, "b": 2, "total": 3}


def test_script_can_write_into_lists_and_dicts_in_task_data(env):
    data = {"items": [], "totals": {}}
    env.execute("items.append(1)\ntotals['n'] = 2\nfirst, second = 1, 2", data)
    assert data == {"items": [1], "totals": {"n": 2}, "first": 1, "second": 2}


def test_script_loops_and_augmented_assignment_work(env):
    data = {"prices": [1, 2, 3]}
    env.execute("total = 0\nfor price in prices:\n    total += price", data)
    assert data["total"] == 6


def test_script_leaves_no_helpers_guards_or_callables_in_task_data():
    env = RestrictedEnvironment(helpers={"double": lambda n: n * 2})
    data = {"a": 2}
    env.execute("b = double(a)\nf = len", data, external_context={"rate": 3})
    assert data == {"a": 2, "b": 4}


def test_script_cleans_task_data_even_when_it_fails(env):
    data = {"a": 1}
    with pytest.raises(ZeroDivisionError):
        env.execute("b = 2\nc = a / 0", data)
    assert data == {"a": 1, "b": 2}


def test_task_data_named_like_a_helper_is_refused():
    env = RestrictedEnvironment(helpers={"double": lambda n: n * 2})
    with pytest.raises(ValueError, match="double"):
        env.execute("x = 1", {"double": 3})


# Time limit (bounds on this process's CPU time: a busy machine does not stretch them)

def test_loop_past_time_limit_is_stopped():
    env = RestrictedEnvironment(time_limit_s=0.05)
    started = time.process_time()
    with pytest.raises(ScriptRefused) as refused:
        env.evaluate("sum(i for i in range(10**9))", {})
    assert time.process_time() - started < 1
    assert "0.05" in refused.value.message_en


@pytest.mark.parametrize("source", ["sum(range(10**9))", "max(range(10**9))",
                                    "sorted(range(10**9))", "any(x < 0 for x in range(10**9))"])
def test_builtins_that_iterate_in_c_respect_the_time_limit(source):
    env = RestrictedEnvironment(time_limit_s=0.05)
    with pytest.raises(ScriptRefused):
        env.evaluate(source, {})


def test_for_loop_in_script_past_time_limit_is_stopped():
    env = RestrictedEnvironment(time_limit_s=0.05)
    with pytest.raises(ScriptRefused):
        env.execute("n = 0\nfor i in range(10**9):\n    n = n + 1", {})


# Inside a real SpiffWorkflow process

def _process(body: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="p" isExecutable="true">{body}</bpmn:process>
</bpmn:definitions>""".encode()


def _workflow(body: str, data: dict | None = None) -> BpmnWorkflow:
    parser = CamundaParser()
    parser.add_bpmn_str(_process(body))
    engine = PythonScriptEngine(environment=RestrictedEnvironment())
    workflow = BpmnWorkflow(parser.get_spec("p"), script_engine=engine)
    workflow.data.update(data or {})
    start = workflow.get_tasks(spec_name="start")[0]
    start.data.update(data or {})
    return workflow


_GATEWAY = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="f2">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="gw" targetRef="e1">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="e2"/>
    <bpmn:endEvent id="e1"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
"""

_SCRIPT = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="s"/>
    <bpmn:scriptTask id="s" scriptFormat="python">
      <bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
"""


def _completed_ends(workflow: BpmnWorkflow) -> set[str]:
    return {t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED)} & {"e1", "e2"}


def test_real_gateway_routes_by_a_legal_condition():
    workflow = _workflow(_GATEWAY.format(condition="amount &gt; 100"), {"amount": 150})
    workflow.do_engine_steps()
    assert workflow.completed
    assert _completed_ends(workflow) == {"e1"}


def test_real_gateway_does_not_route_by_an_import_escape():
    workflow = _workflow(_GATEWAY.format(condition="__import__('os').getpid() &gt; 0"))
    with pytest.raises(WorkflowTaskException, match="Error evaluating expression") as failure:
        workflow.do_engine_steps()
    assert failure.value.error_type == "ScriptRefused"
    assert failure.value.task.task_spec.name == "gw"
    assert not workflow.completed
    assert _completed_ends(workflow) == set()


def test_real_script_task_updates_task_data():
    workflow = _workflow(_SCRIPT.format(script="total = a + b"), {"a": 2, "b": 3})
    workflow.do_engine_steps()
    assert workflow.completed
    assert workflow.last_task.data["total"] == 5


def test_real_script_task_failure_reports_the_line():
    workflow = _workflow(_SCRIPT.format(script="a = 1\nb = a / 0"))
    with pytest.raises(WorkflowTaskException) as failure:
        workflow.do_engine_steps()
    assert failure.value.error_type == "ZeroDivisionError"
    assert failure.value.line_number == 2


# Size and time limits of every expression and script, not only loops

ISSUE_EXAMPLES = ["x = (10 ** 10 ** 7) > 0", "n = len('a' * 100000000)"]


@pytest.mark.parametrize("source", ISSUE_EXAMPLES)
def test_the_issues_huge_literals_are_refused_at_deploy_check_quickly(source):
    started = time.process_time()
    with pytest.raises(ScriptRefused) as refused:
        check_code(source, "exec")
    assert time.process_time() - started < 1
    assert refused.value.line == 1
    assert refused.value.message_zh.startswith("计算结果过大")


GROWTH = [
    ("(base ** exponent) > 0", {"base": 10, "exponent": 10 ** 7}),
    ("pow(base, exponent) > 0", {"base": 10, "exponent": 10 ** 7}),
    ("one << count", {"one": 1, "count": 10 ** 8}),
    ("big * big * big", {"big": 2 ** 9000}),
    ("len(letter * count)", {"letter": "a", "count": 10 ** 8}),
    ("len(count * items)", {"items": [0], "count": 10 ** 8}),
    ("len(letter.ljust(count))", {"letter": "a", "count": 10 ** 9}),
    ("len(letter.center(count))", {"letter": "a", "count": 10 ** 9}),
    ("len(letter.zfill(count))", {"letter": "1", "count": 10 ** 9}),
    ("len(tab.expandtabs(count))", {"tab": "\t", "count": 10 ** 9}),
    ("len(word.replace('', block))", {"word": "x" * 1000, "block": "y" * 10 ** 6}),
    ("len(','.join(blocks))", {"blocks": ["y" * 10 ** 6] * 1000}),
    ("len(f'{letter:>{count}}')", {"letter": "a", "count": 10 ** 9}),
    ("len(f'{half:.{count}f}')", {"half": 0.5, "count": 10 ** 9}),
    ("len('%100000000d' % 1)", {}),
    ("len(list(range(count)))", {"count": 10 ** 9}),
    ("len(dict.fromkeys(range(count)))", {"count": 10 ** 9}),
    ("len(one.to_bytes(count, 'big'))", {"one": 1, "count": 10 ** 9}),
    ("len(str(rows))", {"rows": [[["x" * 1000] * 1000] * 1000]}),
    ("rows == copy", {"rows": [[[0] * 1000] * 1000] * 1000, "copy": [[[0] * 1000] * 1000] * 1000}),
    ("sorted([rows, copy])", {"rows": [[[0] * 1000] * 1000] * 1000, "copy": [[[0] * 1000] * 1000] * 1000}),
]


@pytest.mark.parametrize(("source", "data"), GROWTH, ids=[source for source, _ in GROWTH])
def test_growth_past_the_limits_is_refused_at_run_time_quickly(env, source, data):
    started = time.process_time()
    with pytest.raises(ScriptRefused) as refused:
        env.evaluate(source, data)
    assert time.process_time() - started < 1
    assert refused.value.message_zh.startswith("计算结果过大")


@pytest.mark.parametrize("script", [
    "s = 'ab'\nfor i in range(40):\n    s = s + s",
    "s = 'ab'\nfor i in range(40):\n    s += s",
    "a = [0]\nfor i in range(40):\n    a.extend(a)",
    "a = [0]\nfor i in range(40):\n    a = [*a, *a]",
    "a = [0]\nfor i in range(40):\n    a *= 2",
    "t = (0,)\nfor i in range(60):\n    t = (t, t)\nh = {t: 1}",
    "z = [(0, 0)]\nfor i in range(60):\n    z = list(zip(z, z))\nh = {z[0]}",
    "a = []\nfor i in range(60):\n    a = [a, a]\ns = f'{a}'",
    "a = []\nfor i in range(60):\n    a = [a, a]",
    "x = 'ab' * 400000\nkept = []\nfor i in range(1000):\n    kept.append(x.upper())",
], ids=["concatenation", "augmented", "extend", "unpacking", "repetition", "shared-tuple-hashed",
        "zipped-tuples-hashed", "shared-list-shown", "shared-list-stored", "copies-kept"])
def test_growth_by_repetition_in_scripts_is_refused_quickly(env, script):
    started = time.process_time()
    with pytest.raises(ScriptRefused):
        env.execute(script, {})
    assert time.process_time() - started < 2


@pytest.mark.parametrize("script", ["a = [0]\na[:0] = a", "a = [0]\na[:0], b = a, 1",
                                    "a = [0]\nfor a[:0] in [a]:\n    pass"])
def test_slice_assignment_is_refused_at_deploy_check(script):
    with pytest.raises(ScriptRefused) as refused:
        check_code(script, "exec")
    assert refused.value.line == 2 and "slices" in refused.value.message_en


def test_the_time_limit_covers_every_operation_not_only_loops():
    env = RestrictedEnvironment(time_limit_s=0)
    with pytest.raises(ScriptRefused, match="time limit"):
        env.evaluate("items * 2", {"items": [1]})


def test_ordinary_arithmetic_text_and_collections_still_work(env):
    data = {"amount": 1234.5, "code": "TIC", "n": 7, "names": ["甲", "乙"], "items": [3, 1, 2],
            "rows": [[1, 2], [3]], "d": {"a": 1}}
    assert env.evaluate("2 ** 64 + amount * 2 - 10 // 3 % 2", data) == 2 ** 64 + 2469.0 - 1
    assert env.evaluate("'%s-%03d' % (code, n)", data) == "TIC-007"
    assert env.evaluate("f'{amount:,.2f} {code!r} {n:>4}'", data) == "1,234.50 'TIC'    7"
    assert env.evaluate("'、'.join(names) + code * 2 + code.ljust(5, '*')", data) == "甲、乙TICTICTIC**"
    assert env.evaluate("[0] * 3 + list(range(2)) + sorted(items) + sum(rows, [])", data) == [
        0, 0, 0, 0, 1, 1, 2, 3, 1, 2, 3]
    assert env.evaluate("(n, code) in [(7, 'TIC')] and isinstance(names, (list, tuple))", data)
    assert env.evaluate("dict(d, b=2), set(items), tuple(items), str(items), max(items), min(3, 4)",
                        data) == ({"a": 1, "b": 2}, {1, 2, 3}, (3, 1, 2), "[3, 1, 2]", 3, 3)
    assert env.evaluate("dict.fromkeys(names, 0), str.join('-', names), pow(2, 10, 1000)",
                        data) == ({"甲": 0, "乙": 0}, "甲-乙", 24)
    assert env.evaluate("list(enumerate(names)), list(zip(names, items))", data) == (
        [(0, "甲"), (1, "乙")], [("甲", 3), ("乙", 1)])


def test_scripts_build_and_keep_ordinary_data(env):
    data = {"reviews": [{"score": 4}, {"score": 5}]}
    env.execute("scores = [r['score'] for r in reviews]\nscores.sort()\n"
                "summary = {**reviews[0], 'n': len(scores)}\nlabel = f'{sum(scores) / len(scores):.1f}'",
                data)
    assert data["scores"] == [4, 5] and data["summary"] == {"score": 4, "n": 2} and data["label"] == "4.5"
