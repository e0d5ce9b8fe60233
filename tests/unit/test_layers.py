"""The layers of app/ (DESIGN.md, "Layers"): dependencies point down only.

    web  ->  tic (the TIC cases)  ->  platform (the workflow platform)  ->  core  ->  engine, models

`tasks/` holds the service-task handlers of the cases: the app hands them to the platform
when it is assembled, so neither the platform nor core ever imports them or the cases."""
from __future__ import annotations

import pytest

from tests.unit.test_import_cycles import _modules, _imports

# What each layer may not import (a prefix of a module name).
FORBIDDEN = {
    "app.core": ("app.platform", "app.tic", "app.web", "tasks"),
    "app.platform": ("app.tic", "app.web", "tasks"),
    "app.tic": ("app.web",),
    # The faces call services, which return plain data or the rows of their queries.
    "app.web": ("app.models", "tasks"),
    "app.engine": ("app.core", "app.platform", "app.tic", "app.web", "app.models", "tasks"),
    "app.models": ("app.core", "app.platform", "app.tic", "app.web", "app.engine", "tasks"),
}


def _upward_imports(layer: str) -> list[str]:
    modules = _modules()
    found = []
    for name, (path, package) in sorted(modules.items()):
        if not (name == layer or name.startswith(layer + ".")):
            continue
        for imported in sorted(_imports(path, package, modules | _TASKS)):
            if imported.startswith(FORBIDDEN[layer]):
                found.append(f"{name} -> {imported}")
    return found


_TASKS = {"tasks": None}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_only_the_layers_below_it(layer):
    assert _upward_imports(layer) == []


def test_the_check_ignores_imports_for_type_checkers_only(tmp_path):
    typed = tmp_path / "shapes.py"
    typed.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.models import Task\n"
                     "else:\n    import tasks\n", encoding="utf-8")
    assert _imports(typed, ["app", "web"], {"app.models": None, "tasks": None}) == {"tasks"}


def test_the_check_sees_the_platform_importing_a_handler(tmp_path):
    handler = tmp_path / "dispatch.py"
    handler.write_text("import tasks\n", encoding="utf-8")
    assert _imports(handler, ["app", "platform"], {"tasks": None}) == {"tasks"}
