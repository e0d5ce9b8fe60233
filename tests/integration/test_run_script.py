"""scripts/run.sh, what `make run` serves with: JOB_EXECUTORS job executors beside the web
server, all stopped together."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.servers import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "scripts" / "run.sh"


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _executors(pid: int) -> list[int]:
    return [child for child in _children(pid) if "app worker" in _command_line(child)]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A child that has exited but was not yet reaped counts as gone.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


@pytest.mark.usefixtures("app")  # its database: the template's copy
def test_run_starts_as_many_job_executors_as_asked_and_stops_them_all(database_url):
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, PORT=str(port), JOB_EXECUTORS="2")
    process = subprocess.Popen([str(RUN)], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(port)
        executors = _executors(process.pid)
        assert len(executors) == 2

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 143
        deadline = time.monotonic() + 10
        while not all(_gone(pid) for pid in executors) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_gone(pid) for pid in executors)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_run_refuses_a_job_executor_count_that_is_not_a_number():
    env = dict(os.environ, JOB_EXECUTORS="two")
    result = subprocess.run([str(RUN)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "JOB_EXECUTORS 必须是非负整数" in result.stderr
