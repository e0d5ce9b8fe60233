"""The web server `make run` starts (scripts/serve_web.sh), over real HTTP: the API on a
kept-alive connection, a multipart upload, a page, a vendor file, and a clean stop."""
from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.bench_model import bench_files
from tests.support.servers import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def server(database_url):
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, PORT=str(port))
    subprocess.run([str(BIN / "flask"), "--app", "app", "setup"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    # Its own process group: the teardown then reaches granian's worker processes too.
    process = subprocess.Popen([str(ROOT / "scripts" / "serve_web.sh")], cwd=ROOT, env=env,
                               start_new_session=True)
    try:
        wait_until_serving(port)
        yield port, process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def connect(server):
    port, _ = server
    opened = []

    def connect(timeout: float = 10) -> http.client.HTTPConnection:
        opened.append(http.client.HTTPConnection("127.0.0.1", port, timeout=timeout))
        return opened[-1]

    yield connect
    for conn in opened:
        conn.close()


def request(conn, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    token = base64.b64encode(b"analyst:demo").decode()
    conn.request(method, path, body=body, headers={"Authorization": f"Basic {token}", **(headers or {})})
    response = conn.getresponse()
    return response, response.read()


def multipart(files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = "ticflowboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
        for name, content in files.items()
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_the_api_answers_on_one_kept_alive_connection(connect):
    conn = connect()
    first, body = request(conn, "GET", "/engine-rest/version")
    sock = conn.sock
    second, _ = request(conn, "GET", "/engine-rest/version")

    assert first.status == second.status == 200
    assert json.loads(body)["version"].startswith("7.")
    assert conn.sock is sock, "the connection was closed between requests"


def test_a_multipart_deployment_arrives_whole(connect):
    body, content_type = multipart(bench_files())
    conn = connect(timeout=30)
    response, payload = request(conn, "POST", "/engine-rest/deployment/create", body,
                                {"Content-Type": content_type})

    assert response.status == 200, payload
    assert [d["key"] for d in json.loads(payload)["deployedProcessDefinitions"].values()] == [
        "bench_three_step"
    ]


def test_pages_and_vendor_files_are_served(connect):
    conn = connect()
    conn.request("GET", "/login")
    page = conn.getresponse()
    assert page.status == 200 and "登录" in page.read().decode()
    conn.request("GET", "/static/vendor/versions.json")
    vendor = conn.getresponse()
    assert vendor.status == 200 and "bpmn-js" in json.loads(vendor.read())


def test_sigterm_stops_the_server_and_its_workers(server):
    port, process = server
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    survivors = subprocess.run(["pgrep", "-g", str(process.pid)], check=False,
                               capture_output=True, text=True)
    assert survivors.stdout == "", "granian left worker processes behind"
