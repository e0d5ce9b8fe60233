"""Bounds of one sandboxed evaluation: its time, and the size of every value it builds.

Python does bulk work inside C: `10 ** 10 ** 7`, `'a' * 10**8`, `list(range(10**9))` or
the repr of a list shared with itself a million times never return to the interpreter,
so no deadline stops them, and a thread of a web worker cannot be killed. So each such
operation is checked before it runs. `guard_transform.GuardingTransformer` routes
operators, f-string formatting, comparisons, tuple displays and unpacking through the
functions below; `guarded_builtins` wraps the builtins and the methods of builtin values
with them. A guard refuses a result beyond
the size limits, charges what it builds to the evaluation's work budget and checks the
deadline: time is bounded at every step, not only in loops.

Values built by sharing (`a = [a, a]` twenty times) are small in memory but huge once
expanded; whatever expands them (text, comparison, hashing, storing the task data) first
measures them, up to the limit.
"""
from __future__ import annotations

import ast
import operator
import re
from collections.abc import ItemsView, KeysView, ValuesView
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from time import monotonic

from app.engine.errors import ScriptRefused

MAX_INT_BITS = 10_000
# Characters of a text, items of a collection, and both together in an expanded value.
MAX_LENGTH = 1_000_000
# What one evaluation may build in all: items, characters, loop steps.
MAX_WORK = 10_000_000
# What the task data may weigh, expanded, after a script.
MAX_DATA = 5 * MAX_LENGTH

_CHECK_EVERY = 1000
_SEQUENCES = (str, bytes, bytearray, list, tuple)
_COLLECTIONS = (list, tuple, dict, set, frozenset, range, KeysView, ValuesView, ItemsView)
TEXTS = (str, bytes, bytearray)

_OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "@": operator.matmul,
    "<<": operator.lshift, ">>": operator.rshift, "&": operator.and_, "|": operator.or_,
    "^": operator.xor,
}
_IN_PLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "@=": operator.imatmul,
    "<<=": operator.ilshift, ">>=": operator.irshift, "&=": operator.iand, "|=": operator.ior,
    "^=": operator.ixor,
}
SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&",
    ast.BitOr: "|", ast.BitXor: "^",
}
# printf-style conversions: %[(key)][flags][width][.precision][length]type
_PRINTF = r"%(?:\([^)]*\))?[#0\- +]*(\*|\d*)(?:\.(\*|\d*))?[hlL]?[a-zA-Z%]"
_PRINTF_TEXT, _PRINTF_BYTES = re.compile(_PRINTF), re.compile(_PRINTF.encode())
_DIGITS = re.compile(r"\d+")


@dataclass
class _Run:
    deadline: float
    seconds: float
    work_left: int


_run: ContextVar[_Run | None] = ContextVar("sandbox_run", default=None)


@contextmanager
def bounded(seconds: float):
    """Run one evaluation within `seconds` and the work budget."""
    token = _run.set(_Run(monotonic() + seconds, seconds, MAX_WORK))
    try:
        yield
    finally:
        _run.reset(token)


# --------------------------------------------------------------------------- refusals


def _too_large(what_zh: str, what_en: str) -> ScriptRefused:
    return ScriptRefused(f"计算结果过大：{what_zh}", f"result too large: {what_en}")


def too_long() -> ScriptRefused:
    return _too_large(f"文本或集合超过 {MAX_LENGTH} 个字符或元素",
                      f"a text or collection beyond {MAX_LENGTH} characters or items")


def _too_big_int() -> ScriptRefused:
    return _too_large(f"整数超过 {MAX_INT_BITS} 位", f"an integer beyond {MAX_INT_BITS} bits")


def _timed_out(seconds: float) -> ScriptRefused:
    return ScriptRefused(f"脚本执行超时：超过了 {seconds:g} 秒的时间限制",
                         f"script exceeded its time limit of {seconds:g} s")


# ------------------------------------------------------------------- time and work


def charge(units: int) -> None:
    """Count `units` of work against the evaluation, and check its deadline."""
    run = _run.get()
    if run is None:
        return
    run.work_left -= units
    if run.work_left < 0:
        raise ScriptRefused(f"运算量超过限制（{MAX_WORK} 个单位）",
                            f"too much work (more than {MAX_WORK} units)")
    if monotonic() > run.deadline:
        raise _timed_out(run.seconds)


def _weight(value) -> int:
    if isinstance(value, int):
        return value.bit_length() // 64 + 1
    if isinstance(value, (*_SEQUENCES, dict, set, frozenset)):
        return len(value) + 1
    return 1


def built(value):
    charge(_weight(value))
    if isinstance(value, (tuple, frozenset)):
        # Hashing walks a tuple whole: every tuple is bounded when it is built.
        expanded(value)
    return value


def expanded(value, limit: int = MAX_LENGTH):
    """`value`, once checked to stay within `limit` characters and items when expanded
    (shared parts counted each time they appear, as text or JSON repeat them).

    Each distinct collection is walked once, so sharing costs nothing to measure.
    """
    children = _children(value)
    if (_scalar_weight(value) if children is None else _expanded_weight(value, limit)) > limit:
        raise too_long()
    return value


