"""What a worker asks of external tasks, read from Camunda's JSON bodies: every field checked
and a wrong one refused with its name (400), never a 500."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import BadRequest

# A lock or a retry timeout longer than a year is no worker's intent, and a datetime far
# enough away overflows.
MAX_DURATION_MS = 366 * 24 * 3600 * 1000
MAX_TASKS = 1000
MAX_RETRIES = 100
WORKER_ID_MAX = 200
TEXT_MAX = 200
FETCH_FIELDS = frozenset({"workerId", "maxTasks", "usePriority", "asyncResponseTimeout", "topics", "sorting"})
# Accepted with Camunda's meaning, which changes nothing here: values are always sent as
# JSON, no model has extension properties, and there are no tenants.
NEUTRAL_TOPIC_FIELDS = frozenset({"deserializeValues", "includeExtensionProperties", "withoutTenantId"})
TOPIC_FIELDS = frozenset({
    "topicName", "lockDuration", "variables", "localVariables", "businessKey",
    "processDefinitionId", "processDefinitionIdIn", "processDefinitionKey",
    "processDefinitionKeyIn", "tenantIdIn", "processVariables",
}) | NEUTRAL_TOPIC_FIELDS


@dataclass(frozen=True)
class Topic:
    name: str
    lock_ms: int
    # None: every variable.
    variables: tuple[str, ...] | None
    business_key: str | None
    definition_ids: tuple[str, ...] | None
    process_keys: tuple[str, ...] | None
    # `tenantIdIn` names tenants: no task has one.
    matches_nothing: bool


@dataclass(frozen=True)
class FetchRequest:
    worker_id: str
    max_tasks: int
    use_priority: bool
    wait_ms: int
    topics: tuple[Topic, ...]
    # Camunda's `sorting` (its one key, createTime): None, oldest first as without it.
    newest_first: bool = False


def fetch_request(body: dict) -> FetchRequest:
    _known(body, FETCH_FIELDS, "")
    topics = body.get("topics")
    if topics is None:
        topics = []
    if not isinstance(topics, list):
        raise _field("topics", "应为数组 / must be an array")
    return FetchRequest(
        worker_id=worker_id(body),
        max_tasks=integer(body, "maxTasks", 0, MAX_TASKS, required=True),
        use_priority=boolean(body, "usePriority"),
        wait_ms=integer(body, "asyncResponseTimeout", 0, None) or 0,
        topics=tuple(_topic(item, f"topics[{n}]") for n, item in enumerate(topics)),
        newest_first=_newest_first(body.get("sorting")),
    )


def _newest_first(sorting) -> bool:
    """Camunda's `sorting`: at most one `{"sortBy": "createTime", "sortOrder": "asc"|"desc"}`."""
    if sorting is None or sorting == []:
        return False
    if not isinstance(sorting, list) or len(sorting) != 1 or not isinstance(sorting[0], dict):
        raise _field("sorting", "应为一个 createTime 排序 / must hold one sorting by createTime")
    _known(sorting[0], frozenset({"sortBy", "sortOrder"}), "sorting[0].")
    if sorting[0].get("sortBy") != "createTime":
        raise _field("sorting[0].sortBy", "只能按 createTime 排序 / only createTime is supported")
    if sorting[0].get("sortOrder") not in ("asc", "desc"):
        raise _field("sorting[0].sortOrder", "应为 asc 或 desc / must be asc or desc")
    return sorting[0]["sortOrder"] == "desc"


def _topic(item, where: str) -> Topic:
    if not isinstance(item, dict):
        raise _field(where, "应为对象 / must be an object")
    _known(item, TOPIC_FIELDS, f"{where}.")
    key = item.get("processDefinitionKey")
    keys = _texts(item, "processDefinitionKeyIn", where)
    if key is not None:
        keys = (*(keys or ()), text(item, "processDefinitionKey", where))
    definition = item.get("processDefinitionId")
    definitions = _texts(item, "processDefinitionIdIn", where)
    if definition is not None:
        definitions = (*(definitions or ()), text(item, "processDefinitionId", where))
    tenants = _texts(item, "tenantIdIn", where)
    if item.get("processVariables") not in (None, {}):
        # Tasks would be locked before their instances' variables were compared: a fetch
        # could then answer fewer tasks than are there. Refused, not ignored.
        raise _field(f"{where}.processVariables", "暂不支持按流程变量筛选 / filtering by process "
                     "variables is not supported")
    boolean(item, "localVariables", where)
    for name in NEUTRAL_TOPIC_FIELDS:
        boolean(item, name, where)
    return Topic(
        name=text(item, "topicName", where, required=True),
        lock_ms=integer(item, "lockDuration", 1, MAX_DURATION_MS, where, required=True),
        variables=_texts(item, "variables", where),
        business_key=text(item, "businessKey", where) if item.get("businessKey") is not None else None,
        definition_ids=definitions,
        process_keys=keys,
        matches_nothing=bool(tenants),
    )


def worker_id(body: dict) -> str:
    return text(body, "workerId", "", required=True, limit=WORKER_ID_MAX)


def text(body: dict, name: str, where: str = "", required: bool = False, limit: int = TEXT_MAX) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise _field(_path(where, name), f"应为 1 到 {limit} 个字符的文本 / must be a text of 1 to {limit} characters")
    return value


def integer(body: dict, name: str, low: int, high: int | None, where: str = "",
            required: bool = False) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
        bound = f"{low} 到 {high} 之间" if high is not None else f"不小于 {low}"
        raise _field(_path(where, name), f"应为{bound}的整数 / must be an integer"
                     + (f" from {low} to {high}" if high is not None else f" of at least {low}"))
    return value


def boolean(body: dict, name: str, where: str = "") -> bool:
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _field(_path(where, name), "应为 true 或 false / must be true or false")
    return value


def _texts(body: dict, name: str, where: str) -> tuple[str, ...] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= TEXT_MAX for v in value):
        raise _field(_path(where, name), "应为文本数组 / must be an array of texts")
    return tuple(value)


def _known(body: dict, names: frozenset, where: str) -> None:
    unknown = sorted(set(body) - names)
    if unknown:
        raise _field(f"{where}{unknown[0]}", "不支持的字段 / unsupported field")


def _path(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _field(field: str, message: str) -> BadRequest:
    return BadRequest(f"字段 {field} 不正确：{message} / invalid {field}",
                      [{"field": field, "message": message.split(" / ")[0]}])
