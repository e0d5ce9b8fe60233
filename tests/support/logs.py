"""Reading Camunda's historic logs (external task log, job log) as the tests compare them."""
from __future__ import annotations

KINDS = ("creationLog", "failureLog", "successLog", "deletionLog")


def log_of(api, path: str, instance: str) -> list[dict]:
    """An instance's entries of the log at `path`, oldest first."""
    response = api.get(f"{path}?processInstanceId={instance}&sortBy=timestamp&sortOrder=asc")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def kinds(entries: list[dict]) -> list[str]:
    """Which of Camunda's four log kinds each entry is."""
    return [next(kind for kind in KINDS if entry[kind]) for entry in entries]
