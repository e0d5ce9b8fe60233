"""Collect the project's own models (bpmn/, forms/) for deployment at start-up."""
from __future__ import annotations

from pathlib import Path

from app.platform.deployment import SCHEMA_SUFFIX, UI_SUFFIX


def collect(bpmn_dir: Path, forms_dir: Path) -> dict[str, bytes]:
    """Diagrams by file name, forms by their form key path (`forms/a/b.schema.json` → `a/b`)."""
    files: dict[str, bytes] = {}
    for path in sorted(bpmn_dir.glob("**/*")):
        if path.suffix in (".bpmn", ".dmn") and path.is_file():
            files[path.relative_to(bpmn_dir).as_posix()] = path.read_bytes()
    for path in sorted(forms_dir.glob("**/*.json")):
        if path.name.endswith((SCHEMA_SUFFIX, UI_SUFFIX)):
            files[path.relative_to(forms_dir).as_posix()] = path.read_bytes()
    return files
