"""A storm of completes over real HTTP: client threads, each on a kept-alive connection of
its own, completing the open step of loop instances (../shared/bench/loop.bpmn) again and
again, and keeping what every answer was."""
from __future__ import annotations

import base64
import http.client
import json
import threading
import time
from collections import Counter

from tests.support.processes import PATIENCE_S

# Answers a complete may get when another client completed that step first.
LOST_RACE = {404, 409}
AGAIN = json.dumps({"variables": {"confirmed": {"value": False, "type": "Boolean"}}}).encode()


class CompleteStorm:
    """`clients` threads going round `instance_ids` from different starting points, so that
    they meet on instances; the answers are counted as they come:
    - `completed`: the ids of the tasks completed (204);
    - `statuses`: every answer's status, a lost race's 404/409 among them;
    - `refusals`: every other answer, (status, body), and `refused_sent`: when (monotonic
      seconds) each of those requests was sent;
    - `dropped`: requests whose connection broke without an answer (a killed worker);
    - `hung`: requests that got no answer within the patience (never allowed)."""

    def __init__(self, port: int, instance_ids: list[str], clients: int, user: str = "officer"):
        self.port = port
        self.instance_ids = instance_ids
        token = base64.b64encode(f"{user}:demo".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
        self.completed: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.refusals: list[tuple[int, bytes]] = []
        self.refused_sent: list[float] = []
        self.dropped = 0
        self.hung = 0
        self._progress = threading.Condition()
        self._stopping = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)]
        for thread in self._threads:
            thread.start()

    def wait_for(self, completes: int) -> None:
        """Block until `completes` tasks in all have been completed."""
        with self._progress:
            if not self._progress.wait_for(lambda: len(self.completed) >= completes or self._stopping.is_set(),
                                           timeout=PATIENCE_S):
                raise AssertionError(f"the storm stalled at {len(self.completed)} completes")

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=PATIENCE_S)
        assert not any(t.is_alive() for t in self._threads), "a storm client hung"

    def _client(self, number: int) -> None:
        conn = None
        turn = number * len(self.instance_ids) // len(self._threads)
        while not self._stopping.is_set():
            instance_id = self.instance_ids[turn % len(self.instance_ids)]
            turn += 1
            conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=PATIENCE_S)
            try:
                self._complete_one(conn, instance_id)
            except TimeoutError:
                with self._progress:
                    self.hung += 1
                self._stopping.set()
            except (OSError, http.client.HTTPException):
                with self._progress:
                    self.dropped += 1
                conn.close()
                conn = None
                # The server may be starting a worker again: no busy loop meanwhile.
                time.sleep(0.05)
        if conn is not None:
            conn.close()

    def _complete_one(self, conn: http.client.HTTPConnection, instance_id: str) -> None:
        status, body = self._call(conn, "GET", f"/engine-rest/task?processInstanceId={instance_id}")
        if status != 200:
            return
        for task in json.loads(body):
            status, _ = self._call(conn, "POST", f"/engine-rest/task/{task['id']}/complete", AGAIN)
            if status == 204:
                with self._progress:
                    self.completed.append(task["id"])
                    self._progress.notify_all()

    def _call(self, conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None):
        sent = time.monotonic()
        conn.request(method, path, body=body, headers=self.headers)
        response = conn.getresponse()
        payload = response.read()
        with self._progress:
            self.statuses[response.status] += 1
            if response.status not in {200, 204} | LOST_RACE:
                self.refusals.append((response.status, payload))
                self.refused_sent.append(sent)
        return response.status, payload
