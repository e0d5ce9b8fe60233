"""Camunda's operations on a group (instances or jobs to suspend) name the group one way of
several: by definition, by key, by ids. Exactly one must be given."""
from __future__ import annotations

from app.core.errors import BadRequest


def one_of(body: dict, names) -> str:
    """The one of `names` given in `body`; none or several is a 400 naming a field."""
    names = list(names)
    given = [name for name in names if body.get(name) is not None]
    if len(given) != 1:
        listed = "、".join(names)
        raise BadRequest(f"请给出 {listed} 之一 / give exactly one of {', '.join(names)}",
                         [{"field": (given[1:] or names)[0], "message": f"{listed} 只能给出其一"}])
    return given[0]
