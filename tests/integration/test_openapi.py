"""/engine-rest/openapi.json documents every route under /engine-rest, and nothing else."""
from __future__ import annotations

from app.web.rest import openapi


def test_every_route_has_its_entry_and_every_entry_a_route(app):
    served = {f"{method} {rule}" for method, rule in openapi.rest_routes(app.url_map)}

    assert served == set(openapi.OPERATIONS)


def test_the_document_is_served_with_each_operation_and_its_schemas(rest):
    response = rest("officer").get("/openapi.json")

    document = response.get_json()
    assert response.status_code == 200 and document["openapi"].startswith("3.1")
    task = document["paths"]["/task/{task_id}"]["get"]
    assert task["parameters"][0] == {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
    assert task["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Task"}
    assert "assignee" in document["components"]["schemas"]["Task"]["required"]
    assert {p["name"] for p in document["paths"]["/task"]["get"]["parameters"]} >= {"processInstanceId", "maxResults"}
    assert document["servers"][0]["url"].endswith("/engine-rest")
