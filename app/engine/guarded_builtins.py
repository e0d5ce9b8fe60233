"""The builtins a sandboxed evaluation may call, and the methods of builtin values, bounded
by the guards of `guards.py`: a call that would build or compare at length is refused
before it runs."""
from __future__ import annotations

from types import MethodDescriptorType

from RestrictedPython.Guards import safer_getattr

from .guards import (
    MAX_LENGTH, TEXTS, binop, bounded_list, built, check_power, compared, expanded,
    guarded_iter, too_long,
)


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
                raise too_long()
            return built(dict(*args, **kwargs))
        if args:
            args = (bounded_list(args[0]), *args[1:])
        return built(kind(*args, **kwargs))
    return GuardedType(kind, construct)


def _text(*args, **kwargs) -> str:
    if args:
        expanded(args[0])
    return built(str(*args, **kwargs))


def _repr(value) -> str:
    return built(repr(expanded(value)))


def _pow(base, exponent, modulus=None):
    check_power(base, exponent, modulus)
    return built(pow(base, exponent) if modulus is None else pow(base, exponent, modulus))


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
        return built(function(items, **kwargs)) if function is sorted else function(items, **kwargs)
    guarded.__name__ = function.__name__
    return guarded


def _consuming(function):
    """any, all: iterate through the guard."""
    def guarded(iterable):
        return function(guarded_iter(iterable))
    guarded.__name__ = function.__name__
    return guarded


def _enumerate(iterable, start: int = 0):
    return (built(pair) for pair in enumerate(guarded_iter(iterable), start))


def _zip(*iterables, strict: bool = False):
    return (built(items) for items in zip(*map(guarded_iter, iterables), strict=strict))


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
    if not callable(value) or not isinstance(owner, (*TEXTS, list, dict, set, int, type)):
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
        return built(method(*args, **kwargs))
    call.__name__ = name
    return call


def _width(instance, args, kwargs):
    width = args[0] if args else kwargs.get("width", 0)
    if isinstance(width, int) and width > MAX_LENGTH:
        raise too_long()
    return args


def _tabs(instance, args, kwargs):
    size = args[0] if args else kwargs.get("tabsize", 8)
    tab = "\t" if isinstance(instance, str) else b"\t"
    if isinstance(size, int) and len(instance) + max(size, 0) * instance.count(tab) > MAX_LENGTH:
        raise too_long()
    return args


def _replaced(instance, args, kwargs):
    if len(args) >= 2 and isinstance(args[0], TEXTS) and isinstance(args[1], TEXTS):
        old, new = args[0], args[1]
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        found = instance.count(old) if old else len(instance) + 1
        if isinstance(count, int) and count >= 0:
            found = min(found, count)
        if len(instance) + found * (len(new) - len(old)) > MAX_LENGTH:
            raise too_long()
    return args


def _joined(instance, args, kwargs):
    items = bounded_list(args[0]) if args else []
    length = len(instance) * max(len(items) - 1, 0)
    length += sum(len(item) for item in items if isinstance(item, TEXTS))
    if length > MAX_LENGTH:
        raise too_long()
    return (items, *args[1:])


def _translated(instance, args, kwargs):
    table = args[0] if args else None
    if isinstance(table, dict) and isinstance(instance, str):
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
        if len(instance) * longest > MAX_LENGTH:
            raise too_long()
    return args


def _to_bytes(instance, args, kwargs):
    length = args[0] if args else kwargs.get("length", 1)
    if isinstance(length, int) and length > MAX_LENGTH:
        raise too_long()
    return args


def _growing(instance, args, kwargs):
    """extend, update, union…, fromkeys: each argument is taken item by item, bounded."""
    taken = tuple(bounded_list(arg) if not isinstance(arg, dict) else arg for arg in args)
    size = len(instance) if isinstance(instance, (list, dict, set)) else 0
    if size + sum(len(arg) for arg in taken) > MAX_LENGTH:
        raise too_long()
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
