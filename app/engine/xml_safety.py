"""Parse and schema-check model files uploaded by analysts (untrusted XML).

Parsing never resolves entities, loads DTDs or touches the network (XXE), and any
document with a DOCTYPE is refused outright: BPMN and DMN never need one, so refusing
it closes entity expansion attacks (billion laughs) without weighing each declaration.
Every failure is an `InvalidDefinition` carrying located, bilingual problems.

A model is stored and served without markup of other vocabularies: an upload may carry an
XHTML or SVG `<script>` in its extension elements, which a browser opening the file runs.
"""
from __future__ import annotations

import copy
import importlib.util
import os
import re
import threading
from functools import lru_cache

from lxml import etree

from app.engine.errors import DefinitionProblem, InvalidDefinition

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

# DMN namespace → schema file bundled with SpiffWorkflow (DMN 1.1, 1.2, 1.3).
DMN_SCHEMA_FILES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "DMN.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "DMN12.xsd",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "DMN13.xsd",
}

# What a stored model keeps: its own standard, Camunda's extensions and bpmn-js's colours
# (English labels live in camunda:properties). XSI carries xsi:type of expressions.
_XML_INFRASTRUCTURE = {
    "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/2001/XMLSchema-instance",
}
_BPMN_VOCABULARY = frozenset({
    BPMN_NS,
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://camunda.org/schema/1.0/bpmn",
    "http://camunda.org/schema/modeler/1.0",
    "http://bpmn.io/schema/bpmn/biocolor/1.0",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
    *_XML_INFRASTRUCTURE,
})
_DMN_VOCABULARY = frozenset({
    *DMN_SCHEMA_FILES,
    "http://www.omg.org/spec/DMN/20180521/DMNDI/",
    "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "http://www.omg.org/spec/DMN/20180521/DC/",
    "http://www.omg.org/spec/DMN/20180521/DI/",
    "http://camunda.org/schema/1.0/dmn",
    "http://camunda.org/schema/modeler/1.0",
    "http://bpmn.io/schema/dmn/biodi/1.0",
    "http://bpmn.io/schema/dmn/biodi/2.0",
    *_XML_INFRASTRUCTURE,
})

# Long namespace URIs make schema messages unreadable; show the usual prefixes instead.
_PREFIXES = {
    BPMN_NS: "bpmn",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
    **{ns: "dmn" for ns in DMN_SCHEMA_FILES},
}
_NAMESPACED = re.compile(r"\{([^}]*)\}")

# A DOCTYPE can only come before the root element; later it is text (an HTML template
# in a script's CDATA, say).
_ELEMENT_START = re.compile(rb"<[A-Za-z_:]")

# A schema object keeps one error log: validations from two request threads must not interleave.
_SCHEMA_LOCK = threading.Lock()


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_xml(content: bytes, file_name: str) -> etree._ElementTree:
    """Parse an uploaded model file; raise InvalidDefinition for anything but safe XML."""
    if not content or not content.strip():
        raise InvalidDefinition([DefinitionProblem(file_name, "模型文件为空", "The file is empty")])
    _refuse_doctype_bytes(content, file_name)
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as error:
        raise InvalidDefinition([_syntax_problem(error, file_name)]) from None
    except (etree.LxmlError, ValueError) as error:
        raise InvalidDefinition([_unreadable_problem(str(error), file_name)]) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InvalidDefinition([_doctype_problem(file_name, None)])
    return tree


def _refuse_doctype_bytes(content: bytes, file_name: str) -> None:
    # Checked before parsing so a billion-laughs file gets the DTD message rather than a
    # syntax error. Other encodings (UTF-16...) are caught after parsing, which is safe
    # because entities are never resolved.
    position = content.find(b"<!DOCTYPE")
    if position >= 0 and not _ELEMENT_START.search(content, 0, position):
        raise InvalidDefinition([_doctype_problem(file_name, content.count(b"\n", 0, position) + 1)])


