"""Errors the engine adapter raises; nothing above it sees a SpiffWorkflow exception."""
from __future__ import annotations

from dataclasses import dataclass, asdict


ERROR = "error"
# A warning is shown to the analyst but does not keep a model from being deployed.
WARNING = "warning"


@dataclass(frozen=True)
class DefinitionProblem:
    """One located problem in an uploaded model file; only errors refuse a deployment."""

    file: str
    message_zh: str
    message_en: str
    line: int | None = None
    element_id: str | None = None
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.element_id:
            where += f" [{self.element_id}]"
        return f"{where}: {self.message_zh} / {self.message_en}"


class InvalidDefinition(Exception):
    """A model was refused at deploy: carries every located error found (`problems`) and the
    warnings found beside them, so that a check can show both at once."""

    def __init__(self, problems: list[DefinitionProblem], warnings: list[DefinitionProblem] | None = None):
        self.problems = list(problems)
        self.warnings = list(warnings or [])
        super().__init__("; ".join(str(p) for p in self.problems))


class ScriptRefused(Exception):
    """An expression or script reaches outside the allowed expression language."""

    def __init__(self, message_zh: str, message_en: str, line: int | None = None):
        self.message_zh = message_zh
        self.message_en = message_en
        self.line = line
        super().__init__(f"{message_zh} / {message_en}")


class EngineError(Exception):
    """A running instance hit an error (expression, script, missing data)."""

    def __init__(self, message: str, activity_id: str | None = None, error_type: str | None = None):
        self.activity_id = activity_id
        self.error_type = error_type
        super().__init__(message)


class TaskNotReady(Exception):
    """The task is not (or no longer) waiting for a person."""


class NotWaitingForMessage(Exception):
    """No execution of the instance waits for the message."""


class NotWaitingForSignal(Exception):
    """No execution of the instance waits for the signal."""
