"""The names the version page gives the element types and properties a diff lists (issue 11):
a property the diff writes as a path is shown under its Chinese label, with the path beside
it when the label names only the part it belongs to."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.bpmn_diff import diff_models
from app.web.modeler.version_messages import MESSAGES, TYPES, all_messages, property_label

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpmn"


@pytest.mark.parametrize("path, label, beside", [
    ("name", "名称", ""),
    ("camunda:candidateGroups", "候选组", ""),
    ("timerEventDefinition/timeDuration", "定时器时长", ""),
    ("conditionExpression", "条件", ""),
    ("conditionExpression@xsi:type", "条件", "conditionExpression@xsi:type"),
    ("extensionElements/camunda:inputOutput/camunda:inputParameter[score]", "输入/输出映射",
     "extensionElements/camunda:inputOutput/camunda:inputParameter[score]"),
    ("messageEventDefinition@messageRef", "消息事件", "messageEventDefinition@messageRef"),
])
def test_a_property_is_shown_under_its_chinese_label(path, label, beside):
    key, shown_beside = property_label(path)
    assert (all_messages()[key][0], shown_beside) == (label, beside)


def test_a_property_without_a_label_is_shown_as_its_path():
    assert property_label("{urn:other}flag") == (None, "{urn:other}flag")


def test_every_property_the_diff_of_two_versions_lists_has_a_label_and_every_element_a_type_name():
    diff = diff_models((FIXTURES / "mig_review_v1.bpmn").read_bytes(),
                       (FIXTURES / "mig_review_v2.bpmn").read_bytes(), "mig_review").to_dict()
    properties = {c["property"] for e in diff["changed"] for c in e["changes"]}
    assert properties and all(property_label(p)[0] for p in properties)
    types = {e["type"] for kind in ("added", "removed", "changed") for e in diff[kind]}
    assert types <= set(TYPES)


def test_every_label_has_both_languages():
    assert all(zh and en for zh, en in all_messages().values())
    assert "versions.only_one" in MESSAGES
