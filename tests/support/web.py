"""The HTML pages through the Flask test client: a browser-like client with its own
session cookie that signs in through the login form, and the task form as it posts."""
from __future__ import annotations

import io
import re


class WebUser:
    """A test client with its own session cookie, signing in through the login form."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/login") -> str:
        page = self.client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def login(self, user: str, password: str = "demo"):
        return self.client.post("/login", data={
            "csrf_token": self.token(), "username": user, "password": password,
        })

    def post(self, path: str, data: dict | None = None, token_from: str | None = None):
        token = self.token(token_from or "/tasks")
        return self.client.post(path, data={"csrf_token": token, **(data or {})})

    def get(self, path: str):
        return self.client.get(path)


def text(response) -> str:
    return response.get_data(as_text=True)


def start_application(cotton: WebUser) -> str:
    """新建申报 on the start page; returns the fill_application task id it opens."""
    response = cotton.post("/start/tic_establishment", token_from="/start")
    assert response.status_code == 302, text(response)
    return re.search(r"/tasks/([0-9a-f-]{36})", response.location).group(1)


def form_data(values: dict, prefix: str = "") -> dict:
    """Values as the task form posts them (dotted names, row indices)."""
    data = {}
    for name, value in values.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            data.update(form_data(value, f"{key}."))
        elif isinstance(value, list):
            for index, row in enumerate(value):
                data[f"{key}.{index}.__row"] = "1"
                data.update(form_data(row, f"{key}.{index}.") if isinstance(row, dict) else {f"{key}.{index}": row})
        elif isinstance(value, bool):
            data[key] = "true" if value else "false"
        elif value is not None:
            data[key] = str(value)
    return data


PDF = b"%PDF-1.4\n%%EOF\n"


def pdf(name: str = "建设方案.pdf"):
    """A small PDF as a form file field takes it."""
    return io.BytesIO(PDF), name, "application/pdf"


def instance_of(browser: WebUser, task_id: str) -> str:
    """The case a task page belongs to, as the page links it."""
    return re.search(r'/instances/([0-9a-f-]{36})"', text(browser.get(f"/tasks/{task_id}"))).group(1)
