"""The interop corpus (../shared/corpus) deployed as a team moving from Camunda 7 would deploy
it, and what became of each BPMN file: the README's table "Camunda models".

Into one database, through the platform's deployment service as the analyst: first every
decision table on its own (as Camunda Modeler deploys a DMN file), then each BPMN file in its
own deployment, in path order (a called process before its caller); each executable process
it deployed is then started without variables (a timer start is started by its deployment),
and when that fails and the file is in START_VARIABLES, with the variables its gateway or
multi-instance reads, as a Camunda user would start it.

Run `.venv/bin/python -m tests.support.corpus` to print the figures on a fresh SQLite database.
"""
from __future__ import annotations

import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import ServiceError
from app.core.identity import load_actor
from app.platform.deployment import DeploymentRefused, deploy
from app.platform.process_instances import start_process

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
ENGINE_MESSAGE = "模型无法被流程引擎解析"

DESCRIPTIVE = "deploy, nothing to start (no executable process)"
STARTED = "deploy and start"
STARTED_WITH_VARIABLES = "deploy and start with variables"
NEEDS_VARIABLES = "deploy; the start without variables fails"
REFUSED = "refused, each problem located and naming the feature"
FAILED = "fail otherwise (a crash, or a problem not located)"
OUTCOMES = (DESCRIPTIVE, STARTED, STARTED_WITH_VARIABLES, NEEDS_VARIABLES, REFUSED, FAILED)

# The start variables of the files whose start reads a variable no form asks for.
START_VARIABLES = {
    # Its gateway's conditions read x (x==1, x==2, else a decision table).
    "examples/SpiffWorkflow/ExclusiveGatewayIfElseAndDecision.bpmn": {"x": 1},
    # Its parallel multi-instance runs once per item of input_data.
    "examples/SpiffWorkflow/parallel_multiinstance_loop_input.bpmn": {"input_data": [1, 2, 3]},
}

# The features the refusals name, by the words their English messages begin with.
FEATURES = (
    ("service task without implementation", r"^Service task has no implementation"),
    ("Java delegate", r"^Java delegates are not supported"),
    ("timer without time expression", r"^Timer has no time expression"),
    ("timer more often than the minimum interval", r"more often than the minimum interval"),
    ("embedded HTML form", r"^Embedded HTML forms and Camunda Forms"),
    ("FEEL condition", r"is FEEL|language is FEEL"),
    ("XPath condition", r"is XPath"),
    ("business rule task without decisionRef", r"^Business rule task has no camunda:decisionRef"),
    ("script language other than Python", r"^Unsupported script language"),
    ("script or condition outside the expression language", r"^(Script|Condition)\b.*: "),
    ("receive task without message", r"^Receive task"),
    ("compensation, link, complex gateway, data store", r"^(Compensation|Link) events|^Complex gateways|^Data stores"),
    ("not valid BPMN 2.0 (XSD)", r"^Not valid BPMN 2.0"),
)


@dataclass
class FileOutcome:
    path: str
    outcome: str
    problems: list[dict] = field(default_factory=list)
    why_not_started: str | None = None

    @property
    def features(self) -> list[str]:
        return sorted({feature_of(p) for p in self.problems})


def feature_of(problem: dict) -> str:
    for feature, pattern in FEATURES:
        if re.search(pattern, problem.get("message_en") or ""):
            return feature
    return "other: " + (problem.get("message_en") or problem["message"])[:60]


def located(problem: dict) -> bool:
    """Named element and line, in words of the lint, not the engine library's message."""
    return bool(problem.get("element_id") and problem.get("line")) and ENGINE_MESSAGE not in problem["message"]


def bpmn_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.bpmn"))


def deploy_corpus(ctx) -> list[FileOutcome]:
    """Deploy the corpus into `ctx`'s database (see the module's doc) and say what each BPMN did."""
    for path in sorted(CORPUS.rglob("*.dmn")):
        try:
            _deployed(ctx, path)
        except DeploymentRefused:
            continue
    return [_outcome(ctx, path) for path in bpmn_files()]


def _deployed(ctx, path: Path):
    with ctx.db.command() as session:
        return deploy(ctx, session, load_actor(session, "analyst"), path.name, {path.name: path.read_bytes()})


def _outcome(ctx, path: Path) -> FileOutcome:
    shown = str(path.relative_to(CORPUS))
    try:
        result = _deployed(ctx, path)
    except DeploymentRefused as refusal:
        outcome = REFUSED if refusal.errors and all(located(p) for p in refusal.errors) else FAILED
        return FileOutcome(shown, outcome, refusal.errors)
    except Exception as error:  # a crash is what this report is there to find
        return FileOutcome(shown, FAILED, [{"message": repr(error), "message_en": repr(error)}])
    if not result.new_definitions:
        return FileOutcome(shown, DESCRIPTIVE)
    failures = [why for why in (_start_failure(ctx, d) for d in result.new_definitions) if why]
    if not failures:
        return FileOutcome(shown, STARTED)
    variables = START_VARIABLES.get(shown)
    if variables is not None and not any(_start_failure(ctx, d, variables) for d in result.new_definitions):
        return FileOutcome(shown, STARTED_WITH_VARIABLES, why_not_started=f"started with {variables}")
    return FileOutcome(shown, NEEDS_VARIABLES, why_not_started="; ".join(failures))


def _start_failure(ctx, definition, variables: dict | None = None) -> str | None:
    if definition.has_timer_start:
        return None
    try:
        with ctx.db.command() as session:
            start_process(ctx, session, None, definition_id=definition.id, variables=variables)
    except ServiceError as error:
        return f"{definition.key}: {error.message}"
    return None


def counts(outcomes: list[FileOutcome]) -> dict[str, int]:
    found = Counter(o.outcome for o in outcomes)
    return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}


def feature_counts(outcomes: list[FileOutcome]) -> Counter:
    """Per feature, the refused files naming it (a file may name several)."""
    return Counter(feature for o in outcomes if o.outcome == REFUSED for feature in o.features)


def report(outcomes: list[FileOutcome]) -> str:
    lines = [f"| of the {len(outcomes)} BPMN files | files |", "|---|---|"]
    lines += [f"| {outcome} | {n} |" for outcome, n in counts(outcomes).items()]
    lines += ["", "| refused for (a file may name several) | files |", "|---|---|"]
    lines += [f"| {feature} | {n} |" for feature, n in sorted(feature_counts(outcomes).items(), key=lambda i: (-i[1], i[0]))]
    lines += ["", "| file | outcome |", "|---|---|"]
    for o in outcomes:
        detail = ", ".join(o.features) if o.outcome in (REFUSED, FAILED) else (o.why_not_started or "")
        lines.append(f"| {o.path} | {o.outcome}{': ' + detail if detail else ''} |")
    return "\n".join(lines)


def main() -> None:
    from tests.support.apps import build_app, frozen_clock
    from tests.support.database import build

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/corpus.sqlite"
        build(url)
        app = build_app(url, frozen_clock())
        ctx = app.extensions["ticflow"]
        try:
            print(report(deploy_corpus(ctx)))
        finally:
            ctx.db.dispose()


if __name__ == "__main__":
    sys.exit(main())
