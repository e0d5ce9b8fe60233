"""Bounds of one sandboxed evaluation: its time, and the size of every value it builds.

Python does bulk work inside C: `10 ** 10 ** 7`, `'a' * 10**8`, `list(range(10**9))` or
the repr of a list shared with itself a million times never return to the interpreter,
so no deadline stops them, and a thread of a web worker cannot be killed. So each such
operation is checked before it runs. `GuardingTransformer` routes operators, f-string
formatting, comparisons, tuple displays and unpacking through the functions below;
builtins and the methods of builtin values are wrapped. A guard refuses a result beyond
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
from types import MethodDescriptorType
from collections.abc import ItemsView, KeysView, ValuesView
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from time import monotonic

from RestrictedPython import RestrictingNodeTransformer
from RestrictedPython.transformer import copy_locations
from RestrictedPython.Guards import safer_getattr

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
_TEXTS = (str, bytes, bytearray)

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
_SYMBOLS = {
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


def _too_long() -> ScriptRefused:
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


def _built(value):
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
        raise _too_long()
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
                    raise _too_long()  # a collection inside itself expands without end
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
                raise _too_long()
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
    if isinstance(item, _TEXTS):
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
    return _built(_OPERATORS[symbol](left, right))


def in_place(symbol: str, target, value):
    _check_operation(symbol[:-1], target, value)
    return _built(_IN_PLACE[symbol](target, value))


def _check_operation(symbol: str, left, right) -> None:
    if symbol == "**":
        _check_power(left, right)
    elif symbol == "*":
        _check_product(left, right)
    elif symbol == "<<" and _ints(left, right):
        if left and left.bit_length() + max(right, 0) > MAX_INT_BITS:
            raise _too_big_int()
    elif symbol == "+" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        if len(left) + len(right) > MAX_LENGTH:
            raise _too_long()
    elif symbol == "%" and isinstance(left, _TEXTS):
        _check_printf(left, right)


def _ints(*values) -> bool:
    return all(isinstance(v, int) for v in values)


def _check_power(base, exponent, modulus=None) -> None:
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
            raise _too_long()


def _check_printf(template, values) -> None:
    pattern = _PRINTF_TEXT if isinstance(template, str) else _PRINTF_BYTES
    widths = 0
    for width, precision in pattern.findall(template):
        if width in ("*", b"*") or precision in ("*", b"*"):
            raise ScriptRefused("不支持 % 格式中的 * 宽度，请直接写出数字",
                                "* widths in % formats are not supported; write the number")
        widths += int(width or 0) + int(precision or 0)
    if widths > MAX_LENGTH:
        raise _too_long()
    expanded(values)


def formatted(value, conversion: int, spec: str) -> str:
    """An f-string's `{value!conversion:spec}`."""
    expanded(value)
    if sum(int(digits) for digits in _DIGITS.findall(spec)) > MAX_LENGTH:
        raise _too_long()
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    return _built(format(value, spec))


def compared(value):
    """A comparison walks collections element by element: bound them first."""
    return expanded(value) if isinstance(value, _COLLECTIONS) else value


def unpacked_mapping(mapping):
    """`**mapping` in a dict display."""
    charge(len(mapping) if isinstance(mapping, dict) else 1)
    return mapping


def getitem(container, key):
    return _built(container[key]) if isinstance(key, slice) else container[key]


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
            raise _too_long()
    items = []
    for item in guarded_iter(iterable):
        items.append(item)
        if len(items) > limit:
            raise _too_long()
    return items


# --------------------------------------------------------------------------- builtins


class GuardedType:
    """A builtin type whose calls are bounded; `isinstance` and attributes see the type."""

    def __init__(self, wrapped: type, construct):
        self.wrapped = wrapped
        self._construct = construct
        self.__name__ = wrapped.__name__

    def __call__(self, *args, **kwargs):
        return self._construct(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.wrapped, name)


def _collection(kind: type):
    def construct(*args, **kwargs):
        if args and isinstance(args[0], dict) and kind is dict:
            if len(args[0]) > MAX_LENGTH:
                raise _too_long()
            return _built(dict(*args, **kwargs))
        if args:
            args = (bounded_list(args[0]), *args[1:])
        return _built(kind(*args, **kwargs))
    return GuardedType(kind, construct)


def _text(*args, **kwargs) -> str:
    if args:
        expanded(args[0])
    return _built(str(*args, **kwargs))


def _repr(value) -> str:
    return _built(repr(expanded(value)))


def _pow(base, exponent, modulus=None):
    _check_power(base, exponent, modulus)
    return _built(pow(base, exponent) if modulus is None else pow(base, exponent, modulus))