def _doctype_problem(file_name: str, line: int | None) -> DefinitionProblem:
    return DefinitionProblem(
        file_name,
        "模型文件不允许包含 DTD 或实体声明",
        "DTDs and entity declarations are not allowed",
        line=line,
    )


def _syntax_problem(error: etree.XMLSyntaxError, file_name: str) -> DefinitionProblem:
    message = " ".join((error.msg or str(error)).split())
    if "Document is empty" in message or "Start tag expected" in message:
        return _unreadable_problem(message, file_name)
    return DefinitionProblem(
        file_name,
        f"XML 格式错误：{message}",
        f"Malformed XML: {message}",
        line=error.lineno or None,
    )


def _unreadable_problem(detail: str, file_name: str) -> DefinitionProblem:
    return DefinitionProblem(
        file_name,
        f"文件不是 XML 文档，无法读取（{detail}）",
        f"The file is not an XML document ({detail})",
        line=None,
    )


def strip_foreign_markup(tree: etree._ElementTree, content: bytes) -> bytes:
    """Remove, in place, elements, attributes and processing instructions of other
    vocabularies; return the file to store: `content` itself when nothing was foreign.

    Source lines of the remaining elements stay those of the upload, for located errors.
    """
    root = tree.getroot()
    vocabulary = _DMN_VOCABULARY if etree.QName(root).namespace in DMN_SCHEMA_FILES else _BPMN_VOCABULARY
    # Serializing the root alone drops the processing instructions around it.
    removed = any(isinstance(node, etree._ProcessingInstruction)
                  for node in (*root.itersiblings(preceding=True), *root.itersiblings()))
    removed |= _strip_attributes(root, vocabulary)
    for node in list(root.iterdescendants()):
        if isinstance(node, etree._ProcessingInstruction) or (
            isinstance(node.tag, str) and etree.QName(node).namespace not in vocabulary
        ):
            _remove_keeping_tail(node)
            removed = True
        elif isinstance(node.tag, str):
            removed |= _strip_attributes(node, vocabulary)
    if not removed:
        return content
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _strip_attributes(element: etree._Element, vocabulary: frozenset) -> bool:
    foreign = [name for name in element.attrib
               if name.startswith("{") and etree.QName(name).namespace not in vocabulary]
    for name in foreign:
        del element.attrib[name]
    return bool(foreign)


def _remove_keeping_tail(node: etree._Element) -> None:
    parent = node.getparent()
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def bpmn_schema_problems(tree: etree._ElementTree, file_name: str) -> list[DefinitionProblem]:
    """Problems found by the BPMN 2.0 XSD; an empty list means the file is schema-valid."""
    return _validate(_bpmn_schema(), _as_bpmn_js_would_mean(tree), tree, file_name, "BPMN 2.0")


def dmn_schema_problems(tree: etree._ElementTree, file_name: str) -> list[DefinitionProblem]:
    """Problems found by the XSD of the file's DMN version (1.1, 1.2 or 1.3)."""
    namespace = etree.QName(tree.getroot()).namespace
    if namespace not in DMN_SCHEMA_FILES:
        return [
            DefinitionProblem(
                file_name,
                f"不支持的 DMN 版本或不是 DMN 文件（命名空间 {namespace or '无'}），仅支持 DMN 1.1/1.2/1.3",
                f"Unsupported DMN version or not a DMN file (namespace {namespace or 'none'}); "
                "DMN 1.1, 1.2 and 1.3 are supported",
                line=tree.getroot().sourceline,
                element_id=tree.getroot().get("id"),
            )
        ]
    return _validate(_dmn_schema(namespace), tree, tree, file_name, "DMN")


