"""English names beside the Chinese ones in the models (issue 13): the Camunda property
`name_en` of processes, steps and endings, recorded at deploy beside `name`."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from app.engine.compiler import NS, _elements, english_name

MODELS = sorted(Path(__file__).resolve().parents[2].joinpath("bpmn").glob("*.bpmn"))
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
