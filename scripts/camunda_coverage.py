"""How much of Camunda 7's REST API this system offers, per endpoint group.

Prints the README's table: for each group of Camunda's operations (the first segment of the
path, `history/…` by its second), how many we implement. An operation is ours when a route
of /engine-rest has its method and path (parameter names aside). Routes Camunda does not
have are listed after the table, so that an extension is never mistaken for coverage.

    .venv/bin/python scripts/camunda_coverage.py
"""
from __future__ import annotations

import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OPERATIONS = Path(__file__).with_name("camunda7_operations.txt")
PREFIX = "/engine-rest"


def camunda_operations() -> set[tuple[str, str]]:
    lines = OPERATIONS.read_text(encoding="utf-8").splitlines()
    return {(method, _shape(path)) for method, path in (line.split() for line in lines if line and line[0] != "#")}


def our_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found.add((method, _shape(rule.rule[len(PREFIX):])))
    return found


def _shape(path: str) -> str:
    """A path with its parameters unnamed: Camunda's `{id}` and Flask's `<task_id>` alike."""
    return re.sub(r"\{[^}]+\}|<[^>]+>", "{}", path)


def group_of(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/".join(parts[:2]) if parts[0] == "history" and len(parts) > 1 else parts[0]


def coverage_table(ours: set, theirs: set) -> str:
    total, done = Counter(group_of(p) for _, p in theirs), Counter(group_of(p) for _, p in ours & theirs)
    rows = ["| Camunda endpoint group | operations implemented |", "|---|---|"]
    for group in sorted(total, key=lambda g: (-done[g], g)):
        rows.append(f"| `{group}` | {done[group]} of {total[group]} |")
    rows.append(f"| all | {sum(done.values())} of {sum(total.values())} |")
    return "\n".join(rows)


def extensions(ours: set, theirs: set) -> list[str]:
    return sorted(f"{method} {path}" for method, path in ours - theirs)


def main() -> None:
    from app import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"database_url": f"sqlite:///{folder}/coverage.db", "secret_key": "coverage"})
        ours, theirs = our_operations(app), camunda_operations()
        app.extensions["ticflow"].db.dispose()
    print(coverage_table(ours, theirs))
    print("\nRoutes of ours that Camunda 7 does not have:")
    for line in extensions(ours, theirs):
        print(f"- {line}")


if __name__ == "__main__":
    main()
