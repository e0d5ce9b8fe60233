"""A posted task form read back into values by the form's JSON Schema, without a database
or a request: dotted names, rows, types, options; what cannot be converted stays as typed
for the schema to report beside its field."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.platform.task_forms import set_value
from app.web.tasklist.form_input import add_row, parse, remove_row, schema_at

SCHEMA = {
    "type": "object",
    "required": ["centerName"],
    "properties": {
        "centerName": {"type": "string"},
        "category": {"type": "string", "enum": ["domain", "comprehensive"]},
        "round": {"type": "integer", "oneOf": [{"const": 1, "title": "第一批"}, {"const": 2, "title": "第二批"}]},
        "debtRatio": {"type": "number"},
        "staff": {"type": "integer"},
        "independent": {"type": "boolean"},
        "planDate": {"type": ["string", "null"], "format": "date"},
        "summary": {"type": "string"},
        "leadUnit": {"type": "object", "properties": {"name": {"type": "string"},
                                                      "creditCode": {"type": "string"}}},
        "coBuilders": {"type": "array", "items": {
            "type": "object", "properties": {"name": {"type": "string"}, "core": {"type": "boolean"}}}},
        "keywords": {"type": "array", "items": {"type": "string"}},
    },
}


# A list posted without rows is an empty list: removing the last row empties it.
NO_ROWS = {"coBuilders": [], "keywords": []}


def read(**fields) -> dict:
    return parse(SCHEMA, MultiDict({name.replace("__", "."): value for name, value in fields.items()}))


def test_text_is_trimmed_but_several_lines_are_kept_as_typed():
    assert read(centerName="  新疆棉花技术创新中心 ") == {"centerName": "新疆棉花技术创新中心", **NO_ROWS}
    assert read(summary="第一段\n第二段 ")["summary"] == "第一段\n第二段 "


@pytest.mark.parametrize(("typed", "value"), [("12", 12), (" 1,200 ", 1200), ("-3", -3)])
def test_integers_are_read_with_thousands_separators(typed, value):
    assert read(staff=typed)["staff"] == value


@pytest.mark.parametrize(("typed", "value"), [("55.5", 55.5), ("70", 70), ("70.0", 70.0), ("1e2", 100.0)])
def test_numbers_stay_whole_unless_typed_with_a_point_or_exponent(typed, value):
    read_back = read(debtRatio=typed)["debtRatio"]
    assert read_back == value and type(read_back) is type(value)


@pytest.mark.parametrize(("field", "typed"), [("staff", "十二"), ("debtRatio", "55%"), ("staff", "1.5")])
def test_what_is_not_a_number_is_kept_as_typed_for_the_schema_to_refuse(field, typed):
    assert read(**{field: typed})[field] == typed


def test_booleans_and_options_become_their_values():
    assert read(independent="true", category="domain", round="2") == {
        "independent": True, "category": "domain", "round": 2, **NO_ROWS}
    assert read(independent="false")["independent"] is False


def test_an_unknown_option_is_kept_as_typed():
    assert read(category="other", round="9") == {"category": "other", "round": "9", **NO_ROWS}


def test_an_empty_field_is_left_out_unless_it_may_be_null():
    assert read(centerName="", staff=" ", planDate="") == {"planDate": None, **NO_ROWS}


def test_nested_objects_are_read_from_dotted_names_and_left_out_when_empty():
    assert read(leadUnit__name="新疆天棉纺织集团有限公司") == {"leadUnit": {"name": "新疆天棉纺织集团有限公司"}, **NO_ROWS}
    assert read(leadUnit__name="", leadUnit__creditCode="") == NO_ROWS


def test_rows_are_read_in_index_order_and_an_empty_row_kept_by_its_marker():
    values = read(coBuilders__10__name="新疆大学", coBuilders__2__name="新疆农业大学",
                  coBuilders__2__core="true", coBuilders__5____row="1")
    assert values == {**NO_ROWS, "coBuilders": [{"name": "新疆农业大学", "core": True}, {}, {"name": "新疆大学"}]}


def test_a_posted_row_with_empty_fields_is_kept_for_the_schema_to_report():
    assert read(coBuilders__0__name="") == {**NO_ROWS, "coBuilders": [{}]}


def test_rows_of_plain_values():
    assert read(keywords__0="棉花", keywords__1=" 纺织 ") == {**NO_ROWS, "keywords": ["棉花", "纺织"]}


def test_a_form_without_schema_reads_nothing():
    assert parse({}, MultiDict({"anything": "x"})) == {}
    assert parse(None, MultiDict()) == {}


def test_the_add_row_button_appends_an_empty_row_of_the_items_kind():
    values = {"coBuilders": [{"name": "新疆大学"}]}
    add_row(SCHEMA, values, "coBuilders")
    add_row(SCHEMA, values, "keywords")
    assert values == {"coBuilders": [{"name": "新疆大学"}, {}], "keywords": [""]}


def test_the_remove_row_button_removes_that_row_only():
    values = {"coBuilders": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
    remove_row(values, "coBuilders.1")
    assert values == {"coBuilders": [{"name": "a"}, {"name": "c"}]}


@pytest.mark.parametrize("path", ["coBuilders.9", "coBuilders.x", "centerName.0", "coBuilders.0.name.1"])
def test_a_stale_or_forged_remove_button_changes_nothing(path):
    values = {"centerName": "中心", "coBuilders": [{"name": "a"}]}
    remove_row(values, path)
    assert values == {"centerName": "中心", "coBuilders": [{"name": "a"}]}


def test_set_value_puts_a_file_reference_where_its_field_is():
    values = {"coBuilders": [{"name": "a"}]}
    set_value(values, "coBuilders.0.signature", "attachment:42")
    set_value(values, "leadUnit.licence", "attachment:43")
    assert values == {"coBuilders": [{"name": "a", "signature": "attachment:42"}],
                      "leadUnit": {"licence": "attachment:43"}}


def test_set_value_ignores_a_path_that_leads_nowhere():
    values = {"coBuilders": []}
    set_value(values, "coBuilders.3.signature", "attachment:42")
    assert values == {"coBuilders": []}


def test_schema_at_steps_into_rows_and_properties():
    assert schema_at(SCHEMA, "coBuilders.4.core") == {"type": "boolean"}
    assert schema_at(SCHEMA, "leadUnit.creditCode") == {"type": "string"}
    assert schema_at(SCHEMA, "nowhere.at.all") == {}
