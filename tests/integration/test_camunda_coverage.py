"""The README's count of Camunda 7 operations is the routes' own, and every route of
/engine-rest is one of Camunda's or a known extension of ours."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Routes beside Camunda's: `POST /task/{id}/comment` is what older clients send for
# `/comment/create`; the OpenAPI document is served where Camunda Run serves its own.
EXTENSIONS = {"POST /task/{}/comment", "GET /openapi.json"}


def coverage():
    spec = importlib.util.spec_from_file_location("camunda_coverage", ROOT / "scripts" / "camunda_coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_counts_the_operations_the_routes_implement(app):
    script = coverage()
    table = script.coverage_table(script.our_operations(app), script.camunda_operations())

    assert table in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_route_is_a_camunda_operation_or_a_known_extension(app):
    script = coverage()

    assert set(script.extensions(script.our_operations(app), script.camunda_operations())) == EXTENSIONS
