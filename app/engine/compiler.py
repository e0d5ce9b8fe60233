"""Deploy-time compilation: untrusted XML in, versionable engine specs out (or located errors)."""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

from lxml import etree

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from . import expressions, feel
from .errors import DefinitionProblem, InvalidDefinition
from .implicit_starts import add_implicit_starts
from .lint import generic_form_key, lint_bpmn, lint_calls, lint_dmn
from .timers import DEFAULT_MIN_CYCLE
from .specs import TicParser, make_serializer
from .xml_safety import bpmn_schema_problems, dmn_schema_problems, parse_xml, strip_foreign_markup

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}
FLOW_NODE_TAGS = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "userTask", "serviceTask", "sendTask", "receiveTask", "scriptTask",
    "businessRuleTask", "manualTask", "task", "callActivity", "subProcess", "transaction",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
}


@dataclass
class CompiledProcess:
    key: str
    name: str | None
    resource_name: str
    bpmn_xml: bytes
    spec_json: str
    elements: dict[str, dict]
    form_keys: set[str] = field(default_factory=set)
    has_timer_start: bool = False
    content_hash: str = ""
    starter_groups: list[str] = field(default_factory=list)
    starter_users: list[str] = field(default_factory=list)


@dataclass
class SourceFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class CompiledDecision:
    """The one decision of a DMN file (the lint refuses files with more)."""

    key: str
    name: str | None
    resource_name: str


@dataclass
class CompiledModels:
    """The executable processes and the decisions of a deployment, and every model file as it
    is stored and served: without markup of other vocabularies."""

    processes: list[CompiledProcess]
    files: dict[str, bytes]
    decisions: list[CompiledDecision] = field(default_factory=list)
    # What the lint warns about without refusing (e.g. a user task nobody is offered).
    warnings: list[DefinitionProblem] = field(default_factory=list)


