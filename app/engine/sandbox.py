"""The restricted evaluator behind every expression and script SpiffWorkflow runs.

Gateway conditions, script tasks, timer expressions, DMN cells, multi-instance
cardinalities and message payloads all reach `RestrictedEnvironment`. Code is
checked once (`check_code`, also used at deploy), compiled with RestrictedPython
and cached; it then runs with a small whitelist of builtins and guards.

Loops can only be written as `for` or comprehensions. Every iteration, operator,
f-string, comparison and builtin that can build or walk at length goes through the
guards of `guards.py`: sizes are bounded before the work is done (bulk work inside C,
such as `10 ** 10 ** 7` or `'a' * 10**8`, cannot be interrupted once started) and
the wall-clock deadline is checked throughout, so a runaway evaluation stops in any
thread without signals. Literal operations are computed at deploy, under the same
guards, so `10 ** 10 ** 7` is refused before it is ever run.
"""
from __future__ import annotations

import ast
import re
import warnings
from functools import lru_cache
from types import CodeType

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from app.engine import guard_transform, guarded_builtins, guards
from app.engine.errors import ScriptRefused

MODES = ("eval", "exec")

# Spiff finds the failing line of a script by looking for this file name in the traceback.
_FILENAME = "<string>"
_CACHE_SIZE = 4096

_FORBIDDEN_NAMES = frozenset({
    "open", "exec", "eval", "compile", "globals", "locals", "vars", "getattr", "setattr",
    "delattr", "input", "breakpoint", "help", "memoryview", "type", "super", "object",
    "classmethod", "staticmethod", "property", "print",
})

_FORBIDDEN_NODES: dict[type, tuple[str, str]] = {
    ast.Import: ("import 语句", "import statements"),
    ast.ImportFrom: ("import 语句", "import statements"),
    ast.While: ("while 循环（请用 for 遍历数据）", "while loops (iterate with for)"),
    ast.FunctionDef: ("函数定义（def）", "function definitions (def)"),
    ast.AsyncFunctionDef: ("函数定义（async def）", "function definitions (async def)"),
    ast.Lambda: ("lambda 表达式", "lambda expressions"),
    ast.ClassDef: ("类定义（class）", "class definitions"),
    ast.AsyncFor: ("异步语法（async for）", "async for loops"),
    ast.AsyncWith: ("异步语法（async with）", "async with statements"),
    ast.Await: ("异步语法（await）", "await expressions"),
    ast.Yield: ("yield", "yield expressions"),
    ast.YieldFrom: ("yield from", "yield from expressions"),
    ast.Global: ("global 声明", "global declarations"),
    ast.Nonlocal: ("nonlocal 声明", "nonlocal declarations"),
    ast.Try: ("try 语句", "try statements"),
    ast.TryStar: ("try 语句", "try statements"),
    ast.With: ("with 语句", "with statements"),
    ast.Raise: ("raise 语句", "raise statements"),
}

_FORMAT_METHODS = frozenset({"format", "format_map"})

_WHERE = {"eval": ("表达式", "expressions"), "exec": ("脚本", "scripts")}

_RESTRICTED_LINE = re.compile(r"^Line (\d+):")


def check_code(source: str, mode: str) -> None:
    """Raise ScriptRefused unless `source` is allowed as an expression ('eval') or script ('exec')."""
    _compiled(source, mode)


@lru_cache(maxsize=_CACHE_SIZE)
def _compiled(source: str, mode: str) -> CodeType:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    try:
        tree = _parse(source, mode)
        _refuse_forbidden(tree, mode)
        return _restricted_compile(tree, mode)
    except (RecursionError, MemoryError):
        # Python's parser and RestrictedPython's visitor recurse per nesting level.
        zh, en = _WHERE[mode]
        raise ScriptRefused(f"{zh}嵌套层数过深", f"{en} nested too deeply are not allowed") from None


def _parse(source: str, mode: str) -> ast.AST:
    try:
        with warnings.catch_warnings():
            # Warnings (invalid escapes...) must not turn into refusals depending on the -W flags.
            warnings.simplefilter("ignore")
            return ast.parse(source, _FILENAME, mode)
    except (SyntaxError, ValueError) as err:
        # A SyntaxError must not escape: Spiff crashes formatting one whose lineno is None.
        line = getattr(err, "lineno", None)
        detail = getattr(err, "msg", None) or str(err)
        zh, _ = _WHERE[mode]
        raise ScriptRefused(f"{zh}语法错误：{detail}", f"syntax error: {detail}", line) from None


def _refuse_forbidden(tree: ast.AST, mode: str) -> None:
    folded: dict = {}
    problems = [p for node in ast.walk(tree) if (p := _problem(node, mode) or _too_large(node, folded))]
    if problems:
        line, message_zh, message_en = min(problems)
        raise ScriptRefused(message_zh, message_en, line)


