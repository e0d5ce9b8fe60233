"""The form editor's check of a schema and its UI hints as a pair, without a database:
every project form passes it; problems are located by editor, line and column."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.platform.form_editing import FormRefused, pair
from app.platform.json_text import Place, value_places

FORMS = Path(__file__).resolve().parents[2] / "forms"
SCHEMAS = sorted(FORMS.rglob("*.schema.json"))


@pytest.mark.parametrize("schema", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_every_project_form_passes_the_check(schema):
    ui = schema.with_name(schema.name.replace(".schema.json", ".ui.json"))
    checked = pair("k", schema.read_text(encoding="utf-8"), ui.read_text(encoding="utf-8") if ui.exists() else "")
    assert checked.schema["properties"]


def test_values_are_found_by_their_path():
    text = '{\n  "a": [1, {"b": "x"}],\n  "c": null\n}'
    places = value_places(text)
    assert places[("a", 1, "b")] == Place(2, 18) and places[("c",)] == Place(3, 8)


def refused(schema: str, ui: str = "") -> list[dict]:
    with pytest.raises(FormRefused, match="表单有错误") as caught:
        pair("k", schema, ui)
    return caught.value.errors


def test_a_broken_schema_is_reported_once_not_every_hint_after_it():
    [error] = refused('{"properties": {"a": {}},}', '{"order": ["a"]}')
    assert (error["field"], error["line"], error["column"]) == ("_schema", 1, 26)


def test_hints_may_name_fields_inside_rows_and_nowhere_else():
    schema = '{"properties": {"rows": {"type": "array", "items": {"properties": {"x": {}}}}}}'
    assert pair("k", schema, '{"fields": {"rows.x": {"visibleWhen": {"rows": 1}}}}').ui
    [error] = refused(schema, '{"fields": {"rows.y": {}}, "reasons": {"fields": {"CODE": "rows.x"}}}')
    assert error["message"] == "界面提示第 1 行第 23 列：表单中没有字段 rows.y"
