"""GET /history/detail: each change of a variable, with its value (Camunda's variable updates)."""
from flask import g, jsonify, request

from app.core.errors import BadRequest
from app.platform.variable_history import DetailFilter, count_updates, get_update, list_updates

from . import blueprint, context, params, shapes

FILTERS = ("processInstanceId", "processInstanceIdIn", "taskId", "variableUpdates", "sortBy", "sortOrder")


def _filter() -> DetailFilter:
    args = request.args
    if params.bool_arg("variableUpdates") is False:
        raise BadRequest("只记录变量更新 / only variable updates are recorded",
                         [{"field": "variableUpdates", "message": "只记录变量更新"}])
    if args.get("sortBy", "time") != "time":
        raise BadRequest("只能按 time 排序 / sortBy must be time", [{"field": "sortBy", "message": "只能按 time 排序"}])
    if args.get("sortOrder", "asc") not in ("asc", "desc"):
        raise BadRequest("sortOrder 应为 asc 或 desc / sortOrder must be asc or desc",
                         [{"field": "sortOrder", "message": "应为 asc 或 desc"}])
    instance_ids = [i for i in (args.get("processInstanceIdIn") or "").split(",") if i]
    if args.get("processInstanceId"):
        instance_ids.append(args["processInstanceId"])
    return DetailFilter(instance_ids=tuple(instance_ids), task_id=args.get("taskId"),
                        descending=args.get("sortOrder") == "desc")


@blueprint.get("/history/detail")
def list_details():
    params.known_only(*FILTERS, *params.PAGING, "deserializeValues")
    deserialize = params.bool_arg("deserializeValues") is not False
    with context().db.read() as session:
        found = list_updates(session, g.actor, _filter(), params.page())
        return jsonify([shapes.variable_update(u, deserialize) for u in found])


@blueprint.get("/history/detail/count")
def count_details():
    params.known_only(*FILTERS)
    with context().db.read() as session:
        return jsonify({"count": count_updates(session, g.actor, _filter())})


@blueprint.get("/history/detail/<detail_id>")
def get_detail(detail_id):
    params.known_only("deserializeValue")
    with context().db.read() as session:
        found = get_update(session, g.actor, detail_id)
        return jsonify(shapes.variable_update(found, params.bool_arg("deserializeValue") is not False))
