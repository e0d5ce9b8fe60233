"""English names beside the Chinese ones (issue 13): in the models, the Camunda property
`name_en` of processes, steps and endings, recorded at deploy beside `name`; in the forms,
`title_en` beside every `title` and `x-enumNames-en` beside every `x-enumNames`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from app.engine.compiler import NS, _elements, english_name

ROOT = Path(__file__).resolve().parents[2]
MODELS = sorted(ROOT.joinpath("bpmn").glob("*.bpmn"))
FORMS = sorted(ROOT.joinpath("forms").rglob("*.json"))
# What the pages show by name: the process, its steps and the endings a case page reports.
NAMED = "//bpmn:process | //bpmn:userTask | //bpmn:callActivity | //bpmn:endEvent[@name]"


@pytest.mark.parametrize("model", MODELS, ids=lambda path: path.name)
def test_every_process_step_and_named_ending_has_an_english_name(model):
    tree = etree.parse(str(model))

    missing = [node.get("id") for node in tree.xpath(NAMED, namespaces=NS) if not english_name(node)]

    assert missing == []


def test_the_compiled_elements_keep_the_english_name_beside_the_chinese_one():
    process = etree.fromstring(
        b'<bpmn:process xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        b' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="review" name="\xe5\xae\xa1\xe6\xa0\xb8">'
        b'<bpmn:extensionElements><camunda:properties><camunda:property name="name_en" value="Review"/>'
        b'</camunda:properties></bpmn:extensionElements>'
        b'<bpmn:userTask id="check" name="\xe5\xbd\xa2\xe5\xbc\x8f\xe5\xae\xa1\xe6\x9f\xa5"><bpmn:extensionElements>'
        b'<camunda:properties><camunda:property name="other" value="x"/>'
        b'<camunda:property name="name_en" value=" Formal review "/></camunda:properties>'
        b'</bpmn:extensionElements></bpmn:userTask>'
        b'<bpmn:endEvent id="end"/></bpmn:process>'
    )

    assert _elements(process) == {
        "review": {"name": "审核", "type": "process", "name_en": "Review"},
        "check": {"name": "形式审查", "type": "userTask", "name_en": "Formal review"},
        "end": {"name": None, "type": "endEvent", "name_en": None},
    }


def _without_english(node, path: str = "") -> list[str]:
    """Where a Chinese title or list of choice names has no English one beside it."""
    if isinstance(node, list):
        return [m for i, v in enumerate(node) for m in _without_english(v, f"{path}/{i}")]
    if not isinstance(node, dict):
        return []
    found = []
    if isinstance(node.get("title"), str) and not node.get("title_en"):
        found.append(f"{path}/title")
    if "x-enumNames" in node and "x-enumNames-en" not in node:
        found.append(f"{path}/x-enumNames")
    return found + [m for k, v in node.items() for m in _without_english(v, f"{path}/{k}")]


@pytest.mark.parametrize("form", FORMS, ids=lambda path: path.name)
def test_every_form_title_and_choice_name_has_an_english_one(form):
    assert _without_english(json.loads(form.read_text(encoding="utf-8"))) == []
