"""Compiling a sandboxed expression or script: RestrictedPython's checks, with the size
guards of `guards.py` wired into the code, and operations on literals computed at deploy
under the same guards."""
from __future__ import annotations

import ast
import operator

from RestrictedPython import RestrictingNodeTransformer
from RestrictedPython.transformer import copy_locations

from app.engine.errors import ScriptRefused

from .guards import SYMBOLS, binop


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
        symbol = ast.Constant(SYMBOLS[type(node.op)])
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
        return _quietly(lambda: binop(SYMBOLS[type(node.op)], left, right))
    return None


def _quietly(compute):
    """Errors other than a refusal (1 / 0) are the run time's to report."""
    try:
        return compute()
    except ScriptRefused:
        raise
    except Exception:
        return None