def _sum(iterable, start=0):
    total = start
    for item in guarded_iter(iterable):
        total = binop("+", total, item)
    return total


def _ordering(function):
    """sorted, min, max: their comparisons may expand what they compare."""
    def guarded(*args, **kwargs):
        items = bounded_list(args[0]) if len(args) == 1 else list(args)
        expanded(items)
        return _built(function(items, **kwargs)) if function is sorted else function(items, **kwargs)
    guarded.__name__ = function.__name__
    return guarded


def _consuming(function):
    """any, all: iterate through the guard."""
    def guarded(iterable):
        return function(guarded_iter(iterable))
    guarded.__name__ = function.__name__
    return guarded


def _enumerate(iterable, start: int = 0):
    return (_built(pair) for pair in enumerate(guarded_iter(iterable), start))


def _zip(*iterables, strict: bool = False):
    return (_built(items) for items in zip(*map(guarded_iter, iterables), strict=strict))


def _isinstance(value, kinds) -> bool:
    return isinstance(value, _unwrapped(kinds))


def _unwrapped(kinds):
    if isinstance(kinds, GuardedType):
        return kinds.wrapped
    if isinstance(kinds, tuple):
        return tuple(_unwrapped(kind) for kind in kinds)
    return kinds


BUILTINS = {
    "list": _collection(list), "tuple": _collection(tuple), "set": _collection(set),
    "dict": _collection(dict), "str": GuardedType(str, _text), "repr": _repr, "pow": _pow,
    "sum": _sum, "sorted": _ordering(sorted), "min": _ordering(min), "max": _ordering(max),
    "any": _consuming(any), "all": _consuming(all), "enumerate": _enumerate, "zip": _zip,
    "isinstance": _isinstance,
}


# ---------------------------------------------------------------------------- methods


def guarded_getattr(owner, name: str, *default):
    """Attributes as RestrictedPython's safer_getattr gives them; methods of builtin
    values that can build or compare at length are bounded."""
    owner = owner.wrapped if isinstance(owner, GuardedType) else owner
    value = safer_getattr(owner, name, *default)
    if not callable(value) or not isinstance(owner, (*_TEXTS, list, dict, set, int, type)):
        return value
    return _guarded_method(value, owner, name)


def _guarded_method(method, owner, name: str):
    check = _METHOD_CHECKS.get(name)
    # `str.join(sep, items)`: the instance comes first; `dict.fromkeys(keys)` has none.
    unbound = isinstance(method, MethodDescriptorType)

    def call(*args, **kwargs):
        if check is not None:
            instance, rest = (args[0], args[1:]) if unbound else (owner, args)
            rest = check(instance, rest, kwargs)
            args = (instance, *rest) if unbound else rest
        return _built(method(*args, **kwargs))
    call.__name__ = name
    return call


def _width(instance, args, kwargs):
    width = args[0] if args else kwargs.get("width", 0)
    if isinstance(width, int) and width > MAX_LENGTH:
        raise _too_long()
    return args


def _tabs(instance, args, kwargs):
    size = args[0] if args else kwargs.get("tabsize", 8)
    tab = "\t" if isinstance(instance, str) else b"\t"
    if isinstance(size, int) and len(instance) + max(size, 0) * instance.count(tab) > MAX_LENGTH:
        raise _too_long()
    return args


def _replaced(instance, args, kwargs):
    if len(args) >= 2 and isinstance(args[0], _TEXTS) and isinstance(args[1], _TEXTS):
        old, new = args[0], args[1]
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        found = instance.count(old) if old else len(instance) + 1
        if isinstance(count, int) and count >= 0:
            found = min(found, count)
        if len(instance) + found * (len(new) - len(old)) > MAX_LENGTH:
            raise _too_long()
    return args


def _joined(instance, args, kwargs):
    items = bounded_list(args[0]) if args else []
    length = len(instance) * max(len(items) - 1, 0)
    length += sum(len(item) for item in items if isinstance(item, _TEXTS))
    if length > MAX_LENGTH:
        raise _too_long()
    return (items, *args[1:])


def _translated(instance, args, kwargs):
    table = args[0] if args else None
    if isinstance(table, dict) and isinstance(instance, str):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        if len(instance) * longest > MAX_LENGTH:
            raise _too_long()
    return args


def _to_bytes(instance, args, kwargs):
    length = args[0] if args else kwargs.get("length", 1)
    if isinstance(length, int) and length > MAX_LENGTH:
        raise _too_long()
    return args