def content_hash(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def compile_models(
    bpmn_files: list[SourceFile],
    dmn_files: list[SourceFile],
    known_forms: set[str],
    known_topics: set[str],
    library: list[SourceFile] | None = None,
) -> list[CompiledProcess]:
    """The executable processes of `bpmn_files`, compiled (see `compile_deployment`)."""
    return compile_deployment(bpmn_files, dmn_files, known_forms, known_topics, library).processes


def compile_deployment(
    bpmn_files: list[SourceFile],
    dmn_files: list[SourceFile],
    known_forms: set[str],
    known_topics: set[str],
    library: list[SourceFile] | None = None,
    timer_min_cycle: timedelta = DEFAULT_MIN_CYCLE,
) -> CompiledModels:
    """Validate every file and compile every executable process of `bpmn_files`.

    `library` holds already-deployed diagrams that call activities may target; timer
    cycles may not repeat more often than `timer_min_cycle`.
    Raises InvalidDefinition listing every error found (and the warnings beside them);
    the warnings of an accepted deployment are in the result.
    """
    def bpmn_lint(tree, file_name, known_decisions):
        return lint_bpmn(tree, file_name, known_forms, known_topics, timer_min_cycle, known_decisions)

    warnings: list[DefinitionProblem] = []
    try:
        return _compile_checked(bpmn_files, dmn_files, bpmn_lint, library or [], warnings, known_forms)
    except InvalidDefinition as error:
        # The warnings found before the refusal travel with it: a check shows both.
        raise InvalidDefinition(error.problems, warnings) from error


def _compile_checked(bpmn_files, dmn_files, bpmn_lint, library, warnings, known_forms) -> CompiledModels:
    dmn_trees = _checked_trees(dmn_files, dmn_schema_problems, lint_dmn, warnings)
    decisions = {_decision(source, tree).key for source, tree in dmn_trees}
    bpmn_trees = _checked_trees(
        bpmn_files, bpmn_schema_problems, lambda tree, name: bpmn_lint(tree, name, decisions), warnings)
    _check_calls(bpmn_trees, library)
    # A descriptive file (no executable process) is stored as it is and never given to the
    # engine, which would refuse what such a model need not have (data stores, ...).
    parser = _load_parser([t for t in bpmn_trees if _executable(t[1])], dmn_trees, library, known_forms)
    dmn_hash = content_hash(*(f.content for f, _ in sorted(dmn_trees, key=lambda t: t[0].name)))
    compiled = []
    for source, tree in bpmn_trees:
        for process in tree.getroot().iterfind("bpmn:process[@isExecutable='true']", NS):
            compiled.append(_compile_process(parser, source, process, dmn_hash))
    files = {source.name: source.content for source, _ in bpmn_trees + dmn_trees}
    return CompiledModels(compiled, files, [_decision(source, tree) for source, tree in dmn_trees], warnings)


def _check_calls(bpmn_trees, library) -> None:
    """Every process a call activity names is deployed with it or before it."""
    known = {p.get("id") for _, tree in bpmn_trees for p in tree.getroot().iterfind("bpmn:process", NS)}
    for source in library:
        known |= {p.get("id") for p in parse_xml(source.content, source.name).getroot().iterfind("bpmn:process", NS)}
    problems = [problem for source, tree in bpmn_trees for problem in lint_calls(tree, source.name, known)]
    if problems:
        raise InvalidDefinition(problems)


def _executable(tree) -> bool:
    return tree.getroot().find("bpmn:process[@isExecutable='true']", NS) is not None


def _decision(source: SourceFile, tree) -> CompiledDecision:
    decision = tree.getroot().find(f"{{{etree.QName(tree.getroot()).namespace}}}decision")
    return CompiledDecision(decision.get("id"), decision.get("name"), source.name)


def stored_form(name: str, content: bytes) -> bytes:
    """The bytes a deployment stores for this upload (unchanged when it cannot be read)."""
    try:
        return strip_foreign_markup(parse_xml(content, name), content)
    except InvalidDefinition:
        return content


def _checked_trees(files, schema_check, lint, warnings: list[DefinitionProblem]):
    """Parse, schema-check and lint every file; errors refuse them all, warnings are
    appended to `warnings`."""
    problems: list[DefinitionProblem] = []
    trees = []
    for source in files:
        try:
            tree = parse_xml(source.content, source.name)
        except InvalidDefinition as error:
            problems.extend(error.problems)
            continue
        for problem in schema_check(tree, source.name) + lint(tree, source.name):
            (problems if problem.is_error else warnings).append(problem)
        # Checked as uploaded (lines, refusals); compiled and stored as served.
        trees.append((SourceFile(source.name, strip_foreign_markup(tree, source.content)), tree))
    if problems:
        raise InvalidDefinition(problems)
    return trees


def _load_parser(bpmn_trees, dmn_trees, library, known_forms):
    parser = TicParser()
    with _located("", None):
        for source, tree in dmn_trees:
            with _located(source.name, tree):
                parser.add_dmn_xml(dmn_engine_ready(tree).getroot(), filename=source.name)
        deployed = set()
        for source, tree in bpmn_trees:
            with _located(source.name, tree):
                parser.add_bpmn_xml(engine_ready(tree, known_forms).getroot(), filename=source.name)
            deployed |= {p.get("id") for p in tree.getroot().iterfind("bpmn:process", NS)}
        for source in library:
            tree = parse_xml(source.content, source.name)
            ids = {p.get("id") for p in tree.getroot().iterfind("bpmn:process", NS)}
            # A process already loaded (uploaded now, or in another deployed file) is not
            # loaded twice: the engine refuses a duplicate process id.
            if not ids & deployed:
                with _located(source.name, tree):
                    parser.add_bpmn_xml(engine_ready(tree, known_forms).getroot(), filename=source.name)
                deployed |= ids
    return parser


def _compile_process(parser, source, process, dmn_hash) -> CompiledProcess:
    key = process.get("id")
    with _located(source.name, process.getroottree()):
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
        serializer = make_serializer()
        spec_json = json.dumps({
            "spec": serializer.to_dict(spec),
            "subprocess_specs": {k: serializer.to_dict(v) for k, v in subprocess_specs.items()},
        })
    return CompiledProcess(
        key=key,
        name=process.get("name"),
        resource_name=source.name,
        bpmn_xml=source.content,
        spec_json=spec_json,
        elements=_elements(process),
        form_keys=_form_keys(spec, *subprocess_specs.values()),
        has_timer_start=any(
            True for _ in process.iterfind("bpmn:startEvent/bpmn:timerEventDefinition", NS)
        ),
        content_hash=content_hash(source.content, spec_json.encode(), dmn_hash.encode()),
        starter_groups=_csv(process.get(f"{{{CAMUNDA_NS}}}candidateStarterGroups")),
        starter_users=_csv(process.get(f"{{{CAMUNDA_NS}}}candidateStarterUsers")),
    )


def _form_keys(*specs) -> set[str]:
    """Form keys of every user task the process can reach, called processes included:
    the definition pins the form versions its instances will show and validate."""
    keys = set()
    for spec in specs:
        for task_spec in spec.task_specs.values():
            key = (getattr(task_spec, "extensions", None) or {}).get("formKey")
            if key:
                keys.add(key)
    return keys


def _csv(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _elements(process) -> dict[str, dict]:
    """The flow nodes by id: {name, type, name_en}, and the process itself under its own id
    (type "process"), so that one read gives the pages every name a model holds."""
    elements = {process.get("id"): _named(process, "process")}
    for node in process.iter():
        if not isinstance(node.tag, str):
            continue
        local = etree.QName(node).localname
        if local in FLOW_NODE_TAGS and node.get("id"):
            elements[node.get("id")] = _named(node, local)
            fields = form_fields(node)
            if fields:
                elements[node.get("id")]["formFields"] = fields
    return elements


def form_fields(node) -> list[dict]:
    """A user task's `camunda:formField`s: what its generic form asks (no form key)."""
    return [
        {"id": field.get("id"), "label": field.get("label"), "type": field.get("type") or "string",
         "defaultValue": field.get("defaultValue"),
         "values": [{"id": v.get("id"), "name": v.get("name")} for v in field.iterfind("camunda:value", NS)]}
        for field in node.iterfind("bpmn:extensionElements/camunda:formData/camunda:formField", NS)
        if field.get("id")
    ]


def _named(node, element_type: str) -> dict:
    return {"name": node.get("name"), "type": element_type, "name_en": english_name(node)}


def english_name(node) -> str | None:
    """The English name the analysts gave beside the Chinese one: the Camunda property
    `name_en` of the element's own extension elements."""
    values = node.xpath("bpmn:extensionElements/camunda:properties/camunda:property[@name='name_en']/@value",
                        namespaces=NS)
    return (values[0].strip() or None) if values else None


def engine_ready(tree, known_forms=frozenset()):
    """A copy of the diagram with Camunda Modeler's expressions turned into Python, without
    the form keys of other tools' forms, whose tasks get the generic form, and with the
    start events BPMN implies where a subprocess has none."""
    tree = copy.deepcopy(tree)
    root = tree.getroot()
    add_implicit_starts(root)
    for task in root.iter(f"{{{BPMN_NS}}}userTask"):
        if generic_form_key(task, known_forms):
            del task.attrib[f"{{{CAMUNDA_NS}}}formKey"]
    for tag in ("conditionExpression", "completionCondition", "condition"):
        for condition in root.iter(f"{{{BPMN_NS}}}{tag}"):
            condition.text = expressions.condition_to_python(condition.text or "")
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for timer in root.iter(f"{{{BPMN_NS}}}{tag}"):
            timer.text = expressions.timer_to_python(timer.text or "")
    for loop in root.iter(f"{{{BPMN_NS}}}multiInstanceLoopCharacteristics"):
        _data_refs_as_camunda_attributes(loop)
        for attribute in ("collection", "elementVariable"):
            name = f"{{{CAMUNDA_NS}}}{attribute}"
            if loop.get(name):
                loop.set(name, expressions.variable_reference(loop.get(name)))
        for cardinality in loop.iterfind("bpmn:loopCardinality", NS):
            cardinality.text = expressions.variable_reference(cardinality.text)
    return tree


def _data_refs_as_camunda_attributes(loop) -> None:
    """BPMN's `loopDataInputRef` and `inputDataItem` read as Camunda 7 reads them: the
    collection and the element variable (the output references, which Camunda ignores, go)."""
    collection = f"{{{CAMUNDA_NS}}}collection"
    element = f"{{{CAMUNDA_NS}}}elementVariable"
    for ref in loop.iterfind("bpmn:loopDataInputRef", NS):
        if not loop.get(collection) and (ref.text or "").strip():
            loop.set(collection, ref.text.strip())
    for item in loop.iterfind("bpmn:inputDataItem", NS):
        if not loop.get(element) and (item.get("name") or "").strip():
            loop.set(element, item.get("name").strip())
    for tag in ("loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem"):
        for child in loop.iterfind(f"bpmn:{tag}", NS):
            loop.remove(child)


def dmn_engine_ready(tree):
    """A copy of the decision table with dmn-js's FEEL input entries turned into Python."""
    tree = copy.deepcopy(tree)
    namespace = etree.QName(tree.getroot()).namespace
    for text in tree.getroot().iter(f"{{{namespace}}}text"):
        if etree.QName(text.getparent()).localname == "inputEntry":
            translated = feel.unary_tests_to_python(text.text)
            if translated is not None:
                text.text = translated
    return tree


class _located:
    """Turn any exception of the engine library into one located InvalidDefinition."""

    def __init__(self, file_name: str, tree):
        self.file_name = file_name
        self.tree = tree

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, _tb):
        if exc is None or isinstance(exc, InvalidDefinition):
            return False
        if not isinstance(exc, Exception):
            return False
        raise InvalidDefinition([self._problem(exc)]) from exc

    def _problem(self, exc: Exception) -> DefinitionProblem:
        element_id = getattr(exc, "id", None) if isinstance(exc, ValidationException) else None
        line = getattr(exc, "line_number", None) or self._line_of(element_id)
        file_name = getattr(exc, "file_name", None) or self.file_name
        message = str(exc).strip() or type(exc).__name__
        return DefinitionProblem(
            file=file_name or self.file_name,
            message_zh=f"模型无法被流程引擎解析：{message}",
            message_en=f"the engine cannot parse the model ({type(exc).__name__}): {message}",
            line=int(line) if str(line or "").isdigit() else None,
            element_id=element_id or None,
        )

    def _line_of(self, element_id):
        if not element_id or self.tree is None:
            return None
        found = self.tree.getroot().xpath("//*[@id=$id]", id=element_id)
        return found[0].sourceline if found else None