def _problem(node: ast.AST, mode: str) -> tuple[int, str, str] | None:
    zh, en = _WHERE[mode]
    line = getattr(node, "lineno", 0)
    if type(node) in _FORBIDDEN_NODES:
        what_zh, what_en = _FORBIDDEN_NODES[type(node)]
        space = " " if what_zh[0].isascii() else ""
        return line, f"{zh}中不允许使用{space}{what_zh}", f"{what_en} are not allowed in {en}"
    if isinstance(node, ast.Name):
        return _name_problem(node.id, line, zh, en)
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        return (line, f"{zh}中不允许访问以下划线开头的属性：.{node.attr}",
                f"attributes starting with an underscore are not allowed in {en}: .{node.attr}")
    if isinstance(node, ast.Attribute) and node.attr in _FORMAT_METHODS:
        # str.format can reach attributes through its template ('{0.__class__}'); it would
        # fail at run time anyway, so say so at deploy.
        return (line, f"{zh}中不允许使用 .{node.attr}()，请改用 f-string",
                f".{node.attr}() is not allowed in {en}; use an f-string")
    if (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
            and isinstance(node.slice, ast.Slice)):
        # a[:0] = a doubles a list without any guard seeing it.
        return (line, f"{zh}中不允许对切片赋值，请用 append 或列表表达式",
                f"assigning to slices is not allowed in {en}; use append or a list expression")
    if isinstance(node, ast.AugAssign) and not isinstance(node.target, ast.Name):
        return (line, f"{zh}中不支持对下标或属性做增量赋值，请写成 d['k'] = d['k'] + 1",
                f"augmented assignment to items or attributes is not supported in {en}; "
                "write d['k'] = d['k'] + 1")
    return None


def _too_large(node: ast.AST, folded: dict) -> tuple[int, str, str] | None:
    """An operation on literals whose result would be too large (`10 ** 10 ** 7`)."""
    if not isinstance(node, ast.BinOp):
        return None
    try:
        guard_transform.folded_constant(node, folded)
    except ScriptRefused as refused:
        return node.lineno, refused.message_zh, refused.message_en
    return None


def _name_problem(name: str, line: int, zh: str, en: str) -> tuple[int, str, str] | None:
    if name.startswith("_"):
        return (line, f"{zh}中不允许使用以下划线开头的名称：{name}",
                f"names starting with an underscore are not allowed in {en}: {name}")
    if name in _FORBIDDEN_NAMES:
        return line, f"{zh}中不允许使用 {name}", f"{name} is not allowed in {en}"
    return None


def _restricted_compile(tree: ast.AST, mode: str) -> CodeType:
    compile_restricted = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compile_restricted(tree, filename=_FILENAME, policy=guard_transform.GuardingTransformer)
    if result.errors:
        # Our own check runs first, so this only catches what RestrictedPython alone refuses.
        error = result.errors[0]
        match = _RESTRICTED_LINE.match(error)
        zh, en = _WHERE[mode]
        raise ScriptRefused(f"{zh}不符合受限规则：{error}", f"not allowed in {en}: {error}",
                            int(match.group(1)) if match else None)
    return result.code


def _apply(function, *args, **kwargs):
    return function(*args, **kwargs)


def _builtins() -> dict:
    allowed = {name: value for name, value in safe_builtins.items() if not name.startswith("_")}
    allowed.update({
        "int": int, "float": float, "bool": bool, "range": range, "len": len,
        "abs": abs, "round": round, "True": True, "False": False, "None": None,
    })
    allowed.update(guarded_builtins.BUILTINS)
    return allowed


# Put into the globals last, so task data cannot shadow them.
_GUARDS = {
    "__builtins__": _builtins(),
    "_getattr_": guarded_builtins.guarded_getattr,
    "_getitem_": guards.getitem,
    "_getiter_": guards.guarded_iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": guards.in_place,
    "_apply_": _apply,
    guard_transform.GUARD_NAMES["binop"]: guards.binop,
    guard_transform.GUARD_NAMES["formatted"]: guards.formatted,
    guard_transform.GUARD_NAMES["compared"]: guards.compared,
    guard_transform.GUARD_NAMES["tuple"]: guards.expanded,
    guard_transform.GUARD_NAMES["mapping"]: guards.unpacked_mapping,
}


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """A SpiffWorkflow script environment that runs only checked, restricted code."""

    def __init__(self, helpers: dict | None = None, time_limit_s: float = 2.0):
        super().__init__(dict(helpers or {}))
        self.time_limit_s = time_limit_s

    def evaluate(self, expression, context, external_context=None):
        code = _compiled(expression, "eval")
        scope = {**self.globals, **(external_context or {}), **context, **_GUARDS}
        # What an expression yields is stored or compared by the engine: bounded too.
        return self._run(code, scope, guards.expanded)

    def execute(self, script, context, external_context=None):
        external_context = external_context or {}
        code = _compiled(script, "exec")
        self._refuse_shadowed_helpers(context, external_context)
        context.update(self.globals)
        context.update(external_context)
        context.update(_GUARDS)
        try:
            self._run(code, context)
        finally:
            self._remove_injected(context, external_context)
        # The task data is serialized, expanded, once the step is done.
        with guards.bounded(self.time_limit_s):
            guards.expanded(context, guards.MAX_DATA)
        return True

    def _run(self, code: CodeType, scope: dict, check_result=lambda result: result):
        with guards.bounded(self.time_limit_s):
            # eval also runs code compiled in 'exec' mode (returning None).
            return check_result(eval(code, scope))

    def _refuse_shadowed_helpers(self, context: dict, external_context: dict) -> None:
        # Same fail-fast as Spiff's TaskDataEnvironment: data named like a helper hides it.
        shadowed = (set(self.globals) | set(external_context)) & set(context)
        if shadowed:
            raise ValueError(
                "You have task data that overwrites a predefined function(s). Please change "
                f"the following variable or field name(s) to something else: {shadowed}")

    def _remove_injected(self, context: dict, external_context: dict) -> None:
        for key in list(context):
            if (key in _GUARDS or key in self.globals or key in external_context
                    or callable(context[key])):
                del context[key]
