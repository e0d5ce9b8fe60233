"""No two modules under app/ import each other, at module level or inside a function, and
no longer chain leads back to where it started.

One shape is left out: a web package that creates its blueprint and then imports its page
modules so that their routes exist (Flask's documented layout); the pages import the
blueprint from the package. The edges from a package to its own submodules are skipped."""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _modules() -> dict[str, tuple[Path, list[str]]]:
    """Module name -> (file, the package its relative imports start from)."""
    found = {}
    for path in APP.rglob("*.py"):
        parts = list(path.relative_to(APP.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
            found[".".join(parts)] = (path, parts)
        else:
            found[".".join(parts)] = (path, parts[:-1])
    return found


def _imports(path: Path, package: list[str], modules) -> set[str]:
    """The modules of app/ that `path` imports anywhere in its body, except for type checkers
    only (`if TYPE_CHECKING:`), which Python never runs."""
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {_known(alias.name, modules) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            target = ".".join(p for p in (base, node.module or "") if p)
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in modules else _known(target, modules))
    return found - {None}


def _runtime_nodes(tree: ast.AST):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            yield from (n for orelse in node.orelse for n in [orelse, *_runtime_nodes(orelse)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _known(name: str, modules) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, (path, package) in modules.items():
        imported = _imports(path, package, modules) - {name}
        graph[name] = {m for m in imported if not m.startswith(name + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_modules_of_app_import_each_other():
    assert _cycles(_graph()) == []


def test_the_check_sees_an_import_hidden_in_a_function(tmp_path):
    hidden = tmp_path / "scheduler.py"
    hidden.write_text("def later():\n    from .deployment import deploy\n", encoding="utf-8")
    modules = {"app.platform.deployment": None, "app.platform": None}
    assert _imports(hidden, ["app", "platform"], modules) == {"app.platform.deployment"}