def _as_bpmn_js_would_mean(tree: etree._ElementTree) -> etree._ElementTree:
    # bpmn-js writes correlation retrieval expressions as formalExpression where the XSD
    # wants messagePath (SpiffWorkflow's validator renames them too); rename in a copy so
    # the caller's tree stays as uploaded. deepcopy keeps source lines.
    xpath = "//bpmn:correlationPropertyRetrievalExpression/bpmn:formalExpression"
    if not tree.xpath(xpath, namespaces={"bpmn": BPMN_NS}):
        return tree
    checked = copy.deepcopy(tree)
    for element in checked.xpath(xpath, namespaces={"bpmn": BPMN_NS}):
        element.tag = f"{{{BPMN_NS}}}messagePath"
    return checked


def _validate(schema: etree.XMLSchema, checked, tree, file_name: str, standard: str) -> list[DefinitionProblem]:
    with _SCHEMA_LOCK:
        if schema.validate(checked):
            return []
        errors = list(schema.error_log)
    elements_by_line = _elements_by_line(tree)
    problems: list[DefinitionProblem] = []
    for entry in errors:
        message = _readable(entry.message)
        problem = DefinitionProblem(
            file_name,
            f"不符合 {standard} 规范：{message}",
            f"Not valid {standard}: {message}",
            line=entry.line or None,
            element_id=_nearest_id(elements_by_line.get(entry.line)),
        )
        if problem not in problems:
            problems.append(problem)
    return problems


def _elements_by_line(tree: etree._ElementTree) -> dict[int, etree._Element]:
    found: dict[int, etree._Element] = {}
    for element in tree.iter(etree.Element):
        found.setdefault(element.sourceline, element)
    return found


def _nearest_id(element: etree._Element | None) -> str | None:
    # An error on <incoming> or <text> is best located by the flow node or rule around it.
    while element is not None:
        if element.get("id"):
            return element.get("id")
        element = element.getparent()
    return None


def _readable(message: str) -> str:
    return _NAMESPACED.sub(lambda m: f"{_PREFIXES[m.group(1)]}:" if m.group(1) in _PREFIXES else m.group(0), message)


def _schema_dir(package: str) -> str:
    # Locate SpiffWorkflow's bundled XSDs without importing the library.
    spec = importlib.util.find_spec("SpiffWorkflow")
    return os.path.join(spec.submodule_search_locations[0], package, "parser", "schema")


@lru_cache(maxsize=None)
def _bpmn_schema() -> etree.XMLSchema:
    return _load_schema(os.path.join(_schema_dir("bpmn"), "BPMN20.xsd"))


@lru_cache(maxsize=None)
def _dmn_schema(namespace: str) -> etree.XMLSchema:
    file_name = DMN_SCHEMA_FILES[namespace]
    repair = _accept_dmn12_diagrams_unchecked if file_name == "DMN12.xsd" else None
    return _load_schema(os.path.join(_schema_dir("dmn"), file_name), repair)


def _load_schema(path: str, repair=None) -> etree.XMLSchema:
    # Our own trusted files: imports of sibling XSDs must resolve, hence the default parser.
    document = etree.parse(path)
    if repair:
        repair(document.getroot())
    return etree.XMLSchema(document)


def _accept_dmn12_diagrams_unchecked(schema: etree._Element) -> None:
    # SpiffWorkflow ships a DMNDI12.xsd that holds the DI schema, not DMNDI, so DMN12.xsd
    # cannot load as is. The diagram part is only layout: let it through unchecked.
    xsd = "http://www.w3.org/2001/XMLSchema"
    dmndi = schema.nsmap["dmndi"]
    for found in schema.findall(f"{{{xsd}}}import[@namespace='{dmndi}']"):
        schema.remove(found)
    for ref in list(schema.iter(f"{{{xsd}}}element")):
        if ref.get("ref") == "dmndi:DMNDI":
            wildcard = etree.Element(f"{{{xsd}}}any", namespace=dmndi, processContents="skip", minOccurs="0")
            ref.getparent().replace(ref, wildcard)