def _expanded_weight(root, limit: int) -> int:
    weights: dict[int, int] = {}
    open_ids: set[int] = set()
    stack = [root]
    walked = 0
    while stack:
        item = stack[-1]
        children = _children(item)
        key = id(item)
        if children is None or key in weights:
            stack.pop()
        elif key not in open_ids:
            open_ids.add(key)
            for child in children:
                if id(child) in open_ids:
                    raise too_long()  # a collection inside itself expands without end
                if id(child) not in weights and _children(child) is not None:
                    stack.append(child)
        else:
            stack.pop()
            open_ids.discard(key)
            total = len(children)
            for child in children:
                total += weights.get(id(child)) or _scalar_weight(child)
            walked += len(children)
            if walked > _CHECK_EVERY:
                charge(walked)
                walked = 0
            if total > limit:
                raise too_long()
            weights[key] = total
    return weights.get(id(root)) or _scalar_weight(root)


def _children(item):
    """The parts of a collection (keys and values of a mapping); None for anything else."""
    kind = type(item)
    if kind is list or kind is tuple:
        return item
    if kind is dict:
        return [*item.keys(), *item.values()]
    if isinstance(item, (set, frozenset, KeysView, ValuesView, ItemsView, list, tuple)):
        return list(item)
    if isinstance(item, dict):
        return [*item.keys(), *item.values()]
    return None


def _scalar_weight(item) -> int:
    if isinstance(item, TEXTS):
        return len(item) + 1
    if isinstance(item, int):
        return item.bit_length() // 64 + 1
    if isinstance(item, range):
        return _range_length(item) + 1
    return 1


def _range_length(span: range) -> int:
    step = span.step
    return max(0, (span.stop - span.start + step - (1 if step > 0 else -1)) // step)


# ------------------------------------------------------------------------ operators


def binop(symbol: str, left, right):
    _check_operation(symbol, left, right)
    return built(_OPERATORS[symbol](left, right))


def in_place(symbol: str, target, value):
    _check_operation(symbol[:-1], target, value)
    return built(_IN_PLACE[symbol](target, value))


def _check_operation(symbol: str, left, right) -> None:
    if symbol == "**":
        check_power(left, right)
    elif symbol == "*":
        _check_product(left, right)
    elif symbol == "<<" and _ints(left, right):
        if left and left.bit_length() + max(right, 0) > MAX_INT_BITS:
            raise _too_big_int()
    elif symbol == "+" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        if len(left) + len(right) > MAX_LENGTH:
            raise too_long()
    elif symbol == "%" and isinstance(left, TEXTS):
        _check_printf(left, right)


def _ints(*values) -> bool:
    return all(isinstance(v, int) for v in values)


def check_power(base, exponent, modulus=None) -> None:
    if modulus is not None:
        if _ints(base, exponent, modulus) and max(
                base.bit_length(), exponent.bit_length(), modulus.bit_length()) > MAX_INT_BITS:
            raise _too_big_int()
        return
    if _ints(base, exponent) and exponent > 0 and abs(base) > 1:
        if base.bit_length() * exponent > MAX_INT_BITS:
            raise _too_big_int()


def _check_product(left, right) -> None:
    if _ints(left, right):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise _too_big_int()
        return
    sequence, times = (left, right) if isinstance(left, _SEQUENCES) else (right, left)
    if isinstance(sequence, _SEQUENCES) and isinstance(times, int) and times > 1:
        if len(sequence) * times > MAX_LENGTH:
            raise too_long()


def _check_printf(template, values) -> None:
    pattern = _PRINTF_TEXT if isinstance(template, str) else _PRINTF_BYTES
    widths = 0
    for width, precision in pattern.findall(template):
        if width in ("*", b"*") or precision in ("*", b"*"):
            raise ScriptRefused("不支持 % 格式中的 * 宽度，请直接写出数字",
                                "* widths in % formats are not supported; write the number")
        widths += int(width or 0) + int(precision or 0)
    if widths > MAX_LENGTH:
        raise too_long()
    expanded(values)


def formatted(value, conversion: int, spec: str) -> str:
    """An f-string's `{value!conversion:spec}`."""
    expanded(value)
    if sum(int(digits) for digits in _DIGITS.findall(spec)) > MAX_LENGTH:
        raise too_long()
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    return built(format(value, spec))


def compared(value):
    """A comparison walks collections element by element: bound them first."""
    return expanded(value) if isinstance(value, _COLLECTIONS) else value


def unpacked_mapping(mapping):
    """`**mapping` in a dict display."""
    charge(len(mapping) if isinstance(mapping, dict) else 1)
    return mapping


def getitem(container, key):
    return built(container[key]) if isinstance(key, slice) else container[key]


# -------------------------------------------------------------------------- iteration


def guarded_iter(iterable):
    """Every loop, comprehension and unpacking steps through here: work and deadline."""
    iterator = iter(iterable)
    return iterator if _run.get() is None else _stepped(iterator)


def _stepped(iterator):
    countdown = _CHECK_EVERY
    for item in iterator:
        countdown -= 1
        if not countdown:
            countdown = _CHECK_EVERY
            charge(_CHECK_EVERY)
        yield item


def bounded_list(iterable, limit: int = MAX_LENGTH) -> list:
    """The items of `iterable`, refused past `limit` before they are all made."""
    if isinstance(iterable, (list, tuple, set, frozenset, dict, str, bytes, range)):
        length = _range_length(iterable) if isinstance(iterable, range) else len(iterable)
        if length > limit:
            raise too_long()
    items = []
    for item in guarded_iter(iterable):
        items.append(item)
        if len(items) > limit:
            raise too_long()
    return items


# --------------------------------------------------------------------------- builtins
