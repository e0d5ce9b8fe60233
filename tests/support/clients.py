"""API clients acting as one demo user: /engine-rest (Camunda's REST) and /api (the
Tasklist's), both signed in by HTTP Basic."""
from __future__ import annotations

import base64


def basic(user: str, password: str = "demo") -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Rest:
    """A REST client acting as one demo user."""

    def __init__(self, client, user: str):
        self.client = client
        self.headers = basic(user)

    def get(self, path, **kw):
        return self.client.get(f"/engine-rest{path}", headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(f"/engine-rest{path}", headers=self.headers, json=json, **kw)

    def put(self, path, json=None):
        return self.client.put(f"/engine-rest{path}", headers=self.headers, json=json)

    def delete(self, path):
        return self.client.delete(f"/engine-rest{path}", headers=self.headers)


class Api:
    """A client of /api acting as one user (HTTP Basic, like /engine-rest)."""

    def __init__(self, client, user: str):
        self.client = client
        self.headers = basic(user)

    def get(self, path, **kw):
        return self.client.get(f"/api{path}", headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(f"/api{path}", headers=self.headers, json=json, **kw)