def _growing(instance, args, kwargs):
    """extend, update, union…, fromkeys: each argument is taken item by item, bounded."""
    taken = tuple(bounded_list(arg) if not isinstance(arg, dict) else arg for arg in args)
    size = len(instance) if isinstance(instance, (list, dict, set)) else 0
    if size + sum(len(arg) for arg in taken) > MAX_LENGTH:
        raise _too_long()
    return taken


def _fromkeys(instance, args, kwargs):
    return (bounded_list(args[0]), *args[1:]) if args else args


def _comparing(instance, args, kwargs):
    """sort, count, index, remove compare the elements."""
    expanded(instance)
    for arg in args:
        compared(arg)
    return args


_METHOD_CHECKS = {
    "ljust": _width, "rjust": _width, "center": _width, "zfill": _width,
    "expandtabs": _tabs, "replace": _replaced, "join": _joined, "translate": _translated,
    "to_bytes": _to_bytes,
    "extend": _growing, "update": _growing, "union": _growing, "intersection": _growing,
    "difference": _growing, "symmetric_difference": _growing, "fromkeys": _fromkeys,
    "intersection_update": _growing, "difference_update": _growing,
    "symmetric_difference_update": _growing, "issubset": _growing, "issuperset": _growing,
    "isdisjoint": _growing,
    "sort": _comparing, "count": _comparing, "index": _comparing, "remove": _comparing,
}


# ----------------------------------------------------------------------- compilation


GUARD_NAMES = {
    "binop": "_binop_", "formatted": "_formatted_", "compared": "_compared_",
    "tuple": "_tuple_", "iter": "_getiter_", "mapping": "_unpacked_mapping_",
}


def _call(name: str, *args: ast.expr, at: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])
    copy_locations(call, at)
    return call


def _is_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant)


class GuardingTransformer(RestrictingNodeTransformer):
    """RestrictedPython's checks, and the size guards above wired into the code."""

    def visit_BinOp(self, node: ast.BinOp):
        node = super().visit_BinOp(node)
        symbol = ast.Constant(_SYMBOLS[type(node.op)])
        return _call(GUARD_NAMES["binop"], symbol, node.left, node.right, at=node)

    def visit_FormattedValue(self, node: ast.FormattedValue):
        node = super().visit_FormattedValue(node)
        spec = node.format_spec or ast.Constant("")
        node.value = _call(GUARD_NAMES["formatted"], node.value, ast.Constant(node.conversion), spec,
                           at=node)
        node.conversion, node.format_spec = -1, None
        return node

    def visit_Compare(self, node: ast.Compare):
        node = super().visit_Compare(node)
        node.left = self._compared(node.left)
        node.comparators = [self._compared(c) for c in node.comparators]
        return node

    def _compared(self, operand: ast.expr) -> ast.expr:
        return operand if _is_constant(operand) else _call(GUARD_NAMES["compared"], operand, at=operand)

    def visit_Tuple(self, node: ast.Tuple):
        node = super().visit_Tuple(node)
        if not isinstance(node.ctx, ast.Load) or all(_is_constant(e) for e in node.elts):
            return node
        return _call(GUARD_NAMES["tuple"], node, at=node)

    def visit_Starred(self, node: ast.Starred):
        node = super().visit_Starred(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _call(GUARD_NAMES["iter"], node.value, at=node.value)
        return node

    def visit_Dict(self, node: ast.Dict):
        node = super().visit_Dict(node)
        node.values = [
            _call(GUARD_NAMES["mapping"], value, at=value) if key is None else value
            for key, value in zip(node.keys, node.values)
        ]
        return node


_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}


def folded_constant(node: ast.AST, known: dict):
    """The value of an operation on literals, computed under the guards (refusing what
    would be too large), or None when `node` is not one. `known` remembers the values
    of the nodes already folded, so that a whole tree folds in one pass."""
    if id(node) not in known:
        known[id(node)] = _fold(node, known)
    return known[id(node)]


def _fold(node: ast.AST, known: dict):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        operand = folded_constant(node.operand, known)
        return None if operand is None else _quietly(lambda: _UNARY[type(node.op)](operand))
    if isinstance(node, ast.BinOp):
        left, right = folded_constant(node.left, known), folded_constant(node.right, known)
        if left is None or right is None:
            return None
        return _quietly(lambda: binop(_SYMBOLS[type(node.op)], left, right))
    return None


def _quietly(compute):
    """Errors other than a refusal (1 / 0) are the run time's to report."""
    try:
        return compute()
    except ScriptRefused:
        raise
    except Exception:
        return None
