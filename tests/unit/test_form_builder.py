"""The task form as a tree of fields, built from its JSON Schema, UI hints and values without
a database or a template: order, kinds, options and their labels, rows, errors beside their
field, and conditions that follow a field's row."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.platform.task_forms import attachment_id
from app.web.tasklist.form_model import (
    INDEX_PLACEHOLDER, FormBuilder, all_names, hint_key, input_text, resolve_path,
)

SCHEMA = {
    "type": "object",
    "required": ["centerName", "coBuilders"],
    "properties": {
        "centerName": {"type": "string", "title": "中心名称"},
        "category": {"type": "string", "title": "类别", "enum": ["domain", "comprehensive"]},
        "round": {"type": "integer", "oneOf": [{"const": 1, "title": "第一批"}, {"const": 2, "title": "第二批"}]},
        "independent": {"type": "boolean", "title": "独立法人"},
        "planDate": {"type": ["string", "null"], "format": "date"},
        "plan": {"type": "string"},
        "letter": {"type": "string", "contentMediaType": "application/pdf"},
        "experts": {"type": "array", "items": {"type": "string"}},
        "coBuilders": {"type": "array", "title": "共建单位", "items": {
            "type": "object", "title": "共建单位", "required": ["name"],
            "properties": {"name": {"type": "string", "title": "单位名称"},
                           "core": {"type": "boolean"},
                           "chain": {"type": "string"}}}},
    },
}
UI = {
    "order": ["coBuilders", "centerName", "gone"],
    "fields": {
        "category": {"widget": "radio", "x-enumNames": ["领域类", "综合类"]},
        "independent": {"x-enumNames": {"true": "是，独立法人", "false": "否"}},
        "plan": {"widget": "textarea"},
        "experts": {"widget": "user-select", "group": "expert"},
        "coBuilders.chain": {"visibleWhen": {"coBuilders.core": True}},
    },
}


def built(values: dict | None = None, **options) -> dict:
    fields = FormBuilder(SCHEMA, UI, **options).fields(values or {})
    return {field.name: field for field in fields}


def test_fields_come_in_the_uis_order_then_the_schemas():
    assert list(built()) == ["coBuilders", "centerName", "category", "round", "independent", "planDate",
                             "plan", "letter", "experts"]


def test_a_field_without_title_is_named_by_its_key_and_required_ones_are_marked():
    fields = built()
    assert (fields["centerName"].title, fields["centerName"].required) == ("中心名称", True)
    assert (fields["planDate"].title, fields["planDate"].required) == ("planDate", False)


def test_enum_labels_come_from_the_hints_and_the_widget_may_be_radio():
    category = built()["category"]
    assert (category.kind, category.widget) == ("choice", "radio")
    assert category.options == [("domain", "领域类"), ("comprehensive", "综合类")]


def test_one_of_constants_are_options_labelled_by_their_titles_in_a_select():
    chosen = built({"round": 2})["round"]
    assert (chosen.kind, chosen.widget, chosen.text, chosen.label) == ("choice", "select", "2", "第二批")
    assert chosen.options == [("1", "第一批"), ("2", "第二批")]


def test_a_boolean_is_a_radio_choice_with_yes_and_no():
    assert built()["independent"].options == [("true", "是，独立法人"), ("false", "否")]
    plain = FormBuilder({"properties": {"ok": {"type": "boolean"}}}, None).fields({"ok": False})[0]
    assert (plain.kind, plain.widget, plain.options, plain.label) == (
        "choice", "radio", [("true", "是"), ("false", "否")], "否")


def test_dates_textareas_and_nullable_fields():
    fields = built()
    assert (fields["planDate"].kind, fields["planDate"].nullable) == ("date", True)
    assert fields["plan"].kind == "textarea"
    assert fields["centerName"].kind == "string"


def test_a_file_field_shows_the_attachment_its_value_refers_to():
    stored = {"id": "42", "name": "推荐函.pdf"}
    letter = built({"letter": "attachment:42"}, attachments={"42": stored})["letter"]
    assert (letter.kind, letter.attachment) == ("file", stored)


def test_people_are_offered_from_the_hinted_group():
    people = {"expert": [SimpleNamespace(id="expert4", label="专家四（新疆农业大学）")]}
    experts = built(people=lambda group: people[group])["experts"]
    assert (experts.kind, experts.options) == ("people", [("expert4", "专家四（新疆农业大学）")])


def test_without_people_a_user_select_is_a_list_of_rows():
    assert built({"experts": ["expert4"]})["experts"].kind == "array"


def test_rows_carry_their_index_in_the_name_and_the_hints_without_it():
    rows = built({"coBuilders": [{"name": "新疆大学", "core": True}, {"name": "园区"}]})["coBuilders"]
    assert [row.name for row in rows.rows] == ["coBuilders.0", "coBuilders.1"]
    name = rows.rows[1].children[0]
    assert (name.name, name.key, name.value, name.required) == ("coBuilders.1.name", "coBuilders.name", "园区", True)
    assert rows.template.name == f"coBuilders.{INDEX_PLACEHOLDER}"
    assert rows.template.title == "共建单位"


def test_a_condition_follows_the_row_of_its_field():
    rows = built({"coBuilders": [{}, {}, {}]})["coBuilders"]
    chain = rows.rows[2].children[2]
    assert chain.hints["visible_when"] == {"coBuilders.2.core": True}
    assert chain.visible_when == '{"coBuilders.2.core": true}'
    assert rows.template.children[2].hints["visible_when"] == {f"coBuilders.{INDEX_PLACEHOLDER}.core": True}


def test_errors_are_shown_beside_the_field_they_name():
    errors = {"centerName": "必填", "coBuilders.0.name": "单位名称：必填"}
    rows = built({"coBuilders": [{}]}, errors=errors)
    assert rows["centerName"].error == "必填"
    assert rows["coBuilders"].rows[0].children[0].error == "单位名称：必填"


def test_all_names_lists_every_field_of_the_tree():
    names = all_names(FormBuilder(SCHEMA, UI).fields({"coBuilders": [{"name": "a"}]}))
    assert {"centerName", "coBuilders", "coBuilders.0", "coBuilders.0.name", "coBuilders.0.chain"} <= names


@pytest.mark.parametrize(("value", "shown"), [
    (None, ""), (True, "true"), (False, "false"), (70.0, "70"), (55.5, "55.5"), (3, "3"),
    ({"a": "棉"}, '{"a": "棉"}'), ("文本", "文本"),
])
def test_a_value_as_an_input_shows_it(value, shown):
    assert input_text(value) == shown


def test_hint_keys_attachment_references_and_condition_paths():
    assert hint_key("coBuilders.3.signature.scan") == "coBuilders.signature.scan"
    assert (attachment_id("attachment:7"), attachment_id("7"), attachment_id(None)) == ("7", None, None)
    assert resolve_path("units.people.role", "units.1.people.0.name") == "units.1.people.0.role"
    assert resolve_path("other.flag", "units.1.name") == "other.flag"


def test_a_stored_time_reads_as_officers_write_it_not_as_an_iso_string():
    due = FormBuilder({}, {}).field({"type": "string"}, "recommendDue", "recommendDue",
                                    "2026-03-09T10:00:00Z", False)
    assert due.label == "2026-03-09 18:00"
    plain = FormBuilder({}, {}).field({"type": "string"}, "no", "no", "乌政函〔2026〕12号", False)
    assert plain.label == "乌政函〔2026〕12号"


ENGLISH_SCHEMA = {
    "type": "object",
    "properties": {
        "centerName": {"type": "string", "title": "中心名称", "title_en": "Center name"},
        "field": {"type": "string", "title": "所属领域", "enum": ["coal", "oil_gas"]},
        "round": {"type": "integer", "oneOf": [{"const": 1, "title": "第一批", "title_en": "First round"}]},
        "independent": {"type": "boolean", "title": "独立法人"},
        "coBuilders": {"type": "array", "title": "共建单位", "title_en": "Co-builders", "items": {
            "type": "object", "title": "共建单位", "title_en": "Co-builder",
            "properties": {"name": {"type": "string", "title": "单位名称", "title_en": "Organization name"}}}},
    },
}
ENGLISH_UI = {"fields": {
    "field": {"x-enumNames": ["煤炭", "油气"], "x-enumNames-en": ["Coal", "Oil and gas"]},
    "independent": {"x-enumNames": {"true": "是，独立法人", "false": "否"}},
}}


@pytest.mark.parametrize(("english", "expected"), [
    (True, {"centerName": "Center name", "field": "所属领域", "round": "round", "coBuilders": "Co-builders",
            "row": "Co-builder", "name": "Organization name", "options": [("coal", "Coal"), ("oil_gas", "Oil and gas")],
            "round_options": [("1", "First round")], "independent": [("true", "是，独立法人"), ("false", "否")]}),
    (False, {"centerName": "中心名称", "field": "所属领域", "round": "round", "coBuilders": "共建单位",
             "row": "共建单位", "name": "单位名称", "options": [("coal", "煤炭"), ("oil_gas", "油气")],
             "round_options": [("1", "第一批")], "independent": [("true", "是，独立法人"), ("false", "否")]}),
], ids=["english", "chinese"])
def test_in_english_titles_and_choices_are_the_english_ones_the_form_gives(english, expected):
    fields = {f.name: f for f in FormBuilder(ENGLISH_SCHEMA, ENGLISH_UI, english=english).fields(
        {"coBuilders": [{"name": "新疆大学"}]})}
    [row] = fields["coBuilders"].rows

    assert {name: fields[name].title for name in ("centerName", "field", "round", "coBuilders")} == {
        name: expected[name] for name in ("centerName", "field", "round", "coBuilders")}
    # A title or a choice without an English side keeps its Chinese one.
    assert (fields["coBuilders"].template.title, row.children[0].title) == (expected["row"], expected["name"])
    assert fields["field"].options == expected["options"]
    assert fields["round"].options == expected["round_options"]
    assert fields["independent"].options == expected["independent"]
