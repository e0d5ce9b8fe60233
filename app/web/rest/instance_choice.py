"""The running instances an operation on many names: `processInstanceIds` and/or a
`processInstanceQuery` (the filters of /process-instance), as Camunda's batch bodies do."""
from flask import g

from app.core.errors import BadRequest
from app.platform import queries

from . import query_input


def chosen_instance_ids(session, body: dict) -> list[str]:
    """The ids named and those the query finds, in order, each once."""
    chosen = list(_named_ids(body.get("processInstanceIds")))
    query = body.get("processInstanceQuery")
    if query is not None:
        if not isinstance(query, dict):
            raise BadRequest("processInstanceQuery 应为查询对象 / processInstanceQuery must be a query object",
                             [{"field": "processInstanceQuery", "message": "应为查询对象"}])
        q = query_input.from_json(queries.INSTANCE_CRITERIA, queries.INSTANCE_SORTS, query)
        chosen += queries.running_instance_ids(session, g.actor, q)
    return list(dict.fromkeys(chosen))


def _named_ids(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest("processInstanceIds 应为流程实例 id 的数组 / processInstanceIds must be an array of ids",
                         [{"field": "processInstanceIds", "message": "应为流程实例 id 的数组"}])
    return value
